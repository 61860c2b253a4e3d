#!/usr/bin/env bash
# The demonstration market (what `make run` shows): a fresh store with the sample market, the
# year's free allocation issued, carbonxd started, a trading day driven through members' FIX
# sessions (listed orders, an agreement transfer, auction bids; a repo and the auction filed and
# closed by the operator), the year's verified emissions recorded, the daily report and the
# server's compliance status printed, the HTML report written. The server keeps running until
# Ctrl-C.
#
# The exchange runs on a simulated clock ([server] clock_start, gateway/include/carbonx/gateway/
# clock.hpp) starting Tuesday 15 May 2018 09:30 China time: inside the 2017 compliance cycle,
# before its surrender deadline (2018-06-20) and after the repo fee waiver took effect
# (2017-05-10), so the trades, the repo's waived fees, a surrender on time and the compliance
# status are dated coherently. CARBONX_DEMO_CLOCK sets another start ("wall" for the wall clock).
#
# CARBONX_MARKET=national (`make run MARKET=national`) runs the national market instead
# (tools/data/national/: CEA per vintage, old and relaunched CCER, key emitting units and
# institutions, no individuals, the national trading rules): its clock starts Thursday 2 January
# 2025 13:00 China time (the block agreement hours), the day has listed trades of CEA24 and a
# block agreement over FIX and an auction of a relaunched CCER; the Guangdong allocation,
# emissions and surrender steps are not part of it.
#
# Usage: scripts/demo-market.sh [build dir]     (env: CARBONX_MARKET=guangdong|national,
#        CARBONX_DEMO_DIR, CARBONX_FIX_PORT, CARBONX_OPERATOR_PORT, CARBONX_CONSOLE_PORT,
#        CARBONX_DEMO_TRADES, CARBONX_DEMO_CLOCK, CARBONX_DEMO_NO_WAIT=1 to stop at the end)
set -euo pipefail
root=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "${1:-$root/build}" && pwd)
market_name=${CARBONX_MARKET:-guangdong}
case "$market_name" in
  guangdong) market="$root/tools/data/market" symbol=GDEA2017 auction=PHCER-GD-FOREST inst=INST01
    default_clock=2018-05-15T09:30:00+08:00 firm_officer=firm1:firm_officer:100029 ;;
  national) market="$root/tools/data/national" symbol=CEA24 auction=CCER24-FOREST1 inst=NINST01
    default_clock=2025-01-02T13:00:00+08:00 firm_officer= ;;
  *) echo "demo-market: CARBONX_MARKET must be guangdong or national, not '$market_name'" >&2
    exit 2 ;;
esac
data=${CARBONX_DEMO_DIR:-$root/data/demo}
fix_port=${CARBONX_FIX_PORT:-9878}
op_port=${CARBONX_OPERATOR_PORT:-9879}
console_port=${CARBONX_CONSOLE_PORT:-9880}
trades=${CARBONX_DEMO_TRADES:-300}
clock=${CARBONX_DEMO_CLOCK:-$default_clock}
cxctl="$build/bin/cxctl"
carbonxd="$build/bin/carbonxd"
for p in "$cxctl" "$carbonxd"; do
  [ -x "$p" ] || { echo "demo-market: $p is missing (build first: make build)" >&2; exit 1; }
done

step() { printf '\n== %s\n' "$*"; }

step "A fresh data directory: $data (market: $market_name, $market)"
rm -rf "$data"
mkdir -p "$data"
cp "$market/instruments.toml" "$data/"
clock_edit=(-e "/^\[server\]/a clock_start = \"$clock\"")
[ "$clock" != wall ] || clock_edit=()
# The operator console (gateway/src/console): on loopback, the web folder the build made.
console_edit=(-e "/^\[server\]/a console = true\nconsole_port = $console_port\nconsole_web_dir = \"$build/web\"")
if [ ! -f "$build/web/index.html" ]; then
  echo "demo-market: $build/web is not built (npm missing?): no console" >&2
  console_edit=()
fi
sed "${console_edit[@]}" -e "s/^fix_port = .*/fix_port = $fix_port/" -e "s/^operator_port = .*/operator_port = $op_port/" \
  "${clock_edit[@]}" "$market/carbonxd.toml" >"$data/carbonxd.toml"
cat "$market/members.toml" >>"$data/carbonxd.toml"
export CARBONX_CONFIG="$data/carbonxd.toml"

if [ "$market_name" = guangdong ]; then
  step "Accounts of 52 covered firms, 8 institutions and 20 individuals (in-process, no server yet)"
  "$cxctl" --mode in-process init --accounts "$market/accounts.csv"

  step "Free allocation 2017 (national 2017 draft benchmarks, 52 firms): pre-allocation issued"
  "$cxctl" --mode in-process allocation issue --year 2017 --accounts "$market/accounts.csv"
else
  step "Accounts of 20 key emitting units and 8 institutions, no individuals (in-process)"
  "$cxctl" --mode in-process init --accounts "$market/accounts.csv"
fi

