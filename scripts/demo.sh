#!/usr/bin/env bash
# The 30-second tour: install what is missing, build in release mode, write the bundled demo
# registry and export it to Splunk HEC, ECS and Sentinel JSON lines with config/demo.yaml.
set -euo pipefail
cd "$(dirname "$0")/.."

bash scripts/install-dependencies.sh
swift build -c release --product siem-export
bin=".build/release/siem-export"

rm -rf demo
"$bin" demo-registry demo/registry.sqlite --rows 2000
mkdir -p demo/out
"$bin" validate --config config/demo.yaml
"$bin" run --config config/demo.yaml
echo
echo "first Splunk HEC line (demo/out/splunk-hec.jsonl):"
head -n 1 demo/out/splunk-hec.jsonl
