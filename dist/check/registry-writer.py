#!/usr/bin/python3
"""Stands in for the live registry: keeps its SQLite database open in WAL mode, as the registry
does (so its -wal and -shm files exist), and appends rows on request.

    registry-writer.py DB CONTROL_DIR

Appends N rows whenever CONTROL_DIR/insert holds N (then removes the file, writing
CONTROL_DIR/inserted); closes the database and exits once CONTROL_DIR/stop exists, which
removes -wal and -shm as a stopped registry does.
"""

import os
import sqlite3
import sys
import time

database, control = sys.argv[1], sys.argv[2]
connection = sqlite3.connect(database, isolation_level=None)
connection.execute("PRAGMA journal_mode=WAL")
connection.execute("BEGIN IMMEDIATE")
connection.execute("COMMIT")
open(os.path.join(control, "ready"), "w").close()
request = os.path.join(control, "insert")
while not os.path.exists(os.path.join(control, "stop")):
    if os.path.exists(request):
        with open(request) as count:
            rows = int(count.read())
        now = int(time.time())
        connection.execute("BEGIN IMMEDIATE")
        for row in range(rows):
            connection.execute(
                "INSERT INTO events (token_id, kind, timestamp, source_ip, user_agent) VALUES (?, 'dns', ?, ?, ?)",
                (f"tok_live_{now}_{row}", now, "192.0.2.7", "check-dist"),
            )
        connection.execute("COMMIT")
        os.remove(request)
        open(os.path.join(control, "inserted"), "w").close()
    time.sleep(0.05)
connection.close()
