#pragma once
// The core side of the operator verb table (carbonx::verbs): one handler per verb, chosen by
// std::visit over the typed request (ExchangeDriver::on_operator) — a verb without a handler
// does not compile. Core thread only; private to the gateway.
//
//   operator_verbs.cpp     market phases, day.end, clock, query.*, (member verbs: never here)
//   operator_registry.cpp  journaled registry commands (member authority too) and the
//                          registry's status queries
//   operator_offbook.cpp   auctions, repos, agreement reports
//   operator_portal.cpp    the firm portal's reads: a firm's overview, a surrender's preview
//                          (the registrar's dry run), its certificate, statements
//
// State verbs are core or registry commands numbered, stamped, applied and journaled by the
// driver; queries read the state after the commands before them. Neither parses JSON: the body
// was parsed once at the edge (carbonx/gateway/operator_verbs.hpp), and the operator edge resolved
// its symbols to instrument ids and its files to rows (carbonx/edge/operator_edge.hpp).

#include <vector>

#include "carbonx/gateway/exchange_driver.hpp"
#include "carbonx/gateway/operator_verbs.hpp"

namespace carbonx::gateway {

class OperatorHandlers {
 public:
  OperatorHandlers(ExchangeDriver& driver, TimestampNs ts, OutBatch& out)
      : d_(driver), ts_(ts), out_(out) {}

  // operator_verbs.cpp
  OperatorReply operator()(const verbs::MarketOpen& r);
  OperatorReply operator()(const verbs::MarketClose& r);
  OperatorReply operator()(const verbs::MarketHalt& r);
  OperatorReply operator()(const verbs::MarketResume& r);
  OperatorReply operator()(const verbs::DayEnd& r);
  OperatorReply operator()(const verbs::ClockStatus& r);
  OperatorReply operator()(const verbs::ClockAdvance& r);
  OperatorReply operator()(const verbs::QueryBalances& r);
  OperatorReply operator()(const verbs::QueryBook& r);
  OperatorReply operator()(const verbs::QueryStatus& r);
  OperatorReply operator()(const verbs::MemberList& r);
  OperatorReply operator()(const verbs::MemberAdd& r);
  OperatorReply operator()(const verbs::MemberSetPassword& r);
  // operator_registry.cpp
  OperatorReply operator()(const verbs::AccountOpen& r);
  OperatorReply operator()(const verbs::AccountSetStatus& r);
  OperatorReply operator()(const verbs::AccountLimit& r);
  OperatorReply operator()(const verbs::CashDeposit& r);
  OperatorReply operator()(const verbs::CashWithdraw& r);
  OperatorReply operator()(const verbs::UnitsIssue& r);
  OperatorReply operator()(const verbs::FirmRegister& r);
  OperatorReply operator()(const verbs::AllocationIssue& r);
  OperatorReply operator()(const verbs::AllocationTrueUp& r);
  OperatorReply operator()(const verbs::AllocationStatus& r);
  OperatorReply operator()(const verbs::EmissionsLoad& r);
  OperatorReply operator()(const verbs::Surrender& r);
  OperatorReply operator()(const verbs::ComplianceExtension& r);
  OperatorReply operator()(const verbs::ComplianceExemption& r);
  OperatorReply operator()(const verbs::ComplianceSettle& r);
  OperatorReply operator()(const verbs::ComplianceStatus& r);
  OperatorReply operator()(const verbs::AuthorityGrant& r);
  OperatorReply operator()(const verbs::AuthorityRevoke& r);
  OperatorReply operator()(const verbs::AuthorityList& r);
  // operator_offbook.cpp
  OperatorReply operator()(const verbs::AuctionOpen& r);
  OperatorReply operator()(const verbs::AuctionClose& r);
  OperatorReply operator()(const verbs::AuctionList& r);
  OperatorReply operator()(const verbs::RepoFile& r);
  OperatorReply operator()(const verbs::RepoMature& r);
  OperatorReply operator()(const verbs::RepoResolveDefault& r);
  OperatorReply operator()(const verbs::RepoList& r);
  OperatorReply operator()(const verbs::AgreementList& r);
  // operator_portal.cpp (the firm portal's reads)
  OperatorReply operator()(const verbs::FirmOverview& r);
  OperatorReply operator()(const verbs::SurrenderPreview& r);
  OperatorReply operator()(const verbs::SurrenderCertificate& r);
  OperatorReply operator()(const verbs::FirmStatement& r);

 private:
  // The instrument the operator edge resolved `s` to (edge::OperatorEdge), or nullptr if it was
  // not resolved (a request that did not pass the edge): then unknown_symbol() is the reply.
  const InstrumentConfig* instrument(const verbs::Symbol& s) const;
  static OperatorReply unknown_symbol(const verbs::Symbol& s);
  // A request the operator edge should have completed and did not (a caller that skipped it).
  static OperatorReply not_admitted(std::string_view verb);
  OperatorReply set_phase(Phase phase, const verbs::SymbolOrAll& r);
  // A registry command: limits checked (400, no seq), run and journaled (refused or not).
  OperatorReply registry_command(const registry::RegistryCommand& cmd);
  // An off-book core command: run, journaled; its events, or 409 with the engine's reason.
  OperatorReply offbook_command(CommandBody body);

  ExchangeDriver& d_;
  TimestampNs ts_;
  OutBatch& out_;
};

}  // namespace carbonx::gateway
