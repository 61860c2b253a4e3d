#pragma once
// The operator API: HTTP/1.1 + JSON on 127.0.0.1 (Boost.Beast), every request authenticated with
// "Authorization: Bearer <operator_token>". One verb per path: POST /v1/<verb> with a JSON body.
//
//   market.open | market.close | market.halt | market.resume  {"symbol": "GDEA2017"} (or all)
//   day.end                                                   {}
//   Registry verbs (journaled registry commands, src/operator_registry.cpp; a refusal answers
//   400/409 {"ok": false, "error", "detail", "seq"} and is journaled too):
//   account.open    {"id": 1001, "kind": "investment_institution", "member": 1}
//                   (kind retirement needs "compliance_year")
//   account.status  {"account": 1001, "status": "active" | "frozen" | "closed"}
//   account.limit   {"account": 1001, "limit_t": 500000 (per instrument) | null (the kind's)}
//   cash.deposit | cash.withdraw {"transfer_id": 7, "account": 1001, "amount_fen": 100000}
//   units.issue     {"transfer_id": 8, "account": 1001, "symbol": "GDEA2017", "quantity_t": 500}
//   firm.register   {"firm": "GDPWR01", "account": 100029, "member": 29, "region": "guangdong"}
//   allocation.issue | allocation.trueup {"year": 2017, "table_id": "...", "csv_text": "..."}
//   emissions.load  {"rows": [{"firm", "year", "emissions_t"}]} or {"csv_text": "..."}
//   surrender       {"firm_account", "year", "member" (0 = operator), "legs": [{"symbol",
//                   "quantity_t"}]}
//   compliance.extension {"firm_account", "year", "date": yyyymmdd}
//   compliance.exemption {"firm_account", "year"}     compliance.settle {"year"}
//   compliance.status | allocation.status {"year"}   (read-only JSON)
//   query.balances  {"account": 1001}      query.book {"symbol": "GDEA2017", "depth": 5}
//   query.status    {}                     (applied seq, state hashes, ledger invariants, clock)
//   clock.status    {}                     (mode wall|simulated, now, trading_date)
//   clock.advance   {"to": "2018-06-21T09:30:00+08:00"} or {"seconds": 86400}: moves a
//                   simulated exchange clock forward (clock.hpp); 409 backwards or on the wall
//                   clock, 400 malformed; logged and kept in <data_dir>/gateway/clock
//   auction.open | auction.close | auction.list, repo.file | repo.mature | repo.resolve_default |
//   repo.list, agreement.list: off-book trading (gateway/README.md "Off-book trading")
//   member.list {}  member.add {"id", "comp_id", "username", "password", "accounts": [...]}
//   member.set_password {"id", "password"}   member.set_accounts {"id", "accounts": [...]}
//
// State verbs go through the sequencer like FIX orders: the HTTP reply is written only after the
// batch holding the change is durable. Member verbs change the gateway's members file directly
// (they are not exchange state); a new member's FIX session exists from the next start.
//
// Limits: max_body_bytes per request, max_connections concurrent connections.
// Thread-safety: runs on the server's io_context; complete() may be called from any thread.

#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>

namespace carbonx::gateway {

class Server;

class OperatorApi {
 public:
  static constexpr std::size_t kMaxBodyBytes = 64 * 1024;
  static constexpr std::size_t kMaxConnections = 64;

  OperatorApi(boost::asio::io_context& io, Server& server, std::uint16_t port, std::string token);
  ~OperatorApi();
  bool start(std::string* error);
  void stop();
  std::uint16_t port() const { return port_; }

  // The reply to a request that went through the sequencer (sender thread).
  void complete(std::uint64_t ticket, std::uint32_t http_status, std::string json);

  class Session;

 private:
  void accept_next();
  friend class Session;

  boost::asio::io_context& io_;
  Server& server_;
  std::uint16_t requested_port_;
  std::uint16_t port_ = 0;
  std::string token_;
  boost::asio::ip::tcp::acceptor acceptor_;
  std::mutex mutex_;
  std::uint64_t next_ticket_ = 1;
  std::map<std::uint64_t, std::shared_ptr<Session>> waiting_;  // kept alive until replied
  std::size_t connections_ = 0;
};

}  // namespace carbonx::gateway
