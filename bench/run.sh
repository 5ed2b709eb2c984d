#!/usr/bin/env bash
# The benchmark: formatted events per second from SQLite to a file, memory, and HTTP delivery
# throughput, side by side with SQLite's own JSON output on the same database.
#
#   bash bench/run.sh                 # 100,000 and 1,000,000 rows, median of 5 runs each
#   SIZES=100000 RUNS=3 bash bench/run.sh
#   POSTGRES=1 KAFKA=1 bash bench/run.sh   # also: the largest size read from PostgreSQL, and
#                                           # delivered to librdkafka's mock Kafka cluster
#   FILES=0 HTTP=0 POSTGRES=1 bash bench/run.sh   # only those
#
# POSTGRES and KAFKA start their servers themselves (siem-bench-receiver postgres|kafka: a
# throwaway PostgreSQL 15 on a free loopback port, the mock cluster in the receiver's process).
# Prints a Markdown report (also written to bench/last-run.md). Not part of the test suite.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES="${SIZES:-100000 1000000}"
RUNS="${RUNS:-5}"
FILES="${FILES:-1}"
HTTP="${HTTP:-1}"
POSTGRES="${POSTGRES:-0}"
KAFKA="${KAFKA:-0}"
bash scripts/install-dependencies.sh
swift build -c release --product siem-export >/dev/null
swift build -c release --product siem-bench-receiver >/dev/null
bin="$PWD/.build/release/siem-export"
receiver_bin="$PWD/.build/release/siem-bench-receiver"
work="$(mktemp -d)"
receiver_pid=""
cleanup() {
    [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# time_once COMMAND...: one run from a quiet disk; sets W (wall s) and K (peak RSS KB). Outputs of
# earlier runs are deleted first, untimed (deleting a written-back gigabyte takes ~0.4 s of the
# file system's time), and the sync keeps the kernel from writing back during the timed run.
time_once() {
    rm -f "$work/floor.json" "$work/out.jsonl"
    sync
    /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" >/dev/null 2>"$work/stderr" || { cat "$work/stderr" >&2; exit 1; }
    read -r W K U S <"$work/time"
    # Every run, for reading the medians' spread: wall, user and system seconds, peak RSS.
    echo "$(date -u +%H:%M:%S) wall=$W user=$U sys=$S rss_kb=$K :: ${*: -1}" >>bench/last-run-runs.log
}

# measure COMMAND...: runs it RUNS times; sets WALL (median s) and RSS (max KB)
measure() {
    local walls="" rss=0
    for _ in $(seq "$RUNS"); do
        time_once "$@"
        walls+="$W"$'\n'
        ((K > rss)) && rss=$K
    done
    WALL=$(printf '%s' "$walls" | median)
    RSS=$rss
}

# measure_against_floor FLOOR_COMMAND -- COMMAND...: runs the floor and the command alternately,
# RUNS times each; sets WALL and RSS for the command and RATIO, the median of the per-pair
# ratios. This machine's speed drifts by tens of percent from minute to minute; a ratio of two
# runs made seconds apart is what stays comparable.
measure_against_floor() {
    local floor_command=$1 walls="" ratios="" rss=0 floor_wall
    shift 2
    for _ in $(seq "$RUNS"); do
        time_once bash -c "$floor_command"
        floor_wall=$W
        time_once "$@"
        walls+="$W"$'\n'
        ratios+=$(awk -v a="$W" -v b="$floor_wall" 'BEGIN{print a/b}')$'\n'
        ((K > rss)) && rss=$K
    done
    WALL=$(printf '%s' "$walls" | median)
    RATIO=$(printf '%s' "$ratios" | median)
    RSS=$rss
}

formatters=$("$bin" plugins | awk '/^formatters:/{f=1;next} /^[a-z]/{f=0} f && /^  [a-z]/{print $1}')
cpu=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
: >bench/last-run-runs.log
exec > >(tee bench/last-run.md)
echo "# Benchmark run $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo
echo "Machine: $(nproc) cores ($cpu), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo). Release build, median of $RUNS runs."
echo
for rows in $SIZES; do
    db="$work/registry-$rows.sqlite"
    "$bin" demo-registry "$db" --rows "$rows" 2>/dev/null
    [ "$FILES" = 1 ] || continue
    floor_command="sqlite3 -json '$db' 'SELECT * FROM events' > '$work/floor.json'"
    measure bash -c "$floor_command"
    floor=$WALL
    floor_bytes=$(stat -c %s "$work/floor.json")
    echo "## $rows rows to a file (export --order id)"
    echo
    echo "× sqlite3 -json: the median of $RUNS ratios, each export run timed right after a floor run."
    echo
    echo "| what | wall s | events/s | output MB | MB/s | peak RSS MB | × sqlite3 -json |"
    echo "|---|---:|---:|---:|---:|---:|---:|"
    awk -v w="$floor" -v r="$rows" -v b="$floor_bytes" 'BEGIN{printf "| sqlite3 -json (floor) | %.2f | %.0f | %.0f | %.0f | – | 1.00 |\n", w, r/w, b/1e6, b/1e6/w}'
    for f in $formatters; do
        out="$work/out.jsonl"
        extra_flags=""
        [ "$f" = template ] && extra_flags="--template-config '$PWD/config/template.yaml'"
        measure_against_floor "$floor_command" -- \
            bash -c "'$bin' export --db '$db' --format $f $extra_flags --registry-id bench --order id --output '$out'"
        bytes=$(stat -c %s "$out")
        rm -f "$out"
        awk -v f="$f" -v w="$WALL" -v r="$rows" -v b="$bytes" -v k="$RSS" -v ratio="$RATIO" \
            'BEGIN{printf "| %s | %.2f | %.0f | %.0f | %.0f | %.1f | %.2f |\n", f, w, r/w, b/1e6, b/1e6/w, k/1024, ratio}'
    done
    echo
done

rows=$(echo "$SIZES" | tr ' ' '\n' | sort -n | tail -1)
db="$work/registry-$rows.sqlite"

# start_receiver MODE: starts siem-bench-receiver MODE and sets READY to the first line it prints.
start_receiver() {
    "$receiver_bin" "$1" >"$work/ready" &
    receiver_pid=$!
    for _ in $(seq 300); do [ -s "$work/ready" ] && break; sleep 0.1; done
    READY=$(cat "$work/ready")
}
stop_receiver() {
    kill "$receiver_pid"
    wait "$receiver_pid" 2>/dev/null || true
    receiver_pid=""
    rm -f "$work/ready"
}

if [ "$POSTGRES" = 1 ]; then
    echo "## $rows rows from SQLite and from PostgreSQL to a file (run --config, ecs, batches of 1,000)"
    echo
    echo "The same rows: the registry's \`events\` table copied into PostgreSQL 15 (the registry schema of"
    echo "docs/SOURCES-postgres.md), read by \`oversight_registry_postgres\` (txid rule, one read-only"
    echo "transaction per batch over TCP on 127.0.0.1) and by \`oversight_registry\` from the SQLite file."
    echo
    start_receiver postgres
    read -r pg_port pg_password pg_socket <<<"$READY"
    columns="token_id, file_id, recipient_id, issuer_id, kind, source_ip, user_agent, extra, timestamp, qualified_timestamp, tlog_index"
    sqlite3 -csv "$db" "SELECT $columns FROM events ORDER BY id" |
        psql -q -h "$pg_socket" -p "$pg_port" -U postgres -d bench -c "\\copy events ($columns) FROM STDIN WITH (FORMAT csv)"
    psql -q -h "$pg_socket" -p "$pg_port" -U postgres -d bench -c "VACUUM ANALYZE events"
    echo "| source | wall s | events/s | peak RSS MB |"
    echo "|---|---:|---:|---:|"
    for source in sqlite postgres; do
        if [ "$source" = sqlite ]; then
            source_yaml="{type: oversight_registry, path: $db}"
        else
            source_yaml="{type: oversight_registry_postgres, url: \"postgresql://siem@127.0.0.1:$pg_port/bench\", password: \"\${env:BENCH_SECRET}\"}"
        fi
        cat >"$work/bench.yaml" <<YAML
version: 1
source: $source_yaml
mapper: {type: oversight_beacon, registry_id: bench}
checkpoint: {path: $work/state.sqlite}
batch_size: 1000
pipelines:
  - name: bench
    formatter: {type: ecs}
    sink: {type: file, path: $work/out.jsonl, sync: none}
YAML
        measure bash -c "rm -f '$work'/state.sqlite*; BENCH_SECRET='$pg_password' '$bin' run --config '$work/bench.yaml'"
        awk -v s="$source" -v w="$WALL" -v r="$rows" -v k="$RSS" \
            'BEGIN{printf "| %s | %.2f | %.0f | %.1f |\n", s, w, r/w, k/1024}'
    done
    stop_receiver
    echo
fi

if [ "$KAFKA" = 1 ]; then
    echo "## Kafka: $rows events to librdkafka's mock cluster (run --config, ecs, batches of 1,000)"
    echo
    echo "One mock broker in \`siem-bench-receiver kafka\` on the same two cores, topic of 3 partitions,"
    echo "idempotent producer with acks=all; each batch waits for every delivery report."
    echo
    echo "| compression | wall s | events/s | peak RSS MB |"
    echo "|---|---:|---:|---:|"
    for compression in none lz4; do
        # A fresh cluster for every run: the mock keeps every message in memory.
        walls="" rss=0
        for _ in $(seq "$RUNS"); do
            start_receiver kafka
            brokers=$(echo "$READY" | sed 's/,/", "/g')
            cat >"$work/bench.yaml" <<YAML
version: 1
source: {type: oversight_registry, path: $db}
mapper: {type: oversight_beacon, registry_id: bench}
checkpoint: {path: $work/state.sqlite}
batch_size: 1000
pipelines:
  - name: bench
    formatter: {type: ecs}
    sink: {type: kafka, brokers: ["$brokers"], topic: bench, compression: $compression}
YAML
            rm -f "$work"/state.sqlite*
            time_once "$bin" run --config "$work/bench.yaml"
            walls+="$W"$'\n'
            ((K > rss)) && rss=$K
            stop_receiver
        done
        WALL=$(printf '%s' "$walls" | median)
        awk -v c="$compression" -v w="$WALL" -v r="$rows" -v k="$rss" \
            'BEGIN{printf "| %s | %.2f | %.0f | %.1f |\n", c, w, r/w, k/1024}'
    done
    echo
fi

[ "$HTTP" = 1 ] || exit 0
echo "## HTTP delivery to a loopback receiver ($rows rows, batches of 1,000, run --config)"
echo
echo "| sink | compression | wall s | events/s | peak RSS MB |"
echo "|---|---|---:|---:|---:|"
for sink in splunk_hec elasticsearch; do
    mode=$([ "$sink" = splunk_hec ] && echo hec || echo elasticsearch)
    formatter=$([ "$sink" = splunk_hec ] && echo splunk_hec || echo ecs)
    "$receiver_bin" "$mode" >"$work/port" &
    receiver_pid=$!
    for _ in $(seq 50); do [ -s "$work/port" ] && break; sleep 0.1; done
    port=$(cat "$work/port")
    for compression in none gzip; do
        auth=$([ "$sink" = splunk_hec ] && echo 'token: "${env:BENCH_SECRET}"' || echo 'api_key: "${env:BENCH_SECRET}"')
        cat >"$work/bench.yaml" <<YAML
version: 1
source: {type: oversight_registry, path: $db}
mapper: {type: oversight_beacon, registry_id: bench}
checkpoint: {path: $work/state.sqlite}
batch_size: 1000
pipelines:
  - name: bench
    formatter: {type: $formatter}
    sink: {type: $sink, url: "http://127.0.0.1:$port", $auth, compression: $compression}
YAML
        measure bash -c "rm -f '$work'/state.sqlite*; BENCH_SECRET=YmVuY2g6a2V5 '$bin' run --config '$work/bench.yaml'"
        awk -v s="$sink" -v c="$compression" -v w="$WALL" -v r="$rows" -v k="$RSS" \
            'BEGIN{printf "| %s | %s | %.2f | %.0f | %.1f |\n", s, c, w, r/w, k/1024}'
    done
    kill "$receiver_pid"
    wait "$receiver_pid" 2>/dev/null || true
    receiver_pid=""
    rm -f "$work/port"
done
