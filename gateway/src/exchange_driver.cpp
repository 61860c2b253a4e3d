// ExchangeDriver: recovery, the command path, the group commit, calendar and session events.
#include "carbonx/gateway/exchange_driver.hpp"

#include <algorithm>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <nlohmann/json.hpp>

#include "carbonx/engine/core_records.hpp"
#include "carbonx/gateway/exchange_dir.hpp"
#include "carbonx/gateway/fix_engine.hpp"
#include "carbonx/registry/allocation/table.hpp"
#include "carbonx/registry/compliance/jurisdiction.hpp"
#include "carbonx/registry/journal.hpp"
#include "carbonx/verbs/verbs.hpp"

namespace carbonx::gateway {

namespace {

std::int64_t wall_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::system_clock::now().time_since_epoch())
      .count();
}

registry::Durability store_durability(DurabilityMode m) {
  switch (m) {
    case DurabilityMode::kFullSync:
      return registry::Durability::kFullSync;
    case DurabilityMode::kNoMetaSync:
      return registry::Durability::kNoMetaSync;
    case DurabilityMode::kNoSync:
      return registry::Durability::kNoSync;
  }
  return registry::Durability::kFullSync;
}

}  // namespace

ExchangeDriver::~ExchangeDriver() {
  if (!deferred_.empty()) {
    std::fprintf(stderr,
                 "carbonxd: %zu held calendar or session event(s) not applied: the store did not "
                 "take writes again before the stop (a restart runs the calendar from its "
                 "configuration; cancel-on-disconnect of those sessions did not happen)\n",
                 deferred_.size());
    std::fflush(stderr);
  }
}

std::unique_ptr<ExchangeDriver> ExchangeDriver::create(const ServerConfig& config,
                                                       const ExchangeConfig& exchange,
                                                       MemberDirectory& members,
                                                       const FixEngine& fix,
                                                       edge::PublishedAuthority& authority,
                                                       std::string* error, ExchangeClock* clock) {
  std::unique_ptr<ExchangeDriver> d(new ExchangeDriver);
  d->config_ = config;
  d->exchange_ = exchange;
  if (clock == nullptr) {
    d->own_clock_ = std::make_unique<ExchangeClock>();
    clock = d->own_clock_.get();
  }
  d->clock_ = clock;
  d->members_ = &members;
  d->fix_ = &fix;
  d->authority_ = &authority;
  // Only an exchange made by `carbonxd --init` is served; never a new store here.
  const auto dir = check_exchange_dir(config, error);
  if (!dir) return nullptr;
  registry::StoreOptions options;
  options.mode = registry::OpenMode::kOpenExisting;
  options.read_only = config.read_only;
  options.durability = store_durability(config.durability);
  if (config.store_max_mb != 0) {
    options.max_map_bytes = std::size_t{config.store_max_mb} << 20;
    options.initial_map_bytes = std::min(options.initial_map_bytes, options.max_map_bytes);
  }
  std::string detail;
  auto store = registry::Store::open(dir->store_dir, options, &detail);
  if (!store.ok()) {
    *error =
        "cannot open the store: " + std::string(registry::to_string(store.error())) + ": " + detail;
    return nullptr;
  }
  d->store_ = std::move(store).value();
  std::string note;
  if (!reconcile_identity(config, *dir, *d->store_, error, &note)) return nullptr;
  if (!note.empty()) {
    std::fprintf(stderr, "carbonxd: %s\n", note.c_str());
    std::fflush(stderr);
  }
  const std::size_t sessions = fix.session_count();
  d->member_of_session_.resize(sessions);
  for (SessionIndex s = 0; s < sessions; ++s) {
    const auto m = members.by_comp_id(fix.member_comp_id(s));
    CX_ASSERT(m.has_value());
    if (d->session_of_member_.size() <= m->id) d->session_of_member_.resize(m->id + 1, kNoSession);
    d->session_of_member_[m->id] = s;
    d->member_of_session_[s] = m->id;
  }
  d->out_ = std::make_unique<out::OutStage>(exchange, static_cast<SessionIndex>(sessions),
                                            d->session_of_member_);
  if (!d->load_state(error)) return nullptr;
  const std::string problems = d->start_check_problems();
  if (!problems.empty()) {
    if (!config.read_only) {
      *error = "the store failed its start checks, refusing to serve: " + problems +
               " (carbonxd --read-only serves queries only, for inspection; cxctl journal verify "
               "checks the whole journal)";
      return nullptr;
    }
    d->read_only_reason_ = problems;
  }
  if (!config.read_only && !config.replica) {
    d->bootstrap_accounts();
    if (!d->grant_listed_authority(error)) return nullptr;
  }
  return d;
}

// A replica that leads journals the bootstrap a single process journals in create(); its
// commits go to the replicated log like every other.
bool ExchangeDriver::start_as_primary(std::string* error) {
  CX_ASSERT(replication_ != nullptr && replication_->leading());
  bootstrap_accounts();
  return grant_listed_authority(error);
}

