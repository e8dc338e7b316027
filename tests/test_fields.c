/*
 * test_fields.c — the field parsers of src/ingest/fields.h: skill lists (JSON, Python literals,
 * separated strings), skill-name normalisation, salary amounts, pay periods and annualisation,
 * dates (ISO 8601 and spreadsheet serial numbers, with a randomized check against
 * gmtime_r/strftime) and booleans.
 */
#include "test_util.h"

#include <float.h>
#include <time.h>

#include "ingest/fields.h"

/* ------------------------------------------------------------------------------------------ */
/* Lists                                                                                      */
/* ------------------------------------------------------------------------------------------ */

#define MAX_ITEMS 48

typedef struct items {
    int n;
    char item[MAX_ITEMS][64];
    size_t len[MAX_ITEMS];
    int stop_after; /* > 0: return SKM_ELIMIT once this many items were received */
} items;

static int collect(void *user, const char *s, size_t n)
{
    items *it = user;
    if (it->stop_after > 0 && it->n >= it->stop_after)
        return SKM_ELIMIT;
    if (it->n >= MAX_ITEMS || n >= sizeof it->item[0])
        return SKM_ELIMIT;
    memcpy(it->item[it->n], s, n);
    it->item[it->n][n] = '\0';
    it->len[it->n] = n;
    it->n++;
    return SKM_OK;
}

/* Parse `field` (n bytes) and compare the items with the NULL-terminated `want`. */
static void check_list_n(const char *field, size_t n, const char *const *want)
{
    items it = {0};
    skm_buf scratch = {0};
    char why[SKM_WHY_LEN] = "";
    int rc = skm_parse_list(field, n, &scratch, collect, &it, why);
    if (rc != SKM_OK)
        fail_msg("list %s: status %d (%s)", field, rc, why);
    int k = 0;
    for (; want[k]; ++k) {
        if (k >= it.n)
            fail_msg("list %s: %d items, want more ('%s' missing)", field, it.n, want[k]);
        if (it.len[k] != strlen(want[k]) || memcmp(it.item[k], want[k], it.len[k]) != 0)
            fail_msg("list %s: item %d is '%s', want '%s'", field, k, it.item[k], want[k]);
    }
    if (it.n != k)
        fail_msg("list %s: %d items, want %d", field, it.n, k);
    skm_buf_free(&scratch);
}

#define CHECK_LIST(field, ...) check_list_n((field), strlen(field), (const char *const[]){__VA_ARGS__})

/* A malformed list: SKM_EPARSE, a reason, and not a single item delivered. */
static void check_list_bad(const char *field)
{
    items it = {0};
    skm_buf scratch = {0};
    char why[SKM_WHY_LEN] = "";
    int rc = skm_parse_list(field, strlen(field), &scratch, collect, &it, why);
    if (rc != SKM_EPARSE)
        fail_msg("list %s: status %d, want SKM_EPARSE", field, rc);
    if (why[0] == '\0')
        fail_msg("list %s: no reason given", field);
    if (it.n != 0)
        fail_msg("list %s: %d items delivered before the error", field, it.n);
    /* why may be NULL. */
    assert_int_equal(skm_parse_list(field, strlen(field), &scratch, collect, &it, NULL),
                     SKM_EPARSE);
    skm_buf_free(&scratch);
}

static void test_list_python(void **state)
{
    (void)state;
    /* The real sample's format. */
    CHECK_LIST("['sql', 'python', 'aws', 'pyspark', 'tableau', 'power bi', 'git']", "sql", "python",
               "aws", "pyspark", "tableau", "power bi", "git", NULL);
    CHECK_LIST("['pytorch', 'tensorflow']", "pytorch", "tensorflow", NULL);
    CHECK_LIST("['sql']", "sql", NULL);
    /* Quotes inside items, both quote styles, escapes. */
    CHECK_LIST("['c\\'s', \"a,b\"]", "c's", "a,b", NULL);
    CHECK_LIST("[\"it's\", 'say \"hi\"']", "it's", "say \"hi\"", NULL);
    CHECK_LIST("['back\\\\slash', 'tab\\there', 'nl\\n', 'x\\x41', 'caf\\xe9', '\\u20ac', '\\U0001F600']",
               "back\\slash", "tab\there", "nl\n", "xA", "caf\xc3\xa9", "\xe2\x82\xac",
               "\xf0\x9f\x98\x80", NULL);
    /* Items keep their inner blanks and case; normalisation is a separate step. */
    CHECK_LIST("['  Power  BI ', 'SQL']", "  Power  BI ", "SQL", NULL);
    /* None is skipped, numbers and booleans pass as their text, trailing comma, u-prefix. */
    CHECK_LIST("['a', None, 'b', 3, 2.5, -1e3, True]", "a", "b", "3", "2.5", "-1e3", "True", NULL);
    CHECK_LIST("['a', 'b',]", "a", "b", NULL);
    CHECK_LIST("[u'sql', u\"r\"]", "sql", "r", NULL);
    /* Empty items are passed on (the caller drops what normalises to nothing). */
    CHECK_LIST("['', 'x']", "", "x", NULL);
    /* UTF-8 passes through untouched. */
    CHECK_LIST("['caf\xc3\xa9', '\xe6\x97\xa5\xe6\x9c\xac']", "caf\xc3\xa9", "\xe6\x97\xa5\xe6\x9c\xac",
               NULL);
}

