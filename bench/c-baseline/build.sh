#!/usr/bin/env bash
# Builds the benchmark's C programs with the system compiler into DIR (default: .build/c-baseline):
# ecs_baseline (the same ECS bytes as `siem-export export --format ecs`) and scan_floor.
#   bash bench/c-baseline/build.sh [DIR]
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
out="${1:-$here/../../.build/c-baseline}"
mkdir -p "$out"
cc="${CC:-$(command -v cc || command -v clang || echo cc)}"
flags=(-O2 -std=gnu11 -Wall -Wextra -Werror)
"$cc" "${flags[@]}" -o "$out/ecs_baseline" "$here/ecs_baseline.c" "$here/text.c" "$here/canonical_json.c" -lsqlite3 -lm
"$cc" "${flags[@]}" -o "$out/scan_floor" "$here/scan_floor.c" -lsqlite3
