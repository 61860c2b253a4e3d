// FixCodec: the dictionary plus translation, without sessions (golden tests, fuzzing).
#include <quickfix/DataDictionary.h>
#include <quickfix/Message.h>

#include <sstream>

#include "reply_text.hpp"
#include "translate.hpp"

namespace carbonx {
namespace gateway {

struct FixCodec::Impl {
  FIX::DataDictionary dictionary;
};

FixCodec::FixCodec() : impl_(new Impl) {}
FixCodec::~FixCodec() = default;

std::unique_ptr<FixCodec> FixCodec::create(const std::string& dictionary_path, std::string* error) {
  std::unique_ptr<FixCodec> codec(new FixCodec);
  try {
    codec->impl_->dictionary.readFromURL(dictionary_path);
    codec->impl_->dictionary.checkFieldsOutOfOrder(false);
  } catch (const std::exception& e) {
    *error = "cannot load FIX dictionary " + dictionary_path + ": " + e.what();
    return nullptr;
  }
  return codec;
}

const void* FixCodec::dictionary() const {
  return &impl_->dictionary;
}

DecodeOutcome FixCodec::decode(const std::string& raw) const {
  DecodeOutcome outcome;
  try {
    const FIX::Message parsed(raw, impl_->dictionary, impl_->dictionary, true);
    const bool unsupported =
        is_unsupported_app_message(impl_->dictionary, parsed.getHeader().getField(35));
    const FIX::Message message = unsupported ? header_only(parsed) : parsed;  // as FixEngine
    impl_->dictionary.validate(message);
    if (message.isAdmin()) {
      outcome.reason = "session-level message (handled by the FIX session, not translated)";
      return outcome;
    }
    return translate_inbound(message);
  } catch (const std::exception& e) {
    outcome.status = DecodeOutcome::Status::kSessionReject;
    outcome.reason = e.what();
    if (outcome.reason.empty()) outcome.reason = "invalid FIX message";
  }
  return outcome;
}

std::string FixCodec::encode(const FixReply& reply, const std::string& sender_comp_id,
                             const std::string& target_comp_id, int msg_seq_num,
                             const std::string& sending_time) const {
  if (!reply_is_flat(reply.kind)) {
    return encode_reference(reply, sender_comp_id, target_comp_id, msg_seq_num, sending_time);
  }
  ReplyText text;
  fill_reply_text(reply, &text);
  std::string out;
  out.reserve(1024);
  text.finish(reply_msg_type(reply.kind), msg_seq_num, sender_comp_id, sending_time, target_comp_id,
              &out);
  return out;
}

std::string FixCodec::encode_reference(const FixReply& reply, const std::string& sender_comp_id,
                                       const std::string& target_comp_id, int msg_seq_num,
                                       const std::string& sending_time) const {
  FIX::Message message;
  build_reply(reply, &message);
  message.getHeader().setField(49, sender_comp_id);
  message.getHeader().setField(56, target_comp_id);
  message.getHeader().setField(34, std::to_string(msg_seq_num));
  message.getHeader().setField(52, sending_time);
  return message.toString();
}

std::string FixCodec::dump(const FixRequest& q) {
  std::ostringstream out;
  out << "kind=" << to_string(q.kind) << "\nmsg_seq_num=" << q.msg_seq_num
      << "\ncl_ord_id=" << q.cl_ord_id << "\norig_cl_ord_id=" << q.orig_cl_ord_id
      << "\norder_id=" << q.order_id << "\naccount=" << q.account << "\nsymbol=" << q.symbol
      << "\nside=" << (q.side == FixSide::kSell ? "sell" : "buy") << "\nord_type="
      << (q.ord_type == FixOrdType::kClick  ? "click"
          : q.ord_type == FixOrdType::kTake ? "take"
                                            : "limit")
      << "\ntif="
      << (q.tif == FixTif::kIoc   ? "ioc"
          : q.tif == FixTif::kFok ? "fok"
                                  : "day")
      << "\nprice_fen=" << q.price_fen << "\nquantity_t=" << q.quantity_t
      << "\ntransact_time_ns=" << q.transact_time_ns
      << "\nmass_scope=" << (q.mass_scope == MassCancelScope::kSecurity ? "security" : "all")
      << "\nrequest_id=" << q.request_id
      << "\nmd_subscription=" << static_cast<int>(q.md_subscription) << "\nmd_depth=" << q.md_depth
      << "\nmd_incremental=" << q.md_incremental << "\nmd_bids=" << q.md_bids
      << "\nmd_offers=" << q.md_offers << "\nmd_trades=" << q.md_trades << "\nmd_symbols=";
  for (std::size_t i = 0; i < q.md_symbols.size(); ++i) {
    out << (i ? "," : "") << q.md_symbols[i];
  }
  out << "\n";
  if (!q.auction_id.empty()) out << "auction_id=" << q.auction_id << "\n";
  if (q.refusal.refused) out << "refused=" << refusal_text(q.refusal) << "\n";
  if (q.kind == RequestKind::kTradeCapture) {  // only there, so the other goldens stay as they are
    out << "trade_report_type=" << q.trade_report_type << "\ncounterparty=" << q.counterparty
        << "\nref_id=" << q.ref_id << "\n";
    if (q.repo) out << "repo=1\nprice2_fen=" << q.price2_fen << "\nend_date=" << q.end_date << "\n";
  }
  return out.str();
}

}  // namespace gateway
}  // namespace carbonx
