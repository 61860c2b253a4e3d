// The edge stage: FIX requests become fixed-size commands with every name resolved.
#include "carbonx/edge/fix_edge.hpp"

#include <gtest/gtest.h>

#include <cstdint>
#include <memory>
#include <string>
#include <type_traits>
#include <utility>
#include <vector>

#include "carbonx/edge/authority.hpp"

namespace carbonx::edge {
namespace {

using gateway::FixRequest;

std::vector<InstrumentConfig> instruments() {
  std::vector<InstrumentConfig> v(3);
  v[0].id = InstrumentId(1);
  v[0].code = "GDEA2017";
  v[1].id = InstrumentId(2);
  v[1].code = "GDEA2018";
  v[2].id = InstrumentId(7);
  v[2].code = "CCER";
  return v;
}

const std::vector<std::uint32_t> kAccounts = {1001, 1002};
const SessionMember kMember{MemberId(4), kAccounts};

FixRequest order(const std::string& account, const std::string& symbol) {
  FixRequest q;
  q.kind = RequestKind::kNewOrder;
  q.msg_seq_num = 12;
  q.cl_ord_id = "A1";
  q.account = account;
  q.symbol = symbol;
  q.side = FixSide::kSell;
  q.price_fen = 1430;
  q.quantity_t = 100;
  return q;
}

TEST(FixEdge, CommandIsPlainDataOfOneSize) {
  static_assert(std::is_trivially_copyable_v<FixCommand>);
  static_assert(std::is_standard_layout_v<FixCommand>);
  // Two commands with texts of different lengths are the same bytes long: nothing points away.
  const FixEdge edge(instruments());
  FixRequest shortest = order("1001", "CCER");
  FixRequest longest = order("1001", "GDEA2018");
  longest.cl_ord_id = std::string(gateway::kMaxClOrdIdLength, 'x');
  longest.request_id = std::string(gateway::kMaxIdLength, 'r');
  const FixCommand a = edge.translate(shortest, kMember);
  const FixCommand b = edge.translate(longest, kMember);
  EXPECT_EQ(sizeof(a), sizeof(b));
  EXPECT_EQ(b.cl_ord_id.view(), longest.cl_ord_id);
  EXPECT_EQ(b.request_id.view(), longest.request_id);
}

TEST(FixEdge, ResolvesSymbolAccountAndMember) {
  const FixEdge edge(instruments());
  const FixCommand c = edge.translate(order("1002", "CCER"), kMember);
  EXPECT_EQ(c.kind, RequestKind::kNewOrder);
  EXPECT_EQ(c.msg_seq_num, 12);
  EXPECT_EQ(c.member, MemberId(4));
  EXPECT_EQ(c.instrument, InstrumentId(7));
  EXPECT_EQ(c.symbol.view(), "CCER");
  EXPECT_EQ(c.account_id, AccountId(1002));
  EXPECT_EQ(c.account.view(), "1002");
  EXPECT_EQ(c.cl_ord_id.view(), "A1");
  EXPECT_EQ(c.side, FixSide::kSell);
  EXPECT_EQ(c.price_fen, 1430);
  EXPECT_EQ(c.quantity_t, 100);
}

TEST(FixEdge, UnknownSymbolKeepsItsTextForTheReject) {
  const FixEdge edge(instruments());
  const FixCommand c = edge.translate(order("1001", "GDEA2099"), kMember);
  EXPECT_EQ(c.instrument, InstrumentId(0));
  EXPECT_EQ(c.symbol.view(), "GDEA2099");
  EXPECT_EQ(edge.translate(order("1001", ""), kMember).instrument, InstrumentId(0));
}

TEST(FixEdge, AccountOnlyIfTheMemberMayTradeIt) {
  const FixEdge edge(instruments());
  // Another member's account, a non-number, zero, a sign, an overflow: no account id, the text
  // kept for the reply.
  for (const std::string account : {"1003", "10O1", "0", "+1001", "-1001", "4294968297", ""}) {
    const FixCommand c = edge.translate(order(account, "CCER"), kMember);
    EXPECT_EQ(c.account_id, AccountId(0)) << account;
    EXPECT_EQ(c.account.view(), account);
  }
  // No member behind the session: nothing is tradable.
  const FixCommand c = edge.translate(order("1001", "CCER"), SessionMember{});
  EXPECT_EQ(c.member, MemberId(0));
  EXPECT_EQ(c.account_id, AccountId(0));
}

TEST(FixEdge, IdsBecomeNumbersOrZero) {
  EXPECT_EQ(parse_id_number("42"), 42u);
  EXPECT_EQ(parse_id_number("18446744073709551615"), 18446744073709551615u);
  EXPECT_EQ(parse_id_number("18446744073709551616"), 0u);
  EXPECT_EQ(parse_id_number(""), 0u);
  EXPECT_EQ(parse_id_number("4x"), 0u);
  EXPECT_EQ(parse_id_number(" 4"), 0u);
  EXPECT_EQ(parse_id_number("-4"), 0u);

  const FixEdge edge(instruments());
  FixRequest q;
  q.kind = RequestKind::kTradeCapture;
  q.cl_ord_id = "T1";
  q.account = "1001";
  q.counterparty = "2002";
  q.ref_id = "77";
  q.auction_id = "x9";
  q.order_id = "123";
  const FixCommand c = edge.translate(q, kMember);
  EXPECT_EQ(c.counterparty_number, 2002u);
  EXPECT_EQ(c.counterparty.view(), "2002");
  EXPECT_EQ(c.ref_number, 77u);
  EXPECT_EQ(c.auction_number, 0u);
  EXPECT_EQ(c.auction_id.view(), "x9");
  EXPECT_EQ(c.order_number, 123u);
  q.counterparty = "4294967296";  // not a registry account number (32 bits)
  EXPECT_EQ(edge.translate(q, kMember).counterparty_number, 0u);
}

TEST(FixEdge, MarketDataSymbolsResolvedInOrderUpToTheFirstUnknown) {
  const FixEdge edge(instruments());
  FixRequest q;
  q.kind = RequestKind::kMarketData;
  q.request_id = "M1";
  q.md_symbols = {"CCER", "GDEA2017"};
  FixCommand c = edge.translate(q, kMember);
  ASSERT_EQ(c.md_count, 2);
  EXPECT_EQ(c.md_instruments[0], InstrumentId(7));
  EXPECT_EQ(c.md_instruments[1], InstrumentId(1));
  EXPECT_TRUE(c.md_unknown_symbol.empty());

  q.md_symbols = {"GDEA2018", "NOPE", "CCER", "ALSO"};
  c = edge.translate(q, kMember);
  EXPECT_EQ(c.md_count, 1);
  EXPECT_EQ(c.md_unknown_symbol.view(), "NOPE");

  q.md_symbols.assign(gateway::kMaxMdSymbols, "GDEA2017");
  c = edge.translate(q, kMember);
  EXPECT_EQ(c.md_count, gateway::kMaxMdSymbols);
}

TEST(FixedText, HoldsUpToItsCapacity) {
  FixedText<4> t;
  EXPECT_TRUE(t.empty());
  EXPECT_TRUE(t.assign("abcd"));
  EXPECT_EQ(t.view(), "abcd");
  EXPECT_TRUE(t.assign("ab"));
  EXPECT_EQ(t.view(), "ab");
  EXPECT_EQ(t.str(), "ab");
  EXPECT_TRUE(t == std::string_view("ab"));
  EXPECT_FALSE(t.assign("abcde"));  // too long: refused, left empty
  EXPECT_TRUE(t.empty());
}

}  // namespace
}  // namespace carbonx::edge

