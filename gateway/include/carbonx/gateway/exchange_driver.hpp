#pragma once
// ExchangeDriver: the CoreDriver of a single-machine exchange. It owns the deterministic core
// (carbonx::Core) over the durable ledger (registry::Ledger) and the LMDB store
// (registry::Store), turns the gateway's inbound items into core commands, and records what
// they did for the out stage (gateway/out), which makes the FIX replies:
//
//   FixCommand (the edge resolved symbol, account authority, member, ids on the session's thread)
//     --(account tradable? symbol known? ClOrdID new today? order open?)--> Command
//   Core::apply --> Events --> out::Batch (events + the request's ids + what only the core knows)
//   commit(): journal records + changed open orders + core state + ledger rows + applied_seq in
//             ONE Store::commit_batch (one LMDB write transaction)
//   out::OutStage (after the commit, where the batch is delivered) --> ExecutionReport /
//             OrderCancelReject / MassCancelReport / trade capture reports / market data
//
// Under the sequencer (defer_replies()) apply() only records and the out stage runs on the
// sender thread; called directly (tests, cxctl's in-process channel) apply() translates each
// item at once with the driver's out stage and appends the replies to `out`.
//
// Refusals decided before the core (unknown account, symbol, duplicate ClOrdID, unknown order)
// are replies without a command: they change nothing and take no seq. Queries (status,
// positions, security list, market data snapshots) read the state after the commands before
// them and are released with their batch, so nothing uncommitted is ever shown.
//
// ClOrdIDs are unique per session and trading day (TradeReportIDs and auction bids' ClOrdIDs
// share the namespace). An id is used once its command goes to the core; if the core rejects a
// NewOrder, or refuses an off-book report or bid, the id is given back and may be sent again (a
// rejected Replace keeps it: its order still exists). A day ends at EndOfDay or when the China
// Standard Time date of a stamp changes; still-open orders keep their ids. The used ids commit
// with the batch (UsedClOrdIds), so the same rule holds across a restart.
//
// Member authority (which member may act for which account) is the Registrar's, changed only by
// journaled GrantAuthority / RevokeAuthority commands; the driver publishes it to the FIX edge
// (edge::PublishedAuthority) after the commit, never before, and after a roll back.
//
// Startup: Store::load fills the ledger; the Registrar (allocation, compliance, firms) is built
// over it and restores its committed state blob; the core state blob and the open orders restore
// the core (restore_state, then restore_open_orders, which rebuilds each level's queue from the
// records' priority_seq); applied_seq continues; the day's used ClOrdIDs are read from the store
// and the last stamp from the last journal record (no journal scan: start-up does not grow with
// the journal).
//
// Journal: every state change is a journal record applied through ONE registry::JournalApplier
// (the path replay uses): engine commands (apply_engine) and registry commands (apply_registry:
// accounts, cash, issuance, firms, allocation, emissions, surrender, extension, exemption,
// settlement). A refused registry command is journaled too (its seq is taken). The registrar's
// state blob is committed with the batch whenever it changed.
//
// Start checks (issue #14): the data directory must hold an exchange (exchange_dir.hpp: created
// only by `carbonxd --init`), its store opens only if its data file is whole (registry Store),
// the store's identity is the directory's, the journal's tail chains up to applied_seq and the
// ledger's invariants hold. A violation refuses the start, unless config.read_only: then the
// driver serves queries only and every state change is refused with the reason.
//
// Storage full (issue #14): when a batch cannot be committed (the disk or the store's configured
// size is full, or another store error) nothing of it is durable and nothing of it was said. The
// driver then rolls the in-memory state back to the last commit (roll_back(): the same recovery
// as a restart, from the store) and refuses every state change with "exchange storage full:
// ..." (an ExecutionReport or reject to FIX, 503 to the operator) while queries are served;
// calendar and session events (opens, closes, ends of day, cancel on disconnect) are held and
// applied in order once the store takes writes again. The sequencer calls poll() about once a
// second: a real write of the store (Store::probe_room) tells when space has returned, and the
// exchange goes on without a restart. While the FIX session store cannot be written
// (FixEngine::store_problem), new requests are refused the same way.
//
// Core thread only (every method), except create(), await_release() and released().

