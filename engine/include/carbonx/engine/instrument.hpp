#pragma once
// Instruments and the exchange configuration, parsed from TOML *text* (the caller reads the file;
// the engine does no I/O). Every error names the instrument and the field.
//
// Format (every number is configuration; see engine/README.md for a full example):
//
//   [exchange]
//   fee_account = 9000              # AccountId credited with every fee
//   max_orders_per_book = 100000    # optional limits, defaults in CoreLimits
//   [[fee_schedule]]
//   name = "standard"
//   rates = [ { mode = "listed", side = "both", rate_ppm = 500, min_fen = 0 }, ... ]
//   waivers = [ { id = 1, mode = "repo_repurchase", sides = "both",
//                 effective_from = 2017-05-10 } ]           # optional filed_from / filed_before
//   [[instrument]]
//   id = 1                          # >= 1; AssetId 0 is cash
//   code = "GDEA2017"
//   product = "allowance"           # allowance | ccer | phcer
//   vintage = 2017                  # allowance only
//   # ccer/phcer: project_id, region, project_type, crediting_start, crediting_end (dates)
//   tick_fen = 1
//   lot_t = 1
//   min_order_t = 1
//   max_order_t = 1000000
//   reference_price_fen = 1500
//   band_bp = 1000                  # optional, +-10% by default
//   fee_schedule = "standard"
//   stp = "cancel_incoming"         # optional: cancel_incoming | cancel_resting | cancel_both
//   agreement_band_bp = 3000        # optional off-book settings (offbook.hpp), defaults shown
//   agreement_min_t = 100000
//   repo_band_bp = 3000
//   repo_min_t = 100000
//   # Market rules as configuration (engine/README.md "Market rules as configuration"), optional:
//   listed_hours = ["09:30-11:30", "13:00-15:00"]  # China time; none: whenever the phase allows
//   agreement_hours = ["13:00-15:00"]              # agreement reports and acceptances
//   take_levels = 5             # a click may name one of the best 5 levels of the other side
//   same_day_resale = false     # units bought today are sellable from the next trading day
// Off-book limits in [exchange] (optional): max_open_agreements, max_open_auctions,
// max_bids_per_auction, max_repos; repo_default = "release" | "keep_locked".

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/engine/fees.hpp"
#include "carbonx/engine/result.hpp"
#include "carbonx/engine/types.hpp"
#include "carbonx/engine/units.hpp"

