#pragma once
// The operator verbs' typed requests (verbs.hpp). Each struct is one verb: its row of the table
// (kMeta), the JSON fields of its body (fields(): name, member, required or not, integer range)
// and, for a few, check(): a rule across fields (nullopt: fine, else the problem).
//
// Plain data. Units in the names and types (fen, tonnes, ns); dates are yyyymmdd; a symbol is a
// Symbol: its text, held inline, and the instrument the operator edge resolved it to
// (carbonx/edge/operator_edge.hpp) before the request crossed the sequencer's queue.
// Adding a verb: a struct here, an alternative of Request, a handler on the core side
// (gateway/src/operator_handlers.hpp; the build fails without one), a cxctl command if it needs
// more than `cxctl verb <name> --json`.

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <tuple>
#include <variant>
#include <vector>

#include "carbonx/base/fixed_text.hpp"
#include "carbonx/engine/ledger.hpp"
#include "carbonx/engine/offbook_types.hpp"
#include "carbonx/engine/types.hpp"
#include "carbonx/engine/units.hpp"
#include "carbonx/registry/account.hpp"

namespace carbonx::verbs {

// Where a verb is applied: on the core thread through the sequencer, or on the edge against the
// gateway's members file (not exchange state; gateway/src/operator_members.cpp).
enum class Route : std::uint8_t { kCore = 1, kMembers = 2 };

// One row of the table.
struct Meta {
  std::string_view name;        // the path: POST /v1/<name>
  std::string_view help;        // one line, for `cxctl verb --help` and the READMEs
  bool journaled = false;       // applied as journaled commands (replayed by journal verify)
  bool query = false;           // reads state only, takes no seq
  bool needs_approval = false;  // a second user must approve it in the console (four eyes)
  Route route = Route::kCore;
};

// One JSON field of a body. Integer fields (also inside an optional) may carry a range.
template <typename S, typename T>
struct Field {
  std::string_view name;
  T S::*member = nullptr;
  bool required = false;
  bool bounded = false;
  std::int64_t min = 0;
  std::int64_t max = 0;
};
template <typename S, typename T>
constexpr Field<S, T> need(std::string_view name, T S::*member) {
  return {name, member, true};
}
template <typename S, typename T>
constexpr Field<S, T> may(std::string_view name, T S::*member) {
  return {name, member, false};
}
template <typename S, typename T>
constexpr Field<S, T> need_in(std::string_view name, T S::*member, std::int64_t min,
                              std::int64_t max) {
  return {name, member, true, true, min, max};
}
template <typename S, typename T>
constexpr Field<S, T> may_in(std::string_view name, T S::*member, std::int64_t min,
                             std::int64_t max) {
  return {name, member, false, true, min, max};
}
inline constexpr std::int64_t kYearMin = 1;
inline constexpr std::int64_t kYearMax = 9999;
// A registry command's largest quantity, t (registry::kMaxCommandQuantityT).
inline constexpr std::int64_t kMaxQuantityT = 1'000'000'000'000;
inline constexpr std::int64_t kMaxAdvanceS = 316'224'000;  // ExchangeClock::kMaxAdvanceNs, s

using Problem = std::optional<std::string>;  // check(): nullopt or what is wrong

// An instrument named in a body by its symbol ("GDEA2027"; at most kMaxSymbolLength bytes, the
// parser refuses a longer one). `id` is 0 as parsed; the operator edge sets it (or answers 404)
// before the request is submitted, and the core's handlers read only `id`.
inline constexpr std::size_t kMaxSymbolLength = 16;
struct Symbol {
  Symbol() = default;
  // For callers building a request (cxctl): a text longer than kMaxSymbolLength is kept empty,
  // which the server refuses as a malformed body naming the field; so a caller checks the length
  // first and names what was typed (cxctl: symbol_text(), symbol_error()).
  Symbol(std::string_view symbol) { text.assign(symbol); }  // NOLINT(google-explicit-constructor)
  Symbol(const std::string& symbol) : Symbol(std::string_view(symbol)) {}  // NOLINT
  Symbol(const char* symbol) : Symbol(std::string_view(symbol)) {}         // NOLINT
  FixedText<kMaxSymbolLength> text;
  InstrumentId id{0};
  friend bool operator==(const Symbol&, const Symbol&) = default;
};

// ---- market phases and the day (journaled core commands) ----------------------------------------
// {"symbol"} or {} for every instrument.
struct SymbolOrAll {
  std::optional<Symbol> symbol;
  friend bool operator==(const SymbolOrAll&, const SymbolOrAll&) = default;
};
struct MarketOpen : SymbolOrAll {
  static constexpr Meta kMeta{"market.open", "open continuous trading (one --symbol or all)", true};
  static constexpr auto fields() { return std::tuple{may("symbol", &MarketOpen::symbol)}; }
};
struct MarketClose : SymbolOrAll {
  static constexpr Meta kMeta{"market.close", "close trading (one symbol or all)", true};
  static constexpr auto fields() { return std::tuple{may("symbol", &MarketClose::symbol)}; }
};
struct MarketHalt : SymbolOrAll {
  static constexpr Meta kMeta{.name = "market.halt",
                              .help = "halt trading (one symbol or all)",
                              .journaled = true,
                              .needs_approval = true};
  static constexpr auto fields() { return std::tuple{may("symbol", &MarketHalt::symbol)}; }
};
struct MarketResume : SymbolOrAll {
  static constexpr Meta kMeta{"market.resume", "resume halted trading (one symbol or all)", true};
  static constexpr auto fields() { return std::tuple{may("symbol", &MarketResume::symbol)}; }
};
struct DayEnd {
  static constexpr Meta kMeta{"day.end", "end of day: expire Day orders, set closing prices", true};
  static constexpr auto fields() { return std::tuple{}; }
  friend bool operator==(const DayEnd&, const DayEnd&) = default;
};

// ---- the exchange clock (gateway/include/carbonx/gateway/clock.hpp) -----------------------------
struct ClockStatus {
  static constexpr Meta kMeta{"clock.status", "the exchange clock: mode, time, trading date", false,
                              true};
  static constexpr auto fields() { return std::tuple{}; }
  friend bool operator==(const ClockStatus&, const ClockStatus&) = default;
};
// Exactly one of "to" (2018-06-21T09:30:00+08:00) or "seconds"; never journaled (the clock's
// own file keeps it), never backwards.
struct ClockAdvance {
  static constexpr Meta kMeta{.name = "clock.advance",
                              .help = "move a simulated exchange clock forward",
                              .needs_approval = true};
  std::optional<std::string> to;
  std::optional<std::int64_t> seconds;
  static constexpr auto fields() {
    return std::tuple{may("to", &ClockAdvance::to),
                      may_in("seconds", &ClockAdvance::seconds, 1, kMaxAdvanceS)};
  }
  Problem check() const;
  friend bool operator==(const ClockAdvance&, const ClockAdvance&) = default;
};

// ---- registry (journaled registry commands, refused or not) -------------------------------------
struct AccountOpen {
  static constexpr Meta kMeta{"account.open", "open a registry account", true};
  AccountId id{0};
  registry::AccountKind kind = registry::AccountKind::kIndividual;
  MemberId member{0};
  std::uint64_t owner_entity = 0;
  std::uint32_t region_code = 0;
  std::uint16_t compliance_year = 0;  // kind retirement
  static constexpr auto fields() {
    return std::tuple{need("id", &AccountOpen::id),
                      need("kind", &AccountOpen::kind),
                      may("member", &AccountOpen::member),
                      may("owner_entity", &AccountOpen::owner_entity),
                      may("region_code", &AccountOpen::region_code),
                      may("compliance_year", &AccountOpen::compliance_year)};
  }
  friend bool operator==(const AccountOpen&, const AccountOpen&) = default;
};
struct AccountSetStatus {
  static constexpr Meta kMeta{"account.status", "set an account active, frozen or closed", true};
  AccountId account{0};
  registry::AccountStatus status = registry::AccountStatus::kActive;
  static constexpr auto fields() {
    return std::tuple{need("account", &AccountSetStatus::account),
                      need("status", &AccountSetStatus::status)};
  }
  friend bool operator==(const AccountSetStatus&, const AccountSetStatus&) = default;
};
// limit_t: tonnes per instrument, or null: the account kind's limit applies again.
struct AccountLimit {
  static constexpr Meta kMeta{"account.limit", "set or drop an account's holding limit", true};
  AccountId account{0};
  std::optional<std::int64_t> limit_t;
  static constexpr auto fields() {
    return std::tuple{need("account", &AccountLimit::account),
                      need_in("limit_t", &AccountLimit::limit_t, 0, kMaxQuantityT)};
  }
  friend bool operator==(const AccountLimit&, const AccountLimit&) = default;
};
struct CashMovement {
  TransferId transfer_id{0};  // the client's id: the same id twice takes effect once
  AccountId account{0};
  AmountFen amount_fen{0};
  std::uint64_t reference = 0;
  friend bool operator==(const CashMovement&, const CashMovement&) = default;
};
struct CashDeposit : CashMovement {
  static constexpr Meta kMeta{.name = "cash.deposit",
                              .help = "deposit cash (fen) to an account",
                              .journaled = true,
                              .needs_approval = true};
  static constexpr auto fields() {
    return std::tuple{
        need("transfer_id", &CashDeposit::transfer_id), need("account", &CashDeposit::account),
        need("amount_fen", &CashDeposit::amount_fen), may("reference", &CashDeposit::reference)};
  }
};
struct CashWithdraw : CashMovement {
  static constexpr Meta kMeta{.name = "cash.withdraw",
                              .help = "withdraw cash (fen) from an account",
                              .journaled = true,
                              .needs_approval = true};
  static constexpr auto fields() {
    return std::tuple{
        need("transfer_id", &CashWithdraw::transfer_id), need("account", &CashWithdraw::account),
        need("amount_fen", &CashWithdraw::amount_fen), may("reference", &CashWithdraw::reference)};
  }
};
struct UnitsIssue {
  static constexpr Meta kMeta{.name = "units.issue",
                              .help = "issue units of an instrument to an account",
                              .journaled = true,
                              .needs_approval = true};
  TransferId transfer_id{0};
  AccountId account{0};
  Symbol symbol;
  std::int64_t quantity_t = 0;
  std::uint64_t reference = 0;
  static constexpr auto fields() {
    return std::tuple{need("transfer_id", &UnitsIssue::transfer_id),
                      need("account", &UnitsIssue::account), need("symbol", &UnitsIssue::symbol),
                      need("quantity_t", &UnitsIssue::quantity_t),
                      may("reference", &UnitsIssue::reference)};
  }
  friend bool operator==(const UnitsIssue&, const UnitsIssue&) = default;
};
struct FirmRegister {
  static constexpr Meta kMeta{"firm.register", "register a covered firm and its account", true};
  std::string firm;
  AccountId account{0};
  MemberId member{0};
  std::string region;
  static constexpr auto fields() {
    return std::tuple{need("firm", &FirmRegister::firm), need("account", &FirmRegister::account),
                      may("member", &FirmRegister::member), may("region", &FirmRegister::region)};
  }
  friend bool operator==(const FirmRegister&, const FirmRegister&) = default;
};
// The facilities CSV (registry/data format) the server computes the allocation from.
struct AllocationTerms {
  std::uint16_t year = 0;
  std::string table_id;
  std::string csv_text;
  friend bool operator==(const AllocationTerms&, const AllocationTerms&) = default;
};
struct AllocationIssue : AllocationTerms {
  static constexpr Meta kMeta{.name = "allocation.issue",
                              .help = "compute and issue a year's free allocation",
                              .journaled = true,
                              .needs_approval = true};
  static constexpr auto fields() {
    return std::tuple{need_in("year", &AllocationIssue::year, kYearMin, kYearMax),
                      need("table_id", &AllocationIssue::table_id),
                      need("csv_text", &AllocationIssue::csv_text)};
  }
};
struct AllocationTrueUp : AllocationTerms {
  static constexpr Meta kMeta{.name = "allocation.trueup",
                              .help = "issue or take back final - pre-allocation",
                              .journaled = true,
                              .needs_approval = true};
  static constexpr auto fields() {
    return std::tuple{need_in("year", &AllocationTrueUp::year, kYearMin, kYearMax),
                      need("table_id", &AllocationTrueUp::table_id),
                      need("csv_text", &AllocationTrueUp::csv_text)};
  }
};
struct AllocationStatus {
  static constexpr Meta kMeta{"allocation.status", "a year's issuance records", false, true};
  std::uint16_t year = 0;
  static constexpr auto fields() {
    return std::tuple{need_in("year", &AllocationStatus::year, kYearMin, kYearMax)};
  }
  friend bool operator==(const AllocationStatus&, const AllocationStatus&) = default;
};
struct EmissionRow {
  std::string firm;
  std::uint16_t year = 0;
  std::int64_t emissions_t = 0;
  static constexpr auto fields() {
    return std::tuple{need("firm", &EmissionRow::firm),
                      need_in("year", &EmissionRow::year, kYearMin, kYearMax),
                      need("emissions_t", &EmissionRow::emissions_t)};
  }
  friend bool operator==(const EmissionRow&, const EmissionRow&) = default;
};
// Exactly one of "rows" or "csv_text" (registry/data's verified-emissions CSV).
struct EmissionsLoad {
  static constexpr Meta kMeta{"emissions.load", "record verified emissions", true};
  std::optional<std::vector<EmissionRow>> rows;
  std::optional<std::string> csv_text;
  static constexpr auto fields() {
    return std::tuple{may("rows", &EmissionsLoad::rows), may("csv_text", &EmissionsLoad::csv_text)};
  }
  Problem check() const;
  friend bool operator==(const EmissionsLoad&, const EmissionsLoad&) = default;
};
struct SurrenderLeg {
  Symbol symbol;
  std::int64_t quantity_t = 0;
  static constexpr auto fields() {
    return std::tuple{need("symbol", &SurrenderLeg::symbol),
                      need("quantity_t", &SurrenderLeg::quantity_t)};
  }
  friend bool operator==(const SurrenderLeg&, const SurrenderLeg&) = default;
};
struct Surrender {
  static constexpr Meta kMeta{"surrender", "surrender units for a firm's obligation", true};
  AccountId firm_account{0};
  std::uint16_t year = 0;
  MemberId member{0};  // 0: the operator; else the firm's own member
  std::vector<SurrenderLeg> legs;
  static constexpr auto fields() {
    return std::tuple{need("firm_account", &Surrender::firm_account),
                      need_in("year", &Surrender::year, kYearMin, kYearMax),
                      may("member", &Surrender::member), need("legs", &Surrender::legs)};
  }
  friend bool operator==(const Surrender&, const Surrender&) = default;
};
struct ComplianceExtension {
  static constexpr Meta kMeta{.name = "compliance.extension",
                              .help = "move a firm's surrender deadline",
                              .journaled = true,
                              .needs_approval = true};
  AccountId firm_account{0};
  std::uint16_t year = 0;
  std::int32_t date = 0;  // yyyymmdd (the registrar checks it)
  static constexpr auto fields() {
    return std::tuple{need("firm_account", &ComplianceExtension::firm_account),
                      need_in("year", &ComplianceExtension::year, kYearMin, kYearMax),
                      need("date", &ComplianceExtension::date)};
  }
  friend bool operator==(const ComplianceExtension&, const ComplianceExtension&) = default;
};
struct ComplianceExemption {
  static constexpr Meta kMeta{.name = "compliance.exemption",
                              .help = "exempt a firm from a year's obligation",
                              .journaled = true,
                              .needs_approval = true};
  AccountId firm_account{0};
  std::uint16_t year = 0;
  static constexpr auto fields() {
    return std::tuple{need("firm_account", &ComplianceExemption::firm_account),
                      need_in("year", &ComplianceExemption::year, kYearMin, kYearMax)};
  }
  friend bool operator==(const ComplianceExemption&, const ComplianceExemption&) = default;
};
struct ComplianceSettle {
  static constexpr Meta kMeta{"compliance.settle", "record the penalties of short firms", true};
  std::uint16_t year = 0;
  static constexpr auto fields() {
    return std::tuple{need_in("year", &ComplianceSettle::year, kYearMin, kYearMax)};
  }
  friend bool operator==(const ComplianceSettle&, const ComplianceSettle&) = default;
};
struct ComplianceStatus {
  static constexpr Meta kMeta{"compliance.status", "per firm: obligation, surrendered, penalty",
                              false, true};
  std::uint16_t year = 0;
  static constexpr auto fields() {
    return std::tuple{need_in("year", &ComplianceStatus::year, kYearMin, kYearMax)};
  }
  friend bool operator==(const ComplianceStatus&, const ComplianceStatus&) = default;
};

// ---- queries ------------------------------------------------------------------------------------
struct QueryBalances {
  static constexpr Meta kMeta{"query.balances", "an account's balances and holding limit", false,
                              true};
  AccountId account{0};
  static constexpr auto fields() { return std::tuple{need("account", &QueryBalances::account)}; }
  friend bool operator==(const QueryBalances&, const QueryBalances&) = default;
};
struct QueryBook {
  static constexpr Meta kMeta{"query.book", "an instrument's phase and price levels", false, true};
  Symbol symbol;
  std::int32_t depth = 10;  // levels per side; 0: every level
  static constexpr auto fields() {
    return std::tuple{need("symbol", &QueryBook::symbol),
                      may_in("depth", &QueryBook::depth, 0, 1000)};
  }
  friend bool operator==(const QueryBook&, const QueryBook&) = default;
};
struct QueryStatus {
  static constexpr Meta kMeta{"query.status", "applied seq, state hashes, ledger invariants", false,
                              true};
  static constexpr auto fields() { return std::tuple{}; }
  friend bool operator==(const QueryStatus&, const QueryStatus&) = default;
};

// ---- off-book (gateway/README.md "Off-book trading") --------------------------------------------
// end_ts (ns) or duration_s from start_ts (ns; default: the command's stamp).
struct AuctionOpen {
  static constexpr Meta kMeta{"auction.open", "open a one-way bidding auction", true};
  AccountId seller{0};
  Symbol symbol;
  QuantityT quantity_t{0};
  PriceFen reserve_fen{0};
  std::optional<TimestampNs> start_ts;
  std::optional<TimestampNs> end_ts;
  std::optional<std::int64_t> duration_s;
  QuantityT min_bid_t{0};
  std::uint32_t max_share_bp = 5000;
  AuctionPricing pricing = AuctionPricing::kPayAsBid;
  std::uint32_t min_fill_bp = 0;
  static constexpr auto fields() {
    return std::tuple{need("seller", &AuctionOpen::seller),
                      need("symbol", &AuctionOpen::symbol),
                      need("quantity_t", &AuctionOpen::quantity_t),
                      need("reserve_fen", &AuctionOpen::reserve_fen),
                      may("start_ts", &AuctionOpen::start_ts),
                      may("end_ts", &AuctionOpen::end_ts),
                      may_in("duration_s", &AuctionOpen::duration_s, 0, kMaxAdvanceS),
                      may("min_bid_t", &AuctionOpen::min_bid_t),
                      may("max_share_bp", &AuctionOpen::max_share_bp),
                      may("pricing", &AuctionOpen::pricing),
                      may("min_fill_bp", &AuctionOpen::min_fill_bp)};
  }
  Problem check() const;
  friend bool operator==(const AuctionOpen&, const AuctionOpen&) = default;
};
struct AuctionClose {
  static constexpr Meta kMeta{"auction.close", "close an auction and clear it", true};
  OffBookId auction_id{0};
  static constexpr auto fields() {
    return std::tuple{need("auction_id", &AuctionClose::auction_id)};
  }
  friend bool operator==(const AuctionClose&, const AuctionClose&) = default;
};
struct AuctionList {
  static constexpr Meta kMeta{"auction.list", "open auctions with their bids", false, true};
  static constexpr auto fields() { return std::tuple{}; }
  friend bool operator==(const AuctionList&, const AuctionList&) = default;
};
// Dates "2027-06-28" or 20270628. surrender_deadline: default the repo party's own, if a firm.
struct RepoFile {
  static constexpr Meta kMeta{"repo.file", "file a repo with both parties' confirmations", true};
  AccountId repo_party{0};
  AccountId reverse_party{0};
  Symbol symbol;
  QuantityT quantity_t{0};
  PriceFen start_price_fen{0};
  PriceFen repurchase_price_fen{0};
  Date end_date;
  std::optional<Date> surrender_deadline;
  static constexpr auto fields() {
    return std::tuple{need("repo_party", &RepoFile::repo_party),
                      need("reverse_party", &RepoFile::reverse_party),
                      need("symbol", &RepoFile::symbol),
                      need("quantity_t", &RepoFile::quantity_t),
                      need("start_price_fen", &RepoFile::start_price_fen),
                      need("repurchase_price_fen", &RepoFile::repurchase_price_fen),
                      need("end_date", &RepoFile::end_date),
                      may("surrender_deadline", &RepoFile::surrender_deadline)};
  }
  friend bool operator==(const RepoFile&, const RepoFile&) = default;
};
// {}: every open repo whose end date has come; {"repo_id"}: that one early (both consented).
struct RepoMature {
  static constexpr Meta kMeta{"repo.mature", "repurchase due repos, or one early", true};
  std::optional<OffBookId> repo_id;
  static constexpr auto fields() { return std::tuple{may("repo_id", &RepoMature::repo_id)}; }
  friend bool operator==(const RepoMature&, const RepoMature&) = default;
};
struct RepoResolveDefault {
  static constexpr Meta kMeta{.name = "repo.resolve_default",
                              .help = "resolve a defaulted repo",
                              .journaled = true,
                              .needs_approval = true};
  OffBookId repo_id{0};
  static constexpr auto fields() {
    return std::tuple{need("repo_id", &RepoResolveDefault::repo_id)};
  }
  friend bool operator==(const RepoResolveDefault&, const RepoResolveDefault&) = default;
};
struct RepoList {
  static constexpr Meta kMeta{"repo.list", "open, proposed, defaulted repos; maturities", false,
                              true};
  std::optional<Date> from;
  std::optional<Date> to;
  static constexpr auto fields() {
    return std::tuple{may("from", &RepoList::from), may("to", &RepoList::to)};
  }
  friend bool operator==(const RepoList&, const RepoList&) = default;
};
struct AgreementList {
  static constexpr Meta kMeta{"agreement.list", "open agreement transfer reports", false, true};
  static constexpr auto fields() { return std::tuple{}; }
  friend bool operator==(const AgreementList&, const AgreementList&) = default;
};

// ---- members (the gateway's members file: credentials, not exchange state, not journaled) -------
struct MemberList {
  static constexpr Meta kMeta{"member.list", "members and CompIDs (authority: authority.list)",
                              false,         true,
                              false,         Route::kMembers};
  static constexpr auto fields() { return std::tuple{}; }
  friend bool operator==(const MemberList&, const MemberList&) = default;
};
struct MemberAdd {
  // accounts: granted (journaled authority.grant) at the next start, with the member's session.
  static constexpr Meta kMeta{"member.add", "add a member (its FIX session from the next start)",
                              false,        false,
                              false,        Route::kMembers};
  std::uint32_t id = 0;
  std::string comp_id;
  std::string username;
  std::string password;
  bool cancel_on_disconnect = true;
  std::vector<std::uint32_t> accounts;
  static constexpr auto fields() {
    return std::tuple{need("id", &MemberAdd::id),
                      need("comp_id", &MemberAdd::comp_id),
                      need("username", &MemberAdd::username),
                      need("password", &MemberAdd::password),
                      may("cancel_on_disconnect", &MemberAdd::cancel_on_disconnect),
                      may("accounts", &MemberAdd::accounts)};
  }
  friend bool operator==(const MemberAdd&, const MemberAdd&) = default;
};
struct MemberSetPassword {
  static constexpr Meta kMeta{
      "member.set_password", "set a member's FIX logon password", false, false, false,
      Route::kMembers};
  std::uint32_t id = 0;
  std::string password;
  static constexpr auto fields() {
    return std::tuple{need("id", &MemberSetPassword::id),
                      need("password", &MemberSetPassword::password)};
  }
  friend bool operator==(const MemberSetPassword&, const MemberSetPassword&) = default;
};

// ---- member authority (journaled registry commands; the one record of who may act for what) ----
struct AuthorityGrant {
  static constexpr Meta kMeta{"authority.grant",
                              "let a member act for an account over FIX (journaled)", true};
  MemberId member{0};
  AccountId account{0};
  static constexpr auto fields() {
    return std::tuple{need("member", &AuthorityGrant::member),
                      need("account", &AuthorityGrant::account)};
  }
  friend bool operator==(const AuthorityGrant&, const AuthorityGrant&) = default;
};
struct AuthorityRevoke {
  static constexpr Meta kMeta{"authority.revoke", "stop a member acting for an account (journaled)",
                              true};
  MemberId member{0};
  AccountId account{0};
  static constexpr auto fields() {
    return std::tuple{need("member", &AuthorityRevoke::member),
                      need("account", &AuthorityRevoke::account)};
  }
  friend bool operator==(const AuthorityRevoke&, const AuthorityRevoke&) = default;
};
// {} every pair; "member" and/or "account" narrow it.
struct AuthorityList {
  static constexpr Meta kMeta{"authority.list", "which member may act for which account", false,
                              true};
  std::optional<MemberId> member;
  std::optional<AccountId> account;
  static constexpr auto fields() {
    return std::tuple{may("member", &AuthorityList::member),
                      may("account", &AuthorityList::account)};
  }
  friend bool operator==(const AuthorityList&, const AuthorityList&) = default;
};

// ---- the firm portal (gateway/src/console/README.md "Firm portal"): one firm's own view -------
// A console firm officer may call these (and `surrender`) for its own firm's account only.
struct FirmOverview {
  static constexpr Meta kMeta{
      "firm.overview", "a firm's holdings, obligation, offset cap and surrenders", false, true};
  AccountId firm_account{0};
  std::optional<std::uint16_t> year;  // none: the year whose deadline is next (exchange clock)
  static constexpr auto fields() {
    return std::tuple{need("firm_account", &FirmOverview::firm_account),
                      may_in("year", &FirmOverview::year, kYearMin, kYearMax)};
  }
  friend bool operator==(const FirmOverview&, const FirmOverview&) = default;
};
// The body of `surrender`; the registrar's decision on it now, nothing applied (no seq).
struct SurrenderPreview {
  static constexpr Meta kMeta{"surrender.preview",
                              "every surrender rule checked by the registrar, nothing changed",
                              false, true};
  AccountId firm_account{0};
  std::uint16_t year = 0;
  MemberId member{0};
  std::vector<SurrenderLeg> legs;
  static constexpr auto fields() {
    return std::tuple{need("firm_account", &SurrenderPreview::firm_account),
                      need_in("year", &SurrenderPreview::year, kYearMin, kYearMax),
                      may("member", &SurrenderPreview::member),
                      need("legs", &SurrenderPreview::legs)};
  }
  friend bool operator==(const SurrenderPreview&, const SurrenderPreview&) = default;
};
// The certificate of the accepted surrender journaled at `seq`, of the firm on firm_account.
struct SurrenderCertificate {
  static constexpr Meta kMeta{"surrender.certificate",
                              "an accepted surrender's certificate, by its journal seq", false,
                              true};
  AccountId firm_account{0};
  std::uint64_t seq = 0;
  static constexpr auto fields() {
    return std::tuple{need("firm_account", &SurrenderCertificate::firm_account),
                      need("seq", &SurrenderCertificate::seq)};
  }
  friend bool operator==(const SurrenderCertificate&, const SurrenderCertificate&) = default;
};
// An account's committed movements with a trading date (CST) in from..to, both included.
struct FirmStatement {
  static constexpr Meta kMeta{
      "firm.statement", "an account's movements over a period (trading dates, CST)", false, true};
  AccountId account{0};
  Date from;
  Date to;
  static constexpr auto fields() {
    return std::tuple{need("account", &FirmStatement::account), need("from", &FirmStatement::from),
                      need("to", &FirmStatement::to)};
  }
  Problem check() const {
    if (to < from) return "\"to\" is before \"from\"";
    return std::nullopt;
  }
  friend bool operator==(const FirmStatement&, const FirmStatement&) = default;
};

// Every verb, once: the table (verbs.hpp) is this list in this order.
using Request =
    std::variant<MarketOpen, MarketClose, MarketHalt, MarketResume, DayEnd, ClockStatus,
                 ClockAdvance, AccountOpen, AccountSetStatus, AccountLimit, CashDeposit,
                 CashWithdraw, UnitsIssue, FirmRegister, AllocationIssue, AllocationTrueUp,
                 AllocationStatus, EmissionsLoad, Surrender, ComplianceExtension,
                 ComplianceExemption, ComplianceSettle, ComplianceStatus, QueryBalances, QueryBook,
                 QueryStatus, AuctionOpen, AuctionClose, AuctionList, RepoFile, RepoMature,
                 RepoResolveDefault, RepoList, AgreementList, MemberList, MemberAdd,
                 MemberSetPassword, AuthorityGrant, AuthorityRevoke, AuthorityList, FirmOverview,
                 SurrenderPreview, SurrenderCertificate, FirmStatement>;

}  // namespace carbonx::verbs
