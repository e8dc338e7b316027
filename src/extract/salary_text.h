/*
 * salary_text.h — read a salary out of free text: a salary cell ("$53K-$91K (Glassdoor est.)",
 * "Employer Provided Salary:$25-$35 Per Hour", "₹12,00,000 - ₹18,00,000 per annum") or a job
 * description ("... The salary range for this role is $130,000 - $160,000. ...").
 *
 * Pure functions over a byte range s[0..n) that need not be NUL-terminated: no allocation, no
 * locale, never a read past n, linear time in n, any bytes accepted (invalid UTF-8, NULs, junk).
 *
 * What is recognised
 *
 *   expression  := [prefix] amount [period] [range-sep amount [period]] ['+' | "or more" ...]
 *   amount      := [currency] number [multiplier] [currency]
 *
 *   Numbers and separators. A number is a digit run with separators between digit groups; the
 *   separators are resolved by these rules (then the digits go to skm_parse_amount):
 *     - ',' groups of three (102,100) or Indian lakh grouping (12,00,000: a first group of one or
 *       two digits, groups of two, a last group of three) are thousands separators;
 *     - '.' groups of three (70.000, 1.200.000) are thousands separators — a single '.' followed
 *       by exactly three digits is read as thousands ("€70.000" is 70000) unless a multiplier
 *       follows ("1.125k") or the number starts "0."; any other single '.' is a decimal point;
 *     - when two kinds of separator appear, the last one (a single ',' or '.') is the decimal
 *       mark and the earlier ones are thousands separators: "102,100.00", "70.000,50";
 *     - a single ',' followed by one or two digits is a decimal comma ("45,50 €");
 *     - an apostrophe (ASCII or U+2019, Swiss "120'000") or a no-break / narrow no-break / thin
 *       space between groups of three is a thousands separator; plain spaces never are;
 *     - anything else ("1,23,4", "192.168.1.1") is malformed. At most 18 integer digits, 12
 *       fraction digits and 6 separators.
 *   Multipliers, attached or (for words) after one blank: k/K = 1,000; m/M/MM/mn/million =
 *   1,000,000 (m, M, MM attached only); thousand; lakh/lakhs/lac/lacs = 100,000; crore/crores
 *   (cr attached only) = 10,000,000; LPA = lakhs per annum (sets the period to year);
 *   b/bn/billion/trillion is read but never a salary (prose skips it, a field is an error).
 *   A multiplier written only on the top of a range applies to a bottom
 *   written without one below 1,000 ("150-225k" is 150,000..225,000, "$45-55k"); one written
 *   only on the bottom applies to a smaller top ("60k-80").
 *
 *   Currency marks, before or after the number, mapped to ISO 4217 codes:
 *     $ US$ USD -> USD     CA$ C$ CDN$ CAD -> CAD   A$ AU$ AUD -> AUD   NZ$ NZD -> NZD
 *     S$ SG$ SGD -> SGD    HK$ HKD -> HKD           MX$ MXN -> MXN      R$ BRL -> BRL
 *     £ GBP -> GBP         € EUR -> EUR             ₹ ₨ Rs Rs. INR -> INR
 *     ¥ JPY -> JPY         ₩ KRW -> KRW             ₪ ILS -> ILS        ₱ -> PHP
 *     CHF CNY (and RMB -> CNY) SEK NOK DKK PLN ZAR AED as upper-case codes.
 *   A bare "$" is read as USD unless the expression also names a dollar currency (USD CAD AUD
 *   NZD SGD HKD MXN) by a code or a prefixed sign: "$150,000 - $175,000 CAD" and "CA$95,000 -
 *   $115,000" are CAD. Codes are matched upper case only, as whole words ("PHP" the language is
 *   not the peso). Otherwise a range's two amounts must not name different currencies. With no
 *   currency named, a lakh / crore / LPA multiplier means INR ("18-25 LPA").
 *
 *   HTML character references left in scraped text are read as their characters: &nbsp; &#160;
 *   &thinsp; &ensp; &emsp; &#8239; (blanks), &ndash; &mdash; &minus; &#8211; &#8212; (dashes),
 *   &euro; &pound; &yen; &dollar; and the numeric forms of € £ ¥ ₹ $ (currency signs).
 *
 *   Range separators: '-', en dash, em dash, figure dash, minus sign, "to", "and" (blanks around
 *   allowed). A reversed range (bottom above top) is not a range.
 *
 *   Pay periods (case-insensitive), after the amount or after the range, optionally introduced
 *   by "per", "a"/"an" or '/': every singular word skm_parse_period() knows (hour hourly hr,
 *   day daily, week weekly wk, month monthly mo mth, year yearly yr annual annually annum), plus
 *   ph (hour), pa p.a. (year), pcm (month), "per diem" (day), /h (hour), /d (day), /y (year),
 *   optionally after one of gross / net / brutto / base / total ("€68.000 gross per year"; the
 *   word is part of the expression only when a period follows it).
 *   Plural words (years, months, hrs ...) are durations, not periods ("/hrs" excepted):
 *   "5+ years" is never a salary. A period adjective up to four words before the amount also
 *   counts ("Hourly rate: $25", "annual salary of $90,000"). "per"/'/' followed by any other
 *   word is a unit price ("$5 per user"), never a salary.
 *
 *   Period inference (flag SKM_SALTEXT_PERIOD_INFERRED) when no period word is found: an
 *   expression with a multiplier (K, M, lakh, ...) or whose largest amount is >= 1,000 is
 *   yearly; a largest amount below 200 is hourly; 200 to 999 is daily. The rule ignores the
 *   currency (a yen or rupee figure >= 1,000 is read as yearly), so check the result with
 *   skm_salary_text_plausible().
 *
 *   Open ranges: "up to", "upto", "max", "maximum (of)", "as much as", "not to exceed", "no more
 *   than" before a single amount give SKM_SALTEXT_UP_TO (lo = NaN); a '+' right after it
 *   ("$120k+"), "or more", "and up", "and above", "or higher" after it, or "from", "starting
 *   (at|from)", "starts at", "at least", "min", "minimum (of)", "over", "above", "more than",
 *   "in excess of" before it give SKM_SALTEXT_AND_UP (hi = NaN). "between"/"from" before a range
 *   is part of the range.
 *
 *   Decoration (flags only, not part of the span): "est."/"est)"/"estimate..." -> ESTIMATE,
 *   "Employer Provided" -> EMPLOYER, "Employer est." -> both. In a field the whole field is
 *   searched; in prose the 40 bytes before and 24 bytes after the expression.
 *
 *   The span [off, off + len) covers the prefix words, currency marks, numbers, multipliers, the
 *   range separator, the period phrase and a trailing '+' / "or more"; not the decoration.
 *
 * FIELD mode. The field is one salary cell. No digit at all ("Competitive", "DOE", "N/A", "") or
 * exactly "-1" means missing (0); so does an amount of zero ("0", "$0-$0"). Otherwise the field
 * must hold exactly one salary expression (percentages such as "10% bonus", "401(k)" and plural
 * durations are ignored around it); anything else is -1 with a reason: a malformed number, a
 * negative amount, a reversed range, two currencies, more than one amount, billions, a unit
 * price, digits with no amount ("H1B").
 *
 * PROSE mode. Every expression in the text is a candidate; these never qualify: percentages,
 * 401(k)/403(b)/457(b), billions, unit prices, durations, amounts of zero, and amounts with a
 * money word that is not pay among the four words before (raised, revenue, funding, bonus,
 * budget, price, reimbursement, ...) or the three words after ("in revenue", "signing bonus",
 * "Series B", "customers", "square feet", ...; the look-ahead stops at punctuation, "plus",
 * "and", "with", "or", '+', '&').
 * Pay context is a pay word (salary, pay, paid, compensation, comp, base, range, rate, wage,
 * OTE, earn, earnings, remuneration, income, package) in the same sentence (ended by '.', '!',
 * '?' before a blank, or by ';'): up to 100 bytes before the expression, or up to 40 bytes after
 * it on the same line and before the next number. A candidate qualifies when
 *   - it names a currency and has pay context, an explicit period, a range, a K-type multiplier
 *     or an amount >= 1,000 (a million-type multiplier needs pay context: "raised $50M" is out);
 *   - or it names no currency, has pay context, and has a multiplier ("150-190k base"), a period
 *     introduced by per / a / an / '/' or written as an adverb (hourly, annually, ph, pa ...:
 *     "45-70 per hour"; a bare noun as in "2 week" or "40 hour" does not count), or digit
 *     grouping and an amount >= 10,000 ("90,000 - 110,000"). So "2020-2023", "1099", "Executive
 *     Order 11246", "100,000 customers" are out.
 * The first qualifying candidate with pay context wins, else the first qualifying one.
 */
