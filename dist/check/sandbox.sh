#!/usr/bin/env bash
# The installed units' sandbox without systemd as PID 1: scripts/check-dist.sh runs this as root
# inside `unshare --mount --net --pid --fork --mount-proc`, and it rebuilds what systemd would
# give the service, then runs the units' own ExecStart= lines in it:
#   ProtectSystem=strict    every mount read-only but /var/lib/siem-export (StateDirectory=,
#                           0750 siem-export), PrivateTmp's /tmp and /var/tmp, /dev, /proc, /sys
#   ProtectHome=yes         empty read-only /home and /root
#   PrivateDevices=yes      a /dev of null, zero, full, random, urandom, tty and an empty shm
#   ProcSubset=pid, ProtectProc=invisible   /proc mounted with subset=pid,hidepid=invisible
#   ReadOnlyPaths=          the registry's directory bound read-only at /var/lib/oversight,
#                           group-readable only, as examples/registry-path.conf describes it
#                           (SupplementaryGroups= becomes setpriv --groups)
#   User=, Group=, UMask=, NoNewPrivileges=, CapabilityBoundingSet=, AmbientCapabilities=
#                           setpriv and umask
#   SystemCallFilter=, MemoryDenyWriteExecute=, RestrictAddressFamilies=, RestrictNamespaces=
#                           seccomp-exec.py, from the unit file itself
#   LoadCredential=         a file in /run/credentials/siem-export.service/
# Not emulated: the remaining Protect*/Restrict* switches (kernel interfaces the tool never
# touches), PrivateIPC= and PrivateMounts=. The network namespace has loopback only.
#
#   sandbox.sh WORK   (WORK holds registry/, check/, prom/, control/ prepared by check-dist.sh)
set -euo pipefail

host_work=$1
service=/lib/systemd/system/siem-export.service
oneshot=/lib/systemd/system/siem-export-oneshot.service
config=/etc/siem-export/siem.yaml
fail() {
    echo "error: sandbox: $*" >&2
    exit 1
}
step() { echo "-- sandbox: $*"; }

# ---------------------------------------------------------------- the service's file system
ip link set lo up
mount --rbind /dev "$host_work/hostdev"
mount -t tmpfs -o mode=0755 tmpfs /run
mkdir /run/siem-check
mount --rbind "$host_work" /run/siem-check
work=/run/siem-check

# The installed config, byte for byte, beside the registry-id file the operator writes.
installed_config=$(cat "$config")
mount -t tmpfs -o mode=0755 tmpfs /etc/siem-export
printf '%s\n' "$installed_config" >"$config"
cmp -s "$config" "$work/siem.yaml.installed" || fail "$config changed on the way into the sandbox"
echo "5f1d3c9ab0e24a7d8c6b4e2f9a1d0c3b7e5f2a9c4d6b8e0f1a3c5e7d9b2f4a6c" >/etc/siem-export/registry-id

# /var/lib as the units see it: their state directory and the registry, nothing else.
mount -t tmpfs -o mode=0755 tmpfs /var/lib
install -d -o siem-export -g siem-export -m 0750 /var/lib/siem-export
mount --bind /var/lib/siem-export /var/lib/siem-export
mkdir /var/lib/oversight
mount --bind "$work/registry" /var/lib/oversight
mount -o remount,bind,ro /var/lib/oversight

# LoadCredential=hec-token:… for the Splunk example of the config.
install -d -m 0755 /run/credentials
install -d -o siem-export -g siem-export -m 0500 /run/credentials/siem-export.service
echo "00000000-0000-0000-0000-000000000000" >/run/credentials/siem-export.service/hec-token
chown siem-export:siem-export /run/credentials/siem-export.service/hec-token
chmod 0400 /run/credentials/siem-export.service/hec-token

mount -t tmpfs -o mode=0755 tmpfs /dev
for node in null zero full random urandom tty; do
    touch "/dev/$node"
    mount --bind "$work/hostdev/$node" "/dev/$node"
done
# The host's /dev goes again (whichever of its two views umount reaches first takes the other).
findmnt -rno TARGET | grep '/hostdev$' | while read -r target; do umount -l "$target" 2>/dev/null || true; done
findmnt -rno TARGET | grep -q '/hostdev' && fail "the host's /dev is still mounted in the sandbox"
mkdir /dev/shm && mount -t tmpfs -o mode=1777 tmpfs /dev/shm
mount -t proc -o nosuid,nodev,noexec,subset=pid,hidepid=invisible proc /proc
for private in /tmp /var/tmp; do mount -t tmpfs -o mode=1777 tmpfs "$private"; done
for home in /home /root; do mount -t tmpfs -o ro,mode=0755 tmpfs "$home"; done

