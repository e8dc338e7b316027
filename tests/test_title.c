/*
 * test_title.c — src/extract/title.h: seniority and role family of job titles, work mode from
 * title, location and description, the level-table names, and robustness on arbitrary bytes
 * (random input, truncated ranges that must not be read past, very long inputs).
 */
#include "test_util.h"

#include "extract/title.h"

/* ------------------------------------------------------------------------------------------ */
/* Names                                                                                      */
/* ------------------------------------------------------------------------------------------ */

static void test_names(void **state)
{
    (void)state;
    const char *sen[] = {"intern", "junior", "mid", "senior", "staff/principal", "lead/manager",
                         "director+"};
    const char *fam[] = {"ML Engineer",   "AI/LLM Engineer", "MLOps Engineer",
                         "Data Scientist", "Research Scientist", "Data Engineer",
                         "Data Analyst",  "Business Analyst", "Software Engineer",
                         "Other"};
    const char *mode[] = {"onsite", "hybrid", "remote"};
    assert_int_equal(SKM_SENIORITY_COUNT, 7);
    assert_int_equal(SKM_ROLE_COUNT, 10);
    assert_int_equal(SKM_WORK_COUNT, 3);
    for (int i = 0; i < SKM_SENIORITY_COUNT; ++i)
        assert_string_equal(skm_seniority_name(i), sen[i]);
    for (int i = 0; i < SKM_ROLE_COUNT; ++i)
        assert_string_equal(skm_role_family_name(i), fam[i]);
    for (int i = 0; i < SKM_WORK_COUNT; ++i)
        assert_string_equal(skm_work_mode_name(i), mode[i]);
    /* The codes are stored: they must not move. */
    assert_int_equal(SKM_SENIORITY_DIRECTOR, 6);
    assert_int_equal(SKM_ROLE_OTHER, 9);
    assert_int_equal(SKM_WORK_REMOTE, 2);
    assert_null(skm_seniority_name(-1));
    assert_null(skm_seniority_name(SKM_SENIORITY_COUNT));
    assert_null(skm_role_family_name(-1));
    assert_null(skm_role_family_name(SKM_ROLE_COUNT));
    assert_null(skm_work_mode_name(-1));
    assert_null(skm_work_mode_name(SKM_WORK_COUNT));
    assert_null(skm_seniority_name(1 << 30));
}

/* ------------------------------------------------------------------------------------------ */
/* Titles                                                                                     */
/* ------------------------------------------------------------------------------------------ */

enum { INT = SKM_SENIORITY_INTERN, JUN = SKM_SENIORITY_JUNIOR, MID = SKM_SENIORITY_MID,
       SEN = SKM_SENIORITY_SENIOR, STF = SKM_SENIORITY_STAFF, LEAD = SKM_SENIORITY_LEAD,
       DIR = SKM_SENIORITY_DIRECTOR };
enum { ML = SKM_ROLE_ML_ENGINEER, AI = SKM_ROLE_AI_ENGINEER, OPS = SKM_ROLE_MLOPS,
       DS = SKM_ROLE_DATA_SCIENTIST, RS = SKM_ROLE_RESEARCH_SCIENTIST, DE = SKM_ROLE_DATA_ENGINEER,
       DA = SKM_ROLE_DATA_ANALYST, BA = SKM_ROLE_BUSINESS_ANALYST,
       SWE = SKM_ROLE_SOFTWARE_ENGINEER, OTH = SKM_ROLE_OTHER };

typedef struct title_case {
    const char *title;
    int seniority;
    int family;
} title_case;

