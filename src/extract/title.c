/*
 * title.c — seniority, role family and work mode from job titles, locations and descriptions.
 * The rules are documented in title.h; this file follows that text.
 *
 * Titles are read as a stream of words through a small ring (win): each word is judged with up
 * to WIN_BEHIND words before and WIN_AHEAD words after it in view, so any title length works in
 * one pass without allocation. The work-mode scanner looks only at word starts whose first letter
 * can begin a statement, and reads a bounded neighbourhood around each candidate.
 */
#include "extract/title.h"

#include <stdint.h>
#include <string.h>

/* ------------------------------------------------------------------------------------------ */
/* Names                                                                                      */
/* ------------------------------------------------------------------------------------------ */

static const char *const k_seniority_names[SKM_SENIORITY_COUNT] = {
    "intern", "junior", "mid", "senior", "staff/principal", "lead/manager", "director+",
};

static const char *const k_role_names[SKM_ROLE_COUNT] = {
    "ML Engineer",      "AI/LLM Engineer",   "MLOps Engineer", "Data Scientist",
    "Research Scientist", "Data Engineer",   "Data Analyst",   "Business Analyst",
    "Software Engineer", "Other",
};

static const char *const k_work_names[SKM_WORK_COUNT] = {"onsite", "hybrid", "remote"};

const char *skm_seniority_name(int s)
{
    return s >= 0 && s < SKM_SENIORITY_COUNT ? k_seniority_names[s] : NULL;
}

const char *skm_role_family_name(int r)
{
    return r >= 0 && r < SKM_ROLE_COUNT ? k_role_names[r] : NULL;
}

const char *skm_work_mode_name(int w)
{
    return w >= 0 && w < SKM_WORK_COUNT ? k_work_names[w] : NULL;
}

/* ------------------------------------------------------------------------------------------ */
/* Words                                                                                      */
/* ------------------------------------------------------------------------------------------ */

typedef unsigned char uchar;

static int is_alnum(uchar c)
{
    uchar l = (uchar)(c | 0x20);
    return (c >= '0' && c <= '9') || (l >= 'a' && l <= 'z');
}

static uchar lower(uchar c)
{
    return c >= 'A' && c <= 'Z' ? (uchar)(c | 0x20) : c;
}

/* Longest keyword is shorter than this; longer words are kept by length only. */
#define TOK_MAX 16

typedef struct tok {
    char w[TOK_MAX]; /* the first min(len, TOK_MAX) bytes, lower case */
    size_t len;      /* the word's real length; 0: no word */
} tok;

static const tok k_empty_tok;

static int is_lower(uchar c)
{
    return c >= 'a' && c <= 'z';
}

/* A camel-case word boundary at j: an upper-case letter with two lower-case letters before and
 * after it ("EngineerRemote", "BigData", "DataOps"; not "iPhone", "LinkedIn", "PhD", "GenAI"). */
static int camel_at(const uchar *s, size_t n, size_t j)
{
    return j >= 2 && j + 2 < n && s[j] >= 'A' && s[j] <= 'Z' && is_lower(s[j - 1]) &&
           is_lower(s[j - 2]) && is_lower(s[j + 1]) && is_lower(s[j + 2]);
}

/* The word at s[i..) (s[i] alnum), lower-cased into t, reading at most `cap` bytes of it;
 * returns the index after what was read. A word ends at a camel-case boundary. */
static size_t take_word_cap(const uchar *s, size_t n, size_t i, tok *t, size_t cap)
{
    size_t j = i;
    while (j < n && j - i < cap && is_alnum(s[j]) && (j == i || !camel_at(s, n, j))) {
        if (j - i < TOK_MAX)
            t->w[j - i] = (char)lower(s[j]);
        ++j;
    }
    t->len = j - i;
    return j;
}

static size_t take_word(const uchar *s, size_t n, size_t i, tok *t)
{
    return take_word_cap(s, n, i, t, SIZE_MAX);
}

/* A word of the work-mode scanner: at most TOK_MAX + 1 bytes are read; a longer word (which is
 * no keyword) has len > TOK_MAX and an end index inside it, which callers do not use. */
static size_t take_short_word(const uchar *s, size_t n, size_t i, tok *t)
{
    return take_word_cap(s, n, i, t, TOK_MAX + 1);
}

/* t equals the NUL-terminated lower-case word w. */
static int tk_is(const tok *t, const char *w)
{
    if (t->len == 0 || t->w[0] != w[0])
        return 0;
    size_t l = strlen(w);
    return t->len == l && l <= TOK_MAX && memcmp(t->w, w, l) == 0;
}

/* t equals one of the words of the NULL-terminated list. */
static int tk_in(const tok *t, const char *const *list)
{
    for (; *list; ++list)
        if (tk_is(t, *list))
            return 1;
    return 0;
}

/* ---- the word window ---- */

#define WIN_BEHIND 3
#define WIN_AHEAD 3
#define WIN_RING 8 /* >= WIN_BEHIND + 1 + WIN_AHEAD */

typedef struct win {
    const uchar *s;
    size_t n;
    size_t pos;   /* next byte to read */
    size_t nread; /* words read so far */
    int eof;
    tok ring[WIN_RING];
} win;

static void win_init(win *w, const char *s, size_t n)
{
    memset(w, 0, sizeof *w);
    w->s = (const uchar *)s;
    w->n = s ? n : 0;
}

/* Read one more word into the ring, or set eof. */
static void win_fill(win *w)
{
    while (w->pos < w->n && !is_alnum(w->s[w->pos]))
        ++w->pos;
    if (w->pos >= w->n) {
        w->eof = 1;
        return;
    }
    w->pos = take_word(w->s, w->n, w->pos, &w->ring[w->nread % WIN_RING]);
    ++w->nread;
}

/* Make words up to k + WIN_AHEAD available (as far as there are words). Returns 0 when word k
 * does not exist. */
static int win_reach(win *w, size_t k)
{
    while (!w->eof && w->nread <= k + WIN_AHEAD)
        win_fill(w);
    return k < w->nread;
}

