// FIX bodies that several off-book tests send: one definition, so the scenarios stay alike.
#pragma once

#include <string>
#include <vector>

#include "carbonx/gateway/fix_types.hpp"
#include "carbonx/gateway/fix_wire.hpp"

namespace carbonx::gateway::testing {

// A repo's EndCash(922): the repurchase price `px` (CNY per tonne) times `qty` tonnes, in CNY.
inline std::string end_cash(const std::string& qty, const std::string& px) {
  std::int64_t fen = 0;
  if (!parse_price_fen(px, &fen)) return px;  // an invalid price stays invalid
  return format_fen(fen * std::stoll(qty));
}

// NoSides(552) of a TradeCaptureReport submit in the FIX 4.4 shape: the reporter's Side(54) and
// Account(1) (with a repo's EndCash(922) when given), then the counterparty's, the opposite side.
inline wire::Fields two_sides(const std::string& side, const std::string& account,
                              const std::string& counterparty, const std::string& cash = "") {
  wire::Fields f = {{552, "2"}, {54, side}, {1, account}};
  if (!cash.empty()) f.push_back({922, cash});
  f.insert(f.end(), {{54, side == "2" ? "1" : "2"}, {1, counterparty}});
  return f;
}

// `body` followed by `more` (a group last, so no later field is read into it).
inline wire::Fields join(wire::Fields body, const wire::Fields& more) {
  body.insert(body.end(), more.begin(), more.end());
  return body;
}

// Every value of `tag` in a message, in wire order (a group's entries in turn).
inline std::vector<std::string> all(const wire::Fields& f, int tag) {
  std::vector<std::string> out;
  for (const auto& [t, v] : f) {
    if (t == tag) out.push_back(v);
  }
  return out;
}

// A repo filing (TradeCaptureReport AE, SecurityType REPO, TradeReportTransType new) by the repo
// party's account 1002 (MEMBER2) naming the reverse party's account 1001 (MEMBER1): 100,000 t
// GDEA2017 (TradeReportID REPO1) sold at 14.20 CNY/t, bought back at 14.50 (EndCash 1,450,000.00)
// on `end_yyyymmdd`.
inline wire::Fields repo_filing(const std::string& end_yyyymmdd) {
  return join({{571, "REPO1"},
               {487, "0"},
               {856, "0"},
               {167, "REPO"},
               {55, "GDEA2017"},
               {32, "100000"},
               {31, "14.20"},
               {917, end_yyyymmdd}},
              two_sides("2", "1002", "1001", end_cash("100000", "14.50")));
}

}  // namespace carbonx::gateway::testing
