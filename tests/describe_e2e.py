#!/usr/bin/python3
"""End-to-end check of `skillmat describe` against an independent computation (pandas, numpy).

Usage: describe_e2e.py SKILLMAT_BIN SAMPLE_CSV_GZ WORK_DIR

The sample is ingested to a store; for every configuration the description is rebuilt here from
the store alone (h5py), following the contract (docs/hdf5-schema.md, /describe), and compared
with /describe of the results file:
  * overall and every by_<g>: levels (most postings first, ties: level order in the store, at
    most --max-levels named, the rest pooled as "(other)", then "(missing)"), count and
    salary_count exactly, share (rel EXACT_TOL), salary_mean and the p10 / p25 / median / p75 /
    p90 quantiles of the finite salaries > 0 (pandas groupby mean and quantile, linear
    interpolation) to rel QUANT_TOL;
  * by_remote from /postings/remote (yes, no, (missing)); by_state by the state rule (the
    two-letter US state / DC / territory / Canadian province code after the last comma of the
    location, re-implemented here with a regular expression), codes in first-seen order over
    /postings/location_levels;
  * top_skills: name, count (postings listing the skill, from /matrix), share; ties: store
    order; top_skills_by_role_family and _by_role: each level's top skills by share within the
    level, "" / NaN past the end, the level counts;
  * monthly: every month from the first to the last posted_date (UTC), count, the overall top
    min(10, top) skills and their share of each month's postings (NaN for an empty month);
  * attributes n_postings, salary_known, top, max_levels, by, skipped; every group and dataset
    has a description.
Configurations:
  a   the sample store with the defaults (and the summary on stdout)
  b   a perturbed copy: NaN / zero / negative salaries, missing role, role_family, seniority,
      country, location, remote and posted_date values; --max-levels 5 --top 7 --by
      role,seniority,remote,state,company,country,work_mode,salary_currency (pooling, (missing),
      an empty month in the middle)
  c   a copy without the schema 1.4 columns (seniority, role_family, work_mode, salary_currency):
      those groupings skipped and listed in `skipped`, no top_skills_by_role_family, everything
      else identical to a
  d   --by '' --top 3: no by_ groups; an existing results file keeps its /cooccurrence group
  errors: an unknown --by column, a store that is not a store, -o naming the store (also
      through a hard link): exit 1, the message names the option / the file, no output and no
      temporary file left behind.
Exit status 1 on any failure, with the reason.
"""
import math
import os
import re
import shutil
import subprocess
import sys

import h5py
import numpy as np
import pandas as pd

from e2e_common import attr, perturb_store, strs

if len(sys.argv) != 4:
    print(__doc__)
    sys.exit(2)
BIN, SAMPLE, WORK = sys.argv[1:]
os.makedirs(WORK, exist_ok=True)

QUANT_TOL = 1e-9      # means and quantiles
EXACT_TOL = 1e-12     # shares
FAILS = []
WORST = {}            # quantity -> largest relative difference seen
STATS = ["salary_mean", "salary_p10", "salary_p25", "salary_median", "salary_p75", "salary_p90"]
QS = {"salary_p10": 0.10, "salary_p25": 0.25, "salary_median": 0.5, "salary_p75": 0.75,
      "salary_p90": 0.90}
STATES = set("AL AK AZ AR CA CO CT DE FL GA HI ID IL IN IA KS KY LA ME MD MA MI MN MS MO MT NE NV "
             "NH NJ NM NY NC ND OH OK OR PA RI SC SD TN TX UT VT VA WA WV WI WY DC PR GU VI AS MP "
             "AB BC MB NB NL NS NT NU ON PE QC SK YT".split())
DEFAULT_BY = "role,role_family,seniority,work_mode,remote,country,state"


def fail(msg):
    FAILS.append(msg)
    print("FAIL:", msg)


def run(args, want=0):
    r = subprocess.run([BIN] + args, capture_output=True, text=True)
    if r.returncode != want:
        fail(f"{' '.join(args)}: exit {r.returncode}, want {want}\n{r.stderr[-1500:]}")
    return r


