#!/usr/bin/python3
"""A loopback JSON collector for `siem-export export --output http://…`: answers 200 to every
POST and appends the number of records of each JSON-array body to COUNT_FILE.

    http-receiver.py PORT COUNT_FILE
"""

import http.server
import json
import sys

port, count_file = int(sys.argv[1]), sys.argv[2]


class Collector(http.server.BaseHTTPRequestHandler):
    def do_POST(self):
        body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
        records = json.loads(body)
        with open(count_file, "a") as counts:
            counts.write(f"{len(records)}\n")
        self.send_response(200)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *args):
        pass


http.server.HTTPServer(("127.0.0.1", port), Collector).serve_forever()
