// The daily market report (market_report.hpp): table, CSV and JSON renderings.
#include <nlohmann/json.hpp>

#include "carbonx/tools/format.hpp"
#include "carbonx/tools/market_report.hpp"

namespace carbonx::tools {
namespace {

using json = nlohmann::ordered_json;

std::string price_or_dash(const std::optional<PriceFen>& p) {
  return p ? fen_to_yuan(p->value()) : "-";
}

json price_json(const std::optional<PriceFen>& p) {
  return p ? json(p->value()) : json(nullptr);
}

json flows_json(const Flows& f) {
  return json{{"volume_t", f.volume_t.value()},
              {"turnover_fen", f.turnover_fen.value()},
              {"trades", f.trades}};
}

json breakdown_json(const Breakdown& b) {
  json modes = json::object();
  for (std::size_t m = 0; m < kTradeModeCount; ++m) {
    modes[std::string(to_string(static_cast<TradeMode>(m)))] = flows_json(b.by_mode[m]);
  }
  json parts = json::object();
  for (std::size_t p = 0; p < kParticipantTypeCount; ++p) {
    parts[std::string(to_string(static_cast<ParticipantType>(p)))] =
        flows_json(b.by_participant[p]);
  }
  return json{{"total", flows_json(b.total)}, {"by_mode", modes}, {"by_participant", parts}};
}

std::string split_table(const std::string& title, const std::vector<InstrumentDay>& days,
                        const Breakdown& total, bool modes) {
  std::vector<TextTable::Column> cols{{title, false}};
  const std::size_t n = modes ? kTradeModeCount : kParticipantTypeCount;
  for (std::size_t k = 0; k < n; ++k) {
    cols.push_back({modes ? std::string(to_string(static_cast<TradeMode>(k))) + " t"
                          : std::string(to_string(static_cast<ParticipantType>(k))) + " t",
                    true});
  }
  TextTable t(cols);
  const auto row = [&](const std::string& name, const Breakdown& b) {
    std::vector<std::string> cells{name};
    for (std::size_t k = 0; k < n; ++k) {
      cells.push_back(grouped((modes ? b.by_mode[k] : b.by_participant[k]).volume_t.value()));
    }
    t.add_row(std::move(cells));
  };
  for (const InstrumentDay& d : days)
    row(d.code, d.day);
  t.add_rule();
  row("total", total);
  return t.render();
}

}  // namespace

std::string market_table(const MarketReport& r) {
  std::string out = "Daily market report " + date_text(r.date) + " (prices CNY/t, turnover CNY)\n";
  TextTable t({{"instrument", false},
               {"open", true},
               {"high", true},
               {"low", true},
               {"close", true},
               {"vwap", true},
               {"volume t", true},
               {"turnover", true},
               {"trades", true}});
  for (const InstrumentDay& d : r.instruments) {
    t.add_row({d.code, price_or_dash(d.open_fen), price_or_dash(d.high_fen),
               price_or_dash(d.low_fen), fen_to_yuan(d.close_fen.value()),
               price_or_dash(d.vwap_fen), grouped(d.day.total.volume_t.value()),
               fen_to_yuan(d.day.total.turnover_fen.value()), std::to_string(d.day.total.trades)});
  }
  t.add_rule();
  t.add_row({"total", "", "", "", "", "", grouped(r.day_total.total.volume_t.value()),
             fen_to_yuan(r.day_total.total.turnover_fen.value()),
             std::to_string(r.day_total.total.trades)});
  out += t.render();
  out += "\nVolume by trading mode\n" + split_table("instrument", r.instruments, r.day_total, true);
  out += "\nVolume by participant type (both sides counted)\n" +
         split_table("instrument", r.instruments, r.day_total, false);
  out += "\nCumulative since " + (r.first_date.yyyymmdd ? date_text(r.first_date) : "-") + "\n";
  TextTable c({{"instrument", false}, {"volume t", true}, {"turnover", true}, {"trades", true}});
  for (const InstrumentDay& d : r.instruments) {
    c.add_row({d.code, grouped(d.cumulative.total.volume_t.value()),
               fen_to_yuan(d.cumulative.total.turnover_fen.value()),
               std::to_string(d.cumulative.total.trades)});
  }
  c.add_rule();
  c.add_row({"total", grouped(r.cumulative_total.total.volume_t.value()),
             fen_to_yuan(r.cumulative_total.total.turnover_fen.value()),
             std::to_string(r.cumulative_total.total.trades)});
  return out + c.render();
}

// CSV: one table, header section,code,date,key,value_a,value_b,value_c:
//   price rows:  price,<code>,<date>,open|high|low|close|vwap|reference,<fen>,,
//   flow rows:   day|cumulative,<code or TOTAL>,<date>,total|<mode>|<participant>,
//                <volume_t>,<turnover_fen>,<trades>
//   history:     history,<code>,<date>,close,<close_fen>,<volume_t>,<turnover_fen>
std::string market_csv(const MarketReport& r) {
  std::string out = "section,code,date,key,value_a,value_b,value_c\n";
  const std::string date = date_text(r.date);
  const auto flows = [&](const std::string& section, const std::string& code, const Breakdown& b) {
    const auto line = [&](std::string_view key, const Flows& f) {
      out += section + "," + csv_field(code) + "," + date + "," + std::string(key) + "," +
             std::to_string(f.volume_t.value()) + "," + std::to_string(f.turnover_fen.value()) +
             "," + std::to_string(f.trades) + "\n";
    };
    line("total", b.total);
    for (std::size_t m = 0; m < kTradeModeCount; ++m) {
      line(to_string(static_cast<TradeMode>(m)), b.by_mode[m]);
    }
    for (std::size_t p = 0; p < kParticipantTypeCount; ++p) {
      line(to_string(static_cast<ParticipantType>(p)), b.by_participant[p]);
    }
  };
  for (const InstrumentDay& d : r.instruments) {
    const auto price = [&](std::string_view key, const std::optional<PriceFen>& p) {
      out += "price," + csv_field(d.code) + "," + date + "," + std::string(key) + "," +
             (p ? std::to_string(p->value()) : "") + ",,\n";
    };
    price("reference", d.reference_fen);
    price("open", d.open_fen);
    price("high", d.high_fen);
    price("low", d.low_fen);
    price("close", d.close_fen);
    price("vwap", d.vwap_fen);
    flows("day", d.code, d.day);
    flows("cumulative", d.code, d.cumulative);
  }
  flows("day", "TOTAL", r.day_total);
  flows("cumulative", "TOTAL", r.cumulative_total);
  for (const DailyPoint& p : r.history) {
    out += "history," + csv_field(p.code) + "," + date_text(p.date) + ",close," +
           std::to_string(p.close_fen.value()) + "," + std::to_string(p.volume_t.value()) + "," +
           std::to_string(p.turnover_fen.value()) + "\n";
  }
  return out;
}

std::string market_json(const MarketReport& r) {
  json out{{"schema", "carbonx.market_report"},
           {"version", 1},
           {"date", date_text(r.date)},
           {"market_opened", date_text(r.first_date)}};
  json ins = json::array();
  for (const InstrumentDay& d : r.instruments) {
    ins.push_back(json{{"code", d.code},
                       {"reference_fen", d.reference_fen.value()},
                       {"open_fen", price_json(d.open_fen)},
                       {"high_fen", price_json(d.high_fen)},
                       {"low_fen", price_json(d.low_fen)},
                       {"close_fen", d.close_fen.value()},
                       {"vwap_fen", price_json(d.vwap_fen)},
                       {"day", breakdown_json(d.day)},
                       {"cumulative", breakdown_json(d.cumulative)}});
  }
  out["instruments"] = ins;
  out["total"] = json{{"day", breakdown_json(r.day_total)},
                      {"cumulative", breakdown_json(r.cumulative_total)}};
  json hist = json::array();
  for (const DailyPoint& p : r.history) {
    hist.push_back(json{{"code", p.code},
                        {"date", date_text(p.date)},
                        {"close_fen", p.close_fen.value()},
                        {"volume_t", p.volume_t.value()},
                        {"turnover_fen", p.turnover_fen.value()}});
  }
  out["history"] = hist;
  return out.dump(2) + "\n";
}

}  // namespace carbonx::tools