def rel(a, b):
    a, b = float(a), float(b)
    if a == b or (math.isnan(a) and math.isnan(b)):
        return 0.0
    if math.isnan(a) or math.isnan(b):
        return math.inf
    return abs(a - b) / max(abs(a), abs(b), 1e-300)


def check_vec(tag, what, got, want, tol, kind):
    got, want = np.asarray(got, dtype=np.float64), np.asarray(want, dtype=np.float64)
    if got.shape != want.shape:
        fail(f"{tag}: {what}: shape {got.shape}, want {want.shape}")
        return
    d = max((rel(x, y) for x, y in zip(got.ravel(), want.ravel())), default=0.0)
    WORST[kind] = max(WORST.get(kind, 0.0), d)
    if not d <= tol:
        i = int(np.argmax([rel(x, y) for x, y in zip(got.ravel(), want.ravel())]))
        fail(f"{tag}: {what}[{i}]: skillmat {got.ravel()[i]!r}, expected {want.ravel()[i]!r} "
             f"(relative difference {d:.3g} > {tol:g})")


def check_eq(tag, what, got, want):
    got, want = list(got), list(want)
    if got != want:
        i = next((i for i, (x, y) in enumerate(zip(got, want)) if x != y), min(len(got), len(want)))
        fail(f"{tag}: {what}: differs at {i}: skillmat {got[i:i + 3]!r} (len {len(got)}), "
             f"expected {want[i:i + 3]!r} (len {len(want)})")


# ---- the independent description --------------------------------------------------------------
def state_of(loc):
    """The state rule: the two upper-case letters right after the last comma (spaces skipped),
    then the end or a space, when they are a US state / DC / territory / Canadian province."""
    if "," not in loc:
        return None
    parts = loc.split(",")
    if parts[-1].strip() in ("Canada", "USA", "US", "United States") and len(parts) > 2:
        parts = parts[:-1]
    m = re.match(r" *([A-Z]{2})(?: |$)", parts[-1])
    return m.group(1) if m and m.group(1) in STATES else None


def load(path):
    with h5py.File(path, "r") as f:
        p = f["postings"]
        S = {"salary": p["salary_annual"][:], "date": p["posted_date"][:],
             "indptr": f["matrix/indptr"][:], "indices": f["matrix/indices"][:],
             "names": strs(f["skills/name"])}
        for c in p:
            if c + "_levels" in p:
                S[c] = (p[c][:].astype(np.int64), strs(p[c + "_levels"]))
        S["remote"] = p["remote"][:].astype(np.int64)
    S["n"] = len(S["salary"])
    return S


def grouping(S, g):
    """Per-posting level names (None: missing) and the level order of the store."""
    if g == "remote":
        v = S["remote"]
        return np.where(v == 1, "yes", np.where(v == 0, "no", None)).astype(object), ["yes", "no"]
    if g == "state":
        codes, locs = S["location"]
        st = [state_of(x) for x in locs]
        order = list(dict.fromkeys(x for x in st if x))
        lab = np.array([st[c] if c >= 0 else None for c in codes], dtype=object)
        return lab, order
    codes, lev = S[g]
    lab = np.array([lev[c] if c >= 0 else None for c in codes], dtype=object)
    return lab, lev


def expected_by(S, g, max_levels):
    lab, order = grouping(S, g)
    df = pd.DataFrame({"lab": lab, "sal": S["salary"]})
    vc = df["lab"].value_counts()                       # None (missing) left out
    pos = {v: i for i, v in enumerate(order)}
    levels = sorted(vc.index, key=lambda v: (-vc[v], pos[v]))
    named = levels[:max_levels]
    out = list(named)
    if len(levels) > len(named):
        out.append("(other)")
    missing = int(pd.isna(df["lab"]).sum())
    if missing:
        out.append("(missing)")
    nset = set(named)
    df["out"] = [("(missing)" if v is None else v if v in nset else "(other)") for v in lab]
    count = df["out"].value_counts()
    known = df[np.isfinite(df["sal"]) & (df["sal"] > 0)]
    gb = known.groupby("out")["sal"]
    E = {"levels": out, "count": [int(count.get(v, 0)) for v in out],
         "salary_count": [int(gb.size().get(v, 0)) for v in out],
         "pooled": len(levels) - len(named)}
    E["share"] = [c / S["n"] for c in E["count"]]
    mean = gb.mean()
    E["salary_mean"] = [mean.get(v, np.nan) for v in out]
    for k, q in QS.items():
        qq = gb.quantile(q)
        E[k] = [qq.get(v, np.nan) for v in out]
    return E


