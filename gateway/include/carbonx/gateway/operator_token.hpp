#pragma once
// The operator API's bearer token. There is no default: the token is 32 random bytes (64 hex
// digits) in <data_dir>/operator.token, mode 0600, created with the exchange (carbonxd --init,
// cxctl init) or at the first start of an exchange made before tokens, read by cxctl from there
// by default, and replaced by `cxctl token rotate`. A running carbonxd checks the file at every
// request, so a rotation takes effect at once and the old token stops working.
//
// A token file written by hand must hold one token of 16-256 visible ASCII characters (no
// space); group or other permission bits make it refused (a secret others can read is none).
// Plain functions; thread-safe.

#include <cstdint>
#include <string>

#include "carbonx/engine/result.hpp"

namespace carbonx::gateway {

struct TokenError {
  std::string message;  // names the file and what is wrong
};

inline constexpr const char* kOperatorTokenFile = "operator.token";
inline constexpr std::size_t kMinOperatorTokenChars = 16;
inline constexpr std::size_t kMaxOperatorTokenChars = 256;

std::string operator_token_path(const std::string& data_dir);
// The token of `data_dir`; creates the file with a new random token if it does not exist.
Result<std::string, TokenError> load_or_create_operator_token(const std::string& data_dir);
// The token in `path` (a token file); never creates one.
Result<std::string, TokenError> read_operator_token_file(const std::string& path);
// Writes `token` as the data directory's token (mode 0600, atomically: write, fsync, rename).
Status<TokenError> write_operator_token(const std::string& data_dir, const std::string& token);
// A new random token written as the data directory's token; returns it.
Result<std::string, TokenError> rotate_operator_token(const std::string& data_dir);
// 64 hex digits of 32 random bytes (getrandom).
std::string random_token_hex();

// Compares without an early exit (timing does not tell how much of a token matched).
bool same_secret(const std::string& a, const std::string& b);

// The server's view of the token file: current() re-reads the file whenever it changed (inode,
// size, modification time), so a rotation takes effect at the next request. An unreadable or
// removed file matches no token (fail closed). Thread-safe.
class OperatorTokenFile {
 public:
  explicit OperatorTokenFile(std::string path) : path_(std::move(path)) {}
  // True if `token` is the file's current token.
  bool matches(const std::string& token);
  const std::string& path() const { return path_; }

 private:
  std::string path_;
  std::string token_;  // "" while the file is unreadable
  std::uint64_t ino_ = 0;
  std::int64_t size_ = -1;
  std::int64_t mtime_ns_ = -1;
  bool warned_ = false;
};

}  // namespace carbonx::gateway
