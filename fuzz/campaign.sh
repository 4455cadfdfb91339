#!/usr/bin/env bash
# Runs fuzz targets to the run counts the docs report, one after another, with the settings
# those runs used, and prints each run's final statistics. Needs cargo-fuzz
# (`cargo install cargo-fuzz`) and the corpora of fuzz/seed.sh.
#
# Usage: fuzz/campaign.sh [TARGET...]     (default: every target)
#        RUNS=100000 fuzz/campaign.sh xpath   (another run count)
set -euo pipefail
root="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
cd "$root"

# target: default runs, -max_len, corpus folder (the fast shapes where a target has one).
settings() {
    case "$1" in
        xpath | query_list | bookmark_xml) echo "10000000 4096 $1" ;;
        event_xml) echo "10000000 16384 event_xml" ;;
        manifest_xml) echo "10000000 65536 manifest_xml" ;;
        evtx_reader) echo "1000000 65536 evtx_reader_fast" ;;
        evtx_file_query) echo "1000000 65536 evtx_file_query_fast" ;;
        pe_resources) echo "1000000 65536 pe_resources_small" ;;
        facade_model) echo "1000000 512 facade_model" ;;
        *) echo "campaign.sh: no target $1" >&2; return 1 ;;
    esac
}

targets=("$@")
if [ ${#targets[@]} -eq 0 ]; then
    targets=(xpath query_list bookmark_xml event_xml manifest_xml evtx_reader evtx_file_query
        pe_resources facade_model)
fi
# The file-query and model targets write files per run: a RAM disk keeps them off the disk.
[ -d /dev/shm ] && export TMPDIR="${TMPDIR:-/dev/shm}"
failed=()
for target in "${targets[@]}"; do
    read -r runs max_len corpus <<<"$(settings "$target")"
    runs="${RUNS:-$runs}"
    mkdir -p "fuzz/corpus/$corpus" fuzz/artifacts
    log="fuzz/artifacts/$target.log"
    echo "== $target: $runs runs, -max_len=$max_len, corpus fuzz/corpus/$corpus (log: $log)"
    start=$(date +%s)
    status=0
    cargo fuzz run --sanitizer none --target-dir fuzz/target/none "$target" "fuzz/corpus/$corpus" -- \
        -runs="$runs" -max_len="$max_len" -rss_limit_mb=2048 -timeout=20 -print_final_stats=1 \
        >"$log" 2>&1 || status=$?
    grep -E '^(Done|stat::(number_of_executed_units|average_exec_per_sec|peak_rss_mb))' "$log" || true
    if [ "$status" -ne 0 ]; then
        grep -E 'panicked|SUMMARY|Test unit written' "$log" || tail -n 20 "$log"
        failed+=("$target")
    fi
    echo "== $target: $(($(date +%s) - start)) s, exit $status"
done
if [ ${#failed[@]} -gt 0 ]; then
    echo "campaign.sh: findings in ${failed[*]} (fuzz/artifacts/)" >&2
    exit 1
fi