#include <map>
#include <memory>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <variant>
#include <vector>

#include "carbonx/edge/authority.hpp"
#include "carbonx/engine/core.hpp"
#include "carbonx/gateway/clock.hpp"
#include "carbonx/gateway/config.hpp"
#include "carbonx/gateway/exchange_dir.hpp"
#include "carbonx/gateway/members.hpp"
#include "carbonx/gateway/replication.hpp"
#include "carbonx/gateway/sequencer.hpp"
#include "carbonx/gateway/used_clordids.hpp"
#include "carbonx/out/out_stage.hpp"
#include "carbonx/registry/journal_applier.hpp"
#include "carbonx/registry/ledger.hpp"
#include "carbonx/registry/registrar.hpp"
#include "carbonx/registry/store.hpp"

namespace carbonx::gateway {

class FixEngine;

using OutBatch = out::Batch;

// The Registrar's configuration of a server: config.issuance_account, the exchange's instruments,
// the profile config.jurisdiction of config.jurisdictions_path and config.allocation_table_paths
// (registry/data formats). nullopt and *error (names the file) if one cannot be read.
// Replay (cxctl journal verify, tests) uses it to build the same Registrar as the server.
std::optional<registry::RegistrarConfig> make_registrar_config(const ServerConfig& config,
                                                               const ExchangeConfig& exchange,
                                                               std::string* error);

class ExchangeDriver final : public CoreDriver {
 public:
  static constexpr std::size_t kMaxPositionReports = 1024;

  // Opens the store under config.data_dir/store and recovers. nullptr and *error on failure.
  // `clock` (outlives the driver; nullptr: an own wall clock) is moved to no earlier than the
  // last journaled stamp; the bootstrap commands, the day of recovery and clock.* verbs use it.
  // `authority` (outlives the driver) receives the committed member authority: at start and
  // after every commit that changed it. Accounts the members file still lists to grant
  // (Member::grant_at_start: seeded members, member.add, a version 1 file) are granted by
  // journaled commands, committed, then cleared from the file (grant_listed_authority).
  static std::unique_ptr<ExchangeDriver> create(const ServerConfig& config,
                                                const ExchangeConfig& exchange,
                                                MemberDirectory& members, const FixEngine& fix,
                                                edge::PublishedAuthority& authority,
                                                std::string* error, ExchangeClock* clock = nullptr);
  ~ExchangeDriver() override;

  // Replication ([replica], replication.hpp): create() then leaves out the bootstrap (the
  // exchange's own accounts, the members file's grants), which only a primary journals:
  // set_replication() once the role is taken, then start_as_primary() on the primary. A primary
  // appends every committed batch to the log before its replies are released; a standby
  // applies the log's batches (ReplicatedBatch) and refuses every other state change.
  void set_replication(Replication* replication) { replication_ = replication; }
  bool start_as_primary(std::string* error);
  // The replication stage (replication.hpp): after a commit, the seq its replies wait for (its
  // last seq, or for a primary's batch without commands the last seq before it; 0: none);
  // await_release() (any thread: the sequencer's sender) waits until that seq is in the log.
  std::uint64_t release_seq() const override { return release_seq_; }
  bool await_release(std::uint64_t seq) override;
  bool released(std::uint64_t seq) const override;