// Authority that lives only in the members file becomes journaled, once: the accounts of members
// seeded from the configuration or added by member.add since the last start, and, for a data
// directory from before authority was journaled, every member's "accounts" (members.json version
// 1). Pairs the registrar already holds are skipped, so a start interrupted between the commit
// and the file's rewrite grants nothing twice. Committed before the file is cleared.
bool ExchangeDriver::grant_listed_authority(std::string* error) {
  const TimestampNs ts(std::max(clock_->now_ns(), last_stamp_.value()));
  bool listed = false;
  std::size_t granted = 0;
  for (const Member& m : members_->all()) {
    for (const std::uint32_t account : m.grant_at_start) {
      listed = true;
      const MemberId member(m.id);
      if (account == 0 || registrar_->has_authority(member, AccountId(account))) continue;
      const auto refused = run_registry(ts, registry::GrantAuthority{member, AccountId(account)});
      CX_ASSERT(!refused.has_value());
      ++granted;
    }
  }
  if (!listed) return true;
  if (!commit().ok()) {
    *error = "cannot journal the members' authority from the members file: " + refusal();
    return false;
  }
  if (const auto st = members_->clear_grants_at_start(); !st.ok()) {
    *error = "authority journaled, but the members file cannot be rewritten: " +
             std::string(to_string(st.error()));
    return false;
  }
  if (granted > 0) {
    std::fprintf(stderr,
                 "carbonxd: %zu member authority grant(s) from the members file journaled "
                 "(seq %llu); authority is changed by cxctl authority grant|revoke from now on\n",
                 granted, static_cast<unsigned long long>(seq_.value()));
    std::fflush(stderr);
  }
  return true;
}

void ExchangeDriver::publish_authority(bool always) {
  if (!always && registrar_->authority_version() == published_authority_version_) return;
  const auto& pairs = registrar_->authority();
  const std::vector<std::pair<MemberId, AccountId>> sorted(pairs.begin(), pairs.end());
  authority_->publish(std::make_shared<const edge::AuthoritySnapshot>(sorted));
  published_authority_version_ = registrar_->authority_version();
}

// The ledger, the registrar, the core and the FIX bookkeeping, all from the store: at start, and
// after a failed commit (roll_back), when they are ahead of the disk.
bool ExchangeDriver::load_state(std::string* error) {
  applier_.reset();
  registrar_.reset();
  core_.reset();
  ledger_.reset();
  registry::Ledger::Options ledger_options;
  ledger_options.cash_settlement_account = AccountId(config_.cash_settlement_account);
  ledger_ = std::make_unique<registry::Ledger>(ledger_options);
  core_ = std::make_unique<Core>(exchange_, *ledger_);
  open_orders_.clear();
  open_by_clordid_.assign(member_of_session_.size(), {});
  used_clordids_ = UsedClOrdIds{};
  used_clordids_.set_sessions(member_of_session_);
  journal_records_.clear();
  journal_stamps_.clear();
  journal_.clear();
  state_changed_ = false;
  pending_ = Pending{};
  // A batch recorded for the out stage and not committed is never said (the sequencer applies
  // its items again). The out stage itself saw only committed batches: it stays as it is.
  batch_.clear();
  if (!recover(error)) return false;
  chain_hash_ = store_->last_hash();
  publish_authority(true);  // the committed authority (a new registrar: always)
  return true;
}

// The journal's tail (the last records chain up to applied_seq and the recorded last hash: a
// store edited or cut at its end) and the ledger's invariants (each asset sums to zero, holds
// match frozen amounts: a balance row edited on disk). Both cost what the state costs, never
// what the journal's length costs; `cxctl journal verify` checks the whole chain.
std::string ExchangeDriver::start_check_problems() {
  constexpr std::uint64_t kTailRecords = 1024;
  std::string out;
  const registry::JournalCheck tail = registry::verify_journal_tail(*store_, kTailRecords);
  if (!tail.ok) {
    out = "journal record " + std::to_string(tail.first_bad_seq ? tail.first_bad_seq->value() : 0) +
          ": " + tail.problem;
  }
  const auto problems = ledger_->verify();
  for (std::size_t i = 0; i < problems.size() && i < 8; ++i) {
    out += (out.empty() ? "ledger invariant violated: " : "; ledger invariant violated: ") +
           problems[i];
  }
  if (problems.size() > 8) out += "; and " + std::to_string(problems.size() - 8) + " more";
  return out;
}

bool ExchangeDriver::recover(std::string* error) {
  auto recovery = store_->load(*ledger_);
  if (!recovery.ok()) {
    *error = "cannot load the store: " + std::string(registry::to_string(recovery.error())) + ": " +
             store_->last_error_detail();
    return false;
  }
  seq_ = recovery.value().applied_seq;
  if (!build_registrar(core_->config(), error)) return false;
  if (const auto st = registrar_->restore(recovery.value().registry_state); !st.ok()) {
    *error = "registrar state in the store: " + st.error().detail;
    return false;
  }
  applier_ = std::make_unique<registry::JournalApplier>(*core_, *registrar_);
  if (!recovery.value().core_state.empty()) {
    auto state = decode_exchange_state(recovery.value().core_state);
    if (!state.ok()) {
      *error = "core state in the store: " + std::string(to_string(state.error()));
      return false;
    }
    // The blob is committed with the batch that produced it: a state stamped past the journal's
    // last record came from somewhere else (an edited or swapped store), and the next command
    // would stop the core on its sequence assertion. Refuse it here, naming both seqs.
    if (state.value().core.last_seq.value() > seq_.value()) {
      *error = "core state in the store is at seq " +
               std::to_string(state.value().core.last_seq.value()) +
               ", ahead of the journal's last applied seq " + std::to_string(seq_.value());
      return false;
    }
    const auto restored = core_->restore_state(state.value().core);
    if (!restored.ok()) {
      *error = "core state refused: " + std::string(to_string(restored.error()));
      return false;
    }
    const auto offbook = core_->restore_offbook_state(state.value().offbook);
    if (!offbook.ok()) {
      *error = "off-book state refused: " + std::string(to_string(offbook.error()));
      return false;
    }
  }
  std::vector<OpenOrderRecord> open_orders;  // by order id here; the core restores queue order
  std::vector<carbonx::out::RestoredOrder> for_out;  // the out stage's copy
  if (!read_open_orders(&open_orders, for_out, error)) return false;
  // The out stage's reports of these orders continue (before it runs on another thread).
  if (!replies_deferred_) out_->restore(for_out);
  if (const auto st = core_->restore_open_orders(std::move(open_orders)); !st.ok()) {
    *error = "open order " + std::to_string(st.error().order_id.value()) +
             " refused: " + std::string(to_string(st.error().error));
    return false;
  }
  return recover_used_clordids(recovery.value().used_ids_day, error);
}

