#pragma once
// A deterministic random workload for the registry's randomized, durable and crash tests (and
// benchmarks): commands made of ledger operations (holds, releases, linked posting groups), each
// encoded as the command's journal payload so a replay can apply exactly the same operations.

#include <algorithm>
#include <cstdint>
#include <cstring>
#include <random>
#include <span>
#include <vector>

#include "carbonx/registry/ledger.hpp"

namespace carbonx::registry::testing {

// One operation as stored in a payload (fixed width, little-endian).
struct WireOp {
  std::uint8_t type = 0;  // 1 hold, 2 release, 3 posting, 4 resize a hold
  std::uint8_t kind = 0;  // TransferKind for postings
  std::uint8_t last_in_group = 0;
  std::uint8_t pad = 0;
  std::uint32_t debit = 0;  // the account for holds
  std::uint32_t credit = 0;
  std::uint32_t asset = 0;
  std::uint64_t id = 0;  // transfer id or hold id
  std::uint64_t from_hold = 0;
  std::int64_t amount = 0;
  std::uint64_t reference = 0;
};
static_assert(sizeof(WireOp) == 48);

struct ApplyCounts {
  std::uint64_t ok = 0;
  std::uint64_t rejected = 0;
  std::uint64_t postings = 0;
};

// Applies a payload's operations to `ledger`. Outcomes are deterministic, so applying the same
// payloads in the same order to equal ledgers gives equal ledgers.
// `outcomes` (optional) receives 0 per successful operation, else the LedgerError's value.
inline ApplyCounts apply_payload(carbonx::Ledger& ledger, std::span<const std::uint8_t> payload,
                                 std::vector<int>* outcomes = nullptr) {
  CX_ASSERT(payload.size() % sizeof(WireOp) == 0);
  ApplyCounts counts;
  std::vector<Posting> group;
  for (std::size_t at = 0; at < payload.size(); at += sizeof(WireOp)) {
    WireOp op;
    std::memcpy(&op, payload.data() + at, sizeof op);
    Status<LedgerError> st;
    if (op.type == 1) {
      st = ledger.hold(HoldId(op.id), AccountId(op.debit), AssetId(op.asset), op.amount);
    } else if (op.type == 2) {
      st = ledger.release(HoldId(op.id), op.amount);
    } else if (op.type == 4) {
      st = ledger.resize_hold(HoldId(op.id), op.amount);
    } else {
      CX_ASSERT(op.type == 3);
      group.push_back(Posting{TransferId(op.id), AccountId(op.debit), AccountId(op.credit),
                              AssetId(op.asset), op.amount, HoldId(op.from_hold),
                              static_cast<TransferKind>(op.kind), op.reference});
      if (!op.last_in_group) continue;
      counts.postings += group.size();
      st = ledger.post(group);
      group.clear();
    }
    if (st.ok()) {
      ++counts.ok;
    } else {
      ++counts.rejected;
    }
    if (outcomes != nullptr) outcomes->push_back(st.ok() ? 0 : static_cast<int>(st.error()));
  }
  CX_ASSERT(group.empty());
  return counts;
}

// Generates commands against a ledger whose accounts were opened by open_standard_accounts()
// with `firms` firms. Each command is applied at once and its payload returned.
class Workload {
 public:
  Workload(std::uint64_t seed, int firms, int assets)
      : rng_(seed), firms_(firms), assets_(assets) {}

  // Where deposited cash comes from (default: the cash settlement account, id 2).
  void set_cash_source(std::uint32_t account) { cash_source_ = account; }

  // Continues after the ids a (reloaded) ledger has already seen.
  void resume_after(const Ledger& ledger) {
    const LedgerCounters& c = ledger.counters();
    next_transfer_ = std::max(next_transfer_, c.max_client_transfer + 1);
    const std::uint64_t low = (std::uint64_t{1} << 56) - 1;
    for (HoldKind k : {HoldKind::kOrder, HoldKind::kRepoLock}) {
      const std::uint64_t m = c.max_hold[static_cast<std::size_t>(k)];
      if (m != 0) next_hold_ = std::max(next_hold_, (m & low) + 1);
    }
  }

  // Builds one command of `ops` operations, applies it to `ledger`, appends its payload.
  ApplyCounts next_command(Ledger& ledger, int ops, std::vector<std::uint8_t>& payload) {
    const std::size_t start = payload.size();
    generate_command(ledger, ops, payload);
    return apply_payload(ledger, std::span(payload).subspan(start));
  }
  // Only generates (reading `ledger`'s current state); the caller applies.
  void generate_command(const Ledger& ledger, int ops, std::vector<std::uint8_t>& payload) {
    for (int i = 0; i < ops; ++i)
      generate(ledger, payload);
  }

