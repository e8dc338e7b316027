#!/usr/bin/python3
"""End-to-end check of `skillmat synth` (docs/synth.md) on the bundled sample.

Usage: synth_e2e.py SKILLMAT_BIN SAMPLE_CSV_GZ WORK_DIR

The sample is ingested to a calibration store, then:
  * calibration: 150,000 postings to CSV (with --truth), ingested with no options: every column
    is mapped; the role shares, the top-20 skill shares, the seniority and remote shares, the
    salary coverage, the hourly share, the mean ln salary and the mean number of skills per
    posting are the sample's within statistical tolerance; the truth file has its documented
    layout, one skill row per skill, the planted premiums among the skills with a share >= 1 %;
  * regression recovery: `skillmat regress --controls role,seniority` on that store;
    z = (estimate - planted premium) / se over every skill term: rms about 1 (0.7 .. 1.4) and
    max |z| < 4.5, for the primary (cluster-robust) and the HC1 standard errors;
  * cluster recovery: 100,000 postings at --contrast 1 and at --contrast 3 (written as .h5),
    `skillmat cluster -k R --metric cosine` (R = the number of roles): the adjusted Rand index
    with the role column is well above at contrast 3 (> 0.25, and at least 0.15 above contrast 1);
  * the .h5 output equals ingest of the CSV of the same seed: every /postings column (level
    codes decoded to strings; numbers bit for bit, NaN = NaN), the matrix compared by skill name,
    /skills/doc_freq by name; JSON Lines (gzip) of the same seed ingests to the same store but
    for /postings/source_line; /synth holds the seed, n, the calibration store's SHA-256 and the
    truth file's premiums;
  * --text: the description, read with `ingest --text-col description --skills-col ''`, names
    the posting's listed skills that the taxonomy knows (recall >= 0.95, precision >= 0.98);
  * determinism: the same seed gives the same bytes, another seed other bytes; the summary
    line; p = 2048 works (a vocabulary beyond the store's, from the taxonomy);
  * errors: no --from, a --from that is not a store, bad -n, an unknown extension, --text with
    .h5, an output in a missing directory (nothing created), a failed run over an existing
    output (left as it was).
Prints the recovery numbers. Takes 15-30 s on 2 cores. Exit status 1 on any failure.
"""
import csv
import hashlib
import os
import shutil
import subprocess
import sys
import time

try:
    import h5py
    import numpy as np
except ImportError as e:  # registered only when these exist; run by hand without them: skip
    print(f"SKIP: {e}")
    sys.exit(0)

if len(sys.argv) != 4:
    print(__doc__)
    sys.exit(2)
BIN, SAMPLE, WORK = sys.argv[1:]
shutil.rmtree(WORK, ignore_errors=True)   # this test's own directory: no leftovers of a past run
os.makedirs(WORK)
TAXONOMY = os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "src", "extract",
                        "taxonomy.txt")
failures = []
T0 = time.time()


def check(ok, what):
    if not ok:
        failures.append(what)
        print("FAIL:", what)


def run(*args, expect=0):
    r = subprocess.run([BIN, *args], capture_output=True, text=True)
    if expect is not None and r.returncode != expect:
        print(r.stdout, r.stderr)
        raise SystemExit(f"{' '.join(args)}: exit {r.returncode}, expected {expect}")
    return r


def path(name):
    p = os.path.join(WORK, name)
    if os.path.exists(p):
        os.unlink(p)
    return p


def strs(ds):
    return np.array([x.decode() if isinstance(x, bytes) else str(x) for x in ds[()]], dtype=object)


def decoded(f, col):
    """A categorical /postings column as strings ('' for -1)."""
    lv = np.append(strs(f["postings"][col + "_levels"]), "")
    return lv[f["postings"][col][:]]


def summary(store):
    with h5py.File(store, "r") as f:
        p, m = f["postings"], f["matrix"]
        n = int(m.attrs["n_rows"])
        role = decoded(f, "role")
        names = strs(f["skills/name"])
        share = dict(zip(names, f["skills/doc_freq"][:] / n))
        sal = p["salary_annual"][:]
        ok = np.isfinite(sal) & (sal > 0)
        return dict(n=n, role=role, roles=sorted(set(role)), share=share,
                    k=np.diff(m["indptr"][:]),
                    sen=np.bincount(p["seniority"][:] + 1, minlength=8) / n,
                    remote=np.mean(p["remote"][:] == 1), known=ok.mean(),
                    hourly=np.mean(p["salary_period"][:] == 1), lsal=np.log(sal[ok]).mean())


