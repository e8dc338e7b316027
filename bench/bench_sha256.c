/*
 * bench_sha256.c — SHA-256 compression throughput of each sha256_blocks kernel this CPU can run
 * (built with the project; run by hand):
 *
 *   build/bench_sha256 [MiB]        (default 256)
 *
 * Hashes a buffer of MiB mebibytes of random bytes (as MiB * 16384 64-byte blocks) with each
 * kernel. Before any timing, every kernel's result is checked against the reference on the
 * whole buffer (a mismatch exits 1). Repetitions are calibrated so that one run takes about
 * 1 s; the best of 5 runs is kept. Printed: MB/s = bytes * reps / 1e6 / seconds.
 * The last line times the full streaming path (skm_sha256_update in 1 MiB pieces) with the
 * table skm_kernels_active() chose, which SKILLMAT_ISA=ref turns into the reference.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "kernels/kernels.h"

typedef void (*blocks_fn)(uint32_t state[8], const uint8_t *restrict data, size_t n);

static const uint32_t iv[8] = {0x6a09e667, 0xbb67ae85, 0x3c6ef372, 0xa54ff53a,
                               0x510e527f, 0x9b05688c, 0x1f83d9ab, 0x5be0cd19};

static void run_kernel(blocks_fn fn, const uint8_t *buf, size_t n_blocks, uint32_t h[8])
{
    memcpy(h, iv, sizeof iv);
    fn(h, buf, n_blocks);
}

static void run_stream(const uint8_t *buf, size_t n, uint32_t h[8])
{
    skm_sha256 s;
    skm_sha256_init(&s);
    for (size_t i = 0; i < n; i += (size_t)1 << 20)
        skm_sha256_update(&s, buf + i, n - i < ((size_t)1 << 20) ? n - i : (size_t)1 << 20);
    uint8_t d[32];
    skm_sha256_final(&s, d);
    memcpy(h, d, 32);
}

/* Best-of-5 seconds for `reps` passes; fn == NULL times the streaming path. */
static double time_passes(blocks_fn fn, const uint8_t *buf, size_t n_blocks, int reps,
                          uint32_t *sink)
{
    double best = 1e300;
    for (int run = 0; run < 5; ++run) {
        uint32_t h[8];
        double t0 = skm_now();
        for (int r = 0; r < reps; ++r) {
            if (fn)
                run_kernel(fn, buf, n_blocks, h);
            else
                run_stream(buf, 64 * n_blocks, h);
            *sink ^= h[0];
        }
        double dt = skm_now() - t0;
        if (dt < best)
            best = dt;
    }
    return best;
}

static void bench(const char *name, blocks_fn fn, const uint8_t *buf, size_t n_blocks,
                  uint32_t *sink)
{
    /* Calibrate: one pass, then enough passes for ~1 s per run. */
    uint32_t h[8];
    double t0 = skm_now();
    if (fn)
        run_kernel(fn, buf, n_blocks, h);
    else
        run_stream(buf, 64 * n_blocks, h);
    double one = skm_now() - t0;
    *sink ^= h[0];
    int reps = one > 0 ? (int)(1.0 / one + 0.5) : 1;
    if (reps < 1)
        reps = 1;
    double best = time_passes(fn, buf, n_blocks, reps, sink);
    double bytes = 64.0 * (double)n_blocks * reps;
    printf("%-24s %3d reps x %zu MiB  best of 5 %.3f s  %8.1f MB/s\n", name, reps,
           n_blocks / 16384, best, bytes / 1e6 / best);
}

int main(int argc, char **argv)
{
    size_t mib = argc > 1 ? strtoul(argv[1], NULL, 10) : 256;
    if (mib == 0 || mib > 65536) {
        fprintf(stderr, "usage: bench_sha256 [MiB]  (1..65536, default 256)\n");
        return 2;
    }
    size_t n_blocks = mib * 16384, len = 64 * n_blocks;
    uint8_t *buf = malloc(len);
    if (!buf) {
        fprintf(stderr, "out of memory\n");
        return 1;
    }
    uint64_t x = 0x243F6A8885A308D3ull;
    for (size_t i = 0; i < len; i += 8) {
        x ^= x << 13, x ^= x >> 7, x ^= x << 17;
        memcpy(buf + i, &x, 8);
    }

    struct {
        const char *name;
        blocks_fn fn;
        uint32_t needs;
    } impls[] = {
        {"sha256_blocks_ref", sha256_blocks_ref, 0},
#ifdef SKM_KERNELS_X86
        {"sha256_blocks_shani", sha256_blocks_shani, SKM_CPU_SHA | SKM_CPU_SSSE3 | SKM_CPU_SSE41},
#endif
    };
    const size_t n_impls = sizeof impls / sizeof impls[0];
    const uint32_t feat = skm_cpu_features();

    /* Sanity check before timing: every runnable kernel agrees with the reference. */
    uint32_t want[8], got[8];
    run_kernel(sha256_blocks_ref, buf, n_blocks, want);
    for (size_t i = 1; i < n_impls; ++i) {
        if ((feat & impls[i].needs) != impls[i].needs)
            continue;
        run_kernel(impls[i].fn, buf, n_blocks, got);
        if (memcmp(got, want, sizeof want) != 0) {
            fprintf(stderr, "%s differs from the reference: not timing\n", impls[i].name);
            return 1;
        }
    }

    printf("SHA-256 over %zu MiB of random data; MB/s = bytes * reps / 1e6 / s; cpu features "
           "0x%08x\n", mib, (unsigned)feat);
    uint32_t sink = 0;
    for (size_t i = 0; i < n_impls; ++i) {
        if ((feat & impls[i].needs) != impls[i].needs) {
            printf("%-24s skipped: this CPU lacks the ISA\n", impls[i].name);
            continue;
        }
        bench(impls[i].name, impls[i].fn, buf, n_blocks, &sink);
    }
    char label[64];
    snprintf(label, sizeof label, "stream (%s)", skm_kernels_active()->isa);
    bench(label, NULL, buf, n_blocks, &sink);
    free(buf);
    return sink == 0x12345678u; /* keeps the work observable; practically always 0 */
}
