#!/usr/bin/python3
"""End-to-end check of the plotting scripts and notebooks of notebooks-data/.

Usage: plots_e2e.py SKILLMAT_BIN SAMPLE_CSV_GZ WORK_DIR

Runs the whole chain on the bundled sample: `skillmat ingest` to WORK_DIR/market.h5, then
`cooccur`, `cluster --k-range 2:8`, `regress --controls role,remote,country` and `describe`
into one results file WORK_DIR/results.h5. Then every plotting script
(notebooks-data/<name>.py RESULTS OUTDIR; benchmarks.py reads the committed
bench/results/benchmarks.h5 instead) must exit 0, print the path of OUTDIR/<name>.png and
write a valid PNG (signature, IHDR chunk) of at least 800 × 800 pixels and more than 20 KB.
make_notebooks.py must regenerate notebooks byte-identical to the committed <name>.ipynb (in a
scratch directory, and with --check in place), and the code cells of each notebook, run in
order with RESULTS and OUTDIR pointed at the work directory, must write the same PNG name.

Exit status 1 on any failure, with the reason. Runs in about 20 s on 2 cores.
"""
import json
import os
import shutil
import struct
import subprocess
import sys
import time

HERE = os.path.dirname(os.path.abspath(__file__))
NB_DIR = os.path.join(os.path.dirname(HERE), "notebooks-data")
SCRIPTS = ["top_skills", "salary", "cooccurrence", "role_types", "premiums", "trends",
           "benchmarks"]
# benchmarks.py draws the committed benchmark results (bench/regenerate.py), not a results file.
INPUT_OF = {"benchmarks": os.path.join(os.path.dirname(HERE), "bench", "results", "benchmarks.h5")}
MIN_BYTES, MIN_PX = 20_000, 800
PY = sys.executable or "/usr/bin/python3"

failures = []


def fail(msg):
    failures.append(msg)
    print("FAIL:", msg)


def run(cmd, cwd=None):
    t = time.monotonic()
    r = subprocess.run(cmd, capture_output=True, text=True, cwd=cwd)
    dt = time.monotonic() - t
    if r.returncode != 0:
        fail(f"{' '.join(cmd)}: exit {r.returncode}\n{r.stdout}\n{r.stderr}")
    return r, dt


def png_size(path):
    """(width, height) from a PNG's IHDR chunk; raises ValueError for anything else."""
    with open(path, "rb") as fh:
        head = fh.read(33)
    if len(head) < 33 or head[:8] != b"\x89PNG\r\n\x1a\n" or head[12:16] != b"IHDR":
        raise ValueError("not a PNG (signature or IHDR)")
    length, = struct.unpack(">I", head[8:12])
    if length != 13:
        raise ValueError(f"IHDR length {length}")
    return struct.unpack(">II", head[16:24])


def check_png(path, who):
    if not os.path.isfile(path):
        fail(f"{who}: {path} not written")
        return
    size = os.path.getsize(path)
    try:
        w, h = png_size(path)
    except ValueError as e:
        fail(f"{who}: {path}: {e}")
        return
    ok = size > MIN_BYTES and w >= MIN_PX and h >= MIN_PX
    print(f"  {os.path.basename(path):18s} {w:5d} x {h:<5d} {size / 1024:7.0f} KB  {who}"
          + ("" if ok else "  <- too small"))
    if not ok:
        fail(f"{who}: {path}: {w} x {h} px, {size} bytes (need >= {MIN_PX} px, > {MIN_BYTES} B)")


def notebook_code(path, results, outdir):
    """The code cells of a notebook joined, with the RESULTS / OUTDIR parameters replaced."""
    with open(path, encoding="utf-8") as fh:
        nb = json.load(fh)
    if nb.get("nbformat") != 4 or not nb["cells"] or nb["cells"][0]["cell_type"] != "markdown":
        raise ValueError("not an nbformat 4 notebook starting with a markdown cell")
    code = ["".join(c["source"]) for c in nb["cells"] if c["cell_type"] == "code"]
    first = code[0].split("\n")
    n_set = 0
    for i, ln in enumerate(first):
        if ln.startswith("RESULTS = "):
            first[i], n_set = f"RESULTS = {results!r}", n_set + 1
        elif ln.startswith("OUTDIR = "):
            first[i], n_set = f"OUTDIR = {outdir!r}", n_set + 1
    if n_set != 2:
        raise ValueError("first code cell does not set RESULTS and OUTDIR")
    code[0] = "\n".join(first)
    return "\n\n".join(code) + "\n"


