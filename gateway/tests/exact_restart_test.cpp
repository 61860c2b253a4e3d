// Exact restarts at scale (issue 11): one deterministic random session of listed trading (Day,
// IOC, FOK and click orders, cancels, every kind of replace, mass cancels, day ends) and off-book
// trading (agreement transfers reported, accepted, declined, withdrawn and expired; repos filed,
// confirmed, declined, bought back early by both parties' consent or at their end date; one-way
// bidding auctions opened, bid on, revised, withdrawn from and closed, cleared or cancelled for
// too few bids; now and then terms the exchange refuses) is applied in lockstep to two copies of
// carbonxd's exchange path (FIX request -> ExchangeDriver -> core, ledger, registrar -> LMDB store,
// committed per batch). One copy runs uninterrupted; the other is restarted from its store after
// every kRestartEvery-th batch through the recovery code carbonxd runs at start-up
// (ExchangeDriver::create on the same data directory). After every request both must have sent the
// same replies (encoded as the FIX text members receive) and reached the same seq; after every
// batch the same core, ledger and registrar state hashes.
//
// Order status and position requests are in the session too: their answers' ids are made of the
// seq, the member and the request's MsgSeqNum, so a restarted server answers them exactly as one
// that never stopped.
//
// Not covered here (server_test and restart_priority_test are): sockets, FIX session layer,
// the sequencer's threads, signals. Every field of every reply is compared, OrigClOrdID (41) of
// a replaced order's later reports included (kept in the open-order record since its version 3).
#include <gtest/gtest.h>
#include <unistd.h>

#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <functional>
#include <map>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <vector>

#include "carbonx/engine/instrument.hpp"
#include "carbonx/gateway/clock.hpp"
#include "carbonx/gateway/exchange_driver.hpp"
#include "carbonx/gateway/fix_codec.hpp"
#include "carbonx/gateway/fix_engine.hpp"
#include "carbonx/gateway/fix_wire.hpp"
#include "carbonx/gateway/members.hpp"
#include "carbonx/verbs/verbs.hpp"
#include "exchange_path.hpp"

namespace carbonx::gateway {
namespace {

namespace fs = std::filesystem;
using testing::Exchange;
using testing::sample_exchange;

constexpr std::uint64_t kCommands = 100'000;  // journaled commands (queries take no seq)
constexpr std::size_t kRestartEvery = 40;     // batches
constexpr std::size_t kMaxBatch = 48;         // requests per batch: 1..kMaxBatch
constexpr std::size_t kDayEvery = 25'000;     // requests per trading day

// An order the generator may cancel or replace (as the uninterrupted copy reported it).
struct OpenOrder {
  std::size_t member = 0;
  std::string account;
  std::string symbol;
  FixSide side = FixSide::kBuy;
  std::int64_t price_fen = 0;
  std::int64_t quantity_t = 0;  // OrderQty: cum + leaves
  std::int64_t cum_t = 0;
};

// What the session did off the book, counted from the uninterrupted copy's replies.
struct OffBookCounts {
  std::size_t agreements_settled = 0;  // AE 856=2 (both parties: one per report)
  std::size_t agreements_ended = 0;    // AE 856=3: declined, withdrawn, expired
  std::size_t repos_opened = 0;        // the first leg settled (both parties: one per report)
  std::size_t repos_repurchased = 0;   // the second leg settled (early, or at the end date)
  std::size_t repos_ended = 0;         // declined, expired, defaulted
  std::size_t bids_filled = 0;         // auction bids allocated at a close
  std::size_t auctions_closed = 0;     // auction.close answered 200
  std::size_t refused = 0;             // AR TrdRptStatus=1, rejected bids, refused verbs
};

// The random session: requests built from what the exchange reported so far (listed orders) and
// from the uninterrupted copy's off-book state (agreements, repos, auctions and their bids).
class Generator {
 public:
  using OpFn = std::function<Inbound(const std::string&, const std::string&)>;
  // op: an operator verb's Inbound; now: the simulated time of the next request.
  Generator(std::uint64_t seed, OpFn op, const std::int64_t* now)
      : rng_(seed), op_(std::move(op)), now_(now) {}

