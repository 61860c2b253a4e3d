#pragma once
// The console's audit log: one JSON line per login (ok or not), logout and action, appended to
// <data_dir>/console/audit.log (mode 0600) and flushed to disk (fdatasync) before the answer
// goes out. Thread-safety: write() locks.

#include <cstdint>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>

namespace carbonx::gateway::console {

class AuditLog {
 public:
  static std::unique_ptr<AuditLog> open(const std::string& path, std::string* error);
  ~AuditLog();
  // {"ts": <ISO 8601 UTC of unix_ms>, "user", "from", "action", "outcome", "detail"}.
  // False if the line could not be written (said once on stderr).
  bool write(std::int64_t unix_ms, std::string_view user, std::string_view from,
             std::string_view action, std::string_view outcome, std::string_view detail);

 private:
  explicit AuditLog(int fd) : fd_(fd) {}
  std::mutex mutex_;
  int fd_ = -1;
  bool said_ = false;
};

}  // namespace carbonx::gateway::console
