#!/usr/bin/env bash
# The whole test suite: unit, golden-file and end-to-end CLI tests (Swift Testing).
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-dependencies.sh
# The CLI tests run the built `siem-export` binary, so build it with the tests.
swift build --build-tests
swift test --skip-build
