#pragma once
// carbonxd's exchange path on a data directory, without sockets, FIX session layer or threads:
// FixRequests (through the edge) and operator verbs go straight to the ExchangeDriver that
// carbonxd runs (core, ledger, registrar, LMDB store); restart() is what a restart of carbonxd
// does to it (a new driver through the same recovery code on the same store; the member
// directory and the FIX sessions are the process's own and stay). For tests that need many commands
// fast (exact_restart_test) or that look inside the driver (store_reads_test).
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "carbonx/engine/instrument.hpp"
#include "carbonx/gateway/clock.hpp"
#include "carbonx/gateway/exchange_driver.hpp"
#include "carbonx/gateway/fix_engine.hpp"
#include "carbonx/gateway/members.hpp"
#include "carbonx/gateway/operator_verbs.hpp"
#include "carbonx/gateway/session_edge.hpp"

namespace carbonx::gateway::testing {

namespace fs = std::filesystem;

// MEMBER1 (accounts 1001, 1002), MEMBER2 (1003, 1004), MEMBER3 (1005, 1006).
inline std::vector<MemberSeed> members() {
  return {MemberSeed{1, "MEMBER1", "member1", "member1-pass", false, {1001, 1002}},
          MemberSeed{2, "MEMBER2", "member2", "member2-pass", false, {1003, 1004}},
          MemberSeed{3, "MEMBER3", "member3", "member3-pass", false, {1005, 1006}}};
}

struct NullHandler : FixEngineHandler {
  std::string authenticate(SessionIndex, const std::string&, const std::string&) override {
    return "";
  }
  void on_logon(SessionIndex) override {}
  void on_logout(SessionIndex) override {}
  void on_request(SessionIndex, const FixRequest&) override {}
};

// carbonxd's exchange path on one data directory, without sockets; restart() is what a restart
// of carbonxd does to it (the member directory and the FIX sessions are the process's own).
class Exchange {
 public:
  // store_max_mb: [server] store_max_mb (0: the default, 1 TiB).
  Exchange(const fs::path& dir, const ExchangeConfig& exchange, ExchangeClock& clock,
           std::uint32_t store_max_mb = 0)
      : exchange_(exchange), clock_(clock) {
    config_.data_dir = (dir / "data").string();
    config_.durability = DurabilityMode::kNoSync;
    config_.store_max_mb = store_max_mb;
    config_.members = members();
    const bool fresh = !fs::exists(dir / "data");
    std::string detail;
    if (fresh) {
      EXPECT_TRUE(init_exchange(config_, &detail)) << detail;
    }
    auto m = MemberDirectory::open((dir / "data" / "gateway").string(), &detail,
                                   PasswordHashCost::kMinimum);
    EXPECT_TRUE(m.ok()) << detail;
    members_ = std::move(m).value();
    if (fresh) {
      EXPECT_TRUE(members_->add_all(config_.members).ok());
    }
    FixEngineConfig fc;
    fc.dictionary_path = CARBONX_FIX_DICTIONARY;
    fc.store_dir = (dir / "data" / "fixstore").string();
    fc.memory_store = true;
    std::string error;
    fix_ = FixEngine::create(fc, &handler_, &error);
    EXPECT_NE(fix_, nullptr) << error;
    for (const MemberSeed& s : config_.members)
      sessions_.push_back(fix_->add_session(s.comp_id));
    edge_ = std::make_unique<SessionEdge>(exchange_.instruments, *members_, *fix_, authority_);
    restart();
  }
  void restart() {
    driver_.reset();  // closes the store, as the process's exit does
    std::string error;
    driver_ =
        ExchangeDriver::create(config_, exchange_, *members_, *fix_, authority_, &error, &clock_);
    ASSERT_NE(driver_, nullptr) << error;
    operator_edge_ = std::make_unique<edge::OperatorEdge>(driver_->registrar().config());
  }
  ExchangeDriver& driver() { return *driver_; }
  // A FIX request of `session` as carbonxd's FIX thread hands it to the sequencer.
  Inbound fix_inbound(SessionIndex session, const FixRequest& q) {
    Inbound in;
    in.session = session;
    in.item = edge_->translate(session, q);
    return in;
  }
  // An operator verb as carbonxd's operator API hands it to the sequencer: parsed once and
  // completed by the operator edge (operator_verbs.hpp). The body must be accepted there.
  Inbound operator_inbound(std::uint64_t ticket, const std::string& verb,
                           const std::string& body = "{}") {
    auto request = parse_operator_request(*operator_edge_, verb, body);
    EXPECT_TRUE(request.ok()) << verb << " " << body << ": "
                              << (request.ok() ? "" : request.error().json);
    Inbound in;
    in.item = OperatorRequest{
        ticket, request.ok() ? std::move(request).value() : verbs::Request{verbs::QueryStatus{}}};
    return in;
  }
  SessionIndex session(std::size_t member) const { return sessions_[member]; }
  MemberDirectory& member_directory() { return *members_; }
  const edge::PublishedAuthority& authority() const { return authority_; }
  const ServerConfig& config() const { return config_; }
  const std::string& comp_id(SessionIndex s) const { return fix_->member_comp_id(s); }

 private:
  ServerConfig config_;
  const ExchangeConfig& exchange_;
  ExchangeClock& clock_;
  NullHandler handler_;
  std::unique_ptr<MemberDirectory> members_;
  std::unique_ptr<FixEngine> fix_;
  std::vector<SessionIndex> sessions_;
  edge::PublishedAuthority authority_;  // before the edge and the driver that use it
  std::unique_ptr<SessionEdge> edge_;
  std::unique_ptr<ExchangeDriver> driver_;
  std::unique_ptr<edge::OperatorEdge> operator_edge_;
};

// The sample instruments (gateway/config/instruments.toml).
inline ExchangeConfig sample_exchange() {
  std::ifstream in(std::string(CARBONX_GATEWAY_CONFIG_DIR) + "/instruments.toml");
  std::stringstream s;
  s << in.rdbuf();
  auto parsed = parse_exchange_config(s.str());
  EXPECT_TRUE(parsed.ok());
  return parsed.value();
}

}  // namespace carbonx::gateway::testing
