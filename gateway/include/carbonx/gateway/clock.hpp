#pragma once
// The exchange clock: the time carbonxd stamps commands with and runs its trading calendar on.
//
// Two modes, chosen by the configuration ([server] clock_start, config.hpp):
//   wall clock (default)   now = the system clock (UTC).
//   simulated              now = base + (steady clock - anchor): starts at clock_start and runs at
//                          the rate of the monotonic clock, like a test or simulation environment
//                          of a real exchange. The operator may move it forward (clock.advance),
//                          never back.
// Restarts: the simulated clock continues from no earlier than the last journaled stamp and the
// last advance (persisted in <data_dir>/gateway/clock: one line, UTC nanoseconds), so stamps never
// go backwards; replay uses the stored stamps, so a journal verifies exactly whatever the mode.
// In wall-clock mode not_before() changes nothing: the sequencer keeps stamps non-decreasing.
//
// Thread-safety: every method may be called from any thread.

#include <cstdint>
#include <functional>
#include <mutex>
#include <optional>
#include <string>
#include <string_view>

#include "carbonx/engine/result.hpp"

namespace carbonx::gateway {

enum class ClockError : std::uint8_t {
  kWallClock = 1,  // the server runs on the wall clock: it cannot be moved
  kBackwards,      // the target is not after the clock's now
  kTooFar,         // more than ExchangeClock::kMaxAdvanceNs at once
  kPersist,        // the advance could not be written to the state file (nothing changed)
};
std::string_view to_string(ClockError e) noexcept;

// The bounds of a configured or requested time: years 2000 to 2099 (UTC).
inline constexpr std::int64_t kClockMinNs = 946'684'800'000'000'000;    // 2000-01-01T00:00Z
inline constexpr std::int64_t kClockMaxNs = 4'102'444'800'000'000'000;  // 2100-01-01T00:00Z

// "2017-05-08T09:30:00+08:00" (or "...Z", "...-05:00"; seconds required, no fraction) -> UTC
// nanoseconds. nullopt if malformed, an impossible date, or outside [kClockMinNs, kClockMaxNs).
std::optional<std::int64_t> parse_clock_time(std::string_view text) noexcept;
// UTC nanoseconds -> "2017-05-08T09:30:00+08:00" at `utc_offset_minutes` (whole seconds).
std::string format_clock_time(std::int64_t utc_ns, std::int32_t utc_offset_minutes = 480);

class ExchangeClock {
 public:
  static constexpr std::int64_t kMaxAdvanceNs = 3660LL * 24 * 3600 * 1'000'000'000;  // ~10 years

  // The wall clock.
  ExchangeClock() = default;
  // Simulated, starting at `start_utc_ns` now; advances are persisted to `state_path` ("": none).
  ExchangeClock(std::int64_t start_utc_ns, std::string state_path);
  ExchangeClock(const ExchangeClock&) = delete;
  ExchangeClock& operator=(const ExchangeClock&) = delete;

  bool simulated() const noexcept { return simulated_; }
  // UTC nanoseconds.
  std::int64_t now_ns() const;
  // Simulated: from now on never earlier than `utc_ns` (moves the clock forward if behind).
  // Wall clock: nothing.
  void not_before(std::int64_t utc_ns);
  // Simulated: reads the state file, if any, and applies not_before(its value). false and
  // *error (names the file) if it exists but cannot be read or parsed.
  bool restore(std::string* error);
  // Moves the simulated clock to `target_utc_ns` (> now, at most kMaxAdvanceNs ahead), persists
  // it, then calls the advance listener. On error nothing changed.
  Status<ClockError> advance_to(std::int64_t target_utc_ns);
  // Called (on the advancing thread, no lock held) after every successful advance.
  void set_on_advance(std::function<void()> listener);
  // "wall clock" or "simulated (started at 2017-05-08T09:30:00+08:00)".
  std::string describe() const;

 private:
  bool simulated_ = false;
  std::int64_t configured_start_ns_ = 0;
  std::string state_path_;
  mutable std::mutex mutex_;
  std::int64_t base_ns_ = 0;    // the simulated time at anchor_ns_
  std::int64_t anchor_ns_ = 0;  // steady clock
  std::function<void()> on_advance_;
};

}  // namespace carbonx::gateway
