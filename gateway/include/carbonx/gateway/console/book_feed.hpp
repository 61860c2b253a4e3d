#pragma once
// The console's live books (gateway/src/console/README.md): per instrument the price levels, the
// last trades and the phase, kept from the committed batches' events (BookDeltaEvent,
// TradeEvent, PhaseEvent) that the out stage sees, and seeded at start from the restored core.
// Each batch that changes an instrument publishes that instrument's view (JSON, 5 levels a side,
// the last 20 trades): the console pushes it to its server-sent-event streams. It never reads
// the core after the seed.
//
// Thread-safety: seed() before the sequencer starts; on_events() on the out stage's thread (one
// at a time); views() on any thread (locks).

#include <cstdint>
#include <deque>
#include <functional>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "carbonx/engine/events.hpp"

namespace carbonx::gateway::console {

class BookFeed {
 public:
  static constexpr std::size_t kDepth = 5;
  static constexpr std::size_t kTrades = 20;

  // publish(json): called with each changed instrument's view, after on_events() updated it.
  explicit BookFeed(std::function<void(const std::string&)> publish);

  // One instrument at start: its phase and every level of both sides (price_fen, quantity_t).
  void seed(std::uint32_t instrument, std::string symbol, Phase phase,
            const std::vector<std::pair<std::int64_t, std::int64_t>>& bids,
            const std::vector<std::pair<std::int64_t, std::int64_t>>& asks);
  // A committed batch's events.
  void on_events(std::span<const Event> events);
  // Every instrument's view now, in instrument id order.
  std::vector<std::string> views() const;

 private:
  struct Trade {
    std::int64_t price_fen = 0;
    std::int64_t quantity_t = 0;
    std::int64_t ts_ns = 0;
    Side aggressor = Side::kBuy;
  };
  struct Book {
    std::string symbol;
    Phase phase = Phase::kClosed;
    std::map<std::int64_t, std::int64_t, std::greater<>> bids;  // best (highest) first
    std::map<std::int64_t, std::int64_t> asks;                  // best (lowest) first
    std::deque<Trade> trades;                                   // newest first
    std::uint64_t seq = 0;                                      // last event's seq
  };
  std::string view_locked(const Book& b) const;

  std::function<void(const std::string&)> publish_;
  mutable std::mutex mutex_;
  std::map<std::uint32_t, Book> books_;
};

}  // namespace carbonx::gateway::console
