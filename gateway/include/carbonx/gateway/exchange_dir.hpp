#pragma once
// The data directory of one exchange, and its creation (issue #14: the store refuses clearly and
// never starts over silently).
//
//   <data_dir>/exchange.id   "carbonx exchange <32 hex digits>" and "created <UTC time>": the
//                            identity the store recorded when `carbonxd --init` created it
//   <data_dir>/store/        the LMDB store (its meta holds the same identity)
//   <data_dir>/fixstore/     FIX session logs;  <data_dir>/gateway/  members, clock
//
// An exchange is created only explicitly: `carbonxd --init` (or `cxctl init`) in a directory that
// does not exist or holds nothing of an exchange (no exchange.id, store/, fixstore/, gateway/;
// other files, such as the configuration next to it, may be there). A start never creates a
// store: a directory that is missing or holds nothing of an exchange is "no exchange here, run
// --init", and a directory that held an exchange but whose store is gone or unreadable is a
// refusal naming what is missing — never a fresh, empty exchange over the old one's members and
// session logs. (A mount that failed leaves an empty directory behind; a mistyped data_dir
// points at a new one: neither may become a new exchange by itself.)

#include <optional>
#include <string>

#include "carbonx/gateway/config.hpp"
#include "carbonx/registry/store.hpp"

namespace carbonx::gateway {

inline constexpr const char* kExchangeIdFile = "exchange.id";

// Creates a new exchange in config.data_dir: the directory (created if missing) must hold nothing
// of an exchange; the store is created with a new identity and exchange.id written. nullopt and
// *error (one sentence naming the directory and what is in the way) otherwise; nothing is left
// half made.
std::optional<registry::StoreIdentity> init_exchange(const ServerConfig& config,
                                                     std::string* error);

// True if `data_dir` holds anything an exchange writes (exchange.id, store/, fixstore/,
// gateway/): then init_exchange refuses it and a start looks for its store.
bool holds_an_exchange(const std::string& data_dir);

// What a start finds in the data directory, before anything in it is opened or created.
struct ExchangeDir {
  std::string store_dir;                            // <data_dir>/store
  std::optional<registry::StoreIdentity> identity;  // from exchange.id, if present
};
// Checks that config.data_dir holds an exchange whose store can be opened: nullopt and *error
// (what is missing, and what to do) when it does not. Writes nothing.
std::optional<ExchangeDir> check_exchange_dir(const ServerConfig& config, std::string* error);

// Compares the store's identity with the directory's and completes what is missing: a store
// restored into a directory without exchange.id gets the file; a store from before identities
// were recorded gets the directory's identity (or a new one, recorded in both). false and *error
// when they name different exchanges (or, read-only, when something would have to be written:
// then nothing is, and it is not an error). `note` receives a line for the log when something was
// recorded.
bool reconcile_identity(const ServerConfig& config, const ExchangeDir& dir, registry::Store& store,
                        std::string* error, std::string* note);

// "3f2a... (created 2024-05-01 08:00:00 UTC)".
std::string describe_identity(const registry::StoreIdentity& id);

}  // namespace carbonx::gateway
