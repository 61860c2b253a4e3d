// Serialisation of the allocation state: a versioned JSON record (schema
// "carbonx.allocation.state", version 1). Integers only; restore() checks every field.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "carbonx/engine/assert.hpp"
#include "carbonx/registry/allocation/issuance.hpp"

namespace carbonx::allocation {
namespace {

constexpr const char* kSchema = "carbonx.allocation.state";
constexpr int kVersion = 1;

using nlohmann::json;

json to_json(const IssuanceRecord& r) {
  return json{{"year", r.year},
              {"firm", r.firm},
              {"stage", r.stage == Stage::kPre ? "pre" : "final"},
              {"table_id", r.table_id},
              {"computed_t", r.computed_t},
              {"issued_t", r.issued_t},
              {"penalty_deducted_t", r.penalty_deducted_t},
              {"debt_deducted_t", r.debt_deducted_t},
              {"taken_back_t", r.taken_back_t},
              {"owed_added_t", r.owed_added_t},
              {"ts_ns", r.ts.value()}};
}

IssuanceRecord record_from_json(const json& j) {
  IssuanceRecord r;
  r.year = j.at("year").get<int>();
  r.firm = j.at("firm").get<std::string>();
  const auto stage = j.at("stage").get<std::string>();
  if (stage != "pre" && stage != "final") throw std::runtime_error("stage: " + stage);
  r.stage = stage == "pre" ? Stage::kPre : Stage::kFinal;
  r.table_id = j.at("table_id").get<std::string>();
  r.computed_t = j.at("computed_t").get<std::int64_t>();
  r.issued_t = j.at("issued_t").get<std::int64_t>();
  r.penalty_deducted_t = j.at("penalty_deducted_t").get<std::int64_t>();
  r.debt_deducted_t = j.at("debt_deducted_t").get<std::int64_t>();
  r.taken_back_t = j.at("taken_back_t").get<std::int64_t>();
  r.owed_added_t = j.at("owed_added_t").get<std::int64_t>();
  r.ts = TimestampNs(j.at("ts_ns").get<std::int64_t>());
  return r;
}

}  // namespace

std::string Allocator::serialize() const {
  json j;
  j["schema"] = kSchema;
  j["version"] = kVersion;
  j["records"] = json::array();
  for (const IssuanceRecord& r : records_)
    j["records"].push_back(to_json(r));
  j["debts"] = json::array();
  for (const auto& [firm, d] : debts_) {
    j["debts"].push_back(
        json{{"firm", firm}, {"penalty_t", d.penalty_t}, {"true_up_t", d.true_up_t}});
  }
  return j.dump();
}

Result<Allocator, AllocationFailure> Allocator::restore(std::string_view text) {
  // nlohmann reports malformed input by exceptions: caught here, at the library's edge.
  try {
    const json j = json::parse(text);
    if (j.at("schema").get<std::string>() != kSchema) throw std::runtime_error("schema");
    const int version = j.at("version").get<int>();
    if (version != kVersion) throw std::runtime_error(fmt::format("version {}", version));
    Allocator a;
    for (const json& r : j.at("records")) {
      IssuanceRecord rec = record_from_json(r);
      const Key key{rec.year, rec.firm, rec.stage};
      if (a.index_.count(key) != 0) throw std::runtime_error("duplicate record");
      a.index_[key] = a.records_.size();
      a.records_.push_back(std::move(rec));
    }
    for (const json& d : j.at("debts")) {
      FirmDebt debt{d.at("penalty_t").get<std::int64_t>(), d.at("true_up_t").get<std::int64_t>()};
      if (debt.penalty_t < 0 || debt.true_up_t < 0) throw std::runtime_error("negative debt");
      a.debts_[d.at("firm").get<std::string>()] = debt;
    }
    return a;
  } catch (const std::exception& e) {
    return Err{AllocationFailure{AllocationError::kBadState, e.what()}};
  }
}

bool Allocator::operator==(const Allocator& o) const {
  return serialize() == o.serialize();
}

}  // namespace carbonx::allocation
