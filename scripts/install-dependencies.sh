#!/usr/bin/env bash
# Installs the Debian packages SIEMExport builds, tests and demos with, when they are missing.
# Runs apt-get as root, or through sudo. Swift itself (6.1 or newer) must already be installed.
set -euo pipefail

packages=(libsqlite3-dev libssl-dev libcurl4-openssl-dev zlib1g-dev libdeflate-dev librdkafka-dev libpq-dev openssl sqlite3
    time python3 python3-pip rsyslog postgresql-15)
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
# The tests read CEF, OTLP and OCSF output back with independent parsers from PyPI: pycef,
# OpenTelemetry's own protobuf definitions with protobuf's strict JSON parser, and the OCSF 1.8.0
# schema (bundled by ocsf-json-schema) checked by jsonschema (scripts/validate-ocsf.py); every sample
# config read by PyYAML and checked against `siem-export config-schema` by jsonschema
# (scripts/validate-config-schema.py); and what the Kafka tests produce, read back with
# kafka-python, a pure-Python client (scripts/kafka-consume.py).
if ! python3 -c "import pycef, opentelemetry.proto.collector.logs.v1.logs_service_pb2, ocsf_json_schema, jsonschema, yaml, kafka" \
    2>/dev/null; then
    echo "installing: pycef opentelemetry-proto ocsf-json-schema jsonschema pyyaml kafka-python (PyPI)" >&2
    python_packages=(pycef==1.11 opentelemetry-proto==1.45.2 ocsf-json-schema==1.2.0 jsonschema==4.26.0 pyyaml==6.0.3
        kafka-python==3.0.12)
    python3 -m pip install --quiet --disable-pip-version-check --root-user-action=ignore "${python_packages[@]}" 2>/dev/null \
        || python3 -m pip install --quiet --break-system-packages "${python_packages[@]}"
fi
command -v swift >/dev/null || { echo "error: swift is not installed (Swift 6.1 or newer is needed)" >&2; exit 1; }
