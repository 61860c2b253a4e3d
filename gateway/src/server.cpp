#include "carbonx/gateway/server.hpp"

#include <boost/asio/executor_work_guard.hpp>
#include <boost/asio/post.hpp>
#include <boost/asio/signal_set.hpp>
#include <chrono>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "carbonx/gateway/calendar.hpp"
#include "carbonx/gateway/console/console_server.hpp"
#include "carbonx/gateway/exchange_dir.hpp"
#include "carbonx/gateway/exchange_driver.hpp"
#include "carbonx/gateway/fix_wire.hpp"
#include "carbonx/gateway/operator_api.hpp"
#include "carbonx/gateway/operator_token.hpp"
#include "carbonx/gateway/tls.hpp"

namespace carbonx::gateway {

namespace asio = boost::asio;

bool Throttle::admit(std::int64_t now_ns, std::uint32_t limit) {
  if (now_ns - window_start_ns >= 1'000'000'000) {
    window_start_ns = now_ns;
    count = 0;
  }
  if (count >= limit) return false;
  ++count;
  return true;
}

namespace {

std::int64_t steady_ns() {
  return std::chrono::duration_cast<std::chrono::nanoseconds>(
             std::chrono::steady_clock::now().time_since_epoch())
      .count();
}

bool load_exchange(const ServerConfig& c, ExchangeConfig* out, std::string* error) {
  std::string text;
  if (!c.instruments_path.empty()) {
    std::ifstream in(c.instruments_path);
    if (!in) {
      *error = "cannot read instruments file " + c.instruments_path;
      return false;
    }
    std::stringstream s;
    s << in.rdbuf();
    text = s.str();
  }
  auto parsed = parse_exchange_config(text);
  if (!parsed.ok()) {
    *error = "instruments " + c.instruments_path + ": " + parsed.error().message;
    return false;
  }
  *out = std::move(parsed).value();
  return true;
}

}  // namespace

std::unique_ptr<Server> Server::create(const ServerConfig& config, std::string* error) {
  std::unique_ptr<Server> s(new Server);
  s->config_ = config;
  // Before anything in the data directory is opened or created: it must hold an exchange
  // (`carbonxd --init` made it) with a store that can be opened (exchange_dir.hpp).
  if (!check_exchange_dir(config, error)) return nullptr;
  if (config.read_only) s->config_.fix_memory_store = true;  // read-only: no session is served
  // The operator API's token: made with the exchange (--init), or here at the first start of an
  // exchange made before tokens were; there is no default. Read-only, nothing is written: a
  // missing token leaves the operator API refusing every request.
  if (!config.read_only || std::filesystem::exists(operator_token_path(config.data_dir))) {
    auto token = config.read_only ? read_operator_token_file(operator_token_path(config.data_dir))
                                  : load_or_create_operator_token(config.data_dir);
    if (!token.ok()) {
      *error = "operator token: " + token.error().message;
      return nullptr;
    }
  }
  ExchangeConfig exchange;
  if (!load_exchange(config, &exchange, error)) return nullptr;
  if (!s->open_clock(error)) return nullptr;
  std::string detail;
  auto members = MemberDirectory::open(
      (std::filesystem::path(config.data_dir) / "gateway").string(), &detail, config.password_hash);
  if (!members.ok()) {
    *error = std::string(to_string(members.error())) + ": " + detail;
    return nullptr;
  }
  s->members_ = std::move(members).value();
  std::vector<MemberSeed> seeds;  // seeded once; later changes go through the operator API
  for (const MemberSeed& seed : config.members) {
    if (!s->members_->by_id(seed.id) && !config.read_only) seeds.push_back(seed);
  }
  if (!seeds.empty()) {
    if (const auto st = s->members_->add_all(seeds); !st.ok()) {
      *error = "members in the configuration: " + std::string(to_string(st.error()));
      return nullptr;
    }
  }
  FixEngineConfig fc;
  fc.dictionary_path = CARBONX_FIX_DICTIONARY;
  fc.store_dir = (std::filesystem::path(config.data_dir) / "fixstore").string();
  fc.memory_store = s->config_.fix_memory_store;
  s->fix_ = FixEngine::create(fc, s.get(), error);
  if (!s->fix_) return nullptr;
  for (const Member& m : s->members_->all()) {
    if (s->fix_->add_session(m.comp_id, error) == kNoSession) return nullptr;
  }
  s->throttles_.resize(s->fix_->session_count());
  s->edge_ =
      std::make_unique<SessionEdge>(exchange.instruments, *s->members_, *s->fix_, s->authority_);
  auto driver = ExchangeDriver::create(config, exchange, *s->members_, *s->fix_, s->authority_,
                                       error, s->clock_.get());
  if (!driver) return nullptr;
  if (config.replica && !config.read_only) {
    // One replica of an exchange on etcd (replication.hpp): the log must be this exchange's;
    // the role is taken before anything is journaled, and only a primary journals the bootstrap.
    const auto& identity = driver->store().identity();
    s->replication_ =
        Replication::open(*config.replica, identity ? identity->id_hex() : std::string(), error);
    if (!s->replication_) return nullptr;
    if (!s->replication_->take_role(driver->store(), error)) return nullptr;
    driver->set_replication(s->replication_.get());
    if (s->replication_->leading() && !driver->start_as_primary(error)) return nullptr;
  }
  s->operator_edge_ = std::make_unique<edge::OperatorEdge>(driver->registrar().config());
  s->driver_ = std::move(driver);
  if (config.console) s->seed_console(exchange);
  s->sequencer_ = std::make_unique<Sequencer>(
      *s->driver_, *s, SequencerLimits{config.max_batch, config.queue_capacity}, s->clock_.get());
  return s;
}

// The console's live books start from the restored core (before the sequencer runs); from then
// on they follow the committed batches (committed()).
void Server::seed_console(const ExchangeConfig& exchange) {
  console_ = std::make_unique<console::ConsoleServer>(io_, *this);
  auto& driver = static_cast<ExchangeDriver&>(*driver_);
  console::AlertFeed& alerts = console_->watch(exchange);
  for (const InstrumentConfig& ins : exchange.instruments) {
    const FixReply snap = driver.book_levels(ins.id);
    std::vector<std::pair<std::int64_t, std::int64_t>> bids;
    std::vector<std::pair<std::int64_t, std::int64_t>> asks;
    for (const MdEntry& e : snap.md) {
      (e.entry_type == '0' ? bids : asks).emplace_back(e.price_fen, e.quantity_t);
    }
    console_->feed().seed(ins.id.value(), ins.code, driver.core().phase(ins.id), bids, asks);
    alerts.seed_band(ins.id, driver.core().band(ins.id));
  }
}

// The exchange clock: simulated from [server] clock_start (continued from the last advance kept
// in <data_dir>/gateway/clock; the driver then moves it past the last journaled stamp), or the
// wall clock.
bool Server::open_clock(std::string* error) {
  if (!config_.clock_start_ns) {
    clock_ = std::make_unique<ExchangeClock>();
    return true;
  }
  const auto dir = std::filesystem::path(config_.data_dir) / "gateway";
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) {
    *error = "cannot create " + dir.string() + ": " + ec.message();
    return false;
  }
  clock_ = std::make_unique<ExchangeClock>(*config_.clock_start_ns, (dir / "clock").string());
  return clock_->restore(error);
}

