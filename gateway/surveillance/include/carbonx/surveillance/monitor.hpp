#pragma once
// Market surveillance over the committed event stream (README.md): the alerts an operator must
// look at, each with the orders behind it. It reads only events the out stage saw (acknowledged
// batches), never the core, the ledger or the store, and decides nothing: an alert is a question
// for an operator, not a refusal.
//
// Thread: one thread at a time (the out stage's), batches in commit order.

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "carbonx/engine/events.hpp"
#include "carbonx/engine/instrument.hpp"

namespace carbonx::surveillance {

enum class AlertKind : std::uint8_t {
  kOrderAtBandEdge = 1,  // a limit order resting or sent at the band's low or high
  kTradeAtBandEdge,      // a listed trade at the band's low or high
  kSelfTradeAttempt,     // an order refused or cancelled by self-trade prevention
  kWashTrade,            // a listed trade between two accounts of one member
  kHoldingLimit,         // a purchase refused because the holding would pass its limit
  kLargeAgreement,       // an accepted agreement transfer at or above Rules::large_agreement_t
};
std::string_view to_string(AlertKind k) noexcept;

// One order (or off-book report) behind an alert.
struct AlertParty {
  std::uint64_t order_id = 0;  // OrderId, or the agreement report's id for kLargeAgreement
  std::uint32_t account = 0;
  std::uint32_t member = 0;
  Side side = Side::kBuy;
};

struct Alert {
  AlertKind kind = AlertKind::kOrderAtBandEdge;
  std::uint64_t seq = 0;  // the command that raised it
  std::int64_t ts_ns = 0;
  std::uint32_t instrument = 0;
  std::int64_t price_fen = 0;
  std::int64_t quantity_t = 0;
  std::vector<AlertParty> parties;
  std::string detail;  // one sentence for the operator
};

struct Rules {
  QuantityT large_agreement_t{500'000};  // an accepted agreement of at least this many tonnes
};

class Monitor {
 public:
  explicit Monitor(const ExchangeConfig& config, Rules rules = {});

  // An instrument's band today (at start, from the core: Core::band). After that the monitor
  // follows it by itself: each day's close (DayStatsEvent) is the next day's reference, as in
  // the core. Unknown instruments are ignored.
  void set_band(InstrumentId instrument, Band band);

  // Appends to `out` the alerts these committed events raise.
  void on_events(std::span<const Event> events, std::vector<Alert>& out);

 private:
  struct Instrument {
    InstrumentConfig config;  // a copy: the monitor outlives no one's configuration
    Band band{};
  };
  Instrument* find(InstrumentId id);
  void check_fills(std::span<const Event> events, std::size_t begin, std::size_t end,
                   std::vector<Alert>& out);

  std::unordered_map<std::uint32_t, Instrument> instruments_;
  std::uint32_t max_levels_ = 0;
  Rules rules_;
  std::unordered_map<std::uint64_t, std::size_t> resting_;  // check_fills' scratch
};

}  // namespace carbonx::surveillance
