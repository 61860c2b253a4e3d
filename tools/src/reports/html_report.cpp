// The self-contained HTML report with inline SVG charts (html_report.hpp).
#include "carbonx/tools/html_report.hpp"

#include <algorithm>
#include <cstdio>
#include <map>
#include <set>

#include "carbonx/base/civil_time.hpp"
#include "carbonx/tools/format.hpp"

namespace carbonx::tools {
namespace {

constexpr int kWidth = 720;
constexpr int kHeight = 260;
constexpr int kLeft = 86;
constexpr int kRight = 20;
constexpr int kTop = 20;
constexpr int kBottom = 40;
const char* const kColours[] = {"#1b7f5b", "#2f6fb3", "#d4872b", "#9b4fb0", "#c23b3b", "#5f6b73"};

std::string num(double v) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%.1f", v);
  return buf;
}

const char* colour(std::size_t i) {
  return kColours[i % (sizeof kColours / sizeof kColours[0])];
}

std::string svg_open(const std::string& id, const std::string& label, int height = kHeight) {
  return "<svg id=\"" + id + "\" class=\"chart\" role=\"img\" aria-label=\"" + html_escape(label) +
         "\" viewBox=\"0 0 " + std::to_string(kWidth) + " " + std::to_string(height) +
         "\" width=\"" + std::to_string(kWidth) + "\" height=\"" + std::to_string(height) +
         "\" xmlns=\"http://www.w3.org/2000/svg\">";
}

std::string text(double x, double y, const std::string& s, const char* anchor = "start",
                 const char* cls = "") {
  return "<text x=\"" + num(x) + "\" y=\"" + num(y) + "\" text-anchor=\"" + anchor + "\" class=\"" +
         cls + "\">" + html_escape(s) + "</text>";
}

std::string axes(const std::string& y_label) {
  const int x0 = kLeft;
  const int y0 = kHeight - kBottom;
  return "<line class=\"axis\" x1=\"" + std::to_string(x0) + "\" y1=\"" + std::to_string(kTop) +
         "\" x2=\"" + std::to_string(x0) + "\" y2=\"" + std::to_string(y0) + "\"/>" +
         "<line class=\"axis\" x1=\"" + std::to_string(x0) + "\" y1=\"" + std::to_string(y0) +
         "\" x2=\"" + std::to_string(kWidth - kRight) + "\" y2=\"" + std::to_string(y0) + "\"/>" +
         text(8, kTop - 6, y_label, "start", "axis-label");
}

// The history's dates in order, as x positions.
std::vector<std::int32_t> dates_of(const MarketReport& r) {
  std::set<std::int32_t> s;
  for (const DailyPoint& p : r.history)
    s.insert(p.date.yyyymmdd);
  return {s.begin(), s.end()};
}

double x_at(std::size_t i, std::size_t n) {
  const double span = kWidth - kLeft - kRight;
  return n <= 1 ? kLeft + span / 2 : kLeft + span * static_cast<double>(i) / (n - 1);
}

std::string close_chart(const MarketReport& r) {
  const auto dates = dates_of(r);
  std::map<std::string, std::vector<std::pair<std::size_t, std::int64_t>>> series;
  std::int64_t lo = INT64_MAX;
  std::int64_t hi = 0;
  for (const DailyPoint& p : r.history) {
    const auto i = std::lower_bound(dates.begin(), dates.end(), p.date.yyyymmdd) - dates.begin();
    series[p.code].push_back({static_cast<std::size_t>(i), p.close_fen.value()});
    lo = std::min(lo, p.close_fen.value());
    hi = std::max(hi, p.close_fen.value());
  }
  std::string out = svg_open("chart-close", "Daily close per instrument") + axes("close CNY/t");
  if (series.empty())
    return out + text(kWidth / 2, kHeight / 2, "no trades yet", "middle") + "</svg>";
  if (hi == lo) {
    lo -= 100;
    hi += 100;
  }
  const double plot_h = kHeight - kTop - kBottom;
  const auto y_of = [&](std::int64_t v) {
    return kTop + plot_h * (1.0 - static_cast<double>(v - lo) / static_cast<double>(hi - lo));
  };
  out += text(kLeft - 6, y_of(hi) + 4, fen_to_yuan(hi), "end", "tick");
  out += text(kLeft - 6, y_of(lo) + 4, fen_to_yuan(lo), "end", "tick");
  out += text(kLeft, kHeight - 12, date_text(Date{dates.front()}), "start", "tick");
  out += text(kWidth - kRight, kHeight - 12, date_text(Date{dates.back()}), "end", "tick");
  std::size_t k = 0;
  std::string legend = "<div class=\"legend\">";
  for (const auto& [code, pts] : series) {
    std::string points;
    for (const auto& [i, v] : pts)
      points += num(x_at(i, dates.size())) + "," + num(y_of(v)) + " ";
    out += "<polyline class=\"series\" data-code=\"" + html_escape(code) +
           "\" fill=\"none\" "
           "stroke=\"" +
           colour(k) + "\" stroke-width=\"2\" points=\"" + points + "\"/>";
    for (const auto& [i, v] : pts) {
      out += "<circle cx=\"" + num(x_at(i, dates.size())) + "\" cy=\"" + num(y_of(v)) +
             "\" r=\"3\" fill=\"" + colour(k) + "\"><title>" + html_escape(code) + " " +
             fen_to_yuan(v) + "</title></circle>";
    }
    legend += "<span class=\"key\"><i style=\"background:" + std::string(colour(k)) + "\"></i>" +
              html_escape(code) + "</span>";
    ++k;
  }
  return legend + "</div>" + out + "</svg>";
}

std::string volume_chart(const MarketReport& r) {
  const auto dates = dates_of(r);
  std::map<std::int32_t, std::int64_t> per_day;
  for (const DailyPoint& p : r.history)
    per_day[p.date.yyyymmdd] += p.volume_t.value();
  std::int64_t hi = 1;
  for (const auto& [d, v] : per_day)
    hi = std::max(hi, v);
  std::string out = svg_open("chart-volume", "Daily volume, all instruments") + axes("volume t");
  const double plot_h = kHeight - kTop - kBottom;
  const double span = kWidth - kLeft - kRight;
  const double bar_w = std::clamp(
      span / static_cast<double>(std::max<std::size_t>(dates.size(), 1)) * 0.7, 2.0, 60.0);
  out += text(kLeft - 6, kTop + 4, grouped(hi), "end", "tick");
  for (std::size_t i = 0; i < dates.size(); ++i) {
    const std::int64_t v = per_day[dates[i]];
    const double h = plot_h * static_cast<double>(v) / static_cast<double>(hi);
    const double x = dates.size() <= 1 ? kLeft + span / 2 - bar_w / 2
                                       : kLeft + (span - bar_w) * i / (dates.size() - 1);
    out += "<rect class=\"bar\" x=\"" + num(x) + "\" y=\"" + num(kTop + plot_h - h) +
           "\" width=\"" + num(bar_w) + "\" height=\"" + num(h) + "\" fill=\"" + colour(1) +
           "\"><title>" + date_text(Date{dates[i]}) + ": " + grouped(v) + " t</title></rect>";
  }
  if (!dates.empty()) {
    out += text(kLeft, kHeight - 12, date_text(Date{dates.front()}), "start", "tick");
    out += text(kWidth - kRight, kHeight - 12, date_text(Date{dates.back()}), "end", "tick");
  }
  return out + "</svg>";
}

// Horizontal bars: one per (label, tonnes), the tonnes written beside each bar.
std::string bar_chart(const std::string& id, const std::string& label,
                      const std::vector<std::pair<std::string, std::int64_t>>& bars,
                      const std::string& unit = " t") {
  const int row_h = 30;
  const int height = kTop + row_h * static_cast<int>(bars.size()) + 10;
  std::int64_t hi = 1;
  for (const auto& b : bars)
    hi = std::max(hi, b.second);
  std::string out = svg_open(id, label, height);
  const double span = kWidth - 140 - 160;
  for (std::size_t i = 0; i < bars.size(); ++i) {
    const double y = kTop + row_h * static_cast<double>(i);
    const double w = span * static_cast<double>(bars[i].second) / static_cast<double>(hi);
    out += text(130, y + 17, bars[i].first, "end", "bar-label");
    out += "<rect class=\"bar\" data-key=\"" + html_escape(bars[i].first) + "\" x=\"140\" y=\"" +
           num(y + 4) + "\" width=\"" + num(w) + "\" height=\"18\" fill=\"" + colour(i) + "\"/>";
    out += text(146 + w, y + 17, grouped(bars[i].second) + unit, "start", "bar-value");
  }
  return out + "</svg>";
}

std::string market_section(const MarketReport& r) {
  std::string out = "<section id=\"market\"><h2>Market, " + date_text(r.date) + "</h2>";
  out +=
      "<table id=\"market-table\"><thead><tr><th>instrument</th><th>open</th><th>high</th>"
      "<th>low</th><th>close</th><th>VWAP</th><th>volume t</th><th>turnover CNY</th>"
      "<th>trades</th><th>cumulative t</th></tr></thead><tbody>";
  const auto price = [](const std::optional<PriceFen>& p) {
    return p ? fen_to_yuan(p->value()) : std::string("-");
  };
  for (const InstrumentDay& d : r.instruments) {
    out += "<tr><td>" + html_escape(d.code) + "</td><td>" + price(d.open_fen) + "</td><td>" +
           price(d.high_fen) + "</td><td>" + price(d.low_fen) + "</td><td>" +
           fen_to_yuan(d.close_fen.value()) + "</td><td>" + price(d.vwap_fen) + "</td><td>" +
           grouped(d.day.total.volume_t.value()) + "</td><td>" +
           fen_to_yuan(d.day.total.turnover_fen.value()) + "</td><td>" +
           std::to_string(d.day.total.trades) + "</td><td>" +
           grouped(d.cumulative.total.volume_t.value()) + "</td></tr>";
  }
  out += "<tr class=\"total\"><td>total</td><td></td><td></td><td></td><td></td><td></td><td>" +
         grouped(r.day_total.total.volume_t.value()) + "</td><td>" +
         fen_to_yuan(r.day_total.total.turnover_fen.value()) + "</td><td>" +
         std::to_string(r.day_total.total.trades) + "</td><td>" +
         grouped(r.cumulative_total.total.volume_t.value()) + "</td></tr></tbody></table>";
  out += "<p class=\"note\">Market opened " +
         (r.first_date.yyyymmdd ? date_text(r.first_date) : std::string("-")) +
         ". Prices from listed trades; close = VWAP above 100 t, else the reference.</p>";
  out += "<h3>Daily close</h3>" + close_chart(r);
  out += "<h3>Daily volume</h3>" + volume_chart(r);
  std::vector<std::pair<std::string, std::int64_t>> modes;
  for (std::size_t m = 0; m < kTradeModeCount; ++m) {
    modes.push_back({std::string(to_string(static_cast<TradeMode>(m))),
                     r.day_total.by_mode[m].volume_t.value()});
  }
  out += "<h3>Volume by trading mode (day)</h3>" +
         bar_chart("chart-mode", "Volume by trading mode", modes);
  std::vector<std::pair<std::string, std::int64_t>> parts;
  for (std::size_t p = 0; p < kParticipantTypeCount; ++p) {
    parts.push_back({std::string(to_string(static_cast<ParticipantType>(p))),
                     r.day_total.by_participant[p].volume_t.value()});
  }
  out += "<h3>Volume by participant type (day, both sides)</h3>" +
         bar_chart("chart-participant", "Volume by participant type", parts);
  return out + "</section>";
}

// A date's day number (carbonx::base), for the progress chart's x axis, and back to its label.
std::int64_t day_number(Date d) {
  return base::days_from_civil(base::from_yyyymmdd(d.yyyymmdd));
}

std::string day_label(std::int64_t day) {
  return date_text(Date{base::to_yyyymmdd(base::civil_from_days(day))});
}

std::string progress_chart(const ComplianceReport& r) {
  std::string out = svg_open("chart-compliance", "Compliance progress toward the deadline") +
                    axes("surrendered t");
  // The x axis spans the first surrender, the deadline and today, whichever come first and last.
  std::int64_t first = std::min(day_number(r.deadline), day_number(r.as_of));
  std::int64_t last = std::max(day_number(r.deadline), day_number(r.as_of));
  if (!r.progress.empty()) {
    first = std::min(first, day_number(r.progress.front().date));
    last = std::max(last, day_number(r.progress.back().date));
  }
  if (last == first) ++last;
  const std::int64_t hi = std::max<std::int64_t>(
      {r.obligation_t, r.progress.empty() ? 0 : r.progress.back().surrendered_t, 1});
  const double plot_h = kHeight - kTop - kBottom;
  const double span = kWidth - kLeft - kRight;
  const auto x_of = [&](std::int64_t dn) {
    return kLeft + span * static_cast<double>(dn - first) / static_cast<double>(last - first);
  };
  const auto y_of = [&](std::int64_t v) {
    return kTop + plot_h * (1.0 - static_cast<double>(v) / static_cast<double>(hi));
  };
  out += "<line class=\"obligation\" x1=\"" + num(kLeft) + "\" y1=\"" + num(y_of(r.obligation_t)) +
         "\" x2=\"" + num(kWidth - kRight) + "\" y2=\"" + num(y_of(r.obligation_t)) +
         "\" stroke=\"#c23b3b\" stroke-dasharray=\"6 4\"/>";
  out += text(kWidth - kRight, y_of(r.obligation_t) - 6,
              "obligation " + grouped(r.obligation_t) + " t", "end", "tick");
  const double xd = x_of(day_number(r.deadline));
  out += "<line class=\"deadline\" x1=\"" + num(xd) + "\" y1=\"" + num(kTop) + "\" x2=\"" +
         num(xd) + "\" y2=\"" + num(kHeight - kBottom) + "\" stroke=\"#5f6b73\"/>";
  const bool left_half = xd < kLeft + (kWidth - kLeft - kRight) / 2.0;
  out += text(xd, kHeight - 12, "deadline " + date_text(r.deadline), left_half ? "start" : "end",
              "tick");
  out += text(kLeft, kHeight - 26, day_label(first), "start", "tick");
  out += text(kWidth - kRight, kHeight - 26, day_label(last), "end", "tick");
  std::string points = num(x_of(first)) + "," + num(y_of(0)) + " ";
  for (const ProgressPoint& p : r.progress) {
    points += num(x_of(day_number(p.date))) + "," + num(y_of(p.surrendered_t)) + " ";
  }
  // Flat from the last surrender to today.
  const std::int64_t surrendered = r.progress.empty() ? 0 : r.progress.back().surrendered_t;
  points += num(x_of(day_number(r.as_of))) + "," + num(y_of(surrendered)) + " ";
  out += "<polyline class=\"series\" fill=\"none\" stroke=\"" + std::string(colour(0)) +
         "\" stroke-width=\"2\" points=\"" + points + "\"/>";
  out += text(kLeft - 6, kTop + 4, grouped(hi), "end", "tick");
  return out + "</svg>";
}

std::string compliance_section(const ComplianceReport& r) {
  std::string out =
      "<section id=\"compliance\"><h2>Compliance year " + std::to_string(r.year) +
      "</h2><p class=\"note\">Deadline " + date_text(r.deadline) + ", as of " + date_text(r.as_of) +
      ": surrendered " + permille_text(permille(r.allowances_t + r.offsets_t, r.obligation_t)) +
      " of " + grouped(r.obligation_t) + " t; " + std::to_string(r.compliant) + " compliant, " +
      std::to_string(r.short_firms) + " short, " + std::to_string(r.exempt) + " exempt.</p>";
  out += "<h3>Progress toward the deadline</h3>" + progress_chart(r);
  out +=
      "<h3>Firms by status</h3>" + bar_chart("chart-status", "Firms by status",
                                             {{"compliant", static_cast<std::int64_t>(r.compliant)},
                                              {"short", static_cast<std::int64_t>(r.short_firms)},
                                              {"exempt", static_cast<std::int64_t>(r.exempt)}},
                                             " firms");
  out +=
      "<table id=\"compliance-table\"><thead><tr><th>firm</th><th>obligation t</th>"
      "<th>allowances t</th><th>offsets t</th><th>shortfall t</th><th>status</th>"
      "<th>penalty t</th><th>fine CNY</th></tr></thead><tbody>";
  for (const FirmLine& f : r.firms) {
    out += "<tr class=\"" + std::string(to_string(f.standing)) + "\"><td>" +
           html_escape(f.row.firm) + "</td><td>" + grouped(f.row.obligation_t) + "</td><td>" +
           grouped(f.row.allowances_t) + "</td><td>" + grouped(f.row.offsets_t) + "</td><td>" +
           grouped(f.shortfall_t) + "</td><td>" + std::string(to_string(f.standing)) +
           (f.extended ? " (deadline " + date_text(f.row.deadline) + ")" : "") + "</td><td>" +
           grouped(f.row.penalty_t) + "</td><td>" + fen_to_yuan(f.row.fine_fen.value()) +
           "</td></tr>";
  }
  out += "<tr class=\"total\"><td>total</td><td>" + grouped(r.obligation_t) + "</td><td>" +
         grouped(r.allowances_t) + "</td><td>" + grouped(r.offsets_t) + "</td><td>" +
         grouped(r.shortfall_t) + "</td><td></td><td>" + grouped(r.penalty_t) + "</td><td>" +
         fen_to_yuan(r.fines_fen.value()) + "</td></tr></tbody></table>";
  return out + "</section>";
}

const char* const kStyle =
    "body{font-family:system-ui,sans-serif;margin:24px auto;max-width:780px;color:#1d2327}"
    "h1{font-size:22px}h2{font-size:18px;border-bottom:1px solid #ccd;padding-bottom:4px}"
    "h3{font-size:14px;margin:18px 0 4px}table{border-collapse:collapse;font-size:12px;"
    "margin:8px 0}th,td{padding:3px 8px;text-align:right;border-bottom:1px solid #e4e6ea}"
    "th:first-child,td:first-child{text-align:left}tr.total td{font-weight:600}"
    "tr.short td{color:#c23b3b}.note{font-size:12px;color:#5f6b73}"
    ".chart{display:block;background:#fafbfc;border:1px solid #e4e6ea}"
    ".chart text{font-size:11px;fill:#33393f}.axis{stroke:#889}"
    ".legend{font-size:11px;margin:4px 0}.key{margin-right:14px;white-space:nowrap}"
    ".key i{display:inline-block;width:10px;height:10px;margin-right:4px}";

}  // namespace

std::string html_escape(std::string_view s) {
  std::string out;
  out.reserve(s.size());
  for (const char c : s) {
    switch (c) {
      case '&':
        out += "&amp;";
        break;
      case '<':
        out += "&lt;";
        break;
      case '>':
        out += "&gt;";
        break;
      case '"':
        out += "&quot;";
        break;
      case '\'':
        out += "&#39;";
        break;
      default:
        out += c;
    }
  }
  return out;
}

std::string render_html(const MarketReport* market, const ComplianceReport* compliance,
                        const std::string& title) {
  std::string out = "<!DOCTYPE html><html lang=\"en\"><head><meta charset=\"utf-8\"><title>" +
                    html_escape(title) + "</title><style>" + kStyle + "</style></head><body><h1>" +
                    html_escape(title) + "</h1>";
  if (market != nullptr) out += market_section(*market);
  if (compliance != nullptr) out += compliance_section(*compliance);
  return out +
         "<p class=\"note\">Generated by cxctl (carbonx). Self-contained: no external "
         "resources.</p></body></html>\n";
}

}  // namespace carbonx::tools