console_users=""
[ ${#console_edit[@]} -eq 0 ] ||
  step "Console users (demonstration passwords; each with its own TOTP secret)"
# firm1: the compliance officer of GDPWR01 (account 100029), who sees the firm portal (Guangdong:
# the national demonstration registers no covered firm yet).
[ ${#console_edit[@]} -eq 0 ] ||
  for u in op1:operator: appr1:approver: ro1:read_only: $firm_officer; do
    IFS=: read -r name role firm <<<"$u"
    console_users+=$("$carbonxd" --config "$data/carbonxd.toml" --console-add-user "$name" \
      --role "$role" ${firm:+--firm "$firm"} --password "$name-demo-pass" | awk 'NR == 1')$'\n'
  done
printf '%s' "$console_users"

step "Starting carbonxd (FIX on port $fix_port, operator API on 127.0.0.1:$op_port, console on 127.0.0.1:$console_port)"
"$carbonxd" --config "$data/carbonxd.toml" >"$data/carbonxd.log" 2>&1 &
server=$!
stop_server() {
  if kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server" 2>/dev/null || true
    wait "$server" 2>/dev/null || true
  fi
}
trap 'echo; echo "demo-market: stopping carbonxd"; stop_server; exit 0' INT TERM
trap stop_server EXIT
for _ in $(seq 1 100); do
  "$cxctl" --mode server -q status >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { echo "demo-market: carbonxd exited:" >&2; cat "$data/carbonxd.log" >&2; exit 1; }
  sleep 0.1
done
"$cxctl" --mode server status
"$cxctl" --mode server clock status

if [ "$market_name" = guangdong ]; then
  step "A trading day through FIX: $trades trades of GDEA2017 (institutions ~60%, firms ~30%, individuals ~10%)"
  echo "   then off-book: an agreement transfer over FIX (TradeCaptureReport, accepted by the"
  echo "   counterparty's session), a repo filed by the operator and repurchased (fees waived),"
  echo "   and a pay-as-bid auction of the forestry PHCER with sealed bids over FIX"
  sim_extra=()
else
  step "A trading day through FIX: $trades listed-agreement trades of CEA24 (institutions, key emitting units)"
  echo "   then a block agreement (100,000 t, TradeCaptureReport accepted by the counterparty's"
  echo "   session) and a pay-as-bid auction of a relaunched CCER with sealed bids over FIX;"
  echo "   orders selling units bought the same day are refused (next-day resale)"
  sim_extra=(--no-repo)
fi
"$cxctl" --mode server simulate day --symbol "$symbol" --trades "$trades" --accounts "$market/accounts.csv" \
  --offbook --auction-symbol "$auction" "${sim_extra[@]}"

step "Close of the market and end of day"
"$cxctl" --mode server market close
"$cxctl" --mode server market day-end

step "Daily market report"
"$cxctl" --mode server report market

if [ "$market_name" = guangdong ]; then
step "Verified emissions of the sample firms, 2016 and 2017 (journaled; 2016 sets the offset cap)"
for y in 2016 2017; do
  "$cxctl" --mode server emissions load --file "$root/registry/data/sample/verified_emissions_$y.csv"
done

step "A surrender on time: GDPWR01's member (29) surrenders 1,000 t GDEA2017 for 2017"
echo "   (the exchange clock is before the 2017 deadline, 2018-06-20: cxctl clock status)"
"$cxctl" --mode server surrender --year 2017 --firm GDPWR01 --member 29 --leg GDEA2017:1000

step "Compliance status, year 2017 (the server's compliance state: obligations, surrenders, penalties)"
echo "   Deadline 2018-06-20 not reached on the exchange clock: short firms are open, not penalised."
echo "   'cxctl clock advance --to 2018-06-21T09:30:00+08:00' then 'cxctl compliance settle --year"
echo "   2017' would settle the year (penalties for the short firms)."
status=$("$cxctl" --mode server compliance status --year 2017)
head -4 <<<"$status"
echo "   ..."
tail -4 <<<"$status"
fi

step "Ledger and journal check"
"$cxctl" --mode server journal verify

report_year=2017
[ "$market_name" = guangdong ] || report_year=2024
"$cxctl" --mode server -q report html --year "$report_year" --out "$data/report.html"
console_msg=""
firm_line=""
[ -z "$firm_officer" ] || firm_line="
               (firm1 is GDPWR01's compliance officer: the firm portal, holdings, surrender)"
if [ -n "$console_users" ]; then
  console_msg="Console:       http://127.0.0.1:$console_port/   (log in with a user below and its code now:
               $carbonxd --config $data/carbonxd.toml --console-code <user>
               or an authenticator app given the secret)
$(awk 'NF { printf "               %-6s %-12s password %-16s TOTP secret %s\n", $3, $5, $7, $9 }' <<<"$console_users")$firm_line
"
fi
cat <<MSG

== The exchange is running
HTML report:   $data/report.html   (open it in a browser)
FIX 4.4:       connect to 127.0.0.1:$fix_port, TargetCompID CARBONX, e.g. SenderCompID $inst,
               Username(553) ${inst,,}, Password(554) ${inst,,}-pass (members: $market/members.toml);
               data dictionary: $root/gateway/spec/FIX44-carbonx.xml
Operator:      CARBONX_CONFIG=$data/carbonxd.toml $cxctl --help
               (bearer token of the operator API: $data/operator.token, mode 0600)
${console_msg}Server log:    $data/carbonxd.log
Press Ctrl-C to stop the server.
MSG
if [ "${CARBONX_DEMO_NO_WAIT:-0}" = "1" ]; then
  exit 0
fi
wait "$server"
