/*
 * fields.c — parsers for the values inside one input field (see fields.h for the contract) and
 * skm_annualise().
 *
 * These run on the ingest hot path, once per field of millions of records, so they
 *   - never allocate, except by growing a caller's skm_buf (skill lists with escapes, normalised
 *     names), and never copy a list item that has no backslash escape (it is passed in place);
 *   - never call into the locale: character classes are ASCII tests written out here, and numbers
 *     reach strtod() only with no radix character (see decimal_to_double), so LC_NUMERIC cannot change
 *     what is accepted or the value;
 *   - format a `why` message only on the error path.
 *
 * "Blanks" below are the ASCII white-space bytes: space, \t, \n, \v, \f, \r. Every parser first
 * trims blanks on both sides; byte offsets in `why` messages count from the first non-blank byte.
 */
#include <math.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fields.h"

/* ------------------------------------------------------------------------------------------ */
/* Small helpers                                                                              */
/* ------------------------------------------------------------------------------------------ */

static int is_blank(char c)
{
    return c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\v' || c == '\f';
}

static int is_digit(char c) { return c >= '0' && c <= '9'; }

static char to_lower(char c) { return c >= 'A' && c <= 'Z' ? (char)(c + ('a' - 'A')) : c; }


/* Record a reason in `why` (when non-NULL) and return SKM_EPARSE. */
static int fail(char *why, const char *fmt, ...) SKM_PRINTF(2, 3);
static int fail(char *why, const char *fmt, ...)
{
    if (why) {
        va_list ap;
        va_start(ap, fmt);
        vsnprintf(why, SKM_WHY_LEN, fmt, ap);
        va_end(ap);
    }
    return SKM_EPARSE;
}

/* How many leading bytes of s[0..n) to quote in a message: at most 32, cut at a UTF-8 character
 * boundary so that the message itself stays valid UTF-8. */
static int snip(const char *s, size_t n)
{
    if (n <= 32)
        return (int)n;
    size_t k = 32;
    while (k > 0 && ((unsigned char)s[k] & 0xC0) == 0x80)
        --k;
    return (int)k;
}

/* Case-insensitive comparison of s[0..n) with a lower-case NUL-terminated word. */
static int word_eq(const char *s, size_t n, const char *word)
{
    size_t k = 0;
    for (; k < n; ++k)
        if (word[k] == '\0' || to_lower(s[k]) != word[k])
            return 0;
    return word[k] == '\0';
}

