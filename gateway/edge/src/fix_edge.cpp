#include "carbonx/edge/fix_edge.hpp"

#include <algorithm>
#include <charconv>

#include "carbonx/engine/assert.hpp"

namespace carbonx::edge {
namespace {

// Copies text the FIX translation already checked against the limit of `out`'s type.
template <std::size_t N>
void copy(FixedText<N>& out, const std::string& text) {
  const bool fits = out.assign(text);
  CX_ASSERT(fits);
}

}  // namespace

std::uint64_t parse_id_number(std::string_view text) noexcept {
  std::uint64_t n = 0;
  const auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size()) return 0;
  return n;
}

FixEdge::FixEdge(const std::vector<InstrumentConfig>& instruments) {
  for (const InstrumentConfig& i : instruments)
    by_symbol_.emplace(i.code, i.id);
}

InstrumentId FixEdge::instrument_of(std::string_view symbol) const {
  const auto it = by_symbol_.find(std::string(symbol));
  return it == by_symbol_.end() ? InstrumentId(0) : it->second;
}

FixCommand FixEdge::translate(const gateway::FixRequest& q, const SessionMember& member) const {
  FixCommand c;
  c.kind = q.kind;
  c.msg_seq_num = q.msg_seq_num;
  c.member = member.id;
  copy(c.cl_ord_id, q.cl_ord_id);
  copy(c.orig_cl_ord_id, q.orig_cl_ord_id);
  copy(c.order_id, q.order_id);
  c.order_number = parse_id_number(q.order_id);

  copy(c.account, q.account);
  if (member.id.value() != 0) {
    // The member's authority: the account must be one it may trade (one place decides this).
    const std::uint64_t n = parse_id_number(q.account);
    if (n != 0 && n <= UINT32_MAX &&
        std::find(member.accounts.begin(), member.accounts.end(), static_cast<std::uint32_t>(n)) !=
            member.accounts.end()) {
      c.account_id = AccountId(static_cast<std::uint32_t>(n));
    }
  }

  copy(c.symbol, q.symbol);
  if (!q.symbol.empty()) c.instrument = instrument_of(q.symbol);

  c.side = q.side;
  c.ord_type = q.ord_type;
  c.tif = q.tif;
  c.price_fen = q.price_fen;
  c.quantity_t = q.quantity_t;
  c.transact_time_ns = q.transact_time_ns;
  c.mass_scope = q.mass_scope;
  c.refusal = q.refusal;

  copy(c.request_id, q.request_id);
  c.md_subscription = q.md_subscription;
  c.md_depth = q.md_depth;
  c.md_incremental = q.md_incremental;
  c.md_bids = q.md_bids;
  c.md_offers = q.md_offers;
  c.md_trades = q.md_trades;
  CX_ASSERT(q.md_symbols.size() <= gateway::kMaxMdSymbols);
  for (const std::string& s : q.md_symbols) {
    const InstrumentId id = instrument_of(s);
    if (id.value() == 0) {
      copy(c.md_unknown_symbol, s);
      break;
    }
    c.md_instruments[c.md_count++] = id;
  }

  c.trade_report_type = q.trade_report_type;
  copy(c.counterparty, q.counterparty);
  const std::uint64_t cp = parse_id_number(q.counterparty);
  c.counterparty_number = cp <= UINT32_MAX ? static_cast<std::uint32_t>(cp) : 0;
  copy(c.ref_id, q.ref_id);
  c.ref_number = parse_id_number(q.ref_id);
  copy(c.auction_id, q.auction_id);
  c.auction_number = parse_id_number(q.auction_id);
  c.repo = q.repo;
  c.price2_fen = q.price2_fen;
  c.end_date = q.end_date;
  return c;
}

}  // namespace carbonx::edge
