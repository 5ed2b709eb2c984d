/* scan_floor: the least any export of the registry can cost — stepping every row of `events`
 * with the SQLite C API, in the batches and with the SQL our source runs, reading every column's
 * value (type, then integer, double, or text/blob pointer and length) and writing nothing.
 *
 *   scan_floor DB [BATCH_SIZE]
 *
 * Prints the row count and a checksum of what it read (so no read can be optimized away). */
#include <sqlite3.h>
#include <stdio.h>
#include <stdlib.h>

static const char *select_sql =
    "SELECT \"id\", \"token_id\", \"file_id\", \"recipient_id\", \"issuer_id\", \"kind\", \"source_ip\", "
    "\"user_agent\", \"extra\", \"timestamp\", \"qualified_timestamp\", \"tlog_index\" FROM \"events\" "
    "WHERE \"id\" > ?1 AND \"id\" <= ?2 ORDER BY \"id\" LIMIT ?4";

static void die(const char *what, sqlite3 *db) {
    fprintf(stderr, "scan_floor: %s: %s\n", what, db ? sqlite3_errmsg(db) : "usage: scan_floor DB [BATCH_SIZE]");
    exit(2);
}

int main(int argc, char **argv) {
    if (argc < 2 || argc > 3) die("usage", NULL);
    int batch = argc == 3 ? atoi(argv[2]) : 1000;
    sqlite3 *db;
    char *uri = sqlite3_mprintf("file:%s?mode=ro", argv[1]);
    if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        die("open", db);
    sqlite3_free(uri);
    if (sqlite3_exec(db, "PRAGMA query_only = 1", NULL, NULL, NULL) != SQLITE_OK) die("PRAGMA", db);
    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT max(\"id\") FROM \"events\"", -1, &st, NULL) != SQLITE_OK) die("max", db);
    if (sqlite3_step(st) != SQLITE_ROW) die("max", db);
    sqlite3_int64 highest = sqlite3_column_int64(st, 0), last = 0;
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, select_sql, -1, &st, NULL) != SQLITE_OK) die("prepare", db);

    unsigned long long rows = 0, checksum = 0;
    for (;;) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, last);
        sqlite3_bind_int64(st, 2, highest);
        sqlite3_bind_int64(st, 4, batch);
        int in_batch = 0, status;
        while ((status = sqlite3_step(st)) == SQLITE_ROW) {
            in_batch++;
            last = sqlite3_column_int64(st, 0);
            int columns = sqlite3_column_count(st);
            for (int c = 1; c < columns; c++) {
                switch (sqlite3_column_type(st, c)) {
                case SQLITE_INTEGER: checksum += (unsigned long long)sqlite3_column_int64(st, c); break;
                case SQLITE_FLOAT: checksum += (unsigned long long)sqlite3_column_double(st, c); break;
                case SQLITE_TEXT: {
                    const unsigned char *text = sqlite3_column_text(st, c);
                    int n = sqlite3_column_bytes(st, c);
                    checksum += (unsigned long long)n + (n ? text[n - 1] : 0);
                    break;
                }
                case SQLITE_BLOB: checksum += (unsigned long long)sqlite3_column_bytes(st, c); break;
                }
            }
        }
        if (status != SQLITE_DONE) die("step", db);
        rows += (unsigned long long)in_batch;
        if (in_batch == 0) break;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    printf("%llu rows, checksum %llu\n", rows, checksum);
    return 0;
}