bool ExchangeDriver::read_open_orders(std::vector<OpenOrderRecord>* core,
                                      std::vector<out::RestoredOrder>& for_out,
                                      std::string* error) {
  std::string problem;
  const auto each =
      store_->for_each_open_order([&](std::uint64_t, std::span<const std::uint8_t> bytes) {
        if (!problem.empty()) return;
        auto rec = decode_open_order(bytes);
        if (!rec.ok()) {
          problem = "open order record: " + std::string(to_string(rec.error()));
          return;
        }
        const OpenOrderRecord& r = rec.value().order;
        if (core != nullptr) core->push_back(r);
        // FIX bookkeeping of the order: which session, which ClOrdID and OrigClOrdID.
        const std::uint32_t member = r.member.value();
        OpenOrderKey key;
        key.session = member < session_of_member_.size() ? session_of_member_[member] : kNoSession;
        key.cl_ord_id = std::string(view(r.client_order_id));
        key.orig_cl_ord_id = std::string(view(rec.value().orig_client_order_id));
        for_out.push_back({r, rec.value().orig_client_order_id});
        if (key.session != kNoSession) {
          open_by_clordid_[key.session][key.cl_ord_id] = r.order_id.value();
        }
        open_orders_[r.order_id.value()] = std::move(key);
      });
  if (!each.ok() || !problem.empty()) {
    *error = problem.empty() ? "cannot read the open orders" : problem;
    return false;
  }
  return true;
}

// ClOrdID is unique per session and trading day, across restarts too. The day's used ids are
// committed with the batches that used them (UsedClOrdIds, registry::Batch::used_ids) and read
// back here, and the last journaled stamp is the last record's: no journal scan. Only a store
// written before the ids were kept is read from the journal, once (rebuild_used_clordids).
bool ExchangeDriver::recover_used_clordids(std::optional<Date> stored_day, std::string* error) {
  if (seq_.value() > 0) {
    const auto last = store_->read_journal(seq_, [&](const registry::JournalRecordView& r) {
      last_stamp_ = r.ts;
      return false;
    });
    if (!last.ok()) {
      *error = "cannot read the last journal record: " + store_->last_error_detail();
      return false;
    }
  }
  if (stored_day) {
    used_clordids_.load_day(*stored_day);
    const auto read = store_->for_each_used_id(
        [&](std::uint32_t member, std::string_view id) { used_clordids_.load(member, id); });
    if (!read.ok()) {
      *error = "cannot read the used ClOrdIDs: " + store_->last_error_detail();
      return false;
    }
  } else if (!rebuild_used_clordids(error)) {
    return false;
  }
  clock_->not_before(last_stamp_.value());  // a simulated clock continues from the journal
  const std::int64_t now = std::max(clock_->now_ns(), last_stamp_.value());
  if (trading_date(TimestampNs(now)) != used_clordids_.day()) {
    start_clordid_day(trading_date(TimestampNs(now)));  // a new trading day since the last
  }
  for (SessionIndex s = 0; s < open_by_clordid_.size(); ++s) {  // still-open orders keep theirs
    for (const auto& entry : open_by_clordid_[s])
      used_clordids_.insert(s, entry.first);
  }
  return true;
}

// A store written before the used ClOrdIDs were kept: the ids of the day's NewOrder and Replace
// commands and off-book filings are read back from the journal (a day ends at an EndOfDay
// command or when the China Standard Time date changes) and written with the next commit. The
// ids of orders the core rejected that day are counted as used (the journal does not say).
bool ExchangeDriver::rebuild_used_clordids(std::string* error) {
  auto remember = [this](MemberId member, const ClientOrderId& clid) {
    used_clordids_.load(member.value(), view(clid));
  };
  std::string problem;
  const auto read = store_->read_journal(Seq(1), [&](const registry::JournalRecordView& r) {
    if (registry::is_registry_record(r.payload)) return true;  // no ClOrdIDs in those
    const auto cmd = decode(r.payload);
    if (!cmd.ok()) {
      problem = "journal record " + std::to_string(r.seq.value()) + ": " +
                std::string(to_string(cmd.error()));
      return false;
    }
    if (trading_date(r.ts) != used_clordids_.day()) used_clordids_.start_day(trading_date(r.ts));
    if (const auto* n = std::get_if<NewOrder>(&cmd.value().body)) {
      remember(n->member, n->client_order_id);
    } else if (const auto* p = std::get_if<Replace>(&cmd.value().body)) {
      remember(p->member, p->client_order_id);
    } else if (const auto* c = std::get_if<Cancel>(&cmd.value().body)) {
      if (!view(c->client_order_id).empty()) remember(c->member, c->client_order_id);
    } else if (std::holds_alternative<EndOfDay>(cmd.value().body)) {
      used_clordids_.start_day(used_clordids_.day());
    } else {
      // Off-book: TradeReportIDs and bids' ClOrdIDs share the namespace (fix_offbook.cpp).
      std::visit(
          [&](const auto& c) {
            using T = std::decay_t<decltype(c)>;
            if constexpr (std::is_same_v<T, AgreementReport> ||
                          std::is_same_v<T, AgreementAccept> ||
                          std::is_same_v<T, AgreementDecline> || std::is_same_v<T, AuctionBid> ||
                          std::is_same_v<T, AuctionReviseBid> ||
                          std::is_same_v<T, AuctionWithdrawBid> || std::is_same_v<T, RepoFile> ||
                          std::is_same_v<T, RepoConfirm> || std::is_same_v<T, RepoDecline> ||
                          std::is_same_v<T, RepoEarlyRepurchase>) {
              remember(c.member, c.client_order_id);
            }
          },
          cmd.value().body);
    }
    return true;
  });
  if (!read.ok() || !problem.empty()) {
    *error = problem.empty() ? "cannot read the journal" : problem;
    return false;
  }
  used_clordids_.rewrite_all();
  return true;
}