/* Word k + off, off in [-WIN_BEHIND, WIN_AHEAD]; the empty word outside the title. */
static const tok *win_at(const win *w, size_t k, int off)
{
    if (off < 0 && k < (size_t)-off)
        return &k_empty_tok;
    size_t i = off < 0 ? k - (size_t)-off : k + (size_t)off;
    return i < w->nread ? &w->ring[i % WIN_RING] : &k_empty_tok;
}

/* No ASCII letter or digit and no byte >= 0x80. */
static int is_blank(const char *s, size_t n)
{
    if (!s)
        return 1;
    for (size_t i = 0; i < n; ++i) {
        uchar c = (uchar)s[i];
        if (c >= 0x80 || is_alnum(c))
            return 0;
    }
    return 1;
}

/* ------------------------------------------------------------------------------------------ */
/* Seniority                                                                                  */
/* ------------------------------------------------------------------------------------------ */

/* Precedence of each level: director > lead > staff > senior > mid > intern > junior. */
static const int k_rank[SKM_SENIORITY_COUNT] = {
    [SKM_SENIORITY_INTERN] = 2, [SKM_SENIORITY_JUNIOR] = 1, [SKM_SENIORITY_MID] = 3,
    [SKM_SENIORITY_SENIOR] = 4, [SKM_SENIORITY_STAFF] = 5,  [SKM_SENIORITY_LEAD] = 6,
    [SKM_SENIORITY_DIRECTOR] = 7,
};

static const char *const k_intern_words[] = {
    "intern",     "interns",     "internship",     "internships",     "trainee",
    "trainees",   "apprentice",  "apprentices",    "apprenticeship",  "apprenticeships",
    "fellowship", "fellowships", "werkstudent",    "coop",            "alternant",
    "alternance", NULL,
};
static const char *const k_junior_words[] = {
    "junior", "jr", "jnr", "graduate", "graduates", "grad", "grads",
    "postdoc", "postdocs", "postdoctoral", NULL,
};
static const char *const k_assoc_words[] = {"associate", "associates", "assistant", NULL};
/* After associate / assistant: the next word carries the level instead. */
static const char *const k_assoc_next[] = {
    "director", "directors", "manager", "managers", "principal", "partner", "vp",
    "vice", "president", "head", "chief", "lead", NULL,
};
static const char *const k_fellow_prev[] = {
    "distinguished", "technical", "engineering", "senior", "sr", "principal",
    "corporate", "executive", NULL,
};
static const char *const k_mid_words[] = {"mid", "midlevel", "intermediate", NULL};
static const char *const k_senior_words[] = {"senior", "sr", "snr", "founding", NULL};
static const char *const k_staff_words[] = {"staff", "principal", "principle", "distinguished",
                                            NULL};
static const char *const k_lead_words[] = {
    "manager", "managers", "mgr", "supervisor", "supervisors", NULL,
};
static const char *const k_leader_words[] = {"lead", "leads", "leader", "leaders", NULL};
static const char *const k_director_words[] = {
    "director", "directors", "vp", "svp", "evp", "avp", "president", "chief", "cto", "cio",
    "cdo", "cdao", "caio", "ceo", "cfo", "coo", "cso", NULL,
};
/* Words after which a lone digit is a grade. */
static const char *const k_grade_nouns[] = {
    "engineer", "scientist", "analyst", "developer", "programmer", "consultant", "specialist",
    "architect", "researcher", "statistician", "associate", "administrator", "sde", "swe", "mle",
    "level", "lvl", "grade", NULL,
};

static int grade_level(unsigned g)
{
    return g == 1 ? SKM_SENIORITY_JUNIOR
           : g == 2 ? SKM_SENIORITY_MID
           : g == 3 ? SKM_SENIORITY_SENIOR
                    : SKM_SENIORITY_STAFF;
}

/* Roman numeral value of a whole word (I..VI), 0 if none. */
static unsigned roman_value(const tok *t)
{
    static const char *const numerals[] = {"i", "ii", "iii", "iv", "v", "vi"};
    for (unsigned v = 0; v < 6; ++v)
        if (tk_is(t, numerals[v]))
            return v + 1;
    return 0;
}

/* The level marked by word k (SKM_SENIORITY_UNKNOWN: none). Sets *skip_next when the next word
 * belongs to this marker and must not be judged on its own. */
