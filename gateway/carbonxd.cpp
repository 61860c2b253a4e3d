// carbonxd: the exchange server (FIX 4.4 acceptor, sequencer, operator API, calendar).
// Usage: carbonxd [--config carbonxd.toml]. See gateway/README.md.
#include <sys/resource.h>

#include <cstdio>
#include <cstring>
#include <string>

#include "carbonx/gateway/server.hpp"

namespace {

// >= 2,000 FIX sessions need descriptors beyond the usual soft limit of 1,024.
void raise_fd_limit() {
  rlimit lim{};
  if (getrlimit(RLIMIT_NOFILE, &lim) == 0 && lim.rlim_cur < lim.rlim_max) {
    lim.rlim_cur = lim.rlim_max;
    setrlimit(RLIMIT_NOFILE, &lim);
  }
}

}  // namespace

int main(int argc, char** argv) {
  std::string config_path;
  for (int i = 1; i < argc; ++i) {
    if (std::strcmp(argv[i], "--config") == 0 && i + 1 < argc) {
      config_path = argv[++i];
    } else {
      std::fprintf(stderr, "usage: carbonxd [--config FILE]\n");
      return 2;
    }
  }
  raise_fd_limit();
  auto config = carbonx::gateway::load_server_config(config_path);
  if (!config.ok()) {
    std::fprintf(stderr, "carbonxd: %s\n", config.error().message.c_str());
    return 1;
  }
  std::string error;
  auto server = carbonx::gateway::Server::create(config.value(), &error);
  if (!server) {
    std::fprintf(stderr, "carbonxd: %s\n", error.c_str());
    return 1;
  }
  if (!server->start(&error)) {
    std::fprintf(stderr, "carbonxd: %s\n", error.c_str());
    server->stop();
    return 1;
  }
  std::fprintf(stderr,
               "carbonxd: FIX on port %u, operator API on 127.0.0.1:%u, data in %s, "
               "durability %s, applied seq %llu\n",
               server->fix_port(), server->operator_port(), config.value().data_dir.c_str(),
               std::string(carbonx::gateway::to_string(config.value().durability)).c_str(),
               static_cast<unsigned long long>(server->driver().applied_seq().value()));
  std::fflush(stderr);
  server->run_until_signal();
  const auto st = server->sequencer().stats();
  std::fprintf(
      stderr, "carbonxd: %llu items in %llu batches (largest %llu); apply %.3f s, commit %.3f s\n",
      static_cast<unsigned long long>(st.applied), static_cast<unsigned long long>(st.batches),
      static_cast<unsigned long long>(st.max_batch), static_cast<double>(st.apply_ns) / 1e9,
      static_cast<double>(st.commit_ns) / 1e9);
  std::fprintf(stderr, "carbonxd: stopped cleanly at seq %llu\n",
               static_cast<unsigned long long>(server->driver().applied_seq().value()));
  return 0;
}
