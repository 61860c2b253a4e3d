// FIX bodies that several off-book tests send: one definition, so the scenarios stay alike.
#pragma once

#include <string>

#include "carbonx/gateway/fix_wire.hpp"

namespace carbonx::gateway::testing {

// A repo filing (TradeCaptureReport AE, SecurityType REPO, TradeReportTransType new) by the repo
// party's account 1002 (MEMBER2) naming the reverse party's account 1001 (MEMBER1): 100,000 t
// GDEA2017 (TradeReportID REPO1) sold at 14.20 CNY/t, bought back at 14.50 on `end_yyyymmdd`.
inline wire::Fields repo_filing(const std::string& end_yyyymmdd) {
  return {{571, "REPO1"},   {487, "0"},    {856, "0"},     {167, "REPO"},
          {55, "GDEA2017"}, {54, "2"},     {1, "1002"},    {20010, "1001"},
          {32, "100000"},   {31, "14.20"}, {640, "14.50"}, {917, end_yyyymmdd}};
}

}  // namespace carbonx::gateway::testing
