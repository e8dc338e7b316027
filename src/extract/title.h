/*
 * title.h — what a job title says about the posting: the seniority level, the role family, and
 * (with the location and the description) the work mode: onsite, hybrid or remote.
 *
 * Every function is pure: it reads the byte range (s, n), which need not be NUL-terminated and may
 * hold any bytes (invalid UTF-8, NUL, binary), never reads past it, allocates nothing, keeps no
 * state and runs in time linear in n. A NULL pointer is an empty input, whatever n says.
 *
 * Words. A title is read as a sequence of words: maximal runs of ASCII letters and digits,
 * compared case-insensitively. Everything else separates words: white space, punctuation and every
 * byte >= 0x80 (so "Sr./Lead", "(Senior)", "Entry-Level" and "Senior–Data" with an en dash all
 * split as expected, and "Ingénieur" is the two words "ing" and "nieur"). Punctuation is not
 * otherwise looked at: "Sr." is the word "sr", "Co-op" is "co" "op", "A.I." is "a" "i". A word
 * also ends at a camel-case joint, an upper-case letter with two lower-case letters on each side:
 * "Data EngineerRemote", "BigData", "DataOps" split; "iPhone", "LinkedIn", "PhD", "GenAI" do not.
 *
 * Blank. A title is blank when it holds no ASCII letter or digit and no byte >= 0x80 (empty, white
 * space, punctuation only). Only a blank title gives SKM_SENIORITY_UNKNOWN / SKM_ROLE_UNKNOWN; a
 * title in another script is not blank (it is read as having no marker: mid, other).
 */
#ifndef SKM_EXTRACT_TITLE_H
#define SKM_EXTRACT_TITLE_H

#include <stddef.h>

/* Values reach stores as codes into fixed level tables: append only. */

/* Seniority. The level table (codes 0..6) is the names of skm_seniority_name(). */
typedef enum skm_seniority {
    SKM_SENIORITY_UNKNOWN = -1, /* blank title (stored as the missing code -1) */
    SKM_SENIORITY_INTERN = 0,   /* "intern" */
    SKM_SENIORITY_JUNIOR,       /* "junior" */
    SKM_SENIORITY_MID,          /* "mid"; also every title without a marker */
    SKM_SENIORITY_SENIOR,       /* "senior" */
    SKM_SENIORITY_STAFF,        /* "staff/principal" */
    SKM_SENIORITY_LEAD,         /* "lead/manager" */
    SKM_SENIORITY_DIRECTOR,     /* "director+" */
    SKM_SENIORITY_COUNT
} skm_seniority;

/* Role family. The level table (codes 0..9) is the names of skm_role_family_name(). */
typedef enum skm_role_family {
    SKM_ROLE_UNKNOWN = -1,       /* blank title */
    SKM_ROLE_ML_ENGINEER = 0,    /* "ML Engineer" */
    SKM_ROLE_AI_ENGINEER,        /* "AI/LLM Engineer" */
    SKM_ROLE_MLOPS,              /* "MLOps Engineer" */
    SKM_ROLE_DATA_SCIENTIST,     /* "Data Scientist" */
    SKM_ROLE_RESEARCH_SCIENTIST, /* "Research Scientist" */
    SKM_ROLE_DATA_ENGINEER,      /* "Data Engineer" */
    SKM_ROLE_DATA_ANALYST,       /* "Data Analyst" */
    SKM_ROLE_BUSINESS_ANALYST,   /* "Business Analyst" */
    SKM_ROLE_SOFTWARE_ENGINEER,  /* "Software Engineer" */
    SKM_ROLE_OTHER,              /* "Other": a title no rule recognises */
    SKM_ROLE_COUNT
} skm_role_family;

/* Work mode. The level table (codes 0..2) is the names of skm_work_mode_name(). A tag only, no
 * typedef: the name skm_work_mode is the function below (C has one namespace for both). */
enum skm_work_mode {
    SKM_WORK_UNKNOWN = -1, /* nothing stated */
    SKM_WORK_ONSITE = 0,   /* "onsite" */
    SKM_WORK_HYBRID,       /* "hybrid" */
    SKM_WORK_REMOTE,       /* "remote" */
    SKM_WORK_COUNT
};

