/*
 * test_salary_text.c — salaries read out of text (src/extract/salary_text.h): the salary-cell
 * forms of real postings, period words and inference, number separators (thousands, decimal
 * commas, lakh grouping), currency marks, open ranges, spans, the prose search and the
 * non-salary money and numbers it must skip, plausibility, and robustness (a seeded random-byte
 * loop and 10 MB inputs).
 */
#include "test_util.h"

#include "extract/salary_text.h"

#define NA NAN
#define EST SKM_SALTEXT_ESTIMATE
#define EMP SKM_SALTEXT_EMPLOYER
#define UPTO SKM_SALTEXT_UP_TO
#define ANDUP SKM_SALTEXT_AND_UP
#define INF SKM_SALTEXT_PERIOD_INFERRED
#define HOUR SKM_PERIOD_HOUR
#define DAY SKM_PERIOD_DAY
#define WEEK SKM_PERIOD_WEEK
#define MONTH SKM_PERIOD_MONTH
#define YEAR SKM_PERIOD_YEAR

/* Two amounts are the same: equal, or both NaN. Exact on purpose: the parser hands the digits to
 * skm_parse_amount with the multiplier as an exponent, so 1.2M is exactly 1200000. */
static int same(double a, double b) { return (isnan(a) && isnan(b)) || a == b; }

/* Parse `text` and compare everything. `span` is the text the expression should cover (it must
 * occur in `text`; its first occurrence is the expected offset), or NULL to skip that check. */
static void check_mode(int mode, const char *text, double lo, double hi, int period,
                       const char *cur, unsigned flags, const char *span)
{
    skm_salary_text o;
    char why[SKM_WHY_LEN] = "";
    int rc = skm_salary_text_parse(text, strlen(text), mode, &o, why);
    if (rc != 1)
        fail_msg("'%s' (mode %d): rc %d (%s), want 1", text, mode, rc, why);
    if (!same(o.lo, lo) || !same(o.hi, hi))
        fail_msg("'%s': lo %.17g hi %.17g, want %.17g %.17g", text, o.lo, o.hi, lo, hi);
    if (o.period != period)
        fail_msg("'%s': period %d, want %d", text, o.period, period);
    if (strcmp(o.currency, cur) != 0)
        fail_msg("'%s': currency '%s', want '%s'", text, o.currency, cur);
    if (o.flags != flags)
        fail_msg("'%s': flags %u, want %u", text, o.flags, flags);
    if (span) {
        const char *p = strstr(text, span);
        assert_non_null(p);
        if (o.off != (size_t)(p - text) || o.len != strlen(span))
            fail_msg("'%s': span '%.*s' (%zu+%zu), want '%s'", text, (int)o.len, text + o.off,
                     o.off, o.len, span);
    }
}

#define FIELD(text, lo, hi, period, cur, flags, span)                                            \
    check_mode(SKM_SALTEXT_FIELD, (text), (lo), (hi), (period), (cur), (flags), (span))
#define PROSE(text, lo, hi, period, cur, flags, span)                                            \
    check_mode(SKM_SALTEXT_PROSE, (text), (lo), (hi), (period), (cur), (flags), (span))

/* Not a salary: rc `want` (0 or -1), *out cleared, and a reason exactly when rc is -1. */
static void check_none(int mode, const char *text, int want)
{
    skm_salary_text o;
    char why[SKM_WHY_LEN] = "x";
    int rc = skm_salary_text_parse(text, strlen(text), mode, &o, why);
    skm_salary_text *p = &o;
    if (rc != want)
        fail_msg("'%s' (mode %d): rc %d, want %d (found %g..%g at %zu+%zu)", text, mode, rc, want,
                 p->lo, p->hi, p->off, p->len);
    assert_true(isnan(o.lo) && isnan(o.hi));
    assert_int_equal(o.period, SKM_PERIOD_UNKNOWN);
    assert_string_equal(o.currency, "");
    assert_int_equal(o.flags, 0);
    assert_int_equal(o.off, 0);
    assert_int_equal(o.len, 0);
    if (want == -1 && why[0] == '\0')
        fail_msg("'%s': no reason given", text);
    if (want == 0 && why[0] != '\0')
        fail_msg("'%s': reason '%s' for a missing value", text, why);
    /* why may be NULL */
    assert_int_equal(skm_salary_text_parse(text, strlen(text), mode, &o, NULL), want);
}

/* ------------------------------------------------------------------------------------------ */
/* Field mode                                                                                 */
/* ------------------------------------------------------------------------------------------ */

