#pragma once
// The trading calendar: Boost.Asio timers that submit CalendarEvents (open, close, end of day) to
// the sequencer at the configured local times, Monday to Friday (public holidays are not modelled:
// the operator closes the market by hand on those). Each event is a command through the
// sequencer, so a replay of the journal sees the same opens and closes at the same seqs.
//
// At start inside a trading window, the market is opened at once (SetPhase is idempotent).
// The calendar runs on the exchange clock (clock.hpp): the wall clock or a simulated one. When a
// simulated clock is advanced past calendar events, clock_moved() re-arms the timer and, if the
// jump crossed an event, sets the phase the new time calls for (open inside a window, else
// closed); skipped ends of day are NOT run (the operator's day.end does that: repos due on a
// skipped day mature at the next end of day, whose date is on or after their end date).
// Thread-safety: runs on the server's io_context (clock_moved() too: post it there).

#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <cstdint>
#include <functional>

#include "carbonx/gateway/clock.hpp"
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
  // `clock` outlives the calendar.
  Calendar(boost::asio::io_context& io, ScheduleConfig schedule, const ExchangeClock& clock,
           Submit submit);
  void start();
  void stop();
  // The clock was advanced: re-arm; if the jump crossed an event, set the phase of the new time.
  void clock_moved();

 private:
  void arm();
  std::int64_t now_ns() const;

  ScheduleConfig schedule_;
  const ExchangeClock& clock_;
  Submit submit_;
  CalendarStep armed_{};  // the step the timer waits for
  boost::asio::steady_timer timer_;
  bool stopped_ = false;
};

}  // namespace carbonx::gateway