#ifndef SKM_EXTRACT_SALARY_TEXT_H
#define SKM_EXTRACT_SALARY_TEXT_H

#include <stddef.h>

#include "../ingest/fields.h" /* SKM_WHY_LEN */

enum { SKM_SALTEXT_FIELD = 0, SKM_SALTEXT_PROSE = 1 };

/* Flags, a bit set. */
enum {
    SKM_SALTEXT_ESTIMATE = 1,        /* "(Glassdoor est.)", "(Employer est.)", "est.": estimated */
    SKM_SALTEXT_EMPLOYER = 2,        /* "Employer Provided Salary:" or "(Employer est.)" */
    SKM_SALTEXT_UP_TO = 4,           /* "up to $150k": only a maximum (lo is NaN) */
    SKM_SALTEXT_AND_UP = 8,          /* "$120k+", "from $90k", "$90k or more": a minimum (hi NaN) */
    SKM_SALTEXT_PERIOD_INFERRED = 16 /* no period word: period inferred from the magnitude */
};

typedef struct skm_salary_text {
    double lo, hi;    /* multipliers applied ($53K -> 53000); one figure: lo == hi; UP_TO: lo NaN;
                         AND_UP: hi NaN; otherwise lo <= hi */
    int period;       /* enum skm_period; never SKM_PERIOD_UNKNOWN when found */
    char currency[4]; /* ISO 4217 code, "" when the text names no currency */
    unsigned flags;   /* SKM_SALTEXT_* bits */
    size_t off, len;  /* the byte span of the expression in s */
} skm_salary_text;

