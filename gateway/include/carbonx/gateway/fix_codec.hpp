#pragma once
// FIX 4.4 message <-> neutral structs (fix_types.hpp), behind the QuickFIX adapter. Valid C++14;
// no QuickFIX type in this interface. Built into carbonx::fixadapter (compiled as C++14 because
// QuickFIX 1.15.1's headers do not compile as C++17/20 with GCC 12).
//
// Thread-safety: a FixCodec is immutable after create(); decode/encode may run concurrently.

#include <memory>
#include <string>

#include "carbonx/gateway/fix_types.hpp"

namespace carbonx {
namespace gateway {

struct DecodeOutcome {
  enum class Status : std::uint8_t {
    kRequest = 1,    // `request` holds the translated message
    kReply,          // refused by the translation: send `reply` (a reject) back, change nothing
    kSessionReject,  // malformed or invalid per the dictionary: `reason` says why
  };
  Status status = Status::kSessionReject;
  FixRequest request;
  FixReply reply;
  std::string reason;
};

class FixCodec {
 public:
  // Loads the data dictionary (gateway/spec/FIX44-carbonx.xml). nullptr and *error on failure.
  static std::unique_ptr<FixCodec> create(const std::string& dictionary_path, std::string* error);
  ~FixCodec();
  FixCodec(const FixCodec&) = delete;
  FixCodec& operator=(const FixCodec&) = delete;

  // A complete FIX message (SOH separated, with BodyLength and CheckSum): parse, validate against
  // the dictionary, translate. Never throws.
  DecodeOutcome decode(const std::string& raw) const;

  // The reply as a complete FIX message with the given header (for golden files and tests; a live
  // session fills the header itself). sending_time is "YYYYMMDD-HH:MM:SS.sss".
  std::string encode(const FixReply& reply, const std::string& sender_comp_id,
                     const std::string& target_comp_id, int msg_seq_num,
                     const std::string& sending_time) const;
  // The same message built with QuickFIX's FieldMap (Message::toString). encode() writes replies
  // without repeating groups as text directly; tests check it equals this, byte for byte.
  std::string encode_reference(const FixReply& reply, const std::string& sender_comp_id,
                               const std::string& target_comp_id, int msg_seq_num,
                               const std::string& sending_time) const;

  // A stable one-field-per-line text form of a request (golden files, logs).
  static std::string dump(const FixRequest& request);

  // Opaque handle to the QuickFIX dictionary, for FixEngine (same library).
  const void* dictionary() const;

 private:
  FixCodec();
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace gateway
}  // namespace carbonx
