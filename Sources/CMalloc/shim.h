#include <malloc.h>

// glibc's malloc tuning; the constants are macros, so they come through as functions.
static inline void siem_keep_freed_memory_in_heap(int mmap_threshold, int trim_threshold) {
    mallopt(M_MMAP_THRESHOLD, mmap_threshold);
    mallopt(M_TRIM_THRESHOLD, trim_threshold);
}