  void apply(TimestampNs ts, const Inbound& in, std::vector<Delivery>& out) override;
  // Records what `in` did for the out stage instead of making its replies (the sequencer's
  // path once replies are deferred; apply() above records and translates at once).
  void apply(TimestampNs ts, const Inbound& in, OutBatch& out);
  Status<CommitError> commit() override;
  bool roll_back(std::string* error) override;
  bool degraded() const override { return store_fault_.has_value() || !deferred_.empty(); }
  bool poll(TimestampNs ts, std::vector<Delivery>& out) override;
  // Why state changes are refused now ("" when they are not): read-only, the store refused a
  // batch, or the FIX session store cannot write.
  std::string refusal() const;
  // The operator's alarms (query.status "alarms"): one line per fault, empty when all is well.
  std::vector<std::string> alarms() const;
  Seq applied_seq() const override { return seq_; }
  // From now on the replies are the out stage's, made where the batch is delivered: apply()
  // and poll() only record (Sequencer::start calls it before its threads run).
  out::OutStage* defer_replies() override;
  OutBatch take_out_batch(OutBatch spare) override;
  TimestampNs last_stamp() const override { return last_stamp_; }
  ExchangeClock& clock() { return *clock_; }

  const Core& core() const { return *core_; }
  const registry::Ledger& ledger() const { return *ledger_; }
  registry::Ledger& ledger() { return *ledger_; }
  registry::Store& store() { return *store_; }
  const registry::Registrar& registrar() const { return *registrar_; }
  // Every level of instrument `ins`'s book, both sides (market data entries, best first): the
  // operator console's start (core thread, or before the sequencer starts).
  FixReply book_levels(InstrumentId ins) const { return md_snapshot("", ins, 0, true, true); }

 private:
  friend class OperatorHandlers;  // the operator verbs' core side (src/operator_handlers.hpp)

  // An open order's FIX identity (the ClOrdID checks and lookups of the core thread, and the
  // OrigClOrdID the commit writes in its open-order record; what the reports need is the out
  // stage's OrderMeta).
  struct OpenOrderKey {
    SessionIndex session = kNoSession;
    std::string cl_ord_id;
    std::string orig_cl_ord_id;  // the ClOrdID before its last replace ("" if never replaced)
  };

  ExchangeDriver() = default;
  // The ledger, core and FIX bookkeeping from the store (at start and after a failed commit).
  bool load_state(std::string* error);
  // The start's checks of what load_state() read: the journal's tail and the ledger's
  // invariants. "" or what is wrong.
  std::string start_check_problems();
  bool recover(std::string* error);
  bool recover_used_clordids(std::optional<Date> stored_day, std::string* error);
  bool rebuild_used_clordids(std::string* error);
  void start_clordid_day(Date day);
  void bootstrap_accounts();
  // The members file's grant_at_start as journaled GrantAuthority commands (those not held yet),
  // committed, then cleared from the file. false and *error if the commit or the file failed.
  bool grant_listed_authority(std::string* error);
  // The registrar's authority to the edge, if it changed since the last publish (or `always`).
  void publish_authority(bool always);
  bool build_registrar(const ExchangeConfig& exchange, std::string* error);
  // One registry command: numbered, stamped, applied through the applier and journaled (refused
  // or not). Returns the refusal, if any.
  std::optional<registry::RegistrarFailure> run_registry(TimestampNs ts,
                                                         const registry::RegistryCommand& cmd);

  // One core command: numbered, stamped, applied, journaled; its events recorded in `out`.
  void run(TimestampNs ts, CommandBody body, OutBatch& out);
  // The core's events of the command just applied, with what its replies need, as a step for
  // the out stage; and the core thread's own bookkeeping of them (open ClOrdIDs, ids given back).
  void record_applied(OutBatch& out);
  void note_event(const Event& ev, carbonx::out::Applied& a);

