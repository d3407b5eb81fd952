#!/usr/bin/env bash
# Builds every fuzz target and runs each for SECONDS (default 20) on its corpus with its
# dictionary, one after another; prints each target's executions and fails (exit 1) if any
# target crashed (a panic, a timeout or running out of memory: libFuzzer's own verdicts).
#
#   bash fuzz/ci.sh [SECONDS]
#
# Works from a clean checkout on stable Rust: installs cargo-fuzz if it is missing, builds
# without a sanitizer (`-s none`; the project has no `unsafe`) in release mode with overflow
# checks and debug assertions on (fuzz/Cargo.toml's profile). The committed corpus is read,
# never written: new inputs go to a scratch directory. Crashing inputs land in
# fuzz/artifacts/<target>/. Logs: $FUZZ_LOG_DIR (default a temporary directory). Extra
# libFuzzer flags for every run: $FUZZ_FLAGS (e.g. FUZZ_FLAGS=-seed=1).
set -uo pipefail

SECONDS_PER_TARGET="${1:-20}"
CARGO_FUZZ_VERSION="0.13.2"
TARGETS=(scenario_load csv_import membership_rule scoping_filter expression graph_import)

cd "$(dirname "$0")"
FUZZ_DIR="$(pwd)"

# shellcheck source=fuzz/flags.sh
. "$FUZZ_DIR/flags.sh"

# libfuzzer-sys compiles libFuzzer's C++ sources: a C++ compiler must be there
if ! command -v c++ >/dev/null 2>&1; then
    echo "installing a C++ compiler (g++) for libFuzzer"
    (apt-get update -qq && apt-get install -y -qq g++ >/dev/null) || { echo "no C++ compiler"; exit 1; }
fi

if ! cargo fuzz --version 2>/dev/null | grep -q "^cargo-fuzz 0\.13\."; then
    echo "installing cargo-fuzz $CARGO_FUZZ_VERSION"
    cargo install cargo-fuzz --version "$CARGO_FUZZ_VERSION" --locked || exit 1
fi

echo "building the fuzz targets"
nice -n 10 cargo fuzz build -O -s none || exit 1

LOG_DIR="${FUZZ_LOG_DIR:-$(mktemp -d)}"
mkdir -p "$LOG_DIR"
SCRATCH="$(mktemp -d)"
trap 'rm -rf "$SCRATCH"' EXIT

failed=()
summary=()
for t in "${TARGETS[@]}"; do
    log="$LOG_DIR/$t.log"
    mkdir -p "$SCRATCH/$t" "artifacts/$t"
    echo "fuzzing $t for ${SECONDS_PER_TARGET}s (log: $log)"
    # shellcheck disable=SC2046
    nice -n 10 cargo fuzz run -O -s none "$t" "$SCRATCH/$t" "corpus/$t" -- \
        -max_total_time="$SECONDS_PER_TARGET" -dict="dict/$t.dict" \
        -print_final_stats=1 $(target_flags "$t") ${FUZZ_FLAGS:-} >"$log" 2>&1
    rc=$?
    execs="$(executions "$log")"
    if [ "$rc" -ne 0 ]; then
        failed+=("$t")
        summary+=("$t: CRASHED (exit $rc) after ${execs:-?} executions; see $log and artifacts/$t/")
        grep -E "panicked at|ERROR: libFuzzer|SUMMARY|Test unit written" "$log" | head -5
    else
        summary+=("$t: ${execs:-?} executions in ${SECONDS_PER_TARGET}s, no crash")
    fi
done

echo
echo "fuzz summary"
printf '  %s\n' "${summary[@]}"
if [ "${#failed[@]}" -ne 0 ]; then
    echo "crashed: ${failed[*]}"
    exit 1
fi