static void test_list_json(void **state)
{
    (void)state;
    CHECK_LIST("[\"sql\", \"power bi\", \"c++\"]", "sql", "power bi", "c++", NULL);
    CHECK_LIST("[\"a\\\"b\", \"c\\/d\", \"\\b\\f\\r\"]", "a\"b", "c/d", "\b\f\r", NULL);
    CHECK_LIST("[\"\\u00e9t\\u00E9\", \"\\ud83d\\ude00\"]", "\xc3\xa9t\xc3\xa9", "\xf0\x9f\x98\x80",
               NULL);
    CHECK_LIST("[\"a\", null, \"b\", false, 12]", "a", "b", "false", "12", NULL);
    CHECK_LIST("[null]", NULL);
}

static void test_list_whitespace_and_empty(void **state)
{
    (void)state;
    CHECK_LIST("[]", NULL);
    CHECK_LIST("[ ]", NULL);
    CHECK_LIST("  [ \t\n ]  ", NULL);
    CHECK_LIST("", NULL);
    CHECK_LIST("   \t ", NULL);
    CHECK_LIST("[  'a'  ,\t'b'\n,'c'  ]", "a", "b", "c", NULL);
    CHECK_LIST("\r\n ['a','b'] \r\n", "a", "b", NULL);
    CHECK_LIST("['a' , 'b' , ]", "a", "b", NULL);
    /* The range need not be NUL-terminated: only n bytes are read. */
    const char *longer = "['a', 'b']JUNK";
    check_list_n(longer, 10, (const char *const[]){"a", "b", NULL});
    const char *cut = "sql, python; excel";
    check_list_n(cut, 11, (const char *const[]){"sql", "python", NULL});
}

static void test_list_separated(void **state)
{
    (void)state;
    CHECK_LIST("sql, power bi; c++ | excel", "sql", "power bi", "c++", "excel", NULL);
    CHECK_LIST("sql", "sql", NULL);
    CHECK_LIST("  sql  ,,  ;; | python ,", "sql", "python", NULL);
    CHECK_LIST(",;|", NULL);
    CHECK_LIST("a\tb, c", "a\tb", "c", NULL);
    /* Quotes are not special in a separated string (the CSV reader already removed its own). */
    CHECK_LIST("'sql', \"r\"", "'sql'", "\"r\"", NULL);
    /* Only a leading '[' selects the literal syntax. */
    CHECK_LIST("x [a, b]", "x [a", "b]", NULL);
}

static void test_list_malformed(void **state)
{
    (void)state;
    check_list_bad("['sql', 'python'");        /* no closing bracket */
    check_list_bad("['sql', 'python");         /* unterminated string */
    check_list_bad("[\"sql]");
    check_list_bad("['sql\\']");               /* the escaped quote does not close */
    check_list_bad("['a' 'b']");               /* missing comma */
    check_list_bad("['a'; 'b']");
    check_list_bad("['a', ['b']]");            /* nested list */
    check_list_bad("[['a']]");
    check_list_bad("[{'a': 1}]");
    check_list_bad("[('a', 'b')]");
    check_list_bad("['a'] x");                 /* junk after ']' */
    check_list_bad("['a']]");
    check_list_bad("['a'],");
    check_list_bad("[");
    check_list_bad("[,]");                     /* a comma needs an item before it */
    check_list_bad("['a',,'b']");
    check_list_bad("[sql, python]");           /* unquoted words */
    check_list_bad("[NULL]");
    check_list_bad("[nan]");
    check_list_bad("['a\\qb']");               /* unknown escape */
    check_list_bad("['\\u12']");               /* short \u */
    check_list_bad("['\\xZZ']");
    check_list_bad("['\\ud83d']");             /* lone high surrogate */
    check_list_bad("['\\ude00']");             /* lone low surrogate */
    check_list_bad("['\\U00110000']");         /* above U+10FFFF */
    check_list_bad("['\\u0000']");             /* NUL */
    check_list_bad("['a\nb']");                /* raw line break inside a string */
    check_list_bad("['a\\");
    check_list_bad("[1.2.3]");
    check_list_bad("[1e]");

    /* The reason names the problem. */
    items it = {0};
    skm_buf scratch = {0};
    char why[SKM_WHY_LEN] = "";
    assert_int_equal(skm_parse_list("['a', ['b']]", 12, &scratch, collect, &it, why), SKM_EPARSE);
    assert_non_null(strstr(why, "nested"));
    assert_int_equal(skm_parse_list("['a' 'b']", 9, &scratch, collect, &it, why), SKM_EPARSE);
    assert_non_null(strstr(why, "missing ','"));
    assert_int_equal(skm_parse_list("['a'] x", 7, &scratch, collect, &it, why), SKM_EPARSE);
    assert_non_null(strstr(why, "after the closing"));
    assert_int_equal(skm_parse_list("['a", 3, &scratch, collect, &it, why), SKM_EPARSE);
    assert_non_null(strstr(why, "unterminated"));
    skm_buf_free(&scratch);
}

