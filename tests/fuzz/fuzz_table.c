/*
 * fuzz_table.c — libFuzzer harness for the table reader (src/ingest/table.h). Build with
 *   CC=clang cmake -S . -B build-fuzz -DSKM_FUZZ=ON && cmake --build build-fuzz --target fuzz_table
 *   build-fuzz/tests/fuzz_table -max_total_time=120 corpus/
 *
 * Each input is written to a temporary file (the reader only reads files) and read to the end as
 * CSV, as JSON Lines and with auto-detection, with a small record limit so that the too-long paths
 * run too. Besides the sanitizers, the harness checks the reader's promises about what it returns:
 * every field of an accepted record is valid UTF-8 without NUL bytes, no longer than the limit, and
 * a skipped record names a valid reason. Crashes found here become cases in test_table.c.
 */
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "core/core.h"
#include "ingest/table.h"

static void run(skm_ctx *ctx, const char *path, int format, size_t max)
{
    skm_table_params p = {format, format == SKM_FORMAT_CSV && (max & 1) ? ';' : ',', max};
    skm_table *t = NULL;
    if (skm_table_open(ctx, path, &p, &t) != SKM_OK) {
        if (t)
            __builtin_trap();
        return;
    }
    size_t nc = skm_table_n_cols(t);
    for (size_t i = 0; i < nc; ++i)
        if (!skm_table_col_name(t, i))
            __builtin_trap();
    for (;;) {
        const skm_field *f = NULL;
        uint64_t line = 0;
        int rc = skm_table_next(t, &f, &line);
        if (rc == SKM_EPARSE) {
            int r = skm_table_skip_reason(t);
            if (r < 0 || r >= SKM_SKIP_COUNT || f)
                __builtin_trap();
            continue;
        }
        if (rc != SKM_OK)
            break;
        if (line == 0)
            __builtin_trap();
        for (size_t i = 0; i < nc; ++i) {
            if (f[i].len > max || !f[i].ptr || (!f[i].present && f[i].len))
                __builtin_trap();
            if (memchr(f[i].ptr, '\0', f[i].len) || skm_utf8_check(f[i].ptr, f[i].len) != f[i].len)
                __builtin_trap();
        }
    }
    char hex[65];
    skm_table_sha256_hex(t, hex);
    skm_table_close(t);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    static char path[64];
    static skm_ctx *ctx;
    if (!ctx) {
        ctx = skm_ctx_alloc();
        snprintf(path, sizeof path, "/tmp/fuzz_table_%ld.in", (long)getpid());
    }
    FILE *f = fopen(path, "wb");
    if (!f)
        return 0;
    if (size && fwrite(data, 1, size, f) != size) {
        fclose(f);
        return 0;
    }
    fclose(f);
    size_t max = 16 + (size % 200); /* small limits exercise the discard paths */
    run(ctx, path, SKM_FORMAT_CSV, max);
    run(ctx, path, SKM_FORMAT_JSONL, max);
    run(ctx, path, SKM_FORMAT_AUTO, (size_t)1 << 20);
    return 0;
}
