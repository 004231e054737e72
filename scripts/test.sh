#!/usr/bin/env bash
# Runs the whole test suite: installs what is missing, builds with -Werror,
# runs `meson test` in a release build and again in an ASan+UBSan build.
#   scripts/test.sh               everything (what .ci/run runs)
#   scripts/test.sh --no-asan     the release build only (a quicker local loop)
set -euo pipefail
cd "$(dirname "$0")/.."

./scripts/setup.sh --deps

run_suite() {
  local dir=$1; shift
  [ -d "$dir" ] || meson setup "$dir" --werror "$@" >/dev/null
  ninja -C "$dir"
  meson test -C "$dir" --print-errorlogs --num-processes "$(nproc)"
}

run_suite build --buildtype=release -Db_ndebug=if-release
if [ "${1:-}" != "--no-asan" ]; then
  ASAN_OPTIONS=detect_leaks=1:abort_on_error=1 \
  UBSAN_OPTIONS=print_stacktrace=1:halt_on_error=1 \
    run_suite build-asan --buildtype=debugoptimized -Db_sanitize=address,undefined \
      -Db_lundef=false
fi
echo "test: all suites passed" >&2