# ProtectSystem=strict: the rest read-only, deepest mounts first.
writable='^/(dev|proc|sys)(/|$)|^/run/siem-check(/|$)|^/var/lib/siem-export$|^/tmp$|^/var/tmp$|^/dev/shm$'
# (Host mounts under a directory covered above, e.g. the host's /tmp, are out of reach: skipped.)
findmnt -rno TARGET | grep -Ev "$writable" | sort -ru | while read -r target; do
    mountpoint -q "$target" || continue
    mount -o remount,bind,ro "$target" 2>/dev/null || mount -o remount,ro "$target" ||
        fail "cannot make $target read-only"
done
if touch /etc/siem-export/written 2>/dev/null || touch /usr/written 2>/dev/null; then
    fail "ProtectSystem=strict emulation left /etc or /usr writable"
fi

# ---------------------------------------------------------------- running as the unit
registry_gid=$(stat -c %g "$work/registry")
group_args=(--groups="$registry_gid") # SupplementaryGroups= of the registry's group
as_unit_exec() { # UNIT_FILE COMMAND...: becomes the unit's main process, as systemd would start it
    local unit=$1
    shift
    umask "$(sed -n 's/^UMask=//p' "$unit")"
    cd /
    exec env -i PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin LANG=C.UTF-8 \
        HOME=/var/lib/siem-export USER=siem-export LOGNAME=siem-export SHELL=/usr/sbin/nologin \
        STATE_DIRECTORY=/var/lib/siem-export CONFIGURATION_DIRECTORY=/etc/siem-export \
        CREDENTIALS_DIRECTORY=/run/credentials/siem-export.service \
        setpriv --reuid="$(sed -n 's/^User=//p' "$unit")" --regid="$(sed -n 's/^Group=//p' "$unit")" \
        "${group_args[@]}" --inh-caps=-all --bounding-set=-all --no-new-privs \
        -- /usr/bin/python3 "$work/check/seccomp-exec.py" "$unit" -- "$@"
}
as_unit() { (as_unit_exec "$@"); }
scrape() { # the exporter's /metrics, from bash alone
    exec 3<>/dev/tcp/127.0.0.1/9464 && printf 'GET /metrics HTTP/1.0\r\n\r\n' >&3 && cat <&3
    exec 3<&-
}
exec_start() { sed -n 's/^ExecStart=//p' "$1"; }
read -ra oneshot_command <<<"$(exec_start "$oneshot")"
read -ra service_command <<<"$(exec_start "$service")"
rows=$(sqlite3 "$work/registry/registry.sqlite" "SELECT max(id) FROM events")

# The registry runs: its writer keeps the database open, so -wal and -shm exist (a WAL database
# in a read-only directory cannot be opened without them).
mkdir -p "$work/control"
/usr/bin/python3 "$work/check/registry-writer.py" "$work/registry/registry.sqlite" "$work/control" &
writer=$!
for _ in $(seq 100); do [ -e "$work/control/ready" ] && break; sleep 0.1; done
[ -e "$work/control/ready" ] || fail "the registry writer did not start"
insert() { # N: the live registry appends N rows
    rm -f "$work/control/inserted"
    echo "$1" >"$work/control/insert"
    for _ in $(seq 100); do [ -e "$work/control/inserted" ] && return; sleep 0.1; done
    fail "the registry writer did not insert"
}

step "validate the installed config"
as_unit "$oneshot" /usr/bin/siem-export validate --config "$config" >"$work/validate.log" 2>&1 ||
    fail "validate failed: $(cat "$work/validate.log")"
grep -q "OK: 1 pipeline(s)" "$work/validate.log" || fail "validate said: $(cat "$work/validate.log")"

step "without the registry's group (no SupplementaryGroups=) the registry is refused: exit 66"
status=0
group_args=(--clear-groups)
as_unit "$oneshot" /usr/bin/siem-export validate --config "$config" >"$work/nogroup.log" 2>&1 || status=$?
group_args=(--groups="$registry_gid")
[ "$status" -eq 66 ] || fail "validate without the group exited $status: $(cat "$work/nogroup.log")"

step "siem-export-oneshot.service's ExecStart: ${oneshot_command[*]}"
as_unit "$oneshot" "${oneshot_command[@]}" >"$work/oneshot.log" 2>&1 ||
    fail "the one-shot run failed: $(cat "$work/oneshot.log")"
/usr/bin/python3 - "$rows" <<'EOF' || fail "summary: $(cat /var/lib/siem-export/last-run.json)"
import json, sys
summary = json.load(open("/var/lib/siem-export/last-run.json"))
rows = int(sys.argv[1])
assert summary["status"] == "completed" and summary["rows_read"] == rows, summary
assert [p["delivered"] + p["dead_lettered"] for p in summary["pipelines"]] == [rows], summary
EOF
[ "$(wc -l </var/lib/siem-export/ecs.jsonl)" -eq "$rows" ] || fail "ecs.jsonl does not hold $rows lines"
[ "$(stat -c '%U:%G %a' /var/lib/siem-export/ecs.jsonl)" = "siem-export:siem-export 640" ] ||
    fail "ecs.jsonl is $(stat -c '%U:%G %a' /var/lib/siem-export/ecs.jsonl), not group-readable for a forwarder"