static const title_case k_titles[] = {
    /* the examples of the specification */
    {"Senior Manager, Data Science", LEAD, DS},
    {"Associate Director, Machine Learning", DIR, ML},
    {"Sr. Data Engineer II", SEN, DE},
    {"Data Science Intern", INT, DS},
    {"Staff ML Platform Engineer", STF, OPS},
    {"LLM Applications Engineer", MID, AI},
    {"Software Engineer, Machine Learning", MID, ML},
    {"Business Intelligence Analyst", MID, DA},
    {"Head of AI", DIR, AI},
    /* intern */
    {"Data Analyst Intern", INT, DA},
    {"Machine Learning Internship - Summer 2024", INT, ML},
    {"Intern, Data Science", INT, DS},
    {"Co-op: Data Engineering", INT, DE},
    {"COOP - Data Analyst", INT, DA},
    {"Software Engineering Trainee", INT, SWE},
    {"Data Analytics Apprentice", INT, DA},
    {"Graduate Intern - Data Scientist", INT, DS},
    {"Junior Intern, BI", INT, DA},
    {"Working Student Data Engineering (m/f/d)", INT, DE},
    {"Summer Analyst - Business Intelligence", INT, DA},
    {"Data Science Fellowship", INT, DS},
    {"Alternant Data Scientist", INT, DS},
    /* junior */
    {"Junior Data Analyst", JUN, DA},
    {"Jr. Data Scientist", JUN, DS},
    {"Jnr Data Engineer", JUN, DE},
    {"Entry Level Data Analyst", JUN, DA},
    {"Entry-Level Business Analyst", JUN, BA},
    {"New Grad Software Engineer", JUN, SWE},
    {"Graduate Data Engineer", JUN, DE},
    {"Early Career Data Scientist", JUN, DS},
    {"Associate Data Scientist", JUN, DS},
    {"Data Science Associate", JUN, DS},
    {"Data Analyst I", JUN, DA},
    {"Data Engineer 1", JUN, DE},
    {"Machine Learning Engineer, L3", JUN, ML},
    {"Postdoctoral Researcher, Machine Learning", JUN, RS},
    {"Data Science Fellow", JUN, DS},
    {"Research Assistant, NLP", JUN, ML},
    {"Data Analyst Level 1", JUN, DA},
    /* mid */
    {"Data Scientist", MID, DS},
    {"Data Engineer", MID, DE},
    {"Data Analyst II", MID, DA},
    {"Data Engineer 2", MID, DE},
    {"Mid-Level Data Analyst", MID, DA},
    {"Mid Senior Data Engineer", MID, DE},
    {"Mid-Senior Data Scientist", MID, DS},
    {"Intermediate Business Analyst", MID, BA},
    {"Software Engineer, L4", MID, SWE},
    {"Data Scientist Level 2", MID, DS},
    {"Data Scientist Level II", MID, DS},
    {"Associate Data Scientist II", MID, DS},
    {"Data Analyst (A.I. tools)", MID, DA},
    {"I.T. Business Analyst", MID, BA},
    {"Engineer I/O Systems", MID, OTH},
    /* senior */
    {"Senior Data Scientist", SEN, DS},
    {"Sr Data Analyst", SEN, DA},
    {"Snr Data Engineer", SEN, DE},
    {"(Senior) Machine Learning Engineer (m/f/d)", SEN, ML},
    {"Data Scientist III", SEN, DS},
    {"Data Engineer 3", SEN, DE},
    {"Founding Engineer, AI", SEN, AI},
    {"Senior Associate, Data Analytics", SEN, DA},
    {"Software Engineer (L5)", SEN, SWE},
    {"Senior Data Engineer - Principal Associate", SEN, DE},
    {"Sr. Data Engineer/II", SEN, DE},
    /* staff / principal */
    {"Staff Data Scientist", STF, DS},
    {"Principal Data Engineer", STF, DE},
    {"Principle Data Scientist", STF, DS},
    {"Distinguished Engineer, Data Platform", STF, DE},
    {"Technical Fellow, AI", STF, AI},
    {"Sr Staff Software Engineer", STF, SWE},
    {"Senior Principal Data Scientist", STF, DS},
    {"Data Scientist IV", STF, DS},
    {"Data Engineer V", STF, DE},
    {"Software Engineer L6", STF, SWE},
    {"Data Analyst 4", STF, DA},
    /* lead / manager */
    {"Lead Data Engineer", LEAD, DE},
    {"Data Science Manager", LEAD, DS},
    {"Analytics Manager", LEAD, DA},
    {"Team Lead, Data Engineering", LEAD, DE},
    {"Sr/Lead Data Scientist", LEAD, DS},
    {"Staff/Lead ML Engineer", LEAD, ML},
    {"Senior Lead Data Engineer", LEAD, DE},
    {"Assistant Manager, MIS Reporting", LEAD, DA},
    {"Head Data Scientist", LEAD, DS},
    {"Supervisor, Data Analytics", LEAD, DA},
    {"Principal Product Manager, Machine Learning", LEAD, ML},
    {"Data Science Manager II", LEAD, DS},
    {"Lead Generation Specialist", MID, OTH},
    /* director+ */
    {"Director of Data Science", DIR, DS},
    {"Senior Director, Data Engineering", DIR, DE},
    {"VP, Machine Learning", DIR, ML},
    {"Vice President, Analytics", DIR, DA},
    {"Head of Data Engineering", DIR, DE},
    {"Chief Data Scientist", DIR, DS},
    {"CTO", DIR, OTH},
    {"Chief of Staff, AI", DIR, AI},
    {"AVP, Data Analytics", DIR, DA},
    {"Associate Vice President, Business Analysis", DIR, BA},
    {"Executive Director, Data Architecture", DIR, DE},
    /* role families: MLOps */
    {"MLOps Engineer", MID, OPS},
    {"ML Ops Engineer", MID, OPS},
    {"Machine Learning Operations Engineer", MID, OPS},
    {"Machine Learning Infrastructure Engineer", MID, OPS},
    {"Senior ML Infrastructure Engineer", SEN, OPS},
    {"Director of Engineering, ML Platform", DIR, OPS},
    {"LLMOps Engineer", MID, OPS},
    /* research */
    {"Research Scientist", MID, RS},
    {"Research Engineer, Large Models", MID, RS},
    {"Applied Scientist II", MID, RS},
    {"Machine Learning Researcher", MID, RS},
    {"AI Research Scientist", MID, RS},
    {"Research Scientist, LLM", MID, RS},
    {"Machine Learning Research Engineer", MID, RS},
    /* AI / LLM */
    {"AI Engineer", MID, AI},
    {"Generative AI Engineer", MID, AI},
    {"GenAI Solutions Architect", MID, AI},
    {"Prompt Engineer", MID, AI},
    {"Applied AI Engineer", MID, AI},
    {"Machine Learning Engineer - LLM", MID, AI},
    {"LLM Data Scientist", MID, AI},
    {"Artificial Intelligence Engineer", MID, AI},
    {"Senior Software Engineer, Generative AI", SEN, AI},
    {"Director, AI Strategy", DIR, AI},
    /* ML engineer */
    {"Machine Learning Engineer", MID, ML},
    {"ML Engineer", MID, ML},
    {"Senior MLE", SEN, ML},
    {"Deep Learning Engineer", MID, ML},
    {"Computer Vision Engineer", MID, ML},
    {"NLP Engineer", MID, ML},
    {"AI/ML Engineer", MID, ML},
    {"ML/AI Engineer", MID, ML},
    {"Data Scientist / Machine Learning Engineer", MID, ML},
    {"Machine Learning Engineer/Data Scientist", MID, ML},
    {"Engineer, Deep Learning", MID, ML},
    /* data scientist */
    {"Data Scientists", MID, DS},
    {"Machine Learning Scientist", MID, DS},
    {"Decision Scientist", MID, DS},
    {"Quantitative Analyst", MID, DS},
    {"Statistician", MID, DS},
    {"Data Scientist, NLP", MID, DS},
    {"Data Scientist - Machine Learning", MID, DS},
    {"Product Data Scientist, Growth", MID, DS},
    {"Research Data Scientist", MID, DS},
    /* data engineer */
    {"Big Data Engineer", MID, DE},
    {"ETL Developer", MID, DE},
    {"Analytics Engineer", MID, DE},
    {"Data Platform Engineer", MID, DE},
    {"Data Architect", MID, DE},
    {"Cloud Data Engineer", MID, DE},
    {"Data Warehouse Developer", MID, DE},
    {"Data Reliability Engineer", MID, DE},
    {"Snowflake Developer", MID, DE},
    {"Database Administrator", MID, DE},
    {"Sr Data EngineerRemote", SEN, DE},
    {"BigData Engineer", MID, DE},
    {"Engineer, Data", MID, DE},
    {"(Senior) Engineer, Data Development", SEN, DE},
    {"Modeling Engineer / Data Analyst", MID, DA},
    {"Data Center Engineer", MID, OTH},
    /* data analyst */
    {"Data Analyst", MID, DA},
    {"BI Analyst", MID, DA},
    {"BI Developer", MID, DA},
    {"Power BI Developer", MID, DA},
    {"Reporting Analyst", MID, DA},
    {"Insights Analyst", MID, DA},
    {"Data Quality Analyst", MID, DA},
    {"Data & Reporting Analyst", MID, DA},
    {"Data Science Analyst", MID, DA},
    {"Analyst, Data Governance", MID, DA},
    {"Senior Analyst (Data Scientist)", SEN, DS},
    {"Product Analyst", MID, DA},
    {"Marketing Analytics Manager", LEAD, DA},
    {"Tableau Developer", MID, DA},
    {"DataAnalyst", MID, DA},
    {"Data Analyst / Business Analyst", MID, DA},
    /* business analyst */
    {"Business Analyst", MID, BA},
    {"Business Systems Analyst", MID, BA},
    {"IT Business Analyst", MID, BA},
    {"Systems Analyst", MID, BA},
    {"Financial Analyst", MID, BA},
    {"Marketing Analyst", MID, BA},
    {"Analyst", MID, BA},
    {"Business Data Analyst", MID, DA},
    /* software engineer */
    {"Software Engineer", MID, SWE},
    {"Senior Software Developer", SEN, SWE},
    {"SDE II", MID, SWE},
    {"SDE 3", SEN, SWE},
    {"Backend Engineer", MID, SWE},
    {"Full Stack Developer", MID, SWE},
    {"Java Developer", MID, SWE},
    {"Cloud Engineer", MID, SWE},
    {"DevOps Engineer", MID, SWE},
    {"Site Reliability Engineer", MID, SWE},
    {"Programmer Analyst", MID, SWE},
    {"Software Engineer, Data Platform", MID, DE},
    {"Software Engineer / Data Scientist", MID, DS},
    {"Senior Software Engineer, Data", SEN, SWE},
    {"Business Analyst, Data", MID, BA},
    /* other */
    {"Registered Nurse", MID, OTH},
    {"Product Manager", LEAD, OTH},
    {"Business Development Manager", LEAD, OTH},
    {"Data Entry Clerk", MID, OTH},
    {"Remote Sensing Scientist", MID, OTH},
    {"Network Engineer", MID, OTH},
    {"AI Trainer - Writing", MID, OTH},
    {"Ingénieur", MID, OTH},
    {"\xe6\x95\xb0\xe6\x8d\xae\xe7\xa7\x91\xe5\xad\xa6\xe5\xae\xb6", MID, OTH},
    /* punctuation, case, white space, separators */
    {"SENIOR DATA SCIENTIST", SEN, DS},
    {"senior data scientist", SEN, DS},
    {"  Data\tScientist\n", MID, DS},
    {"Senior\xe2\x80\x93" "Data Engineer", SEN, DE},
    {"Senior\xc2\xa0" "Data Analyst", SEN, DA},
    {"data_scientist", MID, DS},
    {"Sr.Data.Analyst", SEN, DA},
};