static void test_field_forms(void **state)
{
    (void)state;
    FIELD("$102,100.00 - $202,200.00 per year", 102100, 202200, YEAR, "USD", 0,
          "$102,100.00 - $202,200.00 per year");
    FIELD("$53K-$91K (Glassdoor est.)", 53000, 91000, YEAR, "USD", EST | INF, "$53K-$91K");
    FIELD("$17-$24 Per Hour(Glassdoor est.)", 17, 24, HOUR, "USD", EST, "$17-$24 Per Hour");
    FIELD("Employer Provided Salary:$120K-$160K", 120000, 160000, YEAR, "USD", EMP | INF,
          "$120K-$160K");
    FIELD("Employer Provided Salary:$25-$35 Per Hour", 25, 35, HOUR, "USD", EMP,
          "$25-$35 Per Hour");
    FIELD("$79K-$106K(Employer est.)", 79000, 106000, YEAR, "USD", EST | EMP | INF, "$79K-$106K");
    FIELD("USD 133,800 \xE2\x80\x93 219,200", 133800, 219200, YEAR, "USD", INF,
          "USD 133,800 \xE2\x80\x93 219,200");                                   /* en dash */
    FIELD("USD 133,800 \xE2\x80\x94 219,200", 133800, 219200, YEAR, "USD", INF, NULL); /* em dash */
    FIELD("USD 133,800\xE2\x80\x93" "219,200", 133800, 219200, YEAR, "USD", INF, NULL);
    FIELD("USD 133,800 to 219,200", 133800, 219200, YEAR, "USD", INF, "USD 133,800 to 219,200");
    FIELD("USD 133,800 and 219,200", 133800, 219200, YEAR, "USD", INF, NULL);
    FIELD("USD 133,800 - 219,200", 133800, 219200, YEAR, "USD", INF, NULL);
    FIELD("\xC2\xA3" "60k\xE2\x80\x93\xC2\xA3" "80k", 60000, 80000, YEAR, "GBP", INF, NULL);
    FIELD("\xE2\x82\xAC" "70.000 - \xE2\x82\xAC" "85.000", 70000, 85000, YEAR, "EUR", INF, NULL);
    FIELD("\xE2\x82\xAC" "70.000,50", 70000.5, 70000.5, YEAR, "EUR", INF, NULL);
    FIELD("150-225k", 150000, 225000, YEAR, "", INF, "150-225k");
    FIELD("up to $150k", NA, 150000, YEAR, "USD", UPTO | INF, "up to $150k");
    FIELD("$120k+", 120000, NA, YEAR, "USD", ANDUP | INF, "$120k+");
    FIELD("$8,000 - $10,000 per month", 8000, 10000, MONTH, "USD", 0, NULL);
    FIELD("$600/day", 600, 600, DAY, "USD", 0, "$600/day");
    FIELD("\xC2\xA3" "450 per day", 450, 450, DAY, "GBP", 0, NULL);
    FIELD("$2,500 a week", 2500, 2500, WEEK, "USD", 0, "$2,500 a week");
    FIELD("$45/hr", 45, 45, HOUR, "USD", 0, "$45/hr");
    FIELD("$45.50 an hour", 45.5, 45.5, HOUR, "USD", 0, "$45.50 an hour");
    FIELD("90000", 90000, 90000, YEAR, "", INF, "90000");
    FIELD("90,000 USD annually", 90000, 90000, YEAR, "USD", 0, "90,000 USD annually");
    FIELD("$90K - $110K a year", 90000, 110000, YEAR, "USD", 0, "$90K - $110K a year");
    FIELD("CA$95,000\xE2\x80\x93" "CA$115,000", 95000, 115000, YEAR, "CAD", INF, NULL);
    FIELD("\xE2\x82\xB9" "12,00,000 - \xE2\x82\xB9" "18,00,000 per annum", 1200000, 1800000, YEAR,
          "INR", 0, NULL);
    FIELD("$1.2M", 1200000, 1200000, YEAR, "USD", INF, "$1.2M");
    /* Blanks around the field: the span still points into the original bytes. */
    FIELD("  \t$50k - $60k  ", 50000, 60000, YEAR, "USD", INF, "$50k - $60k");
}

static void test_field_missing(void **state)
{
    (void)state;
    const char *const missing[] = {"-1", "Competitive", "DOE", "", "   ", "N/A", "n/a", "none",
                                   "Negotiable", "-", "0", "$0", "$0-$0", "Salary: competitive"};
    for (size_t k = 0; k < sizeof missing / sizeof missing[0]; ++k)
        check_none(SKM_SALTEXT_FIELD, missing[k], 0);
    /* NULL with n = 0, and a NULL `out`. */
    assert_int_equal(skm_salary_text_parse(NULL, 0, SKM_SALTEXT_FIELD, NULL, NULL), 0);
    assert_int_equal(skm_salary_text_parse("$5k", 3, SKM_SALTEXT_FIELD, NULL, NULL), 1);
}

static void test_field_errors(void **state)
{
    (void)state;
    const char *const bad[] = {
        "1,23,4",          /* bad grouping */
        "$50k-$40k",       /* reversed */
        ("\xC2\xA3" "50k-$60k"), /* two currencies */
        "$10 billion",     /* billions */
        "$5 per user",     /* a unit price */
        "5+ years",        /* a duration */
        "H1B",             /* digits, no amount */
        "401(k)",          /* a retirement plan */
        "-5000",           /* negative */
        "-$50k",
        "$50k or $30/hr",  /* two amounts */
        "$50k - $6,00",    /* malformed top of a range */
        "1234567890123456789012", /* too long */
        "192.168.1.1",
    };
    for (size_t k = 0; k < sizeof bad / sizeof bad[0]; ++k)
        check_none(SKM_SALTEXT_FIELD, bad[k], -1);

    char why[SKM_WHY_LEN];
    skm_salary_text o;
    assert_int_equal(skm_salary_text_parse("1,23,4", 6, SKM_SALTEXT_FIELD, &o, why), -1);
    assert_non_null(strstr(why, "grouping"));
    assert_non_null(strstr(why, "1,23,4"));
    assert_int_equal(skm_salary_text_parse("$50k-$40k", 9, SKM_SALTEXT_FIELD, &o, why), -1);
    assert_non_null(strstr(why, "above"));
    /* A long field is quoted cut short, at a UTF-8 boundary. */
    const char *lng = "1,23,4 \xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC"
                      "\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC\xE2\x82\xAC";
    assert_int_equal(skm_salary_text_parse(lng, strlen(lng), SKM_SALTEXT_FIELD, &o, why), -1);
    assert_true(strlen(why) < SKM_WHY_LEN);

    /* Around one salary: percentages, 401(k) and durations are not a second amount. */
    FIELD("$50k - $60k, 10% bonus", 50000, 60000, YEAR, "USD", INF, "$50k - $60k");
    FIELD("$100K-$120K + 401(k)", 100000, 120000, YEAR, "USD", INF, "$100K-$120K");
    FIELD("$25/hr, 40 hrs/week", 25, 25, HOUR, "USD", 0, "$25/hr");
}

