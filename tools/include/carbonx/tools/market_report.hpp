#pragma once
// The daily market report (docs/design.md "Registry"; issue 7 "Reports"): per instrument and day
// the open, high, low, close, VWAP, volume (t), turnover (fen), split by trading mode (listed,
// agreement, auction, repo) and by participant type (control firms, institutions, individuals;
// BOTH sides of every trade are counted, so the participant split sums to twice the volume), plus
// cumulative figures since the first trading day and the daily history (close, volume) that the
// charts use.
//
// Computed over plain input rows (TradeRow) so it can be tested with hand-made data; the adapter
// in store_adapter.hpp fills them from a registry store's transfer log.
//
// Rules:
//   - open, high, low, last and VWAP come from LISTED trades only (the continuous book's prices);
//     off-book trades count in volume and turnover but do not set prices;
//   - VWAP = listed turnover / listed volume rounded half up to the fen;
//   - close = listed VWAP when the day's listed volume > close_min_volume_t (100 t by default),
//     else the day's reference price, which is the previous day's close (the first day: the
//     instrument's configured reference price). The engine's end of day uses the same rule.
//   - repo volume counts both legs (each leg is a delivery of units against cash).
// Pure functions, thread-safe. No floating point: shares and percentages are computed in the
// HTML layer only, for drawing.

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "carbonx/engine/types.hpp"
#include "carbonx/engine/units.hpp"

namespace carbonx::tools {

enum class TradeMode : std::uint8_t { kListed = 0, kAgreement, kAuction, kRepo };
inline constexpr std::size_t kTradeModeCount = 4;
std::string_view to_string(TradeMode m) noexcept;

enum class ParticipantType : std::uint8_t {
  kControlFirm = 0,
  kInstitution,
  kIndividual,
  kOther,  // exchange or government accounts (e.g. a paid-allocation auction's seller)
};
inline constexpr std::size_t kParticipantTypeCount = 4;
std::string_view to_string(ParticipantType p) noexcept;

struct InstrumentInfo {
  InstrumentId id{0};
  std::string code;                 // "GDEA2017"
  PriceFen reference_price_fen{0};  // configured reference (the first day's), > 0
  PriceFen tick_fen{1};             // the instrument's tick: the VWAP close is on this grid
};

// One trade: units from seller to buyer against cash.
struct TradeRow {
  Date date{};  // trading date (CST)
  InstrumentId instrument{0};
  TradeMode mode = TradeMode::kListed;
  QuantityT quantity_t{0};    // > 0
  AmountFen notional_fen{0};  // > 0; price x quantity
  ParticipantType buyer = ParticipantType::kOther;
  ParticipantType seller = ParticipantType::kOther;
  std::uint64_t order = 0;  // position in the transfer log: orders trades within a day
};

struct Flows {  // volume, turnover and trade count of a set of trades
  QuantityT volume_t{0};
  AmountFen turnover_fen{0};
  std::uint32_t trades = 0;
  void add(QuantityT q, AmountFen n) {
    volume_t += q;
    turnover_fen += n;
    ++trades;
  }
};

struct Breakdown {
  Flows total;
  std::array<Flows, kTradeModeCount> by_mode{};
  // Both sides counted: a trade between a firm and an institution adds its volume to both.
  std::array<Flows, kParticipantTypeCount> by_participant{};
};

struct InstrumentDay {
  std::string code;
  InstrumentId instrument{0};
  Date date{};
  PriceFen reference_fen{0};
  std::optional<PriceFen> open_fen, high_fen, low_fen, last_fen, vwap_fen;  // listed trades only
  PriceFen close_fen{0};
  Breakdown day;
  Breakdown cumulative;  // every day from the first up to and including `date`
};

struct DailyPoint {  // one instrument on one day: what the history charts draw
  std::string code;
  Date date{};
  PriceFen close_fen{0};
  QuantityT volume_t{0};
  AmountFen turnover_fen{0};
};

struct MarketReport {
  Date date{};        // the reported day
  Date first_date{};  // the first day with a trade (the market's opening); 0 without trades
  std::vector<InstrumentDay> instruments;  // in InstrumentInfo order
  Breakdown day_total;                     // all instruments
  Breakdown cumulative_total;
  std::vector<DailyPoint> history;  // every instrument, every trading day <= date, by date
};

struct MarketReportOptions {
  QuantityT close_min_volume_t{100};
};

// The report for `date`. Trades after `date` are ignored; instruments not in `instruments` are
// ignored. Preconditions (asserted): quantities and notionals > 0, reference prices > 0.
MarketReport compute_market_report(const std::vector<InstrumentInfo>& instruments,
                                   std::vector<TradeRow> trades, Date date,
                                   const MarketReportOptions& options = {});

// The latest trading date among `trades`, or nullopt if there is none.
std::optional<Date> last_trading_date(const std::vector<TradeRow>& trades);

// Renderings. Table: one line per instrument and a total, then the splits. CSV: header
// section,code,date,key,volume_t,turnover_fen,trades + price rows (documented in the README).
// JSON: {"schema":"carbonx.market_report","version":1,...}.
std::string market_table(const MarketReport& r);
std::string market_csv(const MarketReport& r);
std::string market_json(const MarketReport& r);

}  // namespace carbonx::tools
