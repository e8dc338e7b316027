/*
 * test_util.h — shared helpers for the cmocka tests (cmocka 1.1.5 has no double comparison).
 */
#ifndef SKM_TEST_UTIL_H
#define SKM_TEST_UTIL_H

#include <math.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "skillmat.h"

/* Group setup / teardown for tests that take a context from *state (errors only in the log). */
static inline int ctx_setup(void **state)
{
    skm_ctx *ctx = skm_ctx_alloc();
    if (!ctx)
        return -1;
    skm_ctx_set_log_level(ctx, SKM_LOG_ERROR);
    *state = ctx;
    return 0;
}

static inline int ctx_teardown(void **state)
{
    skm_ctx_free(*state);
    return 0;
}

/* Fails unless |got - want| <= atol + rtol * |want|. NaN never compares close, except that
 * want = NaN accepts got = NaN (missing values). */
#define assert_close(got, want, rtol, atol)                                                    \
    do {                                                                                       \
        double g_ = (double)(got), w_ = (double)(want);                                        \
        if (isnan(w_) && isnan(g_))                                                            \
            break;                                                                             \
        if (isnan(g_) || isnan(w_) || !(fabs(g_ - w_) <= (atol) + (rtol) * fabs(w_)))          \
            fail_msg("%s = %.17g, want %.17g (rtol %g, atol %g)", #got, g_, w_, (double)(rtol), \
                     (double)(atol));                                                          \
    } while (0)

/* Environment paths set by tests/CMakeLists.txt. */
static inline const char *skm_test_env(const char *name)
{
    const char *v = getenv(name);
    if (!v) {
        fprintf(stderr, "test environment variable %s is not set (run through ctest)\n", name);
        exit(1);
    }
    return v;
}

/* Join a directory and a file name into a static-per-call buffer the caller provides. */
static inline const char *skm_test_path(char *buf, size_t n, const char *dir, const char *file)
{
    snprintf(buf, n, "%s/%s", dir, file);
    return buf;
}

/* Write `len` bytes to path; returns 0 on success. */
static inline int skm_test_write_file(const char *path, const void *data, size_t len)
{
    FILE *f = fopen(path, "wb");
    if (!f)
        return -1;
    size_t w = fwrite(data, 1, len, f);
    return fclose(f) == 0 && w == len ? 0 : -1;
}

#endif
