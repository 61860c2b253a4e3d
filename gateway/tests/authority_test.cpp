// Member authority (which member may act for which account) as journaled exchange state
// (issue #11): granted and revoked by the authority.* verbs (registry commands on the core
// thread), published to the FIX edge only after the commit, the same after a restart and after a
// replay of the journal from genesis; a revoked account's order is refused exactly as an order
// on an account the member never had; a data directory whose authority lives only in
// members.json (version 1) is migrated once at start, as journaled grants.
#include <gtest/gtest.h>
#include <unistd.h>

#include <fstream>
#include <nlohmann/json.hpp>

#include "carbonx/registry/journal_applier.hpp"
#include "carbonx/verbs/verbs.hpp"
#include "exchange_path.hpp"

namespace carbonx::gateway::testing {
namespace {

using json = nlohmann::json;

class AuthorityTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() /
            ("cx_authority_" + std::to_string(::getpid()) + "_" +
             ::testing::UnitTest::GetInstance()->current_test_info()->name());
    fs::remove_all(root_);
  }
  void TearDown() override { fs::remove_all(root_); }

  // An operator verb, applied and committed as one batch; its reply.
  json op(Exchange& x, const std::string& verb, const json& body, std::uint32_t* status = nullptr) {
    const Inbound in = x.operator_inbound(++ticket_, verb, body.dump());
    std::vector<Delivery> out;
    x.driver().apply(next(), in, out);
    EXPECT_TRUE(x.driver().commit().ok());
    for (const Delivery& d : out) {
      if (d.ticket == ticket_) {
        if (status) *status = d.http_status;
        return json::parse(d.json);
      }
    }
    ADD_FAILURE() << verb << ": no reply";
    return json{};
  }
  // A NewOrderSingle of member `member` (0-based) on `account`, through the edge; the order's
  // ExecutionReport.
  FixReply order(Exchange& x, std::size_t member, const std::string& account, bool commit = true) {
    FixRequest q;
    q.kind = RequestKind::kNewOrder;
    q.cl_ord_id = "C" + std::to_string(++clid_);
    q.account = account;
    q.symbol = "GDEA2017";
    q.side = FixSide::kSell;
    q.price_fen = 1430;
    q.quantity_t = 10;
    std::vector<Delivery> out;
    x.driver().apply(next(), x.fix_inbound(x.session(member), q), out);
    if (commit) {
      EXPECT_TRUE(x.driver().commit().ok());
    }
    for (const Delivery& d : out) {
      if (d.reply.cl_ord_id == q.cl_ord_id) return d.reply;
    }
    ADD_FAILURE() << "no report for " << q.cl_ord_id;
    return FixReply{};
  }
  void open_accounts(Exchange& x) {
    for (int a = 1001; a <= 1006; ++a) {
      ASSERT_EQ(op(x, "account.open", {{"id", a}, {"kind", "individual"}})["ok"], true);
      ASSERT_EQ(op(x, "units.issue",
                   {{"transfer_id", a},
                    {"account", a},
                    {"symbol", "GDEA2017"},
                    {"quantity_t", 1000}})["ok"],
                true);
    }
    ASSERT_EQ(op(x, "market.open", json::object())["ok"], true);
  }
  // What the edge decides for every member and account: member -> accounts it resolves.
  std::vector<std::vector<std::uint32_t>> edge_decisions(Exchange& x) {
    std::vector<std::vector<std::uint32_t>> out(3);
    for (std::size_t m = 0; m < 3; ++m) {
      for (std::uint32_t a = 1001; a <= 1006; ++a) {
        FixRequest q;
        q.kind = RequestKind::kNewOrder;
        q.account = std::to_string(a);
        q.symbol = "GDEA2017";
        const auto in = x.fix_inbound(x.session(m), q);
        const auto& c = std::get<edge::FixCommand>(in.item);
        if (c.account_id.value() != 0) out[m].push_back(c.account_id.value());
      }
    }
    return out;
  }
  TimestampNs next() { return TimestampNs(ts_ += 1'000'000); }

  fs::path root_;
  std::int64_t ts_ = parse_clock_time("2017-06-05T09:30:00+08:00").value();
  std::uint64_t ticket_ = 0;
  int clid_ = 0;
};

using Decisions = std::vector<std::vector<std::uint32_t>>;

