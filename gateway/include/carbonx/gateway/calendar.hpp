#pragma once
// The trading calendar: Boost.Asio timers that submit CalendarEvents (open, close, end of day) to
// the sequencer at the configured local times, Monday to Friday (public holidays are not modelled:
// the operator closes the market by hand on those). Each event is a command through the
// sequencer, so a replay of the journal sees the same opens and closes at the same seqs.
//
// At start inside a trading window, the market is opened at once (SetPhase is idempotent).
// Thread-safety: runs on the server's io_context.

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>

#include "carbonx/gateway/config.hpp"
#include "carbonx/gateway/sequencer.hpp"

namespace carbonx::gateway {

struct CalendarStep {
  std::int64_t at_utc_ns = 0;
  CalendarEvent::Kind kind = CalendarEvent::Kind::kOpen;
};

// The first calendar event strictly after `now_utc_ns` (pure; tested).
CalendarStep next_calendar_step(const ScheduleConfig& s, std::int64_t now_utc_ns);
// True when `now_utc_ns` is inside a trading window of a weekday.
bool inside_trading_window(const ScheduleConfig& s, std::int64_t now_utc_ns);

class Calendar {
 public:
  using Submit = std::function<bool(CalendarEvent)>;
  Calendar(boost::asio::io_context& io, ScheduleConfig schedule, Submit submit);
  void start();
  void stop();

 private:
  void arm();

  ScheduleConfig schedule_;
  Submit submit_;
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
};

}  // namespace carbonx::gateway