/* Display names: the level tables written to stores.
 *   seniority:   "intern", "junior", "mid", "senior", "staff/principal", "lead/manager",
 *                "director+"
 *   role family: "ML Engineer", "AI/LLM Engineer", "MLOps Engineer", "Data Scientist",
 *                "Research Scientist", "Data Engineer", "Data Analyst", "Business Analyst",
 *                "Software Engineer", "Other"
 *   work mode:   "onsite", "hybrid", "remote"
 * A code outside 0 .. COUNT - 1, UNKNOWN (-1) included, has no name: NULL. */
const char *skm_seniority_name(int s);
const char *skm_role_family_name(int r);
const char *skm_work_mode_name(int w);

/* The seniority level of a job title (enum skm_seniority).
 *
 * Every word (or short word sequence) below is a marker of one level; the title's level is that
 * of its highest-ranked marker, ranked
 *     director+  >  lead/manager  >  staff/principal  >  senior  >  mid  >  intern  >  junior
 * (intern outranks junior, so "Graduate Intern" and "Junior Intern" are intern). Because the
 * management levels rank highest, a management word decides whatever qualifies it: "Senior
 * Manager" and "Principal Manager" are lead/manager, "Senior Director" and "Associate Director"
 * are director+. A title without any marker is mid; a blank title is UNKNOWN.
 *
 *   intern    intern(s), internship(s), co op / coop ("Co-op"), trainee(s), apprentice(s),
 *             apprenticeship(s), fellowship(s), werkstudent, alternant, alternance; "working
 *             student", "PhD student", "student" followed by worker / assistant / researcher;
 *             "summer" followed by analyst / associate
 *   junior    junior, jr, jnr; graduate(s), grad(s) (covers "New Grad", "University Graduate");
 *             "entry" followed by level / lvl ("Entry Level", "Entry-Level"); "early career";
 *             postdoc, postdoctoral; associate and assistant, except when the next word is a level
 *             word of their own (director, manager, principal, partner, vp, vice, president, head,
 *             chief, lead): "Associate Data Scientist" is junior, "Associate Director" director+,
 *             "Assistant Manager" lead/manager; fellow(s) except as below
 *   mid       mid, midlevel, intermediate; "Mid-Level"; "Mid Senior", "Mid-Senior", "Mid/Sr" (the
 *             senior of this phrase is not a marker: "Mid-Senior Data Engineer" is mid)
 *   senior    senior, sr, snr, founding ("Founding Engineer")
 *   staff     staff, principal (but "Principal Associate", a bank grade below manager, is
 *             senior), principle (a common misspelling), distinguished; fellow(s) after
 *             distinguished / technical / engineering / senior / sr / principal / corporate /
 *             executive ("Technical Fellow"; any other "Fellow" is a fellowship programme: junior)
 *   lead      lead(s), leader(s) (not "Lead Generation"), manager(s), mgr, supervisor; head when
 *             not followed by "of" ("Head Data Scientist")
 *   director+ director(s), vp, svp, evp, avp, "vice president", president, chief, cto, cio, cdo,
 *             cdao, caio, ceo, cfo, coo, cso; "head of". (Banks give VP and AVP titles to senior
 *             individual contributors; they are read as director+ all the same.)
 *
 * Numbered grades, all with one ladder: 1 junior, 2 mid, 3 senior, 4 and above staff/principal.
 *   - Roman numerals as whole words, anywhere: I, II, III, IV, V, VI ("Engineer I" junior,
 *     "Data Scientist III" senior). A lone I or V next to another single-letter word is not a
 *     numeral ("A.I.", "I.T.", "I/O").
 *   - A digit 1..9 as a whole word right after a job noun (engineer, scientist, analyst,
 *     developer, programmer, consultant, specialist, architect, researcher, statistician,
 *     associate, administrator, sde, swe, mle) or after level / lvl / grade: "Analyst 2",
 *     "Level 3", "Level II".
 *   - Ladder levels L1..L99 as one word, read on the common big-tech ladder: L1-L3 junior (L3 is
 *     the new-graduate level), L4 mid, L5 senior, L6 and above staff/principal.
 * Since the highest marker wins, "Sr. Data Engineer II" is senior and "Senior Manager II"
 * lead/manager. Not recognised (no marker, so mid unless another word says more): company-specific
 * grades such as IC4 or E5, "Expert", "Specialist", "Architect", "Consultant". */
int skm_title_seniority(const char *title, size_t n);