  // The next request of member `*member` (FIX) or an operator verb (*member = npos).
  Inbound next(Exchange& x, std::size_t* member) {
    if (pick(100) < 7) return offbook(x, member);
    const int roll = static_cast<int>(pick(1000));
    if (roll < 560 || open_.empty()) return new_order(x, member, roll);
    const std::string clid = keys_[pick(keys_.size())];
    const auto it = open_.find(clid);
    if (it == open_.end()) return new_order(x, member, 0);  // stale key: a new order instead
    const OpenOrder& o = it->second;
    *member = o.member;
    FixRequest q;
    q.account = o.account;
    q.symbol = o.symbol;
    q.side = o.side;
    q.orig_cl_ord_id = pick(50) == 0 ? "unknown" : clid;  // now and then an unknown order
    q.cl_ord_id = fresh_clid();
    if (roll < 700) {
      q.kind = RequestKind::kCancel;
    } else if (roll < 960) {
      q.kind = RequestKind::kReplace;
      replace_terms(o, q);
    } else if (roll < 980) {  // order status: answered from the state, no seq
      q.kind = RequestKind::kStatus;
      q.cl_ord_id = q.orig_cl_ord_id;
      q.orig_cl_ord_id.clear();
      q.request_id = "st" + std::to_string(roll);
    } else if (roll < 990) {  // positions of the order's account
      q.kind = RequestKind::kPositions;
      q.request_id = "pos" + std::to_string(roll);
      q.symbol = pick(2) == 0 ? "" : o.symbol;
      q.cl_ord_id.clear();
      q.orig_cl_ord_id.clear();
    } else {
      q.kind = RequestKind::kMassCancel;
      q.mass_scope = pick(2) == 0 ? MassCancelScope::kAll : MassCancelScope::kSecurity;
    }
    return inbound(x, *member, std::move(q));
  }

  // Learns the open orders from the replies (of the uninterrupted copy), and counts what
  // happened off the book.
  void learn(const std::vector<Delivery>& out, const Exchange& x) {
    for (const Delivery& d : out) {
      if (d.ticket != 0) {
        if (d.json.find("\"status\":\"cleared\"") != std::string::npos ||
            d.json.find("\"status\":\"cancelled\"") != std::string::npos) {
          ++counts_.auctions_closed;
        }
        if (d.http_status != 200) ++counts_.refused;
        continue;
      }
      count_offbook(d.reply);
      if (d.reply.kind != ReplyKind::kExecReport || !d.reply.auction_id.empty()) continue;
      const FixReply& r = d.reply;
      if (r.exec_type == exec_type::kRejected || r.exec_type == exec_type::kOrderStatus) continue;
      if (r.exec_type == exec_type::kReplaced) open_.erase(r.orig_cl_ord_id);
      const bool open = r.ord_status == ord_status::kNew ||
                        r.ord_status == ord_status::kPartiallyFilled ||
                        r.ord_status == ord_status::kReplaced;
      if (!open || r.leaves_qty_t <= 0) {
        open_.erase(r.cl_ord_id);
        continue;
      }
      OpenOrder& o = open_[r.cl_ord_id];
      if (o.account.empty()) keys_.push_back(r.cl_ord_id);
      o.member = member_of(x, d.session);
      o.account = r.account;
      o.symbol = r.symbol;
      o.side = r.side;
      o.price_fen = r.price_fen;
      o.quantity_t = r.cum_qty_t + r.leaves_qty_t;
      o.cum_t = r.cum_qty_t;
    }
    if (keys_.size() > 4 * open_.size() + 64) compact_keys();
  }
  void forget_all() { open_.clear(), keys_.clear(); }
  std::size_t open_count() const { return open_.size(); }
  const OffBookCounts& counts() const { return counts_; }

