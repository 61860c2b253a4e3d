// libFuzzer target for the journal's command records (journal.hpp, the JournalApplier's two
// families): a stored record (header, payload, chained hash) and its payload, an engine command
// record (carbonx::decode, commands.hpp) or a registry command record (decode_registry_command,
// registry_commands.hpp). Arbitrary bytes go in three ways: as a stored record, as a payload, and
// wrapped by encode_journal_record into a record (so the payload decoders are reached through the
// record's framing). Each decoder refuses with its error or decodes, and then:
// - a stored record's view lies inside its bytes, and re-encoding its payload under its seq, ts
//   and the same previous hash reproduces it byte for byte when its hash was right;
// - an engine command encodes again to a record that decodes to the same command;
// - a registry command is canonical: it encodes again to exactly its bytes (the decoder checks
//   every byte, registry_commands.hpp).
// Seeds: commands of both families made by the encoders (engine/fuzz/fuzz_seeds.hpp).
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <span>
#include <string>
#include <vector>

#include "carbonx/engine/commands.hpp"
#include "carbonx/registry/journal.hpp"
#include "carbonx/registry/registry_commands.hpp"
#include "carbonx/registry/store.hpp"
#include "fuzz_seeds.hpp"

namespace {

using namespace carbonx;
using namespace carbonx::registry;

void check(bool ok, const char* what) {
  if (!ok) {
    std::fprintf(stderr, "journal_record_fuzz: %s\n", what);
    std::abort();
  }
}

bool same(std::span<const std::uint8_t> a, std::span<const std::uint8_t> b) {
  return std::equal(a.begin(), a.end(), b.begin(), b.end());
}

void decode_payload(std::span<const std::uint8_t> payload) {
  if (const auto c = carbonx::decode(payload); c.ok()) {
    check(payload.size() == kCommandRecordSize && payload[0] == kCommandSchemaVersion,
          "an engine command decoded from a foreign record");
    const CommandRecord again = encode(c.value());
    const auto re = carbonx::decode(again);
    check(re.ok() && re.value() == c.value(), "an engine command does not survive re-encoding");
  }
  if (const auto r = decode_registry_command(payload); r.ok()) {
    check(is_registry_record(payload), "a registry command decoded from a foreign record");
    check(check_registry_limits(r.value()).ok(), "a registry command over its limits decoded");
    check(same(encode_registry_command(r.value()), payload),
          "a registry command decodes to something that encodes differently");
  }
}

void decode_stored(std::span<const std::uint8_t> bytes) {
  JournalRecordView view;
  if (!decode_journal_record(bytes, view)) return;
  check(view.header.data() == bytes.data() && view.header.size() == sizeof(JournalHeader),
        "the header view is not the record's header");
  check(view.payload.data() == bytes.data() + sizeof(JournalHeader) &&
            view.payload.size() + sizeof(JournalHeader) + 32 == bytes.size(),
        "the payload view is not inside the record");
  decode_payload(view.payload);
  // The chain: the hash recomputed over the stored header and payload; equal to the stored one
  // only when the record is intact.
  const Digest prev{};
  const Digest h = journal_hash(prev, view.header, view.payload);
  std::vector<std::uint8_t> again;
  encode_journal_record(prev, view.seq, view.ts, view.payload, again);
  if (h == view.hash && bytes[6] == 0 && bytes[7] == 0 && bytes[12] == 0 && bytes[13] == 0 &&
      bytes[14] == 0 && bytes[15] == 0) {  // flags and reserved as the encoder writes them
    check(same(again, bytes), "an intact record does not re-encode to its bytes");
  }
}

void wrapped(std::span<const std::uint8_t> payload) {
  if (payload.size() > kJournalPayloadMax) return;
  std::vector<std::uint8_t> record;
  Digest prev{};
  prev[0] = 1;
  const Digest d = encode_journal_record(prev, Seq(7), TimestampNs(11), payload, record);
  JournalRecordView view;
  check(decode_journal_record(record, view), "an encoded record does not decode");
  check(view.seq == Seq(7) && view.ts == TimestampNs(11) && view.hash == d &&
            same(view.payload, payload),
        "an encoded record decodes to other contents");
  check(journal_hash(prev, view.header, view.payload) == d, "the chained hash differs");
}

}  // namespace

extern "C" int LLVMFuzzerInitialize(int*, char***) {
  Command order{Seq(5), TimestampNs(1'700'000'000'000'000'000), NewOrder{}};
  auto& n = std::get<NewOrder>(order.body);
  n.account = AccountId(100001);
  n.member = MemberId(1);
  n.instrument = InstrumentId(1);
  n.side = Side::kSell;
  n.price_fen = PriceFen(5'000);
  n.quantity_t = QuantityT(10);
  n.client_order_id = make_client_order_id("CL-1");
  fuzz::write_seed("new_order", encode(order));
  Command replace{Seq(6), TimestampNs(2),
                  Replace{AccountId(100001), MemberId(1), InstrumentId(1), OrderId(3),
                          PriceFen(5'010), QuantityT(20), make_client_order_id("CL-2")}};
  fuzz::write_seed("replace", encode(replace));
  Command repurchase{Seq(8), TimestampNs(3), RepoEarlyRepurchase{}};
  std::get<RepoEarlyRepurchase>(repurchase.body).both_consented = true;
  fuzz::write_seed("repo_early_repurchase", encode(repurchase));
  Command auction{Seq(9), TimestampNs(4), AuctionOpen{}};
  fuzz::write_seed("auction_open", encode(auction));

  OpenAccount open;
  open.account.id = AccountId(100001);
  open.account.member = MemberId(1);
  fuzz::write_seed("open_account", encode_registry_command(open));
  fuzz::write_seed("deposit", encode_registry_command(Deposit{TransferId(11), AccountId(100001),
                                                              AmountFen(1'000'000), 0}));
  fuzz::write_seed("register_firm", encode_registry_command(RegisterFirm{
                                        "F-001", AccountId(200001), MemberId(2), "Guangdong"}));
  fuzz::write_seed("allocation_issue",
                   encode_registry_command(AllocationIssue{2024, "T1", "firm,facility\nF,1\n"}));
  LoadVerifiedEmissions rows;
  rows.rows.push_back(EmissionRow{"F-001", 2024, 1'000});
  rows.rows.push_back(EmissionRow{"F-002", 2024, 2'000});
  fuzz::write_seed("emissions", encode_registry_command(rows));
  Surrender s{AccountId(200001), 2024, MemberId(2), {}};
  s.legs.push_back(SurrenderLegCmd{AssetId(1), 500});
  const std::vector<std::uint8_t> surrender = encode_registry_command(s);
  fuzz::write_seed("surrender", surrender);

  std::vector<std::uint8_t> record;
  encode_journal_record(Digest{}, Seq(1), TimestampNs(5), surrender, record);
  fuzz::write_seed("journal_record_registry", record);
  record.clear();
  encode_journal_record(Digest{}, Seq(2), TimestampNs(6), encode(order), record);
  fuzz::write_seed("journal_record_engine", record);
  return 0;
}

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::span<const std::uint8_t> bytes(data, size);
  decode_stored(bytes);
  decode_payload(bytes);
  wrapped(bytes);
  return 0;
}