static void test_period_words(void **state)
{
    (void)state;
    static const struct {
        const char *text;
        int period;
    } cases[] = {
        {"$45 hour", HOUR},     {"$45/hour", HOUR},     {"$45 hr", HOUR},       {"$45/hr", HOUR},
        {"$45 hourly", HOUR},   {"$45 ph", HOUR},       {"$45 an hour", HOUR},  {"$45/h", HOUR},
        {"$45 per hour", HOUR}, {"$45 p.h.", HOUR},     {"$45hr", HOUR},        {"$45 / hr", HOUR},
        {"$500 day", DAY},      {"$500 daily", DAY},    {"$500 per diem", DAY}, {"$500/d", DAY},
        {"$500 a day", DAY},    {"$900 week", WEEK},    {"$900 weekly", WEEK},  {"$900 wk", WEEK},
        {"$900/wk", WEEK},      {"$900 per week", WEEK}, {"$4k month", MONTH},
        {"$4k monthly", MONTH},
        {"$4k mo", MONTH},      {"$4k/mo", MONTH},      {"$4k pcm", MONTH},     {"$4k/mth", MONTH},
        {"$90 year", YEAR},     {"$90 yr", YEAR},       {"$90/yr", YEAR},
        {"$90 annual", YEAR},
        {"$90 annually", YEAR}, {"$90 per annum", YEAR}, {"$90 pa", YEAR},      {"$90 p.a.", YEAR},
        {"$90/y", YEAR},        {"$90 a year", YEAR},   {"$90 yearly", YEAR},
        {"$90 PER YEAR", YEAR},
        {"Hourly rate: $90", HOUR}, {"annual salary of $90", YEAR},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        skm_salary_text o;
        char why[SKM_WHY_LEN];
        int rc = skm_salary_text_parse(cases[k].text, strlen(cases[k].text), SKM_SALTEXT_FIELD, &o,
                                       why);
        if (rc != 1 || o.period != cases[k].period || (o.flags & INF))
            fail_msg("'%s': rc %d period %d flags %u (%s), want period %d", cases[k].text, rc,
                     o.period, o.flags, why, cases[k].period);
    }
}

static void test_period_inference(void **state)
{
    (void)state;
    /* A multiplier or >= 1000: year; below 200: hour; 200..999: day. */
    FIELD("$5k", 5000, 5000, YEAR, "USD", INF, NULL);
    FIELD("$1000", 1000, 1000, YEAR, "USD", INF, NULL);
    FIELD("$999", 999, 999, DAY, "USD", INF, NULL);
    FIELD("$200", 200, 200, DAY, "USD", INF, NULL);
    FIELD("$199.99", 199.99, 199.99, HOUR, "USD", INF, NULL);
    FIELD("$15", 15, 15, HOUR, "USD", INF, NULL);
    FIELD("$150-$1,200", 150, 1200, YEAR, "USD", INF, NULL); /* the larger amount decides */
    FIELD("up to $180", NA, 180, HOUR, "USD", UPTO | INF, NULL);
    FIELD("0.5k", 500, 500, YEAR, "", INF, NULL);            /* a multiplier means yearly */
}

