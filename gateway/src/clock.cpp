#include "carbonx/gateway/clock.hpp"

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>

#include "carbonx/base/civil_time.hpp"

namespace carbonx::gateway {
namespace {

constexpr std::int64_t kNsPerSecond = base::kNsPerSecond;

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

std::int64_t system_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

// Digits of text[at, at + n) as a number; -1 if any is not a digit.
int digits(std::string_view text, std::size_t at, std::size_t n) {
  int v = 0;
  for (std::size_t i = at; i < at + n; ++i) {
    if (text[i] < '0' || text[i] > '9') return -1;
    v = v * 10 + (text[i] - '0');
  }
  return v;
}

}  // namespace

std::string_view to_string(ClockError e) noexcept {
  switch (e) {
    case ClockError::kWallClock:
      return "the server runs on the wall clock (set [server] clock_start to simulate time)";
    case ClockError::kBackwards:
      return "the exchange clock never goes back: the target is not after its current time";
    case ClockError::kTooFar:
      return "the target is more than 3660 days ahead of the exchange clock";
    case ClockError::kPersist:
      return "the clock state file could not be written; the clock did not move";
  }
  return "unknown clock error";
}

std::optional<std::int64_t> parse_clock_time(std::string_view t) noexcept {
  // YYYY-MM-DDTHH:MM:SS then Z or +HH:MM / -HH:MM
  if (t.size() != 20 && t.size() != 25) return std::nullopt;
  if (t[4] != '-' || t[7] != '-' || t[10] != 'T' || t[13] != ':' || t[16] != ':') {
    return std::nullopt;
  }
  const int y = digits(t, 0, 4), mo = digits(t, 5, 2), d = digits(t, 8, 2);
  const int h = digits(t, 11, 2), mi = digits(t, 14, 2), s = digits(t, 17, 2);
  if (y < 0 || mo < 0 || d < 0 || h < 0 || h > 23 || mi < 0 || mi > 59 || s < 0 || s > 59) {
    return std::nullopt;
  }
  int offset_minutes = 0;
  if (t.size() == 20) {
    if (t[19] != 'Z') return std::nullopt;
  } else {
    const int oh = digits(t, 20, 2), om = digits(t, 23, 2);
    if ((t[19] != '+' && t[19] != '-') || t[22] != ':' || oh < 0 || oh > 14 || om < 0 || om > 59) {
      return std::nullopt;
    }
    offset_minutes = (t[19] == '-' ? -1 : 1) * (oh * 60 + om);
  }
  const base::CivilDate date{y, mo, d};
  // Years around [kClockMinNs, kClockMaxNs): their instants fit in 64-bit nanoseconds.
  if (!base::is_valid_civil(date, 1999, 2100)) return std::nullopt;
  const std::int64_t ns = base::utc_ns_of(base::days_from_civil(date),
                                          (h * 3600 + mi * 60 + s) * kNsPerSecond, offset_minutes);
  if (ns < kClockMinNs || ns >= kClockMaxNs) return std::nullopt;
  return ns;
}

std::string format_clock_time(std::int64_t utc_ns, std::int32_t utc_offset_minutes) {
  const base::LocalTime t = base::local_time(utc_ns, utc_offset_minutes);
  const base::CivilDate date = base::civil_from_days(t.day);
  const std::int64_t sod = t.ns_of_day / kNsPerSecond;
  const int off = utc_offset_minutes < 0 ? -utc_offset_minutes : utc_offset_minutes;
  char buf[96];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02uT%02d:%02d:%02d%c%02d:%02d", date.year,
                static_cast<unsigned>(date.month), static_cast<unsigned>(date.day),
                static_cast<int>(sod / 3600), static_cast<int>(sod / 60 % 60),
                static_cast<int>(sod % 60), utc_offset_minutes < 0 ? '-' : '+', off / 60, off % 60);
  return buf;
}

ExchangeClock::ExchangeClock(std::int64_t start_utc_ns, std::string state_path)
    : simulated_(true),
      configured_start_ns_(start_utc_ns),
      state_path_(std::move(state_path)),
      base_ns_(start_utc_ns),
      anchor_ns_(steady_ns()) {}

std::int64_t ExchangeClock::now_ns() const {
  if (!simulated_) return system_ns();
  std::lock_guard lock(mutex_);
  return base_ns_ + (steady_ns() - anchor_ns_);
}

void ExchangeClock::not_before(std::int64_t utc_ns) {
  if (!simulated_) return;
  std::lock_guard lock(mutex_);
  const std::int64_t anchor = steady_ns();
  const std::int64_t now = base_ns_ + (anchor - anchor_ns_);
  if (now >= utc_ns) return;
  base_ns_ = utc_ns;
  anchor_ns_ = anchor;
}

bool ExchangeClock::restore(std::string* error) {
  if (!simulated_ || state_path_.empty() || !std::filesystem::exists(state_path_)) return true;
  std::ifstream in(state_path_);
  long long ns = 0;
  if (!(in >> ns) || ns < kClockMinNs || ns >= kClockMaxNs) {
    *error = "clock state file " + state_path_ + ": expected one line of UTC nanoseconds";
    return false;
  }
  not_before(ns);
  return true;
}

Status<ClockError> ExchangeClock::advance_to(std::int64_t target_utc_ns) {
  if (!simulated_) return Err{ClockError::kWallClock};
  std::function<void()> listener;
  {
    std::lock_guard lock(mutex_);
    const std::int64_t anchor = steady_ns();
    const std::int64_t now = base_ns_ + (anchor - anchor_ns_);
    if (target_utc_ns <= now) return Err{ClockError::kBackwards};
    if (target_utc_ns - now > kMaxAdvanceNs || target_utc_ns >= kClockMaxNs) {
      return Err{ClockError::kTooFar};
    }
    if (!state_path_.empty()) {  // write-then-rename: the file is either old or new
      const std::string tmp = state_path_ + ".tmp";
      {
        std::ofstream out(tmp, std::ios::trunc);
        out << target_utc_ns << "\n";
        out.flush();
        if (!out) return Err{ClockError::kPersist};
      }
      std::error_code ec;
      std::filesystem::rename(tmp, state_path_, ec);
      if (ec) return Err{ClockError::kPersist};
    }
    base_ns_ = target_utc_ns;
    anchor_ns_ = anchor;
    listener = on_advance_;
  }
  if (listener) listener();
  return {};
}

void ExchangeClock::set_on_advance(std::function<void()> listener) {
  std::lock_guard lock(mutex_);
  on_advance_ = std::move(listener);
}

std::string ExchangeClock::describe() const {
  if (!simulated_) return "wall clock";
  return "simulated (clock_start " + format_clock_time(configured_start_ns_) + ")";
}

}  // namespace carbonx::gateway
