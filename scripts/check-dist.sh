#!/usr/bin/env bash
# CI checks of the deployment kit (dist/), on the package as an operator installs it:
#   1. build the .deb (scripts/package-deb.sh) and check its control file: the version is
#      SIEMExportVersion.current, `Depends:` names the package of every library the binary
#      links, the Swift runtime is inside the binary, the config is a conffile;
#   2. `dpkg -i` it: every file of the package is on disk, the siem-export user exists,
#      `siem-export --version` answers from /usr/bin;
#   3. `systemd-analyze verify` of the installed units (any warning fails), their exposure
#      (`systemd-analyze security --offline`, at most 2.0 of 10), and the same sandbox in both
#      services;
#   4. every installed man page through `man --warnings -l` (or `mandoc -T lint`), the bash
#      completion through `bash -n` and `complete -p`, zsh/fish completions when those shells
#      are installed;
#   5. a demo export from the installed binary, then dist/check/sandbox.sh: the units' own
#      ExecStart= lines as the unit user inside an emulation of their sandbox (file system,
#      seccomp, no capabilities), the installed config against a live demo registry, follow
#      mode scraped by a real Prometheus answering every query of the installed Grafana
#      dashboard, a clean stop on SIGTERM;
#   6. `dpkg -r` (the conffile stays, the binary goes), then purge.
# Run as root on Debian 12 (or a container of it): it installs what it needs with apt-get,
# downloads Prometheus's .deb only to unpack its binary, and refuses to run where a siem-export
# package is already installed.
set -euo pipefail
cd "$(dirname "$0")/.."
started=$SECONDS

fail() {
    echo "error: check-dist: $*" >&2
    exit 1
}
step() { echo "== dist: $*"; }

[ "$(id -u)" -eq 0 ] || fail "run as root: it installs and removes the package"
if dpkg-query -W -f='${Status}' siem-export 2>/dev/null | grep -q "install ok installed"; then
    fail "a siem-export package is installed here; this check installs and removes its own"
fi

bash scripts/install-dependencies.sh
needed=(dpkg-dev systemd man-db iproute2 python3-seccomp sqlite3)
missing=()
for p in "${needed[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}" >&2
    apt-get update -qq
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

work=$(mktemp -d /tmp/siem-check-dist.XXXXXX)
chmod 0755 "$work"
installed=no
# Purge keeps /var/lib/siem-export (checkpoints) by design; the check removes it if it made it.
state_existed=no
[ ! -e /var/lib/siem-export ] || state_existed=yes
cleanup() {
    if [ "$installed" = yes ]; then dpkg --purge siem-export >/dev/null 2>&1 || true; fi
    if [ "$state_existed" = no ]; then rm -rf /var/lib/siem-export; fi
    rm -rf "$work"
}
trap cleanup EXIT

step "package"
deb=$(bash scripts/package-deb.sh "$work/deb" | tail -n 1)
[ -f "$deb" ] || fail "package-deb.sh printed no .deb path"
version=$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/Host/Commands/SIEMExportVersion.swift)
[ "$(dpkg-deb -f "$deb" Version)" = "$version" ] || fail "the .deb's version is not $version"
[ "$(basename "$deb")" = "siem-export_${version}_$(dpkg --print-architecture).deb" ] || fail "unexpected name $deb"
dpkg-deb -x "$deb" "$work/unpacked"
dpkg-deb -e "$deb" "$work/control"
grep -qx /etc/siem-export/siem.yaml "$work/control/conffiles" || fail "siem.yaml is not a conffile"
depends=$(dpkg-deb -f "$deb" Depends)
if ldd "$work/unpacked/usr/bin/siem-export" | grep -E 'libswift|libFoundation|lib_Foundation|libdispatch'; then
    fail "the packaged binary links the Swift runtime dynamically"
fi
# Every library the binary links directly must come from a package named in Depends:.
owner_of() { # a library path as ldd prints it (/lib/… or /usr/lib/…, maybe a symlink): its package
    local candidate
    for candidate in "$1" "$(readlink -f "$1")"; do
        for candidate in "$candidate" "/usr$candidate" "${candidate#/usr}"; do
            dpkg -S "$candidate" 2>/dev/null | sed -n '1s/:.*//p' | grep . && return 0
        done
    done
    return 1
}
dependency_names=$(tr ',|' '\n\n' <<<"$depends" | sed 's/^ *//; s/[ (].*//')
linked=0
while read -r soname; do
    path=$(ldd "$work/unpacked/usr/bin/siem-export" | awk -v lib="$soname" '$1 == lib && $3 ~ /^\// {print $3}')
    [ -n "$path" ] || fail "ldd does not resolve $soname"
    owner=$(owner_of "$path") || fail "no package owns $path ($soname)"
    grep -qxF "$owner" <<<"$dependency_names" || fail "$soname comes from $owner, which Depends: lacks ($depends)"
    linked=$((linked + 1))
done < <(readelf -d "$work/unpacked/usr/bin/siem-export" | sed -n 's/.*(NEEDED).*\[\(.*\)\]/\1/p' |
    grep -v '^ld-linux')
((linked >= 5)) || fail "only $linked linked libraries found: is readelf (binutils) working?"
echo "Depends: $depends"