def presence_rows(S, rows):
    """Postings listing each skill among the rows (a boolean mask)."""
    ip, idx = S["indptr"], S["indices"]
    lens = np.diff(ip)
    keep = np.repeat(rows, lens)
    return np.bincount(idx[keep], minlength=len(S["names"]))


def top_of(cnt, T):
    order = sorted((j for j in range(len(cnt)) if cnt[j] > 0), key=lambda j: (-cnt[j], j))
    return order[:T]


def check_config(tag, store, res, by, max_levels, top, skipped):
    S = load(store)
    n = S["n"]
    with h5py.File(res, "r") as f:
        if "describe" not in f:
            fail(f"{tag}: no /describe in {res}")
            return
        D = f["describe"]

        def visit(name, o):
            if not str(attr(o, "description") if "description" in o.attrs else ""):
                fail(f"{tag}: /describe/{name} has no description")
        D.visititems(visit)
        for k, want in [("n_postings", n), ("top", top), ("max_levels", max_levels),
                        ("skipped", ",".join(skipped)),
                        ("by", ",".join(g for g in by if g not in skipped))]:
            if attr(D, k) != want:
                fail(f"{tag}: attribute {k} = {attr(D, k)!r}, want {want!r}")
        sal = S["salary"]
        known = sal[np.isfinite(sal) & (sal > 0)]
        if attr(D, "salary_known") != len(known):
            fail(f"{tag}: salary_known {attr(D, 'salary_known')}, want {len(known)}")
        # overall
        O = D["overall"]
        check_eq(tag, "overall/count", O["count"][:], [n])
        check_eq(tag, "overall/salary_count", O["salary_count"][:], [len(known)])
        check_vec(tag, "overall/salary_mean", O["salary_mean"][:], [known.mean()], QUANT_TOL,
                  "mean")
        for k, q in QS.items():
            check_vec(tag, f"overall/{k}", O[k][:], [np.quantile(known, q)], QUANT_TOL,
                      "quantile")
        # groupings
        groups = sorted(k[3:] for k in D if k.startswith("by_"))
        want_groups = sorted(g for g in by if g not in skipped)
        check_eq(tag, "groupings", groups, want_groups)
        for g in want_groups:
            if "by_" + g not in D:
                continue
            G, E = D["by_" + g], expected_by(S, g, max_levels)
            check_eq(tag, f"by_{g}/levels", strs(G["levels"]), E["levels"])
            if strs(G["levels"]) != E["levels"]:
                continue
            check_eq(tag, f"by_{g}/count", G["count"][:], E["count"])
            check_eq(tag, f"by_{g}/salary_count", G["salary_count"][:], E["salary_count"])
            check_vec(tag, f"by_{g}/share", G["share"][:], E["share"], EXACT_TOL, "share")
            check_vec(tag, f"by_{g}/salary_mean", G["salary_mean"][:], E["salary_mean"],
                      QUANT_TOL, "mean")
            for k in QS:
                check_vec(tag, f"by_{g}/{k}", G[k][:], E[k], QUANT_TOL, "quantile")
            if attr(G, "levels_pooled") != E["pooled"]:
                fail(f"{tag}: by_{g} levels_pooled {attr(G, 'levels_pooled')}, want {E['pooled']}")
            if g == "state" and "US state" not in attr(G, "rule"):
                fail(f"{tag}: by_state has no rule attribute")
        # top skills
        cnt = presence_rows(S, np.ones(n, dtype=bool))
        top_idx = top_of(cnt, top)
        TS = D["top_skills"]
        check_eq(tag, "top_skills/name", strs(TS["name"]), [S["names"][j] for j in top_idx])
        check_eq(tag, "top_skills/count", TS["count"][:], [cnt[j] for j in top_idx])
        check_vec(tag, "top_skills/share", TS["share"][:], [cnt[j] / n for j in top_idx],
                  EXACT_TOL, "share")
        for g in ("role_family", "role"):
            name = "top_skills_by_" + g
            if g not in S:
                if name in D:
                    fail(f"{tag}: {name} written for a store without /postings/{g}")
                continue
            if name not in D:
                fail(f"{tag}: no {name}")
                continue
            G = D[name]
            lab, _ = grouping(S, g)
            E = expected_by(S, g, max_levels)
            lev = [v for v in E["levels"] if v not in ("(other)", "(missing)")]
            check_eq(tag, f"{name}/levels", strs(G["levels"]), lev)
            check_eq(tag, f"{name}/count", G["count"][:], E["count"][:len(lev)])
            want_names, want_share = [], []
            for v in lev:
                rows = lab == v
                c = presence_rows(S, rows)
                t = top_of(c, top)
                want_names += [S["names"][j] for j in t] + [""] * (top - len(t))
                want_share += [c[j] / rows.sum() for j in t] + [np.nan] * (top - len(t))
            check_eq(tag, f"{name}/name", strs(G["name"]), want_names)
            check_vec(tag, f"{name}/share", G["share"][:].ravel(), want_share, EXACT_TOL, "share")
        # months
        d = S["date"]
        dated = d != np.iinfo(np.int64).min
        if not dated.any():
            if "monthly" in D:
                fail(f"{tag}: monthly written without dates")
        else:
            mon = pd.Series(d[dated].astype("datetime64[s]")).dt.to_period("M")
            months = pd.period_range(mon.min(), mon.max(), freq="M")
            M = D["monthly"]
            check_eq(tag, "monthly/month", strs(M["month"]), [str(m) for m in months])
            vc = mon.value_counts()
            mcount = np.array([int(vc.get(m, 0)) for m in months])
            check_eq(tag, "monthly/count", M["count"][:], mcount)
            S10 = top_idx[:min(10, top)]
            check_eq(tag, "monthly/skills", strs(M["skills"]), [S["names"][j] for j in S10])
            allmon = np.full(n, None, dtype=object)
            allmon[dated] = mon.values
            want = np.full((len(months), len(S10)), np.nan)
            for i, m in enumerate(months):
                rows = allmon == m
                if rows.sum():
                    c = presence_rows(S, rows)
                    want[i] = [c[j] / rows.sum() for j in S10]
            check_vec(tag, "monthly/skill_share", M["skill_share"][:], want, EXACT_TOL, "share")
            if tag == "b" and not (mcount == 0).any():
                fail("b: the perturbed store should have an empty month")


