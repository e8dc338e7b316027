/*
 * salary_text.c — a salary read out of a salary cell or a job description (the rules are in
 * salary_text.h).
 *
 * Structure. One forward scan over the bytes finds "starts" (a digit at a word boundary, or a
 * currency mark) and reads an expression there: read_amount (currency, number, multiplier,
 * currency), then read_expr (period, range separator, second amount, period, open-range words,
 * prefix words looked up backwards). A failed read resumes after the token it looked at, and a
 * successful one after the expression, so every byte is visited a bounded number of times: all
 * look-arounds are bounded (a few blanks, four words back, three words or 40 bytes ahead), except
 * digit runs, which are each read at most twice (once as the top of a range, once on their own).
 *
 * Numbers: the separators are resolved here (see the header), the digits are copied into a small
 * "DDD.FFF" buffer and converted by skm_parse_amount (ingest/fields.c), which rounds correctly
 * and ignores the locale; a multiplier becomes its exponent ("1.2e6") so that "1.2M" is exact.
 * Period words are looked up with skm_parse_period; only the few extra spellings it does not know
 * (ph, pa, pcm, per diem, /h, /d, /y, p.a.) are handled here.
 */
#include <math.h>
#include <stdio.h>
#include <string.h>

#include "salary_text.h"

/* ------------------------------------------------------------------------------------------ */
/* Byte classes and words                                                                     */
/* ------------------------------------------------------------------------------------------ */

#define U(s, i) ((unsigned char)(s)[i])