namespace carbonx {

enum class ProductKind : std::uint8_t { kAllowance = 1, kCcer = 2, kPhcer = 3 };
std::string_view to_string(ProductKind p) noexcept;

// Offsets (CCER, PHCER) carry the project attributes offset eligibility depends on.
struct ProjectAttributes {
  std::string project_id;
  std::string region;        // e.g. "Guangdong"
  std::string project_type;  // e.g. "forestry", "wind", "energy saving"
  Date crediting_start{};
  Date crediting_end{};
};

// A window of the trading day, China Standard Time: [open_minute, close_minute) after midnight.
struct HoursWindow {
  std::uint16_t open_minute = 0;
  std::uint16_t close_minute = 0;
  friend bool operator==(const HoursWindow&, const HoursWindow&) = default;
};
inline constexpr std::size_t kMaxHoursWindows = 4;

struct InstrumentConfig {
  InstrumentId id{0};  // >= 1
  std::string code;    // e.g. "GDEA2017"; unique
  ProductKind product = ProductKind::kAllowance;
  std::int32_t vintage = 0;   // allowance only
  ProjectAttributes project;  // CCER and PHCER only
  PriceFen tick_fen{1};
  QuantityT lot_t{1};
  QuantityT min_order_t{1};
  QuantityT max_order_t{1'000'000};
  PriceFen reference_price_fen{0};  // on the tick, > 0
  std::uint32_t band_bp = 1000;     // listed band: reference +- band_bp / 10000
  FeeSchedule fees;
  StpMode stp = StpMode::kCancelIncoming;
  // Off-book trading (offbook.hpp): the agreement price must lie in reference +- agreement_band_bp
  // and its quantity be >= agreement_min_t (the large-volume mode: national block trades
  // 100,000 t); a repo's prices in reference +- repo_band_bp, its quantity >= repo_min_t
  // (Guangdong 2015: 100,000 t). Quantities are multiples of lot_t.
  std::uint32_t agreement_band_bp = 3000;
  QuantityT agreement_min_t{100'000};
  std::uint32_t repo_band_bp = 3000;
  QuantityT repo_min_t{100'000};
  // Market rules as configuration (engine/README.md "Market rules as configuration"); the
  // defaults change nothing. A command stamped outside its mode's hours is refused
  // (kOutsideTradingHours): listed_hours for new orders and replaces (cancels are always
  // allowed), agreement_hours for agreement reports and acceptances. Windows are in order and
  // do not overlap; empty: whenever the phase allows.
  std::vector<HoursWindow> listed_hours;
  std::vector<HoursWindow> agreement_hours;
  // 0: a click carries no price and takes the best level. N >= 1: a click may also name a price,
  // which must be one of the best N levels of the other side (kNotAmongBestLevels otherwise); it
  // trades at that level only, in time priority, at that price (the take of a listing).
  std::uint32_t take_levels = 0;
  // false: units an account buys (listed fills, agreement acceptances, auction wins) are locked
  // in its account until the end of the trading day (HoldKind::kResaleLock), so what it can sell
  // or deliver today excludes today's purchases.
  bool same_day_resale = true;
};

// Limits of the core and its books. Each is checked; each has a named default.
struct CoreLimits {
  std::uint32_t max_instruments = 256;
  std::uint32_t max_orders_per_book = 100'000;
  std::uint32_t max_orders_per_level = 10'000;
  std::uint32_t max_price_levels = 8'192;     // ticks from band low to band high, inclusive
  std::uint32_t max_fills_per_order = 1'000;  // matching stops there; the remainder is cancelled
  std::uint32_t outbox_capacity = 1 << 16;    // events reserved at start
  QuantityT close_min_volume_t{100};          // VWAP close only when the day's volume exceeds this
  // Off-book (offbook.hpp).
  std::uint32_t max_open_agreements = 4'096;  // agreement reports awaiting an answer
  std::uint32_t max_open_auctions = 64;
  std::uint32_t max_bids_per_auction = 4'096;
  std::uint32_t max_repos = 4'096;  // proposed + open + defaulted repos kept in state
};

struct ExchangeConfig {
  AccountId fee_account{0};
  CoreLimits limits;
  std::vector<InstrumentConfig> instruments;  // in id order after parsing
  // A repurchase the repo party cannot pay: release the locked units to the reverse-repo party at
  // once (true), or keep them locked until an operator's RepoResolveDefault (false).
  bool repo_default_releases_units = true;
};

struct ConfigError {
  std::string message;  // names the instrument (or section) and the field
};

// Parses and validates. Errors: the first problem found, e.g.
// "instrument GDEA2017: tick_fen: must be > 0".
Result<ExchangeConfig, ConfigError> parse_exchange_config(std::string_view toml_text);

// Checks one instrument against the limits (the parser calls it; so can code building configs).
Result<bool, ConfigError> validate_instrument(const InstrumentConfig& ins, const CoreLimits& lim);

// The listed band around `reference`: [ref - ref*bp/10000, ref + ref*bp/10000], both ends
// rounded inward to the tick grid, the low end at least one tick.
struct Band {
  PriceFen low_fen;
  PriceFen high_fen;
};
Band band_around(PriceFen reference_fen, std::uint32_t band_bp, PriceFen tick_fen);
// The band an instrument's book uses around `reference_fen`: band_around(), narrowed
// symmetrically around the reference when it would need more than `max_levels` ticks (a price
// that has more than doubled since configuration).
Band grid_band(PriceFen reference_fen, const InstrumentConfig& ins, std::uint32_t max_levels);

}  // namespace carbonx
