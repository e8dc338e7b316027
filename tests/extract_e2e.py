#!/usr/bin/python3
"""extract_e2e.py — skillmat ingest on description text, end to end (docs/extraction.md).

    extract_e2e.py SKILLMAT FIXTURES_DIR WORK_DIR

1. The labelled fixture (tests/fixtures/extract/postings.jsonl) ingested with 1 and with 3 threads:
   every dataset outside /provenance identical.
2. /matches is an audit trail that holds: each mention's bytes in the description are the text
   of an alias of its skill (compared without case and blanks, as the matcher does), every
   matrix count equals the number of mentions (no list column here), and the matrix agrees with
   the fixture's labels as the C quality test measures (precision >= 0.95, recall >= 0.90).
3. Salary from the salary field and the description, currency, flags; seniority, role family
   and work mode levels are the fixed tables; taxonomy provenance.
4. Bad input: a taxonomy with errors (FILE:LINE, no output), a 100 MB description (skipped as too
   long with the default limit, read with a raised one), invalid UTF-8 and binary junk, a text
   column that does not exist.
"""
import json
import os
import subprocess
import sys

import h5py
import numpy as np

from e2e_common import attr, strs

fails = 0


def check(cond, what):
    global fails
    if not cond:
        fails += 1
        print("FAIL:", what)


def run(args, rc=0):
    p = subprocess.run(args, capture_output=True, text=True, errors="replace")
    check(p.returncode == rc, f"exit {p.returncode} (want {rc}): {' '.join(args[:4])} ...\n"
                              f"{p.stderr[-2000:]}")
    return p


def same(x, y):
    """Equal arrays, NaN equal to NaN (missing salaries)."""
    if y is None or np.shape(x) != np.shape(y):
        return False
    x, y = np.asarray(x), np.asarray(y)
    return bool(np.array_equal(x, y, equal_nan=x.dtype.kind == "f"))


def datasets(path):
    out = {}
    with h5py.File(path, "r") as f:
        f.visititems(lambda n, o: out.__setitem__(n, o[()]) if isinstance(o, h5py.Dataset)
                     and not n.startswith("provenance") else None)
    return out