static int seniority_marker(const win *w, size_t k, int *skip_next)
{
    const tok *t = win_at(w, k, 0);
    const tok *p = win_at(w, k, -1);
    const tok *x = win_at(w, k, 1);

    if (tk_in(t, k_intern_words))
        return SKM_SENIORITY_INTERN;
    if (tk_is(t, "co") && tk_is(x, "op"))
        return SKM_SENIORITY_INTERN;
    if (tk_is(t, "student")) {
        static const char *const before[] = {"working", "phd", NULL};
        static const char *const after[] = {"worker", "workers", "assistant", "assistants",
                                            "researcher", "researchers", NULL};
        if (tk_in(p, before) || tk_in(x, after))
            return SKM_SENIORITY_INTERN;
        return SKM_SENIORITY_UNKNOWN;
    }
    if (tk_is(t, "summer")) {
        static const char *const after[] = {"analyst", "analysts", "associate", "associates", NULL};
        return tk_in(x, after) ? SKM_SENIORITY_INTERN : SKM_SENIORITY_UNKNOWN;
    }
    if (tk_in(t, k_junior_words))
        return SKM_SENIORITY_JUNIOR;
    if (tk_is(t, "entry"))
        return tk_is(x, "level") || tk_is(x, "lvl") ? SKM_SENIORITY_JUNIOR : SKM_SENIORITY_UNKNOWN;
    if (tk_is(t, "early"))
        return tk_is(x, "career") ? SKM_SENIORITY_JUNIOR : SKM_SENIORITY_UNKNOWN;
    if (tk_in(t, k_assoc_words))
        return tk_in(x, k_assoc_next) ? SKM_SENIORITY_UNKNOWN : SKM_SENIORITY_JUNIOR;
    if (tk_is(t, "fellow") || tk_is(t, "fellows"))
        return tk_in(p, k_fellow_prev) ? SKM_SENIORITY_STAFF : SKM_SENIORITY_JUNIOR;
    if (tk_in(t, k_mid_words)) {
        if (tk_is(t, "mid") && (tk_is(x, "senior") || tk_is(x, "sr")))
            *skip_next = 1;
        return SKM_SENIORITY_MID;
    }
    if (tk_in(t, k_senior_words))
        return SKM_SENIORITY_SENIOR;
    if (tk_in(t, k_staff_words)) {
        if (tk_is(t, "principal") && (tk_is(x, "associate") || tk_is(x, "associates")))
            return SKM_SENIORITY_SENIOR; /* bank grades: Associate < Senior < Principal Assoc. */
        return SKM_SENIORITY_STAFF;
    }
    if (tk_in(t, k_leader_words))
        return tk_is(x, "generation") || tk_is(x, "gen") ? SKM_SENIORITY_UNKNOWN
                                                         : SKM_SENIORITY_LEAD;
    if (tk_in(t, k_lead_words))
        return SKM_SENIORITY_LEAD;
    if (tk_is(t, "head"))
        return tk_is(x, "of") ? SKM_SENIORITY_DIRECTOR : SKM_SENIORITY_LEAD;
    if (tk_in(t, k_director_words))
        return SKM_SENIORITY_DIRECTOR;
    if (tk_is(t, "vice"))
        return tk_is(x, "president") ? SKM_SENIORITY_DIRECTOR : SKM_SENIORITY_UNKNOWN;

    unsigned r = roman_value(t);
    if (r) {
        if (t->len == 1 && (p->len == 1 || x->len == 1))
            return SKM_SENIORITY_UNKNOWN; /* A.I., I.T., I/O */
        return grade_level(r);
    }
    if (t->len == 1 && t->w[0] >= '1' && t->w[0] <= '9')
        return tk_in(p, k_grade_nouns) ? grade_level((unsigned)(t->w[0] - '0'))
                                       : SKM_SENIORITY_UNKNOWN;
    if ((t->len == 2 || t->len == 3) && t->w[0] == 'l' && t->w[1] >= '0' && t->w[1] <= '9' &&
        (t->len == 2 || (t->w[2] >= '0' && t->w[2] <= '9'))) {
        unsigned v = (unsigned)(t->w[1] - '0');
        if (t->len == 3)
            v = v * 10 + (unsigned)(t->w[2] - '0');
        if (v == 0)
            return SKM_SENIORITY_UNKNOWN;
        return v <= 3 ? SKM_SENIORITY_JUNIOR
               : v == 4 ? SKM_SENIORITY_MID
               : v == 5 ? SKM_SENIORITY_SENIOR
                        : SKM_SENIORITY_STAFF;
    }
    return SKM_SENIORITY_UNKNOWN;
}

int skm_title_seniority(const char *title, size_t n)
{
    if (is_blank(title, n))
        return SKM_SENIORITY_UNKNOWN;
    win w;
    win_init(&w, title, n);
    int best = SKM_SENIORITY_MID, best_rank = 0;
    size_t skip = SIZE_MAX;
    for (size_t k = 0; win_reach(&w, k); ++k) {
        if (k == skip)
            continue;
        int skip_next = 0;
        int lv = seniority_marker(&w, k, &skip_next);
        if (skip_next)
            skip = k + 1;
        if (lv >= 0 && k_rank[lv] > best_rank) {
            best = lv;
            best_rank = k_rank[lv];
        }
    }
    return best;
}

/* ------------------------------------------------------------------------------------------ */
/* Role family                                                                                */
/* ------------------------------------------------------------------------------------------ */

/* Rules in priority order (title.h numbers them from 1). */
enum {
    R_MLOPS,
    R_RESEARCH,
    R_AI,
    R_ML,
    R_DS,
    R_DE,
    R_DA,
    R_BA,
    R_ML_DOMAIN,
    R_AI_DOMAIN,
    R_ANALYST,
    R_SWE,
    R_STOP, /* consumes words, names no family */
    R_COUNT
};

static const int k_rule_family[R_COUNT] = {
    [R_MLOPS] = SKM_ROLE_MLOPS,
    [R_RESEARCH] = SKM_ROLE_RESEARCH_SCIENTIST,
    [R_AI] = SKM_ROLE_AI_ENGINEER,
    [R_ML] = SKM_ROLE_ML_ENGINEER,
    [R_DS] = SKM_ROLE_DATA_SCIENTIST,
    [R_DE] = SKM_ROLE_DATA_ENGINEER,
    [R_DA] = SKM_ROLE_DATA_ANALYST,
    [R_BA] = SKM_ROLE_BUSINESS_ANALYST,
    [R_ML_DOMAIN] = SKM_ROLE_ML_ENGINEER,
    [R_AI_DOMAIN] = SKM_ROLE_AI_ENGINEER,
    [R_ANALYST] = SKM_ROLE_BUSINESS_ANALYST,
    [R_SWE] = SKM_ROLE_SOFTWARE_ENGINEER,
    [R_STOP] = SKM_ROLE_OTHER,
};

typedef struct phrase {
    unsigned char rule;
    const char *text; /* 1..WIN_AHEAD + 1 lower-case words separated by single spaces */
} phrase;

