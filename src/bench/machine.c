/*
 * machine.c — what machine a benchmark ran on: CPU model and features, CPUs, caches, memory,
 * OpenBLAS's build and threads, the kernel table, the date. Linux files (/proc, /sys) with
 * sysconf as the fallback; anything unknown stays -1 or "".
 */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cblas.h>

#include "bench/bench.h"
#include "kernels/kernels.h"

/* The value of the first "key<blank>*: value" line of a /proc file, trimmed, into out. */
static int proc_field(const char *file, const char *key, char *out, size_t cap)
{
    FILE *f = fopen(file, "r");
    if (!f)
        return -1;
    char line[512];
    const size_t len = strlen(key);
    int found = -1;
    while (fgets(line, sizeof line, f)) {
        if (strncmp(line, key, len) != 0)
            continue;
        const char *p = line + len;
        while (*p == ' ' || *p == '\t')
            ++p;
        if (*p != ':')
            continue;
        ++p;
        while (*p == ' ' || *p == '\t')
            ++p;
        size_t n = strcspn(p, "\r\n");
        while (n && isspace((unsigned char)p[n - 1]))
            --n;
        snprintf(out, cap, "%.*s", (int)n, p);
        found = 0;
        break;
    }
    fclose(f);
    return found;
}

/* A whole small file, trimmed; -1 when unreadable. */
static int read_small(const char *path, char *out, size_t cap)
{
    FILE *f = fopen(path, "r");
    if (!f)
        return -1;
    size_t n = fread(out, 1, cap - 1, f);
    fclose(f);
    while (n && isspace((unsigned char)out[n - 1]))
        --n;
    out[n] = '\0';
    return 0;
}

/* "32K", "1024K", "32M", "65536" as bytes; -1 when unreadable. */
static int64_t parse_size(const char *s)
{
    char *end;
    long long v = strtoll(s, &end, 10);
    if (end == s || v < 0)
        return -1;
    if (*end == 'K' || *end == 'k')
        v <<= 10;
    else if (*end == 'M' || *end == 'm')
        v <<= 20;
    else if (*end == 'G' || *end == 'g')
        v <<= 30;
    return (int64_t)v;
}

/* cpu0's data/unified caches of levels 1..3 from /sys. */
static void sys_caches(skm_bench_machine *m)
{
    for (int i = 0; i < 16; ++i) {
        char path[128], level[16], type[32], size[32];
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/level", i);
        if (read_small(path, level, sizeof level))
            break;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/type", i);
        if (read_small(path, type, sizeof type) || !strcmp(type, "Instruction"))
            continue;
        snprintf(path, sizeof path, "/sys/devices/system/cpu/cpu0/cache/index%d/size", i);
        if (read_small(path, size, sizeof size))
            continue;
        const int64_t bytes = parse_size(size);
        const int lv = atoi(level);
        if (lv == 1 && m->l1d_bytes < 0)
            m->l1d_bytes = bytes;
        else if (lv == 2 && m->l2_bytes < 0)
            m->l2_bytes = bytes;
        else if (lv == 3 && m->l3_bytes < 0)
            m->l3_bytes = bytes;
    }
}

static void features(char *out, size_t cap)
{
    static const struct {
        uint32_t bit;
        const char *name;
    } f[] = {{SKM_CPU_SSSE3, "ssse3"},
             {SKM_CPU_SSE41, "sse4.1"},
             {SKM_CPU_SSE42, "sse4.2"},
             {SKM_CPU_POPCNT, "popcnt"},
             {SKM_CPU_SHA, "sha"},
             {SKM_CPU_AVX, "avx"},
             {SKM_CPU_AVX2, "avx2"},
             {SKM_CPU_BMI1, "bmi1"},
             {SKM_CPU_BMI2, "bmi2"},
             {SKM_CPU_AVX512F, "avx512f"},
             {SKM_CPU_AVX512BW, "avx512bw"},
             {SKM_CPU_AVX512VL, "avx512vl"},
             {SKM_CPU_AVX512VPOPCNTDQ, "avx512vpopcntdq"},
             {SKM_CPU_OS_YMM, "os-ymm"},
             {SKM_CPU_OS_ZMM, "os-zmm"}};
    const uint32_t feat = skm_cpu_features();
    size_t len = 0;
    out[0] = '\0';
    for (size_t i = 0; i < sizeof f / sizeof f[0]; ++i)
        if ((feat & f[i].bit) && len < cap) {
            int w = snprintf(out + len, cap - len, "%s%s", len ? " " : "", f[i].name);
            if (w > 0)
                len += (size_t)w;
        }
}

void skm_bench_machine_read(skm_bench_machine *m)
{
    memset(m, 0, sizeof *m);
    m->logical_cpus = m->usable_cpus = -1;
    m->l1d_bytes = m->l2_bytes = m->l3_bytes = m->mem_total_bytes = -1;
    if (proc_field("/proc/cpuinfo", "model name", m->cpu_model, sizeof m->cpu_model))
        m->cpu_model[0] = '\0';
    features(m->cpu_features, sizeof m->cpu_features);
    const long online = sysconf(_SC_NPROCESSORS_ONLN);
    m->logical_cpus = online > 0 ? online : -1;
    m->usable_cpus = skm_cpu_count();
    sys_caches(m);
#ifdef _SC_LEVEL1_DCACHE_SIZE
    const long l1 = sysconf(_SC_LEVEL1_DCACHE_SIZE), l2 = sysconf(_SC_LEVEL2_CACHE_SIZE),
               l3 = sysconf(_SC_LEVEL3_CACHE_SIZE);
    if (m->l1d_bytes < 0 && l1 > 0)
        m->l1d_bytes = l1;
    if (m->l2_bytes < 0 && l2 > 0)
        m->l2_bytes = l2;
    if (m->l3_bytes < 0 && l3 > 0)
        m->l3_bytes = l3;
#endif
    char mem[64];
    if (!proc_field("/proc/meminfo", "MemTotal", mem, sizeof mem)) {
        const int64_t kb = parse_size(mem); /* "24684084 kB": the number is in KiB */
        m->mem_total_bytes = kb >= 0 ? kb * 1024 : -1;
    }
    const char *cfg = openblas_get_config(), *core = openblas_get_corename();
    snprintf(m->openblas_config, sizeof m->openblas_config, "%s", cfg ? cfg : "");
    snprintf(m->openblas_core, sizeof m->openblas_core, "%s", core ? core : "");
    m->openblas_threads = openblas_get_num_threads();
    snprintf(m->isa, sizeof m->isa, "%s", skm_isa());
    skm_time_iso8601(m->date_utc);
}