/* ------------------------------------------------------------------------------------------ */
/* Skill lists                                                                                */
/* ------------------------------------------------------------------------------------------ */

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Read `digits` hex digits at s[i..). Returns the value, or -1 if they are missing or not hex. */
static long hex_run(const char *s, size_t n, size_t i, int digits)
{
    if (n - i < (size_t)digits)
        return -1;
    long v = 0;
    for (int k = 0; k < digits; ++k) {
        int h = hex_value(s[i + (size_t)k]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    return v;
}

/* The slow path of a quoted item: decode s[start..) up to the closing quote `q` into `scratch`.
 * The escapes are the union of JSON's (\" \\ \/ \b \f \n \r \t \uXXXX with surrogate pairs) and
 * Python's (\' \a \v \xHH \UXXXXXXXX); any other escape is an error rather than Python's
 * "keep the backslash", because repr() never writes one. An escape that would produce a NUL or a
 * lone surrogate is an error too: neither can be a skill name. On success *end is the index just
 * past the closing quote. */
static int decode_quoted(const char *s, size_t n, size_t start, char q, skm_buf *scratch,
                         size_t *end, char *why)
{
    scratch->len = 0;
    if (skm_buf_reserve(scratch, n - start) != SKM_OK)
        return SKM_ENOMEM;
    size_t i = start;
    while (i < n) {
        /* Copy the run of plain bytes in one go. */
        size_t j = i;
        while (j < n && s[j] != q && s[j] != '\\' &&
               ((unsigned char)s[j] >= 0x20 || s[j] == '\t'))
            ++j;
        if (j > i && skm_buf_append(scratch, s + i, j - i) != SKM_OK)
            return SKM_ENOMEM;
        i = j;
        if (i >= n)
            break;
        char c = s[i];
        if (c == q) {
            *end = i + 1;
            return SKM_OK;
        }
        if (c != '\\')
            return fail(why, "control character in a list item at byte %zu", i);
        if (++i >= n)
            break;
        char e = s[i++];
        char lit = 0;
        long cp = -1;
        switch (e) {
        case '"': case '\'': case '\\': case '/': lit = e; break;
        case 'b': lit = '\b'; break;
        case 'f': lit = '\f'; break;
        case 'n': lit = '\n'; break;
        case 'r': lit = '\r'; break;
        case 't': lit = '\t'; break;
        case 'a': lit = '\a'; break;
        case 'v': lit = '\v'; break;
        case 'x':
            cp = hex_run(s, n, i, 2);
            i += 2;
            break;
        case 'u':
            cp = hex_run(s, n, i, 4);
            i += 4;
            if (cp >= 0xD800 && cp <= 0xDBFF) {
                /* A high surrogate must be followed by an escaped low surrogate (JSON's way of
                 * writing a code point above U+FFFF). */
                long lo = (i + 1 < n && s[i] == '\\' && s[i + 1] == 'u') ? hex_run(s, n, i + 2, 4)
                                                                          : -1;
                if (lo < 0xDC00 || lo > 0xDFFF)
                    return fail(why, "unpaired surrogate escape at byte %zu", i - 6);
                cp = 0x10000 + ((cp - 0xD800) << 10) + (lo - 0xDC00);
                i += 6;
            } else if (cp >= 0xDC00 && cp <= 0xDFFF) {
                return fail(why, "unpaired surrogate escape at byte %zu", i - 6);
            }
            break;
        case 'U':
            cp = hex_run(s, n, i, 8);
            i += 8;
            if (cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF))
                return fail(why, "invalid code point escape at byte %zu", i - 10);
            break;
        default:
            return fail(why, "unknown escape '\\%c' at byte %zu",
                        (unsigned char)e >= 0x20 && (unsigned char)e < 0x7F ? e : '?', i - 2);
        }
        if (lit) {
            if (skm_buf_putc(scratch, lit) != SKM_OK)
                return SKM_ENOMEM;
            continue;
        }
        if (cp < 0 || i > n)
            return fail(why, "bad hex digits in escape '\\%c'", e);
        if (cp == 0)
            return fail(why, "escaped NUL in a list item");
        if (skm_utf8_put(scratch, (uint32_t)cp) != SKM_OK)
            return SKM_ENOMEM; /* cp was checked above, so only allocation can fail */
    }
    return fail(why, "unterminated string in list (opened at byte %zu)", start - 1);
}

/* A quoted item starting at s[*pi] (the quote). Without escapes the item is s's own bytes;
 * with escapes it is decoded into `scratch`. Advances *pi past the closing quote. */
static int quoted_item(const char *s, size_t n, size_t *pi, skm_buf *scratch, const char **item,
                       size_t *len, char *why)
{
    char q = s[*pi];
    size_t start = *pi + 1;
    for (size_t j = start; j < n; ++j) {
        char c = s[j];
        if (c == q) {
            *item = s + start;
            *len = j - start;
            *pi = j + 1;
            return SKM_OK;
        }
        if (c == '\\')
            break;
        /* Raw line breaks end a Python string and are not allowed in a JSON one. */
        if ((unsigned char)c < 0x20 && c != '\t')
            return fail(why, "control character in a list item at byte %zu", j);
    }
    size_t end = 0;
    int rc = decode_quoted(s, n, start, q, scratch, &end, why);
    if (rc != SKM_OK)
        return rc;
    *item = scratch->ptr;
    *len = scratch->len;
    *pi = end;
    return SKM_OK;
}

/* A number in a list: [+-]? (digits [. digits*] | . digits) ([eE] [+-]? digits)? */
static int is_number_token(const char *s, size_t n)
{
    size_t i = 0, d = 0;
    if (i < n && (s[i] == '+' || s[i] == '-'))
        ++i;
    while (i < n && is_digit(s[i]))
        ++i, ++d;
    if (i < n && s[i] == '.') {
        ++i;
        while (i < n && is_digit(s[i]))
            ++i, ++d;
    }
    if (d == 0)
        return 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            ++i;
        size_t e = 0;
        while (i < n && is_digit(s[i]))
            ++i, ++e;
        if (e == 0)
            return 0;
    }
    return i == n;
}

static int is_bool_token(const char *s, size_t n)
{
    return (n == 4 && (memcmp(s, "true", 4) == 0 || memcmp(s, "True", 4) == 0)) ||
           (n == 5 && (memcmp(s, "false", 5) == 0 || memcmp(s, "False", 5) == 0));
}

