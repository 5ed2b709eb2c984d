#!/usr/bin/env bash
# Builds the siem-export Debian package from a release build:
#   bash scripts/package-deb.sh [OUTPUT_DIR]        (default .build/deb; prints the .deb's path)
#
# - The binary is built with --static-swift-stdlib, so the Swift runtime and Foundation are inside
#   it; what it still links (libcurl, libssl, libsqlite3, libdeflate, libstdc++, libc) becomes
#   `Depends:`, computed by dpkg-shlibdeps from the binary itself.
# - Man pages (swift-argument-parser's generate-manual) and the bash/zsh/fish completions are
#   generated here from the binary's own CLI definition, never committed, so they cannot drift.
# - The version is the binary's `--version`, i.e. SIEMExportVersion.current.
# - Reproducible: timestamps come from SOURCE_DATE_EPOCH (default: the last commit's time), man
#   pages are dated from it and gzipped without names or times, ownership is root:root.
# Needs dpkg-dev (installed with apt-get when missing, through sudo unless root).
set -euo pipefail
cd "$(dirname "$0")/.."

out_dir=${1:-.build/deb}
package=siem-export

if ! command -v dpkg-shlibdeps >/dev/null || ! command -v dpkg-deb >/dev/null; then
    echo "installing: dpkg-dev" >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq dpkg-dev >/dev/null
fi

if [ -z "${SOURCE_DATE_EPOCH:-}" ]; then
    SOURCE_DATE_EPOCH=$(git log -1 --format=%ct 2>/dev/null || true)
    [ -n "$SOURCE_DATE_EPOCH" ] || { echo "error: set SOURCE_DATE_EPOCH (not a git checkout)" >&2; exit 1; }
fi
export SOURCE_DATE_EPOCH

# A build folder of its own: switching --static-swift-stdlib on and off in .build/ would rebuild
# everything each time scripts/demo.sh and this script take turns. Both products with the same
# flags, so the second build does not relink the first.
build_flags=(-c release --static-swift-stdlib --scratch-path .build/static)
swift build "${build_flags[@]}" --product siem-export
swift build "${build_flags[@]}" --product generate-manual
bin_dir=$(swift build "${build_flags[@]}" --show-bin-path)
binary="$bin_dir/siem-export"

# The Swift runtime must be inside the binary: a .deb cannot depend on a toolchain in /opt.
if ldd "$binary" | grep -E 'libswift|libFoundation|lib_Foundation|libdispatch|libBlocksRuntime'; then
    echo "error: $binary links the Swift runtime dynamically (see above); build with --static-swift-stdlib" >&2
    exit 1
fi

version=$("$binary" --version)
constant=$(sed -n 's/.*static let current = "\(.*\)".*/\1/p' Sources/Host/Commands/SIEMExportVersion.swift)
if [ "$version" != "$constant" ]; then
    echo "error: the binary says $version, SIEMExportVersion.swift says $constant: stale build?" >&2
    exit 1
fi
arch=$(dpkg --print-architecture)

work=$(mktemp -d)
trap 'rm -rf "$work"' EXIT
stage="$work/root"
doc="$stage/usr/share/doc/$package"
install -d "$stage/DEBIAN" "$stage/usr/bin" "$stage/lib/systemd/system" "$stage/usr/lib/sysusers.d" \
    "$stage/etc/$package" "$stage/usr/share/man/man1" "$doc/examples/config" \
    "$stage/usr/share/$package/grafana" "$stage/usr/share/bash-completion/completions" \
    "$stage/usr/share/zsh/vendor-completions" "$stage/usr/share/fish/vendor_completions.d"

# The binary, without its DWARF (95 MB with it); the symbol table stays for backtraces.
install -m 0755 "$binary" "$stage/usr/bin/siem-export"
strip --strip-debug "$stage/usr/bin/siem-export"

install -m 0644 dist/systemd/siem-export.service dist/systemd/siem-export-oneshot.service \
    dist/systemd/siem-export-oneshot.timer "$stage/lib/systemd/system/"
