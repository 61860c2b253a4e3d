// Randomized off-book test, fixed seeds: listed orders mixed with every off-book command (reports,
// answers, auctions with bids/revisions/withdrawals/closes, repo filings, confirmations, early
// repurchases, maturities, defaults, resolutions; valid and invalid), over days with end of day.
// A second core over its own ledger replays every command through encode()/decode() in lockstep:
// equal events after every command and equal state_hash() at the end. Ledger invariants (every
// asset conserved; frozen == open order holds + off-book holds, hold by hold) every 500 commands,
// and a restart (save, encode, decode, restore into a new core over the same ledger) mid-run.

#include <random>

#include "offbook_fixture.hpp"

namespace carbonx::offbook_testing {
namespace {

constexpr std::int64_t kSecond = 1'000'000'000;
const AccountId kActors[] = {kGov, kAlice, kBob, kCarol, kDave};

class Generator {
 public:
  explicit Generator(std::uint64_t seed) : rng_(seed) {}
  std::uint64_t pick(std::uint64_t n) { return rng_() % n; }
  AccountId actor() { return kActors[pick(5)]; }
  InstrumentId instrument() { return pick(2) == 0 ? kGdea : kPhcer; }
  PriceFen price(const Core& core, InstrumentId ins, std::int64_t spread_pct) {
    const std::int64_t ref = core.reference_price(ins).value();
    const std::int64_t off = static_cast<std::int64_t>(pick(2 * spread_pct + 1)) - spread_pct;
    return PriceFen(std::max<std::int64_t>(1, ref + ref * off / 100));
  }
  template <typename Records>
  OffBookId id_of(const Records& v) {
    if (v.empty() || pick(20) == 0) return OffBookId(1 + pick(1'000));
    return v[pick(v.size())].id;
  }

  CommandBody next(const Core& core, TimestampNs now, Date today) {
    const std::uint64_t op = pick(100);
    const OffBookStateRecord& s = core.offbook();
    const AccountId a = actor();
    const InstrumentId ins = instrument();
    if (op < 20) {
      return NewOrder{a,
                      kMember1,
                      ins,
                      pick(2) == 0 ? Side::kBuy : Side::kSell,
                      OrderType::kLimit,
                      TimeInForce::kDay,
                      price(core, ins, 5),
                      QuantityT(1 + static_cast<std::int64_t>(pick(500))),
                      {}};
    }
    if (op < 32) {
      return AgreementReport{a,
                             kMember1,
                             ins,
                             pick(2) == 0 ? Side::kBuy : Side::kSell,
                             actor(),
                             price(core, ins, 35),
                             QuantityT(10'000 * (1 + static_cast<std::int64_t>(pick(6)))),
                             {}};
    }
    if (op < 40) {
      const OffBookId id = id_of(s.agreements);
      AccountId who = a;
      for (const AgreementRecord& r : s.agreements) {
        if (r.id == id && pick(4) != 0) who = pick(3) == 0 ? r.reporter : r.counterparty;
      }
      if (pick(3) == 0) return AgreementDecline{who, kMember2, id, {}};
      return AgreementAccept{who, kMember2, id, {}};
    }
    if (op < 44) {
      return AuctionOpen{
          pick(2) == 0 ? kGov : a,
          ins,
          QuantityT(1'000 * (5 + static_cast<std::int64_t>(pick(60)))),
          price(core, ins, 10),
          TimestampNs(now.value() - static_cast<std::int64_t>(pick(2)) * kSecond),
          TimestampNs(now.value() + (20 + static_cast<std::int64_t>(pick(200))) * kSecond),
          QuantityT(1'000),
          static_cast<std::uint32_t>(2'000 + pick(8'001)),
          pick(2) == 0 ? AuctionPricing::kPayAsBid : AuctionPricing::kUniform,
          static_cast<std::uint32_t>(pick(3) * 2'500)};
    }
    if (op < 64) return auction_step(core, a, op);
    if (op < 72) {
      const AccountId repo = actor();
      const AccountId reverse = pick(10) == 0 ? repo : actor();
      const bool both = pick(2) == 0;
      return RepoFile{both ? AccountId(0) : (pick(2) == 0 ? repo : reverse),
                      kMember1,
                      repo,
                      reverse,
                      ins,
                      QuantityT(pick(8) == 0 ? 99'999 : 100'000),
                      price(core, ins, 20),
                      price(core, ins, 20),
                      Date{today.yyyymmdd + static_cast<std::int32_t>(pick(4))},
                      pick(4) == 0 ? Date{today.yyyymmdd + 3} : Date{},
                      both,
                      {}};
    }
    return repo_step(core, a, op);
  }

 private:
  CommandBody auction_step(const Core& core, AccountId a, std::uint64_t op) {
    const OffBookStateRecord& s = core.offbook();
    const OffBookId auction = id_of(s.auctions);
    const AuctionRecord* rec = nullptr;
    for (const AuctionRecord& r : s.auctions) {
      if (r.id == auction) rec = &r;
    }
    const InstrumentId ins = rec != nullptr ? rec->terms.instrument : kGdea;
    const PriceFen p = price(core, ins, 12);
    const QuantityT q(1'000 * (1 + static_cast<std::int64_t>(pick(25))));
    if (op < 52) return AuctionBid{a, kMember1, auction, p, q, {}};
    if (op < 60 && rec != nullptr && !rec->bids.empty()) {
      const BidRecord& b = rec->bids[pick(rec->bids.size())];
      const AccountId who = pick(10) == 0 ? a : b.account;
      if (op < 57) return AuctionReviseBid{who, kMember1, auction, b.id, p, q, {}};
      return AuctionWithdrawBid{who, kMember1, auction, b.id, {}};
    }
    return AuctionClose{auction};
  }

  CommandBody repo_step(const Core& core, AccountId a, std::uint64_t op) {
    const OffBookStateRecord& s = core.offbook();
    const OffBookId id = id_of(s.repos);
    AccountId other = a;
    for (const RepoRecord& r : s.repos) {
      if (r.id == id && pick(5) != 0) {
        other = r.filer == r.repo_party ? r.reverse_party : r.repo_party;
        if (pick(3) == 0) other = r.repo_party;
      }
    }
    if (op < 80) return RepoConfirm{other, kMember1, id, {}};
    if (op < 84) return RepoDecline{other, kMember1, id, {}};
    if (op < 92) return RepoEarlyRepurchase{other, kMember1, id, pick(4) == 0, {}};
    if (op < 96) return RepoMature{};
    return RepoResolveDefault{id};
  }

  std::mt19937_64 rng_;
};

struct Replica {
  InMemoryLedger ledger;
  std::unique_ptr<Core> core;
};

void run(std::uint64_t seed, int commands) {
  const ExchangeConfig cfg = offbook_config();
  Replica a, b;
  fund(a.ledger);
  fund(b.ledger);
  a.core = std::make_unique<Core>(cfg, a.ledger);
  b.core = std::make_unique<Core>(cfg, b.ledger);
  Generator gen(seed);
  std::uint64_t seq = 0;
  std::int32_t day = 20170501;  // the waiver starts inside the run (2017-05-10)
  std::int64_t second = 0;
  std::map<std::size_t, std::uint64_t> seen;        // event variant index -> count
  std::map<std::string_view, std::uint64_t> steps;  // off-book status -> count
  const auto apply = [&](CommandBody body, TimestampNs ts) {
    const Command c{Seq(++seq), ts, std::move(body)};
    a.core->clear_events();
    b.core->clear_events();
    a.core->apply(c);
    b.core->apply(decode(encode(c)).value());
    ASSERT_EQ(a.core->events().size(), b.core->events().size());
    for (std::size_t i = 0; i < a.core->events().size(); ++i) {
      ASSERT_EQ(a.core->events()[i], b.core->events()[i]);
      const EventBody& e = a.core->events()[i].body;
      ++seen[e.index()];
      if (const auto* x = std::get_if<AgreementEvent>(&e)) ++steps[to_string(x->status)];
      if (const auto* x = std::get_if<AuctionEvent>(&e)) ++steps[to_string(x->status)];
      if (const auto* x = std::get_if<AuctionBidEvent>(&e)) ++steps[to_string(x->status)];
      if (const auto* x = std::get_if<RepoEvent>(&e)) ++steps[to_string(x->status)];
      if (const auto* x = std::get_if<RepoEvent>(&e); x && x->repo_party_fee.waiver_rule_id) {
        ++steps["waived"];
      }
    }
  };
  apply(SetPhase{true, InstrumentId(0), Phase::kContinuous}, at(day));
  for (int i = 0; i < commands; ++i) {
    const TimestampNs now = at(day, ++second * kSecond);
    if (i % 300 == 299) {
      apply(EndOfDay{}, now);
      day = day % 100 >= 28 ? (day / 100 + 1) * 100 + 1 : day + 1;  // stays a valid date
      if (day % 10000 > 1231) day = (day / 10000 + 1) * 10000 + 101;
      second = 0;
      apply(SetPhase{true, InstrumentId(0), Phase::kContinuous}, at(day));
    } else {
      apply(gen.next(*a.core, now, Date{day}), now);
    }
    if (::testing::Test::HasFatalFailure()) {
      ADD_FAILURE() << "seed " << seed << " command " << i;
      return;
    }
    if (i % 500 == 0) check_ledger_invariants(*a.core, a.ledger);
    if (i == commands / 2) {  // a restart of core a over its own ledger
      const CoreStateRecord st = a.core->save_state();
      auto ob = decode_offbook_state(encode_offbook_state(a.core->save_offbook_state()));
      ASSERT_TRUE(ob.ok());
      std::vector<OpenOrderRecord> orders;
      a.core->for_each_open_order([&](const OpenOrderRecord& r) { orders.push_back(r); });
      const std::uint64_t h = a.core->state_hash();
      a.core = std::make_unique<Core>(cfg, a.ledger);
      ASSERT_TRUE(a.core->restore_state(st).ok());
      ASSERT_TRUE(a.core->restore_open_orders(orders).ok());
      ASSERT_TRUE(a.core->restore_offbook_state(ob.value()).ok());
      ASSERT_EQ(a.core->state_hash(), h);
    }
  }
  check_ledger_invariants(*a.core, a.ledger);
  EXPECT_EQ(a.core->state_hash(), b.core->state_hash());
  // Every off-book event kind occurred.
  for (std::size_t k : {9u, 10u, 11u, 12u})
    EXPECT_GT(seen[k], 0u) << "event kind " << k;
  // Every lifecycle step happened (status names of offbook_types.hpp; "revised" is shared by
  // bids only, "declined"/"expired" by agreements and repos).
  for (std::string_view k :
       {"reported", "accepted", "declined", "withdrawn", "expired", "opened", "cleared",
        "cancelled", "revised", "filled", "unfilled", "proposed", "open", "repurchased",
        "defaulted", "early repurchase consent", "resolved", "waived"}) {
    EXPECT_GT(steps[k], 0u) << k;
  }
  std::printf("seed %llu: agreements %llu, auctions %llu, bids %llu, repos %llu events\n",
              static_cast<unsigned long long>(seed), static_cast<unsigned long long>(seen[9]),
              static_cast<unsigned long long>(seen[10]), static_cast<unsigned long long>(seen[11]),
              static_cast<unsigned long long>(seen[12]));
}

TEST(OffBookRandom, LockstepReplayAndInvariants) {
  for (std::uint64_t seed : {21, 22, 23})
    run(seed, 40'000);
}

}  // namespace
}  // namespace carbonx::offbook_testing