static int is_token_char(char c)
{
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || is_digit(c) || c == '+' ||
           c == '-' || c == '.' || c == '_';
}

/* A list literal: s[0] == '[' and s has been trimmed. When fn is NULL the literal is only checked
 * (escapes are still decoded, into scratch, which is how they are validated). */
static int list_literal(const char *s, size_t n, skm_buf *scratch, skm_list_item_fn fn, void *user,
                        char *why)
{
    size_t i = 1;
    while (i < n && is_blank(s[i]))
        ++i;
    if (i < n && s[i] == ']') {
        ++i;
        goto tail;
    }
    for (;;) {
        if (i >= n)
            return fail(why, "unterminated list: no closing ']'");
        const char *item = NULL;
        size_t len = 0;
        int skip = 0;
        char c = s[i];
        /* Python 2's repr wrote u'sql'. */
        if ((c == 'u' || c == 'U') && i + 1 < n && (s[i + 1] == '\'' || s[i + 1] == '"'))
            c = s[++i];
        if (c == '\'' || c == '"') {
            int rc = quoted_item(s, n, &i, scratch, &item, &len, why);
            if (rc != SKM_OK)
                return rc;
        } else if (c == '[' || c == '{' || c == '(') {
            return fail(why, "nested %s in list at byte %zu",
                        c == '[' ? "list" : c == '{' ? "object" : "tuple", i);
        } else if (c == ',' || c == ']') {
            return fail(why, "missing item before '%c' at byte %zu", c, i);
        } else {
            size_t j = i;
            while (j < n && is_token_char(s[j]))
                ++j;
            if (j == i)
                return fail(why, "unexpected character in list at byte %zu", i);
            item = s + i;
            len = j - i;
            /* Case-sensitive, as in the two grammars: Python's None and JSON's null are skipped;
             * numbers and the booleans of either language pass as their text. */
            skip = (len == 4 && memcmp(item, "None", 4) == 0) ||
                   (len == 4 && memcmp(item, "null", 4) == 0);
            if (!skip && !is_number_token(item, len) && !is_bool_token(item, len))
                return fail(why, "unquoted list item '%.*s' at byte %zu", snip(item, len), item,
                            i);
            i = j;
        }
        if (fn && !skip) {
            int rc = fn(user, item, len);
            if (rc != SKM_OK)
                return rc;
        }
        while (i < n && is_blank(s[i]))
            ++i;
        if (i >= n)
            return fail(why, "unterminated list: no closing ']'");
        if (s[i] == ']') {
            ++i;
            break;
        }
        if (s[i] != ',')
            return fail(why, "missing ',' between list items at byte %zu", i);
        ++i;
        while (i < n && is_blank(s[i]))
            ++i;
        if (i < n && s[i] == ']') { /* a trailing comma, as Python allows */
            ++i;
            break;
        }
    }
tail:
    while (i < n && is_blank(s[i]))
        ++i;
    if (i < n)
        return fail(why, "text after the closing ']' at byte %zu", i);
    return SKM_OK;
}

