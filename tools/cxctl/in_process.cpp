// The in-process operator channel: carbonxd's own Server components on the data directory, with
// no thread and no socket. Each verb is applied by the same ExchangeDriver carbonxd runs and
// committed as one batch before the reply is returned: one code path for state changes.
#include <chrono>
#include <nlohmann/json.hpp>

#include "carbonx/gateway/exchange_driver.hpp"
#include "carbonx/gateway/server.hpp"
#include "context.hpp"

namespace carbonx::cxctl {
namespace {

using json = nlohmann::json;

class InProcessChannel final : public tools::OperatorChannel {
 public:
  InProcessChannel(std::unique_ptr<gateway::Server> server, std::string data_dir)
      : server_(std::move(server)), data_dir_(std::move(data_dir)) {}

  Result<tools::Reply, tools::ChannelFailure> call(std::string_view verb,
                                                   const std::string& body) override {
    if (verb.rfind("member.", 0) == 0) return member_verb(verb, body);
    gateway::Inbound in;
    in.item = gateway::OperatorRequest{1, std::string(verb), body};
    std::vector<gateway::Delivery> out;
    server_->driver().apply(stamp(), in, out);
    if (const auto st = server_->driver().commit(); !st.ok()) {
      return Err(tools::ChannelFailure{tools::ChannelError::kUnavailable,
                                       "commit failed: the store refused the batch"});
    }
    for (const gateway::Delivery& d : out) {
      if (d.ticket == 1) return tools::Reply{d.http_status, d.json};
    }
    return Err(tools::ChannelFailure{tools::ChannelError::kProtocol, "the driver gave no reply"});
  }

  std::string describe() const override { return "in-process driver on " + data_dir_; }

 private:
  // The sequencer's rule: the exchange clock's time (wall or simulated, [server] clock_start),
  // never before the last journaled stamp, never decreasing.
  TimestampNs stamp() {
    const std::int64_t now =
        std::max(server_->clock().now_ns(), server_->driver().last_stamp().value());
    last_ns_ = std::max(last_ns_ + 1, now);
    return TimestampNs(last_ns_);
  }

  // Member verbs change the gateway's members file (not exchange state), as the server does.
  tools::Reply member_verb(std::string_view verb, const std::string& body) {
    gateway::MemberDirectory& m = server_->members();
    if (verb == "member.list") {
      json rows = json::array();
      for (const gateway::Member& x : m.all()) {
        rows.push_back({{"id", x.id},
                        {"comp_id", x.comp_id},
                        {"username", x.username},
                        {"accounts", x.accounts}});
      }
      return tools::Reply{200, json{{"ok", true}, {"members", rows}}.dump()};
    }
    if (verb == "member.add") {
      const json in = json::parse(body, nullptr, false);
      if (!in.is_object()) return tools::Reply{400, R"({"ok":false,"error":"body is not JSON"})"};
      gateway::MemberSeed s;
      s.id = in.value("id", 0u);
      s.comp_id = in.value("comp_id", "");
      s.username = in.value("username", "");
      s.password = in.value("password", "");
      s.accounts = in.value("accounts", std::vector<std::uint32_t>{});
      const auto st = m.add(s);
      if (!st.ok()) {
        return tools::Reply{
            409,
            json{{"ok", false}, {"error", std::string(gateway::to_string(st.error()))}}.dump()};
      }
      return tools::Reply{200, R"({"ok":true})"};
    }
    return tools::Reply{404,
                        json{{"ok", false}, {"error", "unknown verb " + std::string(verb)}}.dump()};
  }

  std::unique_ptr<gateway::Server> server_;
  std::string data_dir_;
  std::int64_t last_ns_ = 0;
};

}  // namespace

std::unique_ptr<tools::OperatorChannel> make_in_process_channel(const gateway::ServerConfig& config,
                                                                std::string* error) {
  gateway::ServerConfig c = config;
  c.fix_memory_store = true;  // no FIX session runs in-process
  auto server = gateway::Server::create(c, error);
  if (!server) return nullptr;
  return std::make_unique<InProcessChannel>(std::move(server), c.data_dir);
}

}  // namespace carbonx::cxctl