static const phrase k_phrases[] = {
    /* 1 MLOps */
    {R_MLOPS, "mlops"},
    {R_MLOPS, "ml ops"},
    {R_MLOPS, "llmops"},
    {R_MLOPS, "modelops"},
    {R_MLOPS, "model ops"},
    {R_MLOPS, "ml platform"},
    {R_MLOPS, "machine learning platform"},
    {R_MLOPS, "ai platform"},
    {R_MLOPS, "ml infrastructure"},
    {R_MLOPS, "machine learning infrastructure"},
    {R_MLOPS, "ai infrastructure"},
    {R_MLOPS, "ml operations"},
    {R_MLOPS, "machine learning operations"},
    {R_MLOPS, "ai operations"},
    {R_MLOPS, "ml infra"},
    {R_MLOPS, "ml devops"},
    {R_MLOPS, "machine learning ops"},
    /* 2 Research scientist */
    {R_RESEARCH, "research scientist"},
    {R_RESEARCH, "research engineer"},
    {R_RESEARCH, "applied scientist"},
    {R_RESEARCH, "research staff member"},
    {R_RESEARCH, "postdoctoral research"},
    {R_RESEARCH, "postdoctoral researcher"},
    {R_RESEARCH, "ml research"},
    {R_RESEARCH, "ml researcher"},
    {R_RESEARCH, "ai research"},
    {R_RESEARCH, "ai researcher"},
    {R_RESEARCH, "machine learning research"},
    {R_RESEARCH, "machine learning researcher"},
    {R_RESEARCH, "deep learning research"},
    {R_RESEARCH, "deep learning researcher"},
    {R_RESEARCH, "nlp research"},
    {R_RESEARCH, "nlp researcher"},
    /* 3 AI / LLM engineer */
    {R_AI, "llm"},
    {R_AI, "large language model"},
    {R_AI, "generative ai"},
    {R_AI, "generative"},
    {R_AI, "genai"},
    {R_AI, "gen ai"},
    {R_AI, "gpt"},
    {R_AI, "chatgpt"},
    {R_AI, "prompt"},
    {R_AI, "prompt engineer"},
    {R_AI, "prompt engineering"},
    {R_AI, "applied ai"},
    {R_AI, "ai engineer"},
    {R_AI, "ai engineering"},
    {R_AI, "ai developer"},
    {R_AI, "ai software engineer"},
    {R_AI, "ai architect"},
    {R_AI, "ai solutions architect"},
    {R_AI, "ai solution architect"},
    {R_AI, "conversational ai"},
    {R_AI, "ai agent"},
    {R_AI, "agentic"},
    {R_AI, "rag"},
    {R_AI, "langchain"},
    {R_AI, "chatbot"},
    {R_AI, "ai application"},
    {R_AI, "artificial intelligence engineer"},
    /* 4 ML engineer */
    {R_ML, "machine learning engineer"},
    {R_ML, "machine learning engineering"},
    {R_ML, "ml engineer"},
    {R_ML, "ml engineering"},
    {R_ML, "mle"},
    {R_ML, "machine learning developer"},
    {R_ML, "ml developer"},
    {R_ML, "machine learning software engineer"},
    {R_ML, "ml software engineer"},
    {R_ML, "deep learning engineer"},
    {R_ML, "computer vision engineer"},
    {R_ML, "cv engineer"},
    {R_ML, "nlp engineer"},
    {R_ML, "perception engineer"},
    {R_ML, "ai ml engineer"},
    {R_ML, "ml ai engineer"},
    {R_ML, "ai ml developer"},
    {R_ML, "ml ai developer"},
    {R_ML, "aiml engineer"},
    {R_ML, "ai machine learning engineer"},
    {R_ML, "machine learning ai engineer"},
    /* 5 Data scientist */
    {R_DS, "data scientist"},
    {R_DS, "data science"},
    {R_DS, "ds"},
    {R_DS, "machine learning scientist"},
    {R_DS, "ml scientist"},
    {R_DS, "ai scientist"},
    {R_DS, "decision scientist"},
    {R_DS, "decision science"},
    {R_DS, "statistician"},
    {R_DS, "biostatistician"},
    {R_DS, "quantitative analyst"},
    {R_DS, "quant analyst"},
    {R_DS, "quantitative researcher"},
    {R_DS, "quant researcher"},
    {R_DS, "econometrician"},
    {R_DS, "data mining"},
    {R_DS, "predictive modeler"},
    /* 6 Data engineer */
    {R_DE, "data engineer"},
    {R_DE, "data engineering"},
    {R_DE, "big data"},
    {R_DE, "etl"},
    {R_DE, "elt"},
    {R_DE, "data warehouse"},
    {R_DE, "data warehousing"},
    {R_DE, "dwh"},
    {R_DE, "data architect"},
    {R_DE, "data architecture"},
    {R_DE, "data platform"},
    {R_DE, "data infrastructure"},
    {R_DE, "data pipeline"},
    {R_DE, "data ops"},
    {R_DE, "dataops"},
    {R_DE, "analytics engineer"},
    {R_DE, "analytics engineering"},
    {R_DE, "data analytics engineer"},
    {R_DE, "database engineer"},
    {R_DE, "database developer"},
    {R_DE, "database administrator"},
    {R_DE, "dba"},
    {R_DE, "sql developer"},
    {R_DE, "data integration engineer"},
    {R_DE, "data integration developer"},
    {R_DE, "data developer"},
    {R_DE, "data modeler"},
    {R_DE, "data modeller"},
    {R_DE, "hadoop"},
    {R_DE, "spark developer"},
    {R_DE, "spark engineer"},
    {R_DE, "kafka developer"},
    {R_DE, "kafka engineer"},
    {R_DE, "snowflake developer"},
    {R_DE, "snowflake engineer"},
    {R_DE, "databricks developer"},
    {R_DE, "databricks engineer"},
    {R_DE, "informatica developer"},
    {R_DE, "informatica engineer"},
    /* 7 Data analyst */
    {R_DA, "data analyst"},
    {R_DA, "database analyst"},
    {R_DA, "big data analyst"},
    {R_DA, "data analysis"},
    {R_DA, "data analytics"},
    {R_DA, "analytic"},
    {R_DA, "bi"},
    {R_DA, "business intelligence"},
    {R_DA, "power bi"},
    {R_DA, "tableau"},
    {R_DA, "looker"},
    {R_DA, "reporting"},
    {R_DA, "report developer"},
    {R_DA, "insight"},
    {R_DA, "data visualization"},
    {R_DA, "data visualisation"},
    {R_DA, "data science analyst"},
    {R_DA, "decision science analyst"},
    {R_DA, "statistical analyst"},
    {R_DA, "product analyst"},
    {R_DA, "web analyst"},
    /* 8 Business analyst */
    {R_BA, "business analyst"},
    {R_BA, "business systems analyst"},
    {R_BA, "business system analyst"},
    {R_BA, "systems analyst"},
    {R_BA, "system analyst"},
    {R_BA, "business analysis"},
    {R_BA, "functional analyst"},
    {R_BA, "requirements analyst"},
    {R_BA, "business process analyst"},
    {R_BA, "process analyst"},
    /* 9 ML domain, 10 AI domain, 11 other analysts */
    {R_ML_DOMAIN, "machine learning"},
    {R_ML_DOMAIN, "ml"},
    {R_ML_DOMAIN, "deep learning"},
    {R_ML_DOMAIN, "computer vision"},
    {R_ML_DOMAIN, "nlp"},
    {R_ML_DOMAIN, "natural language processing"},
    {R_AI_DOMAIN, "ai"},
    {R_AI_DOMAIN, "artificial intelligence"},
    {R_ANALYST, "analyst"},
    /* 12 Software engineer */
    {R_SWE, "software engineer"},
    {R_SWE, "software engineering"},
    {R_SWE, "software developer"},
    {R_SWE, "software development"},
    {R_SWE, "software development engineer"},
    {R_SWE, "software architect"},
    {R_SWE, "sde"},
    {R_SWE, "sdet"},
    {R_SWE, "swe"},
    {R_SWE, "developer"},
    {R_SWE, "programmer"},
    {R_SWE, "programmer analyst"},
    {R_SWE, "backend"},
    {R_SWE, "back end"},
    {R_SWE, "frontend"},
    {R_SWE, "front end"},
    {R_SWE, "full stack"},
    {R_SWE, "fullstack"},
    {R_SWE, "devops"},
    {R_SWE, "dev ops"},
    {R_SWE, "site reliability"},
    {R_SWE, "sre"},
    {R_SWE, "platform engineer"},
    {R_SWE, "infrastructure engineer"},
    {R_SWE, "cloud engineer"},
    {R_SWE, "cloud engineering"},
    {R_SWE, "cloud architect"},
    {R_SWE, "cloud developer"},
    /* stop phrases */
    {R_STOP, "business development"},
    {R_STOP, "data entry"},
    {R_STOP, "data center"},
    {R_STOP, "ai trainer"},
    {R_STOP, "ai tutor"},
    {R_STOP, "ai training"},
    {R_STOP, "remote sensing"},
};

