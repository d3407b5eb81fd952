#!/usr/bin/env bash
# Long fuzz runs: each target for SECONDS (default 3600), one after another, at nice $FUZZ_NICE
# (default 10). TARGET... (default: all five) picks the targets of this lane, so that lanes can
# run side by side, each with its own $FUZZ_LOG_DIR:
#
#   mkdir -p /tmp/fuzz-logs && nohup bash fuzz/long.sh > /tmp/fuzz-logs/all.log 2>&1 &
#   FUZZ_LOG_DIR=/tmp/fuzz-logs/a nohup bash fuzz/long.sh 3600 scenario_load csv_import > a.log &
#
# The targets are built once, at the start, and copies of the binaries run (see below). Each
# target fuzzes a working corpus in $FUZZ_WORK/<target> (default /tmp/fuzz-corpus), started
# from a copy of fuzz/corpus/<target>, so the committed corpus is not touched; the working
# corpus is minimized (libFuzzer -merge=1, as `cargo fuzz cmin` does) at the end of the
# target's run. Logs go to $FUZZ_LOG_DIR/<target>.log (default /tmp/fuzz-logs), one line per
# target to $FUZZ_LOG_DIR/summary.txt. A crash is kept in fuzz/artifacts/<target>/ and the
# run goes on for the rest of the target's time (at most 5 restarts), then with the next
# target. Extra libFuzzer flags for every run: $FUZZ_FLAGS.
set -uo pipefail

SECONDS_PER_TARGET="${1:-3600}"
TARGETS=(scenario_load csv_import membership_rule scoping_filter expression graph_import)
if [ "$#" -gt 1 ]; then
    TARGETS=("${@:2}")
fi
NICE="${FUZZ_NICE:-10}"
LOG_DIR="${FUZZ_LOG_DIR:-/tmp/fuzz-logs}"
WORK="${FUZZ_WORK:-/tmp/fuzz-corpus}"

cd "$(dirname "$0")"
FUZZ_DIR="$(pwd)"
# shellcheck source=fuzz/flags.sh
. ./flags.sh
mkdir -p "$LOG_DIR" "$WORK"
: >"$LOG_DIR/summary.txt"

echo "$(date -u +%FT%TZ) long runs: ${SECONDS_PER_TARGET}s per target: ${TARGETS[*]}"
echo "source: $(git rev-parse --short HEAD 2>/dev/null) with $(git status --porcelain -- .. 2>/dev/null | wc -l) changed files"
nice -n "$NICE" cargo fuzz build -O -s none || exit 1
# Run copies of the binaries built now: the other engineers' edits of the working tree during
# the hours of fuzzing neither change what is fuzzed nor break a run with a build error.
BIN="$WORK/bin"
mkdir -p "$BIN"
for t in "${TARGETS[@]}"; do
    target_flags "$t" >/dev/null || exit 2
    cp "target/x86_64-unknown-linux-gnu/release/$t" "$BIN/$t" || exit 1
done

for t in "${TARGETS[@]}"; do
    log="$LOG_DIR/$t.log"
    : >"$log"
    mkdir -p "$WORK/$t" "artifacts/$t"
    cp -n corpus/"$t"/* "$WORK/$t"/ 2>/dev/null || true
    echo "$(date -u +%FT%TZ) $t: start (log $log, corpus $WORK/$t)"
    start=$(date +%s)
    total=0
    crashes=0
    for attempt in 0 1 2 3 4 5; do
        left=$((SECONDS_PER_TARGET - ($(date +%s) - start)))
        [ "$left" -gt 5 ] || break
        from=$(($(wc -l <"$log") + 1))
        # shellcheck disable=SC2046
        nice -n "$NICE" "$BIN/$t" -artifact_prefix="$FUZZ_DIR/artifacts/$t/" \
            -max_total_time="$left" -dict="dict/$t.dict" -print_final_stats=1 \
            $(target_flags "$t") ${FUZZ_FLAGS:-} "$WORK/$t" >>"$log" 2>&1
        rc=$?
        part="$LOG_DIR/.$t.attempt.log"
        tail -n +"$from" "$log" >"$part"
        n="$(executions "$part")"
        total=$((total + ${n:-0}))
        if [ "$rc" -ne 0 ]; then
            crashes=$((crashes + 1))
            echo "$(date -u +%FT%TZ) $t: crash (exit $rc) after ${n:-?} executions:" \
                "$(grep -m1 -E 'panicked at|ERROR: libFuzzer' "$part")" \
                "$(grep -m1 -o 'Test unit written to .*' "$part")"
        fi
        rm -f "$part"
        [ "$rc" -ne 0 ] || break
    done
    elapsed=$(($(date +%s) - start))
    if [ "$crashes" -eq 0 ]; then
        verdict="no crash"
    else
        verdict="$crashes crash(es), see fuzz/artifacts/$t/"
    fi
    line="$t: $total executions in ${elapsed}s, $verdict"
    echo "$(date -u +%FT%TZ) $line"
    echo "$line" >>"$LOG_DIR/summary.txt"
    before=$(find "$WORK/$t" -type f | wc -l)
    # what `cargo fuzz cmin` does: merge into a fresh directory, then swap it in
    rm -rf "$WORK/$t.min" && mkdir -p "$WORK/$t.min"
    # shellcheck disable=SC2046
    if nice -n "$NICE" "$BIN/$t" -merge=1 $(target_flags "$t") "$WORK/$t.min" "$WORK/$t" \
        >>"$LOG_DIR/$t.cmin.log" 2>&1; then
        rm -rf "$WORK/$t" && mv "$WORK/$t.min" "$WORK/$t"
    fi
    echo "$(date -u +%FT%TZ) $t: corpus minimized from $before to $(find "$WORK/$t" -type f | wc -l) files"
done
echo "$(date -u +%FT%TZ) long runs done; summary in $LOG_DIR/summary.txt"
