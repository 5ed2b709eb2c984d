#!/usr/bin/env python3
"""Checks ECS documents (one JSON object per line on stdin) against Elastic's published field
definitions, vendored from elastic/ecs `generated/ecs/ecs_flat.yml` by scripts/vendor-ecs-fields.py.

Usage: check-ecs-fields.py FIELDS.json [FIELDS.json …] < documents.jsonl

Every field of every document must be defined in each given ECS version with a value of its type
(keyword/match_only_text: string; long: integer; ip: an IPv4/IPv6 literal; date: RFC 3339;
`labels`: an object of strings), an array exactly where ECS normalizes the field to one, a value
ECS allows where it lists allowed values, and `event.type` values that ECS lists as expected for
the document's `event.category` (and never `event.kind: signal`). The custom namespace `oversight` is ours and is not checked.
Prints {"documents", "fields", "problems": [...]} and exits 1 when there is a problem.
"""
import datetime
import ipaddress
import json
import re
import sys

CUSTOM = {"oversight"}
STRING_TYPES = {"keyword", "constant_keyword", "wildcard", "match_only_text", "text"}
RFC3339 = re.compile(r"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d{1,9})?(Z|[+-]\d{2}:\d{2})$")


def reject_constant(name):
    raise ValueError("not JSON: " + name)


def value_problem(definition, value):
    kind = definition["type"]
    if kind in STRING_TYPES:
        return None if isinstance(value, str) else "a %s needs a string" % kind
    if kind == "long":
        if isinstance(value, bool) or not isinstance(value, int):
            return "a long needs an integer"
        return None if -2**63 <= value < 2**63 else "out of long range"
    if kind == "ip":
        if not isinstance(value, str):
            return "an ip needs a string"
        try:
            ipaddress.ip_address(value)
        except ValueError:
            return "not an IP address: %r" % value
        return None
    if kind == "date":
        if not isinstance(value, str) or not RFC3339.match(value):
            return "not an RFC 3339 date: %r" % (value,)
        try:  # the calendar too: month 13 or 30 February match the pattern
            datetime.datetime.fromisoformat(value[:19])
        except ValueError:
            return "not a calendar date: %r" % value
        return None
    return "type %s not handled by this checker" % kind


def check(document, versions):
    problems = []
    fields = 0

    def walk(path, value):
        nonlocal fields
        if path in CUSTOM:
            return
        definitions = [v["fields"].get(path) for v in versions]
        if all(d is None for d in definitions):
            if isinstance(value, dict):
                for key, member in value.items():
                    walk(path + "." + key if path else key, member)
                return
            problems.append("%s: not an ECS field" % path)
            return
        fields += 1
        for version, definition in zip(versions, definitions):
            where = "%s (ECS %s)" % (path, version["ecs_version"])
            if definition is None:
                problems.append("%s: not defined" % where)
                continue
            if definition["type"] == "object":
                if not isinstance(value, dict):
                    problems.append("%s: an object field needs an object" % where)
                elif definition.get("object_type") == "keyword":
                    for key, member in value.items():
                        if not isinstance(member, str):
                            problems.append("%s.%s: %s values must be strings" % (where, key, path))
                continue
            is_array = "array" in definition["normalize"]
            if isinstance(value, list) != is_array:
                problems.append("%s: %s" % (where, "must be an array" if is_array else "must not be an array"))
                continue
            for item in value if is_array else [value]:
                problem = value_problem(definition, item)
                if problem:
                    problems.append("%s: %s" % (where, problem))
                allowed = definition.get("allowed_values")
                if allowed is not None and item not in allowed:
                    problems.append("%s: %r is not an allowed value" % (where, item))

    walk("", document)
    event = document.get("event", {})
    for version in versions:
        expected = version["fields"]["event.category"]["expected_event_types"]
        for category in event.get("category", []):
            for event_type in event.get("type", []):
                if event_type not in expected.get(category, []):
                    problems.append("event.type %r is not expected with event.category %r (ECS %s)"
                                    % (event_type, category, version["ecs_version"]))
    # Allowed, but reserved for Elastic Security's own alerts: "data ingestion pipelines must not
    # populate event.kind with the value signal" (ecs_flat.yml, event.kind).
    if event.get("kind") == "signal":
        problems.append("event.kind 'signal' is for the Elastic Security app only")
    for required in ("@timestamp", "ecs", "event"):
        if required not in document:
            problems.append("%s missing" % required)
    return fields, problems


def main():
    versions = [json.load(open(path)) for path in sys.argv[1:]]
    documents = 0
    fields = 0
    problems = []
    for number, line in enumerate(sys.stdin, 1):
        if not line.strip():
            continue
        documents += 1
        try:
            document = json.loads(line, parse_constant=reject_constant)
        except ValueError as error:
            problems.append("document %d: %s" % (number, error))
            continue
        if not isinstance(document, dict):
            problems.append("document %d: not an object" % number)
            continue
        checked, found = check(document, versions)
        fields += checked
        problems += ["document %d: %s" % (number, p) for p in found]
    print(json.dumps({"documents": documents, "fields": fields, "problems": problems}))
    sys.exit(1 if problems else 0)


if __name__ == "__main__":
    main()
