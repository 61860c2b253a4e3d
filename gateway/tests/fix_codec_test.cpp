// Golden-file tests of the FIX <-> struct translation (STYLE.md #12) and the exact decimal
// conversion. Inputs are gateway/tests/golden/*.fix ('|' for SOH, no BodyLength/CheckSum: the
// test frames them); each expected output is the .expected file beside it. To regenerate after
// an intended change: CARBONX_UPDATE_GOLDEN=1 build/bin/gateway_tests, then review the diff.
#include <gtest/gtest.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <random>
#include <sstream>

#include "carbonx/gateway/fix_codec.hpp"

namespace carbonx::gateway {
namespace {

namespace fs = std::filesystem;

std::string read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  std::stringstream s;
  s << in.rdbuf();
  return s.str();
}

// "8=FIX.4.4|35=D|...|" -> a framed FIX message with BodyLength and CheckSum.
std::string frame(std::string pipes) {
  while (!pipes.empty() && (pipes.back() == '\n' || pipes.back() == '\r'))
    pipes.pop_back();
  std::replace(pipes.begin(), pipes.end(), '|', '\x01');
  const std::size_t first = pipes.find('\x01');
  const std::string begin = pipes.substr(0, first + 1);
  const std::string body = pipes.substr(first + 1);
  std::string msg = begin + "9=" + std::to_string(body.size()) + "\x01" + body;
  unsigned sum = 0;
  for (unsigned char c : msg)
    sum += c;
  char trailer[16];
  std::snprintf(trailer, sizeof trailer, "10=%03u\x01", sum % 256);
  return msg + trailer;
}

std::string unframe(std::string fix) {
  std::replace(fix.begin(), fix.end(), '\x01', '|');
  return fix;
}

std::string render(const FixCodec& codec, const DecodeOutcome& out) {
  switch (out.status) {
    case DecodeOutcome::Status::kRequest:
      return "REQUEST\n" + FixCodec::dump(out.request);
    case DecodeOutcome::Status::kReply:
      return "REPLY\n" +
             unframe(codec.encode(out.reply, "CARBONX", "MEMBER1", 1, "20260105-01:30:00.000")) +
             "\n";
    case DecodeOutcome::Status::kSessionReject:
      return "SESSION_REJECT\n" + out.reason + "\n";
  }
  return "?";
}

void check_golden(const fs::path& expected_path, const std::string& actual) {
  if (std::getenv("CARBONX_UPDATE_GOLDEN") != nullptr) {
    std::ofstream(expected_path, std::ios::binary) << actual;
    return;
  }
  ASSERT_TRUE(fs::exists(expected_path)) << expected_path;
  EXPECT_EQ(read_file(expected_path), actual) << "golden mismatch: " << expected_path;
}

std::unique_ptr<FixCodec> make_codec() {
  std::string error;
  auto codec = FixCodec::create(CARBONX_FIX_DICTIONARY, &error);
  EXPECT_NE(codec, nullptr) << error;
  return codec;
}

TEST(FixGolden, EveryInboundFileTranslatesAsRecorded) {
  auto codec = make_codec();
  ASSERT_NE(codec, nullptr);
  std::vector<fs::path> inputs;
  for (const auto& e : fs::directory_iterator(CARBONX_GOLDEN_DIR)) {
    if (e.path().extension() == ".fix") inputs.push_back(e.path());
  }
  std::sort(inputs.begin(), inputs.end());
  ASSERT_GE(inputs.size(), 20u);
  for (const auto& in : inputs) {
    SCOPED_TRACE(in.filename().string());
    const DecodeOutcome out = codec->decode(frame(read_file(in)));
    fs::path expected = in;
    expected.replace_extension(".expected");
    check_golden(expected, render(*codec, out));
  }
}

FixReply sample_fill() {
  FixReply r;
  r.kind = ReplyKind::kExecReport;
  r.order_id = "1001";
  r.cl_ord_id = "ORD-1";
  r.exec_id = "E-77";
  r.account = "ACC-M1";
  r.symbol = "GDEA2017";
  r.exec_type = exec_type::kTrade;
  r.ord_status = ord_status::kPartiallyFilled;
  r.side = FixSide::kBuy;
  r.price_fen = 1234;
  r.quantity_t = 100;
  r.last_qty_t = 30;
  r.last_px_fen = 1230;
  r.trade_id = "T-9";
  r.leaves_qty_t = 40;
  r.cum_qty_t = 60;
  r.cum_notional_fen = 30 * 1230 + 30 * 1233;
  r.fee_fen = 185;
  r.transact_time_ns = 1767576600123456000;
  return r;
}

TEST(FixGolden, RepliesEncodeAsRecorded) {
  auto codec = make_codec();
  ASSERT_NE(codec, nullptr);
  std::vector<std::pair<std::string, FixReply>> replies;
  replies.emplace_back("out_exec_fill", sample_fill());
  FixReply md;
  md.kind = ReplyKind::kMdIncremental;
  md.request_id = "MD-1";
  md.md = {MdEntry{'0', '0', "GDEA2017", 1230, 50, 1}, MdEntry{'1', '2', "GDEA2017", 1240, 0, 1},
           MdEntry{'2', '0', "GDEA2017", 1235, 10, 0}};
  replies.emplace_back("out_md_incremental", md);
  FixReply snap;
  snap.kind = ReplyKind::kMdSnapshot;
  snap.request_id = "MD-1";
  snap.symbol = "CCER";
  snap.md = {MdEntry{'0', '0', "", 2000, 10, 1}, MdEntry{'1', '0', "", 2100, 5, 1}};
  replies.emplace_back("out_md_snapshot", snap);
  FixReply sec;
  sec.kind = ReplyKind::kSecurityList;
  sec.request_id = "SL-1";
  sec.response_id = "SLR-1";
  sec.securities = {SecurityEntry{"GDEA2017", "Guangdong allowance 2017", 1, 1},
                    SecurityEntry{"CCER", "China certified emission reduction", 1, 1}};
  replies.emplace_back("out_security_list", sec);
  FixReply pos;
  pos.kind = ReplyKind::kPositionReport;
  pos.request_id = "POS-1";
  pos.response_id = "POS-1-2";
  pos.total_reports = 3;
  pos.business_date = "20260105";
  pos.account = "ACC-M1";
  pos.symbol = "GDEA2017";
  pos.available = 900;
  pos.frozen = 100;
  pos.settl_price_fen = 1420;
  replies.emplace_back("out_position_report", pos);
  // TradeCaptureReport in the FIX 4.4 shape: the receiver's side (with its commission and text)
  // and the other party's in NoSides, no carbonx tag.
  FixReply tc;
  tc.kind = ReplyKind::kTradeCapture;
  tc.cl_ord_id = "R1";
  tc.order_id = "17";
  tc.trade_report_type = '2';
  tc.trade_id = "42";
  tc.symbol = "GDEA2017";
  tc.side = FixSide::kSell;
  tc.account = "1002";
  tc.counterparty = "1001";
  tc.last_qty_t = 100000;
  tc.last_px_fen = 1430;
  tc.fee_fen = 715000;
  tc.trade_date = 20260105;
  tc.transact_time_ns = 1767576600123456000;
  replies.emplace_back("out_trade_capture", tc);
  FixReply repo = tc;
  repo.repo = true;
  repo.trade_report_type = '1';
  repo.trade_id.clear();
  repo.fee_fen = -1;
  repo.last_px_fen = 1420;
  repo.start_price_fen = 1420;
  repo.price2_fen = 1450;
  repo.start_date = 20260105;
  repo.end_date = 20260628;
  repo.text = "proposed";
  replies.emplace_back("out_trade_capture_repo", repo);
  FixReply ack;
  ack.kind = ReplyKind::kTradeCaptureAck;
  ack.cl_ord_id = "R1";
  ack.order_id = "17";
  ack.symbol = "GDEA2017";
  ack.account = "1002";
  replies.emplace_back("out_trade_capture_ack", ack);
  for (const auto& [name, reply] : replies) {
    SCOPED_TRACE(name);
    const std::string fix = codec->encode(reply, "CARBONX", "MEMBER1", 7, "20260105-01:30:00.000");
    check_golden(fs::path(CARBONX_GOLDEN_DIR) / (name + ".expected"), unframe(fix) + "\n");
    // What we send must pass our own dictionary: a member's QuickFIX initiator uses the same.
    const DecodeOutcome back = codec->decode(fix);
    EXPECT_NE(back.status, DecodeOutcome::Status::kSessionReject) << back.reason;
  }
}

// A reply of `kind` with fields drawn from `rng`: every optional field is set or left out, ids of
// varying length, negative and zero amounts, so every branch of the writer runs.
FixReply random_reply(ReplyKind kind, std::mt19937_64& rng) {
  auto pick = [&rng](int n) { return static_cast<int>(rng() % static_cast<std::uint64_t>(n)); };
  auto id = [&](const char* prefix) {
    return pick(4) == 0 ? std::string() : prefix + std::to_string(rng() % 100000000);
  };
  auto amount = [&]() { return static_cast<std::int64_t>(rng() % 2000000) - pick(3) * 1000; };
  FixReply r;
  r.kind = kind;
  r.order_id = id("O");
  r.cl_ord_id = id("C");
  r.orig_cl_ord_id = id("OC");
  r.exec_id = id("E");
  r.account = id("ACC-");
  r.symbol = pick(3) == 0 ? std::string() : "GDEA2017";
  r.text = pick(2) == 0 ? std::string() : "refused: price 14.21 is off the 0.01 tick";
  r.request_id = id("R");
  r.response_id = id("RR");
  r.exec_type = "0458FC"[pick(6)];
  r.ord_status = "01248C"[pick(6)];
  r.side = pick(2) == 0 ? FixSide::kBuy : FixSide::kSell;
  r.ord_type = pick(2) == 0 ? FixOrdType::kLimit : FixOrdType::kClick;
  r.tif = pick(3) == 0 ? FixTif::kDay : pick(2) == 0 ? FixTif::kIoc : FixTif::kFok;
  r.price_fen = amount();
  r.quantity_t = amount();
  r.last_qty_t = amount();
  r.last_px_fen = amount();
  r.leaves_qty_t = amount();
  r.cum_qty_t = amount();
  r.cum_notional_fen = amount() * 97;
  r.fee_fen = pick(3) == 0 ? -1 : amount();
  r.trade_id = id("T");
  r.transact_time_ns = pick(4) == 0 ? 0 : 1767576600123456789 + amount() * 1000003;
  r.reject_code = pick(3) - 1;
  r.cxl_rej_response_to = pick(2) == 0 ? '1' : '2';
  r.mass_scope = pick(2) == 0 ? MassCancelScope::kAll : MassCancelScope::kSecurity;
  r.mass_accepted = pick(2) == 0;
  r.total_affected = pick(1000);
  r.ref_seq_num = pick(3) == 0 ? 0 : pick(100000);
  r.ref_msg_type = pick(2) == 0 ? "D" : "AE";
  r.result_code = pick(3);
  r.total_reports = pick(5);
  r.trade_report_type = "0124"[pick(4)];
  r.trd_rpt_status = pick(2);
  r.auction_id = id("AU");
  r.repo = pick(2) == 0;
  return r;
}

// encode() writes replies without repeating groups as text directly; QuickFIX's Message is the
// reference. Byte for byte, every flat kind, many field combinations, several header values.
TEST(FixEncode, DirectTextEqualsQuickFixMessage) {
  const auto codec = make_codec();
  std::mt19937_64 rng(20261121);
  const ReplyKind kinds[] = {ReplyKind::kExecReport,       ReplyKind::kCancelReject,
                             ReplyKind::kMassCancelReport, ReplyKind::kBusinessReject,
                             ReplyKind::kMdReject,         ReplyKind::kPositionsAck,
                             ReplyKind::kTradeCaptureAck};
  int compared = 0;
  for (ReplyKind kind : kinds) {
    for (int i = 0; i < 400; ++i) {
      const FixReply r = random_reply(kind, rng);
      const int seq = 1 + static_cast<int>(rng() % 5000000);
      const std::string member = "MEMBER" + std::to_string(rng() % 3000);
      const std::string direct = codec->encode(r, "CARBONX", member, seq, "20260105-01:30:00.123");
      const std::string quickfix =
          codec->encode_reference(r, "CARBONX", member, seq, "20260105-01:30:00.123");
      ASSERT_EQ(unframe(direct), unframe(quickfix)) << "kind " << static_cast<int>(kind);
      ++compared;
    }
  }
  EXPECT_EQ(compared, 7 * 400);
}

TEST(FixDecimal, PricesConvertExactlyOrAreRefused) {
  std::int64_t fen = -1;
  EXPECT_TRUE(parse_price_fen("12.34", &fen));
  EXPECT_EQ(fen, 1234);
  EXPECT_TRUE(parse_price_fen("12.3", &fen));
  EXPECT_EQ(fen, 1230);
  EXPECT_TRUE(parse_price_fen("12.3000000", &fen));
  EXPECT_EQ(fen, 1230);
  EXPECT_TRUE(parse_price_fen("12", &fen));
  EXPECT_EQ(fen, 1200);
  EXPECT_TRUE(parse_price_fen(".01", &fen));
  EXPECT_EQ(fen, 1);
  EXPECT_TRUE(parse_price_fen("1000000.00", &fen));
  EXPECT_EQ(fen, kMaxPriceFen);
  fen = 42;
  for (const char* bad :
       {"12.345", "12.301", "0", "0.00", "-1.00", "+1.00", "1e3", "1.2.3", "", ".", " 1.00",
        "1.00 ", "1000000.01", "99999999999999999999", "0x10", "nan", "12,34"}) {
    EXPECT_FALSE(parse_price_fen(bad, &fen)) << bad;
    EXPECT_EQ(fen, 42) << "a refused price must not change the output: " << bad;
  }
}

TEST(FixDecimal, QuantitiesAreWholeTonnes) {
  std::int64_t t = -1;
  EXPECT_TRUE(parse_quantity_t("100", &t));
  EXPECT_EQ(t, 100);
  EXPECT_TRUE(parse_quantity_t("100.00", &t));
  EXPECT_EQ(t, 100);
  for (const char* bad : {"100.5", "0", "-5", "", "100000001", "1e2"}) {
    EXPECT_FALSE(parse_quantity_t(bad, &t)) << bad;
  }
}

TEST(FixDecimal, FormatsAreExact) {
  EXPECT_EQ(format_fen(1234), "12.34");
  EXPECT_EQ(format_fen(5), "0.05");
  EXPECT_EQ(format_fen(-5), "-0.05");
  EXPECT_EQ(format_fen(100), "1.00");
  EXPECT_EQ(format_ratio(7389, 600, 6), "12.315");
  EXPECT_EQ(format_ratio(1, 3, 4), "0.3333");
  EXPECT_EQ(format_ratio(1200, 100, 6), "12");
  // Round trip: every formatted price parses back to itself.
  for (std::int64_t f : std::vector<std::int64_t>{1, 9, 10, 99, 100, 101, 1234, kMaxPriceFen}) {
    std::int64_t back = 0;
    ASSERT_TRUE(parse_price_fen(format_fen(f), &back)) << f;
    EXPECT_EQ(back, f);
  }
}

}  // namespace
}  // namespace carbonx::gateway
