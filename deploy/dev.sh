#!/usr/bin/env bash
# Developer entry points on a fresh Debian 12 machine, as root:
#   deploy/dev.sh start   install what is missing, build, start dxledgerd
#   deploy/dev.sh test    install what is missing, build, run every test
# Environment: BUILD_DIR (default build), DATA_DIR (default dxledger-data),
# LISTEN (default 127.0.0.1:7400), JOBS (default 2).
set -euo pipefail
cd "$(dirname "$0")/.."

BUILD_DIR=${BUILD_DIR:-build}
DATA_DIR=${DATA_DIR:-dxledger-data}
LISTEN=${LISTEN:-127.0.0.1:7400}
JOBS=${JOBS:-2}

PACKAGES=(
  build-essential cmake pkg-config ccache clang-format openssl curl
  libgrpc++-dev protobuf-compiler-grpc libprotobuf-dev protobuf-compiler
  librocksdb-dev libabsl-dev libicu-dev libssl-dev
  libgtest-dev libgmock-dev libbenchmark-dev
  libcli11-dev nlohmann-json3-dev libfmt-dev libjemalloc-dev libcpp-httplib-dev
  libxlsxwriter-dev libzip-dev libxml2-dev   # the workbook: written, then read back
  libreoffice-calc-nogui python3-openpyxl   # ... and checked as another application reads it
  fonts-noto-cjk fonts-dejavu-core   # Japanese glyphs in the browser's screenshots, and without
  python3-pil poppler-utils   # ... which tests/cli/page_check.py compares, on screen and printed
  chromium   # the HTML export is checked in a real browser
  nginx      # the per-organization routing is checked through real nginx
  clang libclang-rt-14-dev   # the libFuzzer targets (tests/fuzz/run.sh)
  golang-go golang-golang-x-mod-dev  # Go's sumdb verifier checks our checkpoints and proofs
  python3 python3-yaml yamllint systemd  # deploy/ is checked (tests/deploy/deploy_test.py)
)

