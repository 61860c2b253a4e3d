#pragma once
// The HTML report: ONE self-contained page (inline CSS, inline SVG charts drawn here, no script,
// no external fetch) that opens in any browser:
//   - daily close per instrument over time (svg#chart-close, one polyline per instrument),
//   - daily volume over time (svg#chart-volume, bars),
//   - the day's volume by trading mode and by participant type (svg#chart-mode,
//     svg#chart-participant, horizontal bars with their tonnes as text),
//   - compliance progress toward the deadline (svg#chart-compliance: cumulative surrendered
//     tonnes against the obligation, the deadline marked) and the firms by status,
//   - the report tables (table#market, table#compliance).
// Either report may be absent (nullptr); its sections are then left out. Chart coordinates are
// computed in double (drawing only; every number shown as text comes from the integer reports).
// Pure function, thread-safe. Text is HTML-escaped.

#include <string>

#include "carbonx/tools/compliance_report.hpp"
#include "carbonx/tools/market_report.hpp"

namespace carbonx::tools {

std::string render_html(const MarketReport* market, const ComplianceReport* compliance,
                        const std::string& title);

// Escapes & < > " ' for HTML text and attributes.
std::string html_escape(std::string_view s);

}  // namespace carbonx::tools
