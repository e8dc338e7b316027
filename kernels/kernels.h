/*
 * kernels.h — the internal contract of skillmat's hot loops.
 *
 * A kernel is a pure function over caller-provided memory: it never allocates, never fails and
 * never touches GSL, HDF5 or the context. It accepts any n, including 0, and handles its own
 * tails. Each kernel has a plain-C reference version in kernels/ref/ (the specification); SIMD
 * versions, compiled with per-file ISA flags, must return exactly what the reference returns.
 * The table below collects them; docs/kernels.md describes each one.
 *
 * Use the table the process chose, never a SIMD kernel by name (the CPU may lack its ISA):
 *
 *     const struct skm_kernels *k = skm_kernels_active();   // once, outside the hot loop
 *     k->sha256_blocks(h, data, n_bytes / 64);
 *
 * Selection (kernels/dispatch.c) happens once per process: the reference table, with each entry
 * replaced by a SIMD version when skm_cpu_features() says the CPU and the OS support it, unless
 * the environment variable SKILLMAT_ISA=ref asks for the pure reference table.
 * SKILLMAT_ISA_DEBUG=1 logs the choice to stderr.
 */
#ifndef SKM_KERNELS_H
#define SKM_KERNELS_H

#include <stddef.h>
#include <stdint.h>

struct skm_kernels {
    /* The table's name, recorded in /provenance: "ref" for the pure reference table,
     * "ref+shani" for the reference table with the SHA-NI SHA-256 kernel. */
    const char *isa;

    /* CSV structural scan: the offset of the first byte of p[0..n) that is '"', `delim`, '\n',
     * '\r' or '\0', or n if there is none. The CSV reader copies the bytes before it in one go. */
    size_t (*csv_scan)(const char *restrict p, size_t n, char delim);

    /* SHA-256 compression (FIPS 180-4, section 6.2.2): feeds the n_blocks consecutive 64-byte
     * blocks at data[0 .. 64 * n_blocks) into the chaining value state[0..8), in order.
     * n_blocks may be 0 (state is left as is). data needs no alignment and must not overlap
     * state. Padding and the length field are the caller's job (src/core/sha256.c). */
    void (*sha256_blocks)(uint32_t state[8], const uint8_t *restrict data, size_t n_blocks);
};

/* The reference table: always available, and what every other table starts as a copy of. */
extern const struct skm_kernels skm_kernels_ref;

/* The table chosen for this process: never NULL, the same pointer on every call, valid for the
 * life of the process. The first call chooses (thread-safe); later calls are a load. */
const struct skm_kernels *skm_kernels_active(void);

/* Nonzero if SKILLMAT_ISA held a value other than "ref" (or empty) when the table was chosen:
 * skm_kernels_active() then fell back to the pure reference table, silently. A front end that
 * wants to reject the setting calls this (it chooses the table first if need be) and reports it;
 * the library itself prints nothing. */
int skm_kernels_isa_error(void);

/* ---- CPU features (kernels/cpu.c) ---------------------------------------------------------- */

/* Bits of skm_cpu_features(). A bit means *usable*: the CPU reports the instructions (CPUID)
 * and, for the AVX and AVX-512 families, the OS saves the registers they need across context
 * switches (XGETBV; see cpu.c). SSE-class features use XMM state only, which every x86-64 OS
 * saves. */
#define SKM_CPU_SSSE3 (1u << 0)
#define SKM_CPU_SSE41 (1u << 1)
#define SKM_CPU_SSE42 (1u << 2)
#define SKM_CPU_POPCNT (1u << 3)
#define SKM_CPU_SHA (1u << 4)             /* SHA-NI: sha256rnds2, sha256msg1/2, sha1* */
#define SKM_CPU_AVX (1u << 5)
#define SKM_CPU_AVX2 (1u << 6)
#define SKM_CPU_BMI1 (1u << 7)
#define SKM_CPU_BMI2 (1u << 8)
#define SKM_CPU_AVX512F (1u << 9)
#define SKM_CPU_AVX512BW (1u << 10)
#define SKM_CPU_AVX512VL (1u << 11)
#define SKM_CPU_AVX512VPOPCNTDQ (1u << 12)
#define SKM_CPU_OS_YMM (1u << 30)         /* XCR0 has SSE and AVX state: YMM registers saved */
#define SKM_CPU_OS_ZMM (1u << 31)         /* ... and opmask, ZMM_Hi256, Hi16_ZMM: ZMM saved */

/* The SKM_CPU_* bits of the running CPU; 0 on non-x86 builds. Detected once (thread-safe). */
uint32_t skm_cpu_features(void);

/* ---- the kernels by name: for the dispatcher, the tests and the benchmarks only ------------ */

size_t csv_scan_ref(const char *restrict p, size_t n, char delim);
void sha256_blocks_ref(uint32_t state[8], const uint8_t *restrict data, size_t n_blocks);

/* The SHA-256 round constants K[0..64) of FIPS 180-4 section 4.2.2 (kernels/ref/sha256_ref.c). */
extern const uint32_t skm_sha256_k[64];

/* Built only when SKM_KERNELS_X86 is defined (CMake defines it on x86-64). Call only when
 * skm_cpu_features() has SKM_CPU_SHA, SKM_CPU_SSSE3 and SKM_CPU_SSE41: it is SIGILL otherwise. */
void sha256_blocks_shani(uint32_t state[8], const uint8_t *restrict data, size_t n_blocks);

#endif /* SKM_KERNELS_H */
