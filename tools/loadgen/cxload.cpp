// cxload: a FIX 4.4 load generator for carbonxd. N initiator sessions over Boost.Asio on one
// thread, orders at a configured total rate with a configurable mix, NewOrderSingle -> first
// ExecutionReport round-trip latency in a histogram. Loopback only; bounded in orders and time.
//
//   cxload --print-members 10                  # [[member]] entries for carbonxd's config
//   cxload --sessions 10 --setup               # accounts, cash, units, market open (operator API)
//   cxload --sessions 10 --rate 50000 --duration 10
//   cxload --sessions 4 --replace-ratio 0.3 --clid-prefix k1_ --report-log reports.txt
//                                              # replaces and cancels too; every report kept
//
// Session i (1-based) is CompID LOAD<i>, username load<i>, password load-pass-<i>, account
// 100000+i. Odd sessions buy, even sessions sell, around the reference price, so orders cross.
// Order n of a session has ClOrdID <prefix><n>; a replace of it <prefix><n>r, a cancel
// <prefix><n>c (a run on the same trading day needs another prefix: ClOrdIDs are unique per
// session and day). When a session's connection is lost (the server stopped or was killed) the
// run stops sending, waits for the other sessions' answers or their loss, and ends with exit
// code 4.
#include <fcntl.h>
#include <unistd.h>

#include <CLI/CLI.hpp>
#include <algorithm>
#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <chrono>
#include <cstdio>
#include <fstream>
#include <memory>
#include <random>
#include <stdexcept>
#include <string>
#include <vector>

#include "carbonx/gateway/fix_wire.hpp"

namespace {

namespace asio = boost::asio;
namespace wire = carbonx::gateway::wire;
using tcp = asio::ip::tcp;
using Clock = std::chrono::steady_clock;

struct Options {
  std::string host = "127.0.0.1";
  std::uint16_t port = 9878;
  std::uint16_t operator_port = 9879;
  std::string token;       // the operator API's bearer token (--setup)
  std::string token_file;  // or the file holding it (<data_dir>/operator.token)
  std::uint32_t sessions = 10;
  std::uint32_t first = 1;
  double rate = 10000;     // orders per second, all sessions together
  double duration_s = 10;  // load phase, seconds
  std::uint64_t max_orders = 10'000'000;
  std::string symbol = "GDEA2017";
  std::int64_t reference_fen = 1420;
  std::int64_t spread_ticks = 5;  // prices reference +- this
  double cancel_ratio = 0.0;      // fraction of acked resting orders cancelled
  double ioc_ratio = 0.5;         // fraction of orders sent IOC (they never rest)
  double replace_ratio = 0.0;     // fraction of orders followed by a replace of that order
  std::string clid_prefix;        // ClOrdIDs are <prefix><n>
  std::string report_log;         // a file: one line per ExecutionReport received
  bool setup = false;
  std::uint32_t print_members = 0;
  std::string fsync_probe;  // a file to time fdatasync on (the floor of the durable modes)
};

// Log-linear latency histogram: 1 us buckets to 1 ms, 10 us to 10 ms, 100 us to 1 s.
class Histogram {
 public:
  void record(std::int64_t ns) {
    const std::int64_t us = ns / 1000;
    std::size_t b = 0;
    if (us < 1000) {
      b = static_cast<std::size_t>(us);
    } else if (us < 10000) {
      b = 1000 + static_cast<std::size_t>((us - 1000) / 10);
    } else if (us < 1000000) {
      b = 1900 + static_cast<std::size_t>((us - 10000) / 100);
    } else {
      b = kBuckets - 1;
    }
    ++counts_[b];
    ++total_;
    max_ns_ = std::max(max_ns_, ns);
  }
  double percentile_us(double p) const {
    if (total_ == 0) return 0;
    const auto target = static_cast<std::uint64_t>(p * static_cast<double>(total_ - 1)) + 1;
    std::uint64_t seen = 0;
    for (std::size_t b = 0; b < kBuckets; ++b) {
      seen += counts_[b];
      if (seen >= target) return upper_us(b);
    }
    return upper_us(kBuckets - 1);
  }
  std::uint64_t total() const { return total_; }
  double max_us() const { return static_cast<double>(max_ns_) / 1000.0; }

