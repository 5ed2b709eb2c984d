#!/usr/bin/env python3
"""Check CEF lines against the ArcSight CEF extension dictionary.

Usage: check-cef.py FILE...   (each FILE holds one CEF line per line)

Independent of SIEMExport's own code: the line is split and unescaped here by the standard's
rules, and every extension key and value is checked against the dictionary below, transcribed
from OpenText's "CEF Implementation Standard" (document version 27, SmartConnectors 25.1),
Chapter 2 "ArcSight Extension Dictionary" (producer keys), and the header table of Chapter 1:

- the header: `CEF:0`, Device Vendor and Device Product at most 63 bytes, Device Version 31,
  Signature ID 1023, Name 512, Severity 0-10 or Unknown, Low, Medium, High, Very-High;
- every key is a producer key of the dictionary (a consumer key "must not be set by event
  producers"; a key the dictionary lacks is a mistake), and none appears twice;
- values by type: `ipv4_address` (src, dst, dvc, ...: "The format is an IPv4 address") parsed
  by Python's `ipaddress` as IPv4, `ipv6_address` (c6a1-c6a4) as IPv6, integers and longs in
  their range, ports 0-65535, timestamps as milliseconds since the epoch or one of the
  standard's date formats, MAC addresses, and strings within their length in UTF-8 bytes;
- every custom field (csN, cnN, cfpN, c6aN, deviceCustomDateN, flex*) has its label, and every
  label its field ("All custom fields have a corresponding label field");
- escapes: in the header only `\\|` and `\\\\`, in the extension only `\\=`, `\\\\`, `\\n`, `\\r`.

`c6a2` (Source IPv6 Address) is missing from the dictionary table of the standard but named by
its Special Mappings, "IPv6 Format": "source address, then use c6a2 ... destination address,
then use c6a3"; it is added here with its label.

Prints one JSON line {"lines": N, "failures": F} and exits 0, or prints each problem as
"FILE:LINE: message" on stderr and exits 1. Needs only Python 3.
"""

import ipaddress
import json
import re
import sys

S = "string"
IPV4, IPV6, IP = "ipv4_address", "ipv6_address", "ip_address"
INT, LONG, DOUBLE, PORT, TIME, MAC = "integer", "long", "double", "port", "timestamp", "mac_address"

# Producer keys: key -> (type, maximum length in bytes for strings).
DICTIONARY = {
    "act": (S, 63), "app": (S, 31), "cat": (S, 1023), "cnt": (INT, None),
    "destinationDnsDomain": (S, 255), "destinationServiceName": (S, 1023),
    "destinationTranslatedAddress": (IPV4, None), "destinationTranslatedPort": (PORT, None),
    "deviceDirection": (INT, None), "deviceDnsDomain": (S, 255), "deviceExternalId": (S, 255),
    "deviceFacility": (S, 1023), "deviceInboundInterface": (S, 128), "deviceNtDomain": (S, 255),
    "deviceOutboundInterface": (S, 128), "devicePayloadId": (S, 128), "deviceProcessName": (S, 1023),
    "deviceTranslatedAddress": (IPV4, None), "dhost": (S, 1023), "dmac": (MAC, None), "dntdom": (S, 255),
    "dpid": (INT, None), "dpriv": (S, 1023), "dproc": (S, 1023), "dpt": (PORT, None), "dst": (IPV4, None),
    "dtz": (S, 255), "duid": (S, 1023), "duser": (S, 1023), "dvc": (IPV4, None), "dvchost": (S, 100),
    "dvcpid": (INT, None), "end": (TIME, None), "externalId": (S, 40), "fileCreateTime": (TIME, None),
    "fileHash": (S, 255), "fileId": (S, 1023), "fileModificationTime": (TIME, None), "filePath": (S, 1023),
    "filePermission": (S, 1023), "fileType": (S, 1023), "fname": (S, 1023), "fsize": (INT, None),
    "in": (INT, None), "msg": (S, 1023), "oldFileCreateTime": (TIME, None), "oldFileHash": (S, 255),
    "oldFileId": (S, 1023), "oldFileModificationTime": (TIME, None), "oldFileName": (S, 1023),
    "oldFilePath": (S, 1023), "oldFilePermission": (S, 1023), "oldFileSize": (INT, None),
    "oldFileType": (S, 1023), "out": (INT, None), "outcome": (S, 63), "proto": (S, 31), "reason": (S, 1023),
    "request": (S, 1023), "requestClientApplication": (S, 1023), "requestContext": (S, 2048),
    "requestCookies": (S, 1023), "requestMethod": (S, 1023), "rt": (TIME, None), "shost": (S, 1023),
    "smac": (MAC, None), "sntdom": (S, 255), "sourceDnsDomain": (S, 255), "sourceServiceName": (S, 1023),
    "sourceTranslatedAddress": (IPV4, None), "sourceTranslatedPort": (PORT, None), "spid": (INT, None),
    "spriv": (S, 1023), "sproc": (S, 1023), "spt": (PORT, None), "src": (IPV4, None), "start": (TIME, None),
    "suid": (S, 1023), "suser": (S, 1023), "type": (INT, None),
    "flexDate1": (TIME, None), "flexDate1Label": (S, 128), "flexString1": (S, 1023),
    "flexString1Label": (S, 128), "flexString2": (S, 1023), "flexString2Label": (S, 128),
}
for n in range(1, 7):
    DICTIONARY[f"cs{n}"] = (S, 4000)
