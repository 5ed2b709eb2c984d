#!/usr/bin/env bash
# Rewrites the `siem-export plugins` listing in docs/CONFIG.md from the built binary, so the
# reference stays true to the code (a test fails when they differ).
set -euo pipefail
cd "$(dirname "$0")/.."
swift build --product siem-export >/dev/null
listing="$(.build/debug/siem-export plugins)"
python3 - "$listing" <<'PY'
import sys, re
listing = sys.argv[1] + "\n"
path = "docs/CONFIG.md"
text = open(path, encoding="utf-8").read()
marker = "The output of `siem-export plugins` for this build:\n\n```\n"
start = text.index(marker) + len(marker)
end = text.index("```\n", start)
open(path, "w", encoding="utf-8").write(text[:start] + listing + text[end:])
PY
echo "docs/CONFIG.md updated"