// Trading day `day` starts (or the same day again after its end of day): every ClOrdID may be
// used again except those of still-open orders.
void ExchangeDriver::start_clordid_day(Date day) {
  used_clordids_.start_day(day);
  for (SessionIndex s = 0; s < open_by_clordid_.size(); ++s) {
    for (const auto& entry : open_by_clordid_[s])
      used_clordids_.insert(s, entry.first);
  }
}

// The exchange's own accounts (fees, cash settlement, issuance) exist from the first start:
// opened by journaled OpenAccount commands (committed with the first batch), so a replay from
// genesis opens them too.
void ExchangeDriver::bootstrap_accounts() {
  const TimestampNs ts(std::max(clock_->now_ns(), last_stamp_.value()));
  auto ensure = [&](AccountId id, registry::AccountKind kind) {
    if (id.value() == 0 || ledger_->account(id) != nullptr) return;
    registry::Account a;
    a.id = id;
    a.kind = kind;
    const auto refused = run_registry(ts, registry::OpenAccount{a});
    CX_ASSERT(!refused.has_value());
  };
  ensure(core_->fee_account(), registry::AccountKind::kExchangeFee);
  ensure(AccountId(config_.cash_settlement_account), registry::AccountKind::kCashSettlement);
  ensure(AccountId(config_.issuance_account), registry::AccountKind::kGovernmentIssuance);
}

// The Registrar's configuration: the issuance account, the engine's instruments, the configured
// jurisdiction profile and allocation tables (registry/data formats).
std::optional<registry::RegistrarConfig> make_registrar_config(const ServerConfig& config,
                                                               const ExchangeConfig& exchange,
                                                               std::string* error) {
  registry::RegistrarConfig rc;
  rc.government_account = AccountId(config.issuance_account);
  rc.instruments = exchange.instruments;
  auto set = compliance::load_jurisdictions(config.jurisdictions_path);
  if (!set.ok()) {
    *error =
        "jurisdictions " + config.jurisdictions_path + ": " + allocation::to_string(set.error());
    return std::nullopt;
  }
  const auto* profile = set.value().find(config.jurisdiction);
  if (profile == nullptr) {
    *error = "jurisdiction " + config.jurisdiction + " is not in " + config.jurisdictions_path;
    return std::nullopt;
  }
  rc.jurisdiction = *profile;
  for (const std::string& path : config.allocation_table_paths) {
    auto table = allocation::load_allocation_table(path);
    if (!table.ok()) {
      *error = "allocation table " + path + ": " + allocation::to_string(table.error());
      return std::nullopt;
    }
    for (const auto& t : rc.tables) {
      if (t.table_id == table.value().table_id) {
        *error = "allocation table " + path + ": table_id " + t.table_id + " given twice";
        return std::nullopt;
      }
    }
    rc.tables.push_back(std::move(table).value());
  }
  return rc;
}

bool ExchangeDriver::build_registrar(const ExchangeConfig& exchange, std::string* error) {
  auto rc = make_registrar_config(config_, exchange, error);
  if (!rc) return false;
  registrar_ = std::make_unique<registry::Registrar>(std::move(*rc), *ledger_);
  return true;
}

std::optional<registry::RegistrarFailure> ExchangeDriver::run_registry(
    TimestampNs ts, const registry::RegistryCommand& cmd) {
  const Seq seq(seq_.value() + 1);
  auto r = applier_->apply_registry(seq, ts, cmd);
  CX_ASSERT(r.ok());  // callers check check_registry_limits() first
  seq_ = seq;
  journal_records_.push_back(std::move(r.value().payload));
  journal_stamps_.push_back(ts);
  if (ts.value() > last_stamp_.value()) last_stamp_ = ts;
  state_changed_ = true;
  return std::move(r.value().outcome.refused);
}

void ExchangeDriver::run(TimestampNs ts, CommandBody body, OutBatch& out) {
  seq_ = Seq(seq_.value() + 1);
  const Command cmd{seq_, ts, std::move(body)};
  auto rec = applier_->apply_engine(cmd);
  CX_ASSERT(rec.ok());  // seqs increase by construction
  journal_records_.push_back(rec.value());
  journal_stamps_.push_back(ts);
  state_changed_ = true;
  record_applied(out);
  core_->clear_events();
}

