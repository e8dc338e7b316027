/*
 * dispatch.c — choose the kernel table for this process, once: skm_kernels_active().
 *
 * Rules (docs/kernels.md, "Dispatch"):
 *   - Levels, lowest first: ref, avx2 (SKM_ISA_NEEDS_AVX2), avx512 (SKM_ISA_NEEDS_AVX512). A level
 *     is runnable when it was built (SKM_KERNELS_AVX2 / SKM_KERNELS_AVX512) and skm_cpu_features()
 *     has all its bits (CPUID and the OS's XCR0 state).
 *   - SKILLMAT_ISA (read once, at the first call) = ref|avx2|avx512 forces that level; unset or
 *     empty means the best runnable level. A forced level that is not runnable, or an unknown
 *     name, gives the pure reference table and makes skm_kernels_isa_error() return why
 *     (SKM_ISA_ERR_*), so that the CLI can reject it; the library never prints on its own account.
 *   - Each level's table is a copy of skm_kernels_ref with the entries that level implements
 *     replaced (BLIS style), so an entry without a SIMD version stays the reference one.
 *   - sha256_blocks is orthogonal to the level: it becomes sha256_blocks_shani when the CPU has
 *     SHA-NI, SSSE3 and SSE4.1, at every level except a forced "ref" (and the error fallback),
 *     which is the pure reference table. The name gets "+shani" then: "avx512+shani".
 *   - SKILLMAT_ISA_DEBUG set to anything but "" or "0" logs the choice to stderr, once.
 * The choice is made under pthread_once, so concurrent first calls are safe and all callers see
 * the same table. Kernels cannot fail, so neither can this.
 */
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "kernels.h"

enum level { LEVEL_REF, LEVEL_AVX2, LEVEL_AVX512 };
static const char *const level_name[] = {"ref", "avx2", "avx512"};
static const char *const level_shani_name[] = {"ref+shani", "avx2+shani", "avx512+shani"};

static pthread_once_t active_once = PTHREAD_ONCE_INIT;
static struct skm_kernels active;
static int isa_error;

/* Was the level compiled in? */
static int level_built(enum level lv)
{
    switch (lv) {
    case LEVEL_REF:
        return 1;
    case LEVEL_AVX2:
#ifdef SKM_KERNELS_AVX2
        return 1;
#else
        return 0;
#endif
    case LEVEL_AVX512:
#ifdef SKM_KERNELS_AVX512
        return 1;
#else
        return 0;
#endif
    }
    return 0;
}

static int level_cpu_ok(enum level lv, uint32_t feat)
{
    switch (lv) {
    case LEVEL_REF:
        return 1;
    case LEVEL_AVX2:
        return (feat & SKM_ISA_NEEDS_AVX2) == SKM_ISA_NEEDS_AVX2;
    case LEVEL_AVX512:
        return (feat & SKM_ISA_NEEDS_AVX512) == SKM_ISA_NEEDS_AVX512;
    }
    return 0;
}

/* The level's table: a copy of the reference, then its own entries. */
static void init_level(struct skm_kernels *k, enum level lv)
{
    *k = skm_kernels_ref;
    k->isa = level_name[lv];
#ifdef SKM_KERNELS_AVX2
    if (lv == LEVEL_AVX2) {
        k->and_popcount = and_popcount_avx2;
        k->and_popcount_tile = and_popcount_tile_avx2;
        k->sparse_dots_f32 = sparse_dots_f32_avx2;
        k->sparse_argmin_f32 = sparse_argmin_f32_avx2;
        k->csv_scan = csv_scan_avx2;
        k->text_lower = text_lower_avx2;
        k->text_classify = text_classify_avx2;
    }
#endif
#ifdef SKM_KERNELS_AVX512
    if (lv == LEVEL_AVX512) {
        k->and_popcount = and_popcount_avx512;
        k->and_popcount_tile = and_popcount_tile_avx512;
        k->sparse_dots_f32 = sparse_dots_f32_avx512;
        k->sparse_argmin_f32 = sparse_argmin_f32_avx512;
        k->csv_scan = csv_scan_avx512;
        k->text_lower = text_lower_avx512;
        k->text_classify = text_classify_avx512;
    }
#endif
}

/* Any function pointer, for the name lookup (ISO C allows casts between function pointer types,
 * not to void *). */
typedef void (*any_fn)(void);