install_missing() {
  local missing=()
  for package in "${PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$package" 2>/dev/null | grep -q "install ok installed" \
      || missing+=("$package")
  done
  if ((${#missing[@]})); then
    echo "== installing: ${missing[*]}"
    apt-get update -qq
    # Packages such as nginx start a service on install; the tests run their
    # own, so starts are denied while installing (unless the machine already
    # has a policy of its own).
    local policy=""
    if [[ ! -e /usr/sbin/policy-rc.d ]]; then
      policy=/usr/sbin/policy-rc.d
      printf '#!/bin/sh\nexit 101\n' >"$policy" && chmod +x "$policy"
    fi
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}"
    if [[ -n "$policy" ]]; then rm -f "$policy"; fi
  fi
  # buf lints the proto; it comes from npm. A machine may already have a
  # Node.js of its own (npm included), so Debian's are installed only if not.
  if ! command -v npm >/dev/null 2>&1; then
    echo "== installing nodejs npm"
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends nodejs npm
  fi
  if ! command -v buf >/dev/null 2>&1; then
    echo "== installing buf (npm @bufbuild/buf)"
    npm install -g --silent @bufbuild/buf
  fi
  # The console's browser test drives Debian's chromium with puppeteer-core
  # (which downloads no browser), at the version tests/web/package-lock.json pins.
  if [[ ! -d tests/web/node_modules/puppeteer-core ]]; then
    echo "== installing puppeteer-core (npm ci in tests/web)"
    npm ci --prefix tests/web --no-audit --no-fund --silent
  fi
}

build() {
  echo "== building in $BUILD_DIR"
  cmake -S . -B "$BUILD_DIR" -DCMAKE_BUILD_TYPE=RelWithDebInfo >/dev/null
  cmake --build "$BUILD_DIR" -j "$JOBS"
}

# Builds with -fsanitize=$1 in $2 and runs ctest there with the rest of the
# arguments as its selection.
# SANITIZED_TARGETS (default: all) limits what is built.
sanitized() {
  local sanitize=$1 dir=$2 root=$PWD
  shift 2
  echo "== building with -fsanitize=$sanitize in $dir"
  cmake -S . -B "$dir" -DCMAKE_BUILD_TYPE=RelWithDebInfo -DDXLEDGER_SANITIZE="$sanitize" >/dev/null
  # shellcheck disable=SC2086
  cmake --build "$dir" -j "$JOBS" ${SANITIZED_TARGETS:+--target $SANITIZED_TARGETS}
  echo "== tests under -fsanitize=$sanitize"
  (cd "$dir" &&
    ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
    LSAN_OPTIONS=suppressions="$root/tests/sanitizers/lsan.supp" \
    UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    TSAN_OPTIONS=halt_on_error=1:second_deadlock_stack=1:suppressions="$root/tests/sanitizers/tsan.supp" \
    ctest -j "$JOBS" --output-on-failure --timeout 900 "$@")
}

case "${1:-}" in
  start)
    install_missing
    build
    echo "== starting dxledgerd (Ctrl-C stops it)"
    mkdir -p "$DATA_DIR"
    rm -f "$DATA_DIR/.port"
    "$BUILD_DIR/service/dxledgerd" --data-dir "$DATA_DIR" --listen "$LISTEN" \
      --port-file "$DATA_DIR/.port" &
    server=$!
    trap 'kill -TERM "$server" 2>/dev/null; wait "$server"' INT TERM
    for _ in $(seq 100); do [ -s "$DATA_DIR/.port" ] && break; sleep 0.1; done
    [ -s "$DATA_DIR/.port" ] || { wait "$server"; exit 1; }
    cli=("$BUILD_DIR/client/dxledger" --server "$LISTEN")
    # admin manages principals but writes no goal events: the first start adds
    # an hq principal and an editor for two departments, tokens beside admin's.
    add_principal() {  # NAME FILE ROLE [DEPARTMENT...]
      local name=$1 file=$2 role=$3
      shift 3
      [ -s "$DATA_DIR/$file" ] && return 0
      local departments=()
      for d in "$@"; do departments+=(--department "$d"); done
      (umask 077; "${cli[@]}" --data-dir "$DATA_DIR" principal add "$name" --role "$role" \
        "${departments[@]}" | sed -n 's/^token (shown once): //p' > "$DATA_DIR/$file")
      echo "== added principal $name ($role), token in $DATA_DIR/$file"
    }
    add_principal hq hq.token hq
    add_principal editor editor.token editor 企画振興部 総務部
    # Importing the seed again writes nothing, so every start may do it.
    echo "== importing the FY2021 report (tests/fixtures/dx-progress-report-fy2021.txt)"
    "${cli[@]}" --token-file "$DATA_DIR/hq.token" \
      import report tests/fixtures/dx-progress-report-fy2021.txt --year 2021 | tail -n 1
    echo "== ready: ${cli[*]} --token-file $DATA_DIR/hq.token goal list"
    echo "== web console: http://127.0.0.1:7401/ (sign in with the token in $DATA_DIR/editor.token," \
      "hq.token or admin.token)"
    echo "== HTTP/JSON: curl -H \"Authorization: Bearer \$(cat $DATA_DIR/hq.token)\"" \
      "http://127.0.0.1:7401/v1/organizations/050008/goals?fiscalYear=2021"
    wait "$server"
    ;;
  test)
    install_missing
    build
    echo "== running every test"
    (cd "$BUILD_DIR" && ctest -j "$JOBS" --output-on-failure --timeout 600)
    # The whole suite again under AddressSanitizer and UndefinedBehaviorSanitizer
    # (the quick benchmark left out: it measures, and sanitizers distort that;
    # the browser test too: it times live updates, and HttpApiTest already
    # runs the gateway under the sanitizers).
    sanitized address,undefined "${BUILD_DIR}-asan" -E 'bench_quick|clang_format|buf_lint|console_browser'
    # The concurrent tests of our own code (the group-commit writer and
    # stores, the ledger's retries) under ThreadSanitizer. The gRPC-level
    # tests are left out: Debian's gRPC is not built with TSan, and its
    # internal hand-offs between threads make every reactor look raced.
    SANITIZED_TARGETS="storage_test ledger_test" \
      sanitized thread "${BUILD_DIR}-tsan" -L concurrency
    echo "== fuzzing (${FUZZ_SECONDS:-15} s a target)"
    FUZZ_BUILD_DIR="${BUILD_DIR}-fuzz" tests/fuzz/run.sh "${FUZZ_SECONDS:-15}"
    ;;
  *)
    echo "usage: $0 start|test" >&2
    exit 2
    ;;
esac