Status<CommitError> ExchangeDriver::commit() {
  // A primary's batch without commands shows the state of the batches before it: released
  // after them (a batch with commands: after its own last seq, below).
  release_seq_ = replication_ != nullptr && replication_->leading() ? seq_.value() : 0;
  if (config_.read_only || store_fault_) {
    // Nothing was applied (every state change is refused): nothing to write. The used ids' day
    // change, if any, waits for the next commit.
    CX_ASSERT(journal_records_.empty());
    return {};
  }
  const auto used_ids = used_clordids_.pending();
  if (journal_records_.empty() && !state_changed_ && !used_ids) return {};
  journal_.clear();
  const std::uint64_t first = seq_.value() + 1 - journal_records_.size();
  CX_ASSERT(first == store_->applied_seq().value() + 1);
  // Spans into journal_records_ are taken only now: the vector no longer grows in this batch.
  for (std::size_t i = 0; i < journal_records_.size(); ++i) {
    const auto bytes =
        std::visit([](const auto& r) { return std::span<const std::uint8_t>(r.data(), r.size()); },
                   journal_records_[i]);
    journal_.push_back(registry::JournalEntry{Seq(first + i), journal_stamps_[i], bytes});
  }
  std::vector<std::vector<std::uint8_t>> order_bytes;
  std::vector<registry::OrderChange> orders;
  const auto changed = core_->take_changed_orders();
  order_bytes.reserve(changed.size());
  orders.reserve(changed.size());
  for (const ChangedOrder& c : changed) {
    const auto rec = core_->find_open_order(c.instrument, c.order_id);
    if (rec) {
      const auto key = open_orders_.find(c.order_id.value());
      order_bytes.push_back(encode_open_order(
          *rec, make_client_order_id(key == open_orders_.end() ? "" : key->second.orig_cl_ord_id)));
      orders.push_back(registry::OrderChange{c.order_id.value(), order_bytes.back(), false});
    } else {
      orders.push_back(registry::OrderChange{c.order_id.value(), {}, true});
    }
  }
  // The off-book state rides in the same blob, so it commits in the same write transaction.
  (void)core_->take_offbook_changed();
  const std::vector<std::uint8_t> state =
      encode_exchange_state(core_->save_state(), core_->offbook());
  const registry::Digest prev_hash = store_->last_hash();
  registry::Batch batch;
  batch.journal = journal_;
  batch.orders = orders;
  batch.core_state = std::span<const std::uint8_t>(state);
  batch.used_ids = used_ids;  // with the journal records that used them
  std::vector<std::uint8_t> registrar_state;
  if (registrar_->dirty()) {
    registrar_state = registrar_->state_blob();
    batch.registry_state = std::span<const std::uint8_t>(registrar_state);
  }
  const auto st = store_->commit_batch(batch, *ledger_);
  if (!st.ok()) {
    store_fault_ = StoreFault{st.error(), store_->last_error_detail(), wall_ns()};
    std::fprintf(stderr,
                 "carbonxd: %s: the batch of seqs %llu..%llu (%zu command(s)) was not committed "
                 "and nothing of it was acknowledged; state changes are refused until the store "
                 "takes writes again (checked every second), queries are served\n",
                 refusal().c_str(), static_cast<unsigned long long>(first),
                 static_cast<unsigned long long>(seq_.value()), journal_records_.size());
    std::fflush(stderr);
    return Err{CommitError::kStore};
  }
  replaying_.clear();
  registrar_->mark_committed();
  publish_authority(false);  // the edge sees a grant or revoke only once it is durable
  used_clordids_.mark_committed();
  CX_ASSERT(store_->applied_seq() == seq_);
  // The replication stage: the batch's records go to the appender, and the core thread goes on
  // with the next batch while they are appended; the replies wait for release_seq().
  if (replication_ != nullptr) {
    const ReplicaRole role = replication_->role();
    const bool appends = role == ReplicaRole::kPrimary || role == ReplicaRole::kDeposed;
    if (appends && !journal_.empty()) {
      replication_->enqueue(first, journal_bytes(prev_hash));
      release_seq_ = seq_.value();
    }
  }
  chain_hash_ = store_->last_hash();
  journal_records_.clear();
  journal_stamps_.clear();
  journal_.clear();
  state_changed_ = false;
  return {};
}

// The batch's records as the store holds them (header, payload, hash chained from `prev`, the
// hash before the batch), for the replicated log.
std::vector<std::string> ExchangeDriver::journal_bytes(const registry::Digest& prev) const {
  std::vector<std::string> records;
  records.reserve(journal_.size());
  registry::Digest hash = prev;
  std::vector<std::uint8_t> bytes;
  for (const registry::JournalEntry& e : journal_) {
    bytes.clear();
    hash = registry::encode_journal_record(hash, e.seq, e.ts, e.payload, bytes);
    records.emplace_back(reinterpret_cast<const char*>(bytes.data()), bytes.size());
  }
  CX_ASSERT(hash == store_->last_hash());  // the chain the store wrote
  return records;
}

bool ExchangeDriver::await_release(std::uint64_t seq) {
  return replication_ == nullptr || replication_->wait_appended(seq);
}

bool ExchangeDriver::released(std::uint64_t seq) const {
  return replication_ == nullptr || replication_->appended(seq);
}