/* Word t matches the phrase word p[0..l): equal, or equal with an "s" added. */
static int word_matches(const tok *t, const char *p, size_t l)
{
    if (l > TOK_MAX - 1 || memcmp(t->w, p, t->len < l ? t->len : l) != 0)
        return 0;
    return t->len == l || (t->len == l + 1 && t->w[l] == 's');
}

/* Number of words of `text` matched by the title words from k on, 0 if it does not match. */
static size_t phrase_match(const win *w, size_t k, const char *text)
{
    size_t nw = 0;
    for (const char *p = text;;) {
        const char *e = strchr(p, ' ');
        size_t l = e ? (size_t)(e - p) : strlen(p);
        const tok *t = win_at(w, k, (int)nw);
        if (t->len == 0 || !word_matches(t, p, l))
            return 0;
        ++nw;
        if (!e)
            return nw;
        p = e + 1;
    }
}

/* "data" followed by an analyst / engineer with at most two words between: the generic data-X
 * roles ("Data Quality Analyst", "Data Reliability Engineer"), or right after one that is not
 * the end of a phrase ("Engineer, Data Management"); tried only where no phrase of the table
 * starts at "data". prev_free: word k - 1 is not the end of a phrase of two or more words.
 * Returns the words covered and the rule, or 0. */
static size_t data_role_match(const win *w, size_t k, int prev_free, int *rule)
{
    if (!tk_is(win_at(w, k, 0), "data"))
        return 0;
    /* the inverted forms "Engineer, Data ...", "Analyst, Data ..." (not when the engineer ends a
     * phrase of its own: "Software Engineer, Data" stays a software engineer) */
    const tok *p = prev_free ? win_at(w, k, -1) : &k_empty_tok;
    if (tk_is(p, "engineer") || tk_is(p, "engineers")) {
        *rule = R_DE;
        return 1;
    }
    if (tk_is(p, "analyst") || tk_is(p, "analysts")) {
        *rule = R_DA;
        return 1;
    }
    for (int off = 2; off <= 3; ++off) {
        const tok *t = win_at(w, k, off);
        if (tk_is(t, "analyst") || tk_is(t, "analysts")) {
            *rule = R_DA;
            return (size_t)off + 1;
        }
        if (tk_is(t, "engineer") || tk_is(t, "engineers")) {
            *rule = R_DE;
            return (size_t)off + 1;
        }
    }
    return 0;
}

int skm_title_role_family(const char *title, size_t n)
{
    if (is_blank(title, n))
        return SKM_ROLE_UNKNOWN;
    win w;
    win_init(&w, title, n);
    int best = R_COUNT;
    size_t next = 0;     /* first word not inside a taken phrase */
    size_t last_len = 0; /* words of the last phrase taken */
    for (size_t k = 0; win_reach(&w, k); ++k) {
        if (k < next)
            continue;
        size_t best_len = 0;
        int rule = R_COUNT;
        const tok *t0 = win_at(&w, k, 0);
        const char c0 = t0->w[0], c1 = t0->len > 1 ? t0->w[1] : ' ';
        for (size_t i = 0; i < sizeof k_phrases / sizeof *k_phrases; ++i) {
            const char *text = k_phrases[i].text;
            /* Cheap reject on the first two bytes. c1 is ' ' for a one-letter word, which can
             * match only a one-letter phrase word (text[1] is ' ' or NUL), or a one-letter phrase
             * word with the plural "s" (c1 == 's', text[1] == ' '). */
            if (text[0] != c0 || (text[1] != c1 && !(text[1] == '\0' && c1 == ' ') &&
                                  !(text[1] == ' ' && c1 == 's' && t0->len == 2)))
                continue;
            size_t len = phrase_match(&w, k, k_phrases[i].text);
            if (len > best_len || (len && len == best_len && k_phrases[i].rule < rule)) {
                best_len = len;
                rule = k_phrases[i].rule;
            }
        }
        if (!best_len)
            best_len = data_role_match(&w, k, !(k > 0 && k == next && last_len > 1), &rule);
        if (best_len) {
            next = k + best_len;
            last_len = best_len;
            if (rule < best)
                best = rule;
            if (best == 0)
                break;
        }
    }
    return best < R_COUNT ? k_rule_family[best] : SKM_ROLE_OTHER;
}

