/* The C baseline's shared pieces: a growable byte buffer, UTF-8 validation and repair, JSON
 * string escaping, and the `extra` canonicalizer. Each mirrors one piece of SIEMExport's Swift
 * code (named beside it), so the baseline writes the same bytes as `export --format ecs`. */
#ifndef SIEM_BASELINE_H
#define SIEM_BASELINE_H

#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

/* A malloc'd byte buffer that grows by doubling (RecordBuffer). */
typedef struct {
    uint8_t *p;
    size_t n, cap;
} buf_t;

void buf_grow(buf_t *b, size_t extra);

static inline void buf_reserve(buf_t *b, size_t extra) {
    if (b->n + extra > b->cap) buf_grow(b, extra);
}

static inline void buf_put(buf_t *b, const void *s, size_t n) {
    buf_reserve(b, n);
    if (n) memcpy(b->p + b->n, s, n);
    b->n += n;
}

static inline void buf_byte(buf_t *b, uint8_t c) {
    buf_reserve(b, 1);
    b->p[b->n++] = c;
}

#define BUF_LIT(b, s) buf_put((b), (s), sizeof(s) - 1)

/* Whether bytes are valid UTF-8 per RFC 3629 (UTF8Validation.scan). */
int utf8_valid(const uint8_t *s, size_t n);

/* Appends `s` with each maximal ill-formed subpart replaced by U+FFFD, as Swift's
 * String(decoding:as: UTF8.self) repairs it (TextArena.append(utf8:)). */
void utf8_repair(const uint8_t *s, size_t n, buf_t *out);

/* Appends the inside of a JSON string: `"` and `\` backslashed, C0 controls and DEL as \u00xx,
 * everything else as is (RecordWriter.appendEscapedContents). */
void json_escape_contents(buf_t *b, const uint8_t *s, size_t n);

static inline void json_string(buf_t *b, const uint8_t *s, size_t n) {
    buf_reserve(b, n + 2);
    b->p[b->n++] = '"';
    json_escape_contents(b, s, n);
    buf_byte(b, '"');
}

/* What canonicalizing `extra` found (JSONCanonicalizer.Outcome). */
enum canon_outcome { CANON_OBJECT, CANON_EMPTY, CANON_OTHER, CANON_INVALID };

/* Appends the canonical compact form of the JSON text `s` to `out` (nothing is appended for
 * CANON_INVALID and CANON_EMPTY). Repeated keys: the last value at the first key's position. */
enum canon_outcome json_canonicalize(const uint8_t *s, size_t n, buf_t *out);

#endif