static void test_list_callback_status(void **state)
{
    (void)state;
    items it = {0};
    it.stop_after = 2;
    skm_buf scratch = {0};
    char why[SKM_WHY_LEN] = "";
    assert_int_equal(skm_parse_list("['a', 'b', 'c']", 15, &scratch, collect, &it, why), SKM_ELIMIT);
    assert_int_equal(it.n, 2);
    it.n = 0;
    assert_int_equal(skm_parse_list("a,b,c", 5, &scratch, collect, &it, why), SKM_ELIMIT);
    assert_int_equal(it.n, 2);
    /* Escaped items come from scratch, which is reused item after item. */
    it.n = 0;
    it.stop_after = 0;
    const char *esc = "['x\\ty', 'plain', 'p\\'q']";
    assert_int_equal(skm_parse_list(esc, strlen(esc), &scratch, collect, &it, why),
                     SKM_OK);
    assert_int_equal(it.n, 3);
    assert_string_equal(it.item[0], "x\ty");
    assert_string_equal(it.item[1], "plain");
    assert_string_equal(it.item[2], "p'q");
    skm_buf_free(&scratch);
}

/* ------------------------------------------------------------------------------------------ */
/* Normalisation                                                                              */
/* ------------------------------------------------------------------------------------------ */

static void check_norm(const char *in, const char *want)
{
    skm_buf out = {0};
    assert_int_equal(skm_skill_normalise(in, strlen(in), &out), SKM_OK);
    if (out.len != strlen(want) || (out.len && memcmp(out.ptr, want, out.len) != 0))
        fail_msg("normalise '%s' = '%.*s', want '%s'", in, (int)out.len, out.ptr ? out.ptr : "",
                 want);
    if (out.ptr)
        assert_int_equal(out.ptr[out.len], '\0');
    skm_buf_free(&out);
}

static void test_normalise(void **state)
{
    (void)state;
    check_norm("SQL", "sql");
    check_norm("Power BI", "power bi");
    check_norm("  power \t\n  bi  ", "power bi");
    check_norm("power\xc2\xa0" "bi", "power bi");                 /* NBSP */
    check_norm("\xc2\xa0power \xc2\xa0 bi\xc2\xa0", "power bi");
    check_norm("a\xe2\x80\x83" "b\xe3\x80\x80", "a b");          /* em space, ideographic space */
    check_norm("'Python'", "python");
    check_norm("\"C++\"", "c++");
    check_norm(" ' Go ' ", "go");
    check_norm("''sql''", "'sql'");                               /* only one pair */
    check_norm("'sql\"", "'sql\"");                               /* not a pair */
    check_norm("'", "'");
    check_norm("''", "");
    check_norm("", "");
    check_norm(" \t\xc2\xa0 ", "");
    check_norm("CAF\xc3\x89 Na\xc3\xafve", "caf\xc3\x89 na\xc3\xafve"); /* only ASCII is lowered */
    check_norm("\xe6\x97\xa5\xe6\x9c\xac", "\xe6\x97\xa5\xe6\x9c\xac");
    check_norm("C#", "c#");
    /* Bytes that merely look like the start of a wide space are kept. */
    check_norm("a\xe2\x80\xa6" "b", "a\xe2\x80\xa6" "b");         /* ellipsis */
    /* The buffer is replaced, not appended to. */
    skm_buf out = {0};
    assert_int_equal(skm_buf_append(&out, "previous", 8), SKM_OK);
    assert_int_equal(skm_skill_normalise("X", 1, &out), SKM_OK);
    assert_int_equal(out.len, 1);
    assert_string_equal(out.ptr, "x");
    /* Only n bytes are read. */
    assert_int_equal(skm_skill_normalise("Rust and more", 4, &out), SKM_OK);
    assert_string_equal(out.ptr, "rust");
    skm_buf_free(&out);
}