/* Find a salary in s[0..n) (mode SKM_SALTEXT_FIELD or SKM_SALTEXT_PROSE; see above). Returns 1
 * and fills *out when found; 0 when there is none; -1 (FIELD mode only) when the field has digits
 * that cannot be read as one salary, with a short reason in why (may be NULL). On 0 and -1, *out
 * is cleared (lo = hi = NaN, period 0, currency "", flags 0, off = len = 0). */
int skm_salary_text_parse(const char *s, size_t n, int mode, skm_salary_text *out, char *why);

/* Plausibility of an annualised figure (e.g. skm_annualise(lo, period, 2080)) in a currency.
 * Plausible yearly ranges, inclusive:
 *   USD CAD AUD SGD CHF    10,000 .. 1,500,000
 *   GBP EUR                 8,000 .. 1,200,000
 *   INR                   100,000 .. 100,000,000
 *   JPY                 1,000,000 .. 200,000,000
 *   "" or NULL (no currency named): the USD range; any other code: not checked (OK).
 * NaN is OK (nothing to check); -inf is LOW, +inf HIGH. */
enum { SKM_SALTEXT_OK = 0, SKM_SALTEXT_LOW = 1, SKM_SALTEXT_HIGH = 2 };
int skm_salary_text_plausible(double annual, const char *currency);

#endif /* SKM_EXTRACT_SALARY_TEXT_H */