as_unit "$oneshot" "${oneshot_command[@]}" >"$work/oneshot-again.log" 2>&1 ||
    fail "the second one-shot run failed: $(cat "$work/oneshot-again.log")"
grep -q "exported 0 event(s)" "$work/oneshot-again.log" || fail "the second run re-sent: $(cat "$work/oneshot-again.log")"

step "siem-export.service's ExecStart, scraped by Prometheus: ${service_command[*]}"
(as_unit_exec "$service" "${service_command[@]}" >"$work/follow.log" 2>&1) &
follow=$!
cat >"$work/prometheus.yml" <<EOF
global: {scrape_interval: 1s, evaluation_interval: 1s}
scrape_configs:
  - job_name: siem-export
    static_configs: [{targets: ["127.0.0.1:9464"]}]
EOF
"$work/prom/usr/bin/prometheus" --config.file="$work/prometheus.yml" --storage.tsdb.path="$work/prom-data" \
    --web.listen-address=127.0.0.1:9090 --log.level=warn >"$work/prometheus.log" 2>&1 &
prometheus=$!
for _ in 1 2 3 4 5; do
    insert 20
    sleep 1
done
rows=$((rows + 100))
for _ in $(seq 200); do
    scrape 2>/dev/null | grep -q "^siem_export_events_delivered_total{pipeline=\"ecs\"} $rows\$" && break
    kill -0 "$follow" 2>/dev/null || fail "the follow run ended: $(cat "$work/follow.log")"
    sleep 0.1
done
[ "$(wc -l </var/lib/siem-export/ecs.jsonl)" -eq "$rows" ] || fail "follow mode did not deliver the new rows"
/usr/bin/python3 "$work/check/dashboard-queries.py" /usr/share/siem-export/grafana/siem-export.json \
    http://127.0.0.1:9090 60 || fail "the dashboard's queries (Prometheus log: $(tail -n 5 "$work/prometheus.log"))"
kill "$prometheus"

step "SIGTERM stops follow mode cleanly within TimeoutStopSec"
stop_timeout=$(sed -n 's/^TimeoutStopSec=\([0-9]*\)s$/\1/p' "$service")
kill -TERM "$follow"
for _ in $(seq $((stop_timeout * 10))); do kill -0 "$follow" 2>/dev/null || break; sleep 0.1; done
kill -0 "$follow" 2>/dev/null && fail "follow mode still runs ${stop_timeout} s after SIGTERM"
status=0
wait "$follow" || status=$?
[ "$status" -eq 0 ] || fail "follow mode exited $status after SIGTERM: $(cat "$work/follow.log")"
grep -q "stopped by signal; every checkpoint is saved" "$work/follow.log" ||
    fail "no clean stop in the log: $(cat "$work/follow.log")"

step "export --output http://… (libcurl under the same filter)"
/usr/bin/python3 "$work/check/http-receiver.py" 8088 "$work/received" &
receiver=$!
for _ in $(seq 50); do (exec 3<>/dev/tcp/127.0.0.1/8088) 2>/dev/null && break; sleep 0.1; done
as_unit "$service" /usr/bin/siem-export export --db /var/lib/oversight/registry.sqlite --format ecs \
    --registry-id check --output http://127.0.0.1:8088/ingest >"$work/http.log" 2>&1 ||
    fail "export over HTTP failed: $(cat "$work/http.log")"
kill "$receiver"
[ "$(awk '{n += $1} END {print n}' "$work/received")" -eq "$rows" ] || fail "the collector did not get $rows records"

step "the config's Splunk example, its token from LoadCredential="
sed -e '/# --- example: splunk/,/# --- end of example/s/^  #  /  /' "$config" >"$work/splunk.yaml"
grep -q '^  - name: splunk' "$work/splunk.yaml" || fail "could not uncomment the Splunk example"
as_unit "$service" /usr/bin/siem-export validate --config "$work/splunk.yaml" >"$work/splunk.log" 2>&1 ||
    fail "the Splunk example does not validate: $(cat "$work/splunk.log")"

step "the registry stopped (no -wal/-shm in its read-only directory): exit 66, which the service restarts on"
touch "$work/control/stop"
wait "$writer"
[ ! -e "$work/registry/registry.sqlite-shm" ] || fail "the registry writer left its -shm file"
status=0
as_unit "$oneshot" "${oneshot_command[@]}" >"$work/stopped.log" 2>&1 || status=$?
[ "$status" -eq 66 ] || fail "a run against the stopped registry exited $status: $(cat "$work/stopped.log")"
sed -n 's/^RestartPreventExitStatus=//p' "$service" | grep -qw 66 && fail "siem-export.service would not restart on 66"
echo "-- sandbox: all passed"