/* ------------------------------------------------------------------------------------------ */
/* Amounts                                                                                    */
/* ------------------------------------------------------------------------------------------ */

static double amount_ok(const char *s)
{
    double v = -1.0;
    char why[SKM_WHY_LEN] = "";
    int rc = skm_parse_amount(s, strlen(s), &v, why);
    if (rc != SKM_OK)
        fail_msg("amount '%s': status %d (%s)", s, rc, why);
    return v;
}

static void amount_bad(const char *s, const char *reason)
{
    double v = 0.0;
    char why[SKM_WHY_LEN] = "";
    int rc = skm_parse_amount(s, strlen(s), &v, why);
    if (rc != SKM_EPARSE)
        fail_msg("amount '%s': status %d (value %g), want SKM_EPARSE", s, rc, v);
    if (!isnan(v))
        fail_msg("amount '%s': value %g left behind on error", s, v);
    if (reason && !strstr(why, reason))
        fail_msg("amount '%s': reason '%s' lacks '%s'", s, why, reason);
    assert_int_equal(skm_parse_amount(s, strlen(s), &v, NULL), SKM_EPARSE);
}

static void test_amount(void **state)
{
    (void)state;
    assert_close(amount_ok("128050"), 128050.0, 0, 0);
    assert_close(amount_ok("46.5"), 46.5, 0, 0);
    assert_close(amount_ok("  115000 "), 115000.0, 0, 0);
    assert_close(amount_ok("+12"), 12.0, 0, 0);
    assert_close(amount_ok("0"), 0.0, 0, 0);
    assert_close(amount_ok("0.0"), 0.0, 0, 0);
    assert_close(amount_ok(".5"), 0.5, 0, 0);
    assert_close(amount_ok("5."), 5.0, 0, 0);
    assert_close(amount_ok("007"), 7.0, 0, 0);
    assert_close(amount_ok("1.15e5"), 115000.0, 0, 0);
    assert_close(amount_ok("1E+3"), 1000.0, 0, 0);
    assert_close(amount_ok("25e-1"), 2.5, 0, 0);
    assert_close(amount_ok("1,234"), 1234.0, 0, 0);
    assert_close(amount_ok("1,234,567.5"), 1234567.5, 0, 0);
    assert_close(amount_ok("12,345.25e1"), 123452.5, 0, 0);
    assert_close(amount_ok("999,000"), 999000.0, 0, 0);
    assert_close(amount_ok("1.7976931348623157e308"), DBL_MAX, 0, 0);
    assert_close(amount_ok("1e-400"), 0.0, 0, 0);              /* underflow is a finite 0 */
    assert_close(amount_ok("0.1"), 0.1, 0, 0);                 /* correctly rounded */
    assert_close(amount_ok("123456789012345678901234567890"), 1.2345678901234568e29, 1e-16, 0);
    assert_close(amount_ok("1000000000000000000000000000000000000000000000000"), 1e48, 0, 0);
    assert_close(amount_ok("0.000000000000000000000000000000000000000000000000001"), 1e-51, 0, 0);

    double v = 0.0;
    assert_int_equal(skm_parse_amount("", 0, &v, NULL), SKM_OK);
    assert_true(isnan(v));
    v = 0.0;
    assert_int_equal(skm_parse_amount(" \t ", 3, &v, NULL), SKM_OK);
    assert_true(isnan(v));
    /* Only n bytes are read. */
    assert_int_equal(skm_parse_amount("12abc", 2, &v, NULL), SKM_OK);
    assert_close(v, 12.0, 0, 0);

    amount_bad("abc", "not a number");
    amount_bad("12abc", "not a number");
    amount_bad("-5", "negative");
    amount_bad("-0.5", "negative");
    amount_bad("-", NULL);
    amount_bad("+", NULL);
    amount_bad("nan", NULL);
    amount_bad("NaN", NULL);
    amount_bad("inf", NULL);
    amount_bad("-inf", NULL);
    amount_bad("infinity", NULL);
    amount_bad("0x10", NULL);
    amount_bad("1,23", "thousands");
    amount_bad("1,2345", "thousands");
    amount_bad("1234,567", "thousands");
    amount_bad(",123", "thousands");
    amount_bad("1,,234", "thousands");
    amount_bad("1,23.5", "thousands");
    amount_bad("1.234,5", NULL);
    amount_bad("1.2.3", NULL);
    amount_bad(".", NULL);
    amount_bad("1e", NULL);
    amount_bad("1e+", NULL);
    amount_bad("e5", NULL);
    amount_bad("1 000", NULL);
    amount_bad("$100", NULL);
    amount_bad("100k", NULL);
    amount_bad("++1", NULL);
    amount_bad("1e400", "range");
    amount_bad("1.8e308", "range");
    amount_bad("1e999999999999999999999999", "range");
    amount_bad("12345678901234567890123456789012345678901234567890123", "too long");
}