# ---- the calibration store -----------------------------------------------------------------
sample = path("sample.h5")
run("ingest", SAMPLE, "-o", sample, "-q")
A = summary(sample)

# ---- calibration -----------------------------------------------------------------------------
N = 150000
out_csv, truth = path("synth.csv"), path("truth.csv")
# seed 1: its first posting lists no skills, the case where regress once passed a NULL pointer to
# memcpy (for 0 bytes; UBSan stopped the sanitizer pass there)
r = run("synth", "--from", sample, "-n", "150k", "-o", out_csv, "--truth", truth, "--seed", "1")
check("150,000 postings" in r.stdout and "postings/s" in r.stdout, f"summary line: {r.stdout!r}")
store = path("synth.h5")
r = run("ingest", out_csv, "-o", store)
with h5py.File(store, "r") as f:
    roles = strs(f["provenance/column_roles"])
    used = dict(zip(roles, [x.decode() if isinstance(x, bytes) else str(x)
                            for x in f["provenance/input_columns"][0]]))
want_cols = {"title": "job_title", "role": "job_title_short", "company": "company_name",
             "location": "job_location", "country": "job_country", "date": "job_posted_date",
             "salary": "salary_year_avg", "hourly": "salary_hour_avg", "period": "salary_rate",
             "remote": "job_work_from_home", "skills": "job_skills"}
for role_, col in want_cols.items():
    check(used.get(role_) == col, f"ingest maps {role_} to {col} (got {used.get(role_)!r})")
check("not used" not in r.stderr, f"every column is used: {r.stderr}")
B = summary(store)
check(B["n"] == N, f"n = {B['n']}")
check(A["roles"] == B["roles"], f"roles {B['roles']}")
worst_role = 0
for ro in A["roles"]:
    a, b = np.mean(A["role"] == ro), np.mean(B["role"] == ro)
    worst_role = max(worst_role, abs(a - b))
    check(abs(a - b) < 4 * np.sqrt(a * (1 - a) / N) + 0.002, f"role share {ro}: {b:.4f} vs {a:.4f}")
top = sorted(A["share"], key=lambda s: -A["share"][s])[:20]
worst_skill = 0
for s in top:
    a, b = A["share"][s], B["share"].get(s, 0)
    worst_skill = max(worst_skill, abs(b / a - 1))
    check(abs(b / a - 1) < 0.06, f"skill share {s}: {b:.4f} vs {a:.4f}")
check(np.abs(A["sen"] - B["sen"]).max() < 0.01, f"seniority shares {B['sen']} vs {A['sen']}")
check(abs(A["remote"] - B["remote"]) < 0.01, f"remote {B['remote']:.4f} vs {A['remote']:.4f}")
check(abs(A["known"] - B["known"]) < 0.01, f"salary known {B['known']:.4f} vs {A['known']:.4f}")
check(abs(A["hourly"] - B["hourly"]) < 0.01, f"hourly {B['hourly']:.4f} vs {A['hourly']:.4f}")
check(abs(A["lsal"] - B["lsal"]) < 0.02, f"mean ln salary {B['lsal']:.4f} vs {A['lsal']:.4f}")
check(abs(A["k"].mean() - B["k"].mean()) < 0.1,
      f"skills per posting {B['k'].mean():.3f} vs {A['k'].mean():.3f}")
check(abs(np.mean(A["k"] == 0) - np.mean(B["k"] == 0)) < 0.01, "postings without skills")
print(f"calibration: worst role share diff {worst_role:.4f}, worst top-20 skill share rel diff "
      f"{worst_skill:.3f}, mean skills {B['k'].mean():.3f} vs {A['k'].mean():.3f}")

# the truth file
rows = list(csv.DictReader(open(truth)))
check(list(rows[0].keys()) == ["kind", "skill", "premium", "doc_share", "origin", "role",
                               "seniority", "name", "value", "share"], "truth header")
