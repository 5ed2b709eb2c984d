#!/usr/bin/env bash
# The benchmark: formatted events per second from SQLite to a file, CPU time against C programs
# written for the purpose (bench/c-baseline), several pipelines in one run, HTTP delivery, memory,
# side by side with SQLite's own JSON output on the same database — and optionally an older build
# of siem-export beside this one, in the same run. Ends with issue 17's table.
#
#   bash bench/run.sh                                    # 100,000 and 1,000,000 rows, 3 rounds
#   SIZES=100000 RUNS=5 bash bench/run.sh
#   BASELINE=/path/to/old/siem-export bash bench/run.sh  # old and new columns, and their ratio
#   POSTGRES=1 KAFKA=1 bash bench/run.sh                 # also the two sections that need servers
#   SERVERS_ONLY=1 POSTGRES=1 KAFKA=1 bash bench/run.sh  # only those, at the largest size
#
# POSTGRES=1: the largest registry copied into a throwaway PostgreSQL 15 and read by `run` from
# there and from SQLite, in the same rounds. KAFKA=1: `run` into librdkafka's mock cluster. Each
# starts its own server (siem-bench-receiver postgres|kafka) on loopback and stops it.
#
# Prints a Markdown report (also written to bench/last-run.md); every timed run is logged to
# bench/last-run-runs.log. Not part of the test suite. docs/PERFORMANCE.md explains each column.
set -euo pipefail
cd "$(dirname "$0")/.."

SIZES="$(echo "${SIZES:-100000 1000000}" | tr ' ' '\n' | sed '/^$/d' | sort -n | tr '\n' ' ')"
RUNS="${RUNS:-3}"
BASELINE="${BASELINE:-}"
POSTGRES="${POSTGRES:-0}"
KAFKA="${KAFKA:-0}"
SERVERS_ONLY="${SERVERS_ONLY:-0}"
largest=$(echo "$SIZES" | tr ' ' '\n' | sed '/^$/d' | tail -1)

# Extra workloads through `run`, each paired with the beacon registry → ECS run over the same
# rows and compared per event. One line each: "LABEL|TEMPLATE|DATA COMMAND". TEMPLATE names
# bench/workloads/TEMPLATE.yaml, whose @DB@, @OUT@ and @STATE@ are filled in; the data command
# writes @DB@ with @ROWS@ rows (run once, untimed; @BIN@ is this build, @REGISTRY@ the demo
# registry of that size). To add a row, add a line here.
workloads=(
    "beacon rows through sqlite_table (table: events) → ECS|beacon-table-ecs|cp @REGISTRY@ @DB@"
    # Issue 15: the audit log must be at least as fast per event as the beacon path.
    "audit rows through sqlite_table → ECS|audit-ecs|@BIN@ demo-data audit @DB@ --rows @ROWS@"
)

bash scripts/install-dependencies.sh
swift build -c release --product siem-export >/dev/null
swift build -c release --product siem-bench-receiver >/dev/null
work="$(mktemp -d)"
receiver_pid=""
cleanup() {
    [ -n "$receiver_pid" ] && kill "$receiver_pid" 2>/dev/null || true
    rm -rf "$work"
}
trap cleanup EXIT
# Copies, so that a rebuild elsewhere during the run cannot change what is measured.
cp .build/release/siem-export "$work/siem-export"
bin="$work/siem-export"
receiver_bin="$PWD/.build/release/siem-bench-receiver"
old=""
if [ -n "$BASELINE" ]; then
    [ -x "$BASELINE" ] || { echo "error: BASELINE=$BASELINE is not an executable file" >&2; exit 1; }
    cp "$BASELINE" "$work/old-siem-export"
    old="$work/old-siem-export"
fi
# The C programs, with the system compiler: ecs_baseline (our ECS bytes) and scan_floor.
bash bench/c-baseline/build.sh "$work/c"
log=bench/last-run-runs.log

# median of the numbers on stdin
median() { sort -g | awk '{a[NR]=$1} END {print (NR%2) ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2}'; }

# time_once COMMAND...: one run from a quiet disk; sets W (wall s), CPU (user + system s) and K
# (peak RSS KB), and BYTES (LINES when COUNT_LINES is set) of the output file out.jsonl if
# written. Outputs of earlier runs are deleted first, untimed (deleting a written-back gigabyte
# takes ~0.4 s of the file system's time), and the sync keeps the kernel from writing back
# during the timed run. Returns non-zero, the run's standard error logged, if the command fails.
time_once() {
    rm -f "$work"/out*.jsonl "$work/floor.json"
    sync
    if ! /usr/bin/time -f "%e %M %U %S" -o "$work/time" "$@" >/dev/null 2>"$work/stderr"; then
        echo "$(date -u +%H:%M:%S) ${LABEL:-} FAILED :: ${*: -1}" >>"$log"
        head -5 "$work/stderr" | sed 's/^/    /' >>"$log"
        return 1
    fi
    read -r W K U S <"$work/time"
    CPU=$(awk -v u="$U" -v s="$S" 'BEGIN{printf "%.2f", u + s}')
    BYTES=""
    LINES=""
    if [ -f "$work/out.jsonl" ]; then
        BYTES=$(stat -c %s "$work/out.jsonl")
        [ -n "${COUNT_LINES:-}" ] && LINES=$(wc -l <"$work/out.jsonl")
    fi
    # Every run, for reading the medians' spread: wall, CPU, user and system seconds, peak RSS.
    echo "$(date -u +%H:%M:%S) ${LABEL:-} wall=$W cpu=$CPU user=$U sys=$S rss_kb=$K :: ${*: -1}" >>"$log"
}

