#pragma once
// carbonxd's process: wires the FIX listener, the FIX sessions, the sequencer and its CoreDriver,
// the operator API and the trading calendar. See gateway/README.md.
//
// Threads: one Asio I/O thread (FIX bytes, operator HTTP, timers), the core thread and the sender
// thread of the Sequencer. Shutdown (SIGTERM/SIGINT or stop()): stop accepting, log sessions out,
// drain and commit the queue, deliver, close.

#include <atomic>
#include <boost/asio/io_context.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/thread_pool.hpp>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <thread>
#include <vector>

#include "carbonx/edge/operator_edge.hpp"
#include "carbonx/gateway/clock.hpp"
#include "carbonx/gateway/config.hpp"
#include "carbonx/gateway/exchange_dir.hpp"
#include "carbonx/gateway/fix_engine.hpp"
#include "carbonx/gateway/fix_listener.hpp"
#include "carbonx/gateway/members.hpp"
#include "carbonx/gateway/replication.hpp"
#include "carbonx/gateway/sequencer.hpp"
#include "carbonx/gateway/session_edge.hpp"

namespace carbonx::gateway {

namespace console {
class ConsoleServer;
}

class OperatorApi;
class Calendar;

// Per-session throttle: a one-second window of at most `limit` application messages.
struct Throttle {
  std::int64_t window_start_ns = 0;
  std::uint32_t count = 0;
  // True if the message at `now_ns` is within the limit (and counts it).
  bool admit(std::int64_t now_ns, std::uint32_t limit);
};

class Server final : public FixEngineHandler, public DeliverySink, public LogonPrecheck {
 public:
  // Opens the data directory (store, members, FIX session store) and recovers; does not listen
  // yet. nullptr and *error on failure (the error names the file or key).
  static std::unique_ptr<Server> create(const ServerConfig& config, std::string* error);
  ~Server() override;

  // Starts the threads and listens. false and *error on failure.
  bool start(std::string* error);
  // Blocks until SIGTERM or SIGINT, then shuts down cleanly.
  void run_until_signal();
  // Clean shutdown (idempotent).
  void stop();

  std::uint16_t fix_port() const;
  std::uint16_t operator_port() const;
  // The operator console's port ([server] console; 0 when it is off).
  std::uint16_t console_port() const;
  // The FIX listener's connections and what it refused (after start()).
  FixListenerStats fix_listener_stats() const;
  Sequencer& sequencer() { return *sequencer_; }
  MemberDirectory& members() { return *members_; }
  FixEngine& fix() { return *fix_; }
  CoreDriver& driver() { return *driver_; }
  // The exchange clock ([server] clock_start: simulated; else the wall clock).
  ExchangeClock& clock() { return *clock_; }
  const ServerConfig& config() const { return config_; }
  // The operator edge (any thread): completes parsed operator requests (operator_verbs.hpp).
  const edge::OperatorEdge& operator_edge() const { return *operator_edge_; }
  boost::asio::io_context& io() { return io_; }
  // [replica]: this replica's role and the log (nullptr: a single process).
  const Replication* replication() const { return replication_.get(); }
  // Why a change is refused because this replica does not lead ("" when it leads or there is
  // no [replica]).
  std::string replica_refusal() const {
    return replication_ ? replication_->refusal() : std::string();
  }
  // Submits an item on behalf of the operator API or the calendar.
  bool submit(Inbound&& in) { return sequencer_->submit(std::move(in)); }

  // FixEngineHandler (FIX I/O thread).
  std::string authenticate(SessionIndex session, const std::string& username,
                           const std::string& password) override;
  void on_logon(SessionIndex session) override;
  void on_logout(SessionIndex session) override;
  void on_request(SessionIndex session, const FixRequest& request) override;

  // DeliverySink (sender thread).
  void deliver(std::vector<Delivery>& batch) override;
  void committed(const out::Batch& batch) override;

  // LogonPrecheck (I/O thread): verifies the password on a worker thread; authenticate() then
  // uses the verdict instead of hashing on the I/O thread.
  void precheck(const std::string& logon_frame, std::function<void()> resume) override;

 private:
  Server() = default;
  bool open_clock(std::string* error);
  void seed_console(const ExchangeConfig& exchange);
  void schedule_tick();
  void reject_busy(SessionIndex session, const FixRequest& request, const std::string& why);

  ServerConfig config_;
  boost::asio::io_context io_{1};
  std::unique_ptr<ExchangeClock> clock_;
  std::unique_ptr<MemberDirectory> members_;
  // Member authority as committed: published by the driver (core thread), read by edge_.
  edge::PublishedAuthority authority_;
  std::unique_ptr<FixEngine> fix_;
  std::unique_ptr<Replication> replication_;  // before driver_: the driver points to it
  std::unique_ptr<CoreDriver> driver_;
  std::unique_ptr<Sequencer> sequencer_;
  std::unique_ptr<FixListener> listener_;
  std::unique_ptr<OperatorApi> operator_api_;
  std::unique_ptr<console::ConsoleServer> console_;  // [server] console
  std::unique_ptr<Calendar> calendar_;
  std::unique_ptr<boost::asio::steady_timer> tick_timer_;
  std::vector<Throttle> throttles_;  // per session, FIX I/O thread only
  // The edge stage (gateway/edge): FIX requests -> fixed-size commands, on the FIX I/O thread.
  std::unique_ptr<SessionEdge> edge_;  // FIX I/O thread only
  // ... and operator requests: symbols -> instrument ids, files -> rows (immutable).
  std::unique_ptr<edge::OperatorEdge> operator_edge_;
  struct Verdict {
    std::string username;
    std::string password;
    std::string refusal;                // "" = accepted
    std::uint64_t members_version = 0;  // stale after any member change
    std::int64_t at_ns = 0;             // and after kVerdictTtlNs
  };
  static constexpr std::int64_t kVerdictTtlNs = 30'000'000'000;
  std::mutex verdicts_mutex_;
  std::map<std::string, Verdict> verdicts_;  // by CompID, consumed by authenticate()
  std::unique_ptr<boost::asio::thread_pool> hash_pool_;
  std::thread io_thread_;
  std::atomic<bool> stopped_{false};
  std::mutex stop_mutex_;
};

}  // namespace carbonx::gateway