param = {r["name"]: r["value"] for r in rows if r["kind"] == "param"}
premium = {r["skill"]: float(r["premium"]) for r in rows if r["kind"] == "skill"}
tshare = {r["skill"]: float(r["doc_share"]) for r in rows if r["kind"] == "skill"}
check(param.get("seed") == "1" and param.get("n") == str(N), f"truth params {param}")
check(param.get("calibration_sha256") == hashlib.sha256(open(sample, "rb").read()).hexdigest(),
      "truth: calibration_sha256")
check(len(premium) == len(A["share"]), f"truth: {len(premium)} skills")
planted = {s: b for s, b in premium.items() if b != 0}
check(len(planted) == 20, f"20 planted premiums, got {len(planted)}")
check(all(tshare[s] >= 0.01 for s in planted), "premiums among skills with share >= 1 %")
check({r["kind"] for r in rows} == {"param", "skill", "role", "seniority", "cell"}, "truth kinds")
check(abs(sum(float(r["share"]) for r in rows if r["kind"] == "cell") - 1) < 1e-9, "cell shares")
check(abs(sum(float(r["share"]) for r in rows if r["kind"] == "role") - 1) < 1e-9, "role shares")
worst_share = max(abs(B["share"].get(s, 0) - t) for s, t in tshare.items())
check(worst_share < 0.015, f"truth doc_share vs the output: {worst_share}")

# ---- regression recovery ---------------------------------------------------------------------
res = path("regress.h5")
run("regress", store, "-o", res, "--controls", "role,seniority", "-q")
with h5py.File(res, "r") as f:
    T = f["regression/terms"]
    name, kind = strs(T["name"]), strs(T["kind"])
    coef = T["coef"][:]
    primary = f["regression"].attrs["se_primary"]
    primary = primary.decode() if isinstance(primary, bytes) else primary
    for se_name in (f"se_{primary}", "se_hc1"):
        se = T[se_name][:]
        sel = (kind == "skill") & np.isfinite(coef)
        z = np.array([(coef[i] - premium[name[i]]) / se[i] for i in np.flatnonzero(sel)])
        rms, zmax = float(np.sqrt(np.mean(z ** 2))), float(np.abs(z).max())
        print(f"regression recovery ({se_name}): {len(z)} skills, rms z {rms:.3f}, "
              f"max |z| {zmax:.2f}")
        check(0.7 < rms < 1.4, f"{se_name}: rms z {rms}")
        check(zmax < 4.5, f"{se_name}: max |z| {zmax}")
    # the planted premiums are found: each within 4.5 se, and the large ones significant
    pz = [(coef[i], premium[name[i]], T[f"se_{primary}"][i]) for i in range(len(name))
          if kind[i] == "skill" and name[i] in planted]
    check(len(pz) == len(planted), "every planted skill is estimated")
    big = [c / s for c, b, s in pz if abs(b) > 0.05]
    check(all(abs(t) > 3 for t in big), f"large premiums significant: {big}")

# ---- cluster recovery ------------------------------------------------------------------------
ari = {}
R = len(A["roles"])
for c in ("1", "3"):
    st, res = path(f"contrast{c}.h5"), path(f"cluster{c}.h5")
    run("synth", "--from", sample, "-n", "100k", "-o", st, "--contrast", c, "-q")
    run("cluster", st, "-o", res, "-k", str(R), "--metric", "cosine", "--restarts", "2",
        "--sample", "1000", "-q")
    with h5py.File(res, "r") as f:
        g = f["clusters/agreement"]
        ari[c] = float(g.attrs["ari"])
        print(f"cluster recovery, contrast {c}: ARI {ari[c]:.3f}, NMI {float(g.attrs['nmi']):.3f}")
check(ari["3"] > 0.25 and ari["3"] > ari["1"] + 0.15, f"ARI contrast 3 {ari['3']} vs 1 {ari['1']}")

