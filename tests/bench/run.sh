#!/usr/bin/env bash
# Builds dxledger_bench and runs it in full: every phase against baselines
# measured in the same run, printed as one markdown table (progress on
# stderr). Arguments go to dxledger_bench (--help lists them).
#   tests/bench/run.sh [--seconds 5] [--large-events 1000000] ...
set -euo pipefail
cd "$(dirname "$0")/../.."
BUILD_DIR=${BUILD_DIR:-build}
cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
cmake --build "$BUILD_DIR" -j "${JOBS:-2}" --target dxledger_bench dxledgerd >/dev/null
echo "machine: $(nproc) cores, $(awk '/MemTotal/ {printf "%.0f GiB", $2/1048576}' /proc/meminfo)," \
  "$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //'), kernel $(uname -r)" >&2
echo "data under /tmp on: $(df -h /tmp | awk 'NR==2 {print $1}')" >&2
exec "$BUILD_DIR/tests/dxledger_bench" "$@"