static void test_titles(void **state)
{
    (void)state;
    size_t n = sizeof k_titles / sizeof *k_titles;
    assert_true(n >= 120);
    int bad = 0;
    for (size_t i = 0; i < n; ++i) {
        const title_case *c = &k_titles[i];
        int s = skm_title_seniority(c->title, strlen(c->title));
        int f = skm_title_role_family(c->title, strlen(c->title));
        if (s != c->seniority || f != c->family) {
            fprintf(stderr, "title '%s': %s / %s, want %s / %s\n", c->title,
                    skm_seniority_name(s), skm_role_family_name(f),
                    skm_seniority_name(c->seniority), skm_role_family_name(c->family));
            ++bad;
        }
    }
    if (bad)
        fail_msg("%d of %zu titles wrong", bad, n);
}

static void test_blank_titles(void **state)
{
    (void)state;
    const char *blank[] = {"", " ", "\t\n", "---", "(/)", ".,;:!?", "  -  "};
    for (size_t i = 0; i < sizeof blank / sizeof *blank; ++i) {
        assert_int_equal(skm_title_seniority(blank[i], strlen(blank[i])), SKM_SENIORITY_UNKNOWN);
        assert_int_equal(skm_title_role_family(blank[i], strlen(blank[i])), SKM_ROLE_UNKNOWN);
    }
    assert_int_equal(skm_title_seniority(NULL, 0), SKM_SENIORITY_UNKNOWN);
    assert_int_equal(skm_title_role_family(NULL, 0), SKM_ROLE_UNKNOWN);
    /* NULL is empty whatever the length says. */
    assert_int_equal(skm_title_seniority(NULL, 12), SKM_SENIORITY_UNKNOWN);
    assert_int_equal(skm_title_role_family(NULL, 12), SKM_ROLE_UNKNOWN);
    assert_int_equal(skm_work_mode(NULL, 5, NULL, 5, NULL, 5), SKM_WORK_UNKNOWN);
    /* Not blank: a word without markers, a digit, a non-ASCII title. */
    assert_int_equal(skm_title_seniority("x", 1), SKM_SENIORITY_MID);
    assert_int_equal(skm_title_role_family("x", 1), SKM_ROLE_OTHER);
    assert_int_equal(skm_title_seniority("7", 1), SKM_SENIORITY_MID);
    assert_int_equal(skm_title_seniority("\xc3\xa9", 2), SKM_SENIORITY_MID);
    /* A NUL byte is a separator, not an end. */
    static const char nul[] = "Data\0Scientist, Senior";
    assert_int_equal(skm_title_seniority(nul, sizeof nul - 1), SKM_SENIORITY_SENIOR);
    assert_int_equal(skm_title_role_family(nul, sizeof nul - 1), SKM_ROLE_DATA_SCIENTIST);
}

