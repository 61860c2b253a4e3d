#include "carbonx/gateway/console/alert_feed.hpp"

#include <nlohmann/json.hpp>

namespace carbonx::gateway::console {

using json = nlohmann::json;

AlertFeed::AlertFeed(const ExchangeConfig& config, std::function<void(const std::string&)> publish)
    : monitor_(config), publish_(std::move(publish)) {}

void AlertFeed::on_events(std::span<const Event> events) {
  scratch_.clear();
  monitor_.on_events(events, scratch_);
  for (const surveillance::Alert& a : scratch_) {
    std::string text = to_json(a);
    {
      std::lock_guard lock(mutex_);
      kept_.push_front(text);
      if (kept_.size() > kKept) kept_.pop_back();
    }
    publish_(text);
  }
}

std::string AlertFeed::recent() const {
  std::lock_guard lock(mutex_);
  std::string out = "[";
  for (const std::string& a : kept_) {
    if (out.size() > 1) out += ',';
    out += a;
  }
  return out + "]";
}

std::string AlertFeed::to_json(const surveillance::Alert& a) {
  json orders = json::array();
  for (const surveillance::AlertParty& p : a.parties) {
    orders.push_back({{"order_id", p.order_id},
                      {"account", p.account},
                      {"member", p.member},
                      {"side", p.side == Side::kBuy ? "buy" : "sell"}});
  }
  return json{{"kind", std::string(surveillance::to_string(a.kind))},
              {"seq", a.seq},
              {"ts_ns", a.ts_ns},
              {"instrument", a.instrument},
              {"price_fen", a.price_fen},
              {"quantity_t", a.quantity_t},
              {"detail", a.detail},
              {"orders", orders}}
      .dump();
}

}  // namespace carbonx::gateway::console