// A promoted standby (the log applied to its end, the election key won): what a primary holds
// in memory beyond the core, rebuilt from its store: each open order's FIX identity, the day's
// used ClOrdIDs (read back from the journal: a standby does not derive them), the out stage's
// orders (handed over with this batch, in commit order), the published authority.
bool ExchangeDriver::rebuild_for_primary(std::string* error) {
  if (!journal_records_.empty() || state_changed_) {
    // The log's batches applied in this sequencer batch: committed first (still a standby: no
    // append), so the store holds everything the rebuild reads.
    if (!commit().ok()) {
      *error = "the store refused the log's last batches: " + refusal();
      return false;
    }
  }
  open_orders_.clear();
  open_by_clordid_.assign(member_of_session_.size(), {});
  std::vector<out::RestoredOrder> for_out;
  if (!read_open_orders(nullptr, for_out, error)) return false;
  used_clordids_ = UsedClOrdIds{};
  used_clordids_.set_sessions(member_of_session_);
  if (!rebuild_used_clordids(error)) return false;
  clock_->not_before(last_stamp_.value());
  const std::int64_t now = std::max(clock_->now_ns(), last_stamp_.value());
  if (trading_date(TimestampNs(now)) != used_clordids_.day()) {
    start_clordid_day(trading_date(TimestampNs(now)));
  } else {
    for (SessionIndex s = 0; s < open_by_clordid_.size(); ++s) {
      for (const auto& entry : open_by_clordid_[s])
        used_clordids_.insert(s, entry.first);
    }
  }
  batch_.restores = true;
  batch_.restored = std::move(for_out);
  publish_authority(true);
  return true;
}

void ExchangeDriver::apply_replicated(const ReplicatedBatch& b) {
  if (replication_ == nullptr || replication_->role() != ReplicaRole::kStandby) return;
  auto fail = [this](std::uint64_t seq, const std::string& why) {
    replication_->standby_failed("seq " + std::to_string(seq) + ": " + why);
  };
  if (b.promote) {
    if (b.first_seq != seq_.value() + 1) {
      return fail(b.first_seq, "promoted with the log applied to seq " +
                                   std::to_string(b.first_seq - 1) + " and this store at " +
                                   std::to_string(seq_.value()));
    }
    std::string why;
    if (!rebuild_for_primary(&why)) return fail(b.first_seq, "cannot lead: " + why);
    replication_->promoted();
    return;
  }
  if (store_fault_) {
    return fail(b.first_seq, "this standby's store refused a batch (" + refusal() +
                                 "); restart it once the store takes writes");
  }
  if (b.first_seq != seq_.value() + 1) {
    return fail(b.first_seq, "the log's batch does not follow this store's applied seq " +
                                 std::to_string(seq_.value()));
  }
  for (const std::string& rec : b.records) {
    const std::uint64_t expect = seq_.value() + 1;
    registry::JournalRecordView v;
    const std::span<const std::uint8_t> bytes(reinterpret_cast<const std::uint8_t*>(rec.data()),
                                              rec.size());
    if (!registry::decode_journal_record(bytes, v)) {
      return fail(expect, "the log's record is not a journal record");
    }
    if (v.seq.value() != expect) {
      return fail(expect, "the log's record holds seq " + std::to_string(v.seq.value()));
    }
    const registry::Digest hash = registry::journal_hash(chain_hash_, v.header, v.payload);
    if (hash != v.hash) {
      return fail(expect,
                  "the record's hash does not chain on this store's journal (the log is another "
                  "history than this store's: a copy of the wrong data directory?)");
    }
    const auto applied = applier_->apply_record(v.seq, v.ts, v.payload);
    if (!applied.ok()) {
      return fail(expect,
                  "cannot be applied: " + std::string(registry::to_string(applied.error().code)) +
                      ": " + applied.error().detail);
    }
    core_->clear_events();  // a standby sends nothing
    seq_ = v.seq;
    chain_hash_ = hash;
    journal_records_.emplace_back(std::vector<std::uint8_t>(v.payload.begin(), v.payload.end()));
    journal_stamps_.push_back(v.ts);
    if (v.ts.value() > last_stamp_.value()) last_stamp_ = v.ts;
    state_changed_ = true;
  }
}

out::OutStage* ExchangeDriver::defer_replies() {
  CX_ASSERT(batch_.empty());  // nothing recorded is left untranslated
  replies_deferred_ = true;
  return out_.get();
}

OutBatch ExchangeDriver::take_out_batch(OutBatch spare) {
  OutBatch taken = std::move(batch_);
  spare.clear();
  // The next batch records into vectors already grown to a batch's size: the spare the
  // sequencer gives back after delivering an earlier batch, else new ones of this one's size.
  batch_ = spare.steps.capacity() != 0 ? std::move(spare) : taken.empty_like();
  return taken;
}

void ExchangeDriver::apply(TimestampNs ts, const Inbound& in, std::vector<Delivery>& out) {
  if (replies_deferred_) return apply(ts, in, batch_);
  OutBatch b;
  apply(ts, in, b);
  out_->translate(b, out);
}