/* ------------------------------------------------------------------------------------------ */
/* Work mode                                                                                  */
/* ------------------------------------------------------------------------------------------ */

enum { EV_ONSITE = 1, EV_REMOTE = 2, EV_NEG_REMOTE = 4, EV_HYBRID = 8 };

/* How far (bytes) the negation checks look around a statement: keeps every check O(1). */
#define NEAR_BYTES 96

/* s[j] ends a clause for the negation checks: . , ; : ! ? ( ) [ ] { } | line breaks, a hyphen
 * with a blank on either side ("No C2C - Remote"; not "non-remote"), an en or em dash. */
static int clause_end_at(const uchar *s, size_t n, size_t j)
{
    switch (s[j]) {
    case '.': case ',': case ';': case ':': case '!': case '?': case '(': case ')': case '[':
    case ']': case '{': case '}': case '|': case '\n': case '\r':
        return 1;
    case '-':
        return (j > 0 && (s[j - 1] == ' ' || s[j - 1] == '\t')) ||
               (j + 1 < n && (s[j + 1] == ' ' || s[j + 1] == '\t'));
    case 0x93: case 0x94: /* U+2013, U+2014: E2 80 93 / E2 80 94 */
        return j >= 2 && s[j - 1] == 0x80 && s[j - 2] == 0xe2;
    default:
        return 0;
    }
}

/* The next word after position i within the clause: skips non-word bytes that do not end a
 * clause (at most NEAR_BYTES of them). Returns its end, with *start; 0 when there is none or it
 * is longer than any keyword (so that no check reads more than a bounded stretch). */
static size_t next_word(const uchar *s, size_t n, size_t i, tok *t, size_t *start)
{
    size_t lim = n - i > NEAR_BYTES ? i + NEAR_BYTES : n;
    while (i < lim && !is_alnum(s[i])) {
        if (clause_end_at(s, n, i))
            return 0;
        ++i;
    }
    if (i >= lim)
        return 0;
    *start = i;
    size_t e = take_short_word(s, n, i, t);
    return t->len > TOK_MAX ? 0 : e;
}

/* Like next_word but only across blanks and hyphens (a phrase such as "on-site", "in office"). */
static size_t next_word_tight(const uchar *s, size_t n, size_t i, tok *t)
{
    size_t j = i;
    while (j < n && j - i < 3 && (s[j] == ' ' || s[j] == '-' || s[j] == '\t'))
        ++j;
    if (j == i || j >= n || !is_alnum(s[j]))
        return 0;
    size_t e = take_short_word(s, n, j, t);
    return t->len > TOK_MAX ? 0 : e;
}

static int is_negator(const tok *t)
{
    static const char *const words[] = {
        "not", "no", "non", "never", "cannot", "nor", "isnt", "arent", "dont", "doesnt", "wont",
        "cant", "wasnt", "werent", "shouldnt", NULL,
    };
    return tk_in(t, words);
}

enum { BEFORE_NEGATED = 1, BEFORE_DAYS = 2 };

/* The four words before position a, in the same clause: BEFORE_NEGATED when one is a negator,
 * BEFORE_DAYS when one is day / days ("two days of remote work"). *prev1 is the word right
 * before a (empty if none). */
static unsigned words_before(const uchar *s, size_t a, tok *prev1)
{
    size_t j = a, lim = a > NEAR_BYTES ? a - NEAR_BYTES : 0;
    unsigned flags = 0;
    *prev1 = k_empty_tok;
    for (int nw = 0; nw < 4; ++nw) {
        while (j > lim && !is_alnum(s[j - 1])) {
            if (clause_end_at(s, a, j - 1))
                return flags;
            --j;
        }
        if (j <= lim)
            return flags;
        size_t e = j;
        while (j > lim && is_alnum(s[j - 1]))
            --j;
        if (j == lim && lim > 0 && is_alnum(s[j - 1]))
            return flags; /* a word longer than the window: none of ours */
        tok t = {0}; /* no -Wmaybe-uninitialized at -O3: tk_is reads w[0] only when len > 0 */
        take_word(s, e, j, &t);
        if (nw == 0)
            *prev1 = t;
        if (tk_is(&t, "day") || tk_is(&t, "days"))
            flags |= BEFORE_DAYS;
        if (is_negator(&t))
            return flags | BEFORE_NEGATED;
        /* n't, n’t: the word "t" after an apostrophe after an n. */
        if (tk_is(&t, "t")) {
            if (j >= 2 && s[j - 1] == '\'' && lower(s[j - 2]) == 'n')
                return flags | BEFORE_NEGATED;
            if (j >= 4 && s[j - 3] == 0xe2 && s[j - 2] == 0x80 && s[j - 1] == 0x99 &&
                lower(s[j - 4]) == 'n')
                return flags | BEFORE_NEGATED;
        }
    }
    return flags;
}

/* A negation after position b: "not (be) available ...", "unavailable", or ": no" within two
 * words. */
