// cxctl's context: configuration, channel selection, errors, progress (context.hpp).
#include "context.hpp"

#include <unistd.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>
#include <sstream>

#include "carbonx/gateway/operator_token.hpp"

namespace carbonx::cxctl {

std::string read_file(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) throw Failure("cannot read " + path);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

void write_file(const std::string& path, const std::string& text) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << text;
  out.close();
  if (!out) throw Failure("cannot write " + path);
}

const gateway::ServerConfig& Context::config() {
  if (config_) return *config_;
  std::string path = options_.config_path;
  if (path.empty()) {
    const char* env = std::getenv("CARBONX_CONFIG");
    path = env != nullptr ? env : std::string(CARBONX_SOURCE_DIR) + "/gateway/config/carbonxd.toml";
  }
  auto loaded = gateway::load_server_config(path);
  if (!loaded.ok()) throw Failure(path + ": " + loaded.error().message);
  config_ = loaded.value();
  return *config_;
}

const ExchangeConfig& Context::exchange() {
  if (exchange_) return *exchange_;
  const std::string& path = config().instruments_path;
  if (path.empty()) throw Failure("the server configuration names no instruments file");
  auto parsed = parse_exchange_config(read_file(path));
  if (!parsed.ok()) throw Failure(path + ": " + parsed.error().message);
  exchange_ = parsed.value();
  return *exchange_;
}

std::string Context::store_dir() {
  return (std::filesystem::path(config().data_dir) / "store").string();
}

tools::OperatorChannel& Context::channel() {
  if (channel_) return *channel_;
  const gateway::ServerConfig& c = config();
  tools::HttpTarget target;
  target.port = c.operator_port;
  target.tls = c.operator_tls;  // verified against --tls-ca, else the server's own certificate
  target.tls_ca_file = options_.tls_ca_file.empty() ? c.tls_cert_path : options_.tls_ca_file;
  const std::string& m = options_.mode;
  if (m != "auto" && m != "server" && m != "in-process") {
    throw Failure("--mode must be auto, server or in-process");
  }
  const bool up = m != "in-process" &&
                  tools::server_listening(target.host, target.port, std::chrono::milliseconds(500));
  if (m == "server" && !up) {
    throw Failure("no carbonxd answers on 127.0.0.1:" + std::to_string(target.port) +
                  " (start it, or use --mode in-process)");
  }
  if (up) {
    // The server's token, from its data directory (or --token-file): there is no default.
    const std::string file = options_.token_file.empty() ? gateway::operator_token_path(c.data_dir)
                                                         : options_.token_file;
    auto token = gateway::read_operator_token_file(file);
    if (!token.ok()) throw Failure("operator token: " + token.error().message);
    target.token = token.value();
    channel_ = tools::make_http_channel(target);
  } else {
    if (c.replica) {  // in-process it would journal into one replica's store alone
      throw Failure("no carbonxd answers on 127.0.0.1:" + std::to_string(target.port) +
                    ", and this exchange is replicated ([replica]): cxctl changes and queries "
                    "it through a running carbonxd only (cxctl cluster status reads etcd)");
    }
    std::string error;
    channel_ = make_in_process_channel(c, &error);
    if (!channel_) throw Failure("in-process driver on " + c.data_dir + ": " + error);
  }
  return *channel_;
}

tools::Reply Context::send(std::string_view verb, const std::string& body_json) {
  auto r = channel().call(verb, body_json);
  const std::string name(verb);
  if (!r.ok()) {
    throw Failure(name + ": " + std::string(tools::to_string(r.error().code)) + ": " +
                  r.error().detail);
  }
  if (r.value().http_status == 404 && r.value().error().rfind("unknown verb", 0) == 0) {
    throw Failure(name + ": not supported by this server yet (" + channel().describe() + ")");
  }
  return r.value();
}

std::string Context::checked(std::string_view verb, const tools::Reply& r) {
  if (!r.ok()) {
    // The registrar's refusals carry the rule's numbers in "detail" (e.g. the offset cap).
    const auto j = nlohmann::json::parse(r.body, nullptr, false);
    const bool detailed = j.is_object() && j.contains("detail") && j["detail"].is_string() &&
                          !j["detail"].get<std::string>().empty();
    throw Failure(std::string(verb) + " refused: " + r.error() +
                  (detailed ? " (" + j["detail"].get<std::string>() + ")" : ""));
  }
  return r.body;
}

tools::Reply Context::call_reply(const verbs::Request& request) {
  return send(verbs::meta_of(request).name, verbs::to_json(request));
}

std::string Context::call(const verbs::Request& request) {
  const std::string_view verb = verbs::meta_of(request).name;
  return checked(verb, send(verb, verbs::to_json(request)));
}

std::string Context::call_text(std::string_view verb, const std::string& body_json) {
  auto parsed = verbs::parse(verb, body_json);
  if (!parsed.ok()) throw Failure(parsed.error().text);
  return call(parsed.value());
}

void Context::progress(const std::string& what, std::size_t done, std::size_t total) const {
  if (options_.quiet) return;
  // On a terminal the line is rewritten in place; in a log only the last state is written.
  const bool tty = ::isatty(2) != 0;
  if (!tty && done != total) return;
  std::fprintf(stderr, tty ? "\r%s %zu/%zu" : "%s %zu/%zu", what.c_str(), done, total);
  if (done == total) std::fprintf(stderr, "\n");
  std::fflush(stderr);
}

void Context::say(const std::string& line) const {
  if (!options_.quiet) std::printf("%s\n", line.c_str());
}

}  // namespace carbonx::cxctl