void ExchangeDriver::apply(TimestampNs ts, const Inbound& in, OutBatch& out) {
  // ExecIDs are "<seq>-<n>" (rejects "R<seq>-<n>"), n counting the reports of this item: what a
  // reply says depends on the item and the state only, so a restarted server numbers them as one
  // that never stopped (the count once carried over from the previous FIX order request to
  // auction bids, agreements, operator verbs and calendar events).
  if (const auto* rb = std::get_if<ReplicatedBatch>(&in.item)) return apply_replicated(*rb);
  out.begin_item();
  const bool replica_refuses = replication_ != nullptr && !replication_->leading();
  if ((config_.read_only || store_fault_ || fix_->store_failing() || replica_refuses) &&
      is_state_change(in)) {
    // While only the FIX session store fails, the exchange's own events (calendar, cancel on
    // disconnect) still run: the store commits them; their FIX messages wait in memory.
    const bool from_edge = std::holds_alternative<edge::FixCommand>(in.item) ||
                           std::holds_alternative<OperatorRequest>(in.item);
    if (config_.read_only || store_fault_ || replica_refuses || from_edge) {
      return refuse(in, refusal(), out);
    }
  }
  now_ = ts;
  if (ts.value() > last_stamp_.value()) last_stamp_ = ts;
  // ClOrdIDs are unique per trading day: a new China Standard Time date starts a new day even
  // without an end of day (as a restart on that date would).
  if (trading_date(ts) != used_clordids_.day()) start_clordid_day(trading_date(ts));
  if (const auto* q = std::get_if<edge::FixCommand>(&in.item)) {
    on_fix(ts, in.session, *q, out);
  } else if (const auto* r = std::get_if<OperatorRequest>(&in.item)) {
    on_operator(ts, *r, out);
  } else if (const auto* c = std::get_if<CalendarEvent>(&in.item)) {
    on_calendar(ts, *c, out);
  } else if (const auto* e = std::get_if<SessionEvent>(&in.item)) {
    on_session_event(ts, in.session, *e, out);
  }
}

void ExchangeDriver::on_fix(TimestampNs ts, SessionIndex s, const edge::FixCommand& q,
                            OutBatch& out) {
  if (q.refusal.refused) return on_translation_refused(s, q, out);      // fix_orders.cpp
  if (!q.auction_id.empty()) return on_auction_request(ts, s, q, out);  // fix_auction.cpp
  switch (q.kind) {
    case RequestKind::kNewOrder:
      return on_new_order(ts, s, q, out);
    case RequestKind::kCancel:
    case RequestKind::kReplace:
      return on_cancel_or_replace(ts, s, q, out);
    case RequestKind::kStatus:
      return on_status(s, q, out);
    case RequestKind::kMassCancel:
      return on_mass_cancel(ts, s, q, out);
    case RequestKind::kMarketData:
      return on_market_data(s, q, out);
    case RequestKind::kSecurityList:
      return on_security_list(s, q, out);
    case RequestKind::kPositions:
      return on_positions(s, q, out);
    case RequestKind::kTradeCapture:
      return on_trade_capture(ts, s, q, out);
  }
}

void ExchangeDriver::on_calendar(TimestampNs ts, const CalendarEvent& e, OutBatch& out) {
  switch (e.kind) {
    case CalendarEvent::Kind::kOpen:
      return run(ts, SetPhase{true, InstrumentId(0), Phase::kContinuous}, out);
    case CalendarEvent::Kind::kClose:
      return run(ts, SetPhase{true, InstrumentId(0), Phase::kClosed}, out);
    case CalendarEvent::Kind::kEndOfDay:
      run(ts, EndOfDay{}, out);
      start_clordid_day(used_clordids_.day());  // ClOrdIDs are unique per session and day
      return;
  }
}

void ExchangeDriver::on_session_event(TimestampNs ts, SessionIndex s, const SessionEvent& e,
                                      OutBatch& out) {
  if (e.kind != SessionEvent::Kind::kDisconnected) return;
  if (e.member.value() == 0 || !e.cancel_on_disconnect) return;
  if (s >= open_by_clordid_.size() || open_by_clordid_[s].empty()) return;
  MassCancel mc;
  mc.by_member = true;
  mc.member = e.member;
  run(ts, mc, out);  // the cancels are stored in the session's store and resent at next logon
}

// ---------------------------------------------------------------------------------------------
// Refusing state changes: read-only, the store full (or failing), the FIX session store full.

std::string ExchangeDriver::refusal() const {
  if (config_.read_only) {
    return "exchange is read-only (carbonxd --read-only" +
           (read_only_reason_.empty()
                ? std::string(")")
                : "; the store failed its start checks: " + read_only_reason_ + ")");
  }
  if (store_fault_) {
    const bool full = store_fault_->error == registry::StoreError::kDiskFull ||
                      store_fault_->error == registry::StoreError::kMapFull;
    return std::string(full ? "exchange storage full: " : "exchange storage failure: ") +
           std::string(registry::to_string(store_fault_->error)) +
           (store_fault_->detail.empty() ? "" : " (" + store_fault_->detail + ")") +
           (full ? "; nothing is accepted until space returns"
                 : "; nothing is accepted until the store takes writes again");
  }
  if (fix_->store_failing()) {
    return "exchange storage full: the FIX session store cannot be written (" +
           fix_->store_problem() + "); nothing is accepted until space returns";
  }
  if (replication_ != nullptr) return replication_->refusal();
  return "";
}

