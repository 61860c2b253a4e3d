#!/usr/bin/env bash
# The whole compliance cycle through the real processes (issue 7): cxctl and carbonxd on a fresh
# data directory, each step checked. Steps the server does not offer yet are reported as MISSING
# (listed at the end) instead of being faked; every implemented step must pass. Allocation,
# true-up, emissions, surrender, extension and settlement are journaled registry commands.
# The exchange runs on a simulated clock (clock_start 2018-05-15 09:30 China time, inside the 2017
# cycle): a surrender is on time before the 2017 deadline (2018-06-20); the operator then moves
# the clock past the deadline (cxctl clock advance), where a surrender is late and the year is
# settled.
#
# Usage: compliance_cycle.sh <build dir> <work dir> [fix port] [operator port]
set -euo pipefail
build=$(cd "$1" && pwd)
work=$2
# Ports: as given, else two picked at random below the kernel's ephemeral range (32768 and up by
# default), so no outgoing connection of this or a parallel test can hold one; a port another
# listener holds is detected at start and both are picked again (start_server).
pick_ports() {
  fix_port=$((20000 + RANDOM % 12000))
  op_port=$((fix_port + 1))
}
if [ $# -ge 4 ]; then fix_port=$3 op_port=$4 fixed_ports=true; else pick_ports; fixed_ports=false; fi
root=$(cd "$(dirname "$0")/../.." && pwd)
market="$root/tools/data/market"
cxctl="$build/bin/cxctl"
carbonxd="$build/bin/carbonxd"
missing=()
server=""

fail() { echo "FAIL: $*" >&2; exit 1; }
pass() { echo "ok: $*"; }
cleanup() {
  if [ -n "$server" ] && kill -0 "$server" 2>/dev/null; then
    kill -TERM "$server"
    wait "$server" || true
  fi
}
trap cleanup EXIT

# Tonnes (or fen) of an asset in `cxctl account balances` output: available + frozen.
balance_of() {  # account asset
  "$cxctl" -q --format json account balances --id "$1" |
    grep -o "{[^}]*\"asset\":\"$2\"[^}]*}" |
    sed -E 's/.*"available":(-?[0-9]+).*"frozen":(-?[0-9]+).*/\1 \2/' |
    awk '{print $1 + $2}'
}
status_field() { "$cxctl" -q status | awk -F': ' -v k="$1" '$1 == k {print $2}'; }
start_server() {
  local attempt
  for attempt in 1 2 3 4 5; do
    write_config
    "$carbonxd" --config "$CARBONX_CONFIG" >>"$work/carbonxd.log" 2>&1 &
    server=$!
    for _ in $(seq 1 100); do
      "$cxctl" --mode server -q status >/dev/null 2>&1 && return 0
      kill -0 "$server" 2>/dev/null || break
      sleep 0.1
    done
    if kill -0 "$server" 2>/dev/null; then fail "carbonxd did not answer on 127.0.0.1:$op_port"; fi
    wait "$server" || true
    server=""
    # A port taken by another listener: two new ports, unless the caller fixed them.
    if ! tail -3 "$work/carbonxd.log" | grep -q "Address already in use" || $fixed_ports; then
      fail "carbonxd exited: $(tail -3 "$work/carbonxd.log")"
    fi
    echo "ports $fix_port/$op_port taken (attempt $attempt): picking two others"
    pick_ports
  done
  fail "carbonxd exited: $(tail -3 "$work/carbonxd.log")"
}
stop_server() {
  kill -TERM "$server"
  wait "$server" || fail "carbonxd did not stop cleanly"
  server=""
}
# A step the server may not support yet: MISSING when it says so, a failure otherwise.
optional_step() {  # name, cxctl args...
  local name=$1
  shift
  if out=$("$cxctl" --mode server "$@" 2>&1); then
    pass "$name"
  elif grep -q "not supported by this server yet" <<<"$out"; then
    echo "MISSING: $name ($out)"
    missing+=("$name")
  elif grep -q " refused: bad request body" <<<"$out"; then
    # The server has the verb, but this cycle does not drive it with real terms yet.
    echo "NOT EXERCISED: $name ($out)"
    missing+=("$name (verb present, not driven yet)")
  else
    fail "$name: $out"
  fi
}

rm -rf "$work" && mkdir -p "$work"
cp "$market/instruments.toml" "$work/"
write_config() {
  sed -e "s/^fix_port = .*/fix_port = $fix_port/" -e "s/^operator_port = .*/operator_port = $op_port/" \
    -e '/^\[server\]/a clock_start = "2018-05-15T09:30:00+08:00"' \
    -e '/^\[server\]/a password_hash = "minimum"' \
    -e '/^\[server\]/a fix_bind = "127.0.0.1"' \
    "$market/carbonxd.toml" >"$work/carbonxd.toml"
  cat "$market/members.toml" >>"$work/carbonxd.toml"
}
write_config
export CARBONX_CONFIG="$work/carbonxd.toml"

# 1. Store, accounts, allocation and issuance (in-process: the server's driver, no server).
"$cxctl" --mode in-process -q init --accounts "$market/accounts.csv"
[ "$(status_field ledger_invariants_ok)" = true ] || fail "invariants after init"
plan=$("$cxctl" --mode in-process allocation issue --year 2017 --dry-run)
"$cxctl" --mode in-process -q allocation issue --year 2017
"$cxctl" --mode in-process -q allocation issue --year 2017  # idempotent: issues nothing more
for firm in GDPWR01 GDCEM01 GDALU01; do
  line=$(grep "^$firm " <<<"$plan")
  account=$(awk '{print $3}' <<<"$line" | tr -d ':')
  want=$(awk '{print $4}' <<<"$line" | tr -d ',')
  got=$(balance_of "$account" GDEA2017)
  [ "$got" = "$want" ] || fail "$firm holds $got t GDEA2017, allocation is $want t"
done
pass "allocation issued once: firms hold exactly their computed pre-allocation"

# 2. Trading over FIX through carbonxd.
start_server
sim=$("$cxctl" --mode server simulate day --symbol GDEA2017 --trades 60 --seed 42 \
  --accounts "$market/accounts.csv" 2>/dev/null | tail -1)
volume=$(sed -E 's/.* trades, ([0-9]+) t .*/\1/' <<<"$sim")
[ "${volume:-0}" -gt 0 ] || fail "no trade through FIX: $sim"
"$cxctl" --mode server market close >/dev/null
"$cxctl" --mode server market day-end >/dev/null
read -r reported turnover trades < <("$cxctl" --mode server --format csv report market |
  awk -F, '$1 == "day" && $2 == "GDEA2017" && $4 == "total" {print $5, $6, $7}')
[ "$reported" = "$volume" ] || fail "report shows $reported t, FIX traded $volume t"
pass "FIX trading day: $volume t in $trades trades, the daily report agrees"
# Fees: 0.5% of the notional from each side, each fill rounded half up to the fen, so the fee
# account holds turnover / 100 within one fen per trade.
fees=$(balance_of 9000 CNY)
diff=$(( fees * 100 - turnover ))
[ "${diff#-}" -le $(( (trades + 1) * 100 )) ] ||
  fail "fee account holds $fees fen; 1% of the turnover $turnover fen is $(( turnover / 100 ))"
pass "fees: $fees fen = 0.5% x 2 sides of $turnover fen (within rounding)"
[ "$(status_field ledger_invariants_ok)" = true ] || fail "ledger invariants after trading"
pass "ledger invariants hold (per-asset sums zero, frozen = open holds)"
# Off-book through the server (cxctl simulate day --offbook): an agreement transfer over FIX
# (report, counterparty accepts), a repo filed and repurchased early with its repurchase fees
# waived, a PHCER auction with sealed FIX bids closed by the operator (30,000 t).
off=$("$cxctl" --mode server simulate day --symbol GDEA2017 --trades 0 --offbook \
  --accounts "$market/accounts.csv" 2>&1) || fail "off-book day: $off"
grep -q "repurchase leg fees CNY 0.00 + 0.00 (waived CNY [1-9]" <<<"$off" ||
  fail "repo repurchase fees not waived: $off"
grep -q "3 of 3 sealed bids accepted over FIX" <<<"$off" || fail "auction bids over FIX: $off"
mode_volume() {  # instrument mode
  "$cxctl" --mode server --format csv report market |
    awk -F, -v c="$1" -v m="$2" '$1 == "day" && $2 == c && $4 == m {print $5}'
}
[ "$(mode_volume GDEA2017 agreement)" = 100000 ] || fail "agreement volume in the daily report"
[ "$(mode_volume GDEA2017 repo)" = 200000 ] || fail "repo volume (both legs) in the daily report"
[ "$(mode_volume PHCER-GD-FOREST auction)" = 30000 ] || fail "auction volume in the daily report"
[ "$(status_field ledger_invariants_ok)" = true ] || fail "ledger invariants after off-book trading"
pass "off-book: agreement 100,000 t, repo 2 x 100,000 t (repurchase fees waived), auction 30,000 t"

# 3. Restart: the state continues where it stopped.
seq_before=$(status_field applied_seq)
hash_before=$(status_field ledger_state_hash)
stop_server
start_server
[ "$(status_field applied_seq)" = "$seq_before" ] || fail "applied seq changed over a restart"
[ "$(status_field ledger_state_hash)" = "$hash_before" ] || fail "ledger hash changed over a restart"
pass "restart: applied seq $seq_before and the ledger state hash are unchanged"

# 3b. A holding limit (account.limit, journaled): set, in force for an issuance, refused for bad
# input, then back to the account kind's limit.
inst=200008
held=$(balance_of "$inst" GDEA2018 || true)  # none yet: grep finds no row
"$cxctl" --mode server -q account limit --id "$inst" --tonnes $(( ${held:-0} + 500 )) >/dev/null ||
  fail "account limit"
"$cxctl" --mode server --format json account balances --id "$inst" |
  grep -q "\"holding_limit_t\":$(( ${held:-0} + 500 ))" || fail "the limit is not shown"
if out=$("$cxctl" --mode server units issue --account "$inst" --symbol GDEA2018 --quantity 501 \
  --transfer-id 7101 2>&1); then
  fail "an issuance over the holding limit was accepted"
fi
grep -q "units.issue refused: .*holding limit" <<<"$out" || fail "over the limit: $out"
"$cxctl" --mode server -q units issue --account "$inst" --symbol GDEA2018 --quantity 500 \
  --transfer-id 7102 >/dev/null || fail "an issuance up to the holding limit"
if out=$("$cxctl" --mode server account limit --id 4242 --tonnes 10 2>&1); then
  fail "a limit on an unknown account was accepted"
fi
grep -q "account.limit refused: account operation refused" <<<"$out" || fail "unknown account: $out"
if out=$("$cxctl" --mode server account limit --id "$inst" --tonnes -1 2>&1); then
  fail "a negative limit was accepted"
fi
grep -q "limit_t: 0\.\." <<<"$out" || fail "negative limit: $out"
"$cxctl" --mode server -q account limit --id "$inst" --kind-default >/dev/null ||
  fail "account limit --kind-default"
"$cxctl" --mode server -q units issue --account "$inst" --symbol GDEA2018 --quantity 501 \
  --transfer-id 7103 >/dev/null || fail "an issuance after the limit was dropped"
pass "holding limit: set, shown, enforced (501 t over it refused, 500 t up to it issued), bad input refused, dropped"

# 4. True-up, verified emissions, surrender with offsets, deadline, penalties: journaled registry
# commands of the server (allocation/compliance state in the registrar, replayed from genesis).
gdpwr=$(awk -F, '$4 == "GDPWR01" {print $1}' "$market/accounts.csv")
"$cxctl" --mode server -q allocation true-up --year 2017 ||
  fail "allocation true-up"
pass "allocation true-up (final - pre issued or taken back by the server)"
for y in 2016 2017; do  # 2016: the basis of Guangdong's offset cap (prior-year emissions)
  "$cxctl" --mode server -q emissions load \
    --file "$root/registry/data/sample/verified_emissions_$y.csv" || fail "verified emissions $y"
done
pass "verified emissions 2016 and 2017 recorded"
# On the exchange clock (2018-05-15) the 2017 deadline (2018-06-20) is ahead: GDPWR01 surrenders
# allowances and CCER offsets on time, through its own member.
grep -q '"trading_date":201805' < <("$cxctl" --mode server --format json clock status) ||
  fail "the exchange clock is not in May 2018: $("$cxctl" --mode server clock status)"
"$cxctl" --mode server -q units issue --account "$gdpwr" --symbol CCER-GDWIND01 --quantity 100 \
  --transfer-id 7001 >/dev/null || fail "CCER issuance to GDPWR01"
# A member may surrender only for its own firms (GDPWR01's member is 29).
if out=$("$cxctl" --mode server surrender --year 2017 --firm GDPWR01 --member 1 \
  --leg GDEA2017:1000 2>&1); then
  fail "member 1 surrendered for GDPWR01"
fi
grep -q "member may not act for this firm" <<<"$out" || fail "another member's surrender: $out"
# A symbol longer than any instrument's (16 characters) is refused by cxctl, naming it (it once
# reached the server as an empty symbol: 'got ""').
if out=$("$cxctl" --mode server surrender --year 2017 --firm GDPWR01 --member 29 \
  --leg GDEA2017-VINTAGE-X:1000 2>&1); then
  fail "a surrender of an overlong symbol was sent"
fi
grep -q "the symbol GDEA2017-VINTAGE-X is longer than 16 characters" <<<"$out" ||
  fail "an overlong symbol's refusal does not name it: $out"
"$cxctl" --mode server -q surrender --year 2017 --firm GDPWR01 --member 29 --leg GDEA2017:1000 \
  --leg CCER-GDWIND01:100 || fail "surrender with offsets by the firm's member before the deadline"
[ "$(balance_of 8002017 GDEA2017)" = 1000 ] || fail "retirement account holds no 1000 t GDEA2017"
[ "$(balance_of 8002017 CCER-GDWIND01)" = 100 ] || fail "retirement account holds no 100 t CCER"
pass "surrender on time with offsets by the firm's member: 1000 t GDEA2017 + 100 t CCER retired (another member refused)"
# The operator moves the exchange clock past the deadline (never back: a backward move is refused).
if out=$("$cxctl" --mode server clock advance --to 2018-05-01T09:30:00+08:00 2>&1); then
  fail "the clock moved backwards"
fi
grep -q "never goes back" <<<"$out" || fail "backward clock move: $out"
"$cxctl" --mode server -q clock advance --to 2018-06-21T09:30:00+08:00 >/dev/null ||
  fail "clock advance"
pass "exchange clock advanced past the 2017 deadline to 2018-06-21 (a move back refused)"
# Now a surrender is late ...
if out=$("$cxctl" --mode server surrender --year 2017 --firm GDPWR01 --leg GDEA2017:1000 2>&1); then
  fail "a surrender after the deadline was accepted"
fi
grep -q "surrender refused: compliance refused" <<<"$out" || fail "late surrender: $out"
pass "a surrender after the deadline is refused: $(tail -1 <<<"$out")"
# ... and the operator extends GDPWR01's deadline: it stays open at settlement.
"$cxctl" --mode server -q compliance extension --year 2017 --firm GDPWR01 --date 20991231 ||
  fail "compliance extension"
"$cxctl" --mode server -q compliance settle --year 2017 || fail "settlement"
# The server's compliance state through cxctl: penalties of the settled short firms, GDPWR01's
# extension and surrender (CSV: firm,year,obligation,allowances,offsets,shortfall,status,settled,
# penalty_t,fine_fen,deadline).
"$cxctl" --mode server --format csv compliance status --year 2017 >"$work/status.csv" ||
  fail "compliance status"
IFS=, read -r _ _ obl_alu _ _ short_alu st_alu settled_alu penalty_alu fine_alu _ \
  < <(grep "^GDALU01," "$work/status.csv")
[ "$st_alu,$settled_alu" = "short,true" ] || fail "GDALU01 not short and settled: $(cat "$work/status.csv")"
[ "$penalty_alu" = $(( 2 * short_alu )) ] || fail "GDALU01 penalty $penalty_alu t, shortfall $short_alu t"
[ "$fine_alu" = 5000000 ] || fail "GDALU01 fine $fine_alu fen (50,000 CNY expected)"
grep -q "^GDPWR01,2017,[0-9]*,1000,100,[0-9]*,short,false,0,0,2099-12-31$" "$work/status.csv" ||
  fail "GDPWR01 in the status: $(grep "^GDPWR01," "$work/status.csv")"
"$cxctl" --mode server -q --format json compliance status --year 2017 >"$work/status.json"
grep -q '"extended": true' "$work/status.json" || fail "no extended firm in the JSON status"
pass "settlement: GDALU01 short by $short_alu t of $obl_alu t: penalty $penalty_alu t and 50,000 CNY; GDPWR01 extended to 2099-12-31, open"
# The penalty is deducted from the short firm's next allocation (2018, GDEA2018).
plan18=$("$cxctl" --mode server allocation issue --year 2018 --dry-run)
"$cxctl" --mode server -q allocation issue --year 2018 || fail "allocation 2018"
short=$(awk -F, '$4 == "GDALU01" {print $1}' "$market/accounts.csv")
want18=$(grep "^GDALU01 " <<<"$plan18" | awk '{print $4}' | tr -d ',')
got18=$(balance_of "$short" GDEA2018)
expect18=$(( want18 > penalty_alu ? want18 - penalty_alu : 0 ))
[ "$got18" = "$expect18" ] ||
  fail "GDALU01 got $got18 t for 2018: computed $want18 t less the penalty $penalty_alu t is $expect18 t"
# The server's issuance record of 2018 (cxctl allocation status): the penalty deducted at
# issuance, the rest still owed (CSV: firm,year,stage,computed_t,issued_t,penalty_deducted_t,...).
"$cxctl" --mode server --format csv allocation status --year 2018 >"$work/issuance_2018.csv" ||
  fail "allocation status 2018"
IFS=, read -r _ _ stage18 computed18 issued18 deducted18 _ _ _ _ owed18 \
  < <(grep "^GDALU01,2018," "$work/issuance_2018.csv")
[ "$stage18,$computed18" = "pre,$want18" ] || fail "2018 record of GDALU01: $(cat "$work/issuance_2018.csv")"
[ "$deducted18" = $(( want18 < penalty_alu ? want18 : penalty_alu )) ] ||
  fail "GDALU01 2018: $deducted18 t of the penalty deducted, computed $want18 t, penalty $penalty_alu t"
[ "$owed18" -ge $(( penalty_alu - deducted18 )) ] || fail "GDALU01 still owes $owed18 t"
pass "penalty deducted from next year's allocation: GDALU01 got $got18 t = $want18 t - $deducted18 t of its $penalty_alu t penalty; $owed18 t still owed"
"$cxctl" --mode server --format csv compliance status --year 2017 >"$work/compliance.csv"
grep -q "^TOTAL,2017," "$work/compliance.csv" || fail "compliance status has no total"
"$cxctl" --mode server --format csv compliance status --year 2017 --source ledger \
  --accounts "$market/accounts.csv" >"$work/compliance_ledger.csv" || fail "status from the ledger"
grep -q "^GDPWR01,2017,[0-9]*,1000,100," "$work/compliance_ledger.csv" ||
  fail "the ledger's view of GDPWR01's surrender"
pass "compliance status report (server state; the ledger's view agrees on GDPWR01's surrender)"

# 5. Backup while running, then the journal check on the live store and on the backup.
"$cxctl" --mode server -q backup --to "$work/backup"
"$cxctl" --mode server journal verify >"$work/verify.txt" || fail "journal verify: $(cat "$work/verify.txt")"
grep -q "chain intact" "$work/verify.txt" || fail "journal chain"
grep -q "ledger hash .* = stored" "$work/verify.txt" || fail "replay: ledger hash"
grep -q "registrar hash .* = stored" "$work/verify.txt" || fail "replay: registrar hash"
grep -q "^core: .*: equal" "$work/verify.txt" || fail "replay: core hash $(cat "$work/verify.txt")"
stop_server
"$cxctl" --mode in-process --format csv compliance status --year 2017 >"$work/status_offline.csv" ||
  fail "compliance status in-process"
cmp -s <(grep -v '^TOTAL' "$work/compliance.csv") <(grep -v '^TOTAL' "$work/status_offline.csv") ||
  fail "in-process compliance status differs from the server's: $(diff "$work/compliance.csv" "$work/status_offline.csv")"
pass "compliance status in-process (the driver on the store) equals the server's"
"$cxctl" journal verify >/dev/null || fail "journal verify offline"
pass "cxctl journal verify: chain intact, invariants hold, replay from genesis gives the same Core, ledger and registrar hashes (live and offline)"

echo
if [ ${#missing[@]} -gt 0 ]; then
  echo "compliance cycle: implemented steps pass; MISSING from the server: ${missing[*]}"
else
  echo "compliance cycle: every step passes"
fi
