/*
 * fuzz_fields.c — libFuzzer harness for the field parsers (src/ingest/fields.h). Build with
 *   CC=clang cmake -S . -B build-fuzz -DSKM_FUZZ=ON && cmake --build build-fuzz --target fuzz_fields
 *   build-fuzz/tests/fuzz_fields -max_total_time=300
 *
 * Every parser gets the input as an exactly sized heap copy (so the sanitizers see any read past
 * the end). Besides the sanitizers it checks the parsers' promises: list items are delivered only
 * when the whole list parses; a parsed amount is finite and non-negative or NaN; a date is either
 * SKM_DATE_MISSING or within years 0..9999; a boolean is -1, 0 or 1; a failure leaves a reason.
 */
#include <math.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "core/core.h"
#include "ingest/fields.h"

static int count_item(void *user, const char *s, size_t n)
{
    (void)s;
    (void)n;
    ++*(size_t *)user;
    return SKM_OK;
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    char *s = malloc(size ? size : 1);
    if (!s)
        return 0;
    memcpy(s, data, size);
    char why[SKM_WHY_LEN];
    skm_buf scratch = {0}, norm = {0};

    size_t items = 0;
    why[0] = '\0';
    int rc = skm_parse_list(s, size, &scratch, count_item, &items, why);
    if (rc == SKM_EPARSE && (items != 0 || !why[0]))
        abort(); /* a malformed list delivers nothing and says why */

    if (skm_skill_normalise(s, size, &norm) == SKM_OK && norm.len) {
        if (norm.ptr[0] == ' ' || norm.ptr[norm.len - 1] == ' ')
            abort(); /* trimmed */
        for (size_t i = 0; i < norm.len; ++i)
            if (norm.ptr[i] >= 'A' && norm.ptr[i] <= 'Z')
                abort(); /* lower-cased */
    }

    double v;
    why[0] = '\0';
    rc = skm_parse_amount(s, size, &v, why);
    if (rc == SKM_OK && !isnan(v) && !(v >= 0 && isfinite(v)))
        abort();
    if (rc == SKM_EPARSE && !why[0])
        abort();

    int period;
    if (skm_parse_period(s, size, &period, why) == SKM_OK &&
        (period < SKM_PERIOD_UNKNOWN || period > SKM_PERIOD_YEAR))
        abort();

    int64_t t;
    if (skm_parse_date(s, size, &t, why) == SKM_OK && t != SKM_DATE_MISSING &&
        (t < -62167219200LL - 86400LL * 2 || t > 253402300799LL + 86400LL * 2))
        abort(); /* 0000-01-01 .. 9999-12-31, with room for a time-zone offset */

    int8_t b;
    if (skm_parse_bool(s, size, &b, why) == SKM_OK && (b < -1 || b > 1))
        abort();

    skm_buf_free(&scratch);
    skm_buf_free(&norm);
    free(s);
    return 0;
}
