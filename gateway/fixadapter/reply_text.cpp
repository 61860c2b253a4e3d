// ReplyText: FIX text written directly (see reply_text.hpp).
#include "reply_text.hpp"

#include <cstring>
#include <ctime>

namespace carbonx {
namespace gateway {
namespace {

constexpr std::size_t kIntChars = 24;  // "-9223372036854775808" fits

// Writes the decimal digits of `value` (any sign) so that they end at `end`; returns the start.
char* format_int(char* end, std::int64_t value) {
  char* at = end;
  std::uint64_t magnitude = static_cast<std::uint64_t>(value);
  if (value < 0) magnitude = 0 - magnitude;
  do {
    *--at = static_cast<char>('0' + magnitude % 10);
    magnitude /= 10;
  } while (magnitude != 0);
  if (value < 0) *--at = '-';
  return at;
}

void append_int(std::string* out, std::int64_t value) {
  char buf[kIntChars];
  const char* at = format_int(buf + kIntChars, value);
  out->append(at, static_cast<std::size_t>(buf + kIntChars - at));
}

void append_field(std::string* out, int tag, const char* value, std::size_t size) {
  append_int(out, tag);
  out->push_back('=');
  out->append(value, size);
  out->push_back('\x01');
}

void put_digits(char* at, std::uint64_t value, int width) {
  for (int i = width - 1; i >= 0; --i) {
    at[i] = static_cast<char>('0' + value % 10);
    value /= 10;
  }
}

}  // namespace

std::size_t write_utc_timestamp(std::int64_t ns, int decimals, char* out) {
  struct Cache {
    std::int64_t secs = -1;
    char text[17];
  };
  static thread_local Cache cache;
  const std::int64_t secs = ns / 1000000000;
  if (secs != cache.secs) {
    const std::time_t t = static_cast<std::time_t>(secs);
    std::tm tm{};
    gmtime_r(&t, &tm);
    put_digits(cache.text, static_cast<std::uint64_t>(tm.tm_year + 1900), 4);
    put_digits(cache.text + 4, static_cast<std::uint64_t>(tm.tm_mon + 1), 2);
    put_digits(cache.text + 6, static_cast<std::uint64_t>(tm.tm_mday), 2);
    cache.text[8] = '-';
    put_digits(cache.text + 9, static_cast<std::uint64_t>(tm.tm_hour), 2);
    cache.text[11] = ':';
    put_digits(cache.text + 12, static_cast<std::uint64_t>(tm.tm_min), 2);
    cache.text[14] = ':';
    put_digits(cache.text + 15, static_cast<std::uint64_t>(tm.tm_sec), 2);
    cache.secs = secs;
  }
  std::memcpy(out, cache.text, 17);
  if (decimals <= 0) return 17;
  if (decimals > 9) decimals = 9;
  std::uint64_t frac = static_cast<std::uint64_t>(ns % 1000000000);
  for (int i = decimals; i < 9; ++i)
    frac /= 10;
  out[17] = '.';
  put_digits(out + 18, frac, decimals);
  return 18 + static_cast<std::size_t>(decimals);
}

ReplyText::ReplyText() {
  fields_.reserve(48);  // an ExecutionReport has up to ~30 fields
  values_.reserve(512);
  body_.reserve(1024);
}

void ReplyText::clear() {
  fields_.clear();
  values_.clear();
}

void ReplyText::set(int tag, const char* value, std::size_t size) {
  const Field f{tag, static_cast<std::uint32_t>(values_.size()), static_cast<std::uint32_t>(size)};
  values_.append(value, size);
  for (Field& existing : fields_) {
    if (existing.tag == tag) {
      existing = f;
      return;
    }
  }
  // Keep ascending tag order (FieldMap's body order): insertion from the back, few fields.
  fields_.push_back(f);
  std::size_t i = fields_.size() - 1;
  while (i > 0 && fields_[i - 1].tag > tag) {
    fields_[i] = fields_[i - 1];
    --i;
  }
  fields_[i] = f;
}

void ReplyText::set_int(int tag, std::int64_t value) {
  char buf[kIntChars];
  const char* at = format_int(buf + kIntChars, value);
  set(tag, at, static_cast<std::size_t>(buf + kIntChars - at));
}

void ReplyText::set_fen(int tag, std::int64_t fen) {
  char buf[kIntChars + 4];
  char* end = buf + sizeof buf;
  std::uint64_t magnitude = static_cast<std::uint64_t>(fen);
  if (fen < 0) magnitude = 0 - magnitude;
  end -= 2;
  put_digits(end, magnitude % 100, 2);
  *--end = '.';
  char* at = format_int(end, static_cast<std::int64_t>(magnitude / 100));
  if (fen < 0) *--at = '-';
  set(tag, at, static_cast<std::size_t>(buf + sizeof buf - at));
}

void ReplyText::set_utc(int tag, std::int64_t ns) {
  char buf[kUtcTimestampMax];
  set(tag, buf, write_utc_timestamp(ns, 6, buf));
}

void ReplyText::finish(const char* msg_type, int seq, const std::string& sender,
                       const std::string& sending_time, const std::string& target,
                       std::string* out) {
  body_.clear();
  append_field(&body_, 35, msg_type, std::strlen(msg_type));
  append_int(&body_, 34);
  body_.push_back('=');
  append_int(&body_, seq);
  body_.push_back('\x01');
  append_field(&body_, 49, sender.data(), sender.size());
  append_field(&body_, 52, sending_time.data(), sending_time.size());
  append_field(&body_, 56, target.data(), target.size());
  for (const Field& f : fields_)
    append_field(&body_, f.tag, values_.data() + f.offset, f.size);

  const std::size_t start = out->size();
  out->append(
      "8=FIX.4.4\x01"
      "9=");
  append_int(out, static_cast<std::int64_t>(body_.size()));
  out->push_back('\x01');
  out->append(body_);
  unsigned sum = 0;
  for (std::size_t i = start; i < out->size(); ++i)
    sum += static_cast<unsigned char>((*out)[i]);
  sum %= 256;
  char trailer[8] = {'1',
                     '0',
                     '=',
                     static_cast<char>('0' + sum / 100),
                     static_cast<char>('0' + sum / 10 % 10),
                     static_cast<char>('0' + sum % 10),
                     '\x01',
                     0};
  out->append(trailer, 7);
}

}  // namespace gateway
}  // namespace carbonx
