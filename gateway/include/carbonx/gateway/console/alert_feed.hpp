#pragma once
// The console's surveillance alerts (gateway/src/console/README.md): the committed batches'
// events through surveillance::Monitor (gateway/surveillance), each new alert published as JSON
// to the console's event streams, the last kKept kept for a page that opens later.
//
// Thread-safety: seed_band() before the sequencer starts; on_events() on the out stage's thread
// (one at a time); recent() on any thread (locks).

#include <cstddef>
#include <deque>
#include <functional>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "carbonx/engine/events.hpp"
#include "carbonx/surveillance/monitor.hpp"

namespace carbonx::gateway::console {

class AlertFeed {
 public:
  static constexpr std::size_t kKept = 200;

  // publish(json): called with each new alert's JSON after on_events() found it.
  AlertFeed(const ExchangeConfig& config, std::function<void(const std::string&)> publish);

  void seed_band(InstrumentId instrument, Band band) { monitor_.set_band(instrument, band); }
  void on_events(std::span<const Event> events);
  // The kept alerts, newest first, as one JSON array.
  std::string recent() const;

  // One alert as the console shows it: {"kind", "seq", "ts_ns", "instrument", "price_fen",
  // "quantity_t", "detail", "orders": [{"order_id", "account", "member", "side"}]}.
  static std::string to_json(const surveillance::Alert& alert);

 private:
  surveillance::Monitor monitor_;
  std::function<void(const std::string&)> publish_;
  std::vector<surveillance::Alert> scratch_;
  mutable std::mutex mutex_;
  std::deque<std::string> kept_;  // newest first
};

}  // namespace carbonx::gateway::console
