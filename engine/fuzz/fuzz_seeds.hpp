#pragma once
// Seeds for a fuzz target: its LLVMFuzzerInitialize writes them, made by the real encoders (so
// they follow the formats as they change), to the directory $CARBONX_FUZZ_SEEDS names when set
// (scripts/fuzz.sh run sets it; the runner then reads them as the starting corpus).

#include <cstdint>
#include <cstdlib>
#include <fstream>
#include <span>
#include <string>

namespace carbonx::fuzz {

inline void write_seed(const std::string& name, std::span<const std::uint8_t> bytes) {
  const char* dir = std::getenv("CARBONX_FUZZ_SEEDS");
  if (dir == nullptr) return;
  std::ofstream out(std::string(dir) + "/" + name, std::ios::binary);
  out.write(reinterpret_cast<const char*>(bytes.data()),
            static_cast<std::streamsize>(bytes.size()));
}

}  // namespace carbonx::fuzz