static const char *fn_name(any_fn fn)
{
    static const struct {
        any_fn fn;
        const char *name;
    } names[] = {
        {(any_fn)sha256_blocks_ref, "ref"},
        {(any_fn)and_popcount_ref, "ref"},
        {(any_fn)and_popcount_tile_ref, "ref"},
        {(any_fn)sparse_dots_f32_ref, "ref"},
        {(any_fn)sparse_argmin_f32_ref, "ref"},
        {(any_fn)csv_scan_ref, "ref"},
        {(any_fn)text_lower_ref, "ref"},
        {(any_fn)text_classify_ref, "ref"},
#ifdef SKM_KERNELS_X86
        {(any_fn)sha256_blocks_shani, "shani"},
#endif
#ifdef SKM_KERNELS_AVX2
        {(any_fn)and_popcount_avx2, "avx2"},
        {(any_fn)and_popcount_tile_avx2, "avx2"},
        {(any_fn)sparse_dots_f32_avx2, "avx2"},
        {(any_fn)sparse_argmin_f32_avx2, "avx2"},
        {(any_fn)csv_scan_avx2, "avx2"},
        {(any_fn)text_lower_avx2, "avx2"},
        {(any_fn)text_classify_avx2, "avx2"},
#endif
#ifdef SKM_KERNELS_AVX512
        {(any_fn)and_popcount_avx512, "avx512"},
        {(any_fn)and_popcount_tile_avx512, "avx512"},
        {(any_fn)sparse_dots_f32_avx512, "avx512"},
        {(any_fn)sparse_argmin_f32_avx512, "avx512"},
        {(any_fn)csv_scan_avx512, "avx512"},
        {(any_fn)text_lower_avx512, "avx512"},
        {(any_fn)text_classify_avx512, "avx512"},
#endif
    };
    for (size_t i = 0; i < sizeof names / sizeof names[0]; ++i)
        if (names[i].fn == fn)
            return names[i].name;
    return "?";
}

static void choose(void)
{
    const char *req = getenv("SKILLMAT_ISA");
    const uint32_t feat = skm_cpu_features();
    enum level lv = LEVEL_REF;
    int forced = req && *req, use_shani = 1;

    if (forced) {
        int known = 0;
        for (int i = LEVEL_REF; i <= LEVEL_AVX512; ++i)
            if (strcmp(req, level_name[i]) == 0)
                lv = (enum level)i, known = 1;
        if (!known)
            isa_error = SKM_ISA_ERR_UNKNOWN;
        else if (!level_built(lv))
            isa_error = SKM_ISA_ERR_BUILD;
        else if (!level_cpu_ok(lv, feat))
            isa_error = SKM_ISA_ERR_CPU;
        if (isa_error || lv == LEVEL_REF)
            lv = LEVEL_REF, use_shani = 0; /* the pure reference table */
    } else {
        for (int i = LEVEL_AVX512; i > LEVEL_REF; --i)
            if (level_built((enum level)i) && level_cpu_ok((enum level)i, feat)) {
                lv = (enum level)i;
                break;
            }
    }

    init_level(&active, lv);
#ifdef SKM_KERNELS_X86
    const uint32_t need_shani = SKM_CPU_SHA | SKM_CPU_SSSE3 | SKM_CPU_SSE41;
    if (use_shani && (feat & need_shani) == need_shani) {
        active.isa = level_shani_name[lv];
        active.sha256_blocks = sha256_blocks_shani;
    }
#else
    (void)use_shani; /* no SHA-NI kernel for this architecture */
    (void)level_shani_name;
#endif

    static const char *const why[] = {"", ": unknown value, using ref",
                                      ": this CPU/OS cannot run it, using ref",
                                      ": not in this build, using ref"};
    const char *dbg = getenv("SKILLMAT_ISA_DEBUG");
    if (dbg && *dbg && strcmp(dbg, "0") != 0)
        fprintf(stderr,
                "skillmat: kernels: isa=%s (SKILLMAT_ISA=%s%s, cpu features 0x%08x%s%s%s%s%s%s%s%s"
                "%s%s%s) csv_scan=%s text_lower=%s text_classify=%s sha256_blocks=%s and_popcount=%s and_popcount_tile=%s "
                "csr_to_bitsets=ref sparse_gram_i32=ref sparse_gram_f64=ref sparse_dots_f32=%s "
                "sparse_argmin_f32=%s\n",
                active.isa, req ? req : "(unset)", why[isa_error], (unsigned)feat,
                feat & SKM_CPU_SSSE3 ? " ssse3" : "", feat & SKM_CPU_SSE41 ? " sse4.1" : "",
                feat & SKM_CPU_POPCNT ? " popcnt" : "", feat & SKM_CPU_SHA ? " sha" : "",
                feat & SKM_CPU_AVX2 ? " avx2" : "", feat & SKM_CPU_AVX512F ? " avx512f" : "",
                feat & SKM_CPU_AVX512BW ? " avx512bw" : "",
                feat & SKM_CPU_AVX512VL ? " avx512vl" : "",
                feat & SKM_CPU_AVX512VPOPCNTDQ ? " avx512vpopcntdq" : "",
                feat & SKM_CPU_OS_YMM ? " os-ymm" : "", feat & SKM_CPU_OS_ZMM ? " os-zmm" : "",
                fn_name((any_fn)active.csv_scan), fn_name((any_fn)active.text_lower),
                fn_name((any_fn)active.text_classify),
                fn_name((any_fn)active.sha256_blocks),
                fn_name((any_fn)active.and_popcount),
                fn_name((any_fn)active.and_popcount_tile),
                fn_name((any_fn)active.sparse_dots_f32),
                fn_name((any_fn)active.sparse_argmin_f32));
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
