/* ecs_baseline: what `siem-export export --format ecs --order id` does, as a plain C program.
 *
 *   ecs_baseline DB REGISTRY_ID OUTPUT [BATCH_SIZE]      (OUTPUT "-" is standard output)
 *
 * It reads the registry's `events` table with the SQL our source runs (Sources/Inputs/SQLite/
 * SQLiteTableSource.swift: keyset batches of 1,000 on `id`, read-only) and writes, for every row,
 * exactly the bytes of our ECS formatter (Sources/Formatters/ECS/ECSFormatter.swift) for the event
 * our beacon mapper makes of it (Sources/Inputs/Beacon/OversightBeaconMapper.swift): NULL and
 * empty text omitted, invalid UTF-8 repaired to U+FFFD, strings escaped as RecordWriter does,
 * `extra` canonicalized, `{"raw":…}` for what is not a JSON object. bench/run.sh checks the
 * bytes with cmp against the real export, so the C program cannot drift silently; its CPU time
 * is the "× C baseline" the benchmark reports.
 *
 * Rows that cannot become an event (empty kind, a timestamp that is not a number or outside
 * years 0000–9999) are skipped and counted, as the export dead-letters them; the exit status is
 * then 65, as the export's. A REAL in a text column is refused (exit 3): our text for a double is
 * Swift's shortest round-trip form, which this program does not reproduce. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <math.h>
#include <sqlite3.h>
#include <stdio.h>
#include <unistd.h>

#include "baseline.h"

enum { ID, TOKEN, FILE_ID, RECIPIENT, ISSUER, KIND, SOURCE_IP, USER_AGENT, EXTRA, TIMESTAMP, QUALIFIED, TLOG, COLUMNS };

static const char *select_sql =
    "SELECT \"id\", \"token_id\", \"file_id\", \"recipient_id\", \"issuer_id\", \"kind\", \"source_ip\", "
    "\"user_agent\", \"extra\", \"timestamp\", \"qualified_timestamp\", \"tlog_index\" FROM \"events\" "
    "WHERE \"id\" > ?1 AND \"id\" <= ?2 ORDER BY \"id\" LIMIT ?4";

typedef struct {
    const uint8_t *p;
    size_t n; /* 0: absent (NULL or empty text, which our events omit) */
} text_t;

static buf_t scratch[COLUMNS]; /* text made or repaired for one row, a buffer per column */

static inline int is_space(uint8_t c) { return c == ' ' || c == '\t' || c == '\n' || c == '\r'; }

static void die(const char *what, const char *detail) {
    fprintf(stderr, "ecs_baseline: %s%s%s\n", what, detail ? ": " : "", detail ? detail : "");
    exit(2);
}

/* A column as our mapper's text: numbers as their decimal text, blobs and text repaired to
 * valid UTF-8 (SQLValue.textValue, TextArena.append). */
static text_t column_text(sqlite3_stmt *st, int column, int64_t id) {
    text_t t = {NULL, 0};
    const uint8_t *p;
    size_t n;
    buf_t *b = &scratch[column];
    switch (sqlite3_column_type(st, column)) {
    case SQLITE_NULL: return t;
    case SQLITE_INTEGER:
        b->n = 0;
        buf_reserve(b, 24);
        b->n = (size_t)snprintf((char *)b->p, 24, "%lld", (long long)sqlite3_column_int64(st, column));
        t.p = b->p, t.n = b->n;
        return t;
    case SQLITE_FLOAT:
        fprintf(stderr, "ecs_baseline: row %lld, column %d: REAL in a text column is not reproduced\n", (long long)id,
                column);
        exit(3);
    case SQLITE_BLOB:
        p = sqlite3_column_blob(st, column);
        n = (size_t)sqlite3_column_bytes(st, column);
        break;
    default:
        p = sqlite3_column_text(st, column);
        n = (size_t)sqlite3_column_bytes(st, column);
    }
    if (n == 0 || !p) return t;
    if (utf8_valid(p, n)) {
        t.p = p, t.n = n;
        return t;
    }
    b->n = 0;
    utf8_repair(p, n, b);
    t.p = b->p, t.n = b->n;
    return t;
}

/* Swift's Int64(String): an optional sign, then decimal digits only, within range. */
static int parse_int64(const char *s, size_t n, int64_t *out) {
    size_t i = (n && (s[0] == '+' || s[0] == '-')) ? 1 : 0;
    if (i == n) return 0;
    for (size_t k = i; k < n; k++)
        if (s[k] < '0' || s[k] > '9') return 0;
    errno = 0;
    long long v = strtoll(s, NULL, 10);
    if (errno == ERANGE) return 0;
    *out = v;
    return 1;
}

