#pragma once
// Private to the adapter (C++14, sees QuickFIX): FIX::Message <-> neutral structs.

#include <quickfix/Message.h>

#include "carbonx/gateway/fix_codec.hpp"

namespace carbonx {
namespace gateway {

// Translates a parsed, dictionary-validated application message. Never throws.
DecodeOutcome translate_inbound(const FIX::Message& message);

// Fills the body (and MsgType) of `out` from `reply`. The session fills the rest of the header.
void build_reply(const FixReply& reply, FIX::Message* out);

}  // namespace gateway
}  // namespace carbonx
