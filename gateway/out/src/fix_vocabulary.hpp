#pragma once
// The out stage's short names for the FIX adapter's neutral vocabulary (fix_types.hpp: sides,
// ExecType, OrdStatus, reject reasons), shared by out_stage.cpp and offbook_replies.cpp.
// Private to gateway/out.
#include "carbonx/out/out_stage.hpp"

namespace carbonx::out {

using gateway::FixOrdType;
using gateway::FixSide;
using gateway::MdEntry;
using gateway::ReplyKind;
using gateway::RequestKind;
namespace exec_type = gateway::exec_type;
namespace ord_status = gateway::ord_status;
namespace ord_rej_reason = gateway::ord_rej_reason;
namespace cxl_rej_reason = gateway::cxl_rej_reason;
namespace md_req_rej_reason = gateway::md_req_rej_reason;

inline FixSide fix_side(Side s) {
  return s == Side::kSell ? FixSide::kSell : FixSide::kBuy;
}

}  // namespace carbonx::out
