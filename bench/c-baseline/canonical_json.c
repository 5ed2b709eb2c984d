/* The `extra` column's canonical JSON (Sources/Core/JSON/JSONCanonicalizer.swift and, for objects
 * with a repeated key, JSONParser + RecordWriter.value): no insignificant whitespace, strings
 * escaped as every other string, numbers as written (one beyond a double's range as a string of
 * its text), key order kept, a repeated key's last value at its first position. One recursive
 * pass that writes as it reads; nesting deeper than 512 is invalid, as in JSONParser. */
#include <math.h>

#include "baseline.h"

enum { MAXIMUM_DEPTH = 512 };

typedef struct {
    const uint8_t *in;
    size_t n, i;
    buf_t *out;
} scanner;

typedef struct {
    size_t key, key_end, value, value_end;
} member;

static buf_t scratch; /* a string's decoded bytes; strings do not nest */

static int value(scanner *s, int depth);

static inline int peek(const scanner *s) { return s->i < s->n ? s->in[s->i] : -1; }

static inline void skip_whitespace(scanner *s) {
    while (s->i < s->n) {
        uint8_t c = s->in[s->i];
        if (c != ' ' && c != '\n' && c != '\r' && c != '\t') return;
        s->i++;
    }
}

static int literal(scanner *s, const char *word, size_t length) {
    if (s->i + length > s->n || memcmp(s->in + s->i, word, length) != 0) return -1;
    buf_put(s->out, word, length);
    s->i += length;
    return 0;
}

static inline int is_digit(int c) { return c >= '0' && c <= '9'; }

/* JSONNumberRange.overflowsDouble. */
static int overflows_double(const uint8_t *token, size_t length) {
    if (length <= 308 && !memchr(token, 'e', length) && !memchr(token, 'E', length)) return 0;
    char *text = malloc(length + 1);
    memcpy(text, token, length);
    text[length] = 0;
    double d = strtod(text, NULL);
    free(text);
    return isinf(d);
}

static int number(scanner *s) {
    size_t start = s->i;
    if (peek(s) == '-') s->i++;
    int first = peek(s);
    if (!is_digit(first)) return -1;
    if (first == '0') s->i++;
    else
        while (is_digit(peek(s))) s->i++;
    if (peek(s) == '.') {
        s->i++;
        if (!is_digit(peek(s))) return -1;
        while (is_digit(peek(s))) s->i++;
    }
    if (peek(s) == 'e' || peek(s) == 'E') {
        s->i++;
        if (peek(s) == '+' || peek(s) == '-') s->i++;
        if (!is_digit(peek(s))) return -1;
        while (is_digit(peek(s))) s->i++;
    }
    const uint8_t *token = s->in + start;
    size_t length = s->i - start;
    if (overflows_double(token, length)) {
        buf_byte(s->out, '"');
        buf_put(s->out, token, length);
        buf_byte(s->out, '"');
    } else {
        buf_put(s->out, token, length);
    }
    return 0;
}

static long hex4(scanner *s) {
    if (s->i + 4 > s->n) return -1;
    long v = 0;
    for (int k = 0; k < 4; k++) {
        uint8_t c = s->in[s->i++];
        int digit = c >= '0' && c <= '9' ? c - '0' : c >= 'A' && c <= 'F' ? c - 55 : c >= 'a' && c <= 'f' ? c - 87 : -1;
        if (digit < 0) return -1;
        v = v << 4 | digit;
    }
    return v;
}

/* The scalar of `\uXXXX` (after the `\u`), joining a following low surrogate; a lone surrogate
 * is U+FFFD (JSONUnicodeEscape.decode). */
static long unicode_escape(scanner *s) {
    long high = hex4(s);
    if (high < 0) return -1;
    if (high >= 0xD800 && high < 0xDC00) {
        if (s->i + 1 < s->n && s->in[s->i] == '\\' && s->in[s->i + 1] == 'u') {
            size_t save = s->i;
            s->i += 2;
            long low = hex4(s);
            if (low < 0) return -1;
            if (low >= 0xDC00 && low < 0xE000) return 0x10000 + ((high - 0xD800) << 10) + (low - 0xDC00);
            s->i = save;
        }
        return 0xFFFD;
    }
    return high >= 0xDC00 && high < 0xE000 ? 0xFFFD : high;
}

static void append_scalar(buf_t *b, long c) {
    uint8_t u[4];
    size_t k;
    if (c < 0x80) u[0] = (uint8_t)c, k = 1;
    else if (c < 0x800) u[0] = 0xC0 | c >> 6, u[1] = 0x80 | (c & 63), k = 2;
    else if (c < 0x10000) u[0] = 0xE0 | c >> 12, u[1] = 0x80 | (c >> 6 & 63), u[2] = 0x80 | (c & 63), k = 3;
    else
        u[0] = 0xF0 | c >> 18, u[1] = 0x80 | (c >> 12 & 63), u[2] = 0x80 | (c >> 6 & 63), u[3] = 0x80 | (c & 63),
        k = 4;
    buf_put(b, u, k);
}