 private:
  static constexpr std::size_t kOperator = static_cast<std::size_t>(-1);
  // Accounts 1001..1006: MEMBER1 has 1001 and 1002, MEMBER2 1003 and 1004, MEMBER3 1005, 1006.
  static std::size_t member_of_account(std::uint32_t account) { return (account - 1001) / 2; }
  std::uint32_t account_of(std::size_t member) {
    return static_cast<std::uint32_t>(1001 + 2 * member + pick(2));
  }
  std::size_t other_member(std::size_t member) { return (member + 1 + pick(2)) % 3; }
  // The China Standard Time date of the simulated clock, `later` days on, as yyyymmdd.
  std::int32_t date_in(int later) const {
    namespace c = std::chrono;
    const c::sys_days d =
        c::floor<c::days>(c::sys_time<c::nanoseconds>(c::nanoseconds(*now_)) + c::hours(8)) +
        c::days(later);
    const c::year_month_day ymd(d);
    return static_cast<std::int32_t>(int(ymd.year()) * 10000 + unsigned(ymd.month()) * 100 +
                                     unsigned(ymd.day()));
  }

  void count_offbook(const FixReply& r) {
    if (r.kind == ReplyKind::kTradeCaptureAck && r.trd_rpt_status == 1) ++counts_.refused;
    if (r.kind == ReplyKind::kExecReport && !r.auction_id.empty()) {
      if (r.exec_type == exec_type::kTrade) ++counts_.bids_filled;
      if (r.exec_type == exec_type::kRejected) ++counts_.refused;
    }
    if (r.kind != ReplyKind::kTradeCapture) return;
    if (!r.repo) {
      if (r.trade_report_type == '2') ++counts_.agreements_settled;
      if (r.trade_report_type == '3') ++counts_.agreements_ended;
      return;
    }
    if (r.trade_report_type == '2' && r.text.starts_with("open")) ++counts_.repos_opened;
    if (r.trade_report_type == '2' && r.text.starts_with("repurchased")) {
      ++counts_.repos_repurchased;
    }
    if (r.trade_report_type == '3') ++counts_.repos_ended;
  }

