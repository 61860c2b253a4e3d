// The in-process operator channel: carbonxd's own Server components on the data directory, with
// no thread and no socket. Each verb is applied by the same ExchangeDriver carbonxd runs and
// committed as one batch before the reply is returned: one code path for state changes.
#include <chrono>

#include "carbonx/gateway/exchange_driver.hpp"
#include "carbonx/gateway/operator_verbs.hpp"
#include "carbonx/gateway/server.hpp"
#include "context.hpp"

namespace carbonx::cxctl {
namespace {

class InProcessChannel final : public tools::OperatorChannel {
 public:
  InProcessChannel(std::unique_ptr<gateway::Server> server, std::string data_dir)
      : server_(std::move(server)), data_dir_(std::move(data_dir)) {}

  // The edge's one parse (gateway/operator_verbs.hpp), then the driver, as carbonxd does; a
  // refused body never reaches it.
  Result<tools::Reply, tools::ChannelFailure> call(std::string_view verb,
                                                   const std::string& body) override {
    auto parsed = gateway::parse_operator_request(server_->operator_edge(), verb, body);
    if (!parsed.ok()) return tools::Reply{parsed.error().http_status, parsed.error().json};
    if (verbs::meta_of(parsed.value()).route == verbs::Route::kMembers) {
      gateway::OperatorReply r = gateway::apply_member_verb(server_->members(), parsed.value());
      return tools::Reply{r.http_status, std::move(r.json)};
    }
    gateway::Inbound in;
    in.item = gateway::OperatorRequest{1, std::move(parsed.value())};
    std::vector<gateway::Delivery> out;
    server_->driver().apply(stamp(), in, out);
    if (const auto st = server_->driver().commit(); !st.ok()) {
      // Nothing of the verb is on disk: say why (e.g. "exchange storage full: the disk is full").
      const auto& driver = static_cast<const gateway::ExchangeDriver&>(server_->driver());
      return Err(tools::ChannelFailure{tools::ChannelError::kUnavailable,
                                       "not done, nothing was written: " + driver.refusal()});
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
