#pragma once
// A consistent copy of a live LMDB store: the environment is opened read-only (MDB_RDONLY; the
// store's own carbonx.lock is not taken, so carbonxd keeps running) and copied with
// mdb_env_copy2(MDB_CP_COMPACT), which reads through one read transaction: the copy is the state
// of one commit, whatever the writer does meanwhile. The destination directory must not exist
// or be empty; it receives data.mdb (restore: stop the server, put it in place of the store).
// Thread-safety: plain function.

#include <string>

#include "carbonx/engine/result.hpp"

namespace carbonx::tools {

struct BackupInfo {
  std::string file;          // <dest>/data.mdb
  std::uintmax_t bytes = 0;  // its size
};

Result<BackupInfo, std::string> backup_store(const std::string& store_dir,
                                             const std::string& dest_dir);

}  // namespace carbonx::tools
