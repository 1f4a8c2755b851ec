#!/usr/bin/env bash
# Builds the libFuzzer targets (clang 14) and runs each one for a short time from its seed corpus.
# A crash, leak or sanitizer report fails the run. FUZZ_SECONDS sets the time per target.
set -euo pipefail
cd "$(dirname "$0")/.."
seconds=${FUZZ_SECONDS:-20}

cmake --preset fuzz >/dev/null
cmake --build --preset fuzz -j "$(nproc)"

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
passed=0
failed=0
for fuzzer in build/fuzz/fuzz/*_fuzz; do
  [ -x "$fuzzer" ] || continue
  name=$(basename "$fuzzer")
  corpus="$work/$name"
  mkdir -p "$corpus"
  seeds=()
  [ -d "fuzz/corpus/$name" ] && seeds=("fuzz/corpus/$name")
  if "$fuzzer" -max_total_time="$seconds" -print_final_stats=0 -artifact_prefix="$work/" \
       "$corpus" "${seeds[@]}" >"$work/$name.log" 2>&1; then
    echo "fuzz $name: ok (${seconds}s)"
    passed=$((passed + 1))
  else
    echo "fuzz $name: FAILED"
    tail -n 40 "$work/$name.log"
    failed=$((failed + 1))
  fi
done
echo "fuzz: $passed passed, $failed failed"
[ "$failed" -eq 0 ]
