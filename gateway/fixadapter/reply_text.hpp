#pragma once
// Private to the adapter (C++14): an outbound application message written straight to FIX text,
// without QuickFIX's FieldMap (one FieldBase, string and vector insertion per field, a second
// pass for BodyLength and CheckSum). The text is byte for byte what QuickFIX writes for the same
// fields: header 8, 9, 35, then 34 49 52 56 (ascending), the body in ascending tag order (a
// FieldMap's order), 10 last. Only replies without repeating groups are written this way
// (`reply_is_flat`); the others keep build_reply + FIX::Message.
//
// Thread-safety: a ReplyText is one thread's scratch space; reuse it so that steady-state
// encoding allocates nothing.

#include <cstdint>
#include <string>
#include <vector>

#include "carbonx/gateway/fix_types.hpp"

namespace carbonx {
namespace gateway {

class ReplyText {
 public:
  ReplyText();
  // Forgets the fields (keeps the capacity).
  void clear();
  // Adds tag=value; a tag set twice keeps the last value (FieldMap::setField's overwrite).
  void set(int tag, const char* value, std::size_t size);
  void set(int tag, const std::string& value) { set(tag, value.data(), value.size()); }
  void set_int(int tag, std::int64_t value);
  // format_fen(fen) ("12.30", "-0.05"), without a temporary string.
  void set_fen(int tag, std::int64_t fen);
  // write_utc_timestamp(ns, 6): TransactTime.
  void set_utc(int tag, std::int64_t ns);
  std::size_t size() const { return fields_.size(); }

  // Appends the complete message to `out`: BeginString FIX.4.4, BodyLength, MsgType `msg_type`,
  // MsgSeqNum `seq`, SenderCompID, SendingTime (text as given), TargetCompID, the fields,
  // CheckSum.
  void finish(const char* msg_type, int seq, const std::string& sender,
              const std::string& sending_time, const std::string& target, std::string* out);

 private:
  struct Field {
    int tag;
    std::uint32_t offset;  // into values_
    std::uint32_t size;
  };
  std::vector<Field> fields_;
  std::string values_;
  std::string body_;
};

// Writes "YYYYMMDD-HH:MM:SS" and, if decimals > 0, "." and that many digits of the fraction, of
// `ns` nanoseconds since the epoch (UTC; ns >= 0) to `out` (kUtcTimestampMax bytes); returns the
// length. The date and time of day are computed once per second per thread.
constexpr std::size_t kUtcTimestampMax = 28;
std::size_t write_utc_timestamp(std::int64_t ns, int decimals, char* out);

// True if `kind` has no repeating group, so `fill_reply_text` writes it.
bool reply_is_flat(ReplyKind kind);
// The MsgType(35) of `kind`.
const char* reply_msg_type(ReplyKind kind);
// Sets the body fields of a flat reply (reply_is_flat(reply.kind)) in `out`, the same fields
// build_reply sets. `out` is cleared first.
void fill_reply_text(const FixReply& reply, ReplyText* out);

}  // namespace gateway
}  // namespace carbonx