TEST_F(AuthorityTest, SeededAccountsAreJournaledGrantsOnce) {
  const ExchangeConfig exchange = sample_exchange();
  ExchangeClock clock(ts_, "");
  Exchange x(root_, exchange, clock);
  // members(): MEMBER1 1001 1002, MEMBER2 1003 1004, MEMBER3 1005 1006, granted at the start.
  EXPECT_EQ(x.driver().registrar().authority().size(), 6u);
  EXPECT_TRUE(x.driver().registrar().has_authority(MemberId(2), AccountId(1004)));
  for (const Member& m : x.member_directory().all())
    EXPECT_TRUE(m.grant_at_start.empty()) << m.comp_id;
  EXPECT_EQ(edge_decisions(x), (Decisions{{1001, 1002}, {1003, 1004}, {1005, 1006}}));
  const Seq seq = x.driver().applied_seq();
  x.restart();
  EXPECT_EQ(x.driver().applied_seq(), seq);  // nothing granted twice
  EXPECT_EQ(x.driver().registrar().authority().size(), 6u);
}

TEST_F(AuthorityTest, ARevokedAccountsOrderIsRefusedAsOneNeverGranted) {
  const ExchangeConfig exchange = sample_exchange();
  ExchangeClock clock(ts_, "");
  Exchange x(root_, exchange, clock);
  open_accounts(x);
  const FixReply never = order(x, 0, "1003");  // MEMBER1 never had 1003
  ASSERT_EQ(never.exec_type, exec_type::kRejected);
  const FixReply before = order(x, 0, "1001");
  EXPECT_EQ(before.exec_type, exec_type::kNew);

  std::uint32_t status = 0;
  const json revoked = op(x, "authority.revoke", {{"member", 1}, {"account", 1001}}, &status);
  EXPECT_EQ(status, 200u) << revoked.dump();
  const FixReply after = order(x, 0, "1001");
  EXPECT_EQ(after.exec_type, exec_type::kRejected);
  EXPECT_EQ(after.ord_status, never.ord_status);
  EXPECT_EQ(after.reject_code, never.reject_code);
  EXPECT_EQ(after.reject_code, ord_rej_reason::kUnknownAccount);
  EXPECT_EQ(after.text,
            "Account(1) 1001 is not an account this member may trade (accounts are "
            "registry account numbers)");
  std::string never_text = never.text;
  never_text.replace(never_text.find("1003"), 4, "1001");
  EXPECT_EQ(after.text, never_text);
  EXPECT_EQ(edge_decisions(x), (Decisions{{1002}, {1003, 1004}, {1005, 1006}}));

  // A revoke of what is not held, or a grant to an unknown member or account: refused.
  op(x, "authority.revoke", {{"member", 1}, {"account", 1001}}, &status);
  EXPECT_EQ(status, 409u);
  op(x, "authority.grant", {{"member", 99}, {"account", 1001}}, &status);
  EXPECT_EQ(status, 404u);
  op(x, "authority.grant", {{"member", 1}, {"account", 4242}}, &status);
  EXPECT_EQ(status, 404u);

  // Granted again: the edge resolves it once the batch is committed, not before.
  Inbound grant;
  grant.item = OperatorRequest{++ticket_, verbs::AuthorityGrant{MemberId(1), AccountId(1001)}};
  std::vector<Delivery> out;
  x.driver().apply(next(), grant, out);
  EXPECT_EQ(edge_decisions(x)[0], (std::vector<std::uint32_t>{1002}));  // not committed yet
  ASSERT_TRUE(x.driver().commit().ok());
  EXPECT_EQ(edge_decisions(x)[0], (std::vector<std::uint32_t>{1001, 1002}));
  EXPECT_EQ(order(x, 0, "1001").exec_type, exec_type::kNew);

  const json list = op(x, "authority.list", {{"account", 1001}});
  EXPECT_EQ(list["authority"], json::parse(R"([{"member":1,"account":1001}])"));
}