static void test_numbers(void **state)
{
    (void)state;
    /* Thousands separators and decimal marks. */
    FIELD("1.200.000 \xE2\x82\xAC", 1200000, 1200000, YEAR, "EUR", INF, "1.200.000 \xE2\x82\xAC");
    FIELD("\xE2\x82\xAC" "1.234.567,89", 1234567.89, 1234567.89, YEAR, "EUR", INF, NULL);
    FIELD("45,50 \xE2\x82\xAC", 45.5, 45.5, HOUR, "EUR", INF, NULL); /* decimal comma */
    FIELD("\xE2\x82\xAC" "4,5k", 4500, 4500, YEAR, "EUR", INF, NULL);
    FIELD("$1,234.5", 1234.5, 1234.5, YEAR, "USD", INF, NULL);
    FIELD("$1.125k", 1125, 1125, YEAR, "USD", INF, NULL);       /* '.' before a multiplier */
    FIELD("0.500", 0.5, 0.5, HOUR, "", INF, NULL);               /* "0." is a decimal */
    FIELD("CHF 120'000", 120000, 120000, YEAR, "CHF", INF, NULL);
    FIELD("120\xE2\x80\x99" "000 CHF", 120000, 120000, YEAR, "CHF", INF, NULL);
    FIELD("70\xC2\xA0" "000 \xE2\x82\xAC", 70000, 70000, YEAR, "EUR", INF, NULL);  /* NBSP */
    FIELD("70\xE2\x80\xAF" "000\xE2\x80\xAF\xE2\x82\xAC", 70000, 70000, YEAR, "EUR", INF, NULL);
    FIELD("\xE2\x82\xB9" "1,20,000", 120000, 120000, YEAR, "INR", INF, NULL); /* lakh grouping */
    FIELD("\xE2\x82\xB9" "1,00,00,000", 10000000, 10000000, YEAR, "INR", INF, NULL);
    /* Multipliers. */
    FIELD("$1.2 million", 1200000, 1200000, YEAR, "USD", INF, NULL);
    FIELD("$2.5MM", 2500000, 2500000, YEAR, "USD", INF, NULL);
    FIELD("12 LPA", 1200000, 1200000, YEAR, "INR", 0, NULL);    /* lakhs per annum: rupees */
    FIELD("18\xE2\x80\x93" "25 LPA", 1800000, 2500000, YEAR, "INR", 0, NULL);
    FIELD("Rs. 8 lakhs", 800000, 800000, YEAR, "INR", INF, NULL);
    FIELD("\xE2\x82\xB9" "1.5 crore", 15000000, 15000000, YEAR, "INR", INF, NULL);
    FIELD("50 thousand", 50000, 50000, YEAR, "", INF, NULL);
    FIELD("USD150k", 150000, 150000, YEAR, "USD", INF, NULL);
    /* A range's multiplier. */
    FIELD("$45-55k", 45000, 55000, YEAR, "USD", INF, NULL);
    FIELD("60k-80", 60000, 80000, YEAR, "", INF, NULL);
    FIELD("50000-60k", 50000, 60000, YEAR, "", INF, NULL);
    FIELD("$1-1.5M", 1000000, 1500000, YEAR, "USD", INF, NULL);
    FIELD("2.3-2.5k", 2300, 2500, YEAR, "", INF, NULL);       /* exact: re-read with e3 */
    /* Ranges with periods on both sides. */
    FIELD("$20/hr - $25/hr", 20, 25, HOUR, "USD", 0, NULL);
    FIELD("$20 an hour to $25 an hour", 20, 25, HOUR, "USD", 0, NULL);
    FIELD("between $100k and $120k", 100000, 120000, YEAR, "USD", INF,
          "between $100k and $120k");
}

static void test_currencies(void **state)
{
    (void)state;
    static const struct {
        const char *text, *iso;
    } cases[] = {
        {"$50,000", "USD"},    {"US$50,000", "USD"},  {"USD 50,000", "USD"},  {"50,000 USD", "USD"},
        {"CA$50,000", "CAD"},  {"C$50,000", "CAD"},   {"CAD 50,000", "CAD"},
        {"CAD $50,000", "CAD"},
        {"CDN$50,000", "CAD"}, {"A$50,000", "AUD"},   {"AU$50,000", "AUD"},   {"AUD 50,000", "AUD"},
        {"S$50,000", "SGD"},   {"SGD 50,000", "SGD"}, {"NZ$50,000", "NZD"},   {"HK$50,000", "HKD"},
        {"\xC2\xA3" "50,000", "GBP"},                 {"GBP 50,000", "GBP"},
        {"\xE2\x82\xAC" "50,000", "EUR"},             {"50.000 EUR", "EUR"},
        {"50.000\xE2\x82\xAC", "EUR"},                {"\xE2\x82\xB9" "50,000", "INR"},
        {"INR 50,000", "INR"}, {"Rs 50,000", "INR"},  {"Rs.50,000", "INR"},
        {"\xE2\x82\xA8" "50,000", "INR"},             {"\xC2\xA5" "5,000,000", "JPY"},
        {"JPY 5,000,000", "JPY"},                     {"CHF 120,000", "CHF"},
        {"R$ 50.000", "BRL"},  {"SEK 500,000", "SEK"}, {"50,000", ""},         {"usd 50,000", ""},
    };
    for (size_t k = 0; k < sizeof cases / sizeof cases[0]; ++k) {
        skm_salary_text o;
        char why[SKM_WHY_LEN];
        int rc = skm_salary_text_parse(cases[k].text, strlen(cases[k].text), SKM_SALTEXT_FIELD, &o,
                                       why);
        /* "usd 50,000": codes are upper case only, so the lower-case word is decoration. */
        if (rc != 1 || strcmp(o.currency, cases[k].iso) != 0)
            fail_msg("'%s': rc %d currency '%s' (%s), want '%s'", cases[k].text, rc, o.currency,
                     why, cases[k].iso);
        assert_true(o.lo == 50000 || o.lo == 5000000 || o.lo == 120000 || o.lo == 500000);
    }
}

/* A bare '$' gives way to the dollar an ISO code names; HTML character references; filler words
 * before a period. */