static int from_double(double d, int64_t *out) {
    if (!isfinite(d) || d < -9.2e18 || d > 9.2e18) return 0;
    *out = (int64_t)floor(d);
    return 1;
}

/* OversightBeaconMapper.integer: 1 with a value, 0 for NULL (or blank text), -1 for what is not a
 * number. */
static int column_integer(sqlite3_stmt *st, int column, int64_t id, int64_t *out) {
    switch (sqlite3_column_type(st, column)) {
    case SQLITE_NULL: return 0;
    case SQLITE_INTEGER: *out = sqlite3_column_int64(st, column); return 1;
    case SQLITE_FLOAT: return from_double(sqlite3_column_double(st, column), out) ? 1 : -1;
    case SQLITE_BLOB: return -1;
    }
    text_t t = column_text(st, column, id);
    size_t start = 0, end = t.n;
    while (start < end && is_space(t.p[start])) start++;
    while (end > start && is_space(t.p[end - 1])) end--;
    if (start == end) return 0;
    char *s = strndup((const char *)t.p + start, end - start);
    char *stop;
    int ok = parse_int64(s, end - start, out);
    if (!ok) {
        double d = strtod(s, &stop);
        ok = *stop == 0 && from_double(d, out);
    }
    free(s);
    return ok ? 1 : -1;
}

static void put_decimal(buf_t *b, int64_t v) {
    uint8_t digits[24], *end = digits + sizeof digits, *p = end;
    uint64_t u = v < 0 ? 0 - (uint64_t)v : (uint64_t)v;
    do *--p = (uint8_t)('0' + u % 10);
    while (u /= 10);
    if (v < 0) *--p = '-';
    buf_put(b, p, (size_t)(end - p));
}

static void put_two(uint8_t *p, int64_t v) { p[0] = '0' + v / 10, p[1] = '0' + v % 10; }

/* YYYY-MM-DDThh:mm:ssZ (RFC3339.write; Howard Hinnant's civil_from_days). */
static void put_rfc3339(buf_t *b, int64_t seconds) {
    int64_t days = seconds / 86400, rem = seconds % 86400;
    if (rem < 0) rem += 86400, days -= 1;
    int64_t z = days + 719468, era = (z >= 0 ? z : z - 146096) / 146097, doe = z - era * 146097;
    int64_t yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365, doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    int64_t mp = (5 * doy + 2) / 153, day = doy - (153 * mp + 2) / 5 + 1, month = mp < 10 ? mp + 3 : mp - 9;
    int64_t year = yoe + era * 400 + (month <= 2);
    buf_reserve(b, 20);
    uint8_t *p = b->p + b->n;
    put_two(p, year / 100), put_two(p + 2, year % 100), p[4] = '-', put_two(p + 5, month), p[7] = '-';
    put_two(p + 8, day), p[10] = 'T', put_two(p + 11, rem / 3600), p[13] = ':', put_two(p + 14, rem % 3600 / 60);
    p[16] = ':', put_two(p + 17, rem % 60), p[19] = 'Z';
    b->n += 20;
}

/* IPAddressSyntax.isIPAddress: inet_pton, as IPv4 or IPv6, of text without a NUL. */
static int is_ip_address(text_t t) {
    if (t.n == 0 || t.n > 64 || memchr(t.p, 0, t.n)) return 0;
    char s[65];
    unsigned char address[16];
    memcpy(s, t.p, t.n);
    s[t.n] = 0;
    return inet_pton(AF_INET, s, address) == 1 || inet_pton(AF_INET6, s, address) == 1;
}

static int text_is(text_t t, const char *constant) { return t.n == strlen(constant) && !memcmp(t.p, constant, t.n); }

/* `,"name":"value"` (or without the comma for the first member), nothing for absent text. */
static inline void field(buf_t *b, int *first, const char *name, text_t t) {
    if (!t.n) return;
    if (!*first) buf_byte(b, ',');
    *first = 0;
    buf_byte(b, '"');
    buf_put(b, name, strlen(name));
    BUF_LIT(b, "\":");
    json_string(b, t.p, t.n);
}

static int is_blank(text_t t) {
    for (size_t i = 0; i < t.n; i++)
        if (!is_space(t.p[i])) return 0;
    return 1;
}