  // Off the book: agreement transfers (report, accept, decline, withdraw), repos (file, confirm,
  // decline, early repurchase consents; maturity at a day's end), one-way bidding auctions (open,
  // bids, revisions, withdrawals, close). Now and then terms the exchange refuses.
  Inbound offbook(Exchange& x, std::size_t* member) {
    const OffBookStateRecord& s = x.driver().core().offbook();
    const std::uint64_t kind = pick(100);
    if (kind < 40 && !s.agreements.empty() && pick(2) == 0) {
      return agreement_answer(x, member, s.agreements[pick(s.agreements.size())]);
    }
    if (kind < 40) return agreement_report(x, member);
    if (kind < 60 && !s.repos.empty() && pick(3) != 0) {
      return repo_answer(x, member, s.repos[pick(s.repos.size())]);
    }
    if (kind < 60) return repo_file(x, member);
    return auction_step(x, member, s);
  }
  FixRequest capture(std::size_t member, char type) {
    FixRequest q;
    q.kind = RequestKind::kTradeCapture;
    q.cl_ord_id = fresh_clid();
    q.trade_report_type = type;
    q.account = std::to_string(account_of(member));
    q.side = FixSide::kBuy;
    return q;
  }
  Inbound agreement_report(Exchange& x, std::size_t* member) {
    *member = pick(3);
    FixRequest q = capture(*member, '0');
    const bool second = pick(4) == 0;
    q.symbol = second ? "GDEA2018" : "GDEA2017";
    const std::int64_t reference = second ? 1510 : 1420;
    q.side = pick(2) == 0 ? FixSide::kBuy : FixSide::kSell;
    q.counterparty = std::to_string(account_of(other_member(*member)));
    q.quantity_t = 100'000 + static_cast<std::int64_t>(pick(50'000));
    q.price_fen = reference + static_cast<std::int64_t>(pick(201)) - 100;
    if (pick(20) == 0) q.price_fen = reference * 2;  // outside the agreement band
    if (pick(20) == 0) q.quantity_t = 1 + static_cast<std::int64_t>(pick(99'999));  // too few
    return inbound(x, *member, std::move(q));
  }
  // Accepted or declined by the counterparty, or withdrawn by the reporter.
  Inbound agreement_answer(Exchange& x, std::size_t* member, const AgreementRecord& a) {
    const std::uint64_t roll = pick(20);
    const std::uint32_t account =
        roll < 17 ? a.counterparty.value() : a.reporter.value();  // 17..19: the reporter
    *member = member_of_account(account);
    FixRequest q = capture(*member, roll < 14 ? '2' : '3');
    q.account = std::to_string(account);
    q.ref_id = std::to_string(a.id.value());
    return inbound(x, *member, std::move(q));
  }
  Inbound repo_file(Exchange& x, std::size_t* member) {
    *member = pick(3);
    FixRequest q = capture(*member, '0');
    q.repo = true;
    q.symbol = "GDEA2017";
    q.side = pick(2) == 0 ? FixSide::kSell : FixSide::kBuy;  // the repo party or the reverse one
    q.counterparty = std::to_string(account_of(other_member(*member)));
    q.quantity_t = 100'000 + static_cast<std::int64_t>(pick(20'000));
    q.price_fen = 1420 + static_cast<std::int64_t>(pick(41)) - 20;
    q.price2_fen = q.price_fen + static_cast<std::int64_t>(pick(30));
    q.end_date = date_in(1 + static_cast<int>(pick(2)));  // matures at one of the next day ends
    if (pick(25) == 0) q.end_date = date_in(0);           // refused: not after today
    return inbound(x, *member, std::move(q));
  }
  // A proposed repo: confirmed or declined by the other party, or withdrawn by the filer; an
  // open one: an early repurchase consent of the party that has not given it (both: the second
  // leg settles).
  Inbound repo_answer(Exchange& x, std::size_t* member, const RepoRecord& r) {
    std::uint32_t account = 0;
    char type = '2';
    if (r.status == RepoStatus::kProposed) {
      const bool filer_is_repo = r.filer == r.repo_party;
      const std::uint32_t other = (filer_is_repo ? r.reverse_party : r.repo_party).value();
      const std::uint64_t roll = pick(10);
      account = roll < 9 ? other : r.filer.value();
      type = roll < 8 ? '2' : '3';
    } else {
      account = (r.repo_consent ? r.reverse_party : r.repo_party).value();
    }
    *member = member_of_account(account);
    FixRequest q = capture(*member, type);
    q.repo = true;
    q.account = std::to_string(account);
    q.ref_id = std::to_string(r.id.value());
    return inbound(x, *member, std::move(q));
  }
  // An auction whose window has passed is closed; with none open (or now and then) one is
  // opened; otherwise a bid, a revision or a withdrawal in an open one.
  Inbound auction_step(Exchange& x, std::size_t* member, const OffBookStateRecord& s) {
    for (const AuctionRecord& a : s.auctions) {
      if (*now_ >= a.terms.end_ts.value()) {
        *member = kOperator;
        return op_("auction.close", "{\"auction_id\":" + std::to_string(a.id.value()) + "}");
      }
    }
    if (s.auctions.empty() || (s.auctions.size() < 3 && pick(40) == 0)) {
      *member = kOperator;
      // One draw per statement: the order of evaluation within an expression is unspecified.
      const std::uint64_t seller = 1001 + pick(6);
      const std::uint64_t quantity = 5'000 + pick(20'000);
      const std::uint64_t reserve = 1400 + pick(20);
      const std::int64_t end = *now_ + (2 + static_cast<std::int64_t>(pick(4))) * 1'000'000'000;
      const std::uint64_t max_share_bp = 2'000 + pick(8'001);
      const char* pricing = pick(2) == 0 ? "uniform" : "pay_as_bid";
      const int min_fill_bp = pick(3) == 0 ? 5'000 : 0;
      return op_("auction.open",
                 "{\"seller\":" + std::to_string(seller) +
                     ",\"symbol\":\"GDEA2017\",\"quantity_t\":" + std::to_string(quantity) +
                     ",\"reserve_fen\":" + std::to_string(reserve) + ",\"start_ts\":" +
                     std::to_string(*now_) + ",\"end_ts\":" + std::to_string(end) +
                     ",\"min_bid_t\":100,\"max_share_bp\":" + std::to_string(max_share_bp) +
                     ",\"pricing\":\"" + pricing +
                     "\",\"min_fill_bp\":" + std::to_string(min_fill_bp) + "}");
    }
    const AuctionRecord& a = s.auctions[pick(s.auctions.size())];
    const std::uint64_t roll = pick(10);
    FixRequest q;
    q.auction_id = std::to_string(a.id.value());
    q.symbol = "GDEA2017";
    q.side = FixSide::kBuy;
    q.cl_ord_id = fresh_clid();
    q.price_fen = a.terms.reserve_fen.value() + static_cast<std::int64_t>(pick(40)) - 2;
    q.quantity_t = 100 + static_cast<std::int64_t>(pick(3'000));
    if (roll < 5 || a.bids.empty()) {
      do {
        *member = pick(3);
        q.account = std::to_string(account_of(*member));
      } while (q.account == std::to_string(a.terms.seller.value()));
      q.kind = RequestKind::kNewOrder;
      return inbound(x, *member, std::move(q));
    }
    const BidRecord& b = a.bids[pick(a.bids.size())];
    *member = member_of_account(b.account.value());
    q.account = std::to_string(b.account.value());
    q.orig_cl_ord_id = std::string(view(b.client_order_id));
    if (roll < 8) {  // a revision: up or down in price, more or less quantity
      q.kind = RequestKind::kReplace;
      q.price_fen = b.price_fen.value() + static_cast<std::int64_t>(pick(7)) - 3;
      q.quantity_t = std::max<std::int64_t>(
          100, b.quantity_t.value() + static_cast<std::int64_t>(pick(401)) - 200);
    } else {
      q.kind = RequestKind::kCancel;
    }
    return inbound(x, *member, std::move(q));
  }

  std::uint64_t pick(std::uint64_t n) { return rng_() % n; }
  std::string fresh_clid() { return "c" + std::to_string(++clid_n_); }
  static std::size_t member_of(const Exchange& x, SessionIndex s) {
    for (std::size_t m = 0; m < 3; ++m) {
      if (x.session(m) == s) return m;
    }
    return 0;
  }
  Inbound inbound(Exchange& x, std::size_t member, FixRequest q) {
    q.msg_seq_num = ++msg_seq_[member];
    return x.fix_inbound(x.session(member), q);
  }
  Inbound new_order(Exchange& x, std::size_t* member, int roll) {
    *member = pick(3);
    FixRequest q;
    q.kind = RequestKind::kNewOrder;
    q.cl_ord_id = fresh_clid();
    q.account = std::to_string(1001 + 2 * *member + pick(2));
    const bool second = pick(4) == 0;
    q.symbol = second ? "GDEA2018" : "GDEA2017";
    const std::int64_t reference = second ? 1510 : 1420;
    q.side = pick(2) == 0 ? FixSide::kBuy : FixSide::kSell;
    // Buyers a little below the reference and sellers a little above: a book that trades often
    // but keeps depth.
    const std::int64_t skew = q.side == FixSide::kBuy ? -4 : 4;
    q.price_fen = reference + skew + static_cast<std::int64_t>(pick(21)) - 10;
    q.quantity_t = 1 + static_cast<std::int64_t>(pick(40));
    q.tif = FixTif::kDay;
    if (roll >= 470 && roll < 500) q.tif = FixTif::kIoc;
    if (roll >= 500 && roll < 530) q.tif = FixTif::kFok;
    if (roll >= 530 && roll < 560) {
      q.ord_type = FixOrdType::kClick;
      q.tif = FixTif::kIoc;
      q.price_fen = 0;
    }
    return inbound(x, *member, std::move(q));
  }
  // Price up or down, quantity up or down, or both; now and then to a quantity at or below the
  // filled quantity (refused by the gateway).
  void replace_terms(const OpenOrder& o, FixRequest& q) {
    q.ord_type = FixOrdType::kLimit;
    q.tif = FixTif::kDay;
    q.price_fen = o.price_fen;
    q.quantity_t = o.quantity_t;
    const std::int64_t price_step = 1 + static_cast<std::int64_t>(pick(5));
    const std::int64_t qty_step = 1 + static_cast<std::int64_t>(pick(20));
    switch (pick(6)) {
      case 0:
        q.price_fen += price_step;
        break;
      case 1:
        q.price_fen -= price_step;
        break;
      case 2:
        q.quantity_t += qty_step;
        break;
      case 3:
        q.quantity_t = std::max(o.cum_t + 1, o.quantity_t - qty_step);
        break;
      case 4:
        q.price_fen += pick(2) == 0 ? price_step : -price_step;
        q.quantity_t += pick(2) == 0 ? qty_step : -std::min(qty_step, o.quantity_t - o.cum_t - 1);
        break;
      default:
        q.quantity_t = std::max<std::int64_t>(1, o.cum_t);
        break;
    }
  }
  void compact_keys() {
    std::vector<std::string> keep;
    for (const auto& [clid, o] : open_)
      keep.push_back(clid);
    keys_ = std::move(keep);
  }

  std::mt19937_64 rng_;
  OpFn op_;
  const std::int64_t* now_;
  OffBookCounts counts_;
  std::map<std::string, OpenOrder> open_;
  std::vector<std::string> keys_;  // open_'s keys, with stale ones (pick() skips them)
  std::uint64_t clid_n_ = 0;
  std::int32_t msg_seq_[3] = {0, 0, 0};
};

class ExactRestartTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = fs::temp_directory_path() / ("cx_exact_restart_" + std::to_string(::getpid()));
    fs::remove_all(root_);
    std::string error;
    codec_ = FixCodec::create(CARBONX_FIX_DICTIONARY, &error);
    ASSERT_NE(codec_, nullptr) << error;
  }
  void TearDown() override { fs::remove_all(root_); }

  // Every reply as members and operators receive it, in order.
  std::string text_of(const Exchange& x, const std::vector<Delivery>& out) const {
    std::string t;
    for (const Delivery& d : out) {
      if (d.ticket != 0) {
        t += std::to_string(d.ticket) + " " + std::to_string(d.http_status) + " " + d.json + "\n";
      } else {
        const std::string fix =
            codec_->encode(d.reply, "CARBONX", x.comp_id(d.session), 1, "20170605-01:30:00.000");
        for (const auto& [tag, value] : wire::decode(fix))
          t += std::to_string(tag) + "=" + value + "|";
        t += "\n";
      }
    }
    return t;
  }

  std::uint64_t ticket_ = 0;
  // An operator verb through the operator edge of `x` (every exchange here has the same one).
  Inbound op(Exchange& x, const std::string& verb, const std::string& body = "{}") {
    return x.operator_inbound(++ticket_, verb, body);
  }

  fs::path root_;
  std::unique_ptr<FixCodec> codec_;
};