Server::~Server() {
  stop();
}

bool Server::start(std::string* error) {
  // TLS first: a certificate or key that cannot be used refuses the start before anything runs.
  std::shared_ptr<asio::ssl::context> tls;
  if (config_.fix_tls || config_.operator_tls) {
    tls = make_server_tls_context(config_.tls_cert_path, config_.tls_key_path, error);
    if (!tls) return false;
    std::fprintf(stderr, "carbonxd: TLS for %s (certificate %s)\n",
                 config_.fix_tls && config_.operator_tls ? "FIX and the operator API"
                 : config_.fix_tls                       ? "FIX"
                                                         : "the operator API",
                 config_.tls_cert_path.c_str());
  }
  const auto operator_tls = config_.operator_tls ? tls : nullptr;
  sequencer_->start();
  if (replication_) replication_->start(*sequencer_);
  if (config_.read_only) {
    // Inspection only: the operator API answers queries (state changes are refused with the
    // reason); no FIX session is served and the calendar does not run.
    std::fprintf(stderr, "carbonxd: READ-ONLY: %s; FIX is not served, the calendar does not run\n",
                 static_cast<ExchangeDriver&>(*driver_).refusal().c_str());
    operator_api_ = std::make_unique<OperatorApi>(
        io_, *this, config_.operator_port, operator_token_path(config_.data_dir), operator_tls);
    if (!operator_api_->start(error)) return false;
    io_thread_ = std::thread([this] {
      auto guard = asio::make_work_guard(io_);
      io_.run();
    });
    return true;
  }
  FixListenerConfig lc;
  lc.bind_address = config_.fix_bind;
  lc.port = config_.fix_port;
  lc.max_connections = config_.max_sessions;
  lc.max_pending = config_.fix_max_pending_logons;
  lc.max_pending_per_address = config_.fix_max_pending_per_address;
  lc.logon_timeout = std::chrono::milliseconds(config_.fix_logon_timeout_ms);
  hash_pool_ = std::make_unique<asio::thread_pool>(1);
  lc.precheck = this;
  if (config_.fix_tls) lc.tls = tls;
  listener_ = std::make_unique<FixListener>(io_, *fix_, lc);
  if (!listener_->start(error)) return false;
  operator_api_ = std::make_unique<OperatorApi>(
      io_, *this, config_.operator_port, operator_token_path(config_.data_dir), operator_tls);
  if (!operator_api_->start(error)) return false;
  if (console_ && !console_->start(error)) return false;
  ScheduleConfig schedule = config_.schedule;
  if (replication_ && !replication_->leading()) {
    schedule.enabled = false;  // a standby journals nothing: its primary's calendar runs
    std::fprintf(stderr, "carbonxd: STANDBY: %s\n", replication_->refusal().c_str());
  }
  calendar_ = std::make_unique<Calendar>(io_, schedule, *clock_, [this](CalendarEvent e) {
    Inbound in;
    in.item = e;
    return submit(std::move(in));
  });
  calendar_->start();
  clock_->set_on_advance([this] {  // core thread (clock.advance): the calendar re-arms on I/O
    if (!stopped_) asio::post(io_, [this] { calendar_->clock_moved(); });
  });
  std::fprintf(stderr, "carbonxd: exchange clock: %s; now %s\n", clock_->describe().c_str(),
               format_clock_time(clock_->now_ns()).c_str());
  if (const std::int64_t last = driver_->last_stamp().value(); clock_->now_ns() < last) {
    // Only the wall clock can be behind (a simulated one was moved past the journal): e.g. a
    // data directory run before on a simulated clock ahead of today.
    std::fprintf(stderr,
                 "carbonxd: warning: the exchange clock is behind the last journaled stamp %s; "
                 "commands are stamped with it until the clock passes it\n",
                 format_clock_time(last).c_str());
  }
  std::fflush(stderr);
  tick_timer_ = std::make_unique<asio::steady_timer>(io_);
  schedule_tick();
  io_thread_ = std::thread([this] {
    auto guard = asio::make_work_guard(io_);
    io_.run();
  });
  return true;
}