for n in range(1, 4):
    DICTIONARY[f"cn{n}"] = (LONG, None)
for n in range(1, 5):
    DICTIONARY[f"cfp{n}"] = (DOUBLE, None)
    DICTIONARY[f"c6a{n}"] = (IPV6, None)
for n in range(1, 3):
    DICTIONARY[f"deviceCustomDate{n}"] = (TIME, None)
CUSTOM = [k for k in DICTIONARY if re.fullmatch(r"(cs|cn|cfp|c6a|deviceCustomDate)\d|flex(String|Date)\d", k)]
for key in CUSTOM:
    DICTIONARY.setdefault(key + "Label", (S, 1023))

# Set by ArcSight after ingestion: "must not be set by event producers".
CONSUMER = {
    "agentDnsDomain", "agentNtDomain", "agentTranslatedAddress", "agentTranslatedZoneExternalID",
    "agentTranslatedZoneURI", "agentZoneExternalID", "agentZoneURI", "agt", "ahost", "aid", "amac", "art",
    "at", "atz", "av", "customerExternalID", "customerURI", "destinationTranslatedZoneExternalID",
    "destinationTranslatedZoneURI", "destinationZoneExternalID", "destinationZoneURI",
    "deviceTranslatedZoneExternalID", "deviceTranslatedZoneURI", "deviceZoneExternalID", "deviceZoneURI",
    "dlat", "dlong", "eventId", "rawEvent", "slat", "slong", "sourceTranslatedZoneExternalID",
    "sourceTranslatedZoneURI", "sourceZoneExternalID", "sourceZoneURI",
}

HEADER = [("Device Vendor", 63), ("Device Product", 63), ("Device Version", 31), ("Signature ID", 1023),
          ("Name", 512)]
SEVERITY_WORDS = {"Unknown", "Low", "Medium", "High", "Very-High"}
MONTH = r"(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)"
DATE_FORMATS = re.compile(MONTH + r" \d\d( \d{4})? \d\d:\d\d:\d\d(\.\d{3})?( [A-Za-z][A-Za-z0-9/+_-]*)?")
EXTENSION_ESCAPES = {"\\": "\\", "=": "=", "n": "\n", "r": "\r"}


def split_header(line):
    """The seven header fields (unescaped) and the raw extension, or raises ValueError."""
    fields, current, i = [], [], 0
    while len(fields) < 7:
        if i >= len(line):
            raise ValueError(f"the header has {len(fields)} of 7 fields")
        c = line[i]
        if c == "\\":
            if i + 1 >= len(line) or line[i + 1] not in "|\\":
                raise ValueError(f"header field {len(fields) + 1}: a backslash escapes only | and \\")
            current.append(line[i + 1])
            i += 2
            continue
        if c == "|":
            fields.append("".join(current))
            current = []
        else:
            current.append(c)
        i += 1
    return fields, line[i:]


def split_extension(text):
    """(key, raw value) pairs: a key is the word before an unescaped `=`, its value runs to the
    space before the next key."""
    equals = []
    i = 0
    while i < len(text):
        if text[i] == "\\":
            i += 2
            continue
        if text[i] == "=":
            equals.append(i)
        i += 1
    pairs, start = [], 0
    for n, at in enumerate(equals):
        key_start = text.rfind(" ", start, at) + 1 if n else 0
        key = text[key_start:at]
        if n:
            pairs[-1][1] = text[start:key_start - 1]
        pairs.append([key, None])
        start = at + 1
    if pairs:
        pairs[-1][1] = text[start:]
    elif text.strip():
        raise ValueError("the extension has text but no key=value")
    return pairs