 private:
  static constexpr std::size_t kBuckets = 1000 + 900 + 9900 + 1;
  static double upper_us(std::size_t b) {
    if (b < 1000) return static_cast<double>(b + 1);
    if (b < 1900) return 1000.0 + static_cast<double>(b - 1000 + 1) * 10;
    if (b < 11800) return 10000.0 + static_cast<double>(b - 1900 + 1) * 100;
    return 1e6;
  }
  std::vector<std::uint64_t> counts_ = std::vector<std::uint64_t>(kBuckets, 0);
  std::uint64_t total_ = 0;
  std::int64_t max_ns_ = 0;
};

struct Stats {
  std::uint64_t sent = 0;
  std::uint64_t acked = 0;     // first ExecutionReport that is not a reject
  std::uint64_t rejected = 0;  // first ExecutionReport is a reject
  std::uint64_t fills = 0;
  std::uint64_t cancels_sent = 0;
  std::uint64_t replaces_sent = 0;
  std::uint32_t sessions_lost = 0;  // connections closed by the server (or its death)
  std::uint64_t session_rejects = 0;
  Histogram latency;
};

class Session : public std::enable_shared_from_this<Session> {
 public:
  Session(asio::io_context& io, const Options& o, std::uint32_t index, Stats& stats,
          std::FILE* report_log)
      : socket_(io),
        o_(o),
        index_(index),
        stats_(stats),
        report_log_(report_log),
        comp_("LOAD" + std::to_string(index)),
        account_(std::to_string(100000 + index)) {}

  void connect(std::function<void(bool)> on_logon) {
    on_logon_ = std::move(on_logon);
    socket_.connect(tcp::endpoint(asio::ip::make_address(o_.host), o_.port));
    socket_.set_option(tcp::no_delay(true));
    send("A", {{98, "0"},
               {108, "30"},
               {141, "Y"},
               {553, "load" + std::to_string(index_)},
               {554, "load-pass-" + std::to_string(index_)}});
    read();
  }

  void send_order(std::mt19937_64& rng) {
    const bool buy = index_ % 2 == 1;
    std::uniform_int_distribution<std::int64_t> tick(-o_.spread_ticks, o_.spread_ticks);
    std::uniform_int_distribution<int> qty(1, 10);
    std::uniform_real_distribution<double> u(0, 1);
    const std::int64_t price = o_.reference_fen + tick(rng);
    const std::uint64_t n = next_order_++;
    const std::string clid = o_.clid_prefix + std::to_string(n);
    sent_at_.push_back(Clock::now());
    const int quantity = qty(rng);
    wire::Fields f = {{11, clid},      {1, account_},
                      {55, o_.symbol}, {54, buy ? "1" : "2"},
                      {60, now_},      {38, std::to_string(quantity)},
                      {40, "2"},       {44, price_text(price)}};
    const bool ioc = u(rng) < o_.ioc_ratio;
    if (ioc) f.push_back({59, "3"});
    send("D", f);
    ++stats_.sent;
    current_clid_.push_back(clid);
    // A replace of the order just sent (a resting one): price a tick up or down, or the quantity
    // up or down, without waiting for its acknowledgement.
    if (!ioc && o_.replace_ratio > 0 && u(rng) < o_.replace_ratio) {
      const std::string replaced = clid + "r";
      const int kind = std::uniform_int_distribution<int>(0, 3)(rng);
      const std::int64_t new_price = price + (kind == 0 ? 1 : kind == 1 ? -1 : 0);
      const int new_qty = kind == 2 ? quantity + 5 : kind == 3 ? 1 : quantity;
      send("G", {{41, clid},
                 {11, replaced},
                 {1, account_},
                 {55, o_.symbol},
                 {54, buy ? "1" : "2"},
                 {60, now_},
                 {38, std::to_string(new_qty)},
                 {40, "2"},
                 {44, price_text(new_price)}});
      ++stats_.replaces_sent;
      current_clid_.back() = replaced;
    }
    if (o_.cancel_ratio > 0 && u(rng) < o_.cancel_ratio && n > 0) {
      const std::string target = current_clid_[n - 1];
      send("F", {{41, target},
                 {11, o_.clid_prefix + std::to_string(n - 1) + "c"},
                 {55, o_.symbol},
                 {54, buy ? "1" : "2"},
                 {60, now_}});
      ++stats_.cancels_sent;
    }
  }
  bool lost() const { return lost_; }

