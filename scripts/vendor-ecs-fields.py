#!/usr/bin/env python3
"""Extracts the ECS field definitions our `ecs` formatter can write from Elastic's published
`generated/ecs/ecs_flat.yml` into a small JSON file under Tests/Fixtures/ecs/, which
ECSFieldDefinitionTests checks every emitted field against.

Usage: git -C <elastic/ecs clone> show v8.11.0:generated/ecs/ecs_flat.yml \
         | scripts/vendor-ecs-fields.py 8.11.0 > Tests/Fixtures/ecs/ecs-8.11.0-fields.json

Kept: every field of the field sets below, except reused sets nested inside them (geo, as,
user.target, source.user, …), with its type, normalization, and for the categorization fields
the allowed values (and, for event.category, the expected event.type values of each).
"""
import json
import sys

import yaml

FIELD_SETS = {"base", "ecs", "event", "source", "destination", "user", "organization", "related", "user_agent"}
NESTED = (".geo.", ".as.", ".user.", "user.target.", "user.effective.", "user.changes.", "user.group.",
          "user.risk.", "user.entity.", "user.original_", "user_agent.os.", "user_agent.device.", "source.nat.", "destination.nat.")


def main():
    version = sys.argv[1]
    flat = yaml.safe_load(sys.stdin)
    fields = {}
    for name, definition in sorted(flat.items()):
        if definition.get("flat_name", name) != name:
            continue
        field_set = name.split(".")[0] if "." in name else "base"
        if field_set not in FIELD_SETS or any(part in name for part in NESTED):
            continue
        entry = {"type": definition["type"], "normalize": definition.get("normalize", [])}
        if "object_type" in definition:
            entry["object_type"] = definition["object_type"]
        allowed = definition.get("allowed_values")
        if allowed:
            entry["allowed_values"] = [value["name"] for value in allowed]
            expected = {value["name"]: value["expected_event_types"] for value in allowed
                        if "expected_event_types" in value}
            if expected:
                entry["expected_event_types"] = expected
        fields[name] = entry
    json.dump({"ecs_version": version, "source": "elastic/ecs generated/ecs/ecs_flat.yml, tag v" + version,
               "fields": fields}, sys.stdout, indent=1, sort_keys=True)
    sys.stdout.write("\n")


if __name__ == "__main__":
    main()
