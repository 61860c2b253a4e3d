// The operator API's token file (operator_token.hpp).
#include "carbonx/gateway/operator_token.hpp"

#include "carbonx/engine/assert.hpp"

#include <fcntl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <filesystem>
#include <mutex>

namespace carbonx::gateway {
namespace {

std::mutex& token_mutex() {  // OperatorTokenFile instances share nothing but stderr
  static std::mutex m;
  return m;
}

Err<TokenError> fail(std::string text) {
  return Err{TokenError{std::move(text)}};
}

std::string trimmed(std::string s) {
  while (!s.empty() && (s.back() == '\n' || s.back() == '\r'))
    s.pop_back();
  return s;
}

bool valid_token(const std::string& t) {
  if (t.size() < kMinOperatorTokenChars || t.size() > kMaxOperatorTokenChars) return false;
  for (const char c : t) {
    if (c <= ' ' || c > '~') return false;
  }
  return true;
}

bool write_all(int fd, const std::string& text) {
  std::size_t done = 0;
  while (done < text.size()) {
    const ssize_t n = ::write(fd, text.data() + done, text.size() - done);
    if (n < 0 && errno == EINTR) continue;
    if (n <= 0) return false;
    done += static_cast<std::size_t>(n);
  }
  return true;
}

}  // namespace

std::string operator_token_path(const std::string& data_dir) {
  return (std::filesystem::path(data_dir) / kOperatorTokenFile).string();
}

std::string random_token_hex() {
  unsigned char bytes[32];
  std::size_t got = 0;
  while (got < sizeof bytes) {
    const ssize_t n = ::getrandom(bytes + got, sizeof bytes - got, 0);
    if (n < 0 && errno == EINTR) continue;
    CX_ASSERT(n > 0);
    got += static_cast<std::size_t>(n);
  }
  std::string out;
  char hex[3];
  for (const unsigned char b : bytes) {
    std::snprintf(hex, sizeof hex, "%02x", b);
    out += hex;
  }
  return out;
}

bool same_secret(const std::string& a, const std::string& b) {
  unsigned diff = a.size() == b.size() ? 0u : 1u;
  const std::size_t n = std::min(a.size(), b.size());
  for (std::size_t i = 0; i < n; ++i)
    diff |=
        static_cast<unsigned>(static_cast<unsigned char>(a[i]) ^ static_cast<unsigned char>(b[i]));
  return diff == 0;
}

Result<std::string, TokenError> read_operator_token_file(const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
  if (fd < 0) {
    return fail(path + ": " + std::strerror(errno) +
                (errno == ENOENT ? " (carbonxd creates it at its first start; `cxctl token "
                                   "rotate` writes a new one)"
                                 : ""));
  }
  struct stat st {};
  std::string text;
  if (::fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && st.st_size <= 4096) {
    text.resize(static_cast<std::size_t>(st.st_size));
    const ssize_t n = ::read(fd, text.data(), text.size());
    text.resize(n < 0 ? 0 : static_cast<std::size_t>(n));
  }
  ::close(fd);
  if (!S_ISREG(st.st_mode) || st.st_size > 4096) return fail(path + ": not a token file");
  if ((st.st_mode & 077) != 0) {
    char mode[8];
    std::snprintf(mode, sizeof mode, "%04o", static_cast<unsigned>(st.st_mode & 07777));
    return fail(path + ": mode " + mode +
                " lets others read the operator token; it must be 0600 (chmod 600 " + path + ")");
  }
  std::string token = trimmed(text);
  if (!valid_token(token)) {
    return fail(path + ": must hold one token of " + std::to_string(kMinOperatorTokenChars) + "-" +
                std::to_string(kMaxOperatorTokenChars) +
                " visible characters (`cxctl token rotate` writes a new one)");
  }
  return token;
}

Status<TokenError> write_operator_token(const std::string& data_dir, const std::string& token) {
  if (!valid_token(token)) return fail("an operator token must be 16-256 visible characters");
  std::error_code ec;
  std::filesystem::create_directories(data_dir, ec);
  if (ec) return fail("cannot create " + data_dir + ": " + ec.message());
  const std::string path = operator_token_path(data_dir);
  const std::string tmp = path + ".tmp";
  ::unlink(tmp.c_str());
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
  if (fd < 0) return fail("cannot write " + tmp + ": " + std::strerror(errno));
  const bool ok = ::fchmod(fd, 0600) == 0 && write_all(fd, token + "\n") && ::fsync(fd) == 0;
  ::close(fd);
  if (!ok || std::rename(tmp.c_str(), path.c_str()) != 0) {
    ::unlink(tmp.c_str());
    return fail("cannot write " + path + ": " + std::strerror(errno));
  }
  const int dir = ::open(data_dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dir >= 0) {
    ::fsync(dir);  // the rename itself is durable
    ::close(dir);
  }
  return {};
}

Result<std::string, TokenError> load_or_create_operator_token(const std::string& data_dir) {
  const std::string path = operator_token_path(data_dir);
  if (::access(path.c_str(), F_OK) == 0) return read_operator_token_file(path);
  if (errno != ENOENT) return fail(path + ": " + std::strerror(errno));
  return rotate_operator_token(data_dir);
}

Result<std::string, TokenError> rotate_operator_token(const std::string& data_dir) {
  std::string token = random_token_hex();
  if (auto st = write_operator_token(data_dir, token); !st.ok()) return Err{st.error()};
  return token;
}

bool OperatorTokenFile::matches(const std::string& token) {
  std::lock_guard lock(token_mutex());
  struct stat st {};
  if (::stat(path_.c_str(), &st) != 0) {
    token_.clear();
    ino_ = 0;
    size_ = -1;
    mtime_ns_ = -1;
  } else {
    const std::int64_t mtime =
        static_cast<std::int64_t>(st.st_mtim.tv_sec) * 1'000'000'000 + st.st_mtim.tv_nsec;
    if (st.st_ino != ino_ || st.st_size != size_ || mtime != mtime_ns_) {
      auto read = read_operator_token_file(path_);
      token_ = read.ok() ? read.value() : std::string();
      ino_ = st.st_ino;
      size_ = st.st_size;
      mtime_ns_ = mtime;
      if (!read.ok() && !warned_) {
        std::fprintf(stderr, "carbonxd: operator API: %s; every request is refused\n",
                     read.error().message.c_str());
        std::fflush(stderr);
      }
      warned_ = !read.ok();
    }
  }
  return !token_.empty() && same_secret(token, token_);
}

}  // namespace carbonx::gateway