  void on_fix(TimestampNs ts, SessionIndex s, const edge::FixCommand& q, OutBatch& out);
  void on_new_order(TimestampNs ts, SessionIndex s, const edge::FixCommand& q, OutBatch& out);
  void on_translation_refused(SessionIndex s, const edge::FixCommand& q, OutBatch& out);
  void on_cancel_or_replace(TimestampNs ts, SessionIndex s, const edge::FixCommand& q,
                            OutBatch& out);
  void on_status(SessionIndex s, const edge::FixCommand& q, OutBatch& out);
  void on_mass_cancel(TimestampNs ts, SessionIndex s, const edge::FixCommand& q, OutBatch& out);
  void on_market_data(SessionIndex s, const edge::FixCommand& q, OutBatch& out);
  void on_security_list(SessionIndex s, const edge::FixCommand& q, OutBatch& out);
  void on_positions(SessionIndex s, const edge::FixCommand& q, OutBatch& out);
  // An operator verb, already typed at the edge: dispatched through the verb table's handlers.
  void on_operator(TimestampNs ts, const OperatorRequest& r, OutBatch& out);
  void on_calendar(TimestampNs ts, const CalendarEvent& e, OutBatch& out);
  void on_session_event(TimestampNs ts, SessionIndex s, const SessionEvent& e, OutBatch& out);
  // A state change while refusal() is not empty: refused with `why` (FIX: the request's own
  // reject; operator: 503), or, for calendar and session events, held for later.
  bool is_state_change(const Inbound& in) const;
  void refuse(const Inbound& in, const std::string& why, OutBatch& out);
  bool poll_store(TimestampNs ts, OutBatch& out);
  // A standby's batch of the log: each record checked (seq, hash chained on this store's) and
  // applied through the applier, journaled as it is.
  void apply_replicated(const ReplicatedBatch& b);
  // The committed batch's records as stored (header, payload, hash chained from `prev`).
  std::vector<std::string> journal_bytes(const registry::Digest& prev) const;
  // A promoted standby: the FIX bookkeeping, used ClOrdIDs and the out stage's orders from the
  // store. false and *error if the store cannot be read.
  bool rebuild_for_primary(std::string* error);
  // The store's open orders: the FIX bookkeeping (open_orders_, open_by_clordid_), the core's
  // records (when `core` is not nullptr) and the out stage's copy.
  bool read_open_orders(std::vector<OpenOrderRecord>* core,
                        std::vector<out::RestoredOrder>& for_out, std::string* error);

  // Helpers.
  const std::string& symbol_of(InstrumentId id) const;
  std::optional<OrderId> find_order(SessionIndex s, const edge::FixCommand& q) const;
  // A FIX request refused before the core (no seq): the out stage makes the reply.
  // code: an ord_rej_reason:: / cxl_rej_reason:: value (fix_types.hpp).
  // Why `account` may not trade here ([server] trading_account_kinds), nullopt when it may (or
  // is unknown: the core refuses that).
  std::optional<std::string> trading_refusal(const edge::FixCommand& q) const;
  void reject_order(SessionIndex s, const edge::FixCommand& q, std::int32_t code,
                    const std::string& text, OutBatch& out);
  // live: the open order the request named, if it is still open (its OrderID and OrdStatus go
  // in the OrderCancelReject).
  void reject_cancel(SessionIndex s, const edge::FixCommand& q, std::int32_t code,
                     const std::string& text, OutBatch& out, const OpenOrderRecord* live = nullptr);
  // A market data snapshot of the book (its request's MDReqID; kNoSession: for query.book).
  FixReply md_snapshot(const std::string& request_id, InstrumentId ins, int depth, bool bids,
                       bool offers) const;
  std::string query_id(char kind, const edge::FixCommand& q) const;
  void forget_order(OrderId id);
  std::vector<Event> run_operator_command(TimestampNs ts, CommandBody body, OutBatch& out);
  // Agreement transfers over FIX (fix_offbook.cpp).
  void on_trade_capture(TimestampNs ts, SessionIndex s, const edge::FixCommand& q, OutBatch& out);
  void reject_trade_capture(SessionIndex s, const edge::FixCommand& q, const std::string& text,
                            OutBatch& out);
  // A refused off-book command of a FIX request: the engine's reason explained from the state
  // it used (fix_offbook.cpp).
  std::string offbook_reject_text(const RejectEvent& j, const edge::FixCommand& q) const;
  MemberId member_of_account(AccountId account) const;
  // Auction bids over FIX (fix_auction.cpp).
  void on_auction_request(TimestampNs ts, SessionIndex s, const edge::FixCommand& q, OutBatch& out);
  // Repo filings over FIX (fix_repo.cpp).
  void on_repo_capture(TimestampNs ts, SessionIndex s, const edge::FixCommand& q, AccountId account,
                       MemberId member, OutBatch& out);

