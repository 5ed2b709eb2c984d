#!/usr/bin/env bash
# Installs the Debian packages SIEMExport builds, tests and demos with, when they are missing.
# Runs apt-get as root, or through sudo. Swift itself (6.1 or newer) must already be installed.
set -euo pipefail

packages=(libsqlite3-dev libssl-dev libcurl4-openssl-dev zlib1g-dev openssl sqlite3 time)
missing=()
for p in "${packages[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
done
if ((${#missing[@]})); then
    echo "installing: ${missing[*]}" >&2
    if [ "$(id -u)" -eq 0 ]; then sudo=""; else sudo="sudo"; fi
    $sudo apt-get update -qq
    DEBIAN_FRONTEND=noninteractive $sudo apt-get install -y -qq "${missing[@]}" >/dev/null
fi
command -v swift >/dev/null || { echo "error: swift is not installed (Swift 6.1 or newer is needed)" >&2; exit 1; }
