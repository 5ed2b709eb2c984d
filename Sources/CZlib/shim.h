#include <zlib.h>

// inflateInit2 is a macro; Swift sees only functions.
static inline int siem_inflate_init_gzip(z_stream *stream) {
    return inflateInit2(stream, 15 + 32);
}
