#!/usr/bin/env bash
# The operator console's browser test (ctest console_e2e): a real carbonxd on loopback with the
# demonstration market's accounts and members, its console on, console users (an operator, an
# approver, a read-only user, one to lock out, and GDPWR01's compliance officer for the firm
# portal); then console_e2e.mjs drives Debian's chromium (headless, through playwright-core from
# web/node_modules: no browser is downloaded) against it. FIX orders come from `cxctl simulate
# day` (members' FIX sessions). Screenshots go to <work dir>/screenshots.
# scripts/setup-deps.sh installs node, chromium and web/node_modules; a missing one is a failure.
#
# Usage: run.sh <build dir> <work dir>
set -euo pipefail
build=$(cd "$1" && pwd)
work=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)
market="$root/tools/data/market"

fail() { echo "FAIL: $*" >&2; exit 1; }
command -v node >/dev/null || fail "node is not installed (scripts/setup-deps.sh installs it)"
[ -x /usr/bin/chromium ] || fail "/usr/bin/chromium is missing (scripts/setup-deps.sh installs it)"
[ -f "$root/web/node_modules/playwright-core/package.json" ] ||
  fail "web/node_modules has no playwright-core (scripts/setup-deps.sh runs npm ci there)"
[ -f "$build/web/index.html" ] || fail "$build/web is not built (cmake --build $build --target web)"

server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    wait "$server" || true
  fi
}
trap cleanup EXIT

# Three free loopback ports, picked by the kernel (several build trees may run this at once).
read -r fix_port op_port console_port < <(node -e '
  const net = require("net"); const ports = [];
  const take = () => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => {
    ports.push(s.address().port);
    s.close(() => ports.length < 3 ? take() : console.log(ports.join(" "))) }) };
  take()')

rm -rf "$work" && mkdir -p "$work/screenshots"
cp "$market/instruments.toml" "$work/"
# The demonstration market's configuration, its [server] table led by the test's own keys.
{
  cat <<CONF
[server]
clock_start = "2018-05-15T09:30:00+08:00"
password_hash = "minimum"  # a test: logons fast, no protection needed
console = true
console_port = $console_port
console_web_dir = "$build/web"
console_max_failed_logins = 3
CONF
  sed -e '/^\[server\]/d' -e "s/^fix_port = .*/fix_port = $fix_port/" \
    -e "s/^operator_port = .*/operator_port = $op_port/" \
    -e 's/^durability = .*/durability = "no_meta_sync"/' "$market/carbonxd.toml"
} >"$work/carbonxd.toml"
cat "$market/members.toml" >>"$work/carbonxd.toml"
export CARBONX_CONFIG="$work/carbonxd.toml"

"$build/bin/cxctl" --mode in-process -q init --accounts "$market/accounts.csv" >/dev/null
# The firms' 2017 allocation: the simulated day's sellers hold units.
"$build/bin/cxctl" --mode in-process -q allocation issue --year 2017 \
  --accounts "$market/accounts.csv" >/dev/null
# The sample firms' verified emissions (2016 sets the offset cap, 2017 the obligation): the
# compliance dashboard's rows. The firm portal's firm is GDPWR01 (account 100029, member 29):
# its offset cap is 10% of 2,379,801 t; it gets 300,000 t of the Guangdong wind CCER (below) to
# surrender with.
for y in 2016 2017; do
  "$build/bin/cxctl" --mode in-process -q emissions load \
    --file "$root/registry/data/sample/verified_emissions_$y.csv" >/dev/null
done
"$build/bin/cxctl" --mode in-process -q verb units.issue --json \
  '{"transfer_id": 7001, "account": 100029, "symbol": "CCER-GDWIND01", "quantity_t": 300000}' \
  >/dev/null
# Four console users (lock1 for the lock-out, firm1 GDPWR01's compliance officer); their
# passwords and TOTP secrets go to the browser test.
users=$("$build/bin/carbonxd" --config "$work/carbonxd.toml" --console-add-user op1 \
  --role operator --password op1-console-pass)
users+=$'\n'$("$build/bin/carbonxd" --config "$work/carbonxd.toml" --console-add-user ro1 \
  --role read_only --password ro1-console-pass)
users+=$'\n'$("$build/bin/carbonxd" --config "$work/carbonxd.toml" --console-add-user ap1 \
  --role approver --password ap1-console-pass)
