#include "carbonx/registry/registry_commands.hpp"

#include <cstring>
#include <optional>
#include <type_traits>
#include <utility>

#include "carbonx/engine/assert.hpp"
#include "carbonx/registry/journal.hpp"

namespace carbonx::registry {

static_assert(kMaxRegistryRecordBytes <= kJournalPayloadMax,
              "a registry record fits a journal record");

std::string_view to_string(RegistryCommandType t) noexcept {
  switch (t) {
    case RegistryCommandType::kOpenAccount:
      return "open_account";
    case RegistryCommandType::kSetAccountStatus:
      return "set_account_status";
    case RegistryCommandType::kSetHoldingLimit:
      return "set_holding_limit";
    case RegistryCommandType::kDeposit:
      return "deposit";
    case RegistryCommandType::kWithdraw:
      return "withdraw";
    case RegistryCommandType::kIssueUnits:
      return "issue_units";
    case RegistryCommandType::kRegisterFirm:
      return "register_firm";
    case RegistryCommandType::kAllocationIssue:
      return "allocation_issue";
    case RegistryCommandType::kAllocationTrueUp:
      return "allocation_true_up";
    case RegistryCommandType::kLoadVerifiedEmissions:
      return "load_verified_emissions";
    case RegistryCommandType::kSurrender:
      return "surrender";
    case RegistryCommandType::kRecordExtension:
      return "record_extension";
    case RegistryCommandType::kRecordExemption:
      return "record_exemption";
    case RegistryCommandType::kSettleCompliance:
      return "settle_compliance";
    case RegistryCommandType::kGrantAuthority:
      return "grant_authority";
    case RegistryCommandType::kRevokeAuthority:
      return "revoke_authority";
  }
  return "unknown";
}

std::string_view to_string(RegistryCodecError e) noexcept {
  switch (e) {
    case RegistryCodecError::kNotRegistryRecord:
      return "not a registry command record";
    case RegistryCodecError::kSchemaVersion:
      return "unknown registry command schema version";
    case RegistryCodecError::kUnknownType:
      return "unknown registry command type";
    case RegistryCodecError::kBadHeader:
      return "malformed registry record header";
    case RegistryCodecError::kBadLength:
      return "registry record length does not match";
    case RegistryCodecError::kTrailingBytes:
      return "bytes after the last field";
    case RegistryCodecError::kBadEnum:
      return "enum value out of range";
    case RegistryCodecError::kTooLong:
      return "string, list or record over its limit";
    case RegistryCodecError::kBadText:
      return "a string that is not UTF-8";
  }
  return "unknown";
}

bool operator==(const OpenAccount& a, const OpenAccount& b) {
  const Account& x = a.account;
  const Account& y = b.account;
  return x.id == y.id && x.kind == y.kind && x.status == y.status &&
         x.compliance_year == y.compliance_year && x.owner_entity == y.owner_entity &&
         x.member == y.member && x.region_code == y.region_code &&
         x.holding_limit_t == y.holding_limit_t;
}

RegistryCommandType type_of(const RegistryCommand& c) noexcept {
  return static_cast<RegistryCommandType>(c.index() + 1);
}

namespace {

// Well-formed UTF-8 (RFC 3629): no overlong forms, no surrogates, nothing above U+10FFFF.
bool valid_utf8(std::string_view s) {
  std::size_t i = 0;
  while (i < s.size()) {
    const auto b = static_cast<unsigned char>(s[i]);
    std::size_t n = 0;
    std::uint32_t cp = 0;
    if (b < 0x80) {
      ++i;
      continue;
    }
    if (b >= 0xC2 && b <= 0xDF) {
      n = 1;
      cp = b & 0x1Fu;
    } else if (b >= 0xE0 && b <= 0xEF) {
      n = 2;
      cp = b & 0x0Fu;
    } else if (b >= 0xF0 && b <= 0xF4) {
      n = 3;
      cp = b & 0x07u;
    } else {
      return false;
    }
    if (s.size() - i <= n) return false;
    for (std::size_t k = 1; k <= n; ++k) {
      const auto c = static_cast<unsigned char>(s[i + k]);
      if ((c & 0xC0u) != 0x80u) return false;
      cp = (cp << 6) | (c & 0x3Fu);
    }
    const bool overlong = (n == 2 && cp < 0x800) || (n == 3 && cp < 0x10000);
    if (overlong || (cp >= 0xD800 && cp <= 0xDFFF) || cp > 0x10FFFF) return false;
    i += n + 1;
  }
  return true;
}

constexpr std::size_t kTypeCount = std::variant_size_v<RegistryCommand>;

class Writer {
 public:
  void u8(std::uint8_t v) { out_.push_back(v); }
  template <typename T>
  void num(T v) {
    static_assert(std::is_integral_v<T>);
    auto u = static_cast<std::make_unsigned_t<T>>(v);
    for (std::size_t i = 0; i < sizeof(T); ++i) {  // little-endian
      out_.push_back(static_cast<std::uint8_t>(u & 0xFF));
      u = static_cast<std::make_unsigned_t<T>>(u >> 4 >> 4);
    }
  }
  void str(std::string_view s, std::size_t limit) {
    CX_ASSERT(s.size() <= limit);
    num(static_cast<std::uint32_t>(s.size()));
    out_.insert(out_.end(), s.begin(), s.end());
  }
  std::vector<std::uint8_t>& bytes() { return out_; }

