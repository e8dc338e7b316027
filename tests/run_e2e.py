#!/usr/bin/python3
"""run_e2e.py — skillmat run, report (docs/run-files.md).

    run_e2e.py SKILLMAT SAMPLE_CSV_GZ WORK_DIR

1. A run file with ingest and all four analyses: exit 0, one results file holding every group
   and /provenance (the run file's text, five steps ok, their command lines, the inputs'
   SHA-256 from the store); `skillmat report` prints every section.
2. One analysis failing (an unknown --controls column): the run goes on, exits 1, says which
   step failed and why, keeps the other groups, and records the failure in /provenance.
3. Bad run files: each stops before anything runs, with FILE:LINE and the reason, and writes
   nothing.
"""
import hashlib
import os
import subprocess
import sys

import h5py

from e2e_common import attr, strs

fails = 0


def check(cond, what):
    global fails
    if not cond:
        fails += 1
        print("FAIL:", what)


def run(args, rc):
    p = subprocess.run(args, capture_output=True, text=True)
    check(p.returncode == rc, f"exit {p.returncode} (want {rc}): {' '.join(args)}\n{p.stderr[-3000:]}")
    return p


def main():
    sm, sample, work = sys.argv[1], os.path.abspath(sys.argv[2]), sys.argv[3]
    os.makedirs(work, exist_ok=True)
    os.chdir(work)
    for f in ("r.h5", "m.h5", "r2.h5", "never.h5"):
        if os.path.exists(f):
            os.unlink(f)
    good = f"""# a run file
[run]
output = r.h5
store = m.h5
[ingest]
input = {sample}
[describe]
top = 10
[cooccur]
skill = pytorch   # the skills most tied to PyTorch
[cluster]
k = 4
restarts = 2
[regress]
controls = role,remote
"""
    open("good.conf", "w").write(good)
    p = run([sm, "run", "good.conf"], 0)
    check("[1/5] ingest (good.conf:5)" in p.stderr, "step lines name the run file's lines")
    with h5py.File("r.h5", "r") as f:
        for g in ("describe", "cooccurrence", "clusters", "regression", "provenance"):
            check(g in f, f"/{g} in the results file")
        pv = f["provenance"]
        check(attr(pv, "run_text") == good, "run file text recorded")
        check(strs(pv["step_name"]) == ["ingest", "describe", "cooccur", "cluster", "regress"],
              "steps in order")
        check(list(pv["step_status"][:]) == [0] * 5, "all steps ok")
        check(all(s > 0 for s in pv["step_seconds"][:]), "step times")
        check(strs(pv["step_command"])[3].startswith("skillmat cluster m.h5 -o "), "command lines")
        sha = hashlib.sha256(open(sample, "rb").read()).hexdigest()
        check(strs(pv["input_sha256"]) == [sha], "input hash from the store")
    p = run([sm, "report", "r.h5"], 0)
    for title in ("== Run", "== Market", "By seniority", "Top skills",
                  "== Skills that go together", "== Role types", "== What skills add to pay"):
        check(title in p.stdout, f"report section '{title}'")
    run([sm, "report", "m.h5"], 1)  # a store is not a results file

    # 2. one analysis fails, the others are kept
    bad_step = good.replace("output = r.h5", "output = r2.h5").replace(
        "controls = role,remote", "controls = nosuchcolumn")
    open("fail.conf", "w").write(bad_step)
    p = run([sm, "run", "fail.conf"], 1)
    check("fail.conf:14: [regress] failed: m.h5: no posting column" in p.stderr, "the failing step named with its line")
    with h5py.File("r2.h5", "r") as f:
        check("clusters" in f and "describe" in f and "regression" not in f,
              "the other analyses' groups kept")
        check(list(f["provenance/step_status"][:]) == [0, 0, 0, 0, 1], "failure recorded")
        check("nosuchcolumn" in strs(f["provenance/step_message"])[4], "why it failed recorded")

    # 3. bad run files: FILE:LINE, nothing run or written
    cases = [
        ("[run]\noutput = never.h5\nstore = m.h5\n[cluster]\nkk = 3\n",
         "bad.conf:5: [cluster] has no option --kk"),
        ("[run]\noutput = never.h5\nstore = m.h5\n[plot]\n", "bad.conf:4: unknown section [plot]"),
        ("output = never.h5\n", "bad.conf:1: 'output = never.h5' before any [section]"),
        ("[run]\noutput = never.h5\n[cluster]\n", "no [ingest]: [run] needs 'store"),
        ("[run]\noutput = never.h5\nstore = m.h5\n[cooccur]\n[cooccur]\n",
         "bad.conf:5: section [cooccur] given twice (first at line 4)"),
        ("[run]\noutput = never.h5\nstore = m.h5\n[cluster]\nk =\n",
         "bad.conf:5: key 'k' has an empty value"),
        ("[run]\noutput = never.h5\n[cluster]\n[ingest]\ninput = x.csv\n",
         "bad.conf:4: [ingest] must come before the analyses"),
        ("[run]\nstore = m.h5\n[describe]\n", "bad.conf:1: [run] needs 'output"),
    ]
    for text, want in cases:
        open("bad.conf", "w").write(text)
        p = run([sm, "run", "bad.conf"], 1)
        check(want in p.stderr, f"message '{want}' (got: {p.stderr.strip()[-300:]})")
        check(not os.path.exists("never.h5"), "nothing written for a bad run file")
    run([sm, "run", "no-such.conf"], 1)
    print("run_e2e:", "OK" if not fails else f"{fails} failure(s)")
    return 1 if fails else 0


if __name__ == "__main__":
    sys.exit(main())
