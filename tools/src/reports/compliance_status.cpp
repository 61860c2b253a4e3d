// The compliance report's rows from the server's compliance.status reply (compliance_status.hpp).
#include "carbonx/tools/compliance_status.hpp"

#include <nlohmann/json.hpp>

namespace carbonx::tools {
namespace {

using json = nlohmann::json;

struct BadField : std::runtime_error {
  using std::runtime_error::runtime_error;
};

std::int64_t tonnes(const json& o, const char* key) {
  const json& v = o.at(key);
  if (!v.is_number_integer() || v.get<std::int64_t>() < 0) {
    throw BadField(std::string(key) + ": a whole number >= 0 expected, got " + v.dump());
  }
  return v.get<std::int64_t>();
}

Date date_of(const json& o, const char* key) {
  const json& v = o.at(key);
  const Date d{v.is_number_integer() ? v.get<std::int32_t>() : 0};
  if (!is_valid_date(d)) throw BadField(std::string(key) + ": yyyymmdd expected, got " + v.dump());
  return d;
}

FirmRow firm_row(const json& f, Date year_deadline) {
  FirmRow row;
  row.firm = f.at("firm").get<std::string>();
  row.obligation_t = tonnes(f, "obligation_t");
  row.allowances_t = tonnes(f, "allowances_t");
  row.offsets_t = tonnes(f, "offsets_t");
  const std::string status = f.at("status").get<std::string>();
  if (status != "compliant" && status != "short" && status != "exempt") {
    throw BadField("status: compliant | short | exempt expected, got " + status);
  }
  row.exempt = status == "exempt";
  row.settled = f.at("settled").get<bool>();
  row.penalty_t = tonnes(f, "penalty_t");
  row.fine_fen = AmountFen(tonnes(f, "fine_fen"));
  row.deadline = f.contains("deadline") ? date_of(f, "deadline") : year_deadline;
  return row;
}

}  // namespace

Result<ServerCompliance, std::string> compliance_from_status_reply(std::string_view body,
                                                                   int year) {
  const json reply = json::parse(body, nullptr, false);
  if (!reply.is_object() || !reply.contains("status") || !reply.at("status").is_object()) {
    return Err(std::string("compliance.status: the reply has no \"status\" object"));
  }
  const json& st = reply.at("status");
  ServerCompliance out;
  try {
    out.jurisdiction = st.at("jurisdiction").get<std::string>();
    out.year = st.at("year").get<int>();
    if (out.year != year) {
      throw BadField("year: " + std::to_string(year) + " asked, " + std::to_string(out.year) +
                     " answered");
    }
    out.deadline = date_of(st, "deadline");
    for (const json& f : st.at("firms"))
      out.firms.push_back(firm_row(f, out.deadline));
    if (st.contains("surrenders")) {
      for (const json& s : st.at("surrenders")) {
        out.surrenders.push_back(
            SurrenderPoint{date_of(s, "date"), tonnes(s, "allowances_t"), tonnes(s, "offsets_t")});
      }
    }
  } catch (const BadField& e) {
    return Err("compliance.status: " + std::string(e.what()));
  } catch (const json::exception& e) {
    return Err("compliance.status: " + std::string(e.what()));
  }
  return out;
}

}  // namespace carbonx::tools
