// libFuzzer target for the FIX -> struct translation (STYLE.md #12): arbitrary bytes, and the same
// bytes framed as a FIX 4.4 message with correct BodyLength/CheckSum so the fuzzer gets past the
// framing into the dictionary and the translation. Also the exact price/quantity parsers, whose
// contract is checked: a parsed price formats back to the same number of fen. Valid C++14 (it
// is compiled together with the adapter).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include "carbonx/gateway/fix_codec.hpp"

namespace {

const carbonx::gateway::FixCodec& codec() {
  static std::unique_ptr<carbonx::gateway::FixCodec> c = [] {
    std::string error;
    auto made = carbonx::gateway::FixCodec::create(CARBONX_FIX_DICTIONARY, &error);
    if (!made) {
      std::fprintf(stderr, "%s\n", error.c_str());
      std::abort();
    }
    return made;
  }();
  return *c;
}

std::string frame(std::string body) {
  for (char& c : body) {
    if (c == '|') c = '\x01';
  }
  std::string msg =
      "8=FIX.4.4\x01"
      "9=" +
      std::to_string(body.size()) + "\x01" + body;
  unsigned sum = 0;
  for (unsigned char c : msg)
    sum += c;
  char trailer[16];
  std::snprintf(trailer, sizeof trailer, "10=%03u\x01", sum % 256);
  return msg + trailer;
}

}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string bytes(reinterpret_cast<const char*>(data), size);
  (void)codec().decode(bytes);
  const carbonx::gateway::DecodeOutcome out = codec().decode(frame(bytes));
  if (out.status == carbonx::gateway::DecodeOutcome::Status::kReply) {
    // Whatever we answer must itself be a valid message of our dictionary.
    const std::string reply = codec().encode(out.reply, "CARBONX", "M", 1, "20260101-00:00:00");
    if (codec().decode(reply).status == carbonx::gateway::DecodeOutcome::Status::kSessionReject) {
      std::abort();
    }
  }
  std::int64_t fen = 0;
  if (carbonx::gateway::parse_price_fen(bytes, &fen)) {
    std::int64_t back = 0;
    if (!carbonx::gateway::parse_price_fen(carbonx::gateway::format_fen(fen), &back) ||
        back != fen) {
      std::abort();
    }
  }
  std::int64_t t = 0;
  (void)carbonx::gateway::parse_quantity_t(bytes, &t);
  return 0;
}
