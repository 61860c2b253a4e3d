#include "carbonx/registry/sha256.hpp"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace carbonx::registry {
namespace {

// FIPS 180-2 appendix B vectors, plus the empty message and a multi-block message.
struct Vector {
  std::string message;
  const char* hex;
};

std::vector<Vector> vectors() {
  return {
      {"", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"},
      {"abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"},
      {"abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"},
      {std::string(1000000, 'a'),
       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0"},
      {"The quick brown fox jumps over the lazy dog",
       "d7a8fbb307d7809469ca9abcb0082e4f8d5651e46d3cdb762d02d0bf37c9e592"},
  };
}

void check_all() {
  for (const auto& v : vectors()) {
    EXPECT_EQ(to_hex(Sha256::of(v.message)), v.hex) << v.message.size();
    // The same message fed in uneven pieces gives the same digest.
    Sha256 s;
    std::size_t at = 0;
    std::size_t step = 1;
    while (at < v.message.size()) {
      const std::size_t n = std::min(step, v.message.size() - at);
      s.update(std::string_view(v.message).substr(at, n));
      at += n;
      step = step * 3 + 1;
    }
    EXPECT_EQ(to_hex(s.finish()), v.hex) << v.message.size();
  }
}

TEST(Sha256, FipsVectorsDefaultPath) {
  check_all();
}

TEST(Sha256, FipsVectorsPortablePath) {
  const bool had = sha256_uses_hardware();
  EXPECT_FALSE(sha256_set_hardware(false));
  check_all();
  sha256_set_hardware(had);
  EXPECT_EQ(sha256_uses_hardware(), had);
}

TEST(Sha256, PathsAgreeOnEveryLengthAroundBlockEdges) {
  const bool had = sha256_uses_hardware();
  std::string msg;
  for (int len = 0; len < 300; ++len) {
    sha256_set_hardware(true);
    const Digest a = Sha256::of(msg);
    sha256_set_hardware(false);
    const Digest b = Sha256::of(msg);
    EXPECT_EQ(a, b) << len;
    msg.push_back(static_cast<char>('a' + len % 26));
  }
  sha256_set_hardware(had);
}

}  // namespace
}  // namespace carbonx::registry
