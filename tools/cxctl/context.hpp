#pragma once
// cxctl's shared context: the global options, the server configuration, the operator channel
// (server or in-process) and the one-line error convention.
//
// Exit codes: 0 success; 1 the operation failed (one line on stderr: "cxctl: <what>"); 2 bad
// usage (CLI11's message). Nothing is changed when a command fails before its first verb.

#include <cstdint>
#include <memory>
#include <optional>
#include <stdexcept>
#include <string>
#include <string_view>
#include <vector>

#include "carbonx/engine/instrument.hpp"
#include "carbonx/gateway/config.hpp"
#include "carbonx/tools/operator_client.hpp"
#include "carbonx/verbs/verbs.hpp"

namespace carbonx::cxctl {

// Thrown by command handlers; main() prints "cxctl: <message>" and exits 1.
struct Failure : std::runtime_error {
  using std::runtime_error::runtime_error;
};

enum class Mode : std::uint8_t { kAuto = 0, kServer, kInProcess };

struct Options {
  std::string config_path;  // carbonxd.toml; "" -> $CARBONX_CONFIG, else the repo's sample
  std::string token_file;   // the operator token; "" -> <data_dir>/operator.token
  std::string tls_ca_file;  // operator_tls: the CA (PEM) to verify with; "" -> [server] tls_cert
  std::string mode = "auto";
  std::string format = "table";  // table | csv | json
  bool quiet = false;
};

class Context {
 public:
  explicit Context(const Options& o) : options_(o) {}

  const Options& options() const { return options_; }
  // The server configuration (loaded once). Failure if it cannot be read.
  const gateway::ServerConfig& config();
  // The instruments file named by the configuration, parsed.
  const ExchangeConfig& exchange();
  std::string store_dir();  // <data_dir>/store

  // The operator channel: the running server (auto: when its operator port answers) or the
  // driver in-process on the store. Opened once.
  tools::OperatorChannel& channel();
  // Calls the verb `request` holds: its name and JSON body come from the verb table
  // (carbonx::verbs, shared with carbonxd). Failure (naming the verb) on a transport error or a
  // refusal.
  std::string call(const verbs::Request& request);
  // Like call() but a refusal is returned (ok=false) instead of thrown.
  tools::Reply call_reply(const verbs::Request& request);
  // A verb of the table by name with a body as the operator wrote it (`cxctl verb <name>
  // --json`): checked by the table's parser here first, so a malformed body fails before it is
  // sent (the same one-line error the server would give).
  std::string call_text(std::string_view verb, const std::string& body_json);

  // Progress on stderr for long operations ("issue 12/52").
  void progress(const std::string& what, std::size_t done, std::size_t total) const;
  void say(const std::string& line) const;  // stdout unless --quiet

 private:
  tools::Reply send(std::string_view verb, const std::string& body_json);
  std::string checked(std::string_view verb, const tools::Reply& r);

  const Options& options_;
  std::optional<gateway::ServerConfig> config_;
  std::optional<ExchangeConfig> exchange_;
  std::unique_ptr<tools::OperatorChannel> channel_;
};

// The in-process channel: gateway::Server::create on the configured data directory (the same
// ExchangeDriver carbonxd runs), each verb applied and committed as one batch.
std::unique_ptr<tools::OperatorChannel> make_in_process_channel(const gateway::ServerConfig& config,
                                                                std::string* error);

// Reads a whole file; Failure naming it.
std::string read_file(const std::string& path);
void write_file(const std::string& path, const std::string& text);

}  // namespace carbonx::cxctl
