#!/usr/bin/python3
"""Evaluates every query of the Grafana dashboard on a Prometheus that scrapes a running
exporter: each panel expression must parse and return at least one series, and each template
variable's label_values() must find its label.

    dashboard-queries.py DASHBOARD_JSON PROMETHEUS_URL [TIMEOUT_S]

Grafana's variables get the values Grafana would give them with "All" selected; the rate
window is 10 s for a 1 s scrape interval. Retries until TIMEOUT_S (default 60) so that rate()
has its two samples, but not after an error (a parse error stays one); prints every query that
still fails, and exits 1.
"""

import json
import re
import sys
import time
import urllib.parse
import urllib.request

dashboard_path, prometheus = sys.argv[1], sys.argv[2].rstrip("/")
timeout = float(sys.argv[3]) if len(sys.argv) > 3 else 60
with open(dashboard_path, encoding="utf-8") as file:
    dashboard = json.load(file)
values = {"__rate_interval": "10s", "__range": "1m", "__interval": "1s"}
for variable in dashboard["templating"]["list"]:
    if variable["type"] == "query":
        values[variable["name"]] = ".*"


def substitute(text):
    def value(match):
        name = match.group(1) or match.group(2)
        if name not in values:
            raise KeyError(f"unknown dashboard variable ${name}")
        return values[name]

    return re.sub(r"\$\{(\w+)\}|\$(\w+)", value, text)


def api(path, params):
    url = f"{prometheus}/api/v1/{path}?{urllib.parse.urlencode(params, doseq=True)}"
    try:
        with urllib.request.urlopen(url, timeout=10) as answer:
            return json.load(answer)
    except urllib.error.HTTPError as error:
        return json.load(error)


checks = []
for panel in dashboard["panels"]:
    for target in panel.get("targets", []):
        checks.append((f"panel '{panel['title']}' {target['refId']}", "expr", substitute(target["expr"])))
for variable in dashboard["templating"]["list"]:
    if variable["type"] == "query":
        query = variable["query"]["query"] if isinstance(variable["query"], dict) else variable["query"]
        match = re.fullmatch(r"label_values\((.+),\s*(\w+)\)", query.strip())
        if not match:
            sys.exit(f"variable ${variable['name']}: cannot read {query!r}")
        checks.append((f"variable ${variable['name']}", "label", (substitute(match.group(1)), match.group(2))))


def failures():
    """Queries that fail, and whether waiting could help (an empty answer) or not (an error)."""
    failed, final = [], False
    for name, kind, query in checks:
        if kind == "expr":
            answer = api("query", {"query": query})
            if answer.get("status") != "success":
                failed.append(f"{name}: {answer.get('error')} in {query}")
                final = True
            elif not answer["data"]["result"]:
                failed.append(f"{name}: no series for {query}")
        else:
            selector, label = query
            answer = api("series", {"match[]": selector})
            if answer.get("status") != "success":
                failed.append(f"{name}: {answer.get('error')} in {selector}")
                final = True
            elif not any(label in series for series in answer["data"]):
                failed.append(f"{name}: no series of {selector} has the label {label}")
    return failed, final


deadline = time.time() + timeout
while True:
    failed, final = failures()
    if not failed:
        print(f"dashboard: {len(checks)} queries answered by Prometheus")
        sys.exit(0)
    if final or time.time() > deadline:
        print("\n".join(failed), file=sys.stderr)
        sys.exit(1)
    time.sleep(1)