TEST_F(AuthorityTest, AuthorityAfterRestartAndReplayIsTheLiveRunsAuthority) {
  const ExchangeConfig exchange = sample_exchange();
  ExchangeClock clock(ts_, "");
  Exchange x(root_, exchange, clock);
  open_accounts(x);
  std::uint32_t status = 0;
  for (const auto& [verb, m, a] : std::vector<std::tuple<std::string, int, int>>{
           {"authority.revoke", 1, 1002},
           {"authority.grant", 2, 1001},
           {"authority.grant", 3, 1001},
           {"authority.revoke", 2, 1003},
           {"authority.grant", 1, 1006},
           {"authority.revoke", 3, 1001},
           {"authority.grant", 2, 1001}}) {  // the last is refused (held), journaled as refused
    op(x, verb, {{"member", m}, {"account", a}}, &status);
  }
  EXPECT_EQ(status, 409u);
  const Decisions live = edge_decisions(x);
  EXPECT_EQ(live, (Decisions{{1001, 1006}, {1001, 1004}, {1005, 1006}}));
  const auto authority = x.driver().registrar().authority();
  const std::string hash = registry::to_hex(x.driver().registrar().state_hash());
  const Seq seq = x.driver().applied_seq();

  x.restart();
  EXPECT_EQ(x.driver().applied_seq(), seq);
  EXPECT_EQ(x.driver().registrar().authority(), authority);
  EXPECT_EQ(registry::to_hex(x.driver().registrar().state_hash()), hash);
  EXPECT_EQ(edge_decisions(x), live);

  // The journal from genesis (cxctl journal verify's replay) decides the same.
  std::string error;
  const auto rc = make_registrar_config(x.config(), exchange, &error);
  ASSERT_TRUE(rc.has_value()) << error;
  registry::Ledger::Options lo;
  lo.cash_settlement_account = AccountId(x.config().cash_settlement_account);
  registry::Ledger scratch(lo);
  const registry::ExchangeReplay replay =
      registry::replay_exchange(x.driver().store(), exchange, *rc, scratch);
  ASSERT_TRUE(replay.ok) << replay.problem;
  EXPECT_EQ(replay.last_seq, seq);
  EXPECT_EQ(registry::to_hex(replay.registrar_hash), hash);
  EXPECT_EQ(replay.core_hash, x.driver().core().state_hash());
}

// A data directory from before authority was journaled: members.json version 1, whose
// "accounts" decided authority, and a journal without a grant.
void write_version_one_members(const fs::path& data) {
  json list = json::array();
  for (const MemberSeed& s : members()) {
    const std::string salt = "00112233445566778899aabbccddeeff";
    list.push_back({{"id", s.id},
                    {"comp_id", s.comp_id},
                    {"username", s.username},
                    {"salt", salt},
                    {"hash", legacy_hash_password(salt, s.password)},
                    {"cancel_on_disconnect", s.cancel_on_disconnect},
                    {"accounts", s.accounts}});
  }
  fs::create_directories(data / "gateway");
  std::ofstream(data / "gateway" / "members.json") << json{{"version", 1}, {"members", list}};
}

TEST_F(AuthorityTest, AnOldDirectorysMembersFileIsMigratedOnceAsJournaledGrants) {
  const ExchangeConfig exchange = sample_exchange();
  ServerConfig c;
  c.data_dir = (root_ / "data").string();
  std::string error;
  ASSERT_TRUE(init_exchange(c, &error)) << error;
  write_version_one_members(root_ / "data");
  ExchangeClock clock(ts_, "");
  Seq seq{0};
  {
    Exchange x(root_, exchange, clock);  // not fresh: the members come from the file
    EXPECT_EQ(x.driver().registrar().authority().size(), 6u);
    EXPECT_EQ(edge_decisions(x), (Decisions{{1001, 1002}, {1003, 1004}, {1005, 1006}}));
    std::ifstream in(root_ / "data" / "gateway" / "members.json");
    const json file = json::parse(in);
    EXPECT_EQ(file["version"], 2);
    for (const json& m : file["members"]) {
      EXPECT_FALSE(m.contains("accounts"));
      EXPECT_TRUE(m["grant_at_start"].empty());
    }
    // The migration is in the journal: a replay from genesis has the grants.
    std::string rc_error;
    const auto rc = make_registrar_config(x.config(), exchange, &rc_error);
    ASSERT_TRUE(rc.has_value()) << rc_error;
    registry::Ledger::Options lo;
    lo.cash_settlement_account = AccountId(x.config().cash_settlement_account);
    registry::Ledger scratch(lo);
    const auto replay = registry::replay_exchange(x.driver().store(), exchange, *rc, scratch);
    ASSERT_TRUE(replay.ok) << replay.problem;
    EXPECT_EQ(replay.registry_records, x.driver().applied_seq().value());
    EXPECT_EQ(registry::to_hex(replay.registrar_hash),
              registry::to_hex(x.driver().registrar().state_hash()));
    // Once: a start after the migration grants nothing.
    seq = x.driver().applied_seq();
    x.restart();
    EXPECT_EQ(x.driver().applied_seq(), seq);
  }
  // A start interrupted after the commit but before the file was rewritten (the old file still
  // there) grants nothing twice.
  write_version_one_members(root_ / "data");
  Exchange again(root_, exchange, clock);
  EXPECT_EQ(again.driver().applied_seq(), seq);
  EXPECT_EQ(again.driver().registrar().authority().size(), 6u);
  EXPECT_EQ(edge_decisions(again), (Decisions{{1001, 1002}, {1003, 1004}, {1005, 1006}}));
}

}  // namespace
}  // namespace carbonx::gateway::testing