  void logout() { send("5", {}); }
  void set_time_text(const std::string& t) { now_ = t; }

 private:
  static std::string price_text(std::int64_t fen) {
    char px[32];
    std::snprintf(px, sizeof px, "%lld.%02lld", static_cast<long long>(fen / 100),
                  static_cast<long long>(fen % 100));
    return px;
  }

  void send(const std::string& type, const wire::Fields& body) {
    auto msg = std::make_shared<std::string>(wire::encode(
        type, comp_, "CARBONX", seq_++, body, now_.empty() ? wire::utc_now_text() : now_));
    asio::async_write(socket_, asio::buffer(*msg),
                      [msg](boost::system::error_code, std::size_t) {});
  }

  void read() {
    socket_.async_read_some(asio::buffer(buf_), [self = shared_from_this()](
                                                    boost::system::error_code ec, std::size_t n) {
      if (ec) {
        if (!self->lost_) ++self->stats_.sessions_lost;
        self->lost_ = true;
        return;
      }
      self->framer_.append(self->buf_.data(), n);
      std::string frame;
      while (self->framer_.next(&frame) == 1)
        self->on_message(wire::decode(frame));
      self->read();
    });
  }

  void on_message(const wire::Fields& f) {
    const std::string type = wire::get(f, 35).value_or("");
    if (type == "A" && on_logon_) {
      on_logon_(true);
      on_logon_ = nullptr;
    } else if (type == "5" && on_logon_) {
      std::fprintf(stderr, "cxload: %s refused: %s\n", comp_.c_str(),
                   wire::get(f, 58).value_or("").c_str());
      on_logon_(false);
      on_logon_ = nullptr;
    } else if (type == "1") {
      send("0", {{112, wire::get(f, 112).value_or("")}});
    } else if (type == "3") {
      ++stats_.session_rejects;
    } else if (type == "8") {
      on_report(f);
    } else if (type == "9" && report_log_ != nullptr) {  // an OrderCancelReject
      std::fprintf(report_log_, "%s 35=9 11=%s 41=%s 39=%s\n", comp_.c_str(),
                   wire::get(f, 11).value_or("").c_str(), wire::get(f, 41).value_or("").c_str(),
                   wire::get(f, 39).value_or("").c_str());
    }
  }

  void on_report(const wire::Fields& f) {
    const std::string exec = wire::get(f, 150).value_or("");
    if (exec == "F") ++stats_.fills;
    std::string clid = wire::get(f, 11).value_or("");
    if (report_log_ != nullptr) {  // CompID and the report's fields, as received
      std::fprintf(report_log_, "%s", comp_.c_str());
      for (const int tag : {35, 150, 39, 11, 41, 37, 54, 44, 38, 14, 151, 32, 31}) {
        std::fprintf(report_log_, " %d=%s", tag, wire::get(f, tag).value_or("").c_str());
      }
      std::fputc('\n', report_log_);
    }
    if (clid.compare(0, o_.clid_prefix.size(), o_.clid_prefix) != 0) return;
    clid.erase(0, o_.clid_prefix.size());
    if (clid.empty() || clid[0] < '0' || clid[0] > '9') return;
    if (clid.find_first_not_of("0123456789") != std::string::npos) return;  // replace, cancel
    const std::uint64_t n = std::stoull(clid);
    if (n >= sent_at_.size() || sent_at_[n] == Clock::time_point{}) return;
    stats_.latency.record(
        std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - sent_at_[n]).count());
    sent_at_[n] = Clock::time_point{};  // only the first report counts
    if (exec == "8") {
      ++stats_.rejected;
    } else {
      ++stats_.acked;
    }
  }

  tcp::socket socket_;
  const Options& o_;
  std::uint32_t index_;
  Stats& stats_;
  std::FILE* report_log_ = nullptr;
  bool lost_ = false;
  std::vector<std::string> current_clid_;  // by order number: its ClOrdID after a replace sent
  std::string comp_;
  std::string account_;
  std::array<char, 65536> buf_{};
  wire::Framer framer_;
  int seq_ = 1;
  std::uint64_t next_order_ = 0;
  std::vector<Clock::time_point> sent_at_;
  std::function<void(bool)> on_logon_;
  std::string now_;
};

