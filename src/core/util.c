/*
 * util.c — checked allocation, the CPU count, the growable byte buffer and UTF-8 validation/encoding.
 */
#define _GNU_SOURCE /* sched_getaffinity, CPU_COUNT */
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core.h"

void *skm_malloc_array(size_t n, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes))
        return NULL;
    return malloc(bytes ? bytes : 1);
}

void *skm_calloc_array(size_t n, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes))
        return NULL;
    return calloc(bytes ? n : 1, bytes ? size : 1);
}

void *skm_aligned_array(size_t n, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes) || bytes > SIZE_MAX - 63)
        return NULL;
    void *p = NULL;
    return posix_memalign(&p, 64, bytes ? (bytes + 63) / 64 * 64 : 64) == 0 ? p : NULL;
}

int skm_cpu_count(void)
{
#ifdef CPU_COUNT
    cpu_set_t set;
    if (sched_getaffinity(0, sizeof set, &set) == 0 && CPU_COUNT(&set) > 0)
        return CPU_COUNT(&set);
#endif
    long n = sysconf(_SC_NPROCESSORS_ONLN);
    return n > 0 ? (int)(n < 1024 ? n : 1024) : 1;
}

void *skm_realloc_array(void *p, size_t n, size_t size)
{
    size_t bytes;
    if (__builtin_mul_overflow(n, size, &bytes))
        return NULL;
    return realloc(p, bytes ? bytes : 1);
}

int skm_grow_array(void **p, size_t *cap, size_t need, size_t size)
{
    if (need <= *cap)
        return SKM_OK;
    size_t c = *cap ? *cap : 64;
    while (c < need)
        if (__builtin_mul_overflow(c, (size_t)2, &c))
            return SKM_ENOMEM;
    void *q = skm_realloc_array(*p, c, size);
    if (!q)
        return SKM_ENOMEM;
    *p = q;
    *cap = c;
    return SKM_OK;
}

char *skm_strndup(const char *s, size_t n)
{
    char *d = malloc(n + 1);
    if (!d)
        return NULL;
    memcpy(d, s, n);
    d[n] = '\0';
    return d;
}

char *skm_strdup(const char *s) { return s ? skm_strndup(s, strlen(s)) : NULL; }

int skm_buf_reserve(skm_buf *b, size_t extra)
{
    size_t need;
    if (__builtin_add_overflow(b->len, extra, &need) || need == SIZE_MAX)
        return SKM_ENOMEM;
    need += 1; /* room for a terminating NUL */
    if (need <= b->cap)
        return SKM_OK;
    size_t cap = b->cap ? b->cap : 256;
    while (cap < need) {
        if (cap > SIZE_MAX / 2) {
            cap = need;
            break;
        }
        cap *= 2;
    }
    char *p = realloc(b->ptr, cap);
    if (!p)
        return SKM_ENOMEM;
    b->ptr = p;
    b->cap = cap;
    return SKM_OK;
}

int skm_buf_append(skm_buf *b, const void *data, size_t n)
{
    if (skm_buf_reserve(b, n) != SKM_OK)
        return SKM_ENOMEM;
    if (n)
        memcpy(b->ptr + b->len, data, n);
    b->len += n;
    b->ptr[b->len] = '\0';
    return SKM_OK;
}

int skm_buf_putc(skm_buf *b, char c) { return skm_buf_append(b, &c, 1); }

int skm_buf_printf(skm_buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    int n = vsnprintf(NULL, 0, fmt, ap);
    va_end(ap);
    if (n < 0 || skm_buf_reserve(b, (size_t)n) != SKM_OK)
        return SKM_ENOMEM;
    va_start(ap, fmt);
    vsnprintf(b->ptr + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
    return SKM_OK;
}

void skm_buf_free(skm_buf *b)
{
    free(b->ptr);
    b->ptr = NULL;
    b->len = b->cap = 0;
}

static int is_ascii_space(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

void skm_trim(const char **s, size_t *n)
{
    const char *p = *s;
    size_t len = *n;
    while (len && is_ascii_space(p[0])) {
        ++p;
        --len;
    }
    while (len && is_ascii_space(p[len - 1]))
        --len;
    *s = p;
    *n = len;
}

/* Table 3-7 of the Unicode standard (well-formed UTF-8 byte sequences) as code. */
size_t skm_utf8_check(const char *s, size_t n)
{
    const unsigned char *p = (const unsigned char *)s;
    size_t i = 0;
    while (i < n) {
        unsigned c = p[i];
        if (c < 0x80) {
            ++i;
            continue;
        }
        size_t len;
        unsigned lo = 0x80, hi = 0xBF; /* allowed range of the second byte */
        if (c >= 0xC2 && c <= 0xDF)
            len = 2;
        else if (c >= 0xE0 && c <= 0xEF) {
            len = 3;
            if (c == 0xE0)
                lo = 0xA0; /* no overlongs */
            else if (c == 0xED)
                hi = 0x9F; /* no surrogates */
        } else if (c >= 0xF0 && c <= 0xF4) {
            len = 4;
            if (c == 0xF0)
                lo = 0x90;
            else if (c == 0xF4)
                hi = 0x8F; /* <= U+10FFFF */
        } else
            return i;
        if (n - i < len)
            return i;
        if (p[i + 1] < lo || p[i + 1] > hi)
            return i;
        for (size_t k = 2; k < len; ++k)
            if ((p[i + k] & 0xC0) != 0x80)
                return i;
        i += len;
    }
    return n;
}

int skm_utf8_put(skm_buf *b, uint32_t cp)
{
    char u[4];
    size_t n;
    if (cp < 0x80) {
        u[0] = (char)cp;
        n = 1;
    } else if (cp < 0x800) {
        u[0] = (char)(0xC0 | (cp >> 6));
        u[1] = (char)(0x80 | (cp & 0x3F));
        n = 2;
    } else if (cp < 0x10000) {
        if (cp >= 0xD800 && cp <= 0xDFFF)
            return SKM_EINVAL;
        u[0] = (char)(0xE0 | (cp >> 12));
        u[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[2] = (char)(0x80 | (cp & 0x3F));
        n = 3;
    } else if (cp <= 0x10FFFF) {
        u[0] = (char)(0xF0 | (cp >> 18));
        u[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        u[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        u[3] = (char)(0x80 | (cp & 0x3F));
        n = 4;
    } else
        return SKM_EINVAL;
    return skm_buf_append(b, u, n);
}

int skm_check_analysis_params(skm_ctx *ctx, int64_t min_support, double alpha, int threads)
{
    if (min_support < 1)
        return skm_error(ctx, SKM_EINVAL, "--min-support must be at least 1 (got %lld)",
                         (long long)min_support);
    if (!(alpha > 0.0 && alpha < 1.0))
        return skm_error(ctx, SKM_EINVAL, "--alpha must be in (0, 1) (got %g)", alpha);
    if (threads < 0 || threads > 1024)
        return skm_error(ctx, SKM_EINVAL, "--threads must be in 0..1024 (got %d)", threads);
    return SKM_OK;
}

const char *skm_group_int(char buf[32], long long v)
{
    char tmp[32];
    int n = snprintf(tmp, sizeof tmp, "%lld", v < 0 ? -v : v);
    int j = 0;
    if (v < 0)
        buf[j++] = '-';
    for (int i = 0; i < n; ++i) {
        if (i && (n - i) % 3 == 0)
            buf[j++] = ',';
        buf[j++] = tmp[i];
    }
    buf[j] = '\0';
    return buf;
}