install -m 0644 dist/sysusers/siem-export.conf "$stage/usr/lib/sysusers.d/siem-export.conf"
install -m 0644 dist/siem-export.yaml "$stage/etc/$package/siem.yaml"
install -m 0644 dist/siem-export.yaml dist/systemd/examples/*.conf "$doc/examples/"
install -m 0644 config/*.yaml "$doc/examples/config/"
install -m 0644 dist/grafana/siem-export.json "$stage/usr/share/$package/grafana/siem-export.json"
install -m 0644 README.md docs/OPERATIONS.md docs/CONFIG.md docs/SIEM.md "$doc/"
gzip -9n "$doc/OPERATIONS.md" "$doc/CONFIG.md" "$doc/SIEM.md"

# Man pages: one per command (siem-export.1, siem-export.run.1, …), dated from SOURCE_DATE_EPOCH.
"$bin_dir/generate-manual" "$binary" --multi-page --date "$(date -u -d "@$SOURCE_DATE_EPOCH" +%F)" \
    --output-directory "$stage/usr/share/man/man1"
# A blank line in a command's help (between paragraphs, before its exit codes) is an empty input
# line to mdoc, which `man --warnings` reports: make it the paragraph break it is.
sed -i 's/^$/.Pp/' "$stage"/usr/share/man/man1/*.1
gzip -9n "$stage"/usr/share/man/man1/*.1

"$binary" --generate-completion-script bash >"$stage/usr/share/bash-completion/completions/siem-export"
"$binary" --generate-completion-script zsh >"$stage/usr/share/zsh/vendor-completions/_siem-export"
"$binary" --generate-completion-script fish >"$stage/usr/share/fish/vendor_completions.d/siem-export.fish"

# Depends: from the libraries the binary really links (its NEEDED entries), as Debian's own
# packages compute it. dpkg-shlibdeps wants a debian/control beside it.
mkdir -p "$work/shlibs/debian"
printf 'Source: %s\n\nPackage: %s\nArchitecture: any\n' "$package" "$package" >"$work/shlibs/debian/control"
if ! shlibs=$(cd "$work/shlibs" && dpkg-shlibdeps -O -e "$stage/usr/bin/siem-export" 2>"$work/shlibs.log"); then
    cat "$work/shlibs.log" >&2
    exit 1
fi
depends=$(sed -n 's/^shlibs:Depends=//p' <<<"$shlibs")
[ -n "$depends" ] || { echo "error: dpkg-shlibdeps found no dependencies" >&2; exit 1; }

install -m 0755 dist/debian/postinst dist/debian/prerm dist/debian/postrm "$stage/DEBIAN/"
echo "/etc/$package/siem.yaml" >"$stage/DEBIAN/conffiles"
installed_size=$(du -sk --exclude=DEBIAN "$stage" | cut -f1)
cat >"$stage/DEBIAN/control" <<EOF
Package: $package
Version: $version
Architecture: $arch
Maintainer: ${DEB_MAINTAINER:-SIEMExport maintainers <siem-export@example.invalid>}
Installed-Size: $installed_size
Depends: $depends
Recommends: ca-certificates
Section: admin
Priority: optional
Description: export beacon registry security events to SIEMs
 siem-export reads a beacon registry's SQLite events table read-only and
 delivers each event, at least once from a durable checkpoint, to Splunk HEC,
 Elasticsearch, Microsoft Sentinel, OTLP, syslog or JSON-lines files for a
 forwarder, in the SIEM's own schema.
 .
 This package holds the binary (with the Swift runtime built in), hardened
 systemd units (follow mode, and a one-shot run on a timer), man pages, shell
 completions, sample configs and a Grafana dashboard.
EOF

# Same bytes for the same inputs: fixed times and modes, root ownership, sorted by dpkg-deb.
find "$stage" -exec touch --no-dereference --date="@$SOURCE_DATE_EPOCH" {} +
find "$stage" -type d -exec chmod 0755 {} +
mkdir -p "$out_dir"
deb="$out_dir/${package}_${version}_${arch}.deb"
dpkg-deb --root-owner-group -Zxz --build "$stage" "$deb" >/dev/null
echo "$(cd "$(dirname "$deb")" && pwd)/$(basename "$deb")"
