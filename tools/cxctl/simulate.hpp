#pragma once
// cxctl simulate day: a demonstration trading day through FIX (simulate.cpp).

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "carbonx/tools/market_data.hpp"
#include "context.hpp"

namespace carbonx::cxctl {

struct SimulateOptions {
  std::string accounts_csv;
  std::string symbol = "GDEA2017";
  std::uint32_t trades = 200;
  std::int64_t min_qty = 100;
  std::int64_t max_qty = 3000;
  std::uint64_t seed = 2017;
  std::string cash_cny = "50000000";  // deposited to every trading account (idempotent)
  std::int64_t inventory_t = 500000;  // units issued to institutions and individuals
  // After the listed trades: an agreement transfer and auction bids over FIX, a repo filed and
  // repurchased by the operator, the auction of auction_symbol (simulate.cpp simulate_offbook).
  bool offbook = false;
  std::string auction_symbol = "PHCER-GD-FOREST";
  bool repo = true;  // --no-repo: no repo in the off-book part (the national market has none)
};

struct SimulateResult {
  std::uint32_t trades = 0;
  std::int64_t volume_t = 0;
  std::uint32_t rejected = 0;
};

// Deposits cash to every trading account and issues opening inventory to the institutions and
// individuals (operator verbs, idempotent transfer ids), then opens the instrument's market.
void prepare_accounts(Context& ctx,
                      const std::map<std::string, std::vector<const tools::AccountRow*>>& by_kind,
                      const SimulateOptions& o);
void cmd_simulate_day(Context& ctx, const SimulateOptions& o);

}  // namespace carbonx::cxctl