std::pair<int, std::string> operator_call(const Options& o, const std::string& verb,
                                          const std::string& body) {
  namespace http = boost::beast::http;
  asio::io_context io;
  boost::beast::tcp_stream stream(io);
  stream.connect(tcp::endpoint(asio::ip::make_address(o.host), o.operator_port));
  http::request<http::string_body> req(http::verb::post, "/v1/" + verb, 11);
  req.set(http::field::host, o.host);
  req.set(http::field::authorization, "Bearer " + o.token);
  req.body() = body;
  req.prepare_payload();
  http::write(stream, req);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> res;
  http::read(stream, buffer, res);
  return {static_cast<int>(res.result_int()), res.body()};
}

int setup(const Options& o) {
  for (std::uint32_t i = o.first; i < o.first + o.sessions; ++i) {
    const std::string acc = std::to_string(100000 + i);
    const auto opened = operator_call(
        o, "account.open",
        "{\"id\":" + acc + ",\"kind\":\"investment_institution\",\"member\":" + std::to_string(i) +
            "}");
    if (opened.first != 200 && opened.first != 409) {
      std::fprintf(stderr, "cxload: account.open %s: %s\n", acc.c_str(), opened.second.c_str());
      return 1;
    }
    operator_call(o, "cash.deposit",
                  "{\"transfer_id\":" + std::to_string(1000000 + i) + ",\"account\":" + acc +
                      ",\"amount_fen\":100000000000}");
    operator_call(o, "units.issue",
                  "{\"transfer_id\":" + std::to_string(2000000 + i) + ",\"account\":" + acc +
                      ",\"symbol\":\"" + o.symbol + "\",\"quantity_t\":100000000}");
  }
  const auto open = operator_call(o, "market.open", "{}");
  std::printf("setup: %u accounts funded; market.open -> %d %s\n", o.sessions, open.first,
              open.second.c_str());
  return open.first == 200 ? 0 : 1;
}

// The fsync floor: 100 times, append 4 KiB to `path` and fdatasync it; prints the percentiles.
// Run it on the disk of carbonxd's data_dir, next to a benchmark (the full_sync commit waits for
// two such syncs, no_meta_sync for one).
int fsync_probe(const std::string& path) {
  constexpr int kRounds = 100;
  const int fd = ::open(path.c_str(), O_CREAT | O_TRUNC | O_WRONLY | O_CLOEXEC, 0600);
  if (fd < 0) {
    std::fprintf(stderr, "cxload: cannot create %s\n", path.c_str());
    return 1;
  }
  const std::string block(4096, 'x');
  std::vector<std::int64_t> ns;
  for (int i = 0; i < kRounds; ++i) {
    if (::write(fd, block.data(), block.size()) != static_cast<ssize_t>(block.size())) break;
    const auto t0 = Clock::now();
    if (::fdatasync(fd) != 0) break;
    ns.push_back(std::chrono::duration_cast<std::chrono::nanoseconds>(Clock::now() - t0).count());
  }
  ::close(fd);
  ::unlink(path.c_str());
  if (ns.size() != kRounds) {
    std::fprintf(stderr, "cxload: write or fdatasync failed on %s\n", path.c_str());
    return 1;
  }
  std::sort(ns.begin(), ns.end());
  std::printf("fdatasync of 4 KiB appends (n=%d, us): p50 %lld  p90 %lld  p99 %lld  max %lld\n",
              kRounds, static_cast<long long>(ns[kRounds / 2] / 1000),
              static_cast<long long>(ns[kRounds * 9 / 10] / 1000),
              static_cast<long long>(ns[kRounds * 99 / 100] / 1000),
              static_cast<long long>(ns.back() / 1000));
  return 0;
}

void print_members(std::uint32_t n) {
  for (std::uint32_t i = 1; i <= n; ++i) {
    std::printf(
        "[[member]]\nid = %u\ncomp_id = \"LOAD%u\"\nusername = \"load%u\"\npassword = "
        "\"load-pass-%u\"\ncancel_on_disconnect = false\naccounts = [%u]\n\n",
        i, i, i, i, 100000 + i);
  }
}

