// The crash test: a child process commits batches in a loop and reports each commit on a pipe;
// the parent SIGKILLs it at a random (seeded) moment, reopens the store and checks that every
// batch reported committed is there, nothing beyond the batch in flight is, the ledger invariants
// hold, the journal chain verifies, and (regularly) that replaying the journal from genesis gives
// the same ledger state. The child opens the store itself: no LMDB environment crosses fork().
#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <random>
#include <thread>

#include "carbonx/registry/journal.hpp"
#include "carbonx/registry/store.hpp"
#include "registry_test_util.hpp"
#include "workload.hpp"

namespace carbonx::registry {
namespace {

constexpr int kFirms = 20;
constexpr int kAssets = 3;
constexpr int kMaxIterations = 300;
constexpr auto kMaxDuration = std::chrono::seconds(60);
constexpr std::uint64_t kOrdersKept = 10;  // the child keeps orders of its last 10 commands

// Message on the pipe: {kind, seq}: kind 1 = about to commit a batch ending at seq, 2 = committed.
struct Report {
  std::uint64_t kind;
  std::uint64_t seq;
};

std::vector<std::uint8_t> seq_bytes(std::uint64_t seq) {
  std::vector<std::uint8_t> b(8);
  std::memcpy(b.data(), &seq, 8);
  return b;
}

void write_all(int fd, const Report& r) {
  const auto* p = reinterpret_cast<const char*>(&r);
  std::size_t left = sizeof r;
  while (left > 0) {
    const ssize_t n = write(fd, p, left);
    if (n <= 0) _exit(3);
    p += n;
    left -= static_cast<std::size_t>(n);
  }
}

// The child: never returns. Exit codes: 2 store error, 3 pipe error.
[[noreturn]] void child(const std::string& dir, int fd, std::uint64_t seed) {
  auto opened = Store::open(dir);
  if (!opened) _exit(2);
  auto store = std::move(opened).value();
  Ledger ledger(testing::standard_options());
  auto rec = store->load(ledger);
  if (!rec) _exit(2);
  if (ledger.account_count() == 0) testing::open_standard_accounts(ledger, kFirms);
  testing::Workload work(seed ^ rec.value().applied_seq.value(), kFirms, kAssets);
  work.resume_after(ledger);
  std::mt19937_64 rng(seed);
  std::uint64_t seq = store->applied_seq().value();
  for (int batch = 0; batch < 100'000; ++batch) {
    const int commands = 1 + static_cast<int>(rng() % 20);
    std::vector<std::vector<std::uint8_t>> payloads(static_cast<std::size_t>(commands));
    std::vector<JournalEntry> entries;
    std::vector<std::vector<std::uint8_t>> order_bytes;
    std::vector<OrderChange> orders;
    for (int c = 0; c < commands; ++c) {
      ++seq;
      ledger.begin_command(Seq(seq), TimestampNs(static_cast<std::int64_t>(seq)));
      work.next_command(ledger, 1 + static_cast<int>(rng() % 6), payloads[c]);
      entries.push_back(
          JournalEntry{Seq(seq), TimestampNs(static_cast<std::int64_t>(seq)), payloads[c]});
      order_bytes.push_back(seq_bytes(seq));
    }
    for (std::uint64_t s = seq - commands + 1; s <= seq; ++s) {
      orders.push_back(OrderChange{s, order_bytes[s - (seq - commands + 1)], false});
      if (s > kOrdersKept) orders.push_back(OrderChange{s - kOrdersKept, {}, true});
    }
    const auto state = seq_bytes(seq);
    Batch b;
    b.journal = entries;
    b.orders = orders;
    b.core_state = std::span<const std::uint8_t>(state);
    write_all(fd, Report{1, seq});
    if (!store->commit_batch(b, ledger)) _exit(2);
    write_all(fd, Report{2, seq});  // only now would events be released
  }
  _exit(0);
}

struct Observed {
  std::uint64_t committed = 0;  // last seq reported committed
  std::uint64_t in_flight = 0;  // last seq announced (its batch may or may not be committed)
};

// `before`: applied_seq of the store when the child starts.
Observed run_and_kill(const std::string& dir, std::uint64_t seed, std::mt19937_64& rng,
                      std::uint64_t before) {
  int fds[2];
  CX_ASSERT(pipe(fds) == 0);
  const pid_t pid = fork();
  CX_ASSERT(pid >= 0);
  if (pid == 0) {
    close(fds[0]);
    child(dir, fds[1], seed);
  }
  close(fds[1]);
  Observed seen{before, before};
  const std::uint64_t wait_reports = rng() % 12;
  const auto delay = std::chrono::microseconds(rng() % 3000);
  std::uint64_t reports = 0;
  Report r{};
  bool killed = false;
  auto kill_now = [&] {
    std::this_thread::sleep_for(delay);
    kill(pid, SIGKILL);
    killed = true;
  };
  if (wait_reports == 0) kill_now();
  while (read(fds[0], &r, sizeof r) == static_cast<ssize_t>(sizeof r)) {
    if (r.kind == 1) seen.in_flight = r.seq;
    if (r.kind == 2) seen.committed = r.seq;
    if (!killed && r.kind == 2 && ++reports >= wait_reports) kill_now();
  }
  close(fds[0]);
  int status = 0;
  CX_ASSERT(waitpid(pid, &status, 0) == pid);
  EXPECT_TRUE(WIFSIGNALED(status) && WTERMSIG(status) == SIGKILL)
      << "child ended on its own, status " << status;
  return seen;
}

Digest replayed_state(Store& store) {
  Ledger replay(testing::standard_options());
  testing::open_standard_accounts(replay, kFirms);
  EXPECT_TRUE(replay_journal(store, [&](const JournalRecordView& r) {
    replay.begin_command(r.seq, r.ts);
    testing::apply_payload(replay, r.payload);
    return true;
  }));
  return replay.state_hash();
}

// Returns the store's applied_seq.
std::uint64_t check_store(const std::string& dir, const Observed& seen, bool replay) {
  std::string detail;
  auto opened = Store::open(dir, {}, &detail);
  EXPECT_TRUE(opened.ok()) << detail;
  if (!opened.ok()) return 0;
  auto store = std::move(opened).value();
  Ledger ledger(testing::standard_options());
  auto rec = store->load(ledger);
  EXPECT_TRUE(rec.ok());
  if (!rec.ok()) return 0;
  const std::uint64_t applied = rec.value().applied_seq.value();
  EXPECT_GE(applied, seen.committed) << "a batch reported committed is missing";
  EXPECT_LE(applied, std::max(seen.in_flight, seen.committed)) << "more than was committed";
  EXPECT_EQ(store->stats().value().journal_records, applied);
  if (applied > 0) {
    EXPECT_EQ(rec.value().core_state, seq_bytes(applied));
  }
  std::uint64_t orders = 0, expect_id = applied > kOrdersKept ? applied - kOrdersKept + 1 : 1;
  EXPECT_TRUE(store
                  ->for_each_open_order([&](std::uint64_t id, std::span<const std::uint8_t> b) {
                    EXPECT_EQ(id, expect_id++);
                    EXPECT_EQ(std::vector<std::uint8_t>(b.begin(), b.end()), seq_bytes(id));
                    ++orders;
                  })
                  .ok());
  EXPECT_EQ(orders, std::min(applied, kOrdersKept));
  EXPECT_EQ(ledger.verify(), std::vector<std::string>{});
  const JournalCheck check = verify_journal(*store);
  EXPECT_TRUE(check.ok) << check.problem;
  if (replay) {
    EXPECT_EQ(to_hex(replayed_state(*store)), to_hex(ledger.state_hash()));
  }
  return applied;
}

TEST(Crash, SigkillDuringBatchedCommitsLosesNothingCommittedAndAddsNothingElse) {
  testing::TempDir dir;
  std::mt19937_64 rng(20240620);
  const auto start = std::chrono::steady_clock::now();
  int iterations = 0;
  std::uint64_t applied = 0;
  for (; iterations < kMaxIterations; ++iterations) {
    if (std::chrono::steady_clock::now() - start > kMaxDuration) break;
    const Observed seen = run_and_kill(dir.path(), 1000 + iterations, rng, applied);
    applied = check_store(dir.path(), seen, iterations % 25 == 0);
    if (::testing::Test::HasFailure()) break;
  }
  std::printf("crash test: %d kill/reopen iterations, %llu commands committed\n", iterations,
              static_cast<unsigned long long>(applied));
  EXPECT_EQ(check_store(dir.path(), Observed{applied, applied}, true), applied);
  EXPECT_GT(iterations, 0);
}

}  // namespace
}  // namespace carbonx::registry