def no_tmp(tag, d):
    left = [x for x in os.listdir(d) if ".tmp." in x]
    if left:
        fail(f"{tag}: temporary files left behind: {left}")


# ---- a: the sample --------------------------------------------------------------------------------
store = os.path.join(WORK, "market.h5")
for x in os.listdir(WORK):
    os.unlink(os.path.join(WORK, x))
run(["ingest", SAMPLE, "-o", store])
res_a = os.path.join(WORK, "a.h5")
r = run(["describe", store, "-o", res_a])
print(r.stdout)
for want in ("Market: 32,672 postings", "By seniority", "By role family", "Top skills",
             "Months: 2023-01 to 2023-12"):
    if want not in r.stdout:
        fail(f"a: the summary lacks {want!r}")
check_config("a", store, res_a, DEFAULT_BY.split(","), 50, 20, [])

# ---- b: perturbed ---------------------------------------------------------------------------------
store_b = os.path.join(WORK, "perturbed.h5")
perturb_store(store, store_b, [("role", 500), ("role_family", 400), ("seniority", 300),
                               ("country", 700), ("location", 900), ("remote", 250)])
with h5py.File(store_b, "r+") as f:
    d = f["postings/posted_date"][:]
    rs = np.random.default_rng(5)
    d[rs.choice(len(d), 800, replace=False)] = np.iinfo(np.int64).min
    mon = d.astype("datetime64[s]").astype("datetime64[M]")
    d[mon == np.datetime64("2023-06")] = np.iinfo(np.int64).min     # an empty month
    f["postings/posted_date"][...] = d
