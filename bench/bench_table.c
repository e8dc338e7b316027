/*
 * bench_table.c — CSV/JSONL reader throughput (built with the project; run by hand or by
 * bench/ingest.sh):
 *
 *   build/bench_table FILE [FILE...]
 *
 * For each file: opens it, reads every record and touches every field (sums the lengths, so the
 * work cannot be optimised away), and prints decoded MB/s = bytes_decoded / 1e6 / seconds and
 * raw MB/s = bytes_read / 1e6 / seconds. Each file is read 3 times; the fastest run is kept
 * (the first run also warms the page cache).
 */
#include <stdio.h>
#include <stdlib.h>

#include "core/core.h"
#include "ingest/table.h"

int main(int argc, char **argv)
{
    skm_ctx *ctx = skm_ctx_alloc();
    if (!ctx)
        return 1;
    for (int a = 1; a < argc; ++a) {
        double best = 1e300;
        uint64_t dec = 0, raw = 0, recs = 0, skipped = 0, sum = 0;
        for (int rep = 0; rep < 3; ++rep) {
            skm_table_params p = {SKM_FORMAT_AUTO, ',', (size_t)8 << 20};
            skm_table *t = NULL;
            double t0 = skm_now();
            if (skm_table_open(ctx, argv[a], &p, &t) != SKM_OK) {
                fprintf(stderr, "%s\n", skm_ctx_errmsg(ctx));
                return 1;
            }
            const skm_field *f;
            uint64_t line;
            int rc;
            recs = skipped = sum = 0;
            size_t nc = skm_table_n_cols(t);
            while ((rc = skm_table_next(t, &f, &line)) != SKM_EOF) {
                if (rc == SKM_EPARSE) {
                    ++skipped;
                    continue;
                }
                if (rc != SKM_OK) {
                    fprintf(stderr, "%s\n", skm_ctx_errmsg(ctx));
                    return 1;
                }
                ++recs;
                for (size_t i = 0; i < nc; ++i)
                    sum += f[i].len;
            }
            char hex[65];
            skm_table_sha256_hex(t, hex);
            double dt = skm_now() - t0;
            if (dt < best)
                best = dt;
            dec = skm_table_bytes_decoded(t);
            raw = skm_table_bytes_read(t);
            skm_table_close(t);
        }
        printf("%s: %llu records (%llu skipped), %llu field bytes, %.3f s, "
               "decoded %.0f MB/s, raw %.0f MB/s (MB/s = bytes / 1e6 / s)\n",
               argv[a], (unsigned long long)recs, (unsigned long long)skipped,
               (unsigned long long)sum, best, (double)dec / 1e6 / best, (double)raw / 1e6 / best);
    }
    skm_ctx_free(ctx);
    return 0;
}
