#pragma once
// A minimal FIX tag=value encoder/decoder for the *client* side: the load tool (cxload) and the
// integration tests act as a standard FIX 4.4 initiator with it, independently of QuickFIX, so
// the tests also check that carbonx interoperates with a non-QuickFIX initiator.
//
// No allocation limits beyond the caller's: a frame above `max_frame_bytes` is an error.
// Not thread-safe per object; free functions are pure.

#include <cstdint>
#include <cstdio>
#include <ctime>
#include <optional>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

namespace carbonx::gateway::wire {

inline constexpr char kSoh = '\x01';

using Fields = std::vector<std::pair<int, std::string>>;

// "YYYYMMDD-HH:MM:SS.mmm" for now (UTC).
inline std::string utc_now_text() {
  timespec ts{};
  clock_gettime(CLOCK_REALTIME, &ts);
  std::tm tm{};
  gmtime_r(&ts.tv_sec, &tm);
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04d%02d%02d-%02d:%02d:%02d.%03d", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(ts.tv_nsec / 1000000));
  return buf;
}

// A complete FIX.4.4 message: header (35, 49, 56, 34, 52), `body` in the given order, BodyLength
// and CheckSum computed.
inline std::string encode(std::string_view msg_type, std::string_view sender,
                          std::string_view target, int seq, const Fields& body,
                          std::string_view sending_time) {
  std::string b;
  b.reserve(256);
  auto add = [&b](int tag, std::string_view v) {
    b += std::to_string(tag);
    b += '=';
    b += v;
    b += kSoh;
  };
  add(35, msg_type);
  add(49, sender);
  add(56, target);
  add(34, std::to_string(seq));
  add(52, sending_time);
  for (const auto& [tag, value] : body)
    add(tag, value);
  std::string out = "8=FIX.4.4";
  out += kSoh;
  out += "9=";  // appended piecewise: GCC 12 warns falsely (-Wrestrict) on "9=" + std::string
  out += std::to_string(b.size());
  out += kSoh;
  out += b;
  unsigned sum = 0;
  for (unsigned char c : out)
    sum += c;
  char trailer[16];
  std::snprintf(trailer, sizeof trailer, "10=%03u", sum % 256);
  out += trailer;
  out += kSoh;
  return out;
}

// Fields of one complete message, in wire order.
inline Fields decode(std::string_view msg) {
  Fields out;
  std::size_t pos = 0;
  while (pos < msg.size()) {
    const std::size_t eq = msg.find('=', pos);
    const std::size_t end = msg.find(kSoh, pos);
    if (eq == std::string_view::npos || end == std::string_view::npos || eq > end) break;
    int tag = 0;
    for (std::size_t i = pos; i < eq; ++i)
      tag = tag * 10 + (msg[i] - '0');
    out.emplace_back(tag, std::string(msg.substr(eq + 1, end - eq - 1)));
    pos = end + 1;
  }
  return out;
}

// First value of `tag`, or nullopt.
inline std::optional<std::string> get(const Fields& f, int tag) {
  for (const auto& [t, v] : f) {
    if (t == tag) return v;
  }
  return std::nullopt;
}

// Splits complete frames off a byte stream.
class Framer {
 public:
  explicit Framer(std::size_t max_frame_bytes = 65536) : max_(max_frame_bytes) {}
  void append(const char* data, std::size_t n) { buf_.append(data, n); }
  // 1: a frame in *out; 0: need more bytes; -1: garbage or oversized.
  int next(std::string* out) {
    if (buf_.size() < 16) return 0;
    if (buf_.compare(0, 12,
                     "8=FIX.4.4\x01"
                     "9=") != 0)
      return -1;
    const std::size_t soh = buf_.find(kSoh, 12);
    if (soh == std::string::npos) return buf_.size() > 24 ? -1 : 0;
    std::size_t body = 0;
    for (std::size_t i = 12; i < soh; ++i)
      body = body * 10 + static_cast<std::size_t>(buf_[i] - '0');
    const std::size_t total = soh + 1 + body + 7;
    if (total > max_) return -1;
    if (buf_.size() < total) return 0;
    out->assign(buf_, 0, total);
    buf_.erase(0, total);
    return 1;
  }

 private:
  std::size_t max_;
  std::string buf_;
};

}  // namespace carbonx::gateway::wire