by_b = "role,seniority,remote,state,company,country,work_mode,salary_currency"
res_b = os.path.join(WORK, "b.h5")
run(["describe", store_b, "-o", res_b, "--max-levels", "5", "--top", "7", "--by", by_b, "-q"])
check_config("b", store_b, res_b, by_b.split(","), 5, 7, [])

# ---- c: a store without the 1.4 columns -----------------------------------------------------------
store_c = os.path.join(WORK, "old.h5")
shutil.copy(store, store_c)
with h5py.File(store_c, "r+") as f:
    for c in ("seniority", "role_family", "work_mode", "salary_currency"):
        del f["postings/" + c], f["postings/" + c + "_levels"]
res_c = os.path.join(WORK, "c.h5")
run(["describe", store_c, "-o", res_c, "-q"])
check_config("c", store_c, res_c, DEFAULT_BY.split(","), 50, 20,
             ["role_family", "seniority", "work_mode"])
with h5py.File(res_a, "r") as fa, h5py.File(res_c, "r") as fc:
    for k in ("by_role", "by_state", "by_country", "by_remote", "top_skills", "monthly",
              "top_skills_by_role"):
        for ds in fa["describe"][k]:
            a_, c_ = fa["describe"][k][ds][()], fc["describe"][k][ds][()]
            if a_.dtype.kind == "f":
                same = np.array_equal(a_, c_, equal_nan=True)
            else:
                same = np.array_equal(a_, c_)
            if not same:
                fail(f"c: /describe/{k}/{ds} differs from a's")

# ---- d: --by '' into a results file holding /cooccurrence ----------------------------------------
res_d = os.path.join(WORK, "d.h5")
run(["cooccur", store, "-o", res_d, "--min-support", "200"])
with h5py.File(res_d, "r") as f:
    n_pairs = attr(f["cooccurrence"], "n_pairs")
run(["describe", store, "-o", res_d, "--by", "", "--top", "3", "-q"])
with h5py.File(res_d, "r") as f:
    if "cooccurrence" not in f or attr(f["cooccurrence"], "n_pairs") != n_pairs:
        fail("d: /cooccurrence was not kept")
check_config("d", store, res_d, [], 50, 3, [])
run(["describe", store, "-o", res_d, "--top", "3", "-q"])   # replaced, not duplicated
check_config("d2", store, res_d, DEFAULT_BY.split(","), 50, 3, [])

# ---- errors ---------------------------------------------------------------------------------------
res_e = os.path.join(WORK, "e.h5")
r = run(["describe", store, "-o", res_e, "--by", "role,nosuch"], want=1)
if "--by" not in r.stderr or "nosuch" not in r.stderr:
    fail(f"unknown --by: the message does not name the option and column: {r.stderr!r}")
r = run(["describe", store, "-o", res_e, "--by", "role,role"], want=1)
if "twice" not in r.stderr:
    fail(f"--by role,role: {r.stderr!r}")
r = run(["describe", res_a, "-o", res_e], want=1)
if "not a skillmat store" not in r.stderr or res_a not in r.stderr:
    fail(f"a results file as the store: {r.stderr!r}")
r = run(["describe", SAMPLE, "-o", res_e], want=1)
if "not an HDF5 file" not in r.stderr or SAMPLE not in r.stderr:
    fail(f"a CSV as the store: {r.stderr!r}")
if os.path.exists(res_e):
    fail("errors: an output was left behind")
before = os.stat(store).st_mtime_ns, os.path.getsize(store)
r = run(["describe", store, "-o", store], want=1)
if "is the store" not in r.stderr:
    fail(f"-o the store: {r.stderr!r}")
link = os.path.join(WORK, "link.h5")
os.link(store, link)
r = run(["describe", store, "-o", link], want=1)
if "is the store" not in r.stderr:
    fail(f"-o a hard link of the store: {r.stderr!r}")
os.unlink(link)
if (os.stat(store).st_mtime_ns, os.path.getsize(store)) != before:
    fail("-o the store: the store changed")
r = run(["describe", store, "-o", res_e, "--top", "0"], want=2)
no_tmp("errors", WORK)

print("largest relative differences:", {k: f"{v:.2g}" for k, v in WORST.items()})
if FAILS:
    print(f"{len(FAILS)} failure(s)")
    sys.exit(1)
print("describe_e2e: all checks passed")