users+=$'\n'$("$build/bin/carbonxd" --config "$work/carbonxd.toml" --console-add-user lock1 \
  --role operator --password lock1-console-pass)
users+=$'\n'$("$build/bin/carbonxd" --config "$work/carbonxd.toml" --console-add-user firm1 \
  --role firm_officer --firm 100029 --password firm1-console-pass)
secret_of() { awk -v u="$1" '$1 == "console" && $3 == u { print $9 }' <<<"$users"; }
export CX_OP_SECRET CX_RO_SECRET CX_AP_SECRET CX_LOCK_SECRET CX_FIRM_SECRET
CX_FIRM_SECRET=$(secret_of firm1)
CX_OP_SECRET=$(secret_of op1)
CX_RO_SECRET=$(secret_of ro1)
CX_AP_SECRET=$(secret_of ap1)
CX_LOCK_SECRET=$(secret_of lock1)
[ -n "$CX_OP_SECRET" ] && [ -n "$CX_RO_SECRET" ] && [ -n "$CX_AP_SECRET" ] ||
  fail "no TOTP secrets in: $users"

"$build/bin/carbonxd" --config "$work/carbonxd.toml" >"$work/carbonxd.log" 2>&1 &
server=$!
for _ in $(seq 1 100); do
  "$build/bin/cxctl" --mode server -q status >/dev/null 2>&1 && break
  kill -0 "$server" 2>/dev/null || { cat "$work/carbonxd.log" >&2; fail "carbonxd exited"; }
  sleep 0.1
done
grep -q "console on http://127.0.0.1:$console_port/" "$work/carbonxd.log" ||
  { cat "$work/carbonxd.log" >&2; fail "carbonxd did not start its console"; }

export CX_CONSOLE_URL="http://127.0.0.1:$console_port/"
export CX_FIX_PORT=$fix_port
simulate="$build/bin/cxctl --mode server -q simulate day --symbol GDEA2017 --trades 4"
export CX_SIMULATE="$simulate --accounts $market/accounts.csv"
export CX_SCREENSHOTS="$work/screenshots"
CX_WEB_DIR="$root/web" node "$here/console_e2e.mjs"

# Every login and action is in the audit log (mode 0600; one JSON object a line, keys sorted).
audit="$work/console/audit.log"
[ "$(stat -c %a "$audit")" = 600 ] || fail "audit.log is not mode 0600"
grep -q '"action":"login".*"outcome":"ok".*"user":"op1"' "$audit" || fail "no op1 login in $audit"
grep -q '"action":"login".*"outcome":"refused".*"user":"op1"' "$audit" ||
  fail "no refused login in $audit"
grep -q '"action":"market.halt".*"outcome":"pending".*"user":"op1"' "$audit" ||
  fail "no pending op1 halt in $audit"
# Four eyes: the approver's line names both users and the halt's journal seq.
approved='"action":"market.halt","detail":"four-eyes request [0-9]* of op1 approved by ap1, '
approved+='journal seq [0-9]*.*"outcome":"approved".*"user":"ap1"'
grep -q "$approved" "$audit" ||
  fail "no halt of op1 approved by ap1 in $audit"
[ "$(stat -c %a "$work/console/approvals.json")" = 600 ] || fail "approvals.json is not mode 0600"
grep -q '"action":"market.halt".*"outcome":"forbidden".*"user":"ro1"' "$audit" ||
  fail "no refused ro1 halt in $audit"
grep -q '"action":"login","detail":"locked out after too many failures".*"user":"lock1"' "$audit" ||
  fail "no lock-out of lock1 in $audit"
grep -q '"action":"login".*"outcome":"ok".*"user":"firm1"' "$audit" || fail "no firm1 login in $audit"
grep -q '"action":"surrender","detail":"200 .*"outcome":"ok".*"user":"firm1"' "$audit" ||
  fail "no firm1 surrender in $audit"
grep -q '"action":"surrender","detail":"409 .*offset cap exceeded.*"user":"firm1"' "$audit" ||
  fail "no refused firm1 surrender in $audit"
grep -q '"action":"market.halt".*"outcome":"forbidden".*"user":"firm1"' "$audit" ||
  fail "no refused firm1 halt in $audit"
echo "audit log: $(wc -l <"$audit") lines, logins and actions of op1, ap1, ro1 and firm1 present"
echo "console_e2e: passed (screenshots in $work/screenshots)"