/* The role family of a job title (enum skm_role_family).
 *
 * The title's words are segmented left to right into known phrases, taking the longest phrase
 * that starts at each word (a word inside a taken phrase starts nothing: "Data Science Analyst"
 * is the one phrase "data science analyst", never "data science"). Each phrase belongs to a rule;
 * the title's family is that of the first rule, in the order below, that owns one of its phrases,
 * wherever the phrase stands. A phrase word also matches the word with an "s" added ("Data
 * Scientists"). No phrase: Other. Blank title: UNKNOWN.
 *
 *   1 MLOps       mlops, ml ops, llmops, modelops, model ops, ml / machine learning /
 *                 ai + platform / infrastructure / operations ("ML Platform", "Machine Learning
 *                 Infrastructure", "Machine Learning Operations"), ml infra, ml devops, machine
 *                 learning ops
 *   2 Research    research scientist, research engineer, applied scientist, research staff member,
 *                 postdoctoral research(er); ml / ai / machine learning / deep learning / nlp +
 *                 research / researcher ("AI Research Scientist", "ML Researcher")
 *   3 AI/LLM      llm, large language model, generative ai, generative, genai, gen ai, gpt,
 *                 chatgpt, prompt, prompt engineer(ing), applied ai, ai engineer(ing), ai
 *                 developer, ai software engineer, ai architect, ai solutions architect,
 *                 conversational ai, ai agent, agentic, rag, langchain, chatbot, ai application,
 *                 artificial intelligence engineer
 *   4 ML engineer machine learning engineer(ing), ml engineer(ing), mle, machine learning / ml
 *                 developer, machine learning / ml software engineer, deep learning engineer,
 *                 computer vision engineer, cv engineer, nlp engineer, perception engineer,
 *                 "AI/ML Engineer" and "ML/AI Engineer" (ai ml engineer, ml ai engineer, ...)
 *   5 Data sci.   data scientist, data science, ds, machine learning / ml / ai scientist, decision
 *                 scientist, decision science, statistician, biostatistician, quantitative /
 *                 quant analyst, quantitative / quant researcher, econometrician, data mining,
 *                 predictive modeler
 *   6 Data eng.   data engineer(ing), big data, etl, elt, data warehouse / warehousing, dwh, data
 *                 architect(ure), data platform, data infrastructure, data pipeline, data ops /
 *                 dataops, analytics engineer(ing), data analytics engineer, database engineer /
 *                 developer / administrator, dba, sql developer, data integration engineer /
 *                 developer, data developer, data modeler / modeller, hadoop, spark / kafka /
 *                 snowflake / databricks / informatica + developer / engineer; and, where no
 *                 phrase starts at "data", data + one or two words + engineer ("Data Reliability
 *                 Engineer") or engineer + data, that engineer not ending a longer phrase
 *                 ("Engineer, Data Management"; "Software Engineer, Data" is Software Engineer)
 *   7 Data anal.  data analyst, database analyst, big data analyst, data analysis, data
 *                 analytics, analytic(s), bi, business intelligence, power bi, tableau, looker,
 *                 reporting, report developer, insight(s), data visualization / visualisation,
 *                 data science analyst, decision science analyst, statistical analyst, product
 *                 analyst, web analyst; and, where no phrase starts at "data", data + one or two
 *                 words + analyst ("Data Quality Analyst", "Data & Reporting Analyst") or
 *                 analyst + data, likewise ("Analyst, Data Governance"; not "Business Analyst,
 *                 Data"). So "BI Developer" and "Business Intelligence Engineer" are Data Analyst.
 *   8 Business    business analyst, business systems analyst, business system analyst, systems
 *                 analyst, business analysis, functional analyst, requirements analyst,
 *                 (business) process analyst
 *   9 ML (domain) machine learning, ml, deep learning, computer vision, nlp, natural language
 *                 processing: ML Engineer ("Software Engineer, Machine Learning" and "Associate
 *                 Director, Machine Learning" are ML Engineer: the specialty outranks the generic
 *                 software title)
 *  10 AI (domain) ai, artificial intelligence: AI/LLM Engineer ("Head of AI")
 *  11 Analyst     any other analyst (financial, marketing, operations, pricing, program ...):
 *                 Business Analyst, the family of business-function analysis
 *  12 Software    software engineer(ing), software developer, software development (engineer),
 *                 software architect, sde, sdet, swe, developer, programmer, programmer analyst,
 *                 backend, back end, frontend, front end, full stack, fullstack, devops, dev ops,
 *                 site reliability, sre, platform engineer, infrastructure engineer, cloud
 *                 engineer / architect / developer / engineering (infrastructure engineering is
 *                 counted as software engineering; the enum has no cloud family)
 * Phrases that stop a shorter match but name no family (Other unless another rule fires):
 * business development, data entry, data center, ai trainer, ai tutor, ai training, remote sensing.
 *
 * Consequences: "Senior Manager, Data Science" is Data Scientist; "Data Scientist / ML Engineer"
 * is ML Engineer (rule 4 before 5); "Research Scientist, LLM" is Research Scientist; "LLM Data
 * Scientist" is AI/LLM; "Cloud Data Engineer" is Data Engineer; "Business Intelligence Analyst" is
 * Data Analyst; "Analytics Engineer" is Data Engineer. */