# ---- .h5 output = ingest of the CSV -----------------------------------------------------------
small_csv, direct, ing = path("eq.csv"), path("eq_direct.h5"), path("eq_ingest.h5")
eq_truth = path("eq_truth.csv")
opts = ["--from", sample, "-n", "20000", "--seed", "5", "--skills", "256", "-q"]
run("synth", *opts, "-o", small_csv)
run("synth", *opts, "-o", direct, "--truth", eq_truth)
run("ingest", small_csv, "-o", ing, "-q")
jl, jl_ing = path("eq.jsonl.gz"), path("eq_jsonl.h5")
run("synth", *opts, "-o", jl)
run("ingest", jl, "-o", jl_ing, "-q")


def rows_by_name(f):
    m = f["matrix"]
    names = strs(f["skills/name"])
    ip, ix, ct = m["indptr"][:], m["indices"][:], m["counts"][:]
    return [tuple(sorted(zip(names[ix[ip[i]:ip[i + 1]]], ct[ip[i]:ip[i + 1]])))
            for i in range(len(ip) - 1)]


def compare_stores(a_path, b_path, tag, skip=()):
    with h5py.File(a_path, "r") as a, h5py.File(b_path, "r") as b:
        pa, pb = a["postings"], b["postings"]
        check(set(pa) == set(pb), f"{tag}: posting columns {set(pa) ^ set(pb)}")
        for col in sorted(pa):
            if col.endswith("_levels") or col in skip or col not in pb:
                continue
            if col + "_levels" in pa:
                same = np.array_equal(decoded(a, col), decoded(b, col))
            else:
                x, y = pa[col][:], pb[col][:]
                same = np.array_equal(x, y, equal_nan=x.dtype.kind == "f")
            check(same, f"{tag}: /postings/{col} differs")
        check(rows_by_name(a) == rows_by_name(b), f"{tag}: matrix (by skill name) differs")
        da = dict(zip(strs(a["skills/name"]), a["skills/doc_freq"][:]))
        db = dict(zip(strs(b["skills/name"]), b["skills/doc_freq"][:]))
        check(da == db, f"{tag}: doc_freq by name differs")


compare_stores(ing, direct, ".h5 vs ingest of CSV")
compare_stores(ing, jl_ing, "JSON Lines vs CSV", skip=("source_line",))
with h5py.File(direct, "r") as f:
    g = f["synth"]
    check(int(g.attrs["seed"]) == 5 and int(g.attrs["n"]) == 20000, "/synth seed, n")
    sha = g.attrs["calibration_sha256"]
    sha = sha.decode() if isinstance(sha, bytes) else sha
    check(sha == hashlib.sha256(open(sample, "rb").read()).hexdigest(), "/synth sha256")
    tp = {r["skill"]: float(r["premium"]) for r in csv.DictReader(open(eq_truth))
          if r["kind"] == "skill"}
    gp = dict(zip(strs(g["skills/name"]), g["skills/premium"][:]))
    check(tp == gp and len(gp) == 256, "/synth premiums = the truth file's")
    check(g["salary/mu"].shape == (R, 8), "/synth/salary/mu shape")
    fmt = strs(f["provenance/input_format"])
    check(list(fmt) == ["synth"], f"input_format {fmt}")

# ---- --text ------------------------------------------------------------------------------------
tcsv, t_txt, t_lst = path("text.csv"), path("text_txt.h5"), path("text_lst.h5")
run("synth", "--from", sample, "-n", "4000", "-o", tcsv, "--text", "-q")
run("ingest", tcsv, "-o", t_txt, "--text-col", "description", "--skills-col", "", "-q")
run("ingest", tcsv, "-o", t_lst, "--text-col", "", "-q")


def taxonomy_names():
    """Every alias and canonical name of the default taxonomy (lower case, blanks collapsed) ->
    its canonical name: what skm_taxonomy_find looks up (docs/extraction.md)."""
    names = {}
    for line in open(TAXONOMY, encoding="utf-8"):
        line = line.strip()
        if not line or line[0] in "#@":
            continue
        parts = [x.strip() for x in line.split("|")]
        if len(parts) < 3:
            continue
        canon = parts[0]
        for alias in [canon] + [x.strip() for x in parts[2].split(";")]:
            alias = alias[2:] if alias.startswith("?=") else alias.lstrip("?")
            key = " ".join(alias.lower().split())
            if key:
                names.setdefault(key, canon)
    return names


