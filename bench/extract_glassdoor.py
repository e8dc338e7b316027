#!/usr/bin/python3
"""What skillmat's extractor finds in the 956 real Glassdoor descriptions (../shared/data), next to
the upstream author's keyword flags (python_yn, R_yn, spark, aws, excel) and parsed salaries in
the cleaned upstream file (742 rows: those with a salary). Not ground truth on either side: the
point is where and why they differ.

    /usr/bin/python3 bench/extract_glassdoor.py --skillmat build/skillmat [--data ../shared/data]
        [--examples 3]

Ingests the raw file into a temporary store (with --matches), joins the cleaned rows to it by
position among the rows whose salary is not -1 (checked: the descriptions are identical), and
prints per flag the 2x2 table (both, upstream only, skillmat only, neither) with a few
disagreements, each shown as the text around the mention (or the upstream keyword). The
description text is Glassdoor's: it is printed to the terminal only, never stored.
"""
import argparse
import gzip
import os
import subprocess
import sys
import tempfile

import h5py
import numpy as np
import pandas as pd

FLAGS = [  # upstream column, upstream rule (from the ds_salary_proj notebook), skillmat skill
    ("python_yn", "'python' in text.lower()", "Python"),
    ("R_yn", "'r studio' or 'r-studio' in text.lower()", "R"),
    ("spark", "'spark' in text.lower()", "Apache Spark"),
    ("aws", "'aws' in text.lower()", "Amazon Web Services"),
    ("excel", "'excel' in text.lower()", "Microsoft Excel"),
]


def snippet(text, off, length, width=40):
    a, b = max(0, off - width), min(len(text), off + length + width)
    return (text[a:off] + "[" + text[off:off + length] + "]" + text[off + length:b]).replace("\n", " ")


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--skillmat", required=True)
    here = os.path.dirname(os.path.abspath(__file__))
    ap.add_argument("--data", default=os.path.join(here, "..", "..", "shared", "data"))
    ap.add_argument("--examples", type=int, default=3)
    a = ap.parse_args()
    raw_path = os.path.join(a.data, "glassdoor_ds_2020.csv.gz")
    up_path = os.path.join(a.data, "glassdoor_ds_2020_cleaned_upstream.csv.gz")
    raw = pd.read_csv(raw_path, keep_default_na=False)
    up = pd.read_csv(up_path)
    with tempfile.TemporaryDirectory() as tmp:
        store = os.path.join(tmp, "g.h5")
        subprocess.run([a.skillmat, "ingest", raw_path, "-o", store, "--matches", "-q"],
                       check=True, stdout=subprocess.DEVNULL)
        with h5py.File(store, "r") as f:
            names = [s.decode() for s in f["skills/name"][:]]
            indptr, indices = f["matrix/indptr"][:], f["matrix/indices"][:]
            m_post, m_skill = f["matches/posting"][:], f["matches/skill"][:]
            m_off, m_len = f["matches/offset"][:], f["matches/length"][:]
            smin, smax = f["postings/salary_min"][:], f["postings/salary_max"][:]
            period = f["postings/salary_period"][:]
            n = len(indptr) - 1
    assert n == len(raw), (n, len(raw))
    col = {s: j for j, s in enumerate(names)}
    rows = np.flatnonzero(raw["Salary Estimate"].values != "-1")
    assert len(rows) == len(up)
    same = sum(raw["Job Description"].values[r] == up["Job Description"].values[i]
               for i, r in enumerate(rows))
    print(f"Glassdoor 2020: {n} postings ingested, {len(names)} distinct skills, "
          f"{len(m_post)} mentions; {len(up)} upstream rows joined by position "
          f"({same} with identical descriptions)")
    has = np.zeros((n, len(names)), bool)
    for i in range(n):
        has[i, indices[indptr[i]:indptr[i + 1]]] = True
    counts = has.sum(0)
    top = np.argsort(-counts)[:15]
    print("top skills over all 956: " + ", ".join(f"{names[j]} {counts[j]}" for j in top))
    print(f"\n{'flag':<10} {'skill':<22} {'both':>5} {'up only':>8} {'sm only':>8} {'neither':>8}"
          f"  agreement")
    for flag, rule, skill in FLAGS:
        j = col.get(skill)
        s = has[rows, j] if j is not None else np.zeros(len(rows), bool)
        u = up[flag].values.astype(bool)
        both, uo, so, ne = (s & u).sum(), (u & ~s).sum(), (s & ~u).sum(), (~s & ~u).sum()
        print(f"{flag:<10} {skill:<22} {both:5d} {uo:8d} {so:8d} {ne:8d}  {(both + ne) / len(u):.3f}"
              f"   (upstream rule: {rule})")
        texts = raw["Job Description"].values
        shown = 0
        for i in np.flatnonzero(u & ~s):
            if shown >= a.examples:
                break
            t = texts[rows[i]]
            key = skill.split()[-1].lower() if flag != "R_yn" else "r studio"
            key = {"python_yn": "python", "spark": "spark", "aws": "aws", "excel": "excel"}.get(flag, key)
            k = t.lower().find(key)
            print(f"    upstream only: ...{snippet(t, k, len(key)) if k >= 0 else '(keyword not found)'}...")
            shown += 1
        shown = 0
        for i in np.flatnonzero(s & ~u):
            if shown >= a.examples:
                break
            r = rows[i]
            sel = np.flatnonzero((m_post == r) & (m_skill == j))
            if len(sel):
                t = texts[r].encode()
                o, l = int(m_off[sel[0]]), int(m_len[sel[0]])
                ctx = (t[max(0, o - 40):o] + b"[" + t[o:o + l] + b"]" + t[o + l:o + l + 40]).decode(
                    "utf-8", "replace").replace("\n", " ")
                print(f"    skillmat only: ...{ctx}...")
            shown += 1
    # salaries
    lo = smin[rows] / np.where(period[rows] == 5, 1000.0, 1.0)
    hi = smax[rows] / np.where(period[rows] == 5, 1000.0, 1.0)
    ok = np.isclose(lo, up["min_salary"].values) & np.isclose(hi, up["max_salary"].values)
    hourly = up["hourly"].values == 1
    print(f"\nsalary: {ok.sum()} of {len(rows)} rows give the upstream min and max "
          f"(annual rows in thousands; hourly rows compared as hourly: "
          f"{(ok & hourly).sum()} of {hourly.sum()})")
    bad = np.flatnonzero(~ok)[:a.examples]
    for i in bad:
        print(f"    {raw['Salary Estimate'].values[rows[i]]!r}: skillmat {lo[i]:g}-{hi[i]:g} "
              f"(period {period[rows[i]]}), upstream {up['min_salary'].values[i]}-"
              f"{up['max_salary'].values[i]}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