 private:
  std::vector<std::uint8_t> out_;
};

class Reader {
 public:
  explicit Reader(std::span<const std::uint8_t> in) : in_(in) {}
  template <typename T>
  bool num(T& v) {
    if (in_.size() - pos_ < sizeof(T)) return fail(RegistryCodecError::kBadLength);
    std::make_unsigned_t<T> u = 0;
    for (std::size_t i = sizeof(T); i-- > 0;)
      u = static_cast<std::make_unsigned_t<T>>((u << 4 << 4) | in_[pos_ + i]);
    v = static_cast<T>(u);
    pos_ += sizeof(T);
    return true;
  }
  bool str(std::string& s, std::size_t limit) {
    std::uint32_t n = 0;
    if (!num(n)) return false;
    if (n > limit) return fail(RegistryCodecError::kTooLong);
    if (in_.size() - pos_ < n) return fail(RegistryCodecError::kBadLength);
    s.assign(reinterpret_cast<const char*>(in_.data() + pos_), n);
    pos_ += n;
    // Text reaches the registrar's state, which is stored as JSON: bytes that are not UTF-8
    // would fail there (found by journal_apply_fuzz), so they are a malformed record here.
    return valid_utf8(s) || fail(RegistryCodecError::kBadText);
  }
  bool count(std::uint32_t& n, std::size_t limit) {
    if (!num(n)) return false;
    return n <= limit || fail(RegistryCodecError::kTooLong);
  }
  bool fail(RegistryCodecError e) {
    if (!error_) error_ = e;
    return false;
  }
  bool at_end() const { return pos_ == in_.size(); }
  RegistryCodecError error() const { return error_.value_or(RegistryCodecError::kBadLength); }

