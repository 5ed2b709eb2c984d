#!/usr/bin/env python3
"""Validates YAML configs against the JSON Schema `siem-export config-schema` prints, with an
independent validator (jsonschema, draft 2020-12) and an independent YAML reader (PyYAML), so the
schema is checked by code that is not ours. Usage: validate-config-schema.py SCHEMA CONFIG...
Prints one line per problem, `CONFIG: PATH: MESSAGE`, and exits 1 if there was any."""
import json
import sys

import jsonschema
import yaml


def main(schema_path, configs):
    with open(schema_path, encoding="utf-8") as f:
        schema = json.load(f)
    jsonschema.Draft202012Validator.check_schema(schema)
    validator = jsonschema.Draft202012Validator(schema)
    problems = 0
    for config in configs:
        with open(config, encoding="utf-8") as f:
            document = yaml.safe_load(f)
        for error in sorted(validator.iter_errors(document), key=lambda e: list(map(str, e.absolute_path))):
            path = "".join(f"[{p}]" if isinstance(p, int) else f".{p}" for p in error.absolute_path).lstrip(".")
            print(f"{config}: {path or '(top level)'}: {error.message}")
            problems += 1
    return 1 if problems else 0


if __name__ == "__main__":
    if len(sys.argv) < 3:
        sys.exit(__doc__)
    sys.exit(main(sys.argv[1], sys.argv[2:]))
