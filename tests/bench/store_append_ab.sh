#!/usr/bin/env bash
# Appends per second into the store alone (tests/bench/store_append_ab.cc),
# this checkout against REVISION, alternating, ROUNDS times each:
#   tests/bench/store_append_ab.sh REVISION [ROUNDS]
# Builds only the storage library of each in /tmp (Release).
set -euo pipefail
cd "$(dirname "$0")/../.."
rev=$1 rounds=${2:-3}
old=/tmp/store-ab-src
rm -rf "$old" && git worktree add -f "$old" "$rev" >/dev/null
trap 'git worktree remove --force "$old"' EXIT
for side in old new; do
  src=$([ "$side" = old ] && echo "$old" || pwd)
  out=/tmp/store-ab-$side
  cmake -S "$src" -B "$out" -DCMAKE_BUILD_TYPE=Release -DBUILD_TESTING=OFF >/dev/null
  cmake --build "$out" -j "${JOBS:-2}" --target dxledger_storage >/dev/null
  g++ -std=c++20 -O2 -I"$src" tests/bench/store_append_ab.cc -o "$out/append_ab" \
    "$out/storage/libdxledger_storage.a" "$out/base/libdxledger_base.a" -lrocksdb \
    $(pkg-config --libs absl_status absl_statusor absl_synchronization absl_raw_hash_set \
      absl_hash absl_strings) -lfmt -lcrypto -lpthread
done
for mode in unsynced durable; do
  n=$([ "$mode" = unsynced ] && echo 6000 || echo 600)
  for _ in $(seq "$rounds"); do
    for side in old new; do echo -n "$side "; /tmp/store-ab-$side/append_ab "$mode" "$n"; done
  done
done