 private:
  std::span<const std::uint8_t> in_;
  std::size_t pos_ = 0;
  std::optional<RegistryCodecError> error_;
};

// Ids and amounts with a strong type are written as their raw value.
template <typename T>
auto raw(T v) {
  if constexpr (std::is_integral_v<T>) {
    return v;
  } else {
    return v.value();
  }
}
template <typename T>
bool read_strong(Reader& r, T& v) {
  decltype(raw(v)) x{};
  if (!r.num(x)) return false;
  v = T(x);
  return true;
}

constexpr std::size_t kMaxCsvBytes = kMaxFacilityTextBytes;

void put_body(Writer& w, const OpenAccount& c) {
  const Account& a = c.account;
  w.num(a.id.value());
  w.u8(static_cast<std::uint8_t>(a.kind));
  w.u8(static_cast<std::uint8_t>(a.status));
  w.num(a.compliance_year);
  w.num(a.owner_entity);
  w.num(a.member.value());
  w.num(a.region_code);
  w.num(a.holding_limit_t);
}
void put_body(Writer& w, const SetAccountStatus& c) {
  w.num(c.account.value());
  w.u8(static_cast<std::uint8_t>(c.status));
}
void put_body(Writer& w, const SetHoldingLimit& c) {
  w.num(c.account.value());
  w.num(c.limit_t);
}
template <typename Cash>
void put_cash(Writer& w, const Cash& c) {
  w.num(c.transfer.value());
  w.num(c.account.value());
  w.num(c.amount_fen.value());
  w.num(c.reference);
}
void put_body(Writer& w, const Deposit& c) {
  put_cash(w, c);
}
void put_body(Writer& w, const Withdraw& c) {
  put_cash(w, c);
}
void put_body(Writer& w, const IssueUnits& c) {
  w.num(c.transfer.value());
  w.num(c.account.value());
  w.num(c.asset.value());
  w.num(c.quantity_t);
  w.num(c.reference);
}
void put_body(Writer& w, const RegisterFirm& c) {
  w.str(c.firm, kMaxFirmIdBytes);
  w.num(c.account.value());
  w.num(c.member.value());
  w.str(c.region, kMaxRegionBytes);
}
template <typename Alloc>
void put_alloc(Writer& w, const Alloc& c) {
  w.num(c.year);
  w.str(c.table_id, kMaxTableIdBytes);
  w.str(c.facilities_csv, kMaxCsvBytes);
}
void put_body(Writer& w, const AllocationIssue& c) {
  put_alloc(w, c);
}
void put_body(Writer& w, const AllocationTrueUp& c) {
  put_alloc(w, c);
}
void put_body(Writer& w, const LoadVerifiedEmissions& c) {
  CX_ASSERT(c.rows.size() <= kMaxEmissionRows);
  w.num(static_cast<std::uint32_t>(c.rows.size()));
  for (const EmissionRow& r : c.rows) {
    w.str(r.firm, kMaxFirmIdBytes);
    w.num(r.year);
    w.num(r.emissions_t);
  }
}
void put_body(Writer& w, const Surrender& c) {
  CX_ASSERT(c.legs.size() <= kMaxSurrenderLegsPerCommand);
  w.num(c.firm_account.value());
  w.num(c.year);
  w.num(c.member.value());
  w.num(static_cast<std::uint32_t>(c.legs.size()));
  for (const SurrenderLegCmd& l : c.legs) {
    w.num(l.asset.value());
    w.num(l.quantity_t);
  }
}
void put_body(Writer& w, const RecordExtension& c) {
  w.num(c.firm_account.value());
  w.num(c.year);
  w.num(c.date_yyyymmdd);
}
void put_body(Writer& w, const RecordExemption& c) {
  w.num(c.firm_account.value());
  w.num(c.year);
}
void put_body(Writer& w, const SettleCompliance& c) {
  w.num(c.year);
}
void put_body(Writer& w, const GrantAuthority& c) {
  w.num(c.member.value());
  w.num(c.account.value());
}
void put_body(Writer& w, const RevokeAuthority& c) {
  w.num(c.member.value());
  w.num(c.account.value());
}

bool get_body(Reader& r, OpenAccount& c) {
  Account& a = c.account;
  std::uint8_t kind = 0, status = 0;
  if (!(read_strong(r, a.id) && r.num(kind) && r.num(status) && r.num(a.compliance_year) &&
        r.num(a.owner_entity) && read_strong(r, a.member) && r.num(a.region_code) &&
        r.num(a.holding_limit_t)))
    return false;
  a.kind = static_cast<AccountKind>(kind);
  a.status = static_cast<AccountStatus>(status);
  if (!is_valid(a.kind) || status < 1 || status > 3) return r.fail(RegistryCodecError::kBadEnum);
  return true;
}
bool get_body(Reader& r, SetAccountStatus& c) {
  std::uint8_t status = 0;
  if (!(read_strong(r, c.account) && r.num(status))) return false;
  if (status < 1 || status > 3) return r.fail(RegistryCodecError::kBadEnum);
  c.status = static_cast<AccountStatus>(status);
  return true;
}
bool get_body(Reader& r, SetHoldingLimit& c) {
  return read_strong(r, c.account) && r.num(c.limit_t);
}
template <typename Cash>
bool get_cash(Reader& r, Cash& c) {
  return read_strong(r, c.transfer) && read_strong(r, c.account) && read_strong(r, c.amount_fen) &&
         r.num(c.reference);
}
bool get_body(Reader& r, Deposit& c) {
  return get_cash(r, c);
}
bool get_body(Reader& r, Withdraw& c) {
  return get_cash(r, c);
}
bool get_body(Reader& r, IssueUnits& c) {
  return read_strong(r, c.transfer) && read_strong(r, c.account) && read_strong(r, c.asset) &&
         r.num(c.quantity_t) && r.num(c.reference);
}
bool get_body(Reader& r, RegisterFirm& c) {
  return r.str(c.firm, kMaxFirmIdBytes) && read_strong(r, c.account) && read_strong(r, c.member) &&
         r.str(c.region, kMaxRegionBytes);
}
template <typename Alloc>
bool get_alloc(Reader& r, Alloc& c) {
  return r.num(c.year) && r.str(c.table_id, kMaxTableIdBytes) &&
         r.str(c.facilities_csv, kMaxCsvBytes);
}
bool get_body(Reader& r, AllocationIssue& c) {
  return get_alloc(r, c);
}
bool get_body(Reader& r, AllocationTrueUp& c) {
  return get_alloc(r, c);
}
bool get_body(Reader& r, LoadVerifiedEmissions& c) {
  std::uint32_t n = 0;
  if (!r.count(n, kMaxEmissionRows)) return false;
  for (std::uint32_t i = 0; i < n; ++i) {
    EmissionRow row;
    if (!(r.str(row.firm, kMaxFirmIdBytes) && r.num(row.year) && r.num(row.emissions_t)))
      return false;
    c.rows.push_back(std::move(row));
  }
  return true;
}
bool get_body(Reader& r, Surrender& c) {
  std::uint32_t n = 0;
  if (!(read_strong(r, c.firm_account) && r.num(c.year) && read_strong(r, c.member) &&
        r.count(n, kMaxSurrenderLegsPerCommand)))
    return false;
  c.legs.resize(n);
  for (SurrenderLegCmd& l : c.legs) {
    if (!(read_strong(r, l.asset) && r.num(l.quantity_t))) return false;
  }
  return true;
}
bool get_body(Reader& r, RecordExtension& c) {
  return read_strong(r, c.firm_account) && r.num(c.year) && r.num(c.date_yyyymmdd);
}
bool get_body(Reader& r, RecordExemption& c) {
  return read_strong(r, c.firm_account) && r.num(c.year);
}
bool get_body(Reader& r, SettleCompliance& c) {
  return r.num(c.year);
}
bool get_body(Reader& r, GrantAuthority& c) {
  return read_strong(r, c.member) && read_strong(r, c.account);
}
bool get_body(Reader& r, RevokeAuthority& c) {
  return read_strong(r, c.member) && read_strong(r, c.account);
}

// Default-constructs alternative `index` of the variant.
template <std::size_t... I>
RegistryCommand make_alternative(std::size_t index, std::index_sequence<I...>) {
  RegistryCommand out;
  (void)((index == I ? (out.emplace<I>(), true) : false) || ...);
  return out;
}

}  // namespace

Status<RegistryCodecError> check_registry_limits(const RegistryCommand& c) {
  bool ok = true;
  if (const auto* f = std::get_if<RegisterFirm>(&c)) {
    ok = f->firm.size() <= kMaxFirmIdBytes && f->region.size() <= kMaxRegionBytes;
  } else if (const auto* a = std::get_if<AllocationIssue>(&c)) {
    ok = a->table_id.size() <= kMaxTableIdBytes && a->facilities_csv.size() <= kMaxCsvBytes;
  } else if (const auto* t = std::get_if<AllocationTrueUp>(&c)) {
    ok = t->table_id.size() <= kMaxTableIdBytes && t->facilities_csv.size() <= kMaxCsvBytes;
  } else if (const auto* e = std::get_if<LoadVerifiedEmissions>(&c)) {
    ok = e->rows.size() <= kMaxEmissionRows;
    for (const EmissionRow& r : e->rows)
      ok = ok && r.firm.size() <= kMaxFirmIdBytes;
  } else if (const auto* s = std::get_if<Surrender>(&c)) {
    ok = s->legs.size() <= kMaxSurrenderLegsPerCommand;
  }
  if (!ok) return Err(RegistryCodecError::kTooLong);
  return {};
}

std::vector<std::uint8_t> encode_registry_command(const RegistryCommand& c) {
  Writer w;
  w.u8(kRegistryRecordMagic);
  w.u8(kRegistryCommandSchema);
  w.u8(static_cast<std::uint8_t>(type_of(c)));
  w.u8(0);
  w.num(std::uint32_t{0});  // body length, filled in below
  std::visit([&](const auto& body) { put_body(w, body); }, c);
  std::vector<std::uint8_t>& out = w.bytes();
  CX_ASSERT(out.size() <= kMaxRegistryRecordBytes);
  const auto body_len = static_cast<std::uint32_t>(out.size() - kRegistryRecordHeaderSize);
  for (std::size_t i = 0; i < 4; ++i)
    out[4 + i] = static_cast<std::uint8_t>(body_len >> (8 * i));
  return std::move(out);
}

Result<RegistryCommand, RegistryCodecError> decode_registry_command(
    std::span<const std::uint8_t> bytes) {
  if (bytes.empty() || bytes[0] != kRegistryRecordMagic)
    return Err(RegistryCodecError::kNotRegistryRecord);
  if (bytes.size() > kMaxRegistryRecordBytes) return Err(RegistryCodecError::kTooLong);
  if (bytes.size() < kRegistryRecordHeaderSize) return Err(RegistryCodecError::kBadHeader);
  if (bytes[1] != kRegistryCommandSchema) return Err(RegistryCodecError::kSchemaVersion);
  if (bytes[2] == 0 || bytes[2] > kTypeCount) return Err(RegistryCodecError::kUnknownType);
  if (bytes[3] != 0) return Err(RegistryCodecError::kBadHeader);
  const std::uint32_t body_len = std::uint32_t{bytes[4]} | std::uint32_t{bytes[5]} << 8 |
                                 std::uint32_t{bytes[6]} << 16 | std::uint32_t{bytes[7]} << 24;
  if (body_len != bytes.size() - kRegistryRecordHeaderSize)
    return Err(RegistryCodecError::kBadLength);
  RegistryCommand cmd = make_alternative(bytes[2] - 1u, std::make_index_sequence<kTypeCount>{});
  Reader r(bytes.subspan(kRegistryRecordHeaderSize));
  const bool ok = std::visit([&](auto& body) { return get_body(r, body); }, cmd);
  if (!ok) return Err(r.error());
  if (!r.at_end()) return Err(RegistryCodecError::kTrailingBytes);
  return cmd;
}

}  // namespace carbonx::registry
