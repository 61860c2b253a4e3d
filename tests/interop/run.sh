#!/usr/bin/env bash
# The interop test (ctest interop_jspurefix): a real carbonxd on loopback with a fresh data
# directory and a simulated clock, and interop.js — jspurefix, an independent FIX 4.4 engine from
# npm — trading against it as two members; twice, each time against a new exchange: with the stock
# FIX 4.4 dictionary that ships with jspurefix, then with carbonx's own dictionary
# (gateway/spec/FIX44-carbonx.xml, unmodified); then a third exchange with QuickFIX (Debian's
# libquickfix, quickfix_member.cpp) as the members on the stock FIX 4.4 dictionary.
# scripts/setup-deps.sh installs Node (Debian's nodejs/npm when missing) and this folder's
# node_modules (npm ci); a missing one here is a failure, never a skip.
#
# Usage: run.sh <build dir> <work dir>
set -euo pipefail
build=$(cd "$1" && pwd)
work=$2
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/../.." && pwd)

fail() { echo "FAIL: $*" >&2; echo "0 passed, 1 failed"; exit 1; }
command -v node >/dev/null || fail "node is not installed (scripts/setup-deps.sh installs it)"
[ -f "$here/node_modules/jspurefix/package.json" ] ||
  fail "tests/interop/node_modules has no jspurefix (scripts/setup-deps.sh runs npm ci there)"

server=""
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    wait "$server" || true
  fi
}
trap cleanup EXIT

# One pass: a new exchange in $work on two new ports, interop.js with dictionary $1 against it.
run_pass() {
  # Two free loopback ports, picked by the kernel (several build trees may run this at once).
  read -r fix_port op_port < <(node -e '
    const net = require("net"); const ports = [];
    const take = () => { const s = net.createServer(); s.listen(0, "127.0.0.1", () => {
      ports.push(s.address().port); s.close(() => ports.length < 2 ? take() : console.log(ports.join(" "))) }) };
    take()')

  rm -rf "$work" && mkdir -p "$work"
  cp "$root/tools/data/market/instruments.toml" "$work/"
  cat >"$work/carbonxd.toml" <<CONF
# The interop test's exchange: two members, the demonstration market's instruments, a simulated
# clock (Tuesday 15 May 2018, 09:30 China time) and the calendar off (the test opens the market).
[server]
password_hash = "minimum"  # a test: logons fast, no protection needed
data_dir = "."
fix_bind = "127.0.0.1"
fix_port = $fix_port
operator_port = $op_port
durability = "no_meta_sync"
fix_store = "file"
instruments = "instruments.toml"
clock_start = "2018-05-15T09:30:00+08:00"

[schedule]
enabled = false

[[member]]
id = 1
comp_id = "INTEROP1"
username = "interop1"
password = "interop1-pass"
cancel_on_disconnect = true
accounts = [1001]

[[member]]
id = 2
comp_id = "INTEROP2"
username = "interop2"
password = "interop2-pass"
cancel_on_disconnect = false
accounts = [1002]
CONF

  "$build/bin/carbonxd" --init --config "$work/carbonxd.toml" >"$work/carbonxd.log" 2>&1 ||
    { echo "FAIL: carbonxd --init: $(tail -3 "$work/carbonxd.log")"; exit 1; }
  "$build/bin/carbonxd" --config "$work/carbonxd.toml" >>"$work/carbonxd.log" 2>&1 &
  server=$!
  # The operator token: carbonxd --init wrote it into the data directory with the exchange.
  for _ in $(seq 1 200); do
    [ -s "$work/operator.token" ] && break
    kill -0 "$server" 2>/dev/null ||
      { echo "FAIL: carbonxd exited: $(tail -5 "$work/carbonxd.log")"; exit 1; }
    sleep 0.05
  done
  token=$(cat "$work/operator.token")
  local status=0
  if [ "$1" = quickfix ]; then
    # QuickFIX (Debian's libquickfix) as the members, on its stock FIX 4.4 dictionary (the
    # QuickFIX FIX44.xml that jspurefix ships): interop.js only sets the market up.
    (cd "$here" && timeout 60 node interop.js --fix-port "$fix_port" --op-port "$op_port" \
      --token "$token" --work "$work" --dictionary stock --setup-only yes) || status=$?
    [ $status -eq 0 ] && { timeout 60 "$build/bin/quickfix_member" --port "$fix_port" \
      --dictionary "$here/node_modules/jspurefix/data/FIX44.xml" --work "$work" || status=$?; }
  else
    (cd "$here" && timeout 120 node interop.js --fix-port "$fix_port" --op-port "$op_port" \
      --token "$token" --work "$work" --dictionary "$1") || status=$?
  fi
  if ! kill -0 "$server" 2>/dev/null; then
    echo "FAIL: carbonxd exited during the test: $(tail -5 "$work/carbonxd.log")"
    exit 1
  fi
  cleanup
  server=""
  return $status
}

base=$work
overall=0
for dictionary in stock carbonx quickfix; do
  echo "== $([ $dictionary = quickfix ] && echo "QuickFIX with its stock" ||
    echo "jspurefix with the $dictionary") dictionary"
  work=$base/$dictionary
  run_pass "$dictionary" || overall=1
done
exit $overall
