#include "carbonx/gateway/console/audit.hpp"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cstdio>
#include <ctime>
#include <filesystem>
#include <nlohmann/json.hpp>

namespace carbonx::gateway::console {

std::unique_ptr<AuditLog> AuditLog::open(const std::string& path, std::string* error) {
  std::error_code ec;
  std::filesystem::create_directories(std::filesystem::path(path).parent_path(), ec);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
  if (fd < 0 || ::fchmod(fd, 0600) != 0) {
    if (fd >= 0) ::close(fd);
    *error = "cannot open the audit log " + path;
    return nullptr;
  }
  return std::unique_ptr<AuditLog>(new AuditLog(fd));
}

AuditLog::~AuditLog() {
  if (fd_ >= 0) ::close(fd_);
}

bool AuditLog::write(std::int64_t unix_ms, std::string_view user, std::string_view from,
                     std::string_view action, std::string_view outcome, std::string_view detail) {
  const std::time_t secs = static_cast<std::time_t>(unix_ms / 1000);
  std::tm tm{};
  gmtime_r(&secs, &tm);
  char ts[96];
  std::snprintf(ts, sizeof ts, "%04d-%02d-%02dT%02d:%02d:%02d.%03dZ", tm.tm_year + 1900,
                tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
                static_cast<int>(unix_ms % 1000));
  const auto text = [](std::string_view s) { return std::string(s); };
  const std::string line = nlohmann::json{{"ts", ts},
                                          {"user", text(user)},
                                          {"from", text(from)},
                                          {"action", text(action)},
                                          {"outcome", text(outcome)},
                                          {"detail", text(detail)}}
                               .dump(-1, ' ', false, nlohmann::json::error_handler_t::replace) +
                           "\n";
  std::lock_guard lock(mutex_);
  const bool ok = ::write(fd_, line.data(), line.size()) == static_cast<ssize_t>(line.size()) &&
                  ::fdatasync(fd_) == 0;
  if (!ok && !said_) {
    said_ = true;
    std::fprintf(stderr, "carbonxd: console: the audit log cannot be written\n");
  }
  return ok;
}

}  // namespace carbonx::gateway::console