static void test_dollars_and_html(void **state)
{
    (void)state;
    FIELD("$150,000 - $175,000 CAD", 150000, 175000, YEAR, "CAD", INF, "$150,000 - $175,000 CAD");
    FIELD("$110,000 \xE2\x80\x93 $130,000 CAD", 110000, 130000, YEAR, "CAD", INF, NULL);
    FIELD("CA$95,000 - $115,000", 95000, 115000, YEAR, "CAD", INF, NULL);
    FIELD("$50k - A$60k", 50000, 60000, YEAR, "AUD", INF, NULL);
    FIELD("$50 USD per hour", 50, 50, HOUR, "USD", 0, NULL);
    FIELD("$90k AUD", 90000, 90000, YEAR, "AUD", INF, NULL);
    check_none(SKM_SALTEXT_FIELD, "$50k - \xC2\xA3" "60k", -1); /* a pound is no dollar */
    check_none(SKM_SALTEXT_FIELD, "CA$50k - A$60k", -1);        /* two named dollars */

    FIELD("&pound;50,000", 50000, 50000, YEAR, "GBP", INF, "&pound;50,000");
    FIELD("55&nbsp;000 &euro;", 55000, 55000, YEAR, "EUR", INF, NULL);
    FIELD("&#36;45&ndash;&#36;55 per hour", 45, 55, HOUR, "USD", 0, NULL);
    FIELD("up to&nbsp;$90k", NA, 90000, YEAR, "USD", UPTO | INF, "up to&nbsp;$90k");
    PROSE("<p>Salary: &euro;55.000&nbsp;&ndash;&nbsp;&euro;68.000 gross per year.<br/>Response "
          "time: &lt; 2 weeks.</p>",
          55000, 68000, YEAR, "EUR", 0,
          "&euro;55.000&nbsp;&ndash;&nbsp;&euro;68.000 gross per year");
    PROSE("<p>The base salary range for this role is $160,000&nbsp;-&nbsp;$195,000. Benefits "
          "include a 401(k) match.</p>",
          160000, 195000, YEAR, "USD", INF, "$160,000&nbsp;-&nbsp;$195,000");
    /* A reference's ';' ends no clause: the pay word still counts. */
    PROSE("Compensation:&nbsp;$90k", 90000, 90000, YEAR, "USD", INF, "$90k");

    FIELD("\xE2\x82\xAC" "68.000 gross per year", 68000, 68000, YEAR, "EUR", 0, NULL);
    FIELD("\xC2\xA3" "50k net p.a.", 50000, 50000, YEAR, "GBP", 0, NULL);
    FIELD("$150k base", 150000, 150000, YEAR, "USD", INF, "$150k"); /* no period: not taken */
}

static void test_open_ranges(void **state)
{
    (void)state;
    FIELD("Up To $150K", NA, 150000, YEAR, "USD", UPTO | INF, "Up To $150K");
    FIELD("upto $150k", NA, 150000, YEAR, "USD", UPTO | INF, NULL);
    FIELD("max $150k", NA, 150000, YEAR, "USD", UPTO | INF, NULL);
    FIELD("Max. $150k", NA, 150000, YEAR, "USD", UPTO | INF, "Max. $150k");
    FIELD("as much as $40/hr", NA, 40, HOUR, "USD", UPTO, "as much as $40/hr");
    FIELD("from $90k", 90000, NA, YEAR, "USD", ANDUP | INF, "from $90k");
    FIELD("starting at $20 an hour", 20, NA, HOUR, "USD", ANDUP, "starting at $20 an hour");
    FIELD("at least $60,000", 60000, NA, YEAR, "USD", ANDUP | INF, NULL);
    FIELD("$90k or more", 90000, NA, YEAR, "USD", ANDUP | INF, "$90k or more");
    FIELD("$90k and up", 90000, NA, YEAR, "USD", ANDUP | INF, "$90k and up");
    FIELD("$90k or more per year", 90000, NA, YEAR, "USD", ANDUP, "$90k or more per year");
    FIELD("$120k+ per year", 120000, NA, YEAR, "USD", ANDUP, "$120k+ per year");
    /* "from" before a range is part of the range. */
    FIELD("from $90k to $110k", 90000, 110000, YEAR, "USD", INF, "from $90k to $110k");
    /* '+' followed by a word is "plus", not an open top. */
    FIELD("$100k+bonus", 100000, 100000, YEAR, "USD", INF, "$100k");
}

static void test_not_nul_terminated(void **state)
{
    (void)state;
    /* Only n bytes are read: the rest of the buffer is never seen. */
    const char *buf = "$50k-$60k per year";
    skm_salary_text o;
    assert_int_equal(skm_salary_text_parse(buf, 4, SKM_SALTEXT_FIELD, &o, NULL), 1);
    assert_true(o.lo == 50000 && o.hi == 50000 && o.len == 4);
    assert_int_equal(skm_salary_text_parse(buf, 9, SKM_SALTEXT_FIELD, &o, NULL), 1);
    assert_true(o.lo == 50000 && o.hi == 60000 && (o.flags & INF));
    assert_int_equal(skm_salary_text_parse(buf, 3, SKM_SALTEXT_FIELD, &o, NULL), 1);
    assert_true(o.lo == 50 && o.period == HOUR);
    /* Every prefix of a field, copied into an exactly sized heap block (ASan builds see any
     * read past the end). */
    const char *f = "Employer Provided Salary:\xE2\x82\xB9" "12,00,000 \xE2\x80\x93 \xE2\x82\xB9"
                    "18,00,000 p.a. (est.)";
    size_t n = strlen(f);
    for (size_t k = 0; k <= n; ++k) {
        char *c = malloc(k ? k : 1);
        assert_non_null(c);
        memcpy(c, f, k);
        int rc = skm_salary_text_parse(c, k, SKM_SALTEXT_FIELD, &o, NULL);
        assert_true(rc >= -1 && rc <= 1);
        assert_true(o.off + o.len <= k);
        rc = skm_salary_text_parse(c, k, SKM_SALTEXT_PROSE, &o, NULL);
        assert_true(rc == 0 || rc == 1);
        assert_true(o.off + o.len <= k);
        free(c);
    }
    assert_int_equal(skm_salary_text_parse(f, n, SKM_SALTEXT_FIELD, &o, NULL), 1);
    assert_true(o.lo == 1200000 && o.hi == 1800000 && o.period == YEAR);
    assert_int_equal(o.flags, EST | EMP);
    assert_string_equal(o.currency, "INR");
}