 private:
  std::uint32_t firm() { return 100 + static_cast<std::uint32_t>(pick(firms_)); }
  std::uint32_t asset() { return 1 + static_cast<std::uint32_t>(pick(assets_)); }
  std::uint64_t pick(std::uint64_t n) { return rng_() % n; }
  void emit(std::vector<std::uint8_t>& out, const WireOp& op) {
    const auto* p = reinterpret_cast<const std::uint8_t*>(&op);
    out.insert(out.end(), p, p + sizeof op);
  }
  WireOp posting(std::uint32_t debit, std::uint32_t credit, std::uint32_t asset, std::int64_t amt,
                 TransferKind kind) {
    WireOp op;
    op.type = 3;
    op.kind = static_cast<std::uint8_t>(kind);
    op.last_in_group = 1;
    op.debit = debit;
    op.credit = credit;
    op.asset = asset;
    op.id = next_transfer_++;
    op.amount = amt;
    op.reference = op.id;
    return op;
  }

  void generate(const Ledger& ledger, std::vector<std::uint8_t>& out) {
    const std::uint64_t r = pick(100);
    if (r < 10) {  // issuance from the government account
      emit(out, posting(1, firm(), asset(), 1 + static_cast<std::int64_t>(pick(1000)),
                        TransferKind::kIssuance));
    } else if (r < 18) {  // cash deposit
      emit(out, posting(cash_source_, firm(), 0, 1 + static_cast<std::int64_t>(pick(1'000'000)),
                        TransferKind::kDeposit));
    } else if (r < 40) {  // a sell or buy order's hold, sometimes more than available
      WireOp op;
      op.type = 1;
      op.debit = firm();
      op.asset = pick(2) == 0 ? 0 : asset();
      op.id = make_hold_id(pick(10) == 0 ? HoldKind::kRepoLock : HoldKind::kOrder, next_hold_++)
                  .value();
      op.amount = 1 + static_cast<std::int64_t>(pick(op.asset == 0 ? 200'000 : 300));
      holds_.push_back(op.id);
      emit(out, op);
    } else if (r < 50 && !holds_.empty()) {  // release part or all of an open hold, or resize it
      const std::size_t i = pick(holds_.size());
      const std::int64_t left = ledger.held(HoldId(holds_[i]));
      if (left == 0) {
        holds_[i] = holds_.back();
        holds_.pop_back();
        return;
      }
      WireOp op;
      op.id = holds_[i];
      if (r < 46) {  // resize in place: shrink, keep or grow (sometimes beyond available)
        op.type = 4;
        op.amount = 1 + static_cast<std::int64_t>(pick(static_cast<std::uint64_t>(3 * left)));
      } else {
        op.type = 2;
        op.amount = pick(2) == 0 ? left : 1 + static_cast<std::int64_t>(pick(left));
      }
      emit(out, op);
    } else if (r < 85 && !holds_.empty()) {  // a fill: units from a hold + cash + fees, linked
      trade(ledger, out);
    } else if (r < 95) {  // a plain transfer, sometimes failing
      emit(out, posting(firm(), firm(), asset(), 1 + static_cast<std::int64_t>(pick(100)),
                        TransferKind::kAgreement));
    } else if (next_transfer_ > 2) {  // replay an old id: same transfer or a different one
      WireOp op = posting(firm(), firm(), asset(), 1, TransferKind::kTrade);
      op.id = 1 + pick(next_transfer_ - 1);
      emit(out, op);
    }
  }

  void trade(const Ledger& ledger, std::vector<std::uint8_t>& out) {
    const std::uint64_t hold = holds_[pick(holds_.size())];
    const auto rec = ledger.hold_record(HoldId(hold));
    if (!rec) return;
    std::uint32_t buyer = firm();
    if (buyer == rec->account) buyer = buyer == 100 ? 101 : 100;
    const std::int64_t q = 1 + static_cast<std::int64_t>(pick(rec->remaining));
    WireOp units = posting(rec->account, buyer, rec->asset, q, TransferKind::kTrade);
    units.from_hold = hold;
    units.last_in_group = 0;
    const std::uint32_t cash_asset = rec->asset == 0 ? asset() : 0;
    WireOp cash = posting(buyer, rec->account, cash_asset, q * (rec->asset == 0 ? 1 : 3000),
                          TransferKind::kTrade);
    cash.last_in_group = 0;
    WireOp fee = posting(rec->account, 3, 0, 1 + q / 100, TransferKind::kFee);
    emit(out, units);
    emit(out, cash);
    emit(out, fee);
  }

  std::mt19937_64 rng_;
  int firms_;
  int assets_;
  std::uint32_t cash_source_ = 2;
  std::uint64_t next_transfer_ = 1;
  std::uint64_t next_hold_ = 1;
  std::vector<std::uint64_t> holds_;
};

}  // namespace carbonx::registry::testing
