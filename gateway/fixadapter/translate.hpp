#pragma once
// Private to the adapter (C++14, sees QuickFIX): FIX::Message <-> neutral structs.

#include <quickfix/DataDictionary.h>
#include <quickfix/Message.h>

#include "carbonx/gateway/fix_codec.hpp"

namespace carbonx {
namespace gateway {

// True for an application message FIX 4.4 defines that carbonx does not support: the dictionary
// lists it without fields. It is answered with BusinessMessageReject 380=3 whatever its body
// holds, so its body is not validated: the caller passes header_only(message) to the session or
// to translate_inbound.
bool is_unsupported_app_message(const FIX::DataDictionary& dictionary, const std::string& msg_type);

// `message` without its body (header and trailer only).
FIX::Message header_only(const FIX::Message& message);

// Translates a parsed, dictionary-validated application message. Never throws.
DecodeOutcome translate_inbound(const FIX::Message& message);

// Fills the body (and MsgType) of `out` from `reply`. The session fills the rest of the header.
void build_reply(const FixReply& reply, FIX::Message* out);

}  // namespace gateway
}  // namespace carbonx