# rounds [?]KEY=COMMAND...: RUNS rounds of one run of each command, in the order given in odd
# rounds and in reverse in even ones (A B C, C B A, …): the runs of one round are seconds apart,
# and the machine's drift and the order's own effect fall evenly on every command. This
# machine's speed drifts by tens of percent from minute to minute, so only ratios of runs of one
# round compare fairly (`ratio`). A KEY marked `?` may fail (an older BASELINE lacking a
# feature): it is then left out and shown as n/a; any other failure stops the benchmark.
declare -A WALLS CPUS RSS OUT_BYTES OUT_LINES FAILED
rounds() {
    local keys=() commands=() spec key i r order optional
    for spec in "$@"; do
        keys+=("${spec%%=*}")
        commands+=("${spec#*=}")
        key=${spec%%=*}
        key=${key#\?}
        WALLS[$key]=""
        CPUS[$key]=""
        RSS[$key]=0
        FAILED[$key]=""
    done
    local n=${#keys[@]}
    for r in $(seq "$RUNS"); do
        if ((r % 2)); then order=$(seq 0 $((n - 1))); else order=$(seq $((n - 1)) -1 0); fi
        for i in $order; do
            key=${keys[$i]}
            optional=""
            [[ $key == \?* ]] && optional=1 && key=${key#\?}
            [ -n "${FAILED[$key]}" ] && continue
            LABEL="$key"
            if time_once bash -c "${commands[$i]}"; then
                WALLS[$key]+="$W "
                CPUS[$key]+="$CPU "
                ((K > RSS[$key])) && RSS[$key]=$K
                OUT_BYTES[$key]=$BYTES
                OUT_LINES[$key]=$LINES
            elif [ -n "$optional" ]; then
                FAILED[$key]=1
                WALLS[$key]=""
                CPUS[$key]=""
            else
                cat "$work/stderr" >&2
                echo "error: '$key' failed: ${commands[$i]}" >&2
                exit 1
            fi
        done
    done
}

has() { [ -n "${WALLS[$1]:-}" ]; }
wall() { printf '%s' "${WALLS[$1]}" | tr ' ' '\n' | sed '/^$/d' | median; }
cpu() { printf '%s' "${CPUS[$1]}" | tr ' ' '\n' | sed '/^$/d' | median; }
rss_mb() { awk -v k="${RSS[$1]}" 'BEGIN{printf "%.1f", k / 1024}'; }

# ratio WALLS|CPUS A B...: the median over rounds of A's time ÷ the largest of B…'s in the same
# round (times below 0.01 s count as 0.01).
ratio() {
    local -n times=$1
    local a=$2 lists="" b
    shift 2
    for b in "$@"; do lists+="${times[$b]}|"; done
    awk -v a="${times[$a]}" -v bs="$lists" 'BEGIN {
        n = split(a, x, " "); m = split(bs, lists, "|")
        for (i = 1; i <= n; i++) {
            d = 0.01
            for (j = 1; j < m; j++) { split(lists[j], y, " "); if (y[i] > d) d = y[i] }
            print (x[i] < 0.01 ? 0.01 : x[i]) / d
        }
    }' | median
}

f2() { awk -v x="$1" 'BEGIN{printf "%.2f", x}'; }
per_second() { awk -v r="$1" -v w="$2" 'BEGIN{printf "%.0f", r / (w < 0.01 ? 0.01 : w)}'; }
thousands() { awk -v x="$1" 'BEGIN{printf "%.0fk", x / 1000}'; }
# The old binary's cell: its value, or n/a when it failed (see the runs log).
old_cell() { if has "$1"; then echo "$2"; else echo "n/a"; fi; }

formatters_of() { "$1" plugins | awk '/^formatters:/{f=1;next} /^[a-z]/{f=0} f && /^  [a-z]/{print $1}'; }
formatters=$(formatters_of "$bin")
old_formatters=""
[ -n "$old" ] && old_formatters=$(formatters_of "$old" || true)
old_has() { [ -n "$old" ] && echo "$old_formatters" | grep -qx "$1"; }

cpu_model=$(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | sed 's/^ //')
load_at_start=$(cut -d' ' -f1-3 /proc/loadavg)
revision="$(git rev-parse --short HEAD 2>/dev/null || echo unknown)$(git diff --quiet HEAD -- Sources Package.swift 2>/dev/null || echo ' (with uncommitted changes)')"
: >"$log"
exec > >(tee bench/last-run.md)
echo "# Benchmark run $(date -u +%Y-%m-%dT%H:%M:%SZ)"
echo
echo "Machine: $(nproc) cores ($cpu_model), $(awk '/MemTotal/{printf "%.0f GiB", $2/1048576}' /proc/meminfo); load average at the start $load_at_start. Release build of $revision ($("$bin" --version 2>/dev/null || echo '?')). Median of $RUNS rounds; every run is in bench/last-run-runs.log."
if [ -n "$old" ]; then
    echo
    echo "BASELINE (old): $BASELINE ($("$old" --version 2>/dev/null || echo 'no --version')), run in the same rounds as the new build; \"new ÷ old\" is the median of the rounds' ratios of times (below 1: the new build is faster)."
fi
echo
all_floor_walls=""
rss_new_all="" # peak RSS of every run of this build at the largest size, for the summary
section() { echo "# $*" >>"$log"; }

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

# The same rows read by `run` from SQLite and from PostgreSQL (POSTGRES=1), in the same rounds.
postgres_section() { # ROWS DB
    local rows=$1 db=$2 columns pg_port pg_password pg_socket
    echo "## $rows rows from SQLite and from PostgreSQL to a file (run --config, ecs, batches of 1,000)"
    section "PostgreSQL"
    echo
    echo "The same rows: the registry's \`events\` table copied into PostgreSQL 15 (the schema of"
    echo "docs/SOURCES-postgres.md) on this machine, read by \`oversight_registry_postgres\` (txid rule, one"
    echo "read-only transaction per batch, TCP on 127.0.0.1) and by \`oversight_registry\` from the SQLite"
    echo "file. CPU s is the exporter's alone (the server is other processes on the same cores)."
    echo
    start_receiver postgres
    read -r pg_port pg_password pg_socket <<<"$READY"
    columns="token_id, file_id, recipient_id, issuer_id, kind, source_ip, user_agent, extra, timestamp, qualified_timestamp, tlog_index"
    sqlite3 -csv "$db" "SELECT $columns FROM events ORDER BY id" |
        psql -q -h "$pg_socket" -p "$pg_port" -U postgres -d bench -c "\\copy events ($columns) FROM STDIN WITH (FORMAT csv)"
    psql -q -h "$pg_socket" -p "$pg_port" -U postgres -d bench -c "VACUUM ANALYZE events"
    for source in sqlite postgres; do
        if [ "$source" = sqlite ]; then
            source_yaml="{type: oversight_registry, path: $db}"
        else
            source_yaml="{type: oversight_registry_postgres, url: \"postgresql://siem@127.0.0.1:$pg_port/bench\", password: \"\${env:BENCH_SECRET}\"}"
        fi
        cat >"$work/from-$source.yaml" <<YAML
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
    done
    rounds "sqlite=rm -f '$work'/state.sqlite*; '$bin' run --config '$work/from-sqlite.yaml'" \
        "postgres=rm -f '$work'/state.sqlite*; BENCH_SECRET='$pg_password' '$bin' run --config '$work/from-postgres.yaml'"
    stop_receiver
    echo "| source | wall s | CPU s | events/s | peak RSS MB | wall × SQLite |"
    echo "|---|---:|---:|---:|---:|---:|"
    echo "| SQLite (oversight_registry) | $(f2 "$(wall sqlite)") | $(f2 "$(cpu sqlite)") | $(per_second "$rows" "$(wall sqlite)") | $(rss_mb sqlite) | 1.00 |"
    echo "| PostgreSQL (oversight_registry_postgres) | $(f2 "$(wall postgres)") | $(f2 "$(cpu postgres)") | $(per_second "$rows" "$(wall postgres)") | $(rss_mb postgres) | $(f2 "$(ratio WALLS postgres sqlite)") |"
    echo
}

# `run` into librdkafka's mock cluster (KAFKA=1): a fresh cluster for every run, since the mock
# keeps every message in memory.
kafka_section() { # ROWS DB
    local rows=$1 db=$2 compression walls cpus rss brokers
    echo "## Kafka: $rows events to librdkafka's mock cluster (run --config, ecs, batches of 1,000)"
    section "Kafka"
    echo
    echo "One mock broker (siem-bench-receiver kafka, on the same cores), a topic of 3 partitions, the"
    echo "idempotent producer with acks=all; each batch waits for every delivery report. CPU s is the exporter's."
    echo
    echo "| compression | wall s | CPU s | events/s | peak RSS MB |"
    echo "|---|---|---:|---:|---:|"
    for compression in none lz4; do
        walls="" cpus="" rss=0
        for _ in $(seq "$RUNS"); do
            start_receiver kafka
            brokers=$(echo "$READY" | sed 's/,/", "/g')
            cat >"$work/kafka.yaml" <<YAML
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
            LABEL="kafka-$compression"
            time_once "$bin" run --config "$work/kafka.yaml" || { cat "$work/stderr" >&2; exit 1; }
            walls+="$W"$'\n'
            cpus+="$CPU"$'\n'
            ((K > rss)) && rss=$K
            stop_receiver
        done
        w=$(printf '%s' "$walls" | median)
        echo "| $compression | $(f2 "$w") | $(f2 "$(printf '%s' "$cpus" | median)") | $(per_second "$rows" "$w") | $(awk -v k="$rss" 'BEGIN{printf "%.1f", k / 1024}') |"
    done
    echo
}

if [ "$SERVERS_ONLY" = 1 ]; then
    db="$work/registry-$largest.sqlite"
    "$bin" demo-registry "$db" --rows "$largest" >/dev/null 2>&1
    [ "$POSTGRES" = 1 ] && postgres_section "$largest" "$db"
    [ "$KAFKA" = 1 ] && kafka_section "$largest" "$db"
    exit 0
fi

for rows in $SIZES; do
    db="$work/registry-$rows.sqlite"
    "$bin" demo-registry "$db" --rows "$rows" >/dev/null 2>&1
    floor_command="sqlite3 -json '$db' 'SELECT * FROM events' > '$work/floor.json'"
    export_command() { # BINARY FORMAT OUTPUT
        local flags=""
        [ "$2" = template ] && flags="--template-config '$PWD/config/template.yaml'"
        echo "'$1' export --db '$db' --format $2 $flags --registry-id bench --order id --output '$3'"
    }

    echo "## $rows rows to a file (export --order id)"
    section "$rows rows to a file"
    echo
    echo "× sqlite3 -json: the median of $RUNS rounds' ratios, each round a floor run and the export's run seconds apart. CPU s: user + system."
    echo
    header="| what | wall s | CPU s | events/s | output MB | MB/s | peak RSS MB | × sqlite3 -json |"
    rule="|---|---:|---:|---:|---:|---:|---:|---:|"
    if [ -n "$old" ]; then
        header+=" old wall s | old CPU s | old × sqlite3 -json | new ÷ old wall | new ÷ old CPU |"
        rule+="---:|---:|---:|---:|---:|"
    fi
    lines=""
    floor_walls=""
    floor_cpus=""
    summary_formatters=""
    summary_formatters_old=""
    summary_formatters_ratio=""
    for f in $formatters; do
        specs=("floor=$floor_command" "new=$(export_command "$bin" "$f" "$work/out.jsonl")")
        old_has "$f" && specs+=("?old=$(export_command "$old" "$f" "$work/out.jsonl")")
        rounds "${specs[@]}"
        floor_walls+="${WALLS[floor]}"
        floor_cpus+="${CPUS[floor]}"
        [ "$rows" = "$largest" ] && rss_new_all+="${RSS[new]} "
        w=$(wall new)
        x=$(ratio WALLS new floor)
        line=$(awk -v f="$f" -v w="$w" -v c="$(cpu new)" -v r="$rows" -v b="${OUT_BYTES[new]}" -v k="$(rss_mb new)" -v x="$x" \
            'BEGIN{printf "| %s | %.2f | %.2f | %.0f | %.0f | %.0f | %s | %.2f |", f, w, c, r/w, b/1e6, b/1e6/w, k, x}')
        summary_formatters+="$f $(f2 "$x"), "
        if [ -n "$old" ]; then
            if has old; then
                xo=$(ratio WALLS old floor)
                line+=" $(f2 "$(wall old)") | $(f2 "$(cpu old)") | $(f2 "$xo") | $(f2 "$(ratio WALLS new old)") | $(f2 "$(ratio CPUS new old)") |"
                summary_formatters_old+="$f $(f2 "$xo"), "
                summary_formatters_ratio+="$f $(f2 "$(ratio WALLS new old)"), "
            else
                line+=" n/a | n/a | n/a | n/a | n/a |"
            fi
        fi
        lines+="$line"$'\n'
    done
    all_floor_walls+="$floor_walls"
    floor_bytes=$(stat -c %s "$work/floor.json" 2>/dev/null || echo 0)
    [ "$floor_bytes" = 0 ] && {
        sqlite3 -json "$db" 'SELECT * FROM events' >"$work/floor.json"
        floor_bytes=$(stat -c %s "$work/floor.json")
    }
    floor=$(printf '%s' "$floor_walls" | tr ' ' '\n' | sed '/^$/d' | median)
    floor_range=$(printf '%s' "$floor_walls" | tr ' ' '\n' | sed '/^$/d' | sort -g | sed -n '1p;$p' | tr '\n' ' ' | awk '{printf "%.2f–%.2f", $1, $2}')
    echo "$header"
    echo "$rule"
    floor_cpu=$(printf '%s' "$floor_cpus" | tr ' ' '\n' | sed '/^$/d' | median)
    awk -v w="$floor" -v c="$floor_cpu" -v r="$rows" -v b="$floor_bytes" -v o="$([ -n "$old" ] && echo 1)" \
        'BEGIN{printf "| sqlite3 -json (floor) | %.2f | %.2f | %.0f | %.0f | %.0f | – | 1.00 |%s\n", w, c, r/w, b/1e6, b/1e6/w, o ? " – | – | 1.00 | – | – |" : ""}'
    printf '%s' "$lines"
    echo
    echo "The floor's $(printf '%s' "$floor_walls" | wc -w) runs took $floor_range s (the machine's drift while this table was measured)."
    echo

    # Our ECS output against a plain C program writing the same bytes: checked, then timed.
    echo "## $rows rows against C programs (bench/c-baseline)"
    section "$rows rows against C programs"
    echo
    "$work/c/ecs_baseline" "$db" bench "$work/check-c.jsonl" 2>"$work/stderr" \
        || { cat "$work/stderr" >&2; echo "error: the C baseline failed on $db" >&2; exit 1; }
    "$bin" export --db "$db" --format ecs --registry-id bench --order id --output "$work/check-swift.jsonl" 2>/dev/null
    if ! cmp "$work/check-c.jsonl" "$work/check-swift.jsonl" >"$work/cmp" 2>&1; then
        echo "error: the C baseline's ECS bytes differ from \`export --format ecs\` at $rows rows: $(cat "$work/cmp")" >&2
        echo "(fix bench/c-baseline to write what the ECS formatter writes now; the CPU ratio means nothing otherwise)" >&2
        exit 1
    fi
    check_lines=$(wc -l <"$work/check-c.jsonl")
    [ "$check_lines" -eq "$rows" ] || { echo "error: the C baseline wrote $check_lines of $rows lines" >&2; exit 1; }
    echo "ecs_baseline's output is byte-identical to \`export --format ecs\` (cmp; $check_lines lines, $(($(stat -c %s "$work/check-c.jsonl") / 1000000)) MB)."
    rm -f "$work/check-c.jsonl" "$work/check-swift.jsonl"
    echo
    specs=("c=$work/c/ecs_baseline '$db' bench '$work/out.jsonl'" "new=$(export_command "$bin" ecs "$work/out.jsonl")")
    [ -n "$old" ] && specs+=("?old=$(export_command "$old" ecs "$work/out.jsonl")")
    rounds "${specs[@]}"
    echo "| what | wall s | CPU s | peak RSS MB | CPU × C | wall × C |"
    echo "|---|---:|---:|---:|---:|---:|"
    echo "| C baseline, the same ECS bytes (ecs_baseline) | $(f2 "$(wall c)") | $(f2 "$(cpu c)") | $(rss_mb c) | 1.00 | 1.00 |"
    c_cpu_ratio=$(ratio CPUS new c)
    c_wall_ratio=$(ratio WALLS new c)
    summary_c="$(f2 "$c_cpu_ratio") ($(f2 "$(cpu new)") s vs $(f2 "$(cpu c)") s; wall $(f2 "$c_wall_ratio"))"
    [ "$rows" = "$largest" ] && rss_new_all+="${RSS[new]} "
    echo "| export --format ecs | $(f2 "$(wall new)") | $(f2 "$(cpu new)") | $(rss_mb new) | $(f2 "$c_cpu_ratio") | $(f2 "$c_wall_ratio") |"
    summary_c_old="n/a"
    summary_c_ratio="n/a"
    if [ -n "$old" ]; then
        if has old; then
            summary_c_old="$(f2 "$(ratio CPUS old c)") ($(f2 "$(cpu old)") s; wall $(f2 "$(ratio WALLS old c)"))"
            summary_c_ratio="CPU $(f2 "$(ratio CPUS new old)")"
            echo "| export --format ecs, BASELINE | $(f2 "$(wall old)") | $(f2 "$(cpu old)") | $(rss_mb old) | $(f2 "$(ratio CPUS old c)") | $(f2 "$(ratio WALLS old c)") |"
        else
            echo "| export --format ecs, BASELINE | n/a | n/a | n/a | n/a | n/a |"
        fi
    fi
    echo
    specs=("scan=$work/c/scan_floor '$db'" "new=$(export_command "$bin" sentinel /dev/null)")
    [ -n "$old" ] && old_has sentinel && specs+=("?old=$(export_command "$old" sentinel /dev/null)")
    rounds "${specs[@]}"
    echo "| what | wall s | CPU s | peak RSS MB | wall × scan floor | CPU × scan floor |"
    echo "|---|---:|---:|---:|---:|---:|"
    echo "| scan floor: every row stepped, every column read (scan_floor) | $(f2 "$(wall scan)") | $(f2 "$(cpu scan)") | $(rss_mb scan) | 1.00 | 1.00 |"
    scan_ratio=$(ratio WALLS new scan)
    summary_scan=$(f2 "$scan_ratio")
    [ "$rows" = "$largest" ] && rss_new_all+="${RSS[new]} "
    echo "| export --format sentinel --output /dev/null | $(f2 "$(wall new)") | $(f2 "$(cpu new)") | $(rss_mb new) | $summary_scan | $(f2 "$(ratio CPUS new scan)") |"
    summary_scan_old="n/a"
    summary_scan_ratio="n/a"
    if [ -n "$old" ]; then
        if has old; then
            summary_scan_old=$(f2 "$(ratio WALLS old scan)")
            summary_scan_ratio=$(f2 "$(ratio WALLS new old)")
            echo "| the same, BASELINE | $(f2 "$(wall old)") | $(f2 "$(cpu old)") | $(rss_mb old) | $summary_scan_old | $(f2 "$(ratio CPUS old scan)") |"
        else
            echo "| the same, BASELINE | n/a | n/a | n/a | n/a | n/a |"
        fi
    fi
    echo
done

rows=$largest
db="$work/registry-$rows.sqlite"

# Three pipelines in one `run` against the three exports it replaces, in the same rounds.
echo "## 3 pipelines in one run ($rows rows: splunk_hec, ecs, sentinel to files)"
section "3 pipelines"
echo
three_config() { # OUTPUT-PREFIX
    cat <<YAML
version: 1
source: {type: oversight_registry, path: $db}
mapper: {type: oversight_beacon, registry_id: bench}
checkpoint: {path: $work/state.sqlite}
pipelines:
  - {name: splunk_hec, formatter: {type: splunk_hec}, sink: {type: file, path: $1-splunk_hec.jsonl, mode: truncate, sync: none}}
  - {name: ecs, formatter: {type: ecs}, sink: {type: file, path: $1-ecs.jsonl, mode: truncate, sync: none}}
  - {name: sentinel, formatter: {type: sentinel}, sink: {type: file, path: $1-sentinel.jsonl, mode: truncate, sync: none}}
YAML
}
three_config "$work/out" >"$work/three.yaml"
run_command() { echo "rm -f '$work'/state.sqlite*; '$1' run --config '$2'"; }
specs=("multi=$(run_command "$bin" "$work/three.yaml")")
for f in splunk_hec ecs sentinel; do specs+=("$f=$(export_command "$bin" "$f" "$work/out.jsonl")"); done
if [ -n "$old" ]; then
    specs+=("?old_multi=$(run_command "$old" "$work/three.yaml")")
    for f in splunk_hec ecs sentinel; do specs+=("?old_$f=$(export_command "$old" "$f" "$work/out.jsonl")"); done
fi
rounds "${specs[@]}"
multi_ratio=$(ratio WALLS multi splunk_hec ecs sentinel)
summary_multi="$(f2 "$multi_ratio") ($(f2 "$(wall multi)") s)"
echo "× slowest export: the median of the rounds' ratios of the run's wall time to the slowest of the three exports in the same round."
echo
echo "| what | wall s | CPU s | peak RSS MB | × slowest export |"
echo "|---|---:|---:|---:|---:|"
echo "| run, 3 pipelines | $(f2 "$(wall multi)") | $(f2 "$(cpu multi)") | $(rss_mb multi) | $(f2 "$multi_ratio") |"
rss_new_all+="${RSS[multi]} "
for f in splunk_hec ecs sentinel; do
    echo "| export --format $f | $(f2 "$(wall "$f")") | $(f2 "$(cpu "$f")") | $(rss_mb "$f") | – |"
    rss_new_all+="${RSS[$f]} "
done
summary_multi_old="n/a"
summary_multi_ratio="n/a"
if [ -n "$old" ]; then
    if has old_multi && has old_splunk_hec && has old_ecs && has old_sentinel; then
        summary_multi_old="$(f2 "$(ratio WALLS old_multi old_splunk_hec old_ecs old_sentinel)") ($(f2 "$(wall old_multi)") s)"
        summary_multi_ratio=$(f2 "$(ratio WALLS multi old_multi)")
        echo "| run, 3 pipelines, BASELINE | $(f2 "$(wall old_multi)") | $(f2 "$(cpu old_multi)") | $(rss_mb old_multi) | $(f2 "$(ratio WALLS old_multi old_splunk_hec old_ecs old_sentinel)") |"
    else
        echo "| run, 3 pipelines, BASELINE | n/a | n/a | n/a | n/a |"
    fi
fi
echo

# Workloads through `run`, per event against the beacon registry → ECS run (see `workloads` above).
echo "## Workloads through run ($rows rows each, to an ECS file)"
section "workloads"
echo
echo "× beacon: per event, the median of the rounds' ratios to the beacon registry → ECS run of the same round."
echo
fill_template() { # TEMPLATE DB OUT
    sed -e "s|@DB@|$2|g" -e "s|@OUT@|$3|g" -e "s|@STATE@|$work/state.sqlite|g" "bench/workloads/$1.yaml"
}
fill_template beacon-ecs "$db" "$work/out.jsonl" >"$work/wl-reference.yaml"
header="| workload | events | wall s | CPU s | events/s | peak RSS MB | wall × beacon | CPU × beacon |"
rule="|---|---:|---:|---:|---:|---:|---:|---:|"
[ -n "$old" ] && header+=" old wall s | old wall × beacon | new ÷ old wall |" && rule+="---:|---:|---:|"
echo "$header"
echo "$rule"
COUNT_LINES=1
for entry in "${workloads[@]}"; do
    IFS='|' read -r label template data_command <<<"$entry"
    wl_db="$work/workload-$template.sqlite"
    data_command=${data_command//@DB@/$wl_db}
    data_command=${data_command//@ROWS@/$rows}
    data_command=${data_command//@BIN@/$bin}
    data_command=${data_command//@REGISTRY@/$db}
    rm -f "$wl_db"*
    bash -c "$data_command" >/dev/null 2>&1 || { echo "error: workload '$label': '$data_command' failed" >&2; exit 1; }
    fill_template "$template" "$wl_db" "$work/out.jsonl" >"$work/wl-$template.yaml"
    specs=("ref=$(run_command "$bin" "$work/wl-reference.yaml")" "wl=$(run_command "$bin" "$work/wl-$template.yaml")")
    [ -n "$old" ] && specs+=("?old_ref=$(run_command "$old" "$work/wl-reference.yaml")" "?old_wl=$(run_command "$old" "$work/wl-$template.yaml")")
    rounds "${specs[@]}"
    per_event() { # A B: A's per-event time ratio to B's
        awk -v x="$(ratio "$1" "$2" "$3")" -v a="${OUT_LINES[$2]}" -v b="${OUT_LINES[$3]}" 'BEGIN{printf "%.2f", x * b / a}'
    }
    ref_row="| beacon registry → ECS (reference) | ${OUT_LINES[ref]} | $(f2 "$(wall ref)") | $(f2 "$(cpu ref)") | $(per_second "${OUT_LINES[ref]}" "$(wall ref)") | $(rss_mb ref) | 1.00 | 1.00 |"
    row="| $label | ${OUT_LINES[wl]} | $(f2 "$(wall wl)") | $(f2 "$(cpu wl)") | $(per_second "${OUT_LINES[wl]}" "$(wall wl)") | $(rss_mb wl) | $(per_event WALLS wl ref) | $(per_event CPUS wl ref) |"
    if [ -n "$old" ]; then
        ref_row+=" $(old_cell old_ref "$(f2 "$(wall old_ref)")") | 1.00 | $(old_cell old_ref "$(f2 "$(ratio WALLS ref old_ref)")") |"
        if has old_wl && has old_ref; then
            row+=" $(f2 "$(wall old_wl)") | $(per_event WALLS old_wl old_ref) | $(f2 "$(ratio WALLS wl old_wl)") |"
        else
            row+=" n/a | n/a | n/a |"
        fi
    fi
    echo "$ref_row"
    echo "$row"
    rss_new_all+="${RSS[ref]} ${RSS[wl]} "
done
COUNT_LINES=""
echo

echo "## HTTP delivery to a loopback receiver ($rows rows, batches of 1,000, run --config)"
section "HTTP"
echo
echo "CPU s is the exporter's alone (the receiver, siem-bench-receiver, is another process on the same two cores)."
echo
header="| sink | compression | wall s | CPU s | events/s | peak RSS MB |"
rule="|---|---|---:|---:|---:|---:|"
[ -n "$old" ] && header+=" old wall s | old events/s | old peak RSS MB | new ÷ old wall |" && rule+="---:|---:|---:|---:|"
echo "$header"
echo "$rule"
declare -A HTTP_RATE HTTP_RATE_OLD HTTP_RATIO
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
        specs=("new=rm -f '$work'/state.sqlite*; BENCH_SECRET=YmVuY2g6a2V5 '$bin' run --config '$work/bench.yaml'")
        [ -n "$old" ] && specs+=("?old=rm -f '$work'/state.sqlite*; BENCH_SECRET=YmVuY2g6a2V5 '$old' run --config '$work/bench.yaml'")
        rounds "${specs[@]}"
        rate=$(per_second "$rows" "$(wall new)")
        HTTP_RATE[$sink-$compression]=$rate
        line="| $sink | $compression | $(f2 "$(wall new)") | $(f2 "$(cpu new)") | $rate | $(rss_mb new) |"
        rss_new_all+="${RSS[new]} "
        if [ -n "$old" ]; then
            if has old; then
                HTTP_RATE_OLD[$sink-$compression]=$(per_second "$rows" "$(wall old)")
                HTTP_RATIO[$sink-$compression]=$(f2 "$(ratio WALLS new old)")
                line+=" $(f2 "$(wall old)") | ${HTTP_RATE_OLD[$sink-$compression]} | $(rss_mb old) | ${HTTP_RATIO[$sink-$compression]} |"
            else
                line+=" n/a | n/a | n/a | n/a |"
            fi
        fi
        echo "$line"
    done
    kill "$receiver_pid"
    wait "$receiver_pid" 2>/dev/null || true
    receiver_pid=""
    rm -f "$work/port"
done
echo

# Issue 17's table, read off the runs above at the largest size.
rss_range=$(echo "$rss_new_all" | tr ' ' '\n' | sed '/^$/d' | sort -n | sed -n '1p;$p' | tr '\n' ' ' | awk '{printf "%.0f–%.0f MB", $1/1024, $2/1024}')
rss_max_mb=$(echo "$rss_new_all" | tr ' ' '\n' | sed '/^$/d' | sort -n | tail -1 | awk '{printf "%.0f", $1/1024}')
met() { awk -v v="$1" -v op="$2" -v t="$3" 'BEGIN{ok = (op == "le") ? v <= t : v >= t; print ok ? "yes" : "no"}'; }
worst_formatter=$(echo "$summary_formatters" | tr ',' '\n' | awk 'NF==2{print $2}' | sort -g | tail -1)
cpu_c=$(echo "$summary_c" | cut -d' ' -f1)
http_k() { thousands "${HTTP_RATE[$1]}"; }
http_k_old() { [ -n "${HTTP_RATE_OLD[$1]:-}" ] && thousands "${HTTP_RATE_OLD[$1]}" || echo n/a; }
echo "## Issue 17's table ($rows rows)"
echo
if [ -n "$old" ]; then
    echo "| | new | old (BASELINE) | new ÷ old time | target | met |"
    echo "|---|---|---|---|---|---|"
else
    echo "| | measured | target | met |"
    echo "|---|---|---|---|"
fi
row() { # LABEL NEW OLD RATIO TARGET MET
    if [ -n "$old" ]; then echo "| $1 | $2 | $3 | $4 | $5 | $6 |"; else echo "| $1 | $2 | $5 | $6 |"; fi
}
row "× \`sqlite3 -json\`, wall (floor $(f2 "$floor") s)" "${summary_formatters%, }" "${summary_formatters_old%, }" "${summary_formatters_ratio%, }" \
    "≤ 0.60 for every formatter" "$(met "$worst_formatter" le 0.60)"
row "CPU seconds, ECS export ÷ the C baseline (same rows, same round)" "$summary_c" "$summary_c_old" "$summary_c_ratio" \
    "≤ 1.0 (wall ≤ 0.55)" "$(met "$cpu_c" le 1.0), wall $(met "$c_wall_ratio" le 0.55)"
row "sentinel to /dev/null ÷ scan floor, wall" "$summary_scan" "$summary_scan_old" "$summary_scan_ratio" "≤ 2.0" "$(met "$scan_ratio" le 2.0)"
row "3 pipelines (splunk_hec, ecs, sentinel), \`run\`, wall ÷ the slowest single export" "$summary_multi" "$summary_multi_old" \
    "$summary_multi_ratio" "≤ 1.6" "$(met "$multi_ratio" le 1.6)"
row "HTTP to loopback, batches of 1,000: HEC / Elasticsearch, uncompressed" \
    "$(http_k splunk_hec-none) / $(http_k elasticsearch-none) events/s" "$(http_k_old splunk_hec-none) / $(http_k_old elasticsearch-none)" \
    "${HTTP_RATIO[splunk_hec-none]:-n/a} / ${HTTP_RATIO[elasticsearch-none]:-n/a}" "≥ 450k / 400k" \
    "$(met "${HTTP_RATE[splunk_hec-none]}" ge 450000) / $(met "${HTTP_RATE[elasticsearch-none]}" ge 400000)"
row "same, gzip" "$(http_k splunk_hec-gzip) / $(http_k elasticsearch-gzip) events/s" \
    "$(http_k_old splunk_hec-gzip) / $(http_k_old elasticsearch-gzip)" \
    "${HTTP_RATIO[splunk_hec-gzip]:-n/a} / ${HTTP_RATIO[elasticsearch-gzip]:-n/a}" "≥ 320k / 250k" \
    "$(met "${HTTP_RATE[splunk_hec-gzip]}" ge 320000) / $(met "${HTTP_RATE[elasticsearch-gzip]}" ge 250000)"
row "peak RSS, any of the above" "$rss_range" "–" "–" "≤ 64 MB" "$(met "$rss_max_mb" le 64)"
echo
all_range=$(printf '%s' "$all_floor_walls" | tr ' ' '\n' | sed '/^$/d' | sort -g | sed -n '1p;$p' | tr '\n' ' ' | awk '{printf "%.2f–%.2f", $1, $2}')
echo "Load average at the start $load_at_start, at the end $(cut -d' ' -f1-3 /proc/loadavg); the \`sqlite3 -json\` floor took $all_range s over the whole run. Wall-clock ratios move with the machine; CPU seconds and the ratio to the C baseline move less."

db="$work/registry-$largest.sqlite"
[ "$POSTGRES" = 1 ] && postgres_section "$largest" "$db"
[ "$KAFKA" = 1 ] && kafka_section "$largest" "$db"
true
