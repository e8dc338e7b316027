/*
 * dispatch.c — choose the kernel table for this process, once: skm_kernels_active().
 *
 * Rules (docs/kernels.md, "Dispatch"):
 *   - The table starts as a copy of skm_kernels_ref; each entry is then replaced by the best
 *     version that skm_cpu_features() says is usable. Today that is one entry: sha256_blocks
 *     becomes sha256_blocks_shani when the CPU has SHA-NI, SSSE3 and SSE4.1.
 *   - SKILLMAT_ISA=ref (read once, at the first call) forces the pure reference table. Unset or
 *     empty means "best available". Any other value also gives the reference table, silently,
 *     and makes skm_kernels_isa_error() return nonzero so that the CLI can reject it; the library
 *     never prints on its own account.
 *   - SKILLMAT_ISA_DEBUG set to anything but "" or "0" logs the choice to stderr, once.
 * The choice is made under pthread_once, so concurrent first calls are safe and all callers see
 * the same table. Kernels cannot fail, so neither can this.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

static pthread_once_t active_once = PTHREAD_ONCE_INIT;
static struct skm_kernels active;
static int isa_error;

static const char *name_of_sha256(void (*fn)(uint32_t *, const uint8_t *restrict, size_t))
{
#ifdef SKM_KERNELS_X86
    if (fn == sha256_blocks_shani)
        return "shani";
#endif
    return fn == sha256_blocks_ref ? "ref" : "?";
}

static void choose(void)
{
    const char *req = getenv("SKILLMAT_ISA");
    int force_ref = 0;
    if (req && *req) {
        force_ref = 1; /* "ref", or an unknown value that falls back to ref */
        isa_error = strcmp(req, "ref") != 0;
    }
    const uint32_t feat = skm_cpu_features();

    active = skm_kernels_ref;
#ifdef SKM_KERNELS_X86
    const uint32_t need_shani = SKM_CPU_SHA | SKM_CPU_SSSE3 | SKM_CPU_SSE41;
    if (!force_ref && (feat & need_shani) == need_shani) {
        active.isa = "ref+shani";
        active.sha256_blocks = sha256_blocks_shani;
    }
#else
    (void)force_ref; /* no SIMD kernels for this architecture yet */
#endif

    const char *dbg = getenv("SKILLMAT_ISA_DEBUG");
    if (dbg && *dbg && strcmp(dbg, "0") != 0)
        fprintf(stderr,
                "skillmat: kernels: isa=%s (SKILLMAT_ISA=%s%s, cpu features 0x%08x%s%s%s%s%s%s%s)"
                " csv_scan=ref sha256_blocks=%s\n",
                active.isa, req ? req : "(unset)", isa_error ? ": unknown value, using ref" : "",
                (unsigned)feat, feat & SKM_CPU_SSSE3 ? " ssse3" : "",
                feat & SKM_CPU_SSE41 ? " sse4.1" : "", feat & SKM_CPU_SHA ? " sha" : "",
                feat & SKM_CPU_AVX2 ? " avx2" : "", feat & SKM_CPU_AVX512F ? " avx512f" : "",
                feat & SKM_CPU_OS_YMM ? " os-ymm" : "", feat & SKM_CPU_OS_ZMM ? " os-zmm" : "",
                name_of_sha256(active.sha256_blocks));
}

const struct skm_kernels *skm_kernels_active(void)
{
    pthread_once(&active_once, choose);
    return &active;
}

int skm_kernels_isa_error(void)
{
    pthread_once(&active_once, choose);
    return isa_error;
}
