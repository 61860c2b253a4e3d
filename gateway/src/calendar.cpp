#include "carbonx/gateway/calendar.hpp"

#include <chrono>

#include "carbonx/base/civil_time.hpp"

namespace carbonx::gateway {
namespace {

constexpr std::int64_t kNsPerMinute = base::kNsPerMinute;

// Day number since the epoch and time of day, in the schedule's local time.
void local_parts(const ScheduleConfig& s, std::int64_t utc_ns, std::int64_t* day,
                 std::int64_t* minute_ns) {
  const base::LocalTime t = base::local_time(utc_ns, s.utc_offset_minutes);
  *day = t.day;
  *minute_ns = t.ns_of_day;
}

bool weekday(std::int64_t day) {
  const std::int32_t dow = base::weekday_of(day);
  return dow >= 1 && dow <= 5;
}

std::int64_t to_utc(const ScheduleConfig& s, std::int64_t day, std::int32_t minute) {
  return base::utc_ns_of(day, minute * kNsPerMinute, s.utc_offset_minutes);
}

}  // namespace

CalendarStep next_calendar_step(const ScheduleConfig& s, std::int64_t now_utc_ns) {
  std::int64_t day = 0;
  std::int64_t minute_ns = 0;
  local_parts(s, now_utc_ns, &day, &minute_ns);
  for (std::int64_t d = day; d < day + 8; ++d) {
    if (!weekday(d)) continue;
    CalendarStep best{0, CalendarEvent::Kind::kOpen};
    auto consider = [&](std::int32_t minute, CalendarEvent::Kind kind) {
      const std::int64_t at = to_utc(s, d, minute);
      if (at > now_utc_ns && (best.at_utc_ns == 0 || at < best.at_utc_ns)) best = {at, kind};
    };
    for (const TradingWindow& w : s.windows) {
      consider(w.open_minute, CalendarEvent::Kind::kOpen);
      consider(w.close_minute, CalendarEvent::Kind::kClose);
    }
    consider(s.end_of_day_minute, CalendarEvent::Kind::kEndOfDay);
    if (best.at_utc_ns != 0) return best;
  }
  CX_ASSERT(false && "a schedule has at least the end of day on weekdays");
  return {};
}

bool inside_trading_window(const ScheduleConfig& s, std::int64_t now_utc_ns) {
  std::int64_t day = 0;
  std::int64_t minute_ns = 0;
  local_parts(s, now_utc_ns, &day, &minute_ns);
  if (!weekday(day)) return false;
  for (const TradingWindow& w : s.windows) {
    if (minute_ns >= w.open_minute * kNsPerMinute && minute_ns < w.close_minute * kNsPerMinute) {
      return true;
    }
  }
  return false;
}

Calendar::Calendar(boost::asio::io_context& io, ScheduleConfig schedule, const ExchangeClock& clock,
                   Submit submit)
    : schedule_(std::move(schedule)), clock_(clock), submit_(std::move(submit)), timer_(io) {}

std::int64_t Calendar::now_ns() const {
  return clock_.now_ns();
}

void Calendar::start() {
  if (!schedule_.enabled) return;
  if (inside_trading_window(schedule_, now_ns()))
    submit_(CalendarEvent{CalendarEvent::Kind::kOpen});
  arm();
}

void Calendar::clock_moved() {
  if (!schedule_.enabled || stopped_) return;
  if (armed_.at_utc_ns != 0 && now_ns() >= armed_.at_utc_ns) {
    const bool open = inside_trading_window(schedule_, now_ns());
    submit_(CalendarEvent{open ? CalendarEvent::Kind::kOpen : CalendarEvent::Kind::kClose});
  }
  timer_.cancel();  // the waiting handler sees operation_aborted and returns
  arm();
}

void Calendar::stop() {
  stopped_ = true;
  timer_.cancel();
}

void Calendar::arm() {
  if (stopped_) return;
  const CalendarStep step = next_calendar_step(schedule_, now_ns());
  armed_ = step;
  timer_.expires_after(std::chrono::nanoseconds(step.at_utc_ns - now_ns()));
  timer_.async_wait([this, step](boost::system::error_code ec) {
    if (ec || stopped_ || step.at_utc_ns != armed_.at_utc_ns) return;
    if (now_ns() < step.at_utc_ns) return arm();  // woke early (clock adjustments)
    submit_(CalendarEvent{step.kind});
    arm();
  });
}

}  // namespace carbonx::gateway