static int negated_after(const uchar *s, size_t n, size_t b)
{
    static const char *const after_not[] = {
        "available", "possible", "offered", "permitted", "allowed", "eligible", "supported",
        "considered", "accepted", "an", "a", "option", NULL,
    };
    static const char *const flat[] = {"unavailable", "prohibited", NULL};
    /* ": no" */
    size_t p = b, lim = n - b > NEAR_BYTES ? b + NEAR_BYTES : n;
    for (int nw = 0; nw < 3 && p < lim; ++nw) {
        while (p < lim && (s[p] == ' ' || s[p] == '\t'))
            ++p;
        if (p < lim && s[p] == ':') {
            ++p;
            while (p < lim && (s[p] == ' ' || s[p] == '\t'))
                ++p;
            tok t;
            if (p < lim && is_alnum(s[p])) {
                take_short_word(s, n, p, &t);
                return tk_is(&t, "no");
            }
            break;
        }
        if (nw == 2 || p >= lim || !is_alnum(s[p]))
            break;
        while (p < lim && is_alnum(s[p]))
            ++p;
    }
    /* five words of the clause */
    tok w[6];
    size_t cnt = 0, q = b, st;
    while (cnt < 6) {
        size_t e = next_word(s, n, q, &w[cnt], &st);
        if (!e)
            break;
        q = e;
        ++cnt;
    }
    for (size_t i = 0; i < cnt && i < 5; ++i) {
        if (tk_in(&w[i], flat))
            return 1;
        if (tk_is(&w[i], "not") && i + 1 < cnt) {
            size_t j = i + 1;
            if (tk_is(&w[j], "be") && j + 1 < cnt)
                ++j;
            if (tk_in(&w[j], after_not))
                return 1;
        }
    }
    return 0;
}

static const char *const k_remote_excl[] = {
    "sensing", "sensor", "sensors", "monitoring", "patient", "patients", "access", "control",
    "controlled", "pilot", "piloted", "desktop", "surveillance", "operated", "diagnostic",
    "diagnostics", "device", "devices", "server", "servers", NULL,
};
static const char *const k_hybrid_excl[] = {
    "cloud", "clouds", "multicloud", "multi", "infrastructure", "vehicle", "vehicles", "electric",
    "app", "apps", "mobile", "car", "cars", "engine", "engines", "architecture", "architectures",
    "integration", "solution", "solutions", "models", "modeling", "modelling", NULL,
};
static const char *const k_onsite_excl[] = {
    "gym", "fitness", "cafeteria", "cafe", "childcare", "daycare", "parking", "clinic", "clinics",
    "amenities", "health", "wellness", "dining", "food", "restaurant", "restaurants", "meals",
    "catering", NULL,
};

/* The word after b (in the clause) is in `list`. */
static int followed_by(const uchar *s, size_t n, size_t b, const char *const *list)
{
    tok t;
    size_t st;
    return next_word(s, n, b, &t, &st) && tk_in(&t, list);
}

/* A remote statement spanning [a, b) (b: the end of its last word); excl: words after it that
 * make it something else. */
static unsigned remote_at(const uchar *s, size_t n, size_t a, size_t b, const char *const *excl)
{
    static const char *const partial[] = {"partially", "partial", "partly", "semi", NULL};
    if (excl && followed_by(s, n, b, excl))
        return 0;
    tok p1;
    unsigned before = words_before(s, a, &p1);
    int neg = (before & BEFORE_NEGATED) || negated_after(s, n, b);
    if (tk_in(&p1, partial) || (before & BEFORE_DAYS))
        return neg ? 0 : EV_HYBRID;
    return neg ? EV_NEG_REMOTE : EV_REMOTE;
}

static unsigned plain_at(const uchar *s, size_t n, size_t a, size_t b, const char *const *excl,
                         unsigned ev)
{
    if (excl && followed_by(s, n, b, excl))
        return 0;
    tok p1;
    if ((words_before(s, a, &p1) & BEFORE_NEGATED) || negated_after(s, n, b))
        return 0;
    return ev;
}

/* The statement that starts with the word at i (a word start), as EV_* bits. */
static unsigned statement_at(const uchar *s, size_t n, size_t i, int anywhere)
{
    tok t, u, v;
    size_t b = take_short_word(s, n, i, &t), c, d;
    if (t.len > TOK_MAX)
        return 0;
    switch (t.w[0]) {
    case 'r':
        if (tk_is(&t, "remote") || tk_is(&t, "remotely"))
            return remote_at(s, n, i, b, k_remote_excl);
        return 0;
    case 'h':
        if (tk_is(&t, "hybrid"))
            return plain_at(s, n, i, b, k_hybrid_excl, EV_HYBRID);
        if (tk_is(&t, "home") && (c = next_word_tight(s, n, b, &u)) && tk_is(&u, "based"))
            return remote_at(s, n, i, c, NULL);
        return 0;
    case 'o':
        if (tk_is(&t, "onsite"))
            return plain_at(s, n, i, b, k_onsite_excl, EV_ONSITE);
        if (tk_is(&t, "on") && (c = next_word_tight(s, n, b, &u)) && tk_is(&u, "site"))
            return plain_at(s, n, i, c, k_onsite_excl, EV_ONSITE);
        if (tk_is(&t, "office") && (c = next_word_tight(s, n, b, &u)) && tk_is(&u, "based"))
            return plain_at(s, n, i, c, NULL, EV_ONSITE);
        return 0;
    case 'i':
        if (!tk_is(&t, "in") || !(c = next_word_tight(s, n, b, &u)))
            return 0;
        if (tk_is(&u, "office"))
            return plain_at(s, n, i, c, NULL, EV_ONSITE);
        if (tk_is(&u, "the") && (d = next_word_tight(s, n, c, &v)) && tk_is(&v, "office"))
            return plain_at(s, n, i, d, NULL, EV_ONSITE);
        if (tk_is(&u, "person") && (d = next_word_tight(s, n, c, &v))) {
            static const char *const kinds[] = {"role", "position", "job", "work", "only",
                                                "basis", NULL};
            if (tk_in(&v, kinds))
                return plain_at(s, n, i, d, NULL, EV_ONSITE);
        }
        return 0;
    case 'w':
        if (tk_is(&t, "wfh"))
            return remote_at(s, n, i, b, NULL);
        if (tk_is(&t, "work") || tk_is(&t, "working") || tk_is(&t, "works")) {
            if (!(c = next_word_tight(s, n, b, &u)))
                return 0;
            if (tk_is(&u, "anywhere"))
                return remote_at(s, n, i, c, NULL);
            if (tk_is(&u, "from") && (d = next_word_tight(s, n, c, &v)) &&
                (tk_is(&v, "home") || tk_is(&v, "anywhere")))
                return remote_at(s, n, i, d, NULL);
        }
        return 0;
    case 't': {
        static const char *const tele[] = {"telecommute", "telecommuter", "telecommuting",
                                           "telework", "teleworking", "teleworker", NULL};
        return tk_in(&t, tele) ? remote_at(s, n, i, b, NULL) : 0;
    }
    case 'a':
        if (anywhere && tk_is(&t, "anywhere"))
            return remote_at(s, n, i, b, NULL);
        return 0;
    default:
        return 0;
    }
}

