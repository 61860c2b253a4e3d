// Repo (回购): filing, confirmation, first leg and lock, repurchase at maturity or early with the
// fee waiver, default. Rules: offbook.hpp.

#include <algorithm>

#include "offbook_ops.hpp"

namespace carbonx {
namespace {

RepoRecord* find_repo(OffBookStateRecord& s, OffBookId id) {
  auto it = std::lower_bound(s.repos.begin(), s.repos.end(), id,
                             [](const RepoRecord& r, OffBookId x) { return r.id < x; });
  return it != s.repos.end() && it->id == id ? &*it : nullptr;
}

void erase_repo(OffBookStateRecord& s, OffBookId id) {
  std::erase_if(s.repos, [&](const RepoRecord& r) { return r.id == id; });
}

RepoEvent repo_event(const RepoRecord& r, RepoStatus status, AccountId actor, MemberId member,
                     const ClientOrderId& clid) {
  RepoEvent e;
  e.repo_id = r.id;
  e.status = status;
  e.instrument = r.instrument;
  e.repo_party = r.repo_party;
  e.reverse_party = r.reverse_party;
  e.actor = actor;
  e.actor_member = member;
  e.quantity_t = r.quantity_t;
  e.start_price_fen = r.start_price_fen;
  e.repurchase_price_fen = r.repurchase_price_fen;
  e.filed_date = r.filed_date;
  e.end_date = r.end_date;
  e.client_order_id = clid;
  return e;
}

// The account and asset the filer's proposal hold is on.
AssetId proposal_asset(const RepoRecord& r) {
  return r.filer == r.repo_party ? asset_of(r.instrument) : kCashAsset;
}

}  // namespace

std::optional<LedgerError> OffBookOps::first_leg(Core& core, RepoRecord& r, PairResult& out) {
  CX_ASSERT(r.status == RepoStatus::kProposed);
  PairTrade t;
  t.instrument = r.instrument;
  t.seller = r.repo_party;
  t.buyer = r.reverse_party;
  t.price_fen = r.start_price_fen;
  t.quantity_t = r.quantity_t;
  t.mode = TradingMode::kRepoFirstLeg;
  t.kind = TransferKind::kRepoFirstLeg;
  t.filed_date = r.filed_date;
  if (r.hold_amount > 0) {
    (r.filer == r.repo_party ? t.seller_hold : t.buyer_hold) = agreement_hold(r.id);
  }
  t.reference = r.id.value();
  if (auto err = settle_pair(core, t, out)) return err;
  if (r.hold_amount > 0) {
    if (const std::int64_t left = core.ledger_.held(agreement_hold(r.id)); left > 0) {
      CX_ASSERT(core.ledger_.release(agreement_hold(r.id), left).ok());
    }
  }
  // The units just arrived in the reverse party's account: lock them until the repurchase.
  CX_ASSERT(
      core.ledger_
          .hold(repo_lock_hold(r.id), r.reverse_party, asset_of(r.instrument), r.quantity_t.value())
          .ok());
  r.status = RepoStatus::kOpen;
  r.hold_amount = r.quantity_t.value();
  return std::nullopt;
}

std::optional<LedgerError> OffBookOps::second_leg(Core& core, const RepoRecord& r,
                                                  PairResult& out) {
  CX_ASSERT(r.status == RepoStatus::kOpen);
  CX_ASSERT(core.ledger_.held(repo_lock_hold(r.id)) == r.quantity_t.value());
  PairTrade t;
  t.instrument = r.instrument;
  t.seller = r.reverse_party;
  t.buyer = r.repo_party;
  t.price_fen = r.repurchase_price_fen;
  t.quantity_t = r.quantity_t;
  t.mode = TradingMode::kRepoRepurchase;
  t.kind = TransferKind::kRepoRepurchase;
  t.filed_date = r.filed_date;
  t.seller_hold = repo_lock_hold(r.id);
  t.reference = r.id.value();
  return settle_pair(core, t, out);
}

std::optional<RejectReason> OffBookOps::check_filing(const Core::Instrument& ins, const RepoFile& c,
                                                     Date today) {
  const InstrumentConfig& cfg = ins.config;
  if (c.repo_party == c.reverse_party) return RejectReason::kSameAccount;
  if (!c.both_confirmed && c.filer != c.repo_party && c.filer != c.reverse_party) {
    return RejectReason::kNotParty;
  }
  if (auto r =
          check_terms(ins, c.start_price_fen, c.quantity_t, cfg.repo_band_bp, cfg.repo_min_t)) {
    return r;
  }
  if (auto r = check_terms(ins, c.repurchase_price_fen, c.quantity_t, cfg.repo_band_bp,
                           cfg.repo_min_t)) {
    return r;
  }
  if (!is_valid_date(c.end_date) || c.end_date <= today) return RejectReason::kBadDate;
  if (c.surrender_deadline.yyyymmdd != 0) {
    if (!is_valid_date(c.surrender_deadline)) return RejectReason::kBadDate;
    if (c.end_date >= c.surrender_deadline) return RejectReason::kAfterSurrenderDeadline;
  }
  return std::nullopt;
}

void OffBookOps::repo_file(Core& core, const RepoFile& c) {
  const auto rej = [&](RejectReason r) {
    reject(core, CommandType::kRepoFile, r, c.filer, c.member, c.instrument, OffBookId(0),
           c.client_order_id);
  };
  const Core::Instrument* ins = core.find(c.instrument);
  if (ins == nullptr) return rej(RejectReason::kUnknownInstrument);
  if (auto r = check_filing(*ins, c, core.trade_date_)) return rej(*r);
  if (core.offbook_.repos.size() >= core.config_.limits.max_repos) {
    return rej(RejectReason::kTooManyOpen);
  }
  RepoRecord r;
  r.id = OffBookId(core.offbook_.next_id);
  r.status = RepoStatus::kProposed;
  r.instrument = c.instrument;
  r.filer = c.filer;
  r.filer_member = c.member;
  r.repo_party = c.repo_party;
  r.reverse_party = c.reverse_party;
  r.quantity_t = c.quantity_t;
  r.start_price_fen = c.start_price_fen;
  r.repurchase_price_fen = c.repurchase_price_fen;
  r.filed_date = core.trade_date_;
  r.end_date = c.end_date;
  r.surrender_deadline = c.surrender_deadline;
  r.client_order_id = c.client_order_id;
  RepoEvent e;
  if (c.both_confirmed) {
    PairResult res;
    if (auto err = first_leg(core, r, res)) return rej(from_ledger(*err));
    e = repo_event(r, RepoStatus::kOpen, c.filer, c.member, c.client_order_id);
    e.trade_id = res.trade;
    e.repo_party_fee = res.seller_fee;
    e.reverse_party_fee = res.buyer_fee;
  } else {
    const std::int64_t need =
        c.filer == c.repo_party
            ? c.quantity_t.value()
            : buyer_hold_need(*ins, TradingMode::kRepoFirstLeg, c.start_price_fen, c.quantity_t);
    if (auto st = core.ledger_.hold(agreement_hold(r.id), c.filer, proposal_asset(r), need); !st) {
      return rej(from_ledger(st.error()));
    }
    r.hold_amount = need;
    e = repo_event(r, RepoStatus::kProposed, c.filer, c.member, c.client_order_id);
  }
  const OffBookId assigned = next_id(core);
  CX_ASSERT(assigned == r.id);
  core.offbook_.repos.push_back(r);
  core.emit(e);
}

void OffBookOps::repo_confirm(Core& core, const RepoConfirm& c) {
  RepoRecord* r = find_repo(core.offbook_, c.repo_id);
  const auto rej = [&](RejectReason why) {
    reject(core, CommandType::kRepoConfirm, why, c.account, c.member,
           r == nullptr ? InstrumentId(0) : r->instrument, c.repo_id, c.client_order_id);
  };
  if (r == nullptr) return rej(RejectReason::kUnknownOffBook);
  if (r->status != RepoStatus::kProposed) return rej(RejectReason::kWrongState);
  const AccountId other = r->filer == r->repo_party ? r->reverse_party : r->repo_party;
  if (c.account != other) return rej(RejectReason::kNotParty);
  RepoRecord next = *r;
  PairResult res;
  if (auto err = first_leg(core, next, res)) return rej(from_ledger(*err));
  *r = next;
  RepoEvent e = repo_event(*r, RepoStatus::kOpen, c.account, c.member, c.client_order_id);
  e.trade_id = res.trade;
  e.repo_party_fee = res.seller_fee;
  e.reverse_party_fee = res.buyer_fee;
  core.emit(e);
}

void OffBookOps::repo_decline(Core& core, const RepoDecline& c) {
  RepoRecord* r = find_repo(core.offbook_, c.repo_id);
  const auto rej = [&](RejectReason why) {
    reject(core, CommandType::kRepoDecline, why, c.account, c.member,
           r == nullptr ? InstrumentId(0) : r->instrument, c.repo_id, c.client_order_id);
  };
  if (r == nullptr) return rej(RejectReason::kUnknownOffBook);
  if (r->status != RepoStatus::kProposed) return rej(RejectReason::kWrongState);
  if (c.account != r->repo_party && c.account != r->reverse_party) {
    return rej(RejectReason::kNotParty);
  }
  CX_ASSERT(core.ledger_.release(agreement_hold(r->id), r->hold_amount).ok());
  const RepoEvent e = repo_event(*r, RepoStatus::kDeclined, c.account, c.member, c.client_order_id);
  erase_repo(core.offbook_, c.repo_id);
  core.emit(e);
}

void OffBookOps::repo_early(Core& core, const RepoEarlyRepurchase& c) {
  RepoRecord* r = find_repo(core.offbook_, c.repo_id);
  const auto rej = [&](RejectReason why) {
    reject(core, CommandType::kRepoEarlyRepurchase, why, c.account, c.member,
           r == nullptr ? InstrumentId(0) : r->instrument, c.repo_id, c.client_order_id);
  };
  if (r == nullptr) return rej(RejectReason::kUnknownOffBook);
  if (r->status != RepoStatus::kOpen) return rej(RejectReason::kWrongState);
  bool repo_ok = r->repo_consent;
  bool reverse_ok = r->reverse_consent;
  if (c.both_consented) {
    repo_ok = reverse_ok = true;
  } else if (c.account == r->repo_party) {
    repo_ok = true;
  } else if (c.account == r->reverse_party) {
    reverse_ok = true;
  } else {
    return rej(RejectReason::kNotParty);
  }
  if (!(repo_ok && reverse_ok)) {
    r->repo_consent = repo_ok;
    r->reverse_consent = reverse_ok;
    return core.emit(
        repo_event(*r, RepoStatus::kEarlyConsent, c.account, c.member, c.client_order_id));
  }
  PairResult res;
  // A voluntary early repurchase the repo party cannot pay is refused, not a default.
  if (auto err = second_leg(core, *r, res)) return rej(from_ledger(*err));
  RepoEvent e = repo_event(*r, RepoStatus::kRepurchased, c.account, c.member, c.client_order_id);
  e.trade_id = res.trade;
  e.repo_party_fee = res.buyer_fee;
  e.reverse_party_fee = res.seller_fee;
  e.early = true;
  e.units_released = true;
  erase_repo(core.offbook_, c.repo_id);
  core.emit(e);
}

void OffBookOps::mature_repos(Core& core) {
  std::vector<OffBookId> due;
  for (const RepoRecord& r : core.offbook_.repos) {
    if (r.status == RepoStatus::kOpen && r.end_date <= core.trade_date_) due.push_back(r.id);
  }
  for (OffBookId id : due) {
    RepoRecord* r = find_repo(core.offbook_, id);
    CX_ASSERT(r != nullptr);
    PairResult res;
    if (auto err = second_leg(core, *r, res); !err) {
      RepoEvent e = repo_event(*r, RepoStatus::kRepurchased, AccountId(0), MemberId(0), {});
      e.trade_id = res.trade;
      e.repo_party_fee = res.buyer_fee;
      e.reverse_party_fee = res.seller_fee;
      e.units_released = true;
      erase_repo(core.offbook_, id);
      core.emit(e);
      continue;
    }
    // Default: nothing settled. Release the lock to the reverse party, or keep it for an operator.
    r->status = RepoStatus::kDefaulted;
    const bool release = core.config_.repo_default_releases_units;
    if (release) {
      CX_ASSERT(core.ledger_.release(repo_lock_hold(id), r->hold_amount).ok());
      r->hold_amount = 0;
    }
    RepoEvent e = repo_event(*r, RepoStatus::kDefaulted, AccountId(0), MemberId(0), {});
    e.units_released = release;
    core.emit(e);
  }
}

void OffBookOps::repo_resolve(Core& core, const RepoResolveDefault& c) {
  RepoRecord* r = find_repo(core.offbook_, c.repo_id);
  const auto rej = [&](RejectReason why) {
    reject(core, CommandType::kRepoResolveDefault, why, AccountId(0), MemberId(0),
           r == nullptr ? InstrumentId(0) : r->instrument, c.repo_id, ClientOrderId{});
  };
  if (r == nullptr) return rej(RejectReason::kUnknownOffBook);
  if (r->status != RepoStatus::kDefaulted) return rej(RejectReason::kWrongState);
  if (r->hold_amount > 0) {
    CX_ASSERT(core.ledger_.release(repo_lock_hold(r->id), r->hold_amount).ok());
  }
  RepoEvent e = repo_event(*r, RepoStatus::kResolved, AccountId(0), MemberId(0), {});
  e.units_released = true;
  erase_repo(core.offbook_, c.repo_id);
  core.emit(e);
}

void OffBookOps::expire_repo_proposals(Core& core) {
  std::vector<RepoRecord>& repos = core.offbook_.repos;
  for (const RepoRecord& r : repos) {
    if (r.status != RepoStatus::kProposed) continue;
    CX_ASSERT(core.ledger_.release(agreement_hold(r.id), r.hold_amount).ok());
    core.emit(repo_event(r, RepoStatus::kExpired, AccountId(0), MemberId(0), {}));
  }
  std::erase_if(repos, [](const RepoRecord& r) { return r.status == RepoStatus::kProposed; });
}

}  // namespace carbonx