int skm_title_role_family(const char *title, size_t n);

/* The work mode a posting states (enum skm_work_mode), from its title, its location and its
 * description text, each of which may be NULL / 0.
 *
 * Evidence order: the title, then the location, then the text; the first of them that states a
 * work mode decides, the later ones are not read. Within one of them the statements rank
 *     hybrid  >  remote negated (onsite)  >  remote  >  onsite
 * so "Hybrid remote in Austin, TX" is hybrid, "remote work is not available" is onsite even
 * where "remote" also appears, and a remote posting that mentions "occasional on-site visits"
 * stays remote. Nothing stated anywhere: UNKNOWN.
 *
 * Statements (words as for titles, case-insensitive, whole words only; the words of a statement
 * are separated by one to three blanks or hyphens):
 *   hybrid   hybrid; partially / partial / partly / semi + remote ("semi-remote"); a remote
 *            statement with day / days among the four words before it in its clause ("2 days
 *            remote", "two days of remote work each week")
 *   remote   remote, remotely, wfh, work(ing) from home, work(ing) from anywhere, work anywhere,
 *            home based / home-based, telecommute(r), telecommuting, telework(er/ing); in the
 *            location and the title also anywhere ("Anywhere" is how job boards write remote)
 *   onsite   onsite, on-site, on site, in office, in-office, in the office, office based /
 *            office-based, in person / in-person + role / position / job / work / only / basis
 * Not statements: remote + sensing / sensor(s) / monitoring / patient / access / control(led) /
 * pilot(ed) / desktop / surveillance / operated / diagnostic(s) / device(s) / server(s); hybrid +
 * cloud(s) / multicloud / multi / infrastructure / vehicle(s) / electric / app(s) / mobile /
 * car(s) / engine(s) / architecture(s) / integration / solution(s) / models / modeling /
 * modelling; onsite + gym / fitness / cafeteria / cafe / childcare / daycare / parking / clinic(s)
 * / amenities / health / wellness / dining / food / restaurant(s) / meals / catering.
 *
 * Negation. A statement is negated when a negator stands among the four words before it in the
 * same clause: not, no, non, never, cannot, nor, a contraction in n't or n’t ("isn't",
 * "can’t"), or one written without the apostrophe (isnt, arent, dont, doesnt, wont, cant, wasnt,
 * werent, shouldnt). Clauses end at . , ; : ! ? ( ) [ ] { } |, line breaks, en and em dashes,
 * and a hyphen with a blank beside it, so "No C2C - Remote" is not negated but "non-remote" is.
 * Examples: "not a remote position", "no remote", "non-remote", "not eligible for remote work".
 * It is also negated when, within the next five words of its clause, "not" (optionally followed
 * by "be") is followed by available / possible / offered / permitted / allowed / eligible /
 * supported / considered / accepted / an / a / option, or unavailable / prohibited follows
 * ("remote work is not available", "remote is not an option", "remote candidates will not be
 * considered"); or when up to two words later a colon is followed by "no" ("Remote: No",
 * "Telework eligible: No"). A negated remote statement states onsite; a negated hybrid or onsite
 * statement states nothing.
 *
 * Speed: one pass over each input. A byte costs two table look-ups; only a word start whose
 * first three bytes can begin a statement gets a closer look, which reads at most about a
 * hundred bytes around it. About 650 MB/s on English prose (one core of a 2023 server). */
int skm_work_mode(const char *title, size_t tn, const char *location, size_t ln, const char *text,
                  size_t xn);

#endif /* SKM_EXTRACT_TITLE_H */