std::vector<Inbound> seed_requests(const std::function<Inbound(std::string, std::string)>& op) {
  std::vector<Inbound> out;
  for (int a = 1001; a <= 1006; ++a) {
    const int member = 1 + (a - 1001) / 2;
    out.push_back(op("account.open", "{\"id\":" + std::to_string(a) +
                                         ",\"kind\":\"control_emission_firm\",\"member\":" +
                                         std::to_string(member) + "}"));
    out.push_back(op("cash.deposit", "{\"transfer_id\":" + std::to_string(a) + ",\"account\":" +
                                         std::to_string(a) + ",\"amount_fen\":100000000000}"));
    for (const char* symbol : {"GDEA2017", "GDEA2018"}) {
      out.push_back(op("units.issue", "{\"transfer_id\":" + std::to_string(a * 10 + symbol[7]) +
                                          ",\"account\":" + std::to_string(a) + ",\"symbol\":\"" +
                                          symbol + "\",\"quantity_t\":50000000}"));
    }
  }
  out.push_back(op("market.open", "{}"));
  return out;
}

TEST_F(ExactRestartTest, RandomSessionRestartedEveryFewBatchesMatchesTheUninterruptedRun) {
  const auto started = std::chrono::steady_clock::now();
  const ExchangeConfig exchange = sample_exchange();
  std::int64_t ts = parse_clock_time("2017-06-05T09:30:00+08:00").value();
  ExchangeClock clock(ts, "");  // one simulated clock: both copies see the same start-up time
  Exchange steady(root_ / "steady", exchange, clock);
  Exchange restarted(root_ / "restarted", exchange, clock);
  Generator gen(
      20170605, [&](const std::string& v, const std::string& b) { return op(steady, v, b); }, &ts);
  std::mt19937_64 batch_rng(11);
  std::size_t batches = 0;
  std::size_t restarts = 0;
  std::size_t requests = 0;
  std::size_t replies = 0;
  const auto step = [&](const Inbound& in) {
    std::vector<Delivery> a;
    std::vector<Delivery> b;
    steady.driver().apply(TimestampNs(ts), in, a);
    restarted.driver().apply(TimestampNs(ts), in, b);
    ++requests;
    replies += a.size();
    ASSERT_EQ(steady.driver().applied_seq(), restarted.driver().applied_seq()) << requests;
    const std::string ta = text_of(steady, a);
    const std::string tb = text_of(restarted, b);
    ASSERT_EQ(ta, tb) << "request " << requests << " at seq "
                      << steady.driver().applied_seq().value() << " after " << restarts
                      << " restarts";
    gen.learn(a, steady);
  };
  const auto end_batch = [&] {
    ASSERT_TRUE(steady.driver().commit().ok());
    ASSERT_TRUE(restarted.driver().commit().ok());
    ++batches;
    const Seq seq = steady.driver().applied_seq();
    ASSERT_EQ(steady.driver().core().state_hash(), restarted.driver().core().state_hash())
        << "core state after batch " << batches << " (seq " << seq.value() << ")";
    ASSERT_EQ(steady.driver().ledger().state_hash(), restarted.driver().ledger().state_hash())
        << "ledger state after batch " << batches;
    ASSERT_EQ(steady.driver().registrar().state_hash(), restarted.driver().registrar().state_hash())
        << "registrar state after batch " << batches;
    if (batches % kRestartEvery == 0) {
      restarted.restart();
      ++restarts;
      ASSERT_EQ(steady.driver().core().state_hash(), restarted.driver().core().state_hash())
          << "core state right after restart " << restarts << " (seq " << seq.value() << ")";
    }
  };
  for (const Inbound& in :
       seed_requests([&](std::string v, std::string b) { return op(steady, v, b); })) {
    step(in);
    if (HasFatalFailure()) return;
  }
  end_batch();
  while (steady.driver().applied_seq().value() < kCommands && !HasFatalFailure()) {
    const std::size_t n = 1 + batch_rng() % kMaxBatch;
    for (std::size_t i = 0; i < n && !HasFatalFailure(); ++i) {
      ts += 1'000'000;  // 1 ms per request
      std::size_t member = 0;
      step(gen.next(steady, &member));
      if (requests % kDayEvery == 0) {  // the day ends; the next one opens
        step(op(steady, "day.end"));
        gen.forget_all();
        ts += 24LL * 3600 * 1'000'000'000;
        step(op(steady, "market.open"));
      }
    }
    end_batch();
  }
  if (HasFatalFailure()) return;
  const double seconds =
      std::chrono::duration<double>(std::chrono::steady_clock::now() - started).count();
  std::printf(
      "exact restart: %zu requests (seq %llu), %zu replies, %zu batches, %zu restarts, "
      "%zu orders open at the end, identical; %.1f s\n",
      requests, static_cast<unsigned long long>(steady.driver().applied_seq().value()), replies,
      batches, restarts, gen.open_count(), seconds);
  const OffBookCounts& c = gen.counts();
  std::printf(
      "off book: %zu agreement reports settled, %zu ended; repos: %zu first legs, %zu "
      "repurchases, %zu ended; %zu auctions closed, %zu bids filled; %zu refusals\n",
      c.agreements_settled, c.agreements_ended, c.repos_opened, c.repos_repurchased, c.repos_ended,
      c.auctions_closed, c.bids_filled, c.refused);
  EXPECT_GE(restarts, 100u);
  // The off-book paths were taken, each many times (both parties get each report).
  EXPECT_GE(c.agreements_settled, 100u);
  EXPECT_GE(c.agreements_ended, 20u);
  EXPECT_GE(c.repos_opened, 20u);
  EXPECT_GE(c.repos_repurchased, 10u);
  EXPECT_GE(c.repos_ended, 5u);
  EXPECT_GE(c.auctions_closed, 10u);
  EXPECT_GE(c.bids_filled, 50u);
  EXPECT_GE(c.refused, 20u);
}