def unescape(value):
    out, i = [], 0
    while i < len(value):
        if value[i] == "\\":
            if i + 1 >= len(value) or value[i + 1] not in EXTENSION_ESCAPES:
                raise ValueError(f"invalid escape {value[i:i + 2]!r}")
            out.append(EXTENSION_ESCAPES[value[i + 1]])
            i += 2
        else:
            out.append(value[i])
            i += 1
    return "".join(out)


def type_problem(key, kind, length, value):
    if kind == S:
        size = len(value.encode("utf-8"))
        return f"{key} is {size} bytes, more than its {length}" if size > length else None
    if kind in (IPV4, IPV6, IP):
        try:
            address = ipaddress.ip_address(value)
        except ValueError:
            return f"{key} {value!r} is not an IP address"
        if kind == IPV4 and address.version != 4:
            return f"{key} {value!r} is not an IPv4 address (the standard: 'The format is an IPv4 address')"
        if kind == IPV6 and address.version != 6:
            return f"{key} {value!r} is not an IPv6 address"
        return None
    if kind in (INT, LONG, PORT):
        if not re.fullmatch(r"-?\d+", value):
            return f"{key} {value!r} is not an integer"
        number = int(value)
        low, high = {INT: (-2**31, 2**31 - 1), LONG: (-2**63, 2**63 - 1), PORT: (0, 65535)}[kind]
        return None if low <= number <= high else f"{key} {number} is outside {low}..{high}"
    if kind == DOUBLE:
        try:
            float(value)
            return None
        except ValueError:
            return f"{key} {value!r} is not a number"
    if kind == TIME:
        if re.fullmatch(r"-?\d+", value) and -2**63 <= int(value) < 2**63:
            return None
        return None if DATE_FORMATS.fullmatch(value) else f"{key} {value!r} is not a CEF timestamp"
    if kind == MAC:
        ok = re.fullmatch(r"[0-9A-Fa-f]{2}(:[0-9A-Fa-f]{2}){5}", value)
        return None if ok else f"{key} {value!r} is not a MAC address"
    return f"{key}: unknown type {kind}"


def problems(line):
    if not line.startswith("CEF:0|"):
        return ["does not start with CEF:0|"]
    if "\n" in line or "\r" in line:
        return ["a raw line break inside the line"]
    try:
        header, extension = split_header(line)
    except ValueError as error:
        return [str(error)]
    found = []
    for (name, limit), value in zip(HEADER, header[1:6]):
        if not value and name != "Device Version":
            found.append(f"header {name} is empty")
        if len(value.encode("utf-8")) > limit:
            found.append(f"header {name} is {len(value.encode('utf-8'))} bytes, more than its {limit}")
    severity = header[6]
    if severity not in SEVERITY_WORDS and not (severity.isdigit() and 0 <= int(severity) <= 10):
        found.append(f"header Severity {severity!r} is not 0-10 or one of {sorted(SEVERITY_WORDS)}")
    try:
        pairs = split_extension(extension)
    except ValueError as error:
        return found + [str(error)]
    seen = {}
    for key, raw in pairs:
        if key in seen:
            found.append(f"{key} appears twice")
            continue
        if key in CONSUMER:
            found.append(f"{key} is a consumer key, which event producers must not set")
            continue
        if key not in DICTIONARY:
            found.append(f"{key!r} is not a key of the CEF extension dictionary")
            continue
        try:
            seen[key] = unescape(raw)
        except ValueError as error:
            found.append(f"{key}: {error}")
            continue
        if seen[key] == "":
            found.append(f"{key} is empty (leave an empty field out)")
            continue
        kind, length = DICTIONARY[key]
        problem = type_problem(key, kind, length, seen[key])
        if problem:
            found.append(problem)
    for key in CUSTOM:
        if key in seen and key + "Label" not in seen:
            found.append(f"{key} has no {key}Label")
        if key + "Label" in seen and key not in seen:
            found.append(f"{key}Label labels no {key}")
    return found


def main(paths):
    lines, failures = 0, 0
    for path in paths:
        with open(path, encoding="utf-8", newline="\n") as handle:
            for number, line in enumerate(handle, 1):
                line = line[:-1] if line.endswith("\n") else line
                if not line:
                    continue
                lines += 1
                found = problems(line)
                for problem in found:
                    print(f"{path}:{number}: {problem}", file=sys.stderr)
                failures += bool(found)
    print(json.dumps({"lines": lines, "failures": failures}))
    return 1 if failures or not lines else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