int skm_parse_list(const char *s, size_t n, skm_buf *scratch, skm_list_item_fn fn, void *user,
                   char why[SKM_WHY_LEN])
{
    skm_trim(&s, &n);
    if (n == 0)
        return SKM_OK;
    if (s[0] == '[') {
        /* Check the whole literal before delivering any item, so that a malformed field never
         * hands the caller a partial list it would have to take back. The second pass cannot
         * fail for syntax. */
        int rc = list_literal(s, n, scratch, NULL, NULL, why);
        if (rc != SKM_OK)
            return rc;
        return list_literal(s, n, scratch, fn, user, why);
    }
    /* A separated string: every item is trimmed, empty items are dropped. */
    size_t i = 0;
    while (i < n) {
        size_t j = i;
        while (j < n && s[j] != ',' && s[j] != ';' && s[j] != '|')
            ++j;
        const char *item = s + i;
        size_t len = j - i;
        skm_trim(&item, &len);
        if (len) {
            int rc = fn(user, item, len);
            if (rc != SKM_OK)
                return rc;
        }
        i = j + 1;
    }
    return SKM_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Skill-name normalisation                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* The byte length of the white-space character at s[0..n), or 0. White space is the Unicode
 * White_Space property: the ASCII blanks, U+0085, U+00A0 (NBSP), U+1680, U+2000..U+200A,
 * U+2028, U+2029, U+202F, U+205F and U+3000. */
static size_t space_len(const unsigned char *s, size_t n)
{
    unsigned c = s[0];
    if (c < 0x80)
        return is_blank((char)c) ? 1 : 0;
    if (c == 0xC2 && n >= 2 && (s[1] == 0x85 || s[1] == 0xA0))
        return 2;
    if (n < 3)
        return 0;
    if (c == 0xE1)
        return s[1] == 0x9A && s[2] == 0x80 ? 3 : 0;
    if (c == 0xE2) {
        if (s[1] == 0x80)
            return (s[2] <= 0x8A || s[2] == 0xA8 || s[2] == 0xA9 || s[2] == 0xAF) && s[2] >= 0x80
                       ? 3
                       : 0;
        return s[1] == 0x81 && s[2] == 0x9F ? 3 : 0;
    }
    if (c == 0xE3)
        return s[1] == 0x80 && s[2] == 0x80 ? 3 : 0;
    return 0;
}

/* Narrow [*b, *e) so that it neither starts nor ends with white space. */
static void trim_unicode(const unsigned char **b, const unsigned char **e)
{
    const unsigned char *p = *b, *q = *e;
    size_t k;
    while (p < q && (k = space_len(p, (size_t)(q - p))) > 0)
        p += k;
    /* From the end: the white-space characters are 1, 2 or 3 bytes long. */
    while (p < q) {
        size_t avail = (size_t)(q - p);
        if (space_len(q - 1, 1) == 1)
            q -= 1;
        else if (avail >= 2 && space_len(q - 2, 2) == 2)
            q -= 2;
        else if (avail >= 3 && space_len(q - 3, 3) == 3)
            q -= 3;
        else
            break;
    }
    *b = p;
    *e = q;
}

int skm_skill_normalise(const char *s, size_t n, skm_buf *out)
{
    out->len = 0;
    if (skm_buf_reserve(out, n) != SKM_OK) /* the result is never longer than the input */
        return SKM_ENOMEM;
    const unsigned char *b = (const unsigned char *)s, *e = b + n;
    trim_unicode(&b, &e);
    /* One pair of surrounding quotes, then whatever blank space they enclosed. */
    if (e - b >= 2 && (b[0] == '\'' || b[0] == '"') && e[-1] == b[0]) {
        ++b;
        --e;
        trim_unicode(&b, &e);
    }
    char *o = out->ptr;
    size_t len = 0;
    while (b < e) {
        size_t k = space_len(b, (size_t)(e - b));
        if (k) {
            /* A run of white space becomes one space; trimming guarantees a non-space follows. */
            while (b < e && (k = space_len(b, (size_t)(e - b))) > 0)
                b += k;
            o[len++] = ' ';
        } else {
            o[len++] = to_lower((char)*b++);
        }
    }
    o[len] = '\0';
    out->len = len;
    return SKM_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Salary amounts                                                                             */
/* ------------------------------------------------------------------------------------------ */

/* Significant digits kept for strtod(); a longer mantissa is rejected ("number too long").
 * 40 digits is more than twice what a double can tell apart. */
#define SKM_AMOUNT_DIGITS 40

/* The powers of ten that are exact in a double: 10^k = 5^k · 2^k and 5^22 < 2^53. */
static const double pow10_exact[] = {1e0,  1e1,  1e2,  1e3,  1e4,  1e5,  1e6,  1e7,
                                     1e8,  1e9,  1e10, 1e11, 1e12, 1e13, 1e14, 1e15,
                                     1e16, 1e17, 1e18, 1e19, 1e20, 1e21, 1e22};

/* Convert the decimal D · 10^exp10, D given as nd significant digits (no leading or trailing
 * zeros), to the nearest double. Small cases use Clinger's fast path (an exact integer times or
 * divided by an exact power of ten is one correctly rounded operation); the rest go to strtod()
 * as "DIGITSe<exp>" — with no radix character, so the locale's decimal point plays no part. */
static double decimal_to_double(const char *digits, size_t nd, int64_t exp10)
{
    if (nd == 0)
        return 0.0;
    if (nd <= 15 && exp10 >= -22 && exp10 <= 22) {
        uint64_t m = 0;
        for (size_t k = 0; k < nd; ++k)
            m = m * 10 + (uint64_t)(digits[k] - '0');
        double v = (double)m; /* exact: m < 10^15 < 2^53 */
        return exp10 >= 0 ? v * pow10_exact[exp10] : v / pow10_exact[-exp10];
    }
    if ((int64_t)nd + exp10 > 310) /* >= 10^310: certainly beyond DBL_MAX */
        return HUGE_VAL;
    if ((int64_t)nd + exp10 < -330) /* < 10^-330: below the smallest subnormal */
        return 0.0;
    char buf[SKM_AMOUNT_DIGITS + 16];
    memcpy(buf, digits, nd);
    size_t k = nd;
    buf[k++] = 'e';
    if (exp10 < 0) {
        buf[k++] = '-';
        exp10 = -exp10;
    }
    char rev[8];
    size_t r = 0;
    do {
        rev[r++] = (char)('0' + exp10 % 10);
        exp10 /= 10;
    } while (exp10 > 0);
    while (r)
        buf[k++] = rev[--r];
    buf[k] = '\0';
    return strtod(buf, NULL);
}

int skm_parse_amount(const char *s, size_t n, double *out, char why[SKM_WHY_LEN])
{
    *out = NAN;
    skm_trim(&s, &n);
    if (n == 0)
        return SKM_OK;
    size_t i = 0;
    if (s[0] == '+') {
        i = 1;
    } else if (s[0] == '-') {
        if (n > 1 && (is_digit(s[1]) || s[1] == '.'))
            return fail(why, "negative salary '%.*s'", snip(s, n), s);
        return fail(why, "not a number: '%.*s'", snip(s, n), s);
    }
    /* Mantissa digits: leading zeros are dropped, and a run of zeros is held back in `zeros`
     * until a non-zero digit follows (trailing zeros only scale the exponent). */
    char dig[SKM_AMOUNT_DIGITS];
    size_t nd = 0, zeros = 0, n_digits = 0;
    int64_t frac = 0; /* fraction digits seen */
    int in_frac = 0;
    size_t group = 0;       /* digits in the current integer group */
    int grouped = 0;        /* a ',' was seen */
    for (; i < n; ++i) {
        char c = s[i];
        if (is_digit(c)) {
            ++n_digits;
            if (in_frac)
                ++frac;
            else
                ++group;
            if (c == '0') {
                if (nd > 0)
                    ++zeros;
                continue;
            }
            if (nd + zeros + 1 > SKM_AMOUNT_DIGITS)
                return fail(why, "number too long: '%.*s...'", snip(s, n), s);
            memset(dig + nd, '0', zeros);
            nd += zeros;
            zeros = 0;
            dig[nd++] = c;
        } else if (c == ',' && !in_frac) {
            /* Thousands separators: the first group has 1 to 3 digits, every later one 3. */
            if (group == 0 || group > 3 || (grouped && group != 3))
                return fail(why, "bad thousands grouping in '%.*s'", snip(s, n), s);
            grouped = 1;
            group = 0;
        } else if (c == '.' && !in_frac) {
            if (grouped && group != 3)
                return fail(why, "bad thousands grouping in '%.*s'", snip(s, n), s);
            in_frac = 1;
        } else {
            break;
        }
    }
    if (!in_frac && grouped && group != 3)
        return fail(why, "bad thousands grouping in '%.*s'", snip(s, n), s);
    if (n_digits == 0)
        return fail(why, "not a number: '%.*s'", snip(s, n), s);
    int64_t exp10 = 0;
    if (i < n && (s[i] == 'e' || s[i] == 'E')) {
        ++i;
        int neg = 0;
        if (i < n && (s[i] == '+' || s[i] == '-'))
            neg = s[i++] == '-';
        size_t e0 = i;
        for (; i < n && is_digit(s[i]); ++i)
            if (exp10 < 1000000000000000) /* saturate: far beyond any representable value */
                exp10 = exp10 * 10 + (s[i] - '0');
        if (i == e0)
            return fail(why, "not a number: '%.*s'", snip(s, n), s);
        if (neg)
            exp10 = -exp10;
    }
    if (i < n)
        return fail(why, "not a number: '%.*s'", snip(s, n), s);
    double v = decimal_to_double(dig, nd, exp10 - frac + (int64_t)zeros);
    if (!isfinite(v))
        return fail(why, "salary out of range: '%.*s'", snip(s, n), s);
    *out = v;
    return SKM_OK;
}

/* ------------------------------------------------------------------------------------------ */
/* Pay periods and annualisation                                                              */
/* ------------------------------------------------------------------------------------------ */

static const struct {
    const char *word;
    int period;
} period_words[] = {
    {"year", SKM_PERIOD_YEAR},     {"years", SKM_PERIOD_YEAR},   {"yearly", SKM_PERIOD_YEAR},
    {"annual", SKM_PERIOD_YEAR},   {"annually", SKM_PERIOD_YEAR}, {"annum", SKM_PERIOD_YEAR},
    {"yr", SKM_PERIOD_YEAR},       {"yrs", SKM_PERIOD_YEAR},     {"month", SKM_PERIOD_MONTH},
    {"months", SKM_PERIOD_MONTH},  {"monthly", SKM_PERIOD_MONTH}, {"mo", SKM_PERIOD_MONTH},
    {"mos", SKM_PERIOD_MONTH},     {"mth", SKM_PERIOD_MONTH},    {"week", SKM_PERIOD_WEEK},
    {"weeks", SKM_PERIOD_WEEK},    {"weekly", SKM_PERIOD_WEEK},  {"wk", SKM_PERIOD_WEEK},
    {"wks", SKM_PERIOD_WEEK},      {"day", SKM_PERIOD_DAY},      {"days", SKM_PERIOD_DAY},
    {"daily", SKM_PERIOD_DAY},     {"hour", SKM_PERIOD_HOUR},    {"hours", SKM_PERIOD_HOUR},
    {"hourly", SKM_PERIOD_HOUR},   {"hr", SKM_PERIOD_HOUR},      {"hrs", SKM_PERIOD_HOUR},
};

int skm_parse_period(const char *s, size_t n, int *period, char why[SKM_WHY_LEN])
{
    *period = SKM_PERIOD_UNKNOWN;
    skm_trim(&s, &n);
    if (n == 0)
        return SKM_OK;
    /* Lower-case into a small buffer with blank runs collapsed, so that "Per  Year" matches. */
    char w[24];
    size_t len = 0;
    for (size_t i = 0; i < n; ++i) {
        if (len == sizeof w)
            return fail(why, "unknown pay period '%.*s'", snip(s, n), s);
        if (is_blank(s[i])) {
            if (w[len - 1] != ' ')
                w[len++] = ' ';
        } else {
            w[len++] = to_lower(s[i]);
        }
    }
    /* Accepted prefixes: "per year", "a year", "an hour", "/yr", "/ yr". */
    const char *p = w;
    size_t m = len;
    static const char *const prefixes[] = {"per ", "a ", "an ", "/ ", "/"};
    for (size_t k = 0; k < sizeof prefixes / sizeof prefixes[0]; ++k) {
        size_t pl = strlen(prefixes[k]);
        if (m > pl && memcmp(p, prefixes[k], pl) == 0) {
            p += pl;
            m -= pl;
            break;
        }
    }
    for (size_t k = 0; k < sizeof period_words / sizeof period_words[0]; ++k) {
        if (strlen(period_words[k].word) == m && memcmp(period_words[k].word, p, m) == 0) {
            *period = period_words[k].period;
            return SKM_OK;
        }
    }
    return fail(why, "unknown pay period '%.*s'", snip(s, n), s);
}

double skm_annualise(double amount, int period, double hours_per_year)
{
    switch (period) {
    case SKM_PERIOD_HOUR: return amount * hours_per_year;
    case SKM_PERIOD_DAY: return amount * (hours_per_year / 8.0);
    case SKM_PERIOD_WEEK: return amount * 52.0;
    case SKM_PERIOD_MONTH: return amount * 12.0;
    case SKM_PERIOD_YEAR: return amount;
    default: return NAN; /* unknown period: no annual figure (NaN amounts stay NaN above) */
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Dates                                                                                      */
/* ------------------------------------------------------------------------------------------ */

/* Days from 1970-01-01 to y-m-d in the proleptic Gregorian calendar (Howard Hinnant,
 * "chrono-Compatible Low-Level Date Algorithms", days_from_civil). Exact for every year here;
 * no timegm/mktime, which depend on the time zone database and a 32-bit-safe time_t. */
static int64_t days_from_civil(int64_t y, unsigned m, unsigned d)
{
    y -= m <= 2;
    const int64_t era = (y >= 0 ? y : y - 399) / 400;
    const unsigned yoe = (unsigned)(y - era * 400);                             /* [0, 399] */
    const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;       /* [0, 365] */
    const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;                 /* [0, 146096] */
    return era * 146097 + (int64_t)doe - 719468;
}

static unsigned days_in_month(unsigned y, unsigned m)
{
    static const unsigned char dim[12] = {31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
    if (m == 2 && y % 4 == 0 && (y % 100 != 0 || y % 400 == 0))
        return 29;
    return dim[m - 1];
}

/* `k` decimal digits at s[i..), or -1. */
static int fixed_digits(const char *s, size_t n, size_t i, int k)
{
    if (n < i || n - i < (size_t)k)
        return -1;
    int v = 0;
    for (int j = 0; j < k; ++j) {
        char c = s[i + (size_t)j];
        if (!is_digit(c))
            return -1;
        v = v * 10 + (c - '0');
    }
    return v;
}

/* 1899-12-30, day 0 of the serial numbering, is this many days before 1970-01-01.
 * (The epoch of LibreOffice, pandas and Excel from 1900-03-01 on; Excel's fictitious 1900-02-29
 * is not reproduced, so serial 1..60 differ from Excel's by a day — the contract fixes the epoch.) */
#define SKM_SERIAL_UNIX_DAYS 25569
#define SKM_SERIAL_MAX 2958465 /* 9999-12-31 */
/* Fraction digits of a serial number that take part in the rounding: 10^-12 day is 86 ns, so
 * further digits could only matter within 86 ns of a half second. 10^12 · 86400 fits in int64. */
#define SKM_SERIAL_FRAC_DIGITS 12

/* A serial day number: digits, optionally '.' and digits (s is trimmed and all digits/'.'). The
 * time of day is rounded to the nearest second (half up): spreadsheets store it as a binary
 * fraction, so 09:36 comes back as 09:35:59.99999... */
static int parse_serial(const char *s, size_t n, int64_t *out, char *why)
{
    size_t i = 0;
    int64_t day = 0;
    for (; i < n && is_digit(s[i]); ++i) {
        if (day > SKM_SERIAL_MAX)
            break; /* keep consuming in the range check below */
        day = day * 10 + (s[i] - '0');
    }
    while (i < n && is_digit(s[i]))
        ++i;
    int64_t num = 0, den = 1;
    if (i < n && s[i] == '.') {
        ++i;
        for (size_t f0 = i; i < n && is_digit(s[i]); ++i) {
            if (i - f0 < SKM_SERIAL_FRAC_DIGITS) {
                num = num * 10 + (s[i] - '0');
                den *= 10;
            }
        }
    }
    if (i != n || day < 1 || day > SKM_SERIAL_MAX)
        return fail(why, "serial day number '%.*s' outside 1..%d", snip(s, n), s,
                    SKM_SERIAL_MAX);
    const int64_t secs = (num * 86400 * 2 + den) / (2 * den); /* round half up; may be 86400 */
    *out = (day - SKM_SERIAL_UNIX_DAYS) * 86400 + secs;
    return SKM_OK;
}

/* ISO 8601 / RFC 3339 subset (s is trimmed):
 *   YYYY-MM-DD [ ('T'|'t'|' ') hh:mm [ :ss [ ('.'|',') digits ] ] [ 'Z'|'z' | ±hh:mm | ±hhmm ] ]
 * Decisions:
 *   - Every field has its full width ("2023-1-5" is rejected); years 0000..9999.
 *   - The calendar is checked: month 1..12, day within the month (leap years per Gregorian rules),
 *     hour 0..23 (no "24:00"), minute 0..59, second 0..60.
 *   - A leap second ":60" is accepted (ISO allows it) and clamped to :59 of the same minute: Unix
 *     time has no leap seconds, and clamping never moves a posting into the next day or year.
 *   - Fractional seconds are truncated (like numpy's datetime64[s] cast): the digits are exact,
 *     unlike a serial number's binary fraction.
 *   - An offset is that of the local time written: UTC = local - offset. Offsets up to ±23:59.
 *     An offset needs a time; "2023-01-25Z" is rejected. */
static int parse_iso(const char *s, size_t n, int64_t *out, char *why)
{
    int y = fixed_digits(s, n, 0, 4), mo = fixed_digits(s, n, 5, 2), d = fixed_digits(s, n, 8, 2);
    if (y < 0 || mo < 0 || d < 0 || s[4] != '-' || s[7] != '-')
        return fail(why, "not a date (want YYYY-MM-DD or a serial day number): '%.*s'",
                    snip(s, n), s);
    if (mo < 1 || mo > 12)
        return fail(why, "month out of range in '%.*s'", snip(s, n), s);
    if (d < 1 || (unsigned)d > days_in_month((unsigned)y, (unsigned)mo))
        return fail(why, "day out of range in '%.*s'", snip(s, n), s);
    int64_t t = days_from_civil(y, (unsigned)mo, (unsigned)d) * 86400;
    size_t i = 10;
    if (i == n) {
        *out = t;
        return SKM_OK;
    }
    if (s[i] != 'T' && s[i] != 't' && s[i] != ' ')
        return fail(why, "unexpected text after the date in '%.*s'", snip(s, n), s);
    ++i;
    int hh = fixed_digits(s, n, i, 2), mi = fixed_digits(s, n, i + 3, 2), ss = 0;
    if (hh < 0 || mi < 0 || s[i + 2] != ':')
        return fail(why, "bad time (want hh:mm[:ss]) in '%.*s'", snip(s, n), s);
    i += 5;
    if (i < n && s[i] == ':') {
        ss = fixed_digits(s, n, i + 1, 2);
        if (ss < 0)
            return fail(why, "bad seconds in '%.*s'", snip(s, n), s);
        i += 3;
        if (i < n && (s[i] == '.' || s[i] == ',')) {
            size_t f0 = ++i;
            while (i < n && is_digit(s[i]))
                ++i;
            if (i == f0)
                return fail(why, "bad fractional seconds in '%.*s'", snip(s, n), s);
        }
    }
    if (hh > 23 || mi > 59 || ss > 60)
        return fail(why, "time out of range in '%.*s'", snip(s, n), s);
    if (ss == 60)
        ss = 59;
    t += hh * 3600 + mi * 60 + ss;
    if (i < n && (s[i] == 'Z' || s[i] == 'z')) {
        ++i;
    } else if (i < n && (s[i] == '+' || s[i] == '-')) {
        int sign = s[i] == '-' ? -1 : 1;
        int oh = fixed_digits(s, n, i + 1, 2), om;
        i += 3;
        if (i < n && s[i] == ':')
            ++i;
        om = fixed_digits(s, n, i, 2);
        i += 2;
        if (oh < 0 || om < 0 || oh > 23 || om > 59)
            return fail(why, "bad UTC offset in '%.*s'", snip(s, n), s);
        t -= sign * (oh * 3600 + om * 60);
    }
    if (i != n)
        return fail(why, "unexpected text after the time in '%.*s'", snip(s, n), s);
    *out = t;
    return SKM_OK;
}

/* Which form: a field of digits with at most one '.' is a serial number — including a bare
 * 4-digit "2023", which is serial day 2023 (1905-07-15), not a year: ISO forms need YYYY-MM-DD,
 * so the two never overlap. Anything else must be ISO. */
int skm_parse_date(const char *s, size_t n, int64_t *unix_seconds, char why[SKM_WHY_LEN])
{
    *unix_seconds = SKM_DATE_MISSING;
    skm_trim(&s, &n);
    if (n == 0)
        return SKM_OK;
    size_t dots = 0, i = 0;
    for (; i < n; ++i) {
        if (s[i] == '.')
            ++dots;
        else if (!is_digit(s[i]))
            break;
    }
    int64_t t = 0;
    int rc = (i == n && dots <= 1) ? parse_serial(s, n, &t, why) : parse_iso(s, n, &t, why);
    if (rc == SKM_OK)
        *unix_seconds = t;
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Booleans                                                                                   */
/* ------------------------------------------------------------------------------------------ */

int skm_parse_bool(const char *s, size_t n, int8_t *out, char why[SKM_WHY_LEN])
{
    *out = -1;
    skm_trim(&s, &n);
    if (n == 0)
        return SKM_OK;
    static const char *const yes[] = {"1", "true", "yes", "y", "t"};
    static const char *const no[] = {"0", "false", "no", "n", "f"};
    for (size_t k = 0; k < sizeof yes / sizeof yes[0]; ++k) {
        if (word_eq(s, n, yes[k])) {
            *out = 1;
            return SKM_OK;
        }
        if (word_eq(s, n, no[k])) {
            *out = 0;
            return SKM_OK;
        }
    }
    return fail(why, "not a boolean: '%.*s'", snip(s, n), s);
}
