#!/usr/bin/env python3
"""End-to-end check of `skillmat ingest` against an independent reading of the same file.

Usage: e2e_sample.py SKILLMAT_BIN INPUT.csv[.gz] WORKDIR

Ingests INPUT with the CLI, then re-reads INPUT with Python's csv module and ast.literal_eval
(nothing shared with skillmat's C parsers) and compares, posting by posting: the skill frequency
row, title / role / company / location / country, annualised salary, period, posted date,
remote flag and source line; then /skills/doc_freq and the matrix attributes.
Exit status 0 when everything agrees, 1 with a list of differences otherwise.
"""
import ast
import csv
import datetime as dt
import gzip
import io
import math
import os
import subprocess
import sys
from collections import Counter

import h5py
import numpy as np

HOURS_PER_YEAR = 2080.0
EPOCH_1899 = dt.datetime(1899, 12, 30, tzinfo=dt.timezone.utc)


def norm(s):
    return " ".join(s.split()).lower()


def open_text(path):
    raw = open(path, "rb").read()
    if raw[:2] == b"\x1f\x8b":
        raw = gzip.decompress(raw)
    return io.StringIO(raw.decode("utf-8-sig"), newline="")


def main():
    binary, src, work = sys.argv[1:4]
    out = os.path.join(work, "e2e_sample.h5")
    if os.path.exists(out):
        os.remove(out)
    r = subprocess.run([binary, "ingest", src, "-o", out], capture_output=True, text=True)
    if r.returncode != 0:
        print("ingest failed:", r.returncode, r.stderr)
        return 1
    errors = []

    def check(cond, msg):
        if not cond:
            errors.append(msg)
            if len(errors) > 30:
                print("\n".join(errors))
                sys.exit(1)

    rows = []
    reader = csv.reader(open_text(src))
    header = next(reader)
    prev = reader.line_num  # physical lines consumed so far; a record starts on the next one
    for fields in reader:
        rows.append((prev + 1, dict(zip(header, fields))))
        prev = reader.line_num

    with h5py.File(out, "r") as f:
        check(f.attrs["format"] in ("skillmat", b"skillmat"), "root format attribute")
        check(list(f.attrs["schema_version"])[0] == 1, "schema major")
        n = int(f["matrix"].attrs["n_rows"])
        p = int(f["matrix"].attrs["n_cols"])
        check(n == len(rows), f"n_rows {n} != {len(rows)} records")
        indptr = f["matrix/indptr"][:]
        indices = f["matrix/indices"][:]
        counts = f["matrix/counts"][:]
        names = [s.decode() if isinstance(s, bytes) else s for s in f["skills/name"][:]]
        check(len(names) == p, "skills/name length")
        check(int(f["matrix"].attrs["nnz"]) == len(indices), "nnz attribute")
        cols = {}
        for c in ("title", "role", "company", "location", "country"):
            lv = [s.decode() if isinstance(s, bytes) else s for s in f[f"postings/{c}_levels"][:]]
            cols[c] = [lv[k] if k >= 0 else "" for k in f[f"postings/{c}"][:]]
        annual = f["postings/salary_annual"][:]
        period = f["postings/salary_period"][:]
        posted = f["postings/posted_date"][:]
        remote = f["postings/remote"][:]
        srcline = f["postings/source_line"][:]
        doc_freq = f["skills/doc_freq"][:]
        roles = list(f["provenance/column_roles"].asstr()[:])
        used = dict(zip(roles, f["provenance/input_columns"].asstr()[0]))
        want_used = {"id": "", "title": "job_title", "role": "job_title_short",
                     "company": "company_name", "location": "job_location",
                     "country": "job_country", "date": "job_posted_date",
                     "salary": "salary_year_avg", "salary-min": "", "salary-max": "",
                     "hourly": "salary_hour_avg", "period": "salary_rate",
                     "remote": "job_work_from_home", "skills": "job_skills"}
        check(used == want_used, f"column mapping {used} != {want_used}")

    want_df = Counter()
    header_map = {"title": "job_title", "role": "job_title_short", "company": "company_name",
                  "location": "job_location", "country": "job_country"}
    for i, (ln, rec) in enumerate(rows):
        check(srcline[i] == ln, f"row {i}: source_line {srcline[i]} != {ln}")
        items = ast.literal_eval(rec["job_skills"]) if rec["job_skills"].strip() else []
        want = Counter(norm(s) for s in items if norm(s))
        got = Counter({names[indices[k]]: int(counts[k]) for k in range(indptr[i], indptr[i + 1])})
        check(got == want, f"row {i} (line {ln}): skills {dict(got)} != {dict(want)}")
        check(all(np.diff(indices[indptr[i]:indptr[i + 1]]) > 0), f"row {i}: indices not increasing")
        want_df.update(set(want))
        for c, h in header_map.items():
            check(cols[c][i] == rec[h].strip(), f"row {i}: {c} {cols[c][i]!r} != {rec[h]!r}")
        if rec["salary_rate"] == "year":
            exp, per = float(rec["salary_year_avg"]), 5
        else:
            exp, per = float(rec["salary_hour_avg"]) * HOURS_PER_YEAR, 1
        check(math.isclose(annual[i], exp, rel_tol=1e-12), f"row {i}: salary {annual[i]} != {exp}")
        check(period[i] == per, f"row {i}: period {period[i]} != {per}")
        t = EPOCH_1899 + dt.timedelta(days=float(rec["job_posted_date"]))
        secs = round((t - dt.datetime(1970, 1, 1, tzinfo=dt.timezone.utc)).total_seconds())
        check(abs(int(posted[i]) - secs) <= 1, f"row {i}: posted {posted[i]} != {secs}")
        check(remote[i] == int(rec["job_work_from_home"]), f"row {i}: remote")
    for j, name in enumerate(names):
        check(doc_freq[j] == want_df[name], f"doc_freq[{name}] {doc_freq[j]} != {want_df[name]}")
    check(len(names) == len(want_df), f"{len(names)} skills in the store, {len(want_df)} in the file")

    if errors:
        print("\n".join(errors))
        return 1
    print(f"ok: {n} postings, {p} skills, {len(indices)} non-zeros agree with an independent reading")
    return 0


if __name__ == "__main__":
    sys.exit(main())