/* ------------------------------------------------------------------------------------------ */
/* Prose mode                                                                                 */
/* ------------------------------------------------------------------------------------------ */

static void test_prose_found(void **state)
{
    (void)state;
    PROSE("We move fast. The salary range for this role is $130,000 - $160,000. Apply today!",
          130000, 160000, YEAR, "USD", INF, "$130,000 - $160,000");
    PROSE("Pay: $45-55/hr", 45, 55, HOUR, "USD", 0, "$45-55/hr");
    PROSE("Compensation: \xC2\xA3" "70,000 to \xC2\xA3" "85,000 per annum plus bonus", 70000, 85000,
          YEAR, "GBP", 0, "\xC2\xA3" "70,000 to \xC2\xA3" "85,000 per annum");
    PROSE("We offer a base pay of USD 150k\xE2\x80\x93" "190k depending on experience.", 150000,
          190000, YEAR, "USD", INF, "USD 150k\xE2\x80\x93" "190k");
    PROSE("We pay up to \xE2\x82\xAC" "90k for the right person.", NA, 90000, YEAR, "EUR",
          UPTO | INF, "up to \xE2\x82\xAC" "90k");
    PROSE("This role pays $45/hr.", 45, 45, HOUR, "USD", 0, "$45/hr");
    PROSE("Salary: 90,000 - 110,000 depending on experience", 90000, 110000, YEAR, "", INF,
          "90,000 - 110,000");
    PROSE("Earn 120k-150k base plus equity.", 120000, 150000, YEAR, "", INF, "120k-150k");
    PROSE("Base salary ranges between $100,000 and $120,000 annually.", 100000, 120000, YEAR,
          "USD", 0, "between $100,000 and $120,000 annually");
    PROSE("Salary range from $90,000 to $110,000.", 90000, 110000, YEAR, "USD", INF,
          "from $90,000 to $110,000");
    PROSE("Starting at $20 an hour.", 20, NA, HOUR, "USD", ANDUP, "Starting at $20 an hour");
    PROSE("Target Pay 45-70 per hour, contract to hire.", 45, 70, HOUR, "", 0, "45-70 per hour");
    PROSE("Estimated salary: $53K-$91K (Glassdoor est.) for this position.", 53000, 91000, YEAR,
          "USD", EST | INF, "$53K-$91K");
    PROSE("Pay:\n$25 - $30 per hour\nBenefits: medical", 25, 30, HOUR, "USD", 0,
          "$25 - $30 per hour");
    PROSE("Salary banding between \xC2\xA3" "50,000 and \xC2\xA3" "70,000", 50000, 70000, YEAR,
          "GBP", INF, NULL);
    PROSE("Annual salary: \xE2\x82\xB9" "12,00,000", 1200000, 1200000, YEAR, "INR", 0, NULL);
}

static void test_prose_skipped(void **state)
{
    (void)state;
    const char *const none[] = {
        "We offer a 401(k) with match, a 401k plan and a 403(b).",
        "Our company makes $10 billion in revenue every year.",
        "We raised $50M Series B last year.",
        "You have 5+ years of experience in Python.",
        "1-2 years of experience required; pay is competitive.",
        "Worked at Acme 2020-2023 in a salaried role.",
        "We serve 100,000 customers worldwide and pay well.",
        "The plan costs $5 per user per month.",
        "Questions about pay? Call (555) 123-4567 or 555-123-4567 or +1 800 555 1234.",
        "Top 10% of performers get a 20% bonus.",
        "H1B sponsorship available. 1099 contractors welcome.",
        "Competitive salary, 401k, $5,000 signing bonus, and a $100 gift card.",
        "Executive Order 11246 and the Pay Transparency provision apply.",
        "Scheduled Hours per 2 week Pay Period: 80",
        "Headquarters: a 100,000 square foot campus with great pay.",
        "Tuition reimbursement up to $5,250 per year.",
        "Over $2 trillion in expenditures annually.",
        "Salary is competitive and DOE.",
        "We are a $2M startup. Hiring now.",
        "Python 3.8, SQL, 24/7 support, 9-5 schedule, 8am-5pm.",
        "",
        "no digits at all",
    };
    for (size_t k = 0; k < sizeof none / sizeof none[0]; ++k)
        check_none(SKM_SALTEXT_PROSE, none[k], 0);
}

static void test_prose_preference(void **state)
{
    (void)state;
    /* Pay context beats order. */
    PROSE("Contractors bill $75/hr through the agency; the salary for this role is $120,000.",
          120000, 120000, YEAR, "USD", INF, "$120,000");
    PROSE("Perks: $2,000 learning budget. Salary: $120k.", 120000, 120000, YEAR, "USD", INF,
          "$120k");
    /* Pay context does not cross a sentence end. */
    PROSE("We are a $2M startup. Hiring now. Hourly rate of $25.", 25, 25, HOUR, "USD", 0, "$25");
    PROSE("We raised $50M Series B. The salary range is $130,000 - $160,000 plus equity.", 130000,
          160000, YEAR, "USD", INF, "$130,000 - $160,000");
    /* Both with context: the first. Neither: the first qualifying one. */
    PROSE("Salary $90k for juniors, salary $120k for seniors.", 90000, 90000, YEAR, "USD", INF,
          "$90k");
    PROSE("Juniors $90k, seniors $120k.", 90000, 90000, YEAR, "USD", INF, "$90k");
}

