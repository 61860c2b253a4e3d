// The data directory of one exchange: explicit creation, and the checks of every start
// (exchange_dir.hpp).
#include "carbonx/gateway/exchange_dir.hpp"

#include <fcntl.h>
#include <unistd.h>

#include <cerrno>
#include <cstdlib>
#include <cstring>
#include <ctime>
#include <filesystem>
#include <fstream>
#include <sstream>

namespace carbonx::gateway {

namespace fs = std::filesystem;

namespace {

std::string utc_text(std::int64_t ns) {
  const std::time_t s = static_cast<std::time_t>(ns / 1'000'000'000);
  std::tm tm{};
  gmtime_r(&s, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S UTC", &tm);
  return buf;
}

std::string id_file_text(const registry::StoreIdentity& id) {
  return "carbonx exchange " + id.id_hex() + "\ncreated " + utc_text(id.created_ns) + " (" +
         std::to_string(id.created_ns) + " ns)\n";
}

// Reads exchange.id: nullopt if absent; *error set if present but not one.
std::optional<registry::StoreIdentity> read_id_file(const fs::path& path, std::string* error) {
  std::error_code ec;
  if (!fs::exists(path, ec)) return std::nullopt;
  std::ifstream in(path);
  std::string word1, word2, hex, created_line;
  in >> word1 >> word2 >> hex;
  std::getline(in, created_line);  // rest of line 1
  std::getline(in, created_line);
  registry::StoreIdentity id;
  bool ok = word1 == "carbonx" && word2 == "exchange" && hex.size() == 32;
  for (std::size_t i = 0; ok && i < 16; ++i) {
    const auto nibble = [](char c) -> int {
      if (c >= '0' && c <= '9') return c - '0';
      if (c >= 'a' && c <= 'f') return c - 'a' + 10;
      return -1;
    };
    const int hi = nibble(hex[2 * i]);
    const int lo = nibble(hex[2 * i + 1]);
    ok = hi >= 0 && lo >= 0;
    id.id[i] = static_cast<std::uint8_t>(hi * 16 + lo);
  }
  const std::size_t open = created_line.rfind('(');
  if (ok && open != std::string::npos) {
    id.created_ns = std::strtoll(created_line.c_str() + open + 1, nullptr, 10);
  }
  if (!ok) {
    *error = path.string() +
             " is not an exchange identity file (expected \"carbonx exchange <32 "
             "hex digits>\")";
    return std::nullopt;
  }
  return id;
}

// Writes exchange.id: a temporary file, fsync, rename, fsync of the directory.
bool write_id_file(const fs::path& dir, const registry::StoreIdentity& id, std::string* error) {
  const fs::path path = dir / kExchangeIdFile;
  const fs::path tmp = dir / (std::string(kExchangeIdFile) + ".tmp");
  const std::string text = id_file_text(id);
  const int fd = ::open(tmp.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0644);
  bool ok = fd >= 0 && ::write(fd, text.data(), text.size()) == static_cast<ssize_t>(text.size()) &&
            ::fsync(fd) == 0;
  const int err = errno;
  if (fd >= 0) ::close(fd);
  if (ok) ok = ::rename(tmp.c_str(), path.c_str()) == 0;
  if (!ok) {
    *error = "cannot write " + path.string() + ": " + std::strerror(err != 0 ? err : errno);
    ::unlink(tmp.c_str());
    return false;
  }
  const int dfd = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (dfd >= 0) {
    ::fsync(dfd);
    ::close(dfd);
  }
  return true;
}

// The entries of a directory, for a refusal ("notes.txt, carbonxd.toml").
std::string listing(const fs::path& dir) {
  std::string out;
  std::error_code ec;
  int n = 0;
  for (const auto& e : fs::directory_iterator(dir, ec)) {
    if (n++ == 6) {
      out += ", ...";
      break;
    }
    out +=
        (out.empty() ? "" : ", ") + e.path().filename().string() + (e.is_directory(ec) ? "/" : "");
  }
  return out;
}

// What an exchange writes into its data directory; other files (a configuration next to it,
// the instruments) are not an exchange.
std::string exchange_entries(const fs::path& dir) {
  std::string out;
  std::error_code ec;
  for (const char* name : {kExchangeIdFile, "store", "fixstore", "gateway"}) {
    if (!fs::exists(dir / name, ec)) continue;
    out += (out.empty() ? "" : ", ") + std::string(name) +
           (fs::is_directory(dir / name, ec) ? "/" : "");
  }
  return out;
}

std::string init_hint() {
  return "a new exchange is created only by `carbonxd --init --config FILE` (or `cxctl init`)";
}

}  // namespace

bool holds_an_exchange(const std::string& data_dir) {
  return !exchange_entries(fs::path(data_dir)).empty();
}

std::string describe_identity(const registry::StoreIdentity& id) {
  return id.id_hex() + " (created " + utc_text(id.created_ns) + ")";
}

std::optional<registry::StoreIdentity> init_exchange(const ServerConfig& config,
                                                     std::string* error) {
  const fs::path dir(config.data_dir);
  std::error_code ec;
  if (fs::exists(dir, ec) && !fs::is_directory(dir, ec)) {
    *error = "data_dir " + dir.string() + " exists and is not a directory";
    return std::nullopt;
  }
  if (const std::string found = exchange_entries(dir); !found.empty()) {
    std::string why;
    const auto id = read_id_file(dir / kExchangeIdFile, &why);
    *error = id ? "data directory " + dir.string() + " already holds exchange " +
                      describe_identity(*id) + ": nothing was changed"
                : "data directory " + dir.string() + " already holds " + found +
                      " of an exchange: a new exchange is created only where none has been; "
                      "nothing was changed";
    return std::nullopt;
  }
  fs::create_directories(dir, ec);
  if (ec) {
    *error = "cannot create data_dir " + dir.string() + ": " + ec.message();
    return std::nullopt;
  }
  registry::StoreOptions options;
  options.mode = registry::OpenMode::kCreate;
  std::string detail;
  auto store = registry::Store::open((dir / "store").string(), options, &detail);
  if (!store.ok()) {
    *error = "cannot create the store: " + std::string(registry::to_string(store.error())) + ": " +
             detail;
    fs::remove_all(dir / "store", ec);
    return std::nullopt;
  }
  const registry::StoreIdentity id = *store.value()->identity();
  store.value().reset();
  if (!write_id_file(dir, id, error)) {
    fs::remove_all(dir / "store", ec);
    return std::nullopt;
  }
  return id;
}

std::optional<ExchangeDir> check_exchange_dir(const ServerConfig& config, std::string* error) {
  const fs::path dir(config.data_dir);
  ExchangeDir out;
  out.store_dir = (dir / "store").string();
  std::error_code ec;
  if (!fs::exists(dir, ec)) {
    *error =
        "data directory " + dir.string() + " does not exist: no exchange to serve; " + init_hint();
    return std::nullopt;
  }
  if (!fs::is_directory(dir, ec)) {
    *error = "data_dir " + dir.string() + " is not a directory";
    return std::nullopt;
  }
  if (exchange_entries(dir).empty()) {
    *error = "data directory " + dir.string() +
             (fs::is_empty(dir, ec) ? std::string(" is empty")
                                    : " holds no exchange (only " + listing(dir) + ")") +
             ": no exchange to serve; " + init_hint();
    return std::nullopt;
  }
  std::string why;
  out.identity = read_id_file(dir / kExchangeIdFile, &why);
  if (!why.empty()) {
    *error = why;
    return std::nullopt;
  }
  const auto file = registry::inspect_data_file(out.store_dir, &why);
  if (!file.ok()) {
    *error = "the store in " + out.store_dir + " cannot be used: " + why +
             (out.identity ? " (exchange " + describe_identity(*out.identity) + ")" : "");
    return std::nullopt;
  }
  if (!file.value().exists) {
    *error = out.identity
                 ? "data directory " + dir.string() + " holds exchange " +
                       describe_identity(*out.identity) + " but its store is missing (" +
                       out.store_dir +
                       "/data.mdb): restore it from a backup (docs/operators.md "
                       "\"Integrity and backups\"); a new exchange is not started over it"
                 : "data directory " + dir.string() + " holds " + exchange_entries(dir) +
                       " of an exchange but no store (" + out.store_dir +
                       "/data.mdb is missing): restore the store from a backup; a new exchange "
                       "is not started over them";
    return std::nullopt;
  }
  return out;
}

bool reconcile_identity(const ServerConfig& config, const ExchangeDir& dir, registry::Store& store,
                        std::string* error, std::string* note) {
  const fs::path data(config.data_dir);
  const auto& stored = store.identity();
  if (stored && dir.identity) {
    if (stored->id == dir.identity->id) return true;
    *error = "the store in " + dir.store_dir + " belongs to exchange " +
             describe_identity(*stored) + ", but data directory " + data.string() +
             " to exchange " + describe_identity(*dir.identity) +
             ": refusing to serve one exchange's store with another's members and sessions";
    return false;
  }
  if (config.read_only) return true;  // nothing is written; the identity is completed later
  if (stored) {                       // a store restored into a directory without exchange.id
    if (!write_id_file(data, *stored, error)) return false;
    *note = "recorded exchange " + describe_identity(*stored) + " in " +
            (data / kExchangeIdFile).string() + " (from the store)";
    return true;
  }
  // A store from before identities were recorded.
  const registry::StoreIdentity id = dir.identity ? *dir.identity : registry::new_store_identity();
  if (const auto st = store.record_identity(id); !st.ok()) {
    *error = "cannot record the exchange identity in the store: " + store.last_error_detail();
    return false;
  }
  if (!dir.identity && !write_id_file(data, id, error)) return false;
  *note = "the store had no exchange identity: recorded " + describe_identity(id);
  return true;
}

}  // namespace carbonx::gateway