std::vector<std::string> ExchangeDriver::alarms() const {
  std::vector<std::string> out;
  if (config_.read_only) out.push_back(refusal());
  if (store_fault_) {
    const std::int64_t secs = (wall_ns() - store_fault_->since_ns) / 1'000'000'000;
    const bool full = store_fault_->error == registry::StoreError::kDiskFull ||
                      store_fault_->error == registry::StoreError::kMapFull;
    out.push_back(std::string(full ? "exchange storage full" : "exchange storage failure") +
                  " for " + std::to_string(secs) + " s: the store refused a batch: " +
                  std::string(registry::to_string(store_fault_->error)) +
                  (store_fault_->detail.empty() ? "" : " (" + store_fault_->detail + ")") +
                  "; state changes refused, queries served" +
                  (store_fault_->error == registry::StoreError::kMapFull
                       ? "; the store is at [server] store_max_mb: restart with a larger value"
                       : "; retried every second"));
  }
  if (fix_->store_failing()) {
    out.push_back("FIX session store cannot be written: " + fix_->store_problem() +
                  "; messages are kept in memory until it can, state changes refused");
  }
  if (replication_ != nullptr && !replication_->leading()) {
    const ReplicaRole role = replication_->role();
    if (role == ReplicaRole::kDeposed || role == ReplicaRole::kFailed) {
      out.push_back("REPLICATION: " + replication_->refusal());
    }
  }
  if (!deferred_.empty()) {
    out.push_back(std::to_string(deferred_.size()) +
                  " calendar or session event(s) held until the store takes writes again");
  }
  return out;
}

// Orders, cancels, replaces, mass cancels, agreement, auction and repo filings; operator verbs
// that are not queries; calendar timers; cancel on disconnect. Queries are not.
bool ExchangeDriver::is_state_change(const Inbound& in) const {
  if (const auto* q = std::get_if<edge::FixCommand>(&in.item)) {
    if (!q->auction_id.empty()) return true;
    switch (q->kind) {
      case RequestKind::kStatus:
      case RequestKind::kMarketData:
      case RequestKind::kSecurityList:
      case RequestKind::kPositions:
        return false;
      default:
        return true;
    }
  }
  if (const auto* r = std::get_if<OperatorRequest>(&in.item)) {
    return !verbs::meta_of(r->request).query;
  }
  return true;  // calendar and session events
}

void ExchangeDriver::refuse(const Inbound& in, const std::string& why, OutBatch& out) {
  if (const auto* q = std::get_if<edge::FixCommand>(&in.item)) {
    switch (q->kind) {
      case RequestKind::kNewOrder:
        return reject_order(in.session, *q, ord_rej_reason::kOther, why, out);
      case RequestKind::kCancel:
      case RequestKind::kReplace:
        return reject_cancel(in.session, *q, cxl_rej_reason::kOther, why, out);
      case RequestKind::kTradeCapture:
        return reject_trade_capture(in.session, *q, why, out);
      case RequestKind::kMassCancel: {
        Delivery d;
        d.session = in.session;
        d.reply.kind = ReplyKind::kMassCancelReport;
        d.reply.cl_ord_id = q->cl_ord_id.str();
        d.reply.order_id = "NONE";
        d.reply.mass_scope = q->mass_scope;
        d.reply.symbol = q->symbol.str();
        d.reply.mass_accepted = false;
        d.reply.reject_code = mass_cancel_reject_reason::kOther;
        d.reply.text = why;
        out.ready(std::move(d));
        return;
      }
      default: {
        Delivery d;
        d.session = in.session;
        d.reply.kind = ReplyKind::kBusinessReject;
        d.reply.ref_seq_num = q->msg_seq_num;
        d.reply.ref_msg_type = q->kind == RequestKind::kMassCancel ? "q" : "D";
        d.reply.reject_code = business_reject_reason::kApplicationNotAvailable;
        d.reply.text = why;
        out.ready(std::move(d));
        return;
      }
    }
  }
  if (const auto* r = std::get_if<OperatorRequest>(&in.item)) {
    Delivery d;
    d.ticket = r->ticket;
    d.http_status = 503;
    d.json = nlohmann::json{{"ok", false}, {"error", why}}.dump();
    out.ready(std::move(d));
    return;
  }
  // A calendar or session event: held and applied, in order, once the store takes writes (a
  // read-only server runs no calendar and serves no session; a replica that does not lead
  // journals none: its primary does).
  if (!config_.read_only && store_fault_) deferred_.push_back(in);
}

bool ExchangeDriver::roll_back(std::string* error) {
  // Events held and applied again in the batch that failed go back to be held.
  deferred_.insert(deferred_.begin(), replaying_.begin(), replaying_.end());
  replaying_.clear();
  if (!load_state(error)) return false;
  std::fprintf(stderr, "carbonxd: state rolled back to the last commit (seq %llu)\n",
               static_cast<unsigned long long>(seq_.value()));
  std::fflush(stderr);
  return true;
}

bool ExchangeDriver::poll(TimestampNs ts, std::vector<Delivery>& out) {
  OutBatch local;
  OutBatch& record = replies_deferred_ ? batch_ : local;
  const bool applied = poll_store(ts, record);
  if (!replies_deferred_) out_->translate(local, out);
  return applied;
}

bool ExchangeDriver::poll_store(TimestampNs ts, OutBatch& out) {
  if (store_fault_) {
    if (const auto st = store_->probe_room(); !st.ok()) {
      store_fault_->error = st.error();
      store_fault_->detail = store_->last_error_detail();
      return false;
    }
    const std::int64_t secs = (wall_ns() - store_fault_->since_ns) / 1'000'000'000;
    store_fault_.reset();
    std::fprintf(stderr,
                 "carbonxd: the store takes writes again after %lld s: state changes are "
                 "accepted again (%zu held event(s) applied first)\n",
                 static_cast<long long>(secs), deferred_.size());
    std::fflush(stderr);
    bootstrap_accounts();  // if the very first batch was the one refused
  }
  if (deferred_.empty()) return state_changed_ || !journal_records_.empty();
  replaying_ = std::move(deferred_);
  deferred_.clear();
  for (const Inbound& in : replaying_)
    apply(ts, in, out);
  return true;
}

}  // namespace carbonx::gateway