/* ------------------------------------------------------------------------------------------ */
/* Plausibility                                                                               */
/* ------------------------------------------------------------------------------------------ */

static void test_plausible(void **state)
{
    (void)state;
    static const struct {
        const char *iso;
        double lo, hi;
    } ranges[] = {
        {"USD", 10000, 1500000}, {"CAD", 10000, 1500000}, {"AUD", 10000, 1500000},
        {"SGD", 10000, 1500000}, {"CHF", 10000, 1500000}, {"GBP", 8000, 1200000},
        {"EUR", 8000, 1200000},  {"INR", 1e5, 1e8},       {"JPY", 1e6, 2e8},
        {"", 10000, 1500000},    {NULL, 10000, 1500000},
    };
    for (size_t k = 0; k < sizeof ranges / sizeof ranges[0]; ++k) {
        const char *c = ranges[k].iso;
        assert_int_equal(skm_salary_text_plausible(ranges[k].lo, c), SKM_SALTEXT_OK);
        assert_int_equal(skm_salary_text_plausible(ranges[k].hi, c), SKM_SALTEXT_OK);
        assert_int_equal(skm_salary_text_plausible(ranges[k].lo * 0.999, c), SKM_SALTEXT_LOW);
        assert_int_equal(skm_salary_text_plausible(ranges[k].hi * 1.001, c), SKM_SALTEXT_HIGH);
        assert_int_equal(skm_salary_text_plausible(-1, c), SKM_SALTEXT_LOW);
        assert_int_equal(skm_salary_text_plausible(-INFINITY, c), SKM_SALTEXT_LOW);
        assert_int_equal(skm_salary_text_plausible(INFINITY, c), SKM_SALTEXT_HIGH);
        assert_int_equal(skm_salary_text_plausible(NAN, c), SKM_SALTEXT_OK);
    }
    /* Other currencies are not checked. */
    assert_int_equal(skm_salary_text_plausible(1, "SEK"), SKM_SALTEXT_OK);
    assert_int_equal(skm_salary_text_plausible(1e12, "KRW"), SKM_SALTEXT_OK);

    /* With the parser: an hourly figure read as annual is low, an annual one read as hourly
     * is high, $1.2M is... plausible (just), £2M is not. */
    skm_salary_text o;
    assert_int_equal(skm_salary_text_parse("$45", 3, SKM_SALTEXT_FIELD, &o, NULL), 1);
    assert_int_equal(skm_salary_text_plausible(skm_annualise(o.lo, o.period, 2080), o.currency),
                     SKM_SALTEXT_OK);
    assert_int_equal(skm_salary_text_plausible(skm_annualise(o.lo, SKM_PERIOD_YEAR, 2080),
                                               o.currency),
                     SKM_SALTEXT_LOW);
    assert_int_equal(skm_salary_text_parse("$90,000/hr", 10, SKM_SALTEXT_FIELD, &o, NULL), 1);
    assert_int_equal(skm_salary_text_plausible(skm_annualise(o.lo, o.period, 2080), o.currency),
                     SKM_SALTEXT_HIGH);
    assert_int_equal(skm_salary_text_parse("$1.2M", 5, SKM_SALTEXT_FIELD, &o, NULL), 1);
    assert_int_equal(skm_salary_text_plausible(o.lo, o.currency), SKM_SALTEXT_OK);
    const char *gbp = "\xC2\xA3" "2M";
    assert_int_equal(skm_salary_text_parse(gbp, strlen(gbp), SKM_SALTEXT_FIELD, &o, NULL), 1);
    assert_int_equal(skm_salary_text_plausible(o.lo, o.currency), SKM_SALTEXT_HIGH);
    const char *inr = "\xE2\x82\xB9" "50,000";
    assert_int_equal(skm_salary_text_parse(inr, strlen(inr), SKM_SALTEXT_FIELD, &o, NULL), 1);
    assert_int_equal(skm_salary_text_plausible(o.lo, o.currency), SKM_SALTEXT_LOW);
}

/* ------------------------------------------------------------------------------------------ */
/* Robustness                                                                                 */
/* ------------------------------------------------------------------------------------------ */

/* The promises of a result, whatever the input. */
static void check_result(const char *s, size_t n, int mode, int rc, const skm_salary_text *o)
{
    (void)s;
    if (mode == SKM_SALTEXT_PROSE)
        assert_true(rc == 0 || rc == 1);
    else
        assert_true(rc >= -1 && rc <= 1);
    assert_true(o->off <= n && o->len <= n - o->off);
    assert_true(strlen(o->currency) == 0 || strlen(o->currency) == 3);
    if (rc != 1) {
        assert_true(isnan(o->lo) && isnan(o->hi) && o->period == 0 && o->flags == 0);
        return;
    }
    assert_true(o->period >= SKM_PERIOD_HOUR && o->period <= SKM_PERIOD_YEAR);
    assert_true(o->len > 0);
    assert_false(isnan(o->lo) && isnan(o->hi));
    if (!isnan(o->lo))
        assert_true(isfinite(o->lo) && o->lo >= 0);
    if (!isnan(o->hi))
        assert_true(isfinite(o->hi) && o->hi > 0);
    if (!isnan(o->lo) && !isnan(o->hi))
        assert_true(o->lo <= o->hi);
    assert_int_equal(!!(o->flags & UPTO), isnan(o->lo));
    assert_int_equal(!!(o->flags & ANDUP), isnan(o->hi));
    assert_false((o->flags & UPTO) && (o->flags & ANDUP));
}