void Server::schedule_tick() {
  tick_timer_->expires_after(std::chrono::seconds(1));
  tick_timer_->async_wait([this](boost::system::error_code ec) {
    if (ec || stopped_) return;
    fix_->tick();
    schedule_tick();
  });
}

void Server::run_until_signal() {
  asio::io_context signals_io;
  asio::signal_set signals(signals_io, SIGINT, SIGTERM);
  signals.async_wait([](boost::system::error_code, int) {});
  signals_io.run();
  stop();
}

void Server::stop() {
  std::lock_guard lock(stop_mutex_);
  if (stopped_.exchange(true)) return;
  if (listener_) listener_->stop_accepting();
  if (operator_api_) operator_api_->stop();
  if (console_) console_->stop();
  if (clock_) clock_->set_on_advance(nullptr);
  if (calendar_) asio::post(io_, [this] { calendar_->stop(); });
  if (tick_timer_) asio::post(io_, [this] { tick_timer_->cancel(); });
  if (sequencer_) sequencer_->stop();      // drains, commits and delivers what was accepted
  if (replication_) replication_->stop();  // the follower or keep-alive; a leader resigns
  if (fix_) {
    for (SessionIndex s = 0; s < fix_->session_count(); ++s) {
      fix_->logout(s, "carbonxd is shutting down");
    }
  }
  if (hash_pool_) hash_pool_->join();
  if (io_thread_.joinable()) {
    std::this_thread::sleep_for(std::chrono::milliseconds(200));  // let Logouts flush
    if (listener_) listener_->close_all();
    std::this_thread::sleep_for(std::chrono::milliseconds(100));
    io_.stop();
    io_thread_.join();
    if (listener_) listener_->finish_all_stopped();
  }
}

std::uint16_t Server::fix_port() const {
  return listener_ ? listener_->port() : 0;
}

FixListenerStats Server::fix_listener_stats() const {
  return listener_ ? listener_->stats() : FixListenerStats{};
}

std::uint16_t Server::console_port() const {
  return console_ ? console_->port() : 0;
}

std::uint16_t Server::operator_port() const {
  return operator_api_ ? operator_api_->port() : 0;
}

