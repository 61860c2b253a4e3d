// Serialisation of the compliance state: a versioned JSON record (schema
// "carbonx.compliance.state", version 1). The profile is configuration and is not part of it.
#include <fmt/format.h>

#include <nlohmann/json.hpp>

#include "carbonx/engine/assert.hpp"
#include "carbonx/registry/compliance/compliance.hpp"

namespace carbonx::compliance {
namespace {

constexpr const char* kSchema = "carbonx.compliance.state";
constexpr int kVersion = 1;
using nlohmann::json;

json legs_json(const std::vector<SurrenderLeg>& legs) {
  json out = json::array();
  for (const SurrenderLeg& l : legs)
    out.push_back(json{l.asset.value(), l.quantity_t});
  return out;
}

}  // namespace

std::string Compliance::serialize() const {
  json j{{"schema", kSchema}, {"version", kVersion}, {"jurisdiction", profile_.name}};
  j["emissions"] = json::array();
  for (const auto& [k, t] : emissions_)
    j["emissions"].push_back(json{k.first, k.second, t});
  j["extensions"] = json::array();
  for (const auto& [k, d] : extensions_)
    j["extensions"].push_back(json{k.first, k.second, d});
  j["exempt"] = json::array();
  for (const auto& [k, e] : exempt_)
    j["exempt"].push_back(json{k.first, k.second});
  j["surrenders"] = json::array();
  for (const SurrenderRecord& r : surrenders_) {
    j["surrenders"].push_back(json{{"year", r.year},
                                   {"firm", r.firm},
                                   {"number", r.number},
                                   {"actor", static_cast<int>(r.actor)},
                                   {"member", r.member.value()},
                                   {"legs", legs_json(r.legs)},
                                   {"allowances_t", r.allowances_t},
                                   {"ccer_t", r.ccer_t},
                                   {"ccer_in_region_t", r.ccer_in_region_t},
                                   {"phcer_t", r.phcer_t},
                                   {"ts_ns", r.ts.value()}});
  }
  j["penalties"] = json::array();
  for (const Penalty& p : penalties_) {
    j["penalties"].push_back(
        json{p.year, p.firm, p.shortfall_t, p.deduction_t, p.fine_fen.value(), p.ts.value()});
  }
  j["settled"] = json::array();
  for (const auto& [k, idx] : settled_) {
    j["settled"].push_back(json{k.first, k.second, idx == SIZE_MAX ? -1 : static_cast<long>(idx)});
  }
  return j.dump();
}

Result<Compliance, ComplianceFailure> Compliance::restore(JurisdictionProfile profile,
                                                          std::string_view text) {
  // nlohmann reports malformed input by exceptions: caught here, at the library's edge.
  try {
    const json j = json::parse(text);
    if (j.at("schema").get<std::string>() != kSchema) throw std::runtime_error("schema");
    if (j.at("version").get<int>() != kVersion) throw std::runtime_error("version");
    if (j.at("jurisdiction").get<std::string>() != profile.name) {
      throw std::runtime_error("state of another jurisdiction");
    }
    Compliance c(std::move(profile));
    for (const json& e : j.at("emissions")) {
      const auto t = e.at(2).get<std::int64_t>();
      if (t < 0) throw std::runtime_error("negative emissions");
      c.emissions_[{e.at(0).get<int>(), e.at(1).get<std::string>()}] = t;
    }
    for (const json& e : j.at("extensions")) {
      const auto date = e.at(2).get<DateInt>();
      if (!is_date(date)) throw std::runtime_error("extension date");
      c.extensions_[{e.at(0).get<int>(), e.at(1).get<std::string>()}] = date;
    }
    for (const json& e : j.at("exempt")) {
      c.exempt_[{e.at(0).get<int>(), e.at(1).get<std::string>()}] = true;
    }
    for (const json& s : j.at("surrenders")) {
      SurrenderRecord r;
      r.year = s.at("year").get<int>();
      r.firm = s.at("firm").get<std::string>();
      r.number = s.at("number").get<std::uint32_t>();
      const int actor = s.at("actor").get<int>();
      if (actor != 1 && actor != 2) throw std::runtime_error("actor");
      r.actor = static_cast<ActorKind>(actor);
      r.member = MemberId(s.at("member").get<std::uint32_t>());
      for (const json& l : s.at("legs")) {
        r.legs.push_back({AssetId(l.at(0).get<std::uint32_t>()), l.at(1).get<std::int64_t>()});
      }
      r.allowances_t = s.at("allowances_t").get<std::int64_t>();
      r.ccer_t = s.at("ccer_t").get<std::int64_t>();
      r.ccer_in_region_t = s.at("ccer_in_region_t").get<std::int64_t>();
      r.phcer_t = s.at("phcer_t").get<std::int64_t>();
      r.ts = TimestampNs(s.at("ts_ns").get<std::int64_t>());
      Totals& t = c.totals_[{r.year, r.firm}];
      if (r.number != t.surrenders) throw std::runtime_error("surrender numbers out of order");
      t.allowances_t += r.allowances_t;
      t.ccer_t += r.ccer_t;
      t.ccer_in_region_t += r.ccer_in_region_t;
      t.phcer_t += r.phcer_t;
      ++t.surrenders;
      c.surrenders_.push_back(std::move(r));
    }
    for (const json& p : j.at("penalties")) {
      c.penalties_.push_back(Penalty{p.at(0).get<int>(), p.at(1).get<std::string>(),
                                     p.at(2).get<std::int64_t>(), p.at(3).get<std::int64_t>(),
                                     AmountFen(p.at(4).get<std::int64_t>()),
                                     TimestampNs(p.at(5).get<std::int64_t>())});
    }
    for (const json& s : j.at("settled")) {
      const long idx = s.at(2).get<long>();
      if (idx < -1 || idx >= static_cast<long>(c.penalties_.size())) {
        throw std::runtime_error("settled index");
      }
      c.settled_[{s.at(0).get<int>(), s.at(1).get<std::string>()}] =
          idx < 0 ? SIZE_MAX : static_cast<std::size_t>(idx);
    }
    return c;
  } catch (const std::exception& e) {
    return Err{ComplianceFailure{ComplianceError::kBadState, e.what()}};
  }
}

}  // namespace carbonx::compliance