  ServerConfig config_;
  ExchangeConfig exchange_;  // the instruments (a rolled back core is built from them again)
  // Read-only (config.read_only): why the start's checks refused to serve, or "" when they
  // passed and the operator asked for read-only anyway.
  std::string read_only_reason_;
  struct StoreFault {  // the store refused a batch
    registry::StoreError error = registry::StoreError::kIo;
    std::string detail;
    std::int64_t since_ns = 0;  // wall clock
  };
  std::optional<StoreFault> store_fault_;
  std::vector<Inbound> deferred_;   // calendar and session events held while the store refuses
  std::vector<Inbound> replaying_;  // the deferred events of the batch being committed
  std::vector<std::uint32_t> member_of_session_;
  MemberDirectory* members_ = nullptr;
  const FixEngine* fix_ = nullptr;
  edge::PublishedAuthority* authority_ = nullptr;
  std::uint64_t published_authority_version_ = 0;  // the registrar's authority_version()
  std::unique_ptr<registry::Store> store_;
  std::unique_ptr<registry::Ledger> ledger_;
  std::unique_ptr<Core> core_;
  std::unique_ptr<registry::Registrar> registrar_;  // over *ledger_, built after Store::load
  std::unique_ptr<registry::JournalApplier> applier_;
  Replication* replication_ = nullptr;  // [replica]; outlives the driver
  registry::Digest chain_hash_{};       // the hash of the record at seq_ (a standby's check)
  std::uint64_t release_seq_ = 0;       // the last commit's (release_seq())
  Seq seq_{0};
  TimestampNs now_{0};         // stamp of the item being applied
  TimestampNs last_stamp_{0};  // the latest stamp journaled (recovered, then applied)
  std::unique_ptr<ExchangeClock> own_clock_;  // when create() was given none
  ExchangeClock* clock_ = nullptr;

  // The batch being built (cleared by commit()).
  // An engine record (fixed size) or a registry record (variable size).
  using JournalRecord = std::variant<CommandRecord, std::vector<std::uint8_t>>;
  std::vector<JournalRecord> journal_records_;
  std::vector<TimestampNs> journal_stamps_;
  std::vector<registry::JournalEntry> journal_;
  bool state_changed_ = false;

  // FIX bookkeeping of the core thread (rebuilt from the open orders at start).
  std::unordered_map<std::uint64_t, OpenOrderKey> open_orders_;        // by OrderId
  std::vector<std::map<std::string, std::uint64_t>> open_by_clordid_;  // per session
  UsedClOrdIds used_clordids_;  // the day's, per session; committed with the batches
  std::vector<SessionIndex> session_of_member_;  // by MemberId
  // The FIX request behind the command being applied (its replies echo its ids).
  struct Pending {
    const edge::FixCommand* request = nullptr;
    SessionIndex session = kNoSession;
  };
  Pending pending_;

  // The out stage: the replies of what was applied. Until the sequencer defers the replies
  // (defer_replies()), apply() translates each item at once with it; afterwards the core thread
  // only records the batch (batch_), handed over after its commit (take_out_batch()), and never
  // touches out_ again.
  std::unique_ptr<carbonx::out::OutStage> out_;
  bool replies_deferred_ = false;
  OutBatch batch_;
};

}  // namespace carbonx::gateway
