// Live backup of an LMDB store (backup.hpp).
#include "carbonx/tools/backup.hpp"

#include <lmdb.h>

#include <filesystem>

#include "carbonx/registry/store.hpp"

namespace carbonx::tools {

Result<BackupInfo, std::string> backup_store(const std::string& store_dir,
                                             const std::string& dest_dir) {
  namespace fs = std::filesystem;
  std::error_code ec;
  std::string why;
  // Checked before LMDB maps it: a truncated data file would be a SIGBUS in the copy.
  const auto file = registry::inspect_data_file(store_dir, &why);
  if (!file.ok()) return Err("cannot back up " + store_dir + ": " + why);
  if (!file.value().exists) {
    return Err(std::string("no store in " + store_dir + " (no data.mdb)"));
  }
  if (fs::exists(dest_dir, ec) && !fs::is_empty(dest_dir, ec)) {
    return Err(std::string("backup destination " + dest_dir + " exists and is not empty"));
  }
  fs::create_directories(dest_dir, ec);
  if (ec) return Err("cannot create " + dest_dir + ": " + ec.message());
  MDB_env* env = nullptr;
  int rc = mdb_env_create(&env);
  if (rc == 0) rc = mdb_env_set_maxdbs(env, 64);
  if (rc == 0) rc = mdb_env_set_maxreaders(env, 126);
  if (rc == 0) rc = mdb_env_open(env, store_dir.c_str(), MDB_RDONLY, 0644);
  if (rc == 0) rc = mdb_env_copy2(env, dest_dir.c_str(), MDB_CP_COMPACT);
  if (env != nullptr) mdb_env_close(env);
  if (rc != 0) return Err("backup of " + store_dir + " failed: " + mdb_strerror(rc));
  BackupInfo info;
  info.file = (fs::path(dest_dir) / "data.mdb").string();
  info.bytes = fs::file_size(info.file, ec);
  return info;
}

}  // namespace carbonx::tools