def skill_sets(store):
    with h5py.File(store, "r") as f:
        m = f["matrix"]
        names = strs(f["skills/name"])
        ip, ix = m["indptr"][:], m["indices"][:]
        return [set(names[ix[ip[i]:ip[i + 1]]]) for i in range(len(ip) - 1)]


tax = taxonomy_names()
txt = skill_sets(t_txt)
lst = skill_sets(t_lst)
tp = fn = fp = 0
for a, b in zip(lst, txt):
    a = {tax[s] for s in a if s in tax}          # listed skills the taxonomy knows, its names
    tp, fn, fp = tp + len(a & b), fn + len(a - b), fp + len(b - a)
recall, precision = tp / max(tp + fn, 1), tp / max(tp + fp, 1)
print(f"--text: recall {recall:.4f}, precision {precision:.4f} of the listed taxonomy skills")
check(recall >= 0.95 and precision >= 0.98, f"text recall {recall}, precision {precision}")

# ---- determinism, p = 2048 ---------------------------------------------------------------------
d1, d2, d3 = path("det1.csv.gz"), path("det2.csv.gz"), path("det3.csv.gz")
run("synth", "--from", sample, "-n", "20k", "-o", d1, "--seed", "9", "--text", "-q")
run("synth", "--from", sample, "-n", "20k", "-o", d2, "--seed", "9", "--text", "-q")
run("synth", "--from", sample, "-n", "20k", "-o", d3, "--seed", "10", "--text", "-q")
check(open(d1, "rb").read() == open(d2, "rb").read(), "same seed, same bytes")
check(open(d1, "rb").read() != open(d3, "rb").read(), "another seed, other bytes")
big = path("p2048.h5")
run("synth", "--from", sample, "-n", "50k", "-o", big, "--skills", "2048", "-q")
with h5py.File(big, "r") as f:
    g = f["synth"]
    check(int(g.attrs["n_skills"]) == 2048, "p = 2048 model")
    origin = strs(g["skills/origin"])
    check((origin == "store").sum() == len(A["share"]) and (origin == "taxonomy").sum() > 500,
          f"origins {dict(zip(*np.unique(origin, return_counts=True)))}")
    check(int(f["matrix"].attrs["n_cols"]) > 1500, f"p seen {int(f['matrix'].attrs['n_cols'])}")

# ---- errors -------------------------------------------------------------------------------------
x = path("x.csv")
r = run("synth", "-n", "10", "-o", x, expect=2)
check("--from" in r.stderr, f"missing --from: {r.stderr}")
r = run("synth", "--from", out_csv, "-n", "10", "-o", x, expect=1)
check("synth.csv" in r.stderr, f"non-store --from: {r.stderr}")
for bad in ("0", "-5", "1.5", "2G", "ten", "10x"):
    r = run("synth", "--from", sample, "-n", bad, "-o", x, expect=2)
    check("-n" in r.stderr, f"bad -n {bad}: {r.stderr}")
r = run("synth", "--from", sample, "-n", "10", "-o", path("x.txt"), expect=2)
r = run("synth", "--from", sample, "-n", "10", "-o", path("x.h5"), "--text", expect=2)
missing = os.path.join(WORK, "no_such_dir")
shutil.rmtree(missing, ignore_errors=True)
r = run("synth", "--from", sample, "-n", "10", "-o", os.path.join(missing, "x.csv"), expect=1)
check(not os.path.exists(missing), "missing directory not created")
check("no_such_dir" in r.stderr, f"missing directory message: {r.stderr}")
old = path("old.csv")
open(old, "w").write("old\n")
run("synth", "--from", out_csv, "-n", "10", "-o", old, expect=1)
check(open(old).read() == "old\n", "a failed run leaves the existing output")
left = [n for n in os.listdir(WORK) if ".tmp." in n or ".synth." in n]
check(not left, f"temporary files left: {left}")
check(not os.path.exists(x), "no output from failed runs")

print(f"synth_e2e: {'FAILED' if failures else 'ok'} in {time.time() - T0:.1f} s")
sys.exit(1 if failures else 0)
