#!/usr/bin/env bash
# Times the product's own maintenance commands on a copy of a kept store,
# for A/B runs of two builds (alternate them; the machine's speed drifts):
#   tests/bench/maintenance_ab.sh DXLEDGERD STORE [DXLEDGER]
# STORE is a data directory kept by `tests/bench/run.sh --phase log
# --keep-store DIR`. Prints the seconds `dxledgerd rebuild-views` took, then
# the seconds `dxledger verify` took against a server on the rebuilt copy.
set -euo pipefail
server=$1 store=$2 cli=${3:-$(dirname "$0")/../../build/client/dxledger}
copy=$(mktemp -d /tmp/dxledger-ab-XXXXXX)
trap 'kill "${pid:-}" 2>/dev/null || true; rm -rf "$copy"' EXIT
cp -r "$store/." "$copy"
rm -f "$copy/.port"
start=$(date +%s.%N)
"$server" rebuild-views --data-dir "$copy" >/dev/null
rebuilt=$(date +%s.%N)
"$server" --data-dir "$copy" --listen 127.0.0.1:0 --port-file "$copy/.port" >/dev/null 2>&1 &
pid=$!
for _ in $(seq 100); do [ -s "$copy/.port" ] && break; sleep 0.1; done
verifying=$(date +%s.%N)
"$cli" --server "127.0.0.1:$(cat "$copy/.port")" --token-file "$copy/tester.token" verify >/dev/null
verified=$(date +%s.%N)
awk -v a="$start" -v b="$rebuilt" -v c="$verifying" -v d="$verified" \
  'BEGIN { printf "rebuild-views %.2f s, verify %.2f s\n", b - a, d - c }'
