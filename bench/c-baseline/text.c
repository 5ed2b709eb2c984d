/* Text as SIEMExport handles it: UTF-8 validated eight bytes at a time (repaired to U+FFFD where
 * invalid) and JSON-escaped in runs. */
#include "baseline.h"

void buf_grow(buf_t *b, size_t extra) {
    size_t cap = b->cap ? b->cap : 4096;
    while (cap < b->n + extra) cap *= 2;
    b->p = realloc(b->p, cap);
    if (!b->p) abort();
    b->cap = cap;
}

static inline uint64_t load64(const uint8_t *p) {
    uint64_t w;
    memcpy(&w, p, 8);
    return w;
}

/* The length of the valid sequence at s[i] (1–4), or 0 when it is not one. */
static inline size_t utf8_sequence(const uint8_t *s, size_t n, size_t i) {
    uint8_t lead = s[i];
    if (lead < 0x80) return 1;
    size_t length;
    uint8_t low = 0x80, high = 0xBF;
    if (lead >= 0xC2 && lead <= 0xDF) length = 2;
    else if (lead == 0xE0) length = 3, low = 0xA0;
    else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) length = 3;
    else if (lead == 0xED) length = 3, high = 0x9F;
    else if (lead == 0xF0) length = 4, low = 0x90;
    else if (lead >= 0xF1 && lead <= 0xF3) length = 4;
    else if (lead == 0xF4) length = 4, high = 0x8F;
    else return 0;
    if (i + length > n) return 0;
    if (s[i + 1] < low || s[i + 1] > high) return 0;
    for (size_t k = 2; k < length; k++)
        if ((s[i + k] & 0xC0) != 0x80) return 0;
    return length;
}

int utf8_valid(const uint8_t *s, size_t n) {
    size_t i = 0;
    while (i < n) {
        while (i + 8 <= n && !(load64(s + i) & 0x8080808080808080ULL)) i += 8;
        if (i >= n) break;
        size_t length = utf8_sequence(s, n, i);
        if (!length) return 0;
        i += length;
    }
    return 1;
}

/* How many bytes at s[i] (an invalid sequence) one U+FFFD replaces: the maximal subpart, i.e.
 * the lead byte and the continuation bytes that were still acceptable (Unicode 15, §3.9 U+FFFD
 * substitution; Swift's UTF8.ForwardParser._invalidLength). */
static size_t utf8_invalid_length(const uint8_t *s, size_t n, size_t i) {
    uint8_t lead = s[i];
    uint8_t low = 0x80, high = 0xBF;
    size_t length;
    if (lead >= 0xC2 && lead <= 0xDF) return 1;
    if (lead == 0xE0) length = 3, low = 0xA0;
    else if ((lead >= 0xE1 && lead <= 0xEC) || lead == 0xEE || lead == 0xEF) length = 3;
    else if (lead == 0xED) length = 3, high = 0x9F;
    else if (lead == 0xF0) length = 4, low = 0x90;
    else if (lead >= 0xF1 && lead <= 0xF3) length = 4;
    else if (lead == 0xF4) length = 4, high = 0x8F;
    else return 1;
    if (i + 1 >= n || s[i + 1] < low || s[i + 1] > high) return 1;
    size_t k = 2;
    while (k < length && i + k < n && (s[i + k] & 0xC0) == 0x80) k++;
    return k;
}

void utf8_repair(const uint8_t *s, size_t n, buf_t *out) {
    static const uint8_t replacement[3] = {0xEF, 0xBF, 0xBD};
    size_t i = 0, run = 0;
    buf_reserve(out, n + 8);
    while (i < n) {
        size_t length = utf8_sequence(s, n, i);
        if (length) {
            i += length;
            continue;
        }
        buf_put(out, s + run, i - run);
        buf_put(out, replacement, 3);
        i += utf8_invalid_length(s, n, i);
        run = i;
    }
    buf_put(out, s + run, n - run);
}

/* Non-zero when a byte of `w` is below 0x20, `"`, `\` or DEL (RecordWriter.escapeBits). */
static inline uint64_t escape_bits(uint64_t w) {
    const uint64_t ones = 0x0101010101010101ULL, highs = 0x8080808080808080ULL;
    uint64_t below20 = (w - ones * 0x20) & ~w & highs;
    uint64_t q = w ^ (ones * 0x22), bs = w ^ (ones * 0x5C), del = w ^ (ones * 0x7F);
    uint64_t zeros = ((q - ones) & ~q) | ((bs - ones) & ~bs) | ((del - ones) & ~del);
    return below20 | (zeros & highs);
}

static inline int needs_escape(uint8_t c) { return c < 0x20 || c == '"' || c == '\\' || c == 0x7F; }

void json_escape_contents(buf_t *b, const uint8_t *s, size_t n) {
    static const char hex[] = "0123456789abcdef";
    size_t i = 0, run = 0;
    for (;;) {
        while (i + 8 <= n && !escape_bits(load64(s + i))) i += 8;
        while (i < n && !needs_escape(s[i])) i++;
        if (i >= n) break;
        buf_put(b, s + run, i - run);
        uint8_t c = s[i];
        if (c == '"' || c == '\\') {
            uint8_t e[2] = {'\\', c};
            buf_put(b, e, 2);
        } else {
            uint8_t e[6] = {'\\', 'u', '0', '0', (uint8_t)hex[c >> 4], (uint8_t)hex[c & 15]};
            buf_put(b, e, 6);
        }
        run = ++i;
    }
    buf_put(b, s + run, n - run);
}
