// cxctl cluster status: a replicated exchange ([replica], gateway/replica/README.md) as etcd
// sees it: each member's health, the log's tail, the leader, each replica's reported applied
// seq and its lag behind the tail. Read from etcd itself, so it works with every carbonxd down.
#include <chrono>
#include <cstdio>
#include <map>
#include <nlohmann/json.hpp>

#include "carbonx/replica/replicated_log.hpp"
#include "commands.hpp"

namespace carbonx::cxctl {
namespace {

using json = nlohmann::json;

std::uint64_t seq_of(const std::string& text) {
  std::uint64_t v = 0;
  for (const char c : text) {
    if (c < '0' || c > '9') return 0;
    v = v * 10 + static_cast<std::uint64_t>(c - '0');
  }
  return v;
}

void cluster_status(Context& ctx) {
  const gateway::ServerConfig& config = ctx.config();
  if (!config.replica) {
    throw Failure("the configuration has no [replica] table: this exchange is not replicated");
  }
  const gateway::ReplicaConfig& rc = *config.replica;
  const replica::LogKeys keys{rc.prefix};
  const auto timeout = std::chrono::milliseconds(rc.etcd_timeout_ms);
  json members = json::array();
  std::optional<replica::EtcdClient> good;
  for (const gateway::EtcdEndpoint& e : rc.endpoints) {
    replica::EtcdClient client(e.address, e.port, timeout);
    auto r = client.range(keys.tail());
    json m{{"endpoint", client.endpoint()}, {"healthy", r.ok()}};
    if (r.ok()) {
      m["revision"] = r.value().revision;
      if (!good) good.emplace(e.address, e.port, timeout);
    } else {
      m["error"] = r.error().text;
    }
    members.push_back(m);
  }
  json out{{"prefix", rc.prefix}, {"etcd", members}};
  if (!good) {
    if (ctx.options().format == "json") std::printf("%s\n", out.dump(2).c_str());
    for (const json& m : members)
      std::fprintf(stderr, "etcd %s: %s\n", m.at("endpoint").get<std::string>().c_str(),
                   m.at("error").get<std::string>().c_str());
    throw Failure("no etcd member of [replica] endpoints answers");
  }
  auto fail = [](const std::string& what, const replica::EtcdError& e) {
    throw Failure("etcd: " + what + ": " + e.text);
  };
  auto leader = good->range(keys.leader());
  if (!leader) fail("the leader key", leader.error());
  auto exchange = good->range(rc.prefix + "exchange");
  if (!exchange) fail("the exchange key", exchange.error());
  auto applied = good->range(keys.applied_dir(), replica::prefix_end(keys.applied_dir()));
  if (!applied) fail("the applied seqs", applied.error());
  const std::string role_dir = rc.prefix + "role/";
  auto roles = good->range(role_dir, replica::prefix_end(role_dir));
  if (!roles) fail("the reported roles", roles.error());
  std::map<std::string, std::string> reported;  // "deposed: why", "standby", ...
  for (const auto& kv : roles.value().kvs)
    reported[kv.key.substr(role_dir.size())] = kv.value;
  replica::Reader reader(*good, rc.prefix);
  auto tail = reader.tail();
  if (!tail) throw Failure("etcd: the log's tail: " + tail.error().text);
  const std::string leader_name =
      leader.value().kvs.empty() ? std::string() : leader.value().kvs[0].value;
  std::map<std::string, std::optional<std::uint64_t>> replicas;
  for (const auto& kv : applied.value().kvs) {
    replicas[kv.key.substr(keys.applied_dir().size())] = seq_of(kv.value);
  }
  if (!leader_name.empty() && !replicas.contains(leader_name)) replicas[leader_name] = {};
  out["exchange_id"] = exchange.value().kvs.empty() ? "" : exchange.value().kvs[0].value;
  out["log_tail"] = tail.value();
  out["leader"] = leader_name;
  json rows = json::array();
  for (const auto& [name, seq] : replicas) {
    // The leader is the primary; another replica is what it last reported (a deposed primary
    // or a failed standby says so, with why), a standby when it reported nothing.
    std::string role = name == leader_name ? "primary" : "standby";
    std::string problem;
    if (const auto it = reported.find(name); it != reported.end() && name != leader_name) {
      const std::string& text = it->second;
      const auto colon = text.find(": ");
      const std::string said = text.substr(0, colon);
      if (said == "deposed" || said == "failed") role = said;
      if (colon != std::string::npos) problem = text.substr(colon + 2);
    }
    json row{{"name", name}, {"role", role}};
    if (!problem.empty()) row["problem"] = problem;
    row["applied_seq"] = seq ? json(*seq) : json(nullptr);
    row["lag"] = seq ? json(tail.value() > *seq ? tail.value() - *seq : 0) : json(nullptr);
    rows.push_back(row);
  }
  out["replicas"] = rows;
  if (ctx.options().format == "json") {
    std::printf("%s\n", out.dump(2).c_str());
    return;
  }
  std::printf("cluster %s (exchange %s): log tail seq %llu, leader %s\n", rc.prefix.c_str(),
              out["exchange_id"].get<std::string>().c_str(),
              static_cast<unsigned long long>(tail.value()),
              leader_name.empty() ? "NONE (no replica leads: nothing is acknowledged)"
                                  : leader_name.c_str());
  std::printf("%-16s %-8s %12s %8s\n", "replica", "role", "applied_seq", "lag");
  for (const json& r : rows) {
    std::printf("%-16s %-8s %12s %8s\n", r["name"].get<std::string>().c_str(),
                r["role"].get<std::string>().c_str(),
                r["applied_seq"].is_null() ? "-" : r["applied_seq"].dump().c_str(),
                r["lag"].is_null() ? "-" : r["lag"].dump().c_str());
    if (r.contains("problem")) {
      std::printf("  %s\n", r["problem"].get<std::string>().c_str());
    }
  }
  for (const json& m : members) {
    std::printf("etcd %s: %s\n", m["endpoint"].get<std::string>().c_str(),
                m["healthy"].get<bool>()
                    ? ("healthy (revision " + m["revision"].dump() + ")").c_str()
                    : ("DOWN: " + m["error"].get<std::string>()).c_str());
  }
}

}  // namespace

void Commands::add_cluster(CLI::App& app) {
  CLI::App* cluster =
      add(app, "cluster", "a replicated exchange ([replica]): its replicas on etcd", nullptr);
  add(*cluster, "status",
      "roles, the leader, each replica's applied seq and lag behind the log, each etcd member's "
      "health (read from etcd: it works with every carbonxd down)",
      [this] { cluster_status(ctx_); });
}

}  // namespace carbonx::cxctl