def main():
    if len(sys.argv) != 4:
        sys.exit("usage: plots_e2e.py SKILLMAT_BIN SAMPLE_CSV_GZ WORK_DIR")
    skm, sample, work = sys.argv[1:]
    work = os.path.abspath(work)
    os.makedirs(work, exist_ok=True)
    store, res = os.path.join(work, "market.h5"), os.path.join(work, "results.h5")
    for p in (store, res):
        if os.path.exists(p):
            os.remove(p)
    t0 = time.monotonic()

    steps = [[skm, "ingest", sample, "-o", store, "-q"],
             [skm, "cooccur", store, "-o", res, "-q"],
             [skm, "cluster", store, "-o", res, "--k-range", "2:8", "-q"],
             [skm, "regress", store, "-o", res, "--controls", "role,remote,country", "-q"],
             [skm, "describe", store, "-o", res, "-q"]]
    for cmd in steps:
        _, dt = run(cmd)
        print(f"skillmat {cmd[1]:9s} {dt:5.1f} s")
        if failures:
            sys.exit(1)

    outdir = os.path.join(work, "plots")
    shutil.rmtree(outdir, ignore_errors=True)
    print("scripts:")
    for name in SCRIPTS:
        r, dt = run([PY, os.path.join(NB_DIR, name + ".py"), INPUT_OF.get(name, res), outdir])
        png = os.path.join(outdir, name + ".png")
        if r.returncode == 0 and png not in r.stdout.split("\n"):
            fail(f"{name}.py did not print {png} (stdout: {r.stdout!r})")
        check_png(png, f"{name}.py, {dt:.1f} s")

    # The committed notebooks are what make_notebooks.py writes now.
    nbdir = os.path.join(work, "notebooks")
    shutil.rmtree(nbdir, ignore_errors=True)
    run([PY, os.path.join(NB_DIR, "make_notebooks.py"), "--outdir", nbdir])
    for name in SCRIPTS:
        a, b = os.path.join(nbdir, name + ".ipynb"), os.path.join(NB_DIR, name + ".ipynb")
        if not os.path.isfile(b):
            fail(f"{b} is missing: run notebooks-data/make_notebooks.py")
        elif not os.path.isfile(a) or open(a, "rb").read() != open(b, "rb").read():
            fail(f"{b} differs from what make_notebooks.py writes: run it again")
    run([PY, os.path.join(NB_DIR, "make_notebooks.py"), "--check"])

    # Each notebook's code runs as the notebook would (cwd notebooks-data, cells in order).
    nb_out = os.path.join(work, "plots-notebooks")
    shutil.rmtree(nb_out, ignore_errors=True)
    print("notebooks:")
    for name in SCRIPTS:
        try:
            code = notebook_code(os.path.join(NB_DIR, name + ".ipynb"), INPUT_OF.get(name, res),
                                 nb_out)
        except (ValueError, KeyError, OSError) as e:
            fail(f"{name}.ipynb: {e}")
            continue
        script = os.path.join(work, f"nb_{name}.py")
        with open(script, "w", encoding="utf-8") as fh:
            fh.write("import sys\nsys.path.insert(0, %r)\n" % NB_DIR + code)
        _, dt = run([PY, script], cwd=NB_DIR)
        check_png(os.path.join(nb_out, name + ".png"), f"{name}.ipynb, {dt:.1f} s")

    print(f"total {time.monotonic() - t0:.1f} s")
    if failures:
        print(f"{len(failures)} failure(s)")
        sys.exit(1)
    print("plots_e2e: all checks passed")


if __name__ == "__main__":
    main()