def main():
    sm, fx, work = sys.argv[1], sys.argv[2], sys.argv[3]
    os.makedirs(work, exist_ok=True)
    src = os.path.join(fx, "extract", "postings.jsonl")
    common = [sm, "ingest", src, "--text-col", "description", "--matches", "-q"]
    a, b = os.path.join(work, "t1.h5"), os.path.join(work, "t3.h5")
    run(common + ["-o", a, "--threads", "1"])
    run(common + ["-o", b, "--threads", "3"])
    da, db = datasets(a), datasets(b)
    check(da.keys() == db.keys(), "the same datasets for 1 and 3 threads")
    for k in da:
        check(same(da[k], db.get(k)), f"{k} identical for 1 and 3 threads")

    posts = [json.loads(l) for l in open(src, encoding="utf-8")]
    with h5py.File(a, "r") as f:
        names = strs(f["skills/name"])
        cats = strs(f["skills/category"])
        check(all(cats), "every extracted skill has a taxonomy category")
        indptr, ind, cnt = f["matrix/indptr"][:], f["matrix/indices"][:], f["matrix/counts"][:]
        m = {k: f["matches/" + k][:] for k in ("posting", "skill", "field", "offset", "length")}
        check(strs(f["matches/field_names"]) == ["description"], "field names")
        check(len(m["posting"]) > 500, f"{len(m['posting'])} mentions")
        check(np.all(np.diff(m["posting"]) >= 0), "mentions in posting order")
        # counts = mentions per (posting, skill)
        pairs = {}
        for p, s in zip(m["posting"], m["skill"]):
            pairs[(p, s)] = pairs.get((p, s), 0) + 1
        mat = {(i, ind[k]): cnt[k] for i in range(len(indptr) - 1)
               for k in range(indptr[i], indptr[i + 1])}
        check(mat == pairs, "matrix counts equal the mentions in /matches")
        # each mention's text is a letter-bearing span inside the description
        bad = 0
        for p, off, ln in zip(m["posting"], m["offset"], m["length"]):
            t = posts[p]["description"].encode()
            span = t[off:off + ln]
            bad += not (0 < ln and off + ln <= len(t) and any(c.isalnum() for c in span.decode(
                "utf-8", "replace")))
        check(bad == 0, f"{bad} mentions whose offsets do not point at text")
        # quality against the labels (the same measure as test_extract, here on the store)
        found = correct = labelled = 0
        lower = {n.lower(): j for j, n in enumerate(names)}
        for i, p in enumerate(posts):
            got = set(ind[indptr[i]:indptr[i + 1]])
            want = {lower[n.lower()] for n in p["expected_skills"] if n.lower() in lower}
            labelled += len(p["expected_skills"])
            found += len(got)
            correct += len(got & want)
        prec, rec = correct / found, correct / labelled
        print(f"store vs labels: precision {prec:.3f}, recall {rec:.3f}")
        check(prec >= 0.95 and rec >= 0.90, "precision >= 0.95 and recall >= 0.90")
        # salary, currency, flags
        sp = f["postings"]
        smin, smax, per = sp["salary_min"][:], sp["salary_max"][:], sp["salary_period"][:]
        cur = strs(sp["salary_currency_levels"])
        curc = sp["salary_currency"][:]
        check(smin[0] == 102100 and smax[0] == 202200 and per[0] == 5, "fx-001 salary")
        check(cur[curc[0]] == "USD", "fx-001 currency")
        right = 0
        pn = {"hour": 1, "day": 2, "week": 3, "month": 4, "year": 5}
        for i, p in enumerate(posts):
            e = p["expected_salary"]
            if not e:
                continue
            lo = e["min"] if e["min"] is not None else e["max"]
            hi = e["max"] if e["max"] is not None else e["min"]
            right += bool(np.isclose(smin[i], lo) and np.isclose(smax[i], hi) and per[i] == pn[e["period"]])
        nsal = sum(1 for p in posts if p["expected_salary"])
        print(f"salaries: {right} of {nsal} as labelled")
        check(right >= 0.9 * nsal, "salary agreement >= 90 %")
        check(strs(sp["seniority_levels"]) == ["intern", "junior", "mid", "senior",
                                               "staff/principal", "lead/manager", "director+"],
              "seniority levels")
        check(strs(sp["work_mode_levels"]) == ["onsite", "hybrid", "remote"], "work mode levels")
        check(len(strs(sp["role_family_levels"])) == 10, "role family levels")
        sen = sp["seniority"][:]
        lev = strs(sp["seniority_levels"])
        agree = sum(lev[sen[i]] == p["expected_seniority"] for i, p in enumerate(posts) if sen[i] >= 0)
        check(agree >= 0.9 * len(posts), f"seniority agreement {agree}/{len(posts)}")
        pv = f["provenance"]
        check(attr(pv, "taxonomy_name") == "skillmat-default", "taxonomy name recorded")
        check(len(attr(pv, "taxonomy_sha256")) == 64, "taxonomy hash recorded")
        check(int(pv["salary_flag_count"][:].sum()) == len(posts), "salary flag counts cover all")

    # 4. bad input
    badtax = os.path.join(work, "bad.tax")
    with open(badtax, "w") as t:
        t.write("@taxonomy x\n@version 1\n@category a A\nPython | a | python\nPy | a | python\n")
    out = os.path.join(work, "never.h5")
    p = run(common + ["-o", out, "--taxonomy", badtax], rc=1)
    check("bad.tax:5: duplicate alias 'python'" in p.stderr, "bad taxonomy names file:line")
    check(not os.path.exists(out), "no output after a bad taxonomy")
    p = run([sm, "ingest", src, "--text-col", "nope", "-o", out], rc=1)
    check("text column 'nope'" in p.stderr, "missing text column named")

    big = os.path.join(work, "big.jsonl")
    with open(big, "w") as g:
        g.write(json.dumps({"title": "Data Engineer", "description": "Python and SQL"}) + "\n")
        g.write('{"title": "Huge", "description": "')
        chunk = "We use Python, Kafka &amp; k8s. <b>Excel</b> at nothing. " * 1000
        for _ in range(100 * 1024 * 1024 // len(chunk) + 1):
            g.write(chunk)
        g.write('"}\n')
        g.write(json.dumps({"title": "Junk", "description": "\u0001\u0002 C++ \u00ff\ufffd\u202e go"}) + "\n")
    with open(big, "ab") as g:
        g.write(b'{"title": "Bad", "description": "Python \xff\xfe"}\n')
    o1 = os.path.join(work, "big1.h5")
    p = run([sm, "ingest", big, "-o", o1])
    check("big.jsonl:2:" in p.stderr and "record_too_long" in p.stdout, "100 MB record skipped")
    check("big.jsonl:4:" in p.stderr and "invalid_utf8" in p.stdout, "invalid UTF-8 skipped")
    with h5py.File(o1, "r") as f:
        check(f["matrix"].attrs["n_rows"] == 2, "the other records kept")
    o2 = os.path.join(work, "big2.h5")
    run([sm, "ingest", big, "-o", o2, "--max-record-bytes", "200M", "-q"])
    with h5py.File(o2, "r") as f:
        names = strs(f["skills/name"])
        n = f["matrix"].attrs["n_rows"]
        ip, ind, cnt = f["matrix/indptr"][:], f["matrix/indices"][:], f["matrix/counts"][:]
        row = {names[ind[k]]: cnt[k] for k in range(ip[1], ip[2])}
        check(n == 3, "the 100 MB description read with a raised limit")
        reps = 100 * 1024 * 1024 // len(chunk) + 1
        check(row.get("Python") == reps * 1000 and row.get("Apache Kafka") == reps * 1000,
              f"every mention in the 100 MB text counted ({row})")
        check("Microsoft Excel" not in row, "'Excel at' is the verb")
    print("extract_e2e:", "OK" if not fails else f"{fails} failure(s)")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