static int is_digit(unsigned char c) { return c >= '0' && c <= '9'; }
static int is_alpha(unsigned char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z'); }
static int is_alnum(unsigned char c) { return is_digit(c) || is_alpha(c); }
static unsigned char lower(unsigned char c)
{
    return c >= 'A' && c <= 'Z' ? (unsigned char)(c + ('a' - 'A')) : c;
}

/* HTML character references that scraped postings keep in their text ("&euro;55.000&nbsp;&ndash;
 * &euro;68.000"): the few that matter to a salary are read as the character they stand for —
 * blanks (also thousands separators between groups of three), dashes (range separators) and
 * currency signs. Matched ignoring ASCII case. */
enum { ENT_BLANK = 1, ENT_DASH = 2, ENT_CURRENCY = 3 };
static const struct {
    const char *ref;
    int kind;
    const char *iso;
} entities[] = {
    {"&nbsp;", ENT_BLANK, NULL},     {"&#160;", ENT_BLANK, NULL},    {"&#xa0;", ENT_BLANK, NULL},
    {"&thinsp;", ENT_BLANK, NULL},   {"&#8201;", ENT_BLANK, NULL},   {"&#8239;", ENT_BLANK, NULL},
    {"&#x202f;", ENT_BLANK, NULL},   {"&ensp;", ENT_BLANK, NULL},    {"&emsp;", ENT_BLANK, NULL},
    {"&ndash;", ENT_DASH, NULL},     {"&mdash;", ENT_DASH, NULL},    {"&minus;", ENT_DASH, NULL},
    {"&#8211;", ENT_DASH, NULL},     {"&#8212;", ENT_DASH, NULL},    {"&#8722;", ENT_DASH, NULL},
    {"&#x2013;", ENT_DASH, NULL},    {"&#x2014;", ENT_DASH, NULL},
    {"&euro;", ENT_CURRENCY, "EUR"}, {"&#8364;", ENT_CURRENCY, "EUR"}, {"&#x20ac;", ENT_CURRENCY, "EUR"},
    {"&pound;", ENT_CURRENCY, "GBP"}, {"&#163;", ENT_CURRENCY, "GBP"}, {"&#xa3;", ENT_CURRENCY, "GBP"},
    {"&yen;", ENT_CURRENCY, "JPY"},  {"&#165;", ENT_CURRENCY, "JPY"}, {"&#xa5;", ENT_CURRENCY, "JPY"},
    {"&#8377;", ENT_CURRENCY, "INR"}, {"&#x20b9;", ENT_CURRENCY, "INR"},
    {"&dollar;", ENT_CURRENCY, "USD"}, {"&#36;", ENT_CURRENCY, "USD"}, {"&#x24;", ENT_CURRENCY, "USD"},
};

/* The byte length of the entity of `kind` at s[i] (0 if none); its currency in *iso. */
static size_t entity_at(const char *s, size_t n, size_t i, int kind, const char **iso)
{
    if (s[i] != '&')
        return 0;
    for (size_t k = 0; k < sizeof entities / sizeof entities[0]; ++k) {
        if (entities[k].kind != kind)
            continue;
        const char *r = entities[k].ref;
        size_t len = 1;
        while (r[len] && i + len < n && lower(U(s, i + len)) == (unsigned char)r[len])
            ++len;
        if (r[len] == '\0') {
            if (iso)
                *iso = entities[k].iso;
            return len;
        }
    }
    return 0;
}

/* s[i] is the ';' closing a character reference ("&nbsp;", "&#160;"): the index of its '&', or
 * (size_t)-1. Such a ';' ends no clause. */
static size_t entity_start(const char *s, size_t i)
{
    if (s[i] != ';')
        return (size_t)-1;
    for (size_t j = i; j > 0 && i - j < 9; --j) {
        unsigned char c = U(s, j - 1);
        if (c == '&')
            return j + 1 < i ? j - 1 : (size_t)-1;
        if (!is_alnum(c) && c != '#')
            return (size_t)-1;
    }
    return (size_t)-1;
}

/* The byte length of a blank between tokens at s[i]: space, tab, U+00A0 (no-break space),
 * U+202F (narrow no-break space), U+2009 (thin space), or one of their HTML references; else 0.
 * Line breaks are not blanks here: an expression never spans lines. */
static size_t blank_len(const char *s, size_t n, size_t i)
{
    unsigned char c = U(s, i);
    if (c == ' ' || c == '\t')
        return 1;
    if (c == '&')
        return entity_at(s, n, i, ENT_BLANK, NULL);
    if (c == 0xC2 && i + 1 < n && U(s, i + 1) == 0xA0)
        return 2;
    if (c == 0xE2 && i + 2 < n && U(s, i + 1) == 0x80 &&
        (U(s, i + 2) == 0xAF || U(s, i + 2) == 0x89))
        return 3;
    return 0;
}

/* Skip at most `max` blanks from i. */
static size_t skip_blanks(const char *s, size_t n, size_t i, int max)
{
    size_t k;
    while (max-- > 0 && i < n && (k = blank_len(s, n, i)) > 0)
        i += k;
    return i;
}

/* The end of the run of ASCII letters at i (i itself when there is none). */
static size_t word_end(const char *s, size_t n, size_t i)
{
    while (i < n && is_alpha(U(s, i)))
        ++i;
    return i;
}

/* s[b..e) equals the lower-case word w, ignoring ASCII case. */
static int ci_eq(const char *s, size_t b, size_t e, const char *w)
{
    size_t k = 0;
    for (; b + k < e; ++k)
        if (w[k] == '\0' || lower(U(s, b + k)) != (unsigned char)w[k])
            return 0;
    return w[k] == '\0';
}

/* s[b..e) is one of the words of a NULL-terminated list. */
static int in_list(const char *s, size_t b, size_t e, const char *const *list)
{
    for (; *list; ++list)
        if (ci_eq(s, b, e, *list))
            return 1;
    return 0;
}

/* A short quote of the field for messages: at most 32 bytes, cut at a UTF-8 boundary. */
static int snip(const char *s, size_t n)
{
    if (n <= 32)
        return (int)n;
    size_t k = 32;
    while (k > 0 && (U(s, k) & 0xC0) == 0x80)
        --k;
    return (int)k;
}

/* ------------------------------------------------------------------------------------------ */
/* Currencies                                                                                 */
/* ------------------------------------------------------------------------------------------ */

/* Marks: `word` marks (letters, "US$", "Rs") need a word boundary before them; codes also need
 * one after them (a digit may follow: "USD150k"). Longer marks come before their suffixes. */
enum { MARK_SYMBOL = 0, MARK_DOLLAR = 1, MARK_CODE = 2, MARK_RS = 3 };
static const struct {
    const char *mark;
    const char *iso;
    int kind;
} currency_marks[] = {
    {"US$", "USD", MARK_DOLLAR},  {"CA$", "CAD", MARK_DOLLAR}, {"CDN$", "CAD", MARK_DOLLAR},
    {"C$", "CAD", MARK_DOLLAR},   {"AU$", "AUD", MARK_DOLLAR}, {"A$", "AUD", MARK_DOLLAR},
    {"NZ$", "NZD", MARK_DOLLAR},  {"SG$", "SGD", MARK_DOLLAR}, {"S$", "SGD", MARK_DOLLAR},
    {"HK$", "HKD", MARK_DOLLAR},  {"MX$", "MXN", MARK_DOLLAR}, {"R$", "BRL", MARK_DOLLAR},
    {"$", "USD", MARK_SYMBOL},
    {"\xC2\xA3", "GBP", MARK_SYMBOL},     /* £ */
    {"\xE2\x82\xAC", "EUR", MARK_SYMBOL}, /* € */
    {"\xE2\x82\xB9", "INR", MARK_SYMBOL}, /* ₹ */
    {"\xE2\x82\xA8", "INR", MARK_SYMBOL}, /* ₨ */
    {"\xC2\xA5", "JPY", MARK_SYMBOL},     /* ¥ */
    {"\xE2\x82\xA9", "KRW", MARK_SYMBOL}, /* ₩ */
    {"\xE2\x82\xAA", "ILS", MARK_SYMBOL}, /* ₪ */
    {"\xE2\x82\xB1", "PHP", MARK_SYMBOL}, /* ₱ */
    {"Rs.", "INR", MARK_RS},      {"Rs", "INR", MARK_RS},      {"RS", "INR", MARK_RS},
    {"USD", "USD", MARK_CODE},    {"CAD", "CAD", MARK_CODE},   {"AUD", "AUD", MARK_CODE},
    {"NZD", "NZD", MARK_CODE},    {"SGD", "SGD", MARK_CODE},   {"HKD", "HKD", MARK_CODE},
    {"GBP", "GBP", MARK_CODE},    {"EUR", "EUR", MARK_CODE},   {"INR", "INR", MARK_CODE},
    {"JPY", "JPY", MARK_CODE},    {"CHF", "CHF", MARK_CODE},   {"CNY", "CNY", MARK_CODE},
    {"RMB", "CNY", MARK_CODE},    {"SEK", "SEK", MARK_CODE},   {"NOK", "NOK", MARK_CODE},
    {"DKK", "DKK", MARK_CODE},    {"PLN", "PLN", MARK_CODE},   {"ZAR", "ZAR", MARK_CODE},
    {"BRL", "BRL", MARK_CODE},    {"MXN", "MXN", MARK_CODE},   {"AED", "AED", MARK_CODE},
    {"KRW", "KRW", MARK_CODE},    {"ILS", "ILS", MARK_CODE},
};

/* The length of the currency mark at s[i] (0 if none) and its ISO code. *dollar (when not NULL)
 * is set for a bare dollar sign: USD unless the expression names another dollar currency
 * ("$150,000 - $175,000 CAD"). */
static size_t currency_at(const char *s, size_t n, size_t i, const char **iso, int *dollar)
{
    unsigned char c = U(s, i);
    if (dollar)
        *dollar = c == '$' || c == '&';
    if (c == '&') {
        size_t len = entity_at(s, n, i, ENT_CURRENCY, iso);
        if (dollar)
            *dollar = len && strcmp(*iso, "USD") == 0;
        return len;
    }
    /* Cheap pre-test: every mark starts with '$', an upper-case letter or a UTF-8 lead byte. */
    if (c != '$' && !(c >= 'A' && c <= 'Z') && c != 0xC2 && c != 0xE2)
        return 0;
    int boundary = i == 0 || !is_alnum(U(s, i - 1));
    for (size_t k = 0; k < sizeof currency_marks / sizeof currency_marks[0]; ++k) {
        const char *m = currency_marks[k].mark;
        if ((unsigned char)m[0] != c)
            continue;
        size_t len = 1;
        while (m[len] && i + len < n && s[i + len] == m[len])
            ++len;
        if (m[len] != '\0')
            continue;
        int kind = currency_marks[k].kind;
        if (kind != MARK_SYMBOL && !boundary)
            continue;
        if ((kind == MARK_CODE || kind == MARK_RS) && i + len < n && is_alpha(U(s, i + len)))
            continue;
        *iso = currency_marks[k].iso;
        if (dollar)
            *dollar = len == 1 && c == '$';
        return len;
    }
    return 0;
}

/* The currencies written with a dollar sign (or "peso" sign) that a bare '$' may stand for. */
static int dollar_family(const char *iso)
{
    static const char *const fam[] = {"USD", "CAD", "AUD", "NZD", "SGD", "HKD", "MXN", NULL};
    for (const char *const *f = fam; *f; ++f)
        if (strcmp(*f, iso) == 0)
            return 1;
    return 0;
}

/* ------------------------------------------------------------------------------------------ */
/* Numbers                                                                                    */
/* ------------------------------------------------------------------------------------------ */

#define MAX_SEPS 6
#define MAX_INT_DIGITS 18
#define MAX_FRAC_DIGITS 12

enum { RD_NONE = 0, RD_OK = 1, RD_BAD = 2, RD_SKIP = 3 };

typedef struct num {
    size_t off, end;   /* the span: currency marks, digits, multiplier */
    char dig[MAX_INT_DIGITS + MAX_FRAC_DIGITS + 2]; /* "DDD" or "DDD.FFF" for skm_parse_amount */
    size_t nd;
    int exp10;         /* the multiplier as a power of ten (0: none) */
    int billion;       /* b/bn/billion */
    int year;          /* "LPA": lakhs per annum */
    int plain;         /* written as a digit run alone (no separator, no fraction) */
    const char *cur;   /* ISO code or NULL */
    int dollar;        /* cur comes from a bare '$' */
    double v;          /* the value with its multiplier */
    double raw;        /* the value without it */
} num;

/* The value of a normalised number times 10^exp10 (0 <= exp10 <= 9). */
static double num_value(const num *a, int exp10)
{
    char buf[sizeof a->dig + 2];
    memcpy(buf, a->dig, a->nd);
    size_t k = a->nd;
    if (exp10 > 0) {
        buf[k++] = 'e';
        buf[k++] = (char)('0' + exp10);
    }
    double v;
    if (skm_parse_amount(buf, k, &v, NULL) != SKM_OK)
        return NAN;
    return v;
}

/* A separator between digit groups at s[i]: its byte length, and its class in *c: ',' '.'
 * '\'' (ASCII or U+2019) or ' ' (no-break, narrow no-break or thin space). */
static size_t sep_len(const char *s, size_t n, size_t i, char *c)
{
    unsigned char b = U(s, i);
    if (b == ',' || b == '.' || b == '\'') {
        *c = (char)b;
        return 1;
    }
    if (b == 0xE2 && i + 2 < n && U(s, i + 1) == 0x80 && U(s, i + 2) == 0x99) {
        *c = '\'';
        return 3;
    }
    size_t k = blank_len(s, n, i);
    if (k > 1) {
        *c = ' ';
        return k;
    }
    return 0;
}

/* Multiplier words: exponent, or 9 with *billion, or 5 with *year for LPA. Detached (after a
 * blank) only whole words count: "5 mm" is a length, "5 cr" unclear. */
static int multiplier(const char *s, size_t b, size_t e, int attached, int *billion, int *year)
{
    static const char *const k3[] = {"thousand", NULL};
    static const char *const k6[] = {"million", "mn", NULL};
    static const char *const k5[] = {"lakh", "lakhs", "lac", "lacs", NULL};
    static const char *const k7[] = {"crore", "crores", NULL};
    static const char *const k9[] = {"billion", "bn", "trillion", "tn", "quadrillion", NULL};
    if (attached && e - b == 1) {
        unsigned char c = lower(U(s, b));
        if (c == 'k')
            return 3;
        if (c == 'm')
            return 6;
        if (c == 'b') {
            *billion = 1;
            return 9;
        }
        return 0;
    }
    if (attached && (ci_eq(s, b, e, "mm") || ci_eq(s, b, e, "cr")))
        return ci_eq(s, b, e, "mm") ? 6 : 7;
    if (in_list(s, b, e, k3))
        return 3;
    if (in_list(s, b, e, k6))
        return 6;
    if (in_list(s, b, e, k5))
        return 5;
    if (in_list(s, b, e, k7))
        return 7;
    if (ci_eq(s, b, e, "lpa")) {
        *year = 1;
        return 5;
    }
    if (in_list(s, b, e, k9)) {
        *billion = 1;
        return 9;
    }
    return 0;
}

/* Letters that may follow a number directly without making it a word ("45hr", "50kpa" no):
 * period words and currency codes are left for the readers after the number. */
static int attached_ok(const char *s, size_t n, size_t b, size_t e)
{
    static const char *const words[] = {"hr", "hrs", "ph",   "pa",   "pcm", "yr",
                                        "yrs", "mo", "hour", "year", "day", "wk", NULL};
    if (in_list(s, b, e, words))
        return 1;
    const char *iso;
    return currency_at(s, n, b, &iso, NULL) == e - b;
}

/* Read an amount at s[i]: [currency] number [multiplier] [currency]. RD_OK fills *a; RD_NONE
 * (not an amount here), RD_BAD (a malformed number; *why says why) and RD_SKIP (a percentage or
 * a retirement plan) set *resume past what was looked at. */
static int read_amount(const char *s, size_t n, size_t i, num *a, size_t *resume, const char **why)
{
    memset(a, 0, sizeof *a);
    a->off = i;
    size_t j = i;
    size_t k = currency_at(s, n, j, &a->cur, &a->dollar);
    if (k) {
        j += k;
        size_t j2 = skip_blanks(s, n, j, 2);
        /* "CAD $95,000", "USD $50": a code and then a dollar sign. */
        if (j2 < n && s[j2] == '$' && k == 3 && is_alpha(U(s, i)) && strchr("UCANSH", s[i]) &&
            s[i + 2] == 'D')
            j2 = skip_blanks(s, n, j2 + 1, 2);
        j = j2;
    }
    if (j >= n || !is_digit(U(s, j))) {
        *resume = i + (k ? k : 1);
        return RD_NONE;
    }

    /* Digit groups and their separators. */
    size_t p = j, d0 = 0;
    while (p < n && is_digit(U(s, p)))
        ++p, ++d0;
    struct {
        char c;
        size_t at, len;
    } sep[MAX_SEPS];
    size_t ns = 0;
    int too_long = d0 > MAX_INT_DIGITS;
    for (;;) {
        char c = 0;
        size_t sl = p < n ? sep_len(s, n, p, &c) : 0;
        if (!sl || p + sl >= n || !is_digit(U(s, p + sl)))
            break;
        size_t q = p + sl, g = 0;
        while (q < n && is_digit(U(s, q)))
            ++q, ++g;
        /* A quote or a space not followed by a group of three is not part of the number. */
        if ((c == '\'' || c == ' ') && g != 3)
            break;
        if (ns == MAX_SEPS) {
            too_long = 1;
        } else {
            sep[ns].c = c;
            sep[ns].at = q - g;
            sep[ns].len = g;
            ++ns;
        }
        p = q;
    }
    size_t e = p; /* the end of the digits */

    /* Letters right after the digits: a multiplier, a period word or a currency code, else the
     * digits are part of a word ("3rd", "10x", "24h7"). */
    int billion = 0, year = 0, exp10 = 0;
    size_t le = word_end(s, n, e);
    if (le < n && le > e && is_digit(U(s, le))) {
        while (le < n && is_alnum(U(s, le)))
            ++le;
        *resume = le;
        return RD_NONE;
    }
    if (le > e) {
        exp10 = multiplier(s, e, le, 1, &billion, &year);
        if (exp10) {
            e = le;
        } else if (!attached_ok(s, n, e, le)) {
            *resume = le;
            return RD_NONE;
        }
    } else {
        size_t b = skip_blanks(s, n, e, 1);
        size_t we = word_end(s, n, b);
        if (b > e && we > b && (we == n || !is_digit(U(s, we)))) {
            exp10 = multiplier(s, b, we, 0, &billion, &year);
            if (exp10)
                e = we;
        }
    }
    /* Retirement plans: 401(k), 401k, 403(b), 457b — never money. */
    if (!a->cur && ns == 0 && d0 == 3 &&
        (memcmp(s + j, "401", 3) == 0 || memcmp(s + j, "403", 3) == 0 ||
         memcmp(s + j, "457", 3) == 0)) {
        size_t r = j + 3;
        if (r < n && (lower(U(s, r)) == 'k' || lower(U(s, r)) == 'b') &&
            (r + 1 >= n || !is_alnum(U(s, r + 1)))) {
            *resume = r + 1;
            return RD_SKIP;
        }
        if (r + 2 < n && s[r] == '(' && (lower(U(s, r + 1)) == 'k' || lower(U(s, r + 1)) == 'b') &&
            s[r + 2] == ')') {
            *resume = r + 3;
            return RD_SKIP;
        }
    }
    /* Percentages: "10%", "20 %", "5 percent", "5 per cent", "3 pct". */
    {
        size_t b = skip_blanks(s, n, e, 1);
        size_t we = word_end(s, n, b);
        if (b < n && s[b] == '%') {
            *resume = b + 1;
            return RD_SKIP;
        }
        if (ci_eq(s, b, we, "percent") || ci_eq(s, b, we, "pct")) {
            *resume = we;
            return RD_SKIP;
        }
        if (ci_eq(s, b, we, "per")) {
            size_t c0 = skip_blanks(s, n, we, 1), c1 = word_end(s, n, c0);
            if (ci_eq(s, c0, c1, "cent")) {
                *resume = c1;
                return RD_SKIP;
            }
        }
    }
    if (too_long) {
        *resume = e;
        *why = "number too long";
        return RD_BAD;
    }

    /* Resolve the separators (rules in the header): `dec` is the index of the decimal mark among
     * them (-1: none); the ones before it are thousands separators. */
    int dec = -1;
    size_t nt = ns; /* thousands separators: sep[0..nt) */
    if (ns > 0) {
        char first = sep[0].c, last = sep[ns - 1].c;
        int same = 1;
        for (size_t t = 1; t + 1 < ns; ++t)
            if (sep[t].c != first)
                same = 0;
        if (ns >= 2 && last != first) {
            if (!same || (last != '.' && last != ','))
                goto bad_grouping;
            dec = (int)(ns - 1);
            nt = ns - 1;
        } else if (ns >= 2 && !same) {
            goto bad_grouping;
        } else if (ns == 1 && first == '.') {
            int thousands = sep[0].len == 3 && d0 <= 3 && !(d0 == 1 && s[j] == '0') && !exp10;
            if (!thousands) {
                dec = 0;
                nt = 0;
            }
        } else if (ns == 1 && first == ',' && sep[0].len <= 2) {
            dec = 0; /* decimal comma: "45,50" */
            nt = 0;
        }
        if (nt > 0) {
            int western = d0 >= 1 && d0 <= 3;
            for (size_t t = 0; t < nt; ++t)
                if (sep[t].len != 3)
                    western = 0;
            int indian = sep[0].c == ',' && nt >= 2 && d0 >= 1 && d0 <= 2 && sep[nt - 1].len == 3;
            for (size_t t = 0; indian && t + 1 < nt; ++t)
                if (sep[t].len != 2)
                    indian = 0;
            if (!western && !indian)
                goto bad_grouping;
        }
        if (dec >= 0 && sep[dec].c == ',' && nt > 0 && sep[dec].len > 2)
            goto bad_grouping; /* "70.000,505" */
    }

    /* Normalise into "DDD[.FFF]". */
    size_t int_digits = d0, frac_digits = dec >= 0 ? sep[dec].len : 0;
    for (size_t t = 0; t < nt; ++t)
        int_digits += sep[t].len;
    if (int_digits > MAX_INT_DIGITS || frac_digits > MAX_FRAC_DIGITS) {
        *resume = e;
        *why = "number too long";
        return RD_BAD;
    }
    memcpy(a->dig, s + j, d0);
    a->nd = d0;
    for (size_t t = 0; t < nt; ++t) {
        memcpy(a->dig + a->nd, s + sep[t].at, sep[t].len);
        a->nd += sep[t].len;
    }
    if (dec >= 0) {
        a->dig[a->nd++] = '.';
        memcpy(a->dig + a->nd, s + sep[dec].at, sep[dec].len);
        a->nd += sep[dec].len;
    }
    a->exp10 = exp10;
    a->billion = billion;
    a->year = year;
    a->plain = ns == 0;
    a->raw = num_value(a, 0);
    a->v = num_value(a, exp10);
    if (!isfinite(a->v) || !isfinite(a->raw)) {
        *resume = e;
        *why = "number out of range";
        return RD_BAD;
    }

    /* A currency mark after the number ("90,000 USD", "70.000 €"), when it is not the mark of
     * a following amount ("$50 $60"). A dollar code after a bare '$' names the dollar. */
    {
        size_t b = skip_blanks(s, n, e, 2);
        const char *iso = NULL;
        int dollar = 0;
        size_t m = b < n ? currency_at(s, n, b, &iso, &dollar) : 0;
        if (m) {
            size_t after = skip_blanks(s, n, b + m, 1);
            int fits = !a->cur || strcmp(a->cur, iso) == 0 ||
                       (a->dollar && !dollar && dollar_family(iso));
            if ((after >= n || !is_digit(U(s, after))) && fits) {
                if (!a->cur) {
                    a->cur = iso;
                    a->dollar = dollar;
                } else if (!dollar) { /* a code settles a bare '$': "$50 USD", "$50 CAD" */
                    a->cur = iso;
                    a->dollar = 0;
                }
                e = b + m;
            }
        }
    }
    a->end = e;
    return RD_OK;

bad_grouping:
    *resume = e;
    *why = "bad digit grouping";
    return RD_BAD;
}

/* ------------------------------------------------------------------------------------------ */
/* Periods                                                                                    */
/* ------------------------------------------------------------------------------------------ */

/* Plural period words: durations ("5 years"), not pay periods — except after '/'. */
static const char *const plural_periods[] = {"years", "yrs",   "months", "mos", "weeks",
                                             "wks",   "days",  "hours",  "hrs", NULL};

typedef struct period_read {
    int period;     /* 0: none */
    int strong;     /* introduced by "per", "a", "an", '/', or an adverb/abbreviation (hourly,
                       annually, ph, pa, p.a.): not a bare noun ("2 week", "40 hour") */
    size_t end;     /* end of the phrase when period > 0 */
    int unit_price; /* "per user", "/seat" */
    int duration;   /* "years" */
} period_read;

/* A period phrase after blanks from j: ["per" | "a" | "an" | "/"] word, or "p.a." / "p.h.",
 * optionally after one of "gross", "net", "brutto", "base", "total" ("€68.000 gross per year";
 * the filler word is taken only when a period follows it). */
static period_read read_period_at(const char *s, size_t n, size_t j, int filler_ok)
{
    static const char *const fillers[] = {"gross", "net", "brutto", "base", "total", NULL};
    period_read r = {0, 0, 0, 0, 0};
    size_t p = skip_blanks(s, n, j, 2);
    if (p >= n)
        return r;
    if (filler_ok) {
        size_t fe = word_end(s, n, p);
        if (fe > p && in_list(s, p, fe, fillers)) {
            period_read f = read_period_at(s, n, fe, 0);
            return f.period ? f : r;
        }
    }
    int slash = 0, per = 0, art = 0;
    if (s[p] == '/') {
        slash = 1;
        p = skip_blanks(s, n, p + 1, 1);
    } else {
        /* "p.a.", "p/a", "p.h.", "p/h" */
        if (p + 2 < n && lower(U(s, p)) == 'p' && (s[p + 1] == '.' || s[p + 1] == '/') &&
            (lower(U(s, p + 2)) == 'a' || lower(U(s, p + 2)) == 'h') &&
            (p + 3 >= n || !is_alnum(U(s, p + 3)))) {
            r.period = lower(U(s, p + 2)) == 'a' ? SKM_PERIOD_YEAR : SKM_PERIOD_HOUR;
            r.end = p + 3 < n && s[p + 3] == '.' ? p + 4 : p + 3;
            r.strong = 1;
            return r;
        }
        size_t we = word_end(s, n, p);
        if (ci_eq(s, p, we, "per")) {
            per = 1;
            p = skip_blanks(s, n, we, 2);
        } else if (ci_eq(s, p, we, "a") || ci_eq(s, p, we, "an")) {
            art = 1;
            p = skip_blanks(s, n, we, 2);
        }
    }
    size_t we = word_end(s, n, p);
    if (we == p || (we < n && is_digit(U(s, we))))
        return r;
    int pd = 0;
    if (per && ci_eq(s, p, we, "diem")) {
        pd = SKM_PERIOD_DAY;
    } else if (slash && we - p == 1) {
        unsigned char c = lower(U(s, p));
        pd = c == 'h'   ? SKM_PERIOD_HOUR
             : c == 'd' ? SKM_PERIOD_DAY
             : c == 'y' ? SKM_PERIOD_YEAR
                        : 0;
    } else if (!slash && !per && !art) {
        if (ci_eq(s, p, we, "ph"))
            pd = SKM_PERIOD_HOUR;
        else if (ci_eq(s, p, we, "pa"))
            pd = SKM_PERIOD_YEAR;
        else if (ci_eq(s, p, we, "pcm"))
            pd = SKM_PERIOD_MONTH;
    }
    if (!pd) {
        int pp = SKM_PERIOD_UNKNOWN;
        if (skm_parse_period(s + p, we - p, &pp, NULL) == SKM_OK && pp != SKM_PERIOD_UNKNOWN) {
            if (!slash && in_list(s, p, we, plural_periods)) {
                r.duration = !per && !art;
                return r;
            }
            pd = pp;
        }
    }
    if (!pd) {
        r.unit_price = slash || per;
        return r;
    }
    static const char *const strong_words[] = {"hourly", "daily",    "weekly", "monthly", "yearly",
                                               "annual", "annually", "ph",     "pa",      "pcm",
                                               NULL};
    r.period = pd;
    r.end = we;
    r.strong = slash || per || art || in_list(s, p, we, strong_words);
    return r;
}

static period_read read_period(const char *s, size_t n, size_t j)
{
    return read_period_at(s, n, j, 1);
}

/* ------------------------------------------------------------------------------------------ */
/* Words before an expression                                                                 */
/* ------------------------------------------------------------------------------------------ */

#define BACK_WORDS 4
#define BACK_BYTES 48

typedef struct back_words {
    size_t n;
    size_t b[BACK_WORDS], e[BACK_WORDS]; /* [0] is the nearest */
    int adjacent[BACK_WORDS];            /* only blanks (and one '.' or ':') up to the next word
                                            or to the expression */
} back_words;

/* Abbreviations whose '.' does not end a sentence. */
static const char *const abbrevs[] = {"max", "min", "approx", "est", "ca", "sal", NULL};

/* Up to four ASCII words before pos, not before lo, within 48 bytes; stops at a sentence end
 * ('.' after a word that is not an abbreviation, '!', '?', ';', a line break). A word is
 * "adjacent" when only ASCII blanks, and at most one '.' or ':' right after the word, separate
 * it from the next word (or from pos). */
static back_words words_before(const char *s, size_t lo, size_t pos)
{
    back_words w;
    w.n = 0;
    size_t lim = pos > lo + BACK_BYTES ? pos - BACK_BYTES : lo;
    size_t i = pos;
    int gap_ok = 1, punct_used = 0;
    while (i > lim && w.n < BACK_WORDS) {
        unsigned char c = U(s, i - 1);
        if (is_alpha(c)) {
            size_t e = i;
            while (i > lim && is_alpha(U(s, i - 1)))
                --i;
            if (i > lim && is_digit(U(s, i - 1)))
                break; /* part of a token like "h1b" */
            w.b[w.n] = i;
            w.e[w.n] = e;
            w.adjacent[w.n] = gap_ok;
            ++w.n;
            gap_ok = 1;
            punct_used = 0;
            continue;
        }
        if (c == ';' && entity_start(s, i - 1) != (size_t)-1 && entity_start(s, i - 1) >= lim) {
            /* a character reference ("&nbsp;") counts as a blank */
            if (!entity_at(s, pos, entity_start(s, i - 1), ENT_BLANK, NULL))
                gap_ok = 0;
            i = entity_start(s, i - 1);
            continue;
        }
        if (c == '!' || c == '?' || c == ';' || c == '\n' || c == '\r')
            break;
        if (c == '.') {
            size_t e = i - 1, b = e;
            while (b > lim && is_alpha(U(s, b - 1)))
                --b;
            if (!in_list(s, b, e, abbrevs))
                break;
        }
        if (c == ' ' || c == '\t') {
            /* a blank keeps words adjacent */
        } else if ((c == '.' || c == ':') && !punct_used && i >= 2 && is_alpha(U(s, i - 2))) {
            punct_used = 1; /* "Max. $100k", "Pay: $45" */
        } else {
            gap_ok = 0;
        }
        --i;
    }
    return w;
}

/* The nearest words before the expression spell `phrase` (NULL-terminated list of words, in
 * reading order), adjacent to each other and to the expression. Returns the index of the first
 * word of the phrase in w, or -1. */
static int phrase_before(const char *s, const back_words *w, const char *const *phrase)
{
    size_t len = 0;
    while (phrase[len])
        ++len;
    if (len == 0 || len > w->n)
        return -1;
    for (size_t k = 0; k < len; ++k) {
        size_t wi = len - 1 - k; /* phrase[k] is word wi (0 = nearest) */
        if (!w->adjacent[wi] || !ci_eq(s, w->b[wi], w->e[wi], phrase[k]))
            return -1;
    }
    return (int)(len - 1);
}

static const char *const *const up_to_phrases[] = {
    (const char *const[]){"up", "to", NULL},     (const char *const[]){"upto", NULL},
    (const char *const[]){"as", "much", "as", NULL},
    (const char *const[]){"maximum", "of", NULL}, (const char *const[]){"maximum", NULL},
    (const char *const[]){"max", "of", NULL},     (const char *const[]){"max", NULL},
    (const char *const[]){"not", "to", "exceed", NULL},
    (const char *const[]){"no", "more", "than", NULL},
};

static const char *const *const and_up_phrases[] = {
    (const char *const[]){"starting", "at", NULL},
    (const char *const[]){"starting", "from", NULL},
    (const char *const[]){"starts", "at", NULL},     (const char *const[]){"starting", NULL},
    (const char *const[]){"from", NULL},             (const char *const[]){"at", "least", NULL},
    (const char *const[]){"minimum", "of", NULL},    (const char *const[]){"minimum", NULL},
    (const char *const[]){"min", "of", NULL},        (const char *const[]){"min", NULL},
    (const char *const[]){"in", "excess", "of", NULL}, (const char *const[]){"more", "than", NULL},
    (const char *const[]){"no", "less", "than", NULL}, (const char *const[]){"over", NULL},
    (const char *const[]){"above", NULL},
};

static const char *const *const range_phrases[] = {
    (const char *const[]){"between", NULL},
    (const char *const[]){"from", NULL},
};

/* The longest matching phrase of a table: the index in w of its first word, or -1. */
static int match_phrases(const char *s, const back_words *w, const char *const *const *table,
                         size_t count)
{
    int best = -1;
    for (size_t k = 0; k < count; ++k) {
        int m = phrase_before(s, w, table[k]);
        if (m > best)
            best = m;
    }
    return best;
}

/* Period adjectives that may come a few words before the amount. */
static const char *const period_adjectives[] = {"hourly", "daily",    "weekly", "monthly",
                                                "yearly", "annual",   "annually", NULL};

/* ------------------------------------------------------------------------------------------ */
/* Expressions                                                                                */
/* ------------------------------------------------------------------------------------------ */

typedef struct expr {
    num a, b;
    int ranged;
    double lo, hi;
    int period;        /* 0 when none was written */
    int period_strong; /* see period_read */
    int period_before; /* the period came from an adjective before the amount */
    unsigned flags;    /* UP_TO / AND_UP */
    const char *cur;
    int mult;          /* some amount carries a multiplier */
    int big_mult;      /* ... of a million or more */
    int billion, unit_price, duration;
    int reversed, mixed; /* a range rejected: bottom above top / two currencies */
    const char *bad_top; /* ... or its top is a malformed number (the reason) */
    size_t off, end;
} expr;

/* Range separators at s[i]: the end of the separator, or 0. */
static size_t range_sep(const char *s, size_t n, size_t i)
{
    if (i >= n)
        return 0;
    unsigned char c = U(s, i);
    if (c == '-' || c == '~')
        return i + 1;
    /* U+2012 figure dash, U+2013 en dash, U+2014 em dash, U+2212 minus sign */
    if (c == 0xE2 && i + 2 < n &&
        ((U(s, i + 1) == 0x80 && U(s, i + 2) >= 0x92 && U(s, i + 2) <= 0x94) ||
         (U(s, i + 1) == 0x88 && U(s, i + 2) == 0x92)))
        return i + 3;
    if (c == '&') {
        size_t len = entity_at(s, n, i, ENT_DASH, NULL);
        return len ? i + len : 0;
    }
    size_t we = word_end(s, n, i);
    if (ci_eq(s, i, we, "to") || ci_eq(s, i, we, "and"))
        return we;
    return 0;
}

/* Words after a single amount that make it an open range: "or more", "and up", ... */
static size_t open_top_words(const char *s, size_t n, size_t j)
{
    size_t p = skip_blanks(s, n, j, 2), we = word_end(s, n, p);
    if (!(ci_eq(s, p, we, "or") || ci_eq(s, p, we, "and")))
        return 0;
    size_t q = skip_blanks(s, n, we, 2), qe = word_end(s, n, q);
    if (ci_eq(s, p, we, "or") && (ci_eq(s, q, qe, "more") || ci_eq(s, q, qe, "higher") ||
                                  ci_eq(s, q, qe, "above") || ci_eq(s, q, qe, "greater")))
        return qe;
    if (ci_eq(s, p, we, "and") && (ci_eq(s, q, qe, "up") || ci_eq(s, q, qe, "above")))
        return qe;
    return 0;
}

/* Read a whole expression starting at s[i]; `lo` bounds the look-back (the end of the previous
 * expression). Same return codes as read_amount. */
static int read_expr(const char *s, size_t n, size_t i, size_t lo, expr *x, size_t *resume,
                     const char **why)
{
    memset(x, 0, sizeof *x);
    int rc = read_amount(s, n, i, &x->a, resume, why);
    if (rc != RD_OK)
        return rc;
    x->off = x->a.off;
    size_t e = x->a.end;
    int plus = 0;
    /* '+' right after the amount, not "+bonus". */
    if (e < n && s[e] == '+' && !(e + 1 < n && is_alpha(U(s, e + 1)))) {
        plus = 1;
        ++e;
    }
    period_read p1 = read_period(s, n, e);
    size_t after_a = p1.period ? p1.end : e;
    x->end = after_a;
    x->period = p1.period;
    x->period_strong = p1.strong;
    x->unit_price = p1.unit_price;
    x->duration = p1.duration;
    x->cur = x->a.cur;
    x->lo = x->hi = x->a.v;

    /* A second amount. */
    if (!plus && !p1.unit_price && !p1.duration) {
        size_t r = skip_blanks(s, n, after_a, 3);
        size_t rs = range_sep(s, n, r);
        if (rs) {
            size_t b0 = skip_blanks(s, n, rs, 3);
            size_t bres = 0;
            const char *bwhy = NULL;
            int rb = b0 < n ? read_amount(s, n, b0, &x->b, &bres, &bwhy) : RD_NONE;
            if (rb == RD_OK) {
                num *a = &x->a, *b = &x->b;
                double lo_v = a->v, hi_v = b->v;
                /* "150-225k": the top's multiplier also applies to a bare bottom below 1,000. */
                if (!a->exp10 && b->exp10 && !b->billion && a->raw < 1000)
                    lo_v = num_value(a, b->exp10);
                /* "60k-80": the bottom's multiplier applies to a smaller bare top. */
                if (a->exp10 && !b->exp10 && !a->billion && b->raw < a->v)
                    hi_v = num_value(b, a->exp10);
                period_read p2 = read_period(s, n, b->end);
                const char *cur = a->cur ? a->cur : b->cur;
                if (a->cur && b->cur && strcmp(a->cur, b->cur) != 0) {
                    /* "$150,000 - $175,000 CAD", "CA$95,000 - $115,000": a bare '$' takes the
                     * dollar the other side names. */
                    if (a->dollar && !b->dollar && dollar_family(b->cur))
                        cur = b->cur;
                    else if (b->dollar && !a->dollar && dollar_family(a->cur))
                        cur = a->cur;
                    else
                        cur = NULL;
                }
                if (!cur && a->cur) {
                    x->mixed = 1;
                } else if (p1.period && p2.period && p1.period != p2.period) {
                    /* "$20/hr - $3,000/month": two figures, not a range */
                } else if (!(lo_v <= hi_v)) {
                    x->reversed = 1;
                } else {
                    x->ranged = 1;
                    x->lo = lo_v;
                    x->hi = hi_v;
                    x->cur = cur;
                    x->end = p2.period ? p2.end : b->end;
                    if (p2.period) {
                        x->period = p2.period;
                        x->period_strong = p2.strong;
                    }
                    x->unit_price = p2.unit_price;
                    x->duration = p2.duration;
                }
            } else if (rb == RD_BAD) {
                /* The top of a range is malformed ("$50k - $6,00"): an error in a field; prose
                 * keeps the bottom alone. */
                x->bad_top = bwhy;
            }
        }
    }

    /* Open ranges after a single amount. */
    if (!x->ranged) {
        size_t ow = open_top_words(s, n, x->end);
        if (!plus && ow) {
            plus = 1;
            x->end = ow;
            if (!x->period) {
                period_read p3 = read_period(s, n, ow);
                if (p3.period) {
                    x->period = p3.period;
                    x->period_strong = p3.strong;
                    x->end = p3.end;
                }
            }
        }
        if (plus)
            x->flags |= SKM_SALTEXT_AND_UP;
    }

    /* Words before: prefixes and period adjectives. */
    back_words w = words_before(s, lo, x->off);
    if (x->ranged) {
        int m = match_phrases(s, &w, range_phrases, sizeof range_phrases / sizeof range_phrases[0]);
        if (m >= 0)
            x->off = w.b[m];
    } else if (!plus) {
        int m = match_phrases(s, &w, up_to_phrases, sizeof up_to_phrases / sizeof up_to_phrases[0]);
        if (m >= 0) {
            x->flags |= SKM_SALTEXT_UP_TO;
            x->off = w.b[m];
        } else {
            m = match_phrases(s, &w, and_up_phrases,
                              sizeof and_up_phrases / sizeof and_up_phrases[0]);
            if (m >= 0) {
                x->flags |= SKM_SALTEXT_AND_UP;
                x->off = w.b[m];
            }
        }
    }
    if (!x->period) {
        for (size_t k = 0; k < w.n; ++k) {
            if (in_list(s, w.b[k], w.e[k], period_adjectives)) {
                int pp = SKM_PERIOD_UNKNOWN;
                if (skm_parse_period(s + w.b[k], w.e[k] - w.b[k], &pp, NULL) == SKM_OK && pp) {
                    x->period = pp;
                    x->period_strong = 1;
                    x->period_before = 1;
                }
                break;
            }
        }
    }
    /* Lakhs and crores are Indian units: with no currency named, rupees. */
    if (!x->cur && (x->a.exp10 == 5 || x->a.exp10 == 7 ||
                    (x->ranged && (x->b.exp10 == 5 || x->b.exp10 == 7))))
        x->cur = "INR";
    if (x->a.year || (x->ranged && x->b.year)) {
        x->period = SKM_PERIOD_YEAR; /* LPA */
        x->period_strong = 1;
    }

    if (x->flags & SKM_SALTEXT_UP_TO)
        x->lo = NAN;
    if (x->flags & SKM_SALTEXT_AND_UP)
        x->hi = NAN;
    x->mult = x->a.exp10 || (x->ranged && x->b.exp10);
    x->big_mult = x->a.exp10 >= 6 || (x->ranged && x->b.exp10 >= 6);
    x->billion = x->a.billion || (x->ranged && x->b.billion);
    return RD_OK;
}

/* The largest finite amount of an expression. */
static double expr_top(const expr *x) { return isnan(x->hi) ? x->lo : x->hi; }

/* The period, inferred from the magnitude when none was written (rule in the header). */
static int expr_period(const expr *x, unsigned *flags)
{
    if (x->period)
        return x->period;
    *flags |= SKM_SALTEXT_PERIOD_INFERRED;
    double top = expr_top(x);
    if (x->mult || top >= 1000)
        return SKM_PERIOD_YEAR;
    return top < 200 ? SKM_PERIOD_HOUR : SKM_PERIOD_DAY;
}

/* ------------------------------------------------------------------------------------------ */
/* Decoration and context                                                                     */
/* ------------------------------------------------------------------------------------------ */

/* ESTIMATE / EMPLOYER flags from the words of s[b..e). */
static unsigned decoration(const char *s, size_t b, size_t e)
{
    unsigned f = 0;
    size_t pb = 0, pe = 0; /* the previous word */
    size_t i = b;
    while (i < e) {
        if (!is_alpha(U(s, i))) {
            ++i;
            continue;
        }
        size_t we = i;
        while (we < e && is_alpha(U(s, we)))
            ++we;
        int prev_employer = pe > pb && ci_eq(s, pb, pe, "employer");
        if (ci_eq(s, i, we, "est") || (we - i >= 7 && ci_eq(s, i, i + 7, "estimat"))) {
            f |= SKM_SALTEXT_ESTIMATE;
            if (prev_employer)
                f |= SKM_SALTEXT_EMPLOYER;
        } else if (prev_employer && ci_eq(s, i, we, "provided")) {
            f |= SKM_SALTEXT_EMPLOYER;
        }
        pb = i;
        pe = we;
        i = we;
    }
    return f;
}

static const char *const pay_words[] = {
    "salary", "salaries", "pay",  "paid",   "pays",         "paying",  "payrate",
    "compensation", "comp", "base", "range", "rate",        "rates",   "wage",
    "wages",  "ote",    "earn",   "earns",  "earning",      "earnings", "remuneration",
    "income", "package", NULL};

/* Money that is not pay, before the amount ("raised $50M", "a bonus of $5,000"). */
static const char *const money_before[] = {
    "raised", "raise",   "raising", "revenue",  "revenues",   "funding",  "funded",
    "valuation", "valued", "worth", "sales",    "budget",     "budgets",  "assets",
    "invested", "investment", "investments", "investors", "bonus", "bonuses", "grant",
    "grants", "award",   "awards",  "savings",  "saved",      "spend",    "spent",
    "spending", "cost",  "costs",   "price",    "prices",     "priced",   "fee",
    "fees",   "fine",    "fines",   "donated",  "donation",   "donations", "loan",
    "loans",  "capital", "arr",     "mrr",      "profit",     "profits",  "turnover",
    "reimbursement", "reimbursed", "allowance", "stipend", "referral", "relocation",
    "tuition", "gift",   "prize",   NULL};

/* ... and after it ("$10M in revenue", "$5,000 signing bonus", "100,000 customers"). */
static const char *const money_after[] = {
    "revenue", "revenues", "funding", "series",   "round",    "valuation", "sales",
    "budget",  "assets",   "investment", "bonus", "bonuses",  "signing",   "sign",
    "referral", "relocation", "reimbursement", "allowance", "stipend", "tuition",
    "gift",    "card",     "cards",   "credit",   "credits",  "grant",     "award",
    "prize",   "fee",      "fees",    "customers", "clients", "users",     "members",
    "students", "patients", "loan",   "loans",    "arr",      "mrr",       "profit",
    "profits", "turnover", "equity",  "stock",    "rsu",      "rsus",      "options",
    "deal",    "deals",    "raised",  "capital",  "spend",    "valuation", "downloads",
    "transactions", "employees", "donation", "donations",
    /* not money at all: sizes and counts */
    "square", "sq", "sqft", "foot", "feet", "ft", "acre", "acres", "mile", "miles", "km",
    "people", "staff", "locations", "offices", "stores", "countries", "cities", "beds",
    "records", "rows", "visitors", "views", "applications", "units", "devices", NULL};

/* Up to three words after `end`, stopping at punctuation and at "plus", "and", "with", '+',
 * '&': is one of them money that is not pay? */
static int money_word_after(const char *s, size_t n, size_t end)
{
    static const char *const stops[] = {"plus", "and", "with", "or", NULL};
    size_t i = end, limit = end + 40 < n ? end + 40 : n;
    int words = 0;
    while (i < limit && words < 3) {
        unsigned char c = U(s, i);
        if (is_alpha(c)) {
            size_t we = word_end(s, n, i);
            if (in_list(s, i, we, stops))
                return 0;
            if (in_list(s, i, we, money_after))
                return 1;
            ++words;
            i = we;
            continue;
        }
        if (c == '.' || c == ',' || c == ';' || c == ':' || c == '!' || c == '?' || c == '(' ||
            c == ')' || c == '\n' || c == '\r' || c == '+' || c == '&' || is_digit(c))
            return 0;
        ++i;
    }
    return 0;
}

/* s[i] ends a sentence (or a clause): ';', or '.', '!', '?' followed by a blank, a line break or
 * the end. */
static int sentence_end(const char *s, size_t n, size_t i)
{
    unsigned char c = U(s, i);
    if (c == ';')
        return entity_start(s, i) == (size_t)-1;
    if (c != '.' && c != '!' && c != '?')
        return 0;
    return i + 1 >= n || s[i + 1] == ' ' || s[i + 1] == '\t' || s[i + 1] == '\n' ||
           s[i + 1] == '\r';
}

/* A pay word within 40 bytes after `end`, in the same sentence, on the same line and before the
 * next number (whose context it would rather be). */
static int pay_word_after(const char *s, size_t n, size_t end)
{
    size_t i = end, limit = end + 40 < n ? end + 40 : n;
    while (i < limit) {
        if (s[i] == '\n' || s[i] == '\r' || is_digit(U(s, i)) || sentence_end(s, n, i))
            return 0;
        if (!is_alpha(U(s, i))) {
            ++i;
            continue;
        }
        size_t we = word_end(s, n, i);
        if (in_list(s, i, we, pay_words))
            return 1;
        i = we;
    }
    return 0;
}

/* Prose: -1 when x does not qualify as a salary, else 1 with pay context, 0 without.
 * last_pay_end: the end of the last pay word the scan passed, in the current sentence. */
static int prose_rank(const char *s, size_t n, const expr *x, size_t lo, size_t last_pay_end)
{
    if (x->billion || x->unit_price || x->duration)
        return -1;
    double top = expr_top(x);
    if (!(top > 0))
        return -1;
    back_words w = words_before(s, lo, x->off);
    for (size_t k = 0; k < w.n; ++k)
        if (in_list(s, w.b[k], w.e[k], money_before))
            return -1;
    if (money_word_after(s, n, x->end))
        return -1;
    int ctx = (last_pay_end != (size_t)-1 && last_pay_end + 100 >= x->off) ||
              pay_word_after(s, n, x->end);
    for (size_t k = 0; !ctx && k < w.n; ++k)
        if (in_list(s, w.b[k], w.e[k], pay_words))
            ctx = 1;
    int explicit_period = x->period != 0;
    if (x->cur) {
        if (x->big_mult)
            return ctx ? 1 : -1;
        if (ctx)
            return 1;
        return explicit_period || x->ranged || x->mult || top >= 1000 ? 0 : -1;
    }
    /* No currency: a plain digit run ("Executive Order 11246") or a bare period noun ("2 week")
     * is not enough. */
    if (!ctx)
        return -1;
    int grouped = !x->a.plain || (x->ranged && !x->b.plain);
    return (explicit_period && x->period_strong) || x->mult || (grouped && top >= 10000) ? 1 : -1;
}

/* ------------------------------------------------------------------------------------------ */
/* The scan                                                                                   */
/* ------------------------------------------------------------------------------------------ */

/* Can an expression start at s[i]? A digit at a word boundary (not after a letter, a digit,
 * '.', ',' or '_'), or a currency mark. */
static int start_at(const char *s, size_t n, size_t i)
{
    unsigned char c = U(s, i);
    if (is_digit(c)) {
        if (i == 0)
            return 1;
        unsigned char p = U(s, i - 1);
        return !(is_alnum(p) || p == '.' || p == ',' || p == '_');
    }
    const char *iso;
    return currency_at(s, n, i, &iso, NULL) > 0;
}

static void clear_out(skm_salary_text *out)
{
    out->lo = out->hi = NAN;
    out->period = SKM_PERIOD_UNKNOWN;
    out->currency[0] = '\0';
    out->flags = 0;
    out->off = out->len = 0;
}

static void fill_out(skm_salary_text *out, const expr *x, unsigned deco)
{
    unsigned flags = x->flags | deco;
    out->lo = x->lo;
    out->hi = x->hi;
    out->period = expr_period(x, &flags);
    out->currency[0] = '\0';
    if (x->cur) {
        memcpy(out->currency, x->cur, 3);
        out->currency[3] = '\0';
    }
    out->flags = flags;
    out->off = x->off;
    out->len = x->end - x->off;
}

static int field_fail(char *why, const char *s, size_t n, const char *reason)
{
    if (why)
        snprintf(why, SKM_WHY_LEN, "%s in salary '%.*s'", reason, snip(s, n), s);
    return -1;
}

static int parse_field(const char *s0, size_t n0, skm_salary_text *out, char *why)
{
    const char *s = s0;
    size_t n = n0;
    skm_trim(&s, &n);
    size_t base = (size_t)(s - s0);
    size_t d = 0;
    while (d < n && !is_digit(U(s, d)))
        ++d;
    if (d == n)
        return 0; /* "", "Competitive", "DOE", "N/A" */
    if (n == 2 && s[0] == '-' && s[1] == '1')
        return 0;
    if (n >= 2 && s[0] == '-') {
        const char *iso;
        if (is_digit(U(s, 1)) || currency_at(s, n, 1, &iso, NULL))
            return field_fail(why, s, n, "negative amount");
    }

    expr found;
    memset(&found, 0, sizeof found);
    int have = 0;
    size_t i = 0, prev_end = 0;
    while (i < n) {
        if (start_at(s, n, i)) {
            expr x;
            size_t resume = i + 1;
            const char *reason = "unreadable number";
            int rc = read_expr(s, n, i, prev_end, &x, &resume, &reason);
            if (rc == RD_BAD)
                return field_fail(why, s, n, reason);
            if (rc == RD_OK) {
                if (x.duration && have)
                    ; /* "$25/hr, 40 hrs/week": the duration is no second amount */
                else if (have)
                    return field_fail(why, s, n, "more than one amount");
                else if (x.mixed)
                    return field_fail(why, s, n, "two currencies");
                else if (x.bad_top)
                    return field_fail(why, s, n, x.bad_top);
                else if (x.reversed)
                    return field_fail(why, s, n, "range bottom above top");
                else if (x.billion)
                    return field_fail(why, s, n, "an amount in billions");
                else if (x.unit_price)
                    return field_fail(why, s, n, "a price per unit");
                else if (x.duration)
                    return field_fail(why, s, n, "a duration");
                else {
                    found = x;
                    have = 1;
                }
                i = prev_end = x.end > i ? x.end : i + 1;
                continue;
            }
            i = resume > i ? resume : i + 1;
            continue;
        }
        if (is_alnum(U(s, i))) {
            while (i < n && is_alnum(U(s, i)))
                ++i;
        } else {
            ++i;
        }
    }
    if (!have)
        return field_fail(why, s, n, "no amount");
    if (!(expr_top(&found) > 0))
        return 0; /* "0", "$0-$0": a missing marker */
    fill_out(out, &found, decoration(s, 0, n));
    out->off += base;
    return 1;
}

/* The end of the last pay word in the sentence before `off` and within 140 bytes of it, or
 * (size_t)-1: the pay context of an expression at off, read backwards when an expression is
 * found (the scan itself does no per-word work). */
static size_t pay_before(const char *s, size_t n, size_t off)
{
    size_t i = off > 140 ? off - 140 : 0, last = (size_t)-1;
    while (i > 0 && i < off && is_alnum(U(s, i - 1)))
        ++i; /* start at a word boundary */
    while (i < off) {
        if (is_alpha(U(s, i))) {
            size_t we = word_end(s, n, i);
            if (we <= off && in_list(s, i, we, pay_words))
                last = we;
            i = we;
            while (i < off && is_alnum(U(s, i)))
                ++i;
        } else {
            if (sentence_end(s, n, i))
                last = (size_t)-1; /* pay context does not cross a sentence end */
            ++i;
        }
    }
    return last;
}

/* Bytes that may start an expression (start_at): digits, '$', the lead bytes of the currency
 * signs (0xC2: £ ¥, 0xE2: € ₹ ₩ ₪ ₱ ₨) and upper-case letters (codes: USD, CA$, Rs ...). The scan
 * skips every other byte without a call. */
static int may_start(unsigned char c)
{
    return is_digit(c) || c == '$' || c == 0xC2 || c == 0xE2 || c == '&' || (c >= 'A' && c <= 'Z');
}

static int parse_prose(const char *s, size_t n, skm_salary_text *out)
{
    expr best, x;
    memset(&best, 0, sizeof best);
    int have = 0;
    size_t i = 0, prev_end = 0;
    while (i < n) {
        if (!may_start(U(s, i))) {
            ++i;
            continue;
        }
        const unsigned char c = U(s, i), c1 = i + 1 < n ? U(s, i + 1) : 0;
        /* a capital starts a currency code or sign only before a capital, '$' or "s" (Rs) */
        const int cap_ok = !(c >= 'A' && c <= 'Z') || (c1 >= 'A' && c1 <= 'Z') || c1 == '$' ||
                           c1 == 's';
        if (cap_ok && (i == 0 || !is_alnum(U(s, i - 1)) || !is_alpha(c)) && start_at(s, n, i)) {
            size_t resume = i + 1;
            const char *reason = NULL;
            int rc = read_expr(s, n, i, prev_end, &x, &resume, &reason);
            if (rc == RD_OK) {
                int rank = prose_rank(s, n, &x, prev_end, pay_before(s, n, x.off));
                if (rank == 1) {
                    best = x;
                    have = 1;
                    break; /* the first with pay context wins */
                }
                if (rank == 0 && !have) {
                    best = x;
                    have = 1;
                }
                i = prev_end = x.end > i ? x.end : i + 1;
                continue;
            }
            i = resume > i ? resume : i + 1;
            continue;
        }
        /* not a start: skip the rest of this word or digit run */
        ++i;
        while (i < n && is_alnum(U(s, i)))
            ++i;
    }
    if (!have)
        return 0;
    size_t db = best.off > 40 ? best.off - 40 : 0;
    size_t de = best.end + 24 < n ? best.end + 24 : n;
    fill_out(out, &best, decoration(s, db, de));
    return 1;
}

int skm_salary_text_parse(const char *s, size_t n, int mode, skm_salary_text *out, char *why)
{
    skm_salary_text tmp;
    if (!out)
        out = &tmp;
    clear_out(out);
    if (why)
        why[0] = '\0';
    if (!s || n == 0)
        return 0;
    int rc = mode == SKM_SALTEXT_PROSE ? parse_prose(s, n, out) : parse_field(s, n, out, why);
    if (rc != 1)
        clear_out(out);
    return rc;
}

/* ------------------------------------------------------------------------------------------ */
/* Plausibility                                                                               */
/* ------------------------------------------------------------------------------------------ */

static const struct {
    const char *iso;
    double lo, hi;
} plausible_ranges[] = {
    {"USD", 10e3, 1.5e6}, {"CAD", 10e3, 1.5e6}, {"AUD", 10e3, 1.5e6}, {"SGD", 10e3, 1.5e6},
    {"CHF", 10e3, 1.5e6}, {"GBP", 8e3, 1.2e6},  {"EUR", 8e3, 1.2e6},  {"INR", 1e5, 1e8},
    {"JPY", 1e6, 2e8},
};

int skm_salary_text_plausible(double annual, const char *currency)
{
    if (isnan(annual))
        return SKM_SALTEXT_OK;
    if (!currency || !currency[0])
        currency = "USD";
    for (size_t k = 0; k < sizeof plausible_ranges / sizeof plausible_ranges[0]; ++k) {
        if (strcmp(currency, plausible_ranges[k].iso) != 0)
            continue;
        if (annual < plausible_ranges[k].lo)
            return SKM_SALTEXT_LOW;
        if (annual > plausible_ranges[k].hi)
            return SKM_SALTEXT_HIGH;
        return SKM_SALTEXT_OK;
    }
    return SKM_SALTEXT_OK;
}