static int string(scanner *s) {
    size_t start = ++s->i;
    while (s->i < s->n) {
        uint8_t c = s->in[s->i];
        if (c == '"') {
            json_string(s->out, s->in + start, s->i - start);
            s->i++;
            return 0;
        }
        if (c == '\\') break;
        if (c < 0x20) return -1;
        s->i++;
    }
    if (s->i >= s->n) return -1;
    scratch.n = 0;
    buf_put(&scratch, s->in + start, s->i - start);
    while (s->i < s->n) {
        uint8_t c = s->in[s->i++];
        if (c == '"') {
            json_string(s->out, scratch.p, scratch.n);
            return 0;
        }
        if (c < 0x20) return -1;
        if (c != '\\') {
            buf_byte(&scratch, c);
            continue;
        }
        int e = peek(s);
        s->i++;
        switch (e) {
        case '"': buf_byte(&scratch, '"'); break;
        case '\\': buf_byte(&scratch, '\\'); break;
        case '/': buf_byte(&scratch, '/'); break;
        case 'b': buf_byte(&scratch, 8); break;
        case 'f': buf_byte(&scratch, 12); break;
        case 'n': buf_byte(&scratch, 10); break;
        case 'r': buf_byte(&scratch, 13); break;
        case 't': buf_byte(&scratch, 9); break;
        case 'u': {
            long scalar = unicode_escape(s);
            if (scalar < 0) return -1;
            append_scalar(&scratch, scalar);
            break;
        }
        default: return -1;
        }
    }
    return -1;
}

static int same_bytes(const uint8_t *base, size_t a, size_t a_end, size_t b, size_t b_end) {
    return a_end - a == b_end - b && memcmp(base + a, base + b, a_end - a) == 0;
}

/* Rewrites the object written at out[start...] with each repeated key once: at its first
 * position, with its last value (JSONParser.lastValueWins). Member offsets are `out`'s. */
static void keep_last_values(buf_t *out, size_t start, const member *m, size_t count) {
    size_t length = out->n - start;
    uint8_t *copy = malloc(length);
    memcpy(copy, out->p + start, length);
    out->n = start;
    buf_byte(out, '{');
    int first = 1;
    for (size_t i = 0; i < count; i++) {
        size_t key = m[i].key - start, key_end = m[i].key_end - start;
        int seen = 0;
        for (size_t k = 0; k < i && !seen; k++)
            seen = same_bytes(copy, m[k].key - start, m[k].key_end - start, key, key_end);
        if (seen) continue;
        size_t last = i;
        for (size_t j = i + 1; j < count; j++)
            if (same_bytes(copy, m[j].key - start, m[j].key_end - start, key, key_end)) last = j;
        if (!first) buf_byte(out, ',');
        first = 0;
        buf_put(out, copy + key, key_end - key);
        buf_byte(out, ':');
        buf_put(out, copy + m[last].value - start, m[last].value_end - m[last].value);
    }
    buf_byte(out, '}');
    free(copy);
}

static int object(scanner *s, int depth) {
    size_t start = s->out->n;
    s->i++;
    buf_byte(s->out, '{');
    skip_whitespace(s);
    if (peek(s) == '}') {
        s->i++;
        buf_byte(s->out, '}');
        return 0;
    }
    member local[16], *m = local;
    size_t count = 0, capacity = 16;
    int repeated = 0, status = -1;
    for (;;) {
        skip_whitespace(s);
        if (peek(s) != '"') break;
        member next;
        next.key = s->out->n;
        if (string(s)) break;
        next.key_end = s->out->n;
        for (size_t k = 0; k < count && !repeated; k++)
            repeated = same_bytes(s->out->p, m[k].key, m[k].key_end, next.key, next.key_end);
        skip_whitespace(s);
        if (peek(s) != ':') break;
        s->i++;
        buf_byte(s->out, ':');
        skip_whitespace(s);
        next.value = s->out->n;
        if (value(s, depth + 1)) break;
        next.value_end = s->out->n;
        if (count == capacity) {
            capacity *= 2;
            m = m == local ? memcpy(malloc(capacity * sizeof *m), local, sizeof local)
                           : realloc(m, capacity * sizeof *m);
        }
        m[count++] = next;
        skip_whitespace(s);
        int c = peek(s);
        s->i++;
        if (c == ',') {
            buf_byte(s->out, ',');
            continue;
        }
        if (c != '}') break;
        buf_byte(s->out, '}');
        if (repeated) keep_last_values(s->out, start, m, count);
        status = 0;
        break;
    }
    if (m != local) free(m);
    return status;
}

static int array(scanner *s, int depth) {
    s->i++;
    buf_byte(s->out, '[');
    skip_whitespace(s);
    if (peek(s) == ']') {
        s->i++;
        buf_byte(s->out, ']');
        return 0;
    }
    for (;;) {
        skip_whitespace(s);
        if (value(s, depth + 1)) return -1;
        skip_whitespace(s);
        int c = peek(s);
        s->i++;
        if (c == ',') {
            buf_byte(s->out, ',');
            continue;
        }
        if (c != ']') return -1;
        buf_byte(s->out, ']');
        return 0;
    }
}

static int value(scanner *s, int depth) {
    if (depth >= MAXIMUM_DEPTH) return -1;
    switch (peek(s)) {
    case '{': return object(s, depth);
    case '[': return array(s, depth);
    case '"': return string(s);
    case 't': return literal(s, "true", 4);
    case 'f': return literal(s, "false", 5);
    case 'n': return literal(s, "null", 4);
    case '-':
    case '0' ... '9': return number(s);
    default: return -1;
    }
}

enum canon_outcome json_canonicalize(const uint8_t *in, size_t n, buf_t *out) {
    scanner s = {in, n, 0, out};
    size_t start = out->n;
    skip_whitespace(&s);
    int first = peek(&s);
    if (first < 0) return CANON_INVALID;
    if (value(&s, 0) == 0) {
        skip_whitespace(&s);
        if (s.i == n) {
            if (first == 'n' || (first == '{' && out->n - start == 2)) {
                out->n = start;
                return CANON_EMPTY;
            }
            return first == '{' ? CANON_OBJECT : CANON_OTHER;
        }
    }
    out->n = start;
    return CANON_INVALID;
}