step "install"
cp "$work/unpacked/etc/siem-export/siem.yaml" "$work/siem.yaml.installed"
installed=yes
dpkg -i "$deb" >/dev/null
missing_files=$(dpkg -L siem-export | while read -r f; do [ -e "$f" ] || echo "$f"; done)
[ -z "$missing_files" ] || fail "files of the package not on disk (a dpkg path-exclude?): $missing_files"
[ "$(command -v siem-export)" = /usr/bin/siem-export ] || fail "siem-export is not /usr/bin/siem-export"
[ "$(/usr/bin/siem-export --version)" = "$version" ] || fail "siem-export --version is not $version"
getent passwd siem-export >/dev/null || fail "the package did not create the siem-export user"
[ "$(stat -c '%U:%G %a' /var/lib/siem-export)" = "siem-export:siem-export 750" ] ||
    fail "/var/lib/siem-export is $(stat -c '%U:%G %a' /var/lib/siem-export), not siem-export:siem-export 750"

step "systemd units"
units=(/lib/systemd/system/siem-export.service /lib/systemd/system/siem-export-oneshot.service
    /lib/systemd/system/siem-export-oneshot.timer)
# verify reports unknown keys and bad values as warnings with exit status 0: any output fails.
if ! output=$(systemd-analyze verify "${units[@]}" 2>&1) || [ -n "$output" ]; then
    fail "systemd-analyze verify: $output"
fi
for unit in siem-export.service siem-export-oneshot.service; do
    systemd-analyze security --offline=yes --threshold=20 "/lib/systemd/system/$unit" >"$work/security.txt" 2>&1 ||
        fail "$unit is exposed more than 2.0: $(grep -E '✗|Overall' "$work/security.txt")"
    grep Overall "$work/security.txt"
done
# The same sandbox in both services: only what runs, how it restarts and its texts may differ.
sandbox() {
    grep -E '^[A-Za-z]+=' "$1" | grep -Ev '^(Description|Documentation|Type|ExecStart|Restart|RestartSec|RestartPreventExitStatus|TimeoutStartSec|TimeoutStopSec|StartLimitIntervalSec|WantedBy)='
}
diff <(sandbox "${units[0]}") <(sandbox "${units[1]}") || fail "the two services' sandboxes differ (above)"

step "man pages and completions"
pages=(/usr/share/man/man1/siem-export*.1.gz)
((${#pages[@]} >= 7)) || fail "only ${#pages[@]} man pages installed"
for page in "${pages[@]}"; do
    if command -v man >/dev/null; then
        warnings=$(man --warnings -l "$page" 2>&1 >/dev/null) || fail "man -l $page failed: $warnings"
    else
        warnings=$(mandoc -T lint -W error "$page" 2>&1) || fail "mandoc: $warnings"
    fi
    [ -z "$warnings" ] || fail "$page: $warnings"
    zcat "$page" | grep -q '^\.Sh DESCRIPTION' || fail "$page has no DESCRIPTION"
done
[ "$(man -w siem-export.run)" = /usr/share/man/man1/siem-export.run.1.gz ] || fail "man siem-export.run finds no page"
completion=/usr/share/bash-completion/completions/siem-export
bash -n "$completion" || fail "$completion is not valid bash"
bash -c "source $completion && complete -p siem-export" >/dev/null || fail "$completion registers no completion"
if command -v zsh >/dev/null; then zsh -n /usr/share/zsh/vendor-completions/_siem-export || fail "zsh completion"; fi
if command -v fish >/dev/null; then
    fish -n /usr/share/fish/vendor_completions.d/siem-export.fish || fail "fish completion"
fi
echo "${#pages[@]} man pages, bash completion OK"

step "demo export from the installed binary"
# Owned by a group of its own, as a registry's database is (the sandbox gives the unit that
# group as SupplementaryGroups= would); a numeric gid nobody uses, so nothing is added here.
registry_gid=64000
while getent group "$registry_gid" >/dev/null; do registry_gid=$((registry_gid + 1)); done
install -d -m 0750 -g "$registry_gid" "$work/registry"
/usr/bin/siem-export demo-registry "$work/registry/registry.sqlite" --rows 500 2>/dev/null
chgrp "$registry_gid" "$work/registry/registry.sqlite"
chmod 0640 "$work/registry/registry.sqlite"
lines=$(/usr/bin/siem-export export --db "$work/registry/registry.sqlite" --format splunk --registry-id demo | wc -l)
[ "$lines" -eq 500 ] || fail "export wrote $lines lines, not 500"
echo "exported 500 events"

step "the units' ExecStart in their sandbox"
# Prometheus's own binary, unpacked from Debian's package (installing it would start a server).
cache=.build/check-dist
mkdir -p "$cache"
if ! compgen -G "$cache/prometheus_*.deb" >/dev/null; then
    (cd "$cache" && apt-get download -qq prometheus >/dev/null 2>&1) || fail "cannot download Prometheus's .deb"
fi
dpkg-deb -x "$(ls "$cache"/prometheus_*.deb | tail -n 1)" "$work/prom"
mkdir -p "$work/hostdev" "$work/check"
install -m 0755 dist/check/*.py dist/check/sandbox.sh "$work/check/"
unshare --mount --net --pid --fork --mount-proc --propagation private \
    bash "$work/check/sandbox.sh" "$work" || fail "the sandboxed runs failed"

step "remove"
dpkg -r siem-export >/dev/null
[ ! -e /usr/bin/siem-export ] || fail "dpkg -r left /usr/bin/siem-export"
[ -e /etc/siem-export/siem.yaml ] || fail "dpkg -r removed the conffile"
dpkg --purge siem-export >/dev/null
installed=no
[ ! -e /etc/siem-export/siem.yaml ] || fail "purge left /etc/siem-export/siem.yaml"
echo "== dist: all checks passed in $((SECONDS - started)) s"
