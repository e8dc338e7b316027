/*
 * cpu.c — which instruction-set extensions this process may use: skm_cpu_features().
 *
 * Two questions, both of which must be answered yes before a kernel may use an extension:
 *
 *   1. Does the CPU implement it?  CPUID leaf 1 (ECX) and leaf 7 subleaf 0 (EBX, ECX).
 *   2. Does the OS save the registers it uses?  XGETBV(0) reads XCR0, the mask of register
 *      state the OS has enabled for XSAVE, i.e. what it saves and restores on a context switch.
 *
 * Why (2) matters: CPUID reports what the silicon can do, not what the OS has turned on. When
 * the OS has not enabled a register state in XCR0 (an old kernel, a hypervisor that hides it,
 * Linux booted with AVX or AVX-512 state disabled), CPUID still advertises AVX2 or AVX-512, but
 * every instruction touching YMM/ZMM registers raises #UD: the process dies with SIGILL on the
 * first SIMD kernel call, on some machines only. ggml's x86 feature test carries the comment
 * "FIXME: this does not check for OS support" for exactly this trap (it trusts CPUID alone);
 * xxHash's XXH_featureTest does it right: check OSXSAVE
 * (CPUID.1:ECX bit 27) before executing XGETBV at all (it is #UD otherwise), then require XCR0
 * bits 1|2 (SSE, AVX) for YMM and additionally 5|6|7 (opmask, ZMM_Hi256, Hi16_ZMM) for ZMM.
 * SSE-class extensions (SSSE3, SSE4.1, SHA-NI) use XMM registers only; every x86-64 OS saves
 * those (FXSAVE is part of the baseline ABI), so CPUID alone decides them.
 *
 * The answer cannot change while the process runs, so it is computed once (pthread_once) and
 * cached. Non-x86 builds report 0: the reference kernels only.
 */
#include <pthread.h>

#include "kernels.h"

#if defined(__x86_64__) || defined(__i386__)
#include <cpuid.h>

/* XCR0 via XGETBV with ECX = 0. Written as inline assembly so that this file needs no -mxsave
 * (the _xgetbv intrinsic would); only called after OSXSAVE was seen. */
static uint64_t read_xcr0(void)
{
    uint32_t eax, edx;
    __asm__ volatile("xgetbv" : "=a"(eax), "=d"(edx) : "c"(0));
    return (uint64_t)edx << 32 | eax;
}

static uint32_t detect(void)
{
    unsigned a, b, c, d;
    uint32_t f = 0;
    if (!__get_cpuid_count(1, 0, &a, &b, &c, &d))
        return 0;
    const unsigned ecx1 = c;
    if (ecx1 & (1u << 9))
        f |= SKM_CPU_SSSE3;
    if (ecx1 & (1u << 19))
        f |= SKM_CPU_SSE41;
    if (ecx1 & (1u << 20))
        f |= SKM_CPU_SSE42;
    if (ecx1 & (1u << 23))
        f |= SKM_CPU_POPCNT;

    /* OS-enabled register state: XGETBV exists (as an instruction the OS permits) only when
     * CPUID.1:ECX.OSXSAVE[bit 27] is set. */
    if (ecx1 & (1u << 27)) {
        const uint64_t xcr0 = read_xcr0();
        if ((xcr0 & 0x6) == 0x6)
            f |= SKM_CPU_OS_YMM;
        if ((xcr0 & 0xE6) == 0xE6)
            f |= SKM_CPU_OS_ZMM;
    }
    if ((ecx1 & (1u << 28)) && (f & SKM_CPU_OS_YMM))
        f |= SKM_CPU_AVX;

    /* Leaf 7 subleaf 0; __get_cpuid_count checks the maximum leaf and fails if 7 is above it. */
    if (__get_cpuid_count(7, 0, &a, &b, &c, &d)) {
        const unsigned ebx7 = b, ecx7 = c;
        if (ebx7 & (1u << 3))
            f |= SKM_CPU_BMI1;
        if (ebx7 & (1u << 8))
            f |= SKM_CPU_BMI2;
        if (ebx7 & (1u << 29))
            f |= SKM_CPU_SHA;
        if ((ebx7 & (1u << 5)) && (f & SKM_CPU_AVX))
            f |= SKM_CPU_AVX2;
        if (f & SKM_CPU_OS_ZMM) {
            if (ebx7 & (1u << 16))
                f |= SKM_CPU_AVX512F;
            /* BW, VL and VPOPCNTDQ all extend AVX512F; never report them without it. */
            if (f & SKM_CPU_AVX512F) {
                if (ebx7 & (1u << 30))
                    f |= SKM_CPU_AVX512BW;
                if (ebx7 & (1u << 31))
                    f |= SKM_CPU_AVX512VL;
                if (ecx7 & (1u << 14))
                    f |= SKM_CPU_AVX512VPOPCNTDQ;
            }
        }
    }
    return f;
}
#else
static uint32_t detect(void) { return 0; }
#endif

static pthread_once_t features_once = PTHREAD_ONCE_INIT;
static uint32_t features;

static void features_init(void) { features = detect(); }

uint32_t skm_cpu_features(void)
{
    pthread_once(&features_once, features_init);
    return features;
}
