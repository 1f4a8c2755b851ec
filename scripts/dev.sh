#!/usr/bin/env bash
# The two quick-start commands of the README.
#   scripts/dev.sh run [serve options]  install what is missing, build (release), run `postern serve`
#   scripts/dev.sh test                 install what is missing, build (dev: ASan+UBSan), run every
#                                       test (unit, dialog, real-peer, crash), the store tests again
#                                       under ThreadSanitizer, and every fuzzer briefly;
#                                       exits non-zero on any failure
set -euo pipefail
cd "$(dirname "$0")/.."

jobs=$(nproc)

case "${1:-}" in
  run)
    shift
    scripts/install-deps.sh build
    cmake --preset release >/dev/null
    cmake --build --preset release -j "$jobs"
    exec build/release/src/cli/postern serve "$@"
    ;;
  test)
    scripts/install-deps.sh all
    cmake --preset dev >/dev/null
    cmake --build --preset dev -j "$jobs"
    ctest --preset dev -j "$jobs"
    # The store's threads (writer, WAL syncer, checkpointer, retention sweeper) under
    # ThreadSanitizer; the crash tests fork and kill children, which TSan does not follow.
    cmake --preset tsan >/dev/null
    cmake --build --preset tsan -j "$jobs"
    TSAN_OPTIONS=halt_on_error=1 build/tsan/tests/store/store_test \
      --gtest_filter='-*Crash*:*DeathTest*' --gtest_brief=1
    scripts/fuzz-smoke.sh
    ;;
  *)
    echo "usage: $0 run [serve options] | test" >&2
    exit 2
    ;;
esac