int run(const Options& o) {
  asio::io_context io;
  Stats stats;
  std::FILE* report_log = nullptr;
  if (!o.report_log.empty()) {
    report_log = std::fopen(o.report_log.c_str(), "w");
    if (report_log == nullptr) throw std::runtime_error("cannot write " + o.report_log);
  }
  struct Closer {
    std::FILE* f;
    ~Closer() {
      if (f != nullptr) std::fclose(f);
    }
  } closer{report_log};
  std::vector<std::shared_ptr<Session>> sessions;
  std::uint32_t logged_on = 0;
  std::uint32_t refused = 0;
  for (std::uint32_t i = o.first; i < o.first + o.sessions; ++i) {
    auto s = std::make_shared<Session>(io, o, i, stats, report_log);
    s->connect([&](bool ok) { ok ? ++logged_on : ++refused; });
    sessions.push_back(s);
  }
  const auto logon_deadline = Clock::now() + std::chrono::seconds(60);
  while (logged_on + refused < o.sessions && Clock::now() < logon_deadline) {
    io.run_for(std::chrono::milliseconds(10));
  }
  std::printf("sessions: %u logged on, %u refused\n", logged_on, refused);
  if (logged_on != o.sessions) return 1;

  std::mt19937_64 rng(42);
  const auto start = Clock::now();
  const auto end = start + std::chrono::duration_cast<Clock::duration>(
                               std::chrono::duration<double>(o.duration_s));
  std::size_t next = 0;
  std::string now_text = wire::utc_now_text();
  auto last_text = start;
  // Open loop: order k is due at start + k / rate whatever the answers do. Between due times
  // the thread blocks in the reactor (answers are timed as they arrive) instead of spinning: on
  // a 2-core machine a spinning load generator takes a core from the server it measures. The
  // wait is a timer (timerfd, microseconds): io_context::run_one_until() rounds its epoll
  // timeout up to whole milliseconds, which sent the orders in bursts of up to ~rate/1000.
  asio::steady_timer due_timer(io);
  bool due_now = false;  // outlives every wait on due_timer
  while (Clock::now() < end && stats.sent < o.max_orders && stats.sessions_lost == 0) {
    const auto now = Clock::now();
    const double elapsed = std::chrono::duration<double>(now - start).count();
    const auto due = static_cast<std::uint64_t>(elapsed * o.rate);
    if (now - last_text > std::chrono::milliseconds(1)) {
      now_text = wire::utc_now_text();
      last_text = now;
    }
    for (std::uint64_t k = 0; stats.sent < due && stats.sent < o.max_orders && k < 64; ++k) {
      sessions[next]->set_time_text(now_text);
      sessions[next]->send_order(rng);
      next = (next + 1) % sessions.size();
    }
    io.poll();
    if (stats.sent < due) continue;  // behind schedule: keep sending
    const auto next_due =
        start + std::chrono::duration_cast<Clock::duration>(
                    std::chrono::duration<double>(static_cast<double>(stats.sent + 1) / o.rate));
    due_timer.expires_at(std::min(next_due, end));
    due_now = false;
    due_timer.async_wait([&due_now](boost::system::error_code) { due_now = true; });
    while (!due_now) {
      if (io.run_one() == 0) break;  // nothing left to run (every connection closed)
    }
    if (io.stopped()) io.restart();
  }
  const double send_s = std::chrono::duration<double>(Clock::now() - start).count();
  const auto drain_deadline = Clock::now() + std::chrono::seconds(10);
  while (stats.acked + stats.rejected < stats.sent && Clock::now() < drain_deadline &&
         stats.sessions_lost < sessions.size()) {
    io.run_for(std::chrono::milliseconds(5));
  }
  const double total_s = std::chrono::duration<double>(Clock::now() - start).count();
  for (auto& s : sessions)
    s->logout();
  io.run_for(std::chrono::milliseconds(100));
  const auto answered = stats.acked + stats.rejected;
  std::printf(
      "orders: sent %llu in %.2f s (%.0f/s offered), answered %llu (%.0f/s), acked %llu, "
      "rejected %llu, fills %llu, cancels sent %llu, replaces sent %llu, session rejects %llu\n",
      static_cast<unsigned long long>(stats.sent), send_s, static_cast<double>(stats.sent) / send_s,
      static_cast<unsigned long long>(answered), static_cast<double>(answered) / total_s,
      static_cast<unsigned long long>(stats.acked), static_cast<unsigned long long>(stats.rejected),
      static_cast<unsigned long long>(stats.fills),
      static_cast<unsigned long long>(stats.cancels_sent),
      static_cast<unsigned long long>(stats.replaces_sent),
      static_cast<unsigned long long>(stats.session_rejects));
  const Histogram& h = stats.latency;
  std::printf(
      "round trip NewOrderSingle -> first ExecutionReport (us): p50 %.0f  p90 %.0f  "
      "p99 %.0f  p99.9 %.0f  max %.0f  (n=%llu)\n",
      h.percentile_us(0.50), h.percentile_us(0.90), h.percentile_us(0.99), h.percentile_us(0.999),
      h.max_us(), static_cast<unsigned long long>(h.total()));
  if (stats.sessions_lost > 0) {
    std::fprintf(stderr, "cxload: %u of %zu sessions lost their connection\n", stats.sessions_lost,
                 sessions.size());
    return 4;
  }
  return answered == stats.sent ? 0 : 3;
}

}  // namespace