/* splitmix64: a small deterministic generator for the randomized checks. */
static uint64_t rng_next(uint64_t *s)
{
    uint64_t z = (*s += 0x9E3779B97F4A7C15u);
    z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9u;
    z = (z ^ (z >> 27)) * 0x94D049BB133111EBu;
    return z ^ (z >> 31);
}

/* Differential check against strtod in the C locale (the test never calls setlocale): random
 * mantissas of 1..25 digits, with and without a point, with exponents. Values must match bit for
 * bit, i.e. both are correctly rounded. */
static void test_amount_random(void **state)
{
    (void)state;
    uint64_t seed = 42;
    char buf[64];
    for (int t = 0; t < 20000; ++t) {
        size_t nd = 1 + rng_next(&seed) % 25, k = 0;
        size_t point = rng_next(&seed) % (nd + 1);
        for (size_t i = 0; i < nd; ++i) {
            if (i == point && i > 0)
                buf[k++] = '.';
            buf[k++] = (char)('0' + rng_next(&seed) % 10);
        }
        if (rng_next(&seed) % 3 == 0)
            k += (size_t)snprintf(buf + k, sizeof buf - k, "e%d",
                                  (int)(rng_next(&seed) % 80) - 40);
        buf[k] = '\0';
        double want = strtod(buf, NULL), got = -1.0;
        char why[SKM_WHY_LEN] = "";
        if (skm_parse_amount(buf, k, &got, why) != SKM_OK)
            fail_msg("amount '%s': %s", buf, why);
        if (memcmp(&got, &want, sizeof got) != 0)
            fail_msg("amount '%s' = %.17g, strtod gives %.17g", buf, got, want);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Periods and annualisation                                                                  */
/* ------------------------------------------------------------------------------------------ */

static void check_period(const char *s, int want)
{
    int p = -1;
    char why[SKM_WHY_LEN] = "";
    int rc = skm_parse_period(s, strlen(s), &p, why);
    if (rc != SKM_OK || p != want)
        fail_msg("period '%s': status %d period %d (%s), want %d", s, rc, p, why, want);
}

static void test_period(void **state)
{
    (void)state;
    const char *year[] = {"year", "yearly", "annual", "annually", "yr", "per year", "Per Year",
                          "YEAR", "  per   year ", "a year", "per annum", "/yr", "/ year", "yrs"};
    const char *month[] = {"month", "monthly", "mo", "Monthly", "per month", "/mo", "a month"};
    const char *week[] = {"week", "weekly", "wk", "WEEKLY", "per week", "a week"};
    const char *day[] = {"day", "daily", "Daily", "per day", "a day", "/day"};
    const char *hour[] = {"hour", "hourly", "hr", "Hourly", "per hour", "Per Hour", "an hour",
                          "/hr", "hrs"};
    for (size_t i = 0; i < sizeof year / sizeof *year; ++i)
        check_period(year[i], SKM_PERIOD_YEAR);
    for (size_t i = 0; i < sizeof month / sizeof *month; ++i)
        check_period(month[i], SKM_PERIOD_MONTH);
    for (size_t i = 0; i < sizeof week / sizeof *week; ++i)
        check_period(week[i], SKM_PERIOD_WEEK);
    for (size_t i = 0; i < sizeof day / sizeof *day; ++i)
        check_period(day[i], SKM_PERIOD_DAY);
    for (size_t i = 0; i < sizeof hour / sizeof *hour; ++i)
        check_period(hour[i], SKM_PERIOD_HOUR);
    check_period("", SKM_PERIOD_UNKNOWN);
    check_period("   ", SKM_PERIOD_UNKNOWN);

    const char *junk[] = {"fortnight", "per", "a", "/", "years ago", "hourlyy", "h", "y",
                          "per per year", "yearly yearly yearly yearly yearly", "1"};
    for (size_t i = 0; i < sizeof junk / sizeof *junk; ++i) {
        int p = -1;
        char why[SKM_WHY_LEN] = "";
        if (skm_parse_period(junk[i], strlen(junk[i]), &p, why) != SKM_EPARSE)
            fail_msg("period '%s' accepted as %d", junk[i], p);
        assert_int_equal(p, SKM_PERIOD_UNKNOWN);
        assert_non_null(strstr(why, "pay period"));
    }
}

static void test_annualise(void **state)
{
    (void)state;
    assert_close(skm_annualise(50.0, SKM_PERIOD_HOUR, 2080.0), 104000.0, 1e-15, 0);
    assert_close(skm_annualise(100.0, SKM_PERIOD_DAY, 2080.0), 26000.0, 1e-15, 0);
    assert_close(skm_annualise(1000.0, SKM_PERIOD_WEEK, 2080.0), 52000.0, 1e-15, 0);
    assert_close(skm_annualise(5000.0, SKM_PERIOD_MONTH, 2080.0), 60000.0, 1e-15, 0);
    assert_close(skm_annualise(115000.0, SKM_PERIOD_YEAR, 2080.0), 115000.0, 0, 0);
    /* A custom number of hours per year scales hourly and daily pay only. */
    assert_close(skm_annualise(50.0, SKM_PERIOD_HOUR, 2000.0), 100000.0, 1e-15, 0);
    assert_close(skm_annualise(100.0, SKM_PERIOD_DAY, 2000.0), 25000.0, 1e-15, 0);
    assert_close(skm_annualise(1000.0, SKM_PERIOD_WEEK, 2000.0), 52000.0, 1e-15, 0);
    assert_close(skm_annualise(5000.0, SKM_PERIOD_MONTH, 1.0), 60000.0, 1e-15, 0);
    assert_true(isnan(skm_annualise(50.0, SKM_PERIOD_UNKNOWN, 2080.0)));
    assert_true(isnan(skm_annualise(50.0, 99, 2080.0)));
    assert_true(isnan(skm_annualise(50.0, -1, 2080.0)));
    for (int p = SKM_PERIOD_UNKNOWN; p <= SKM_PERIOD_YEAR; ++p)
        assert_true(isnan(skm_annualise(NAN, p, 2080.0)));
}

/* ------------------------------------------------------------------------------------------ */
/* Dates                                                                                      */
/* ------------------------------------------------------------------------------------------ */

static int64_t date_ok(const char *s)
{
    int64_t t = 0;
    char why[SKM_WHY_LEN] = "";
    int rc = skm_parse_date(s, strlen(s), &t, why);
    if (rc != SKM_OK)
        fail_msg("date '%s': status %d (%s)", s, rc, why);
    return t;
}

static void date_bad(const char *s)
{
    int64_t t = 0;
    char why[SKM_WHY_LEN] = "";
    int rc = skm_parse_date(s, strlen(s), &t, why);
    if (rc != SKM_EPARSE)
        fail_msg("date '%s': status %d (t = %lld), want SKM_EPARSE", s, rc, (long long)t);
    if (why[0] == '\0')
        fail_msg("date '%s': no reason", s);
    assert_true(t == SKM_DATE_MISSING);
    assert_int_equal(skm_parse_date(s, strlen(s), &t, NULL), SKM_EPARSE);
}

#define ASSERT_DATE(s, want) assert_true(date_ok(s) == (int64_t)(want))

static void test_date_iso(void **state)
{
    (void)state;
    /* 2023-01-25 is day 19382 after 1970-01-01; 09:36 is 34560 s. */
    ASSERT_DATE("2023-01-25", 1674604800);
    ASSERT_DATE("  2023-01-25  ", 1674604800);
    ASSERT_DATE("2023-01-25T09:36:00", 1674639360);
    ASSERT_DATE("2023-01-25 09:36:00", 1674639360);
    ASSERT_DATE("2023-01-25t09:36", 1674639360);
    ASSERT_DATE("2023-01-25T09:36Z", 1674639360);
    ASSERT_DATE("2023-01-25T09:36:00Z", 1674639360);
    ASSERT_DATE("2023-01-25T09:36:00.999Z", 1674639360);       /* fraction truncated */
    ASSERT_DATE("2023-01-25T09:36:00,5", 1674639360);
    ASSERT_DATE("2023-01-25T09:36:07.123456789", 1674639367);
    ASSERT_DATE("2023-01-25T09:36:00+00:00", 1674639360);
    ASSERT_DATE("2023-01-25T15:06:00+05:30", 1674639360);      /* 15:06 - 5:30 */
    ASSERT_DATE("2023-01-25T01:36:00-0800", 1674639360);       /* 01:36 + 8:00 */
    ASSERT_DATE("2023-01-25T01:36-08:00", 1674639360);
    ASSERT_DATE("2023-01-25 09:36:00.5-00:00", 1674639360);
    ASSERT_DATE("2023-01-01T02:00:00+05:30", 1672518600);      /* the previous UTC day */
    ASSERT_DATE("2022-12-31T23:00:00-01:00", 1672531200);      /* the next UTC year */
    ASSERT_DATE("1970-01-01", 0);
    ASSERT_DATE("1970-01-01T00:00:00Z", 0);
    ASSERT_DATE("1969-12-31T23:59:59Z", -1);
    ASSERT_DATE("1900-01-01", -2208988800);
    ASSERT_DATE("2024-02-29", 1709164800);                     /* leap day */
    ASSERT_DATE("2000-02-29", 951782400);                      /* divisible by 400 */
    ASSERT_DATE("2016-12-31T23:59:60Z", 1483228799);           /* leap second clamped to :59 */
    ASSERT_DATE("9999-12-31", 253402214400);
    ASSERT_DATE("0000-01-01", -62167219200);

    date_bad("2023-02-29");                                    /* not a leap year */
    date_bad("1900-02-29");                                    /* century, not leap */
    date_bad("2023-13-01");
    date_bad("2023-00-10");
    date_bad("2023-04-31");
    date_bad("2023-01-32");
    date_bad("2023-01-00");
    date_bad("2023-1-5");
    date_bad("23-01-25");
    date_bad("2023/01/25");
    date_bad("25/01/2023");
    date_bad("2023-01-25T24:00");
    date_bad("2023-01-25T09:60");
    date_bad("2023-01-25T09:36:61");
    date_bad("2023-01-25T09");
    date_bad("2023-01-25T9:36");
    date_bad("2023-01-25T");
    date_bad("2023-01-25Z");
    date_bad("2023-01-25T09:36:00.");
    date_bad("2023-01-25T09:36:00.Z");
    date_bad("2023-01-25T09:36+5");
    date_bad("2023-01-25T09:36+05:3");
    date_bad("2023-01-25T09:36+24:00");
    date_bad("2023-01-25T09:36+05:60");
    date_bad("2023-01-25T09:36:00ZZ");
    date_bad("2023-01-25 junk");
    date_bad("2023-01-25T09:36:00 +00:00");
    date_bad("yesterday");
    date_bad("-1");
    date_bad("1e5");
}

static void test_date_serial(void **state)
{
    (void)state;
    /* 44951 - 25569 = 19382 days; 0.40 day = 34560 s. */
    ASSERT_DATE("44951.40", 1674639360);
    ASSERT_DATE("44951.4", 1674639360);
    ASSERT_DATE("44951", 1674604800);
    ASSERT_DATE("44951.", 1674604800);
    ASSERT_DATE(" 44951.40 ", 1674639360);
    /* A value of the real sample: 2023-04-24 09:51:15.00000019. */
    ASSERT_DATE("45040.41059027778", 1682329875);
    /* Binary-fraction noise rounds to the nearest second. */
    ASSERT_DATE("44951.3999999999", 1674639360);
    ASSERT_DATE("44951.00000579", 1674604801);                 /* 0.50 s rounds up */
    ASSERT_DATE("44951.00000578", 1674604800);                 /* 0.4994 s rounds down */
    ASSERT_DATE("1", -2209075200);                             /* 1899-12-31 */
    ASSERT_DATE("25569", 0);
    ASSERT_DATE("2958465", 253402214400);                      /* 9999-12-31 */
    ASSERT_DATE("2023", -2034374400);                          /* serial 2023 is 1905-07-15 */
    ASSERT_DATE("0001", -2209075200);

    date_bad("0");
    date_bad("0.5");
    date_bad(".5");
    date_bad(".");
    date_bad("2958466");
    date_bad("99999999999999999999999");
    date_bad("44951.40.1");
    date_bad("+44951");
    date_bad("44951.4a");

    int64_t t = 0;
    assert_int_equal(skm_parse_date("", 0, &t, NULL), SKM_OK);
    assert_true(t == SKM_DATE_MISSING);
    t = 0;
    assert_int_equal(skm_parse_date("  \t", 3, &t, NULL), SKM_OK);
    assert_true(t == SKM_DATE_MISSING);
    /* Only n bytes are read. */
    assert_int_equal(skm_parse_date("2023-01-25T09:36:00Z", 10, &t, NULL), SKM_OK);
    assert_true(t == 1674604800);
}

/* Independent check: timestamps formatted by the C library (gmtime_r/strftime) in several ISO
 * forms, and as serial numbers, parse back to the same instant. */
static void test_date_random(void **state)
{
    (void)state;
    const int64_t lo = -2208988800; /* 1900-01-01 */
    const int64_t hi = 4102444800;  /* 2100-01-01 */
    uint64_t seed = 7;
    char buf[64], stamp[48];
    for (int k = 0; k < 2000; ++k) {
        int64_t t = lo + (int64_t)(rng_next(&seed) % (uint64_t)(hi - lo));
        int form = k % 6;
        int64_t want = t;
        int64_t shown = t;
        int off_min = 0;
        if (form == 4) {
            /* Local time at a random offset of -12:00..+14:00 in 15 minutes. */
            off_min = ((int)(rng_next(&seed) % 105) - 48) * 15;
            shown = t + off_min * 60;
        }
        time_t tt = (time_t)shown;
        struct tm tm;
        assert_non_null(gmtime_r(&tt, &tm));
        switch (form) {
        case 0:
            strftime(buf, sizeof buf, "%Y-%m-%d", &tm);
            want = t - ((t % 86400) + 86400) % 86400;
            break;
        case 1:
            strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
            break;
        case 2:
            strftime(buf, sizeof buf, "%Y-%m-%d %H:%M:%S", &tm);
            break;
        case 3:
            strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M", &tm);
            want = t - ((t % 60) + 60) % 60;
            break;
        case 4: {
            strftime(stamp, sizeof stamp, "%Y-%m-%dT%H:%M:%S", &tm);
            int a = off_min < 0 ? -off_min : off_min;
            snprintf(buf, sizeof buf, "%s%c%02d%s%02d", stamp, off_min < 0 ? '-' : '+', a / 60,
                     k % 12 == 4 ? "" : ":", a % 60);
            break;
        }
        default:
            /* A serial number: days since 1899-12-30 with ten decimals (0.86 ms). */
            snprintf(buf, sizeof buf, "%.10f", (double)(t + 2209161600) / 86400.0);
            break;
        }
        int64_t got = 0;
        char why[SKM_WHY_LEN] = "";
        if (skm_parse_date(buf, strlen(buf), &got, why) != SKM_OK)
            fail_msg("date '%s': %s", buf, why);
        if (got != want)
            fail_msg("date '%s' = %lld, want %lld", buf, (long long)got, (long long)want);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Booleans                                                                                   */
/* ------------------------------------------------------------------------------------------ */

static void test_bool(void **state)
{
    (void)state;
    const char *yes[] = {"1", "true", "TRUE", "True", "yes", "Yes", "YES", "y", "Y", "t", "T", " 1 "};
    const char *no[] = {"0", "false", "FALSE", "False", "no", "No", "NO", "n", "N", "f", "F", "\tno\t"};
    for (size_t i = 0; i < sizeof yes / sizeof *yes; ++i) {
        int8_t b = -2;
        assert_int_equal(skm_parse_bool(yes[i], strlen(yes[i]), &b, NULL), SKM_OK);
        assert_int_equal(b, 1);
    }
    for (size_t i = 0; i < sizeof no / sizeof *no; ++i) {
        int8_t b = -2;
        assert_int_equal(skm_parse_bool(no[i], strlen(no[i]), &b, NULL), SKM_OK);
        assert_int_equal(b, 0);
    }
    int8_t b = 5;
    assert_int_equal(skm_parse_bool("", 0, &b, NULL), SKM_OK);
    assert_int_equal(b, -1);
    b = 5;
    assert_int_equal(skm_parse_bool("  ", 2, &b, NULL), SKM_OK);
    assert_int_equal(b, -1);
    const char *junk[] = {"2", "-1", "maybe", "yess", "tru", "on", "off", "10", "1.0", "nope", "y e s"};
    for (size_t i = 0; i < sizeof junk / sizeof *junk; ++i) {
        char why[SKM_WHY_LEN] = "";
        b = 5;
        if (skm_parse_bool(junk[i], strlen(junk[i]), &b, why) != SKM_EPARSE)
            fail_msg("bool '%s' accepted as %d", junk[i], b);
        assert_int_equal(b, -1);
        assert_non_null(strstr(why, "boolean"));
    }
    /* Only n bytes are read. */
    assert_int_equal(skm_parse_bool("yesterday", 3, &b, NULL), SKM_OK);
    assert_int_equal(b, 1);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_list_python),
        cmocka_unit_test(test_list_json),
        cmocka_unit_test(test_list_whitespace_and_empty),
        cmocka_unit_test(test_list_separated),
        cmocka_unit_test(test_list_malformed),
        cmocka_unit_test(test_list_callback_status),
        cmocka_unit_test(test_normalise),
        cmocka_unit_test(test_amount),
        cmocka_unit_test(test_amount_random),
        cmocka_unit_test(test_period),
        cmocka_unit_test(test_annualise),
        cmocka_unit_test(test_date_iso),
        cmocka_unit_test(test_date_serial),
        cmocka_unit_test(test_date_random),
        cmocka_unit_test(test_bool),
    };
    return cmocka_run_group_tests_name("fields", tests, NULL, NULL);
}
