#!/usr/bin/env bash
# Renders the HTML report in headless Chromium (Debian's `chromium`) and checks the rendered DOM
# holds every chart with its data and the numbers, and that a screenshot is a real picture.
# Usage: html_chromium_test.sh <tools_tests binary> <work dir>
set -euo pipefail
tests_bin=$1
work=$2
browser=$(command -v chromium || command -v chromium-browser || true)
if [ -z "$browser" ]; then
  echo "FAIL: chromium is not installed (scripts/setup-deps.sh installs the Debian package)" >&2
  exit 1
fi
rm -rf "$work" && mkdir -p "$work"
page="$work/report.html"
CARBONX_HTML_OUT="$page" "$tests_bin" --gtest_filter='HtmlReport.SelfContained*' >/dev/null
[ -s "$page" ] || { echo "FAIL: the report page was not written" >&2; exit 1; }
flags=(--headless --no-sandbox --disable-gpu --disable-quic --no-first-run
  --disable-background-networking --disable-component-update --disable-sync
  --user-data-dir="$work/profile" --window-size=820,2400)
timeout 120 "$browser" "${flags[@]}" --dump-dom "file://$page" >"$work/dom.html" 2>"$work/dom.log"
fail=0
need() {
  if ! grep -q -- "$1" "$work/dom.html"; then
    echo "FAIL: the rendered DOM lacks $1" >&2
    fail=1
  fi
}
for id in chart-close chart-volume chart-mode chart-participant chart-compliance chart-status \
  market-table compliance-table; do
  need "id=\"$id\""
done
need '<polyline class="series" data-code="GDEA2017"'
need '<rect class="bar" data-key="repo"'
need '100,000 t'
need 'deadline 2018-06-20'
need 'GDCEM&lt;&amp;&gt;'
rm -rf "$work/profile"
timeout 120 "$browser" "${flags[@]}" --user-data-dir="$work/profile" \
  --screenshot="$work/report.png" "file://$page" >"$work/shot.log" 2>&1
size=$(stat -c %s "$work/report.png" 2>/dev/null || echo 0)
if [ "$size" -lt 20000 ]; then
  echo "FAIL: screenshot $work/report.png is missing or blank ($size bytes)" >&2
  fail=1
fi
[ $fail -eq 0 ] && echo "OK: chromium rendered $page (screenshot $size bytes)"
exit $fail
