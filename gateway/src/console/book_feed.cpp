#include "carbonx/gateway/console/book_feed.hpp"

#include <algorithm>
#include <nlohmann/json.hpp>

#include "carbonx/engine/assert.hpp"

namespace carbonx::gateway::console {

using json = nlohmann::json;

BookFeed::BookFeed(std::function<void(const std::string&)> publish)
    : publish_(std::move(publish)) {}

void BookFeed::seed(std::uint32_t instrument, std::string symbol, Phase phase,
                    const std::vector<std::pair<std::int64_t, std::int64_t>>& bids,
                    const std::vector<std::pair<std::int64_t, std::int64_t>>& asks) {
  std::lock_guard lock(mutex_);
  Book& b = books_[instrument];
  b.symbol = std::move(symbol);
  b.phase = phase;
  for (const auto& [price, qty] : bids)
    b.bids[price] = qty;
  for (const auto& [price, qty] : asks)
    b.asks[price] = qty;
}

void BookFeed::on_events(std::span<const Event> events) {
  std::vector<std::uint32_t> changed;
  std::vector<std::string> out;
  {
    std::lock_guard lock(mutex_);
    for (const Event& ev : events) {
      std::uint32_t ins = 0;
      if (const auto* d = std::get_if<BookDeltaEvent>(&ev.body)) {
        ins = d->instrument.value();
        const auto it = books_.find(ins);
        if (it == books_.end()) continue;
        Book& b = it->second;
        const std::int64_t price = d->price_fen.value();
        const std::int64_t qty = d->quantity_t.value();
        CX_ASSERT(qty >= 0);
        if (d->side == Side::kBuy) {
          if (qty == 0)
            b.bids.erase(price);
          else
            b.bids[price] = qty;
        } else {
          if (qty == 0)
            b.asks.erase(price);
          else
            b.asks[price] = qty;
        }
      } else if (const auto* t = std::get_if<TradeEvent>(&ev.body)) {
        ins = t->instrument.value();
        const auto it = books_.find(ins);
        if (it == books_.end()) continue;
        auto& trades = it->second.trades;
        trades.push_front(
            Trade{t->price_fen.value(), t->quantity_t.value(), ev.ts.value(), t->aggressor_side});
        if (trades.size() > kTrades) trades.pop_back();
      } else if (const auto* p = std::get_if<PhaseEvent>(&ev.body)) {
        ins = p->instrument.value();
        const auto it = books_.find(ins);
        if (it == books_.end()) continue;
        it->second.phase = p->phase;
      } else {
        continue;
      }
      books_[ins].seq = ev.seq.value();
      if (changed.empty() || changed.back() != ins) changed.push_back(ins);
    }
    std::sort(changed.begin(), changed.end());
    changed.erase(std::unique(changed.begin(), changed.end()), changed.end());
    for (const std::uint32_t ins : changed)
      out.push_back(view_locked(books_.at(ins)));
  }
  for (const std::string& view : out)
    publish_(view);
}

std::vector<std::string> BookFeed::views() const {
  std::lock_guard lock(mutex_);
  std::vector<std::string> out;
  for (const auto& [id, b] : books_)
    out.push_back(view_locked(b));
  return out;
}

std::string BookFeed::view_locked(const Book& b) const {
  const auto levels = [](const auto& side) {
    json arr = json::array();
    for (const auto& [price, qty] : side) {
      if (arr.size() == kDepth) break;
      arr.push_back(json::array({price, qty}));
    }
    return arr;
  };
  json trades = json::array();
  for (const Trade& t : b.trades) {
    trades.push_back({{"price_fen", t.price_fen},
                      {"quantity_t", t.quantity_t},
                      {"ts_ns", t.ts_ns},
                      {"aggressor", t.aggressor == Side::kBuy ? "buy" : "sell"}});
  }
  return json{{"symbol", b.symbol},     {"phase", std::string(to_string(b.phase))},
              {"seq", b.seq},           {"bids", levels(b.bids)},
              {"asks", levels(b.asks)}, {"trades", trades}}
      .dump();
}

}  // namespace carbonx::gateway::console
