#!/usr/bin/env bash
# Exports a 1,000,000-row demo registry with every formatter and fails if peak RSS exceeds the
# bound (100 MB by default): memory must not grow with the table. Uses the release binary.
set -euo pipefail
cd "$(dirname "$0")/.."

rows="${ROWS:-1000000}"
limit_kb="${LIMIT_KB:-102400}"
bin=".build/release/siem-export"
[ -x "$bin" ] || swift build -c release --product siem-export
work="$(mktemp -d)"
trap 'rm -rf "$work"' EXIT

"$bin" demo-registry "$work/registry.sqlite" --rows "$rows" 2>/dev/null
status=0
for format in splunk_hec ecs sentinel; do
    /usr/bin/time -f "%M %e" -o "$work/time" "$bin" export --db "$work/registry.sqlite" --format "$format" \
        --registry-id demo --order id --output "$work/$format.jsonl" 2>/dev/null
    read -r kb seconds <"$work/time"
    lines=$(wc -l <"$work/$format.jsonl")
    printf '%-10s %8s rows  peak RSS %6.1f MB  %5.1f s\n' "$format" "$lines" "$(awk "BEGIN{print $kb/1024}")" "$seconds"
    if [ "$lines" -ne "$rows" ]; then echo "error: $format wrote $lines of $rows rows" >&2; status=1; fi
    if [ "$kb" -gt "$limit_kb" ]; then echo "error: $format peak RSS ${kb} KB exceeds ${limit_kb} KB" >&2; status=1; fi
    rm -f "$work/$format.jsonl"
done
exit $status