static void test_fuzz(void **state)
{
    (void)state;
    /* Pieces of salary text, so that random strings often get deep into the parser, mixed with
     * raw random bytes. */
    static const char *const pieces[] = {
        "$", "\xC2\xA3", "\xE2\x82\xAC", "\xE2\x82\xB9", "USD", "CA$", "Rs.", "0", "1", "2",
        "5", "9",
        "00", "000", ",", ".", "'", "\xC2\xA0", "\xE2\x80\x93", "-", " - ", " to ", " and ", "k",
        "K", "M", " million", " billion", "+", "%", "/", "/hr", " per ", "year", "hour", " a ",
        "an", "years", " per annum", "up to ", "from ", "between ", " or more", "(Glassdoor est.)",
        "Employer Provided Salary:", "salary ", "pay ", "raised ", " revenue", "401(k)", "\n",
        ". ", " ", "x", "\xFF", "\xE2\x82", "\xC2", "LPA", " lakh", "(", ")",
    };
    const size_t np = sizeof pieces / sizeof pieces[0];
    skm_rng g;
    skm_rng_seed(&g, 20240601, 0);
    char buf[256];
    size_t found = 0;
    for (int it = 0; it < 300000; ++it) {
        size_t n = 0;
        if (it % 4 == 0) {
            n = (size_t)skm_rng_below(&g, 64);
            for (size_t k = 0; k < n; ++k)
                buf[k] = (char)skm_rng_below(&g, 256);
        } else {
            size_t parts = (size_t)skm_rng_below(&g, 12);
            for (size_t k = 0; k < parts; ++k) {
                const char *p = pieces[skm_rng_below(&g, np)];
                size_t l = strlen(p);
                if (n + l > sizeof buf)
                    break;
                memcpy(buf + n, p, l);
                n += l;
            }
        }
        /* An exactly sized copy: ASan builds see any read past n. */
        char *s = malloc(n ? n : 1);
        assert_non_null(s);
        memcpy(s, buf, n);
        skm_salary_text o;
        char why[SKM_WHY_LEN];
        for (int mode = 0; mode <= 1; ++mode) {
            int rc = skm_salary_text_parse(s, n, mode, &o, why);
            check_result(s, n, mode, rc, &o);
            if (rc == -1)
                assert_true(why[0] != '\0' && strlen(why) < SKM_WHY_LEN);
            found += rc == 1;
        }
        free(s);
    }
    assert_true(found > 10000); /* the generator does reach salaries */
}

/* 10 MB inputs: digits and separators, and dense candidates. Linear time: these finish in well
 * under a second; no timing assertion. */
static void test_huge(void **state)
{
    (void)state;
    const size_t n = 10u << 20;
    char *s = malloc(n);
    assert_non_null(s);
    static const char *const patterns[] = {
        "0123456789,.-",  /* digits and separators */
        "1",              /* one 10 MB digit run */
        "$1 ",            /* a currency amount every 3 bytes */
        "$1,000-",        /* ranges chained by '-' */
        "salary $5 per ", /* unit prices with pay context */
        "1.2.3,4,5 ",     /* malformed numbers */
        "up to  ",        /* prefixes with nothing after */
        "\xE2\x82\xAC" "9" "\xC2\xA0",
        "&euro;9&nbsp;&ndash;", /* HTML references */
        "&nbsp;&#1",
    };
    skm_rng g;
    skm_rng_seed(&g, 7, 0);
    for (size_t p = 0; p < sizeof patterns / sizeof patterns[0]; ++p) {
        const char *pat = patterns[p];
        size_t pl = strlen(pat);
        for (size_t k = 0; k < n; ++k)
            s[k] = p == 0 ? pat[skm_rng_below(&g, pl)] : pat[k % pl];
        skm_salary_text o;
        char why[SKM_WHY_LEN];
        for (int mode = 0; mode <= 1; ++mode) {
            int rc = skm_salary_text_parse(s, n, mode, &o, why);
            check_result(s, n, mode, rc, &o);
        }
    }
    /* A salary at the very end of 10 MB of prose filler is still found. */
    memset(s, 'a', n);
    for (size_t k = 7; k < n; k += 8)
        s[k] = ' ';
    const char *tail = " The salary is $95,000 per year.";
    memcpy(s + n - strlen(tail), tail, strlen(tail));
    skm_salary_text o;
    assert_int_equal(skm_salary_text_parse(s, n, SKM_SALTEXT_PROSE, &o, NULL), 1);
    assert_true(o.lo == 95000 && o.period == YEAR && o.off == n - strlen(tail) + 15);
    free(s);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_field_forms),
        cmocka_unit_test(test_field_missing),
        cmocka_unit_test(test_field_errors),
        cmocka_unit_test(test_period_words),
        cmocka_unit_test(test_period_inference),
        cmocka_unit_test(test_numbers),
        cmocka_unit_test(test_currencies),
        cmocka_unit_test(test_dollars_and_html),
        cmocka_unit_test(test_open_ranges),
        cmocka_unit_test(test_not_nul_terminated),
        cmocka_unit_test(test_prose_found),
        cmocka_unit_test(test_prose_skipped),
        cmocka_unit_test(test_prose_preference),
        cmocka_unit_test(test_plausible),
        cmocka_unit_test(test_fuzz),
        cmocka_unit_test(test_huge),
    };
    return cmocka_run_group_tests(tests, NULL, NULL);
}