/* First letters that can begin a statement: bit 0 any input, bit 1 only where "anywhere" counts;
 * the same bits shifted by 2 again for upper-case letters (which may start a camel-case word). */
static const uchar k_first[256] = {
    ['r'] = 1, ['h'] = 1, ['o'] = 1, ['i'] = 1, ['w'] = 1, ['t'] = 1, ['a'] = 2,
    ['R'] = 5, ['H'] = 5, ['O'] = 5, ['I'] = 5, ['W'] = 5, ['T'] = 5, ['A'] = 10,
};

/* Whether the word starting at i can begin a statement, from its first three bytes: the cheap
 * filter in front of statement_at. */
static int may_start_statement(const uchar *s, size_t n, size_t i)
{
    uchar c1 = i + 1 < n ? lower(s[i + 1]) : 0, c2 = i + 2 < n ? lower(s[i + 2]) : 0;
    switch (lower(s[i])) {
    case 'r': return c1 == 'e' && c2 == 'm';
    case 'h': return (c1 == 'y' && c2 == 'b') || (c1 == 'o' && c2 == 'm');
    case 'o':
        return (c1 == 'n' && (c2 == 's' || c2 == ' ' || c2 == '-' || c2 == '\t')) ||
               (c1 == 'f' && c2 == 'f');
    case 'i': return c1 == 'n' && (c2 == ' ' || c2 == '-' || c2 == '\t');
    case 'w': return (c1 == 'o' && c2 == 'r') || (c1 == 'f' && c2 == 'h');
    case 't': return c1 == 'e' && c2 == 'l';
    case 'a': return c1 == 'n' && c2 == 'y';
    default: return 0;
    }
}

/* What may not follow a byte as a statement start, as the complement of the k_first bits it
 * lets through: after a non-word byte anything may start (0), after a lower-case letter only an
 * upper-case one (a camel-case joint), after an upper-case letter or a digit nothing. */
static const uchar k_prev_block[256] = {
    ['0'] = 0x0f, ['1'] = 0x0f, ['2'] = 0x0f, ['3'] = 0x0f, ['4'] = 0x0f, ['5'] = 0x0f,
    ['6'] = 0x0f, ['7'] = 0x0f, ['8'] = 0x0f, ['9'] = 0x0f,
    ['a'] = 0x03, ['b'] = 0x03, ['c'] = 0x03, ['d'] = 0x03, ['e'] = 0x03, ['f'] = 0x03,
    ['g'] = 0x03, ['h'] = 0x03, ['i'] = 0x03, ['j'] = 0x03, ['k'] = 0x03, ['l'] = 0x03,
    ['m'] = 0x03, ['n'] = 0x03, ['o'] = 0x03, ['p'] = 0x03, ['q'] = 0x03, ['r'] = 0x03,
    ['s'] = 0x03, ['t'] = 0x03, ['u'] = 0x03, ['v'] = 0x03, ['w'] = 0x03, ['x'] = 0x03,
    ['y'] = 0x03, ['z'] = 0x03,
    ['A'] = 0x0f, ['B'] = 0x0f, ['C'] = 0x0f, ['D'] = 0x0f, ['E'] = 0x0f, ['F'] = 0x0f,
    ['G'] = 0x0f, ['H'] = 0x0f, ['I'] = 0x0f, ['J'] = 0x0f, ['K'] = 0x0f, ['L'] = 0x0f,
    ['M'] = 0x0f, ['N'] = 0x0f, ['O'] = 0x0f, ['P'] = 0x0f, ['Q'] = 0x0f, ['R'] = 0x0f,
    ['S'] = 0x0f, ['T'] = 0x0f, ['U'] = 0x0f, ['V'] = 0x0f, ['W'] = 0x0f, ['X'] = 0x0f,
    ['Y'] = 0x0f, ['Z'] = 0x0f,
};

/* The statements of one input, EV_* bits; stops at the first hybrid (nothing outranks it). */
static unsigned scan_mode(const char *text, size_t n, int anywhere)
{
    if (!text || n == 0)
        return 0;
    const uchar *s = (const uchar *)text;
    const uchar mask = anywhere ? 3 : 1;
    unsigned ev = 0;
    /* A candidate: the first letter of a statement word after a byte that is not a letter or
     * digit, or an upper-case one after a lower-case letter (a camel-case joint, checked in
     * full). One table test per byte: k_first[c] & ~k_prev_block[previous byte]. */
    const unsigned want = (unsigned)(mask | mask << 2);
    for (size_t i = 0; i < n; ++i) {
        unsigned block = i ? k_prev_block[s[i - 1]] : 0u;
        if (!(k_first[s[i]] & ~block & want))
            continue;
        if (block && !camel_at(s, n, i))
            continue;
        if (!may_start_statement(s, n, i))
            continue;
        ev |= statement_at(s, n, i, anywhere);
        if (ev & EV_HYBRID)
            break;
    }
    return ev;
}

static int mode_of(unsigned ev)
{
    if (ev & EV_HYBRID)
        return SKM_WORK_HYBRID;
    if (ev & EV_NEG_REMOTE)
        return SKM_WORK_ONSITE;
    if (ev & EV_REMOTE)
        return SKM_WORK_REMOTE;
    if (ev & EV_ONSITE)
        return SKM_WORK_ONSITE;
    return SKM_WORK_UNKNOWN;
}

int skm_work_mode(const char *title, size_t tn, const char *location, size_t ln, const char *text,
                  size_t xn)
{
    int m = mode_of(scan_mode(title, tn, 1));
    if (m == SKM_WORK_UNKNOWN)
        m = mode_of(scan_mode(location, ln, 1));
    if (m == SKM_WORK_UNKNOWN)
        m = mode_of(scan_mode(text, xn, 0));
    return m;
}