// ExecIDs are "<seq>-<n>", n counting the reports of one request: an auction bid's acknowledgement
// right after a crossing order (three reports) is "<seq>-1", with or without a restart between
// them (the count once carried over from the order to the bid, so a restarted server numbered the
// bid's reports differently).
TEST_F(ExactRestartTest, ExecIdsCountTheReportsOfOneRequestOnly) {
  const ExchangeConfig exchange = sample_exchange();
  const std::int64_t ts = parse_clock_time("2017-06-05T09:30:00+08:00").value();
  ExchangeClock clock(ts, "");
  for (const bool restart : {false, true}) {
    Exchange x(root_ / (restart ? "restarted" : "steady"), exchange, clock);
    std::vector<Delivery> out;
    const auto step = [&](const Inbound& in) {
      out.clear();
      x.driver().apply(TimestampNs(ts), in, out);
      ASSERT_TRUE(x.driver().commit().ok());
    };
    for (const Inbound& in :
         seed_requests([&](std::string v, std::string b) { return op(x, v, b); }))
      step(in);
    step(op(x, "auction.open",
            "{\"seller\":1005,\"symbol\":\"GDEA2017\",\"quantity_t\":1000,"
            "\"reserve_fen\":1400,\"start_ts\":" +
                std::to_string(ts) + ",\"end_ts\":" + std::to_string(ts + 1'000'000'000) +
                ",\"min_bid_t\":100}"));
    FixRequest sell;
    sell.cl_ord_id = "s1";
    sell.account = "1003";
    sell.symbol = "GDEA2017";
    sell.side = FixSide::kSell;
    sell.price_fen = 1420;
    sell.quantity_t = 10;
    sell.msg_seq_num = 1;
    step(x.fix_inbound(x.session(1), sell));
    FixRequest buy = sell;
    buy.cl_ord_id = "b1";
    buy.account = "1001";
    buy.side = FixSide::kBuy;
    step(x.fix_inbound(x.session(0), buy));
    ASSERT_EQ(out.size(), 3u);  // the buy's ack and both fills
    EXPECT_EQ(out.back().reply.exec_id, std::to_string(x.driver().applied_seq().value()) + "-3");
    if (restart) x.restart();
    FixRequest bid;
    bid.cl_ord_id = "bid1";
    bid.account = "1001";
    bid.symbol = "GDEA2017";
    bid.auction_id = "1";
    bid.price_fen = 1450;
    bid.quantity_t = 100;
    bid.msg_seq_num = 2;
    step(x.fix_inbound(x.session(0), bid));
    ASSERT_EQ(out.size(), 1u);
    EXPECT_EQ(out[0].reply.exec_type, exec_type::kNew) << out[0].reply.text;
    EXPECT_EQ(out[0].reply.exec_id, std::to_string(x.driver().applied_seq().value()) + "-1")
        << (restart ? "after a restart" : "without a restart");
  }
}

}  // namespace
}  // namespace carbonx::gateway
