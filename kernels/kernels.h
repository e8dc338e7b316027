/*
 * kernels.h — the internal contract of skillmat's hot loops.
 *
 * A kernel is a pure function over caller-provided memory: it never allocates, never fails and
 * never touches GSL, HDF5 or the context. It accepts any n, including 0, and handles its own
 * tails. Each kernel has a plain-C reference version in kernels/ref/ (the specification); SIMD
 * versions, compiled with per-file ISA flags, must return exactly what the reference returns.
 * The table below collects them; docs/kernels.md describes each one.
 */
#ifndef SKM_KERNELS_H
#define SKM_KERNELS_H

#include <stddef.h>
#include <stdint.h>

struct skm_kernels {
    const char *isa; /* "ref" | "avx2" | "avx512" */

    /* CSV structural scan: the offset of the first byte of p[0..n) that is '"', `delim`, '\n',
     * '\r' or '\0', or n if there is none. The CSV reader copies the bytes before it in one go. */
    size_t (*csv_scan)(const char *restrict p, size_t n, char delim);
};

/* The reference table: always available. */
extern const struct skm_kernels skm_kernels_ref;

size_t csv_scan_ref(const char *restrict p, size_t n, char delim);

#endif /* SKM_KERNELS_H */