std::string Server::authenticate(SessionIndex session, const std::string& username,
                                 const std::string& password) {
  const std::string& comp = fix_->member_comp_id(session);
  {
    std::lock_guard lock(verdicts_mutex_);
    const auto it = verdicts_.find(comp);
    if (it != verdicts_.end()) {
      const bool same = it->second.username == username && it->second.password == password &&
                        it->second.members_version == members_->version() &&
                        steady_ns() - it->second.at_ns < kVerdictTtlNs;
      std::string refusal = std::move(it->second.refusal);
      verdicts_.erase(it);
      if (same && refusal.empty()) refusal = replica_refusal();  // a standby logs no one on
      if (same) return refusal;
    }
  }
  std::string refusal = members_->verify(comp, username, password);  // not prechecked
  if (refusal.empty()) refusal = replica_refusal();
  return refusal;
}

void Server::precheck(const std::string& logon_frame, std::function<void()> resume) {
  const wire::Fields f = wire::decode(logon_frame);
  const auto comp = wire::get(f, 49);
  if (wire::get(f, 35) != "A" || !comp || stopped_) return resume();
  asio::post(*hash_pool_, [this, comp = *comp, user = wire::get(f, 553).value_or(""),
                           pass = wire::get(f, 554).value_or(""), resume = std::move(resume)] {
    const std::uint64_t version = members_->version();
    Verdict v{user, pass, members_->verify(comp, user, pass), version, steady_ns()};
    {
      std::lock_guard lock(verdicts_mutex_);
      verdicts_[comp] = std::move(v);
    }
    resume();
  });
}

void Server::on_logon(SessionIndex session) {
  throttles_[session] = Throttle{};
}

void Server::on_logout(SessionIndex session) {
  if (stopped_) return;
  const auto event = edge_->disconnected(session);
  if (!event) return;
  Inbound in;
  in.session = session;
  in.item = *event;
  sequencer_->submit(std::move(in));  // the driver cancels if the member asked for it
}

void Server::reject_busy(SessionIndex session, const FixRequest& q, const std::string& why) {
  FixReply r;
  r.text = why;
  if (q.kind == RequestKind::kNewOrder) {
    r.kind = ReplyKind::kExecReport;
    r.order_id = "NONE";
    r.cl_ord_id = q.cl_ord_id;
    r.exec_id = "B" + std::to_string(q.msg_seq_num);
    r.exec_type = exec_type::kRejected;
    r.ord_status = ord_status::kRejected;
    r.symbol = q.symbol;
    r.side = q.side;
    r.account = q.account;
    r.reject_code = ord_rej_reason::kOther;
  } else {
    r.kind = ReplyKind::kBusinessReject;
    r.ref_seq_num = q.msg_seq_num;
    r.ref_msg_type = q.kind == RequestKind::kCancel       ? "F"
                     : q.kind == RequestKind::kReplace    ? "G"
                     : q.kind == RequestKind::kStatus     ? "H"
                     : q.kind == RequestKind::kMassCancel ? "q"
                     : q.kind == RequestKind::kMarketData ? "V"
                     : q.kind == RequestKind::kPositions  ? "AN"
                                                          : "x";
    r.reject_code = business_reject_reason::kThrottleLimitExceeded;
  }
  fix_->send(session, r);
}

void Server::on_request(SessionIndex session, const FixRequest& request) {
  if (!throttles_[session].admit(steady_ns(), config_.throttle_msgs_per_s)) {
    return reject_busy(session, request,
                       "throttle: more than " + std::to_string(config_.throttle_msgs_per_s) +
                           " messages per second on this session; message not processed");
  }
  // The edge: names resolved here, on the session's thread; a fixed-size command crosses.
  Inbound in;
  in.session = session;
  in.item = edge_->translate(session, request);
  if (!sequencer_->submit(std::move(in))) {
    reject_busy(session, request, "system busy or shutting down: message not processed");
  }
}

void Server::committed(const out::Batch& batch) {
  if (!console_) return;
  console_->feed().on_events(batch.events);
  console_->alerts()->on_events(batch.events);
}

void Server::deliver(std::vector<Delivery>& batch) {
  fix_->deliver_begin();
  for (Delivery& d : batch) {
    if (d.session != kNoSession) {
      fix_->send(d.session, d.reply);
    } else if ((d.ticket & console::ConsoleServer::kTicketBit) != 0 && console_) {
      console_->complete(d.ticket, d.http_status, std::move(d.json));
    } else if (d.ticket != 0 && operator_api_) {
      operator_api_->complete(d.ticket, d.http_status, std::move(d.json));
    }
  }
  fix_->deliver_end();
}

}  // namespace carbonx::gateway