int main(int argc, char** argv) {
  Options o;
  CLI::App app{"cxload: FIX load generator for carbonxd (loopback only)"};
  app.add_option("--port", o.port, "FIX port");
  app.add_option("--operator-port", o.operator_port, "operator API port (--setup)");
  app.add_option("--token", o.token, "operator API bearer token (--setup)");
  app.add_option("--token-file", o.token_file,
                 "file holding the operator API bearer token: carbonxd's "
                 "<data_dir>/operator.token (--setup)");
  app.add_option("--sessions", o.sessions, "number of FIX sessions (LOAD<first>...)")
      ->check(CLI::Range(1u, 5000u));
  app.add_option("--first", o.first, "index of the first session")->check(CLI::Range(1u, 100000u));
  app.add_option("--rate", o.rate, "orders per second, all sessions")->check(CLI::Range(1.0, 1e6));
  app.add_option("--duration", o.duration_s, "seconds of load")->check(CLI::Range(0.1, 600.0));
  app.add_option("--max-orders", o.max_orders, "stop after this many orders");
  app.add_option("--symbol", o.symbol, "instrument");
  app.add_option("--reference-fen", o.reference_fen, "centre price in fen");
  app.add_option("--spread-ticks", o.spread_ticks, "prices are reference +- this many ticks");
  app.add_option("--cancel-ratio", o.cancel_ratio, "fraction of orders followed by a cancel")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--ioc-ratio", o.ioc_ratio, "fraction of orders sent IOC")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--replace-ratio", o.replace_ratio,
                 "fraction of resting orders followed by an OrderCancelReplaceRequest (a tick "
                 "up or down, more or less quantity)")
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--clid-prefix", o.clid_prefix,
                 "ClOrdIDs are <prefix><n> (another prefix for another run on the same day)");
  app.add_option("--report-log", o.report_log,
                 "write one line per ExecutionReport and OrderCancelReject received to this file");
  app.add_flag("--setup", o.setup, "open, fund and supply the accounts, open the market");
  app.add_option("--print-members", o.print_members, "print N [[member]] config entries");
  app.add_option("--fsync-probe", o.fsync_probe, "time 100 fdatasyncs of a file at this path");
  CLI11_PARSE(app, argc, argv);
  if (o.print_members > 0) {
    print_members(o.print_members);
    return 0;
  }
  if (!o.fsync_probe.empty()) return fsync_probe(o.fsync_probe);
  try {
    if (o.setup && !o.token_file.empty()) {
      std::ifstream in(o.token_file);
      if (!(in >> o.token)) throw std::runtime_error("cannot read a token from " + o.token_file);
    }
    if (o.setup && o.token.empty()) {
      throw std::runtime_error(
          "--setup needs the operator token: --token-file <data_dir>/operator.token");
    }
    if (o.setup) return setup(o);
    return run(o);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "cxload: %s\n", e.what());
    return 1;
  }
}