/* `,"extra":{…}` (OversightBeaconMapper.extra): the canonical object, `{"raw":<json>}` for JSON
 * that is not an object, `{"raw":"<text>"}` for text that is not JSON; nothing when absent. */
static void put_extra(buf_t *b, text_t t) {
    if (!t.n || is_blank(t)) return;
    size_t before = b->n;
    BUF_LIT(b, ",\"extra\":");
    size_t value = b->n;
    size_t i = 0;
    while (is_space(t.p[i])) i++;
    int wrapped = t.p[i] != '{' && t.p[i] != 'n';
    if (wrapped) BUF_LIT(b, "{\"raw\":");
    switch (json_canonicalize(t.p, t.n, b)) {
    case CANON_OBJECT: return;
    case CANON_OTHER: buf_byte(b, '}'); return;
    case CANON_EMPTY: b->n = before; return;
    case CANON_INVALID:
        b->n = value;
        BUF_LIT(b, "{\"raw\":");
        json_string(b, t.p, t.n);
        buf_byte(b, '}');
    }
}

/* One row's ECS document and its newline; 0 when the row cannot become an event. */
static int put_event(buf_t *b, sqlite3_stmt *st, const buf_t *registry_field) {
    int64_t id = sqlite3_column_int64(st, ID), timestamp, tlog = 0;
    text_t kind = column_text(st, KIND, id);
    if (!kind.n) return 0;
    if (column_integer(st, TIMESTAMP, id, &timestamp) != 1) return 0;
    if (timestamp < -62167219200LL || timestamp > 253402300799LL) return 0;
    int has_tlog = column_integer(st, TLOG, id, &tlog);
    if (has_tlog < 0) return 0;
    text_t token = column_text(st, TOKEN, id), file = column_text(st, FILE_ID, id);
    text_t recipient = column_text(st, RECIPIENT, id), issuer = column_text(st, ISSUER, id);
    text_t ip = column_text(st, SOURCE_IP, id), agent = column_text(st, USER_AGENT, id);
    text_t extra = column_text(st, EXTRA, id), qualified = column_text(st, QUALIFIED, id);

    BUF_LIT(b, "{\"@timestamp\":\"");
    put_rfc3339(b, timestamp);
    BUF_LIT(b, "\",\"ecs\":{\"version\":\"8.11.0\"},\"event\":{\"kind\":\"event\",\"category\":[\"network\"],"
               "\"type\":[\"access\",\"info\"],\"dataset\":\"oversight.beacon\",\"module\":\"oversight\","
               "\"provider\":\"oversight-registry\",\"action\":");
    if (text_is(kind, "dns")) BUF_LIT(b, "\"beacon-dns-callback\"");
    else if (text_is(kind, "http_img")) BUF_LIT(b, "\"beacon-http-pixel\"");
    else if (text_is(kind, "ocsp")) BUF_LIT(b, "\"beacon-ocsp-callback\"");
    else if (text_is(kind, "license")) BUF_LIT(b, "\"beacon-license-check\"");
    else {
        BUF_LIT(b, "\"beacon-");
        json_escape_contents(b, kind.p, kind.n);
        buf_byte(b, '"');
    }
    BUF_LIT(b, ",\"id\":\"");
    put_decimal(b, id);
    BUF_LIT(b, "\",\"outcome\":\"success\"}");
    if (ip.n) {
        BUF_LIT(b, ",\"source\":{\"address\":");
        json_string(b, ip.p, ip.n);
        if (is_ip_address(ip)) {
            BUF_LIT(b, ",\"ip\":");
            json_string(b, ip.p, ip.n);
        }
        buf_byte(b, '}');
    }
    if (agent.n) {
        BUF_LIT(b, ",\"user_agent\":{\"original\":");
        json_string(b, agent.p, agent.n);
        buf_byte(b, '}');
    }
    BUF_LIT(b, ",\"labels\":{");
    int first = 1;
    field(b, &first, "oversight_token_id", token);
    field(b, &first, "oversight_file_id", file);
    field(b, &first, "oversight_recipient_id", recipient);
    field(b, &first, "oversight_issuer_id", issuer);
    field(b, &first, "oversight_beacon_kind", kind);
    BUF_LIT(b, "},\"oversight\":{\"schema\":\"oversight-siem-1\"");
    buf_put(b, registry_field->p, registry_field->n);
    first = 0;
    field(b, &first, "token_id", token);
    field(b, &first, "file_id", file);
    field(b, &first, "recipient_id", recipient);
    field(b, &first, "issuer_id", issuer);
    field(b, &first, "beacon_kind", kind);
    if (has_tlog) {
        BUF_LIT(b, ",\"tlog_index\":");
        put_decimal(b, tlog);
    }
    field(b, &first, "qualified_timestamp", qualified);
    put_extra(b, extra);
    BUF_LIT(b, "}}\n");
    return 1;
}