/* Only n bytes are read: what follows them must not change the answer. */
static void test_title_bounds(void **state)
{
    (void)state;
    const char *t = "Data Scientist Senior Manager";
    assert_int_equal(skm_title_seniority(t, 14), SKM_SENIORITY_MID);
    assert_int_equal(skm_title_seniority(t, 21), SKM_SENIORITY_SENIOR);
    assert_int_equal(skm_title_seniority(t, 20), SKM_SENIORITY_MID); /* "Senio" */
    assert_int_equal(skm_title_role_family(t, 8), SKM_ROLE_OTHER);   /* "Data Sci" */
    assert_int_equal(skm_title_role_family(t, 4), SKM_ROLE_OTHER);
    assert_int_equal(skm_title_role_family("Data Analyst", 11), SKM_ROLE_OTHER); /* "Analys" */
    /* A numeral or L-level cut short. */
    assert_int_equal(skm_title_seniority("Engineer III", 10), SKM_SENIORITY_JUNIOR); /* "I" */
    assert_int_equal(skm_title_seniority("Engineer L55", 11), SKM_SENIORITY_SENIOR);
    /* Exact-size heap copies, so that a sanitizer build catches any read past n. */
    for (size_t i = 0; i < sizeof k_titles / sizeof *k_titles; ++i) {
        size_t n = strlen(k_titles[i].title);
        char *copy = malloc(n ? n : 1);
        assert_non_null(copy);
        memcpy(copy, k_titles[i].title, n);
        for (size_t m = 0; m <= n; ++m) {
            int s = skm_title_seniority(copy, m);
            int f = skm_title_role_family(copy, m);
            assert_true(s >= SKM_SENIORITY_UNKNOWN && s < SKM_SENIORITY_COUNT);
            assert_true(f >= SKM_ROLE_UNKNOWN && f < SKM_ROLE_COUNT);
        }
        assert_int_equal(skm_title_seniority(copy, n), k_titles[i].seniority);
        free(copy);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Work mode                                                                                  */
/* ------------------------------------------------------------------------------------------ */

enum { ON = SKM_WORK_ONSITE, HY = SKM_WORK_HYBRID, RE = SKM_WORK_REMOTE, UNK = SKM_WORK_UNKNOWN };

typedef struct mode_case {
    const char *title, *location, *text; /* NULL: not given */
    int want;
} mode_case;

static const mode_case k_modes[] = {
    /* the examples of the specification */
    {"Data Analyst (Remote)", NULL, NULL, RE},
    {NULL, "Anywhere", NULL, RE},
    {NULL, NULL, "This is a hybrid role, 3 days in office.", HY},
    {NULL, NULL, "This position is not remote.", ON},
    {NULL, NULL, "Remote within the US.", RE},
    {NULL, NULL, NULL, UNK},
    {"Data Analyst", "New York, NY", "We build data products.", UNK},
    /* title */
    {"Data Engineer - Hybrid", NULL, NULL, HY},
    {"Senior Data Scientist (REMOTE)", NULL, NULL, RE},
    {"Data Analyst (Onsite)", NULL, NULL, ON},
    {"Data Engineer - On-site in Houston, TX", NULL, NULL, ON},
    {"Data Analyst (Hybrid/Remote)", NULL, NULL, HY},
    {"Remote or Hybrid Data Scientist", NULL, NULL, HY},
    {"Sr Data EngineerRemote", NULL, NULL, RE},
    {"Data Analyst - Work From Home", NULL, NULL, RE},
    {"Data Scientist (WFH)", NULL, NULL, RE},
    {"Telecommute Data Analyst", NULL, NULL, RE},
    {"Remote Sensing Data Scientist", NULL, NULL, UNK},
    {"Hybrid Cloud Engineer", NULL, NULL, UNK},
    {"No C2C - Remote Data Engineer", NULL, NULL, RE},
    {"Data Engineer (Office based or Hybrid)", NULL, NULL, HY},
    {"Data Analyst - Anywhere", NULL, NULL, RE},
    /* location */
    {NULL, "Remote", NULL, RE},
    {NULL, "Remote, US", NULL, RE},
    {NULL, "Hybrid remote in Austin, TX", NULL, HY},
    {NULL, "United States (On-site)", NULL, ON},
    {NULL, "Austin, TX", NULL, UNK},
    {NULL, "Temporarily remote in Boston, MA", NULL, RE},
    /* evidence order: title, then location, then text */
    {"Data Analyst - Remote", "Hybrid remote in Austin, TX", "Onsite only.", RE},
    {"Data Analyst", "Anywhere", "This is a hybrid role.", RE},
    {"Data Analyst", "Chicago, IL", "This is a hybrid role.", HY},
    {"Data Analyst", "", "", UNK},
    /* text: statements and their ranks */
    {NULL, NULL, "Fully remote; we are a remote-first company.", RE},
    {NULL, NULL, "You can work remotely from anywhere in Canada.", RE},
    {NULL, NULL, "Hybrid remote: two days a week at our office.", HY},
    {NULL, NULL, "This role is remote. Remote work is not available outside the US.", ON},
    {NULL, NULL, "Remote, with occasional on-site visits to clients.", RE},
    {NULL, NULL, "This is an on-site position in Denver.", ON},
    {NULL, NULL, "You will work in the office five days a week.", ON},
    {NULL, NULL, "Must work in-office.", ON},
    {NULL, NULL, "This is an in-person role.", ON},
    {NULL, NULL, "Candidates will be invited to an in person interview.", UNK},
    {NULL, NULL, "This is a partially remote position.", HY},
    {NULL, NULL, "Semi-remote: Tuesdays in the office.", HY},
    {NULL, NULL, "A flexible schedule with two days of remote work each week.", HY},
    {NULL, NULL, "2 days remote, 3 days in the office", HY},
    {NULL, NULL, "Remote. 5 days a week of meetings.", RE},
    {NULL, NULL, "We offer an on-site gym and free parking.", UNK},
    {NULL, NULL, "Experience with hybrid cloud environments and remote sensing data.", UNK},
    {NULL, NULL, "Home-based role covering the Midwest.", RE},
    {NULL, NULL, "Teleworking is allowed.", RE},
    {NULL, NULL, "Eligible for telework.", RE},
    /* negations */
    {NULL, NULL, "This is not a remote position.", ON},
    {NULL, NULL, "No remote work.", ON},
    {NULL, NULL, "This is a non-remote role.", ON},
    {NULL, NULL, "This role is not eligible for remote work.", ON},
    {NULL, NULL, "Remote work is not available for this role.", ON},
    {NULL, NULL, "Remote is not an option.", ON},
    {NULL, NULL, "Remote candidates will not be considered.", ON},
    {NULL, NULL, "The role isn't remote.", ON},
    {NULL, NULL, "The role isn\xe2\x80\x99t remote.", ON},
    {NULL, NULL, "We can't offer remote work.", ON},
    {NULL, NULL, "Remote: No\nTravel: 10%", ON},
    {NULL, NULL, "Telework eligible: No", ON},
    {NULL, NULL, "Remote job: Yes", RE},
    {NULL, NULL, "This is not a hybrid role, it is fully remote.", RE},
    {NULL, NULL, "No relocation needed, remote.", RE},
    {NULL, NULL, "Remote, not hybrid.", RE},
    {NULL, NULL, "There is no onsite requirement.", UNK},
    /* whole words only */
    {NULL, NULL, "remoteness of the site; hybrids; onsites", UNK},
    {NULL, NULL, "teleworkers", UNK},
};

static const char *or_empty(const char *s)
{
    return s ? s : "(null)";
}

static void test_work_mode(void **state)
{
    (void)state;
    int bad = 0;
    size_t n = sizeof k_modes / sizeof *k_modes;
    for (size_t i = 0; i < n; ++i) {
        const mode_case *c = &k_modes[i];
        int m = skm_work_mode(c->title, c->title ? strlen(c->title) : 0, c->location,
                              c->location ? strlen(c->location) : 0, c->text,
                              c->text ? strlen(c->text) : 0);
        if (m != c->want) {
            fprintf(stderr, "work mode title '%s' location '%s' text '%s': %s, want %s\n",
                    or_empty(c->title), or_empty(c->location), or_empty(c->text),
                    or_empty(skm_work_mode_name(m)), or_empty(skm_work_mode_name(c->want)));
            ++bad;
        }
    }
    if (bad)
        fail_msg("%d of %zu work-mode cases wrong", bad, n);
}

/* "Anywhere" counts in the title and the location only. */
static void test_work_mode_anywhere(void **state)
{
    (void)state;
    const char *t = "Our clients are anywhere in the world.";
    assert_int_equal(skm_work_mode(NULL, 0, NULL, 0, t, strlen(t)), SKM_WORK_UNKNOWN);
    assert_int_equal(skm_work_mode(NULL, 0, "anywhere", 8, NULL, 0), SKM_WORK_REMOTE);
    assert_int_equal(skm_work_mode("ANYWHERE", 8, NULL, 0, NULL, 0), SKM_WORK_REMOTE);
}

static void test_work_mode_bounds(void **state)
{
    (void)state;
    /* Only n bytes are read. */
    assert_int_equal(skm_work_mode(NULL, 0, NULL, 0, "remotely", 6), SKM_WORK_REMOTE);
    assert_int_equal(skm_work_mode(NULL, 0, NULL, 0, "remote", 5), SKM_WORK_UNKNOWN);
    assert_int_equal(skm_work_mode(NULL, 0, NULL, 0, "hybrid cloud", 6), SKM_WORK_HYBRID);
    assert_int_equal(skm_work_mode(NULL, 0, NULL, 0, "not remote", 3), SKM_WORK_UNKNOWN);
    assert_int_equal(skm_work_mode(NULL, 0, NULL, 0, "remote: no", 7), SKM_WORK_REMOTE);
    assert_int_equal(skm_work_mode(NULL, 0, NULL, 0, "on site", 4), SKM_WORK_UNKNOWN);
    /* Non-NULL pointers with zero lengths are empty. */
    assert_int_equal(skm_work_mode("Remote", 0, "Remote", 0, "Remote", 0), SKM_WORK_UNKNOWN);
    /* Exact-size heap copies of every case, cut at every length. */
    for (size_t i = 0; i < sizeof k_modes / sizeof *k_modes; ++i) {
        const char *src = k_modes[i].text ? k_modes[i].text
                          : k_modes[i].location ? k_modes[i].location
                                                : k_modes[i].title;
        if (!src)
            continue;
        size_t n = strlen(src);
        char *copy = malloc(n ? n : 1);
        assert_non_null(copy);
        memcpy(copy, src, n);
        for (size_t m = 0; m <= n; ++m) {
            int w = skm_work_mode(copy, m, copy, m, copy, m);
            assert_true(w >= SKM_WORK_UNKNOWN && w < SKM_WORK_COUNT);
        }
        free(copy);
    }
}

/* ------------------------------------------------------------------------------------------ */
/* Robustness                                                                                 */
/* ------------------------------------------------------------------------------------------ */

static uint64_t rng_next(uint64_t *s)
{
    *s = *s * 6364136223846793005ull + 1442695040888963407ull;
    return *s >> 33;
}

/* Random bytes of random lengths, each in an exact-size buffer; words from the vocabulary mixed
 * in so that the rules, not only the tokenizer, are exercised. */
static void test_random_bytes(void **state)
{
    (void)state;
    static const char *const vocab[] = {
        "senior ", "Sr.", "II", "I", "L5", "level ", "3", "associate ", "director", "head ",
        "of ", "mid", "-", "data ", "science", "engineer", "machine learning ", "ml ", "ops",
        "remote", "hybrid", "not ", "no ", "on-site", "in office", ": no", "isn\xe2\x80\x99t ",
        "work from home", "anywhere", "\xe2\x80\x93", ", ", "(", ")", "\n", "analyst", "ai ",
    };
    uint64_t seed = 0x5eed;
    int counts[3][16] = {{0}};
    for (int iter = 0; iter < 20000; ++iter) {
        size_t n = (size_t)(rng_next(&seed) % 200);
        char *buf = malloc(n ? n : 1);
        assert_non_null(buf);
        size_t i = 0;
        while (i < n) {
            if (rng_next(&seed) % 3 == 0) {
                const char *w = vocab[rng_next(&seed) % (sizeof vocab / sizeof *vocab)];
                size_t l = strlen(w);
                if (l > n - i)
                    l = n - i;
                memcpy(buf + i, w, l);
                i += l;
            } else {
                buf[i++] = (char)(rng_next(&seed) & 0xff);
            }
        }
        int s = skm_title_seniority(buf, n);
        int f = skm_title_role_family(buf, n);
        int m = skm_work_mode(buf, n / 3, buf + n / 3, n / 3, buf, n);
        assert_true(s >= -1 && s < SKM_SENIORITY_COUNT);
        assert_true(f >= -1 && f < SKM_ROLE_COUNT);
        assert_true(m >= -1 && m < SKM_WORK_COUNT);
        counts[0][s + 1]++;
        counts[1][f + 1]++;
        counts[2][m + 1]++;
        /* Deterministic. */
        assert_int_equal(skm_title_seniority(buf, n), s);
        assert_int_equal(skm_title_role_family(buf, n), f);
        free(buf);
    }
    /* The vocabulary reaches the rules: several levels, families and modes come out. */
    int levels = 0, fams = 0, modes = 0;
    for (int k = 0; k < 16; ++k) {
        levels += counts[0][k] > 0;
        fams += counts[1][k] > 0;
        modes += counts[2][k] > 0;
    }
    assert_true(levels >= 5);
    assert_true(fams >= 5);
    assert_true(modes == 4);
    /* Every single byte value. */
    for (int c = 0; c < 256; ++c) {
        char b = (char)c;
        assert_true(skm_title_seniority(&b, 1) >= -1);
        assert_true(skm_title_role_family(&b, 1) >= -1);
        assert_int_equal(skm_work_mode(&b, 1, &b, 1, &b, 1), SKM_WORK_UNKNOWN);
    }
}

/* Long inputs: one pass, correct answers at the far end. */
static void test_long_inputs(void **state)
{
    (void)state;
    const size_t n = (size_t)8 << 20;
    char *buf = malloc(n);
    assert_non_null(buf);

    /* A description of plain prose with the statement at the very end. */
    static const char prose[] = "We build the data platform that powers our teams and their "
                                "work with the office of the CTO; it is in our interest to "
                                "offer the role with three weeks of training. ";
    for (size_t i = 0; i < n; ++i)
        buf[i] = prose[i % (sizeof prose - 1)];
    assert_int_equal(skm_work_mode(NULL, 0, NULL, 0, buf, n), SKM_WORK_UNKNOWN);
    memcpy(buf + n - 8, " remote.", 8);
    assert_int_equal(skm_work_mode(NULL, 0, NULL, 0, buf, n), SKM_WORK_REMOTE);
    memcpy(buf + n - 13, " not remote. ", 13);
    assert_int_equal(skm_work_mode(NULL, 0, NULL, 0, buf, n), SKM_WORK_ONSITE);

    /* Worst cases for the statement checks: every word a candidate. */
    static const char dense[] = "remote not in on hybrids work from home-based ";
    for (size_t i = 0; i < n; ++i)
        buf[i] = dense[i % (sizeof dense - 1)];
    assert_int_equal(skm_work_mode(NULL, 0, NULL, 0, buf, n), SKM_WORK_ONSITE);

    /* One enormous word, and letters only. */
    memset(buf, 'r', n);
    assert_int_equal(skm_work_mode(buf, n, buf, n, buf, n), SKM_WORK_UNKNOWN);
    assert_int_equal(skm_title_seniority(buf, n), SKM_SENIORITY_MID);
    assert_int_equal(skm_title_role_family(buf, n), SKM_ROLE_OTHER);

    /* A long title: markers at the far end still count. */
    static const char words[] = "Data Engineer ";
    for (size_t i = 0; i < n; ++i)
        buf[i] = words[i % (sizeof words - 1)];
    memcpy(buf + n - 10, " Director ", 10);
    assert_int_equal(skm_title_seniority(buf, n), SKM_SENIORITY_DIRECTOR);
    assert_int_equal(skm_title_role_family(buf, n), SKM_ROLE_DATA_ENGINEER);
    memcpy(buf + n - 6, " MLOps", 6);
    assert_int_equal(skm_title_role_family(buf, n), SKM_ROLE_MLOPS);
    free(buf);
}

int main(void)
{
    const struct CMUnitTest tests[] = {
        cmocka_unit_test(test_names),
        cmocka_unit_test(test_titles),
        cmocka_unit_test(test_blank_titles),
        cmocka_unit_test(test_title_bounds),
        cmocka_unit_test(test_work_mode),
        cmocka_unit_test(test_work_mode_anywhere),
        cmocka_unit_test(test_work_mode_bounds),
        cmocka_unit_test(test_random_bytes),
        cmocka_unit_test(test_long_inputs),
    };
    return cmocka_run_group_tests_name("title", tests, NULL, NULL);
}
