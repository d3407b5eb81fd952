# The libFuzzer flags each target runs with, and reading a run's execution count; sourced by
# ci.sh and long.sh.
#
# -max_len: long enough to reach each parser's own limits (a rule's 3,072 characters, an
# expression's 10,000) and to keep the fixtures' first rows; -timeout: an execution taking
# longer than 30 s is a finding; -rss_limit_mb: libFuzzer's default, 2048.

target_flags() {
    case "$1" in
        scenario_load) echo "-max_len=16384 -timeout=30" ;;
        csv_import) echo "-max_len=8192 -timeout=30" ;;
        membership_rule) echo "-max_len=16384 -timeout=30" ;;
        scoping_filter) echo "-max_len=4096 -timeout=30" ;;
        expression) echo "-max_len=16384 -timeout=30" ;;
        graph_import) echo "-max_len=65536 -timeout=30" ;;
        *) echo "unknown target $1" >&2; return 1 ;;
    esac
}

# The number of executions a libFuzzer log reports (final stats, else the last status line).
executions() {
    local n
    n="$(grep -o 'stat::number_of_executed_units: *[0-9]*' "$1" | tail -1 | grep -o '[0-9]*$')"
    if [ -z "$n" ]; then
        n="$(grep -oE '^#[0-9]+' "$1" | tail -1 | tr -d '#')"
    fi
    echo "$n"
}
