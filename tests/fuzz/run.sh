#!/usr/bin/env bash
# Builds the libFuzzer targets with clang (ASan + UBSan) in build-fuzz/ and
# runs each for SECONDS (default 20), starting from tests/fuzz/seeds/<name>
# (the shared seed report among them) plus every input kept in
# tests/fuzz/regressions/<name>. A finding stops the run; its input is left
# in build-fuzz/findings/ to be fixed and then kept as a regression.
#   tests/fuzz/run.sh [SECONDS]
set -euo pipefail
cd "$(dirname "$0")/../.."
SECONDS_EACH=${1:-20}
BUILD=${FUZZ_BUILD_DIR:-build-fuzz}
JOBS=${JOBS:-2}
TARGETS=(report_text report_csv event_decode request)

cmake -S . -B "$BUILD" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCMAKE_C_COMPILER=clang \
  -DCMAKE_CXX_COMPILER=clang++ -DDXLEDGER_FUZZ=ON -DDXLEDGER_WERROR=OFF -DBUILD_TESTING=OFF \
  >/dev/null
cmake --build "$BUILD" -j "$JOBS" --target "${TARGETS[@]/#/fuzz_}" fuzz_seeds
"$BUILD/tests/fuzz/fuzz_seeds" "$BUILD/corpus" >/dev/null

mkdir -p "$BUILD/findings"
for name in "${TARGETS[@]}"; do
  corpus="$BUILD/corpus/$name"
  mkdir -p "$corpus" "tests/fuzz/regressions/$name"
  cp -n tests/fuzz/seeds/"$name"/* "$corpus"/ 2>/dev/null || true
  if [[ "$name" == report_text && -d ../shared/seed ]]; then
    cp -n ../shared/seed/* "$corpus"/ 2>/dev/null || true
  fi
  echo "== fuzz_$name: regressions, then ${SECONDS_EACH}s from $(ls "$corpus" | wc -l) inputs"
  # Kept findings must stay fixed.
  if compgen -G "tests/fuzz/regressions/$name/*" >/dev/null; then
    "$BUILD/tests/fuzz/fuzz_$name" tests/fuzz/regressions/"$name"/*
  fi
  "$BUILD/tests/fuzz/fuzz_$name" -max_total_time="$SECONDS_EACH" -rss_limit_mb=2048 -max_len=65536 \
    -artifact_prefix="$BUILD/findings/$name-" -print_final_stats=1 "$corpus" 2>&1 \
    | grep -E "DONE|stat::number_of_executed_units|^==[0-9]+==ERROR|^SUMMARY" || true
  if compgen -G "$BUILD/findings/$name-*" >/dev/null; then
    echo "fuzz_$name found a failing input: $(ls "$BUILD"/findings/"$name"-*)" >&2
    exit 1
  fi
done
echo "== fuzzing: no findings"
