/*
 * fields.h — parsers for the values inside one input field: skill lists, skill-name
 * normalisation, salary amounts and periods, dates and booleans.
 *
 * Every parser takes (s, n): a byte range that need not be NUL-terminated, already unquoted by the
 * CSV/JSON reader. An empty or all-blank field means "missing" and is never an error.
 * A malformed value returns SKM_EPARSE and writes a short reason (no file/line: the caller adds
 * those) into `why` when it is non-NULL.
 */
#ifndef SKM_INGEST_FIELDS_H
#define SKM_INGEST_FIELDS_H

#include <stddef.h>
#include <stdint.h>

#include "../core/core.h"

/* Size of the `why` buffers below. */
#define SKM_WHY_LEN 160

/* Receives one list item (unescaped, not yet normalised). Return SKM_OK to go on. */
typedef int (*skm_list_item_fn)(void *user, const char *s, size_t n);

/* Split a skills field into items. Accepted forms:
 *   JSON array            ["sql", "power bi", "c++"]     (JSON string escapes, \uXXXX, surrogate pairs)
 *   Python-literal list   ['sql', "power bi", 'c\'s']    (single or double quotes, backslash escapes)
 *   separated string      sql, power bi; c++ | excel      (',' ';' '|' separators)
 * A field starting with '[' must be a well-formed list literal; null/None items are skipped, other
 * non-string items (numbers) are passed as their text. `scratch` holds unescaped items.
 * Returns SKM_OK, SKM_EPARSE (malformed literal), SKM_ENOMEM, or the first non-OK callback status. */
int skm_parse_list(const char *s, size_t n, skm_buf *scratch, skm_list_item_fn fn, void *user,
                   char why[SKM_WHY_LEN]);

/* Normalise a skill name into `out` (replacing its contents): trim, collapse runs of white space
 * to one space, ASCII letters to lower case (other bytes kept), strip one pair of surrounding
 * quotes. out->len == 0 means the name was empty. Returns SKM_OK or SKM_ENOMEM. */
int skm_skill_normalise(const char *s, size_t n, skm_buf *out);

/* A salary amount: optional blanks, digits with optional '.' fraction and optional ',' thousands
 * separators in groups of three, optional exponent. Empty: *out = NaN and SKM_OK.
 * Negative, non-finite or non-numeric: SKM_EPARSE. */
int skm_parse_amount(const char *s, size_t n, double *out, char why[SKM_WHY_LEN]);

/* A pay period: year/yearly/annual/annually/yr/per year..., month/monthly/mo, week/weekly/wk,
 * day/daily, hour/hourly/hr (case-insensitive). Empty: SKM_PERIOD_UNKNOWN and SKM_OK. */
int skm_parse_period(const char *s, size_t n, int *period, char why[SKM_WHY_LEN]);

/* A posted date as seconds since 1970-01-01T00:00:00Z:
 *   ISO 8601: YYYY-MM-DD, optionally followed by 'T' or ' ' and hh:mm[:ss[.fff]], optionally 'Z'
 *             or ±hh:mm / ±hhmm (converted to UTC); a date alone is midnight UTC;
 *   spreadsheet serial day number: days since 1899-12-30 with the time as a fraction
 *             (44951.40 is 2023-01-25 09:36), accepted between 1 and 2958465 (9999-12-31).
 * Empty: SKM_DATE_MISSING and SKM_OK. Returns SKM_EPARSE otherwise. */
int skm_parse_date(const char *s, size_t n, int64_t *unix_seconds, char why[SKM_WHY_LEN]);

/* A boolean: 1/0, true/false, yes/no, y/n, t/f (case-insensitive). Empty: -1 and SKM_OK. */
int skm_parse_bool(const char *s, size_t n, int8_t *out, char why[SKM_WHY_LEN]);

#endif /* SKM_INGEST_FIELDS_H */