/* SQLiteReadOnlyConnection.uriEscape: `%`, `?`, `#` and non-ASCII percent-encoded. */
static char *file_uri(const char *path) {
    buf_t b = {0};
    BUF_LIT(&b, "file:");
    for (const unsigned char *c = (const unsigned char *)path; *c; c++) {
        if (*c >= 0x80 || *c == '%' || *c == '?' || *c == '#') {
            char hex[4];
            snprintf(hex, sizeof hex, "%%%02X", *c);
            buf_put(&b, hex, 3);
        } else {
            buf_byte(&b, *c);
        }
    }
    BUF_LIT(&b, "?mode=ro");
    buf_byte(&b, 0);
    return (char *)b.p;
}

static void write_all(int fd, const uint8_t *p, size_t n) {
    while (n) {
        ssize_t k = write(fd, p, n);
        if (k < 0 && errno == EINTR) continue;
        if (k <= 0) die("cannot write the output", NULL);
        p += k, n -= (size_t)k;
    }
}

int main(int argc, char **argv) {
    if (argc < 4 || argc > 5) die("usage", "ecs_baseline DB REGISTRY_ID OUTPUT [BATCH_SIZE]");
    int batch = argc == 5 ? atoi(argv[4]) : 1000;
    sqlite3 *db;
    char *uri = file_uri(argv[1]);
    if (sqlite3_open_v2(uri, &db, SQLITE_OPEN_READONLY | SQLITE_OPEN_URI | SQLITE_OPEN_NOMUTEX, NULL) != SQLITE_OK)
        die("cannot open the database", sqlite3_errmsg(db));
    free(uri);
    sqlite3_busy_timeout(db, 5000);
    if (sqlite3_exec(db, "PRAGMA query_only = 1", NULL, NULL, NULL) != SQLITE_OK) die("PRAGMA", sqlite3_errmsg(db));

    sqlite3_stmt *st;
    if (sqlite3_prepare_v2(db, "SELECT max(\"id\") FROM \"events\"", -1, &st, NULL) != SQLITE_OK)
        die("cannot read the events table", sqlite3_errmsg(db));
    if (sqlite3_step(st) != SQLITE_ROW) die("max(id)", sqlite3_errmsg(db));
    sqlite3_int64 highest = sqlite3_column_type(st, 0) == SQLITE_NULL ? 0 : sqlite3_column_int64(st, 0);
    sqlite3_finalize(st);
    if (sqlite3_prepare_v2(db, select_sql, -1, &st, NULL) != SQLITE_OK) die("prepare", sqlite3_errmsg(db));

    int fd = strcmp(argv[3], "-") == 0 ? 1 : open(argv[3], O_WRONLY | O_CREAT | O_TRUNC, 0644);
    if (fd < 0) die("cannot open the output", argv[3]);
    buf_t registry_field = {0};
    if (*argv[2]) {
        BUF_LIT(&registry_field, ",\"registry_id\":");
        json_string(&registry_field, (const uint8_t *)argv[2], strlen(argv[2]));
    }

    buf_t out = {0};
    sqlite3_int64 last = 0;
    long long events = 0, skipped = 0;
    for (;;) {
        sqlite3_reset(st);
        sqlite3_bind_int64(st, 1, last);
        sqlite3_bind_int64(st, 2, highest);
        sqlite3_bind_int64(st, 4, batch);
        int rows = 0, status;
        out.n = 0;
        while ((status = sqlite3_step(st)) == SQLITE_ROW) {
            rows++;
            last = sqlite3_column_int64(st, ID);
            if (put_event(&out, st, &registry_field)) {
                events++;
            } else {
                skipped++;
                fprintf(stderr, "ecs_baseline: row %lld cannot become an event; skipped\n", (long long)last);
            }
        }
        if (status != SQLITE_DONE) die("step", sqlite3_errmsg(db));
        write_all(fd, out.p, out.n);
        if (rows == 0) break;
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
    if (fd != 1 && close(fd) != 0) die("cannot close the output", argv[3]);
    fprintf(stderr, "ecs_baseline: wrote %lld event(s)%s\n", events, skipped ? "; some rows skipped" : "");
    return skipped ? 65 : 0;
}
