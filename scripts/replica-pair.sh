#!/usr/bin/env bash
# A replicated carbonx on one machine (docs/design.md "Hot standby", gateway/replica/README.md):
# a three-member etcd cluster and two carbonxd, replica "a" (it campaigns first: the primary) and
# replica "b" (a hot standby: it follows the log into its own store), all on loopback ports.
#
#   scripts/replica-pair.sh [build-dir] [work-dir]     (defaults: build, data/replica)
#
# The first run creates the exchange (carbonxd --init in work-dir/a) and gives the standby a copy
# of that data directory (a standby's data directory is always a copy of its primary's); later
# runs continue both. Ports: etcd clients 23790, 23792, 23794 (peers +1); replica a FIX 9878 and
# operator API 9879; replica b FIX 9888 and operator API 9889. Ctrl-C stops everything.
# While it runs:
#   build/bin/cxctl --config data/replica/a.toml cluster status
#   build/bin/cxctl --config data/replica/a.toml status      # the primary
#   build/bin/cxctl --config data/replica/b.toml status      # the standby (read-only queries)
set -euo pipefail
build=$(realpath "${1:-build}")
work=${2:-data/replica}
src=$(cd "$(dirname "$0")/.." && pwd)
etcd=$(command -v etcd || echo /usr/bin/etcd)
[ -x "$etcd" ] || { echo "replica-pair: etcd is not installed (scripts/setup-deps.sh)" >&2; exit 1; }
mkdir -p "$work"
work=$(realpath "$work")

pids=()
cleanup() {
  for p in "${pids[@]}"; do kill "$p" 2>/dev/null || true; done
  wait || true
}
trap cleanup EXIT INT TERM

wait_port() {  # port, what
  for _ in $(seq 1 150); do
    if (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; then return 0; fi
    sleep 0.2
  done
  echo "replica-pair: $2 does not answer on port $1" >&2
  exit 1
}

cluster=""
for i in 0 1 2; do
  cluster+="${cluster:+,}e$i=http://127.0.0.1:$((23791 + 2 * i))"
done
for i in 0 1 2; do
  client=$((23790 + 2 * i))
  peer=$((23791 + 2 * i))
  "$etcd" --name "e$i" --data-dir "$work/etcd-e$i" \
    --listen-client-urls "http://127.0.0.1:$client" --advertise-client-urls "http://127.0.0.1:$client" \
    --listen-peer-urls "http://127.0.0.1:$peer" --initial-advertise-peer-urls "http://127.0.0.1:$peer" \
    --initial-cluster "$cluster" --initial-cluster-state new \
    --initial-cluster-token carbonx-replica-pair >"$work/etcd-e$i.log" 2>&1 &
  pids+=($!)
done
for i in 0 1 2; do wait_port $((23790 + 2 * i)) "etcd member e$i"; done

write_config() {  # name fix_port operator_port
  cat >"$work/$1.toml" <<EOF
[server]
data_dir = "$work/$1"
fix_bind = "127.0.0.1"
fix_port = $2
operator_port = $3
instruments = "$src/gateway/config/instruments.toml"

[replica]
endpoints = ["127.0.0.1:23790", "127.0.0.1:23792", "127.0.0.1:23794"]
name = "$1"
prefix = "/carbonx/replica-pair/"
lease_ttl_s = 5
EOF
}
write_config a 9878 9879
write_config b 9888 9889
if [ ! -e "$work/a/exchange.id" ]; then
  "$build/bin/carbonxd" --init --config "$work/a.toml"
  rm -rf "$work/b"
  cp -a "$work/a" "$work/b"  # the standby starts from a copy of the primary's data directory
fi

"$build/bin/carbonxd" --config "$work/a.toml" >>"$work/a.log" 2>&1 &
pids+=($!)
wait_port 9879 "carbonxd a"
"$build/bin/carbonxd" --config "$work/b.toml" >>"$work/b.log" 2>&1 &
pids+=($!)
wait_port 9889 "carbonxd b"
sleep 1  # the standby's first report of its applied seq
"$build/bin/cxctl" --config "$work/a.toml" cluster status || true
echo "replica-pair: primary a (FIX 127.0.0.1:9878), standby b (FIX 127.0.0.1:9888); logs in $work;"
echo "  cxctl --config $work/a.toml cluster status; Ctrl-C stops etcd and both carbonxd"
wait
