/*
 * ctx.c — the context: error recording, logging, progress and interruption; status names.
 */
#define _POSIX_C_SOURCE 200809L
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core.h"
#include "kernels/kernels.h"
#include "skm_build.h"

static const char *const status_names[] = {
    [SKM_OK] = "success",
    [SKM_ENOMEM] = "out of memory",
    [SKM_EINVAL] = "invalid argument",
    [SKM_EIO] = "input/output error",
    [SKM_EPARSE] = "malformed input record",
    [SKM_EFORMAT] = "not a valid skillmat file",
    [SKM_EHDF5] = "HDF5 error",
    [SKM_ELIMIT] = "limit exceeded",
    [SKM_EINTERRUPT] = "interrupted",
    [SKM_ENOTFOUND] = "not found",
    [SKM_EOF] = "end of input",
};

const char *skm_strerror(int status)
{
    if (status < 0 || (size_t)status >= sizeof status_names / sizeof status_names[0] ||
        !status_names[status])
        return "unknown status";
    return status_names[status];
}

const char *skm_version(void) { return SKM_VERSION_STRING; }

const char *skm_git_revision(void) { return SKM_GIT_REVISION; }

const char *skm_isa(void) { return skm_kernels_active()->isa; }

int skm_isa_check(skm_ctx *ctx)
{
    const int why = skm_kernels_isa_error();
    if (!why)
        return SKM_OK;
    const char *req = getenv("SKILLMAT_ISA");
    const char *reason = why == SKM_ISA_ERR_UNKNOWN ? "unknown kernel level"
                         : why == SKM_ISA_ERR_CPU   ? "this CPU (or its OS) does not support it"
                                                    : "not compiled into this build";
    return skm_error(ctx, SKM_EINVAL,
                     "SKILLMAT_ISA=%s: %s (valid: ref, avx2, avx512; unset for the best this "
                     "CPU supports)", req ? req : "", reason);
}

static void default_log(void *user, int level, const char *msg)
{
    (void)user;
    static const char *const prefix[] = {"error: ", "warning: ", "", ""};
    fprintf(stderr, "skillmat: %s%s\n", prefix[level < 0 ? 0 : level > 3 ? 3 : level], msg);
}

skm_ctx *skm_ctx_alloc(void)
{
    skm_ctx *ctx = calloc(1, sizeof *ctx);
    if (!ctx)
        return NULL;
    ctx->log = default_log;
    ctx->log_level = SKM_LOG_INFO;
    return ctx;
}

void skm_ctx_free(skm_ctx *ctx) { free(ctx); }

const char *skm_ctx_errmsg(const skm_ctx *ctx) { return ctx ? ctx->msg : ""; }

int skm_ctx_errcode(const skm_ctx *ctx) { return ctx ? ctx->code : SKM_OK; }

void skm_ctx_set_log(skm_ctx *ctx, skm_log_fn fn, void *user)
{
    ctx->log = fn ? fn : default_log;
    ctx->log_user = fn ? user : NULL;
}

void skm_ctx_set_log_level(skm_ctx *ctx, int level) { ctx->log_level = level; }

void skm_ctx_set_progress(skm_ctx *ctx, skm_progress_fn fn, void *user)
{
    ctx->progress = fn;
    ctx->progress_user = user;
}

void skm_ctx_interrupt(skm_ctx *ctx) { ctx->interrupted = 1; }

int skm_interrupted(const skm_ctx *ctx) { return ctx->interrupted != 0; }

int skm_error_at(skm_ctx *ctx, int code, const char *file, int line, const char *fmt, ...)
{
    if (!ctx)
        return code;
    /* Format into a local buffer first: the message may quote ctx->msg itself. */
    char tmp[sizeof ctx->msg];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    memcpy(ctx->msg, tmp, sizeof tmp);
    ctx->code = code;
    ctx->src_file = file;
    ctx->src_line = line;
    return code;
}

void skm_log(skm_ctx *ctx, int level, const char *fmt, ...)
{
    if (!ctx || level > ctx->log_level)
        return;
    char tmp[4096];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(tmp, sizeof tmp, fmt, ap);
    va_end(ap);
    ctx->log(ctx->log_user, level, tmp);
}

double skm_now(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + 1e-9 * (double)ts.tv_nsec;
}

void skm_time_iso8601(char out[32])
{
    time_t t = time(NULL);
    struct tm tm;
    gmtime_r(&t, &tm);
    strftime(out, 32, "%Y-%m-%dT%H:%M:%SZ", &tm);
}

void skm_progress(skm_ctx *ctx, const char *stage, uint64_t done, uint64_t total)
{
    if (!ctx || !ctx->progress)
        return;
    double now = skm_now();
    if (done != total && now - ctx->progress_last < 0.25)
        return;
    ctx->progress_last = now;
    ctx->progress(ctx->progress_user, stage, done, total);
}