// ---- the published authority (authority.hpp) ----------------------------------------------------

namespace carbonx::edge {
namespace {

std::shared_ptr<const AuthoritySnapshot> snapshot_of(
    std::vector<std::pair<MemberId, AccountId>> pairs) {
  return std::make_shared<const AuthoritySnapshot>(pairs);
}

TEST(AuthoritySnapshot, AccountsOfEachMemberAscending) {
  const auto s = snapshot_of({{MemberId(1), AccountId(1001)},
                              {MemberId(1), AccountId(1002)},
                              {MemberId(4), AccountId(1001)},
                              {MemberId(9), AccountId(7)}});
  EXPECT_EQ(s->size(), 4u);
  const auto one = s->accounts_of(MemberId(1));
  EXPECT_EQ(std::vector<std::uint32_t>(one.begin(), one.end()),
            (std::vector<std::uint32_t>{1001, 1002}));
  EXPECT_EQ(s->accounts_of(MemberId(4)).size(), 1u);
  EXPECT_TRUE(s->accounts_of(MemberId(2)).empty());
  EXPECT_TRUE(s->accounts_of(MemberId(10)).empty());
  EXPECT_TRUE(s->may_act(MemberId(9), AccountId(7)));
  EXPECT_FALSE(s->may_act(MemberId(9), AccountId(1001)));
  EXPECT_FALSE(s->may_act(MemberId(4), AccountId(1002)));
  EXPECT_TRUE(AuthoritySnapshot().accounts_of(MemberId(1)).empty());
}

TEST(PublishedAuthority, APublishMovesTheGenerationAndReadersKeepTheirSnapshot) {
  PublishedAuthority p;
  const std::uint64_t g0 = p.generation();
  const auto first = p.current();
  ASSERT_NE(first, nullptr);
  EXPECT_EQ(first->size(), 0u);
  p.publish(snapshot_of({{MemberId(4), AccountId(1001)}}));
  EXPECT_NE(p.generation(), g0);
  const auto second = p.current();
  EXPECT_TRUE(second->may_act(MemberId(4), AccountId(1001)));
  const std::uint64_t g1 = p.generation();
  p.publish(snapshot_of({}));  // revoked
  EXPECT_NE(p.generation(), g1);
  EXPECT_FALSE(p.current()->may_act(MemberId(4), AccountId(1001)));
  // What a reader took stays valid and unchanged.
  EXPECT_TRUE(second->may_act(MemberId(4), AccountId(1001)));
  // The edge decides with the published accounts: granted -> resolved, revoked -> 0.
  FixEdge edge(instruments());
  const auto granted = edge.translate(order("1001", "CCER"),
                                      SessionMember{MemberId(4), second->accounts_of(MemberId(4))});
  EXPECT_EQ(granted.account_id, AccountId(1001));
  const auto revoked = edge.translate(
      order("1001", "CCER"), SessionMember{MemberId(4), p.current()->accounts_of(MemberId(4))});
  EXPECT_EQ(revoked.account_id, AccountId(0));
}

}  // namespace
}  // namespace carbonx::edge
