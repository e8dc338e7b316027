#!/usr/bin/python3
"""regenerate.py — the one command that measures everything again and rewrites the generated part
of docs/benchmarks.md:

    /usr/bin/python3 bench/regenerate.py [--work DIR] [--only STEPS] [--skip STEPS] [--quick]

Steps, in order (names for --only / --skip):
    build     cmake -DCMAKE_BUILD_TYPE=Release in build-bench/, every target
    data      the bundled sample ingested (the calibration store), then two synthetic stores made
              by `skillmat synth` from it: n = 1,000,000 with p = 256 and n = 200,000 with p = 2048
    kernels   `skillmat bench`: every kernel checked against the reference, then timed next to
              this machine's measured limits        -> bench/results/kernels.{h5,csv}
    cooccur   bench/cooccur_peers.py on both stores: numpy and scipy X.T @ X
    cluster   bench/cluster_peers.py on the p = 256 store: scikit-learn KMeans, same start
    regress   bench/regress_peers.py on both stores: statsmodels OLS HC1 and numpy
    h5io      bench/h5io_peers.py on both stores: h5py read and write
    pipeline  bench/pipeline.py: 10,000,000 synthetic postings from CSV to regression, peak RSS
    collect   every CSV of bench/results/ into bench/results/benchmarks.h5 (one group per table,
              with the machine and the provenance as attributes)
    docs      the tables between the markers of docs/benchmarks.md, from bench/results/*.csv
Each peer step verifies that the answers agree before it reports a time (see each script). The
whole run took 12 minutes on the 2-core machine of docs/benchmarks.md; it needs about 9 GB of free
memory (statsmodels peaks at 8 GB) and about 5 GB of disk in --work (default: a temporary
directory, removed at the end).
--quick: sizes divided by 10 (the pipeline at 1,000,000), results in bench/results/quick/, and the
docs step writes bench/results/quick/benchmarks.md instead of docs/benchmarks.md (for development).
"""
import argparse
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from peers_common import PY, ROOT, log  # noqa: E402

STEPS = ["build", "data", "kernels", "cooccur", "cluster", "regress", "h5io", "pipeline",
         "collect", "docs"]
SAMPLE = os.path.join(ROOT, "notebooks-data", "data_jobs_salary_2023.csv.gz")


def sh(cmd, **kw):
    log("$ " + " ".join(cmd))
    t0 = time.perf_counter()
    r = subprocess.run(cmd, **kw)
    if r.returncode != 0:
        sys.exit("regenerate.py: failed (exit %d): %s" % (r.returncode, " ".join(cmd)))
    log("  (%.1f s)" % (time.perf_counter() - t0))


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--work", default=None)
    ap.add_argument("--only", default=None, help="comma-separated steps")
    ap.add_argument("--skip", default="", help="comma-separated steps")
    ap.add_argument("--quick", action="store_true")
    ap.add_argument("--build", default=os.path.join(ROOT, "build-bench"))
    a = ap.parse_args()
    only = a.only.split(",") if a.only else STEPS
    skip = set(filter(None, a.skip.split(",")))
    for s in list(only) + list(skip):
        if s not in STEPS:
            sys.exit("regenerate.py: unknown step %r (steps: %s)" % (s, ", ".join(STEPS)))
    steps = [s for s in STEPS if s in only and s not in skip]

    q = 10 if a.quick else 1
    n256, n2048, npipe = 1_000_000 // q, 200_000 // q, 10_000_000 // q
    results = os.path.join(ROOT, "bench", "results", *(["quick"] if a.quick else []))
    os.makedirs(results, exist_ok=True)
    work = a.work or tempfile.mkdtemp(prefix="skillmat-bench-")
    os.makedirs(work, exist_ok=True)
    build = os.path.abspath(a.build)
    sk = os.path.join(build, "skillmat")
    sample = os.path.join(work, "sample.h5")
    s256 = os.path.join(work, "synth_%d_256.h5" % n256)
    s2048 = os.path.join(work, "synth_%d_2048.h5" % n2048)
    res = lambda name: os.path.join(results, name)  # noqa: E731
    t_start = time.perf_counter()
    log("regenerate.py: steps %s; work %s; results %s" % (", ".join(steps), work, results))

    for step in steps:
        log("\n##### %s" % step)
        if step == "build":
            sh(["cmake", "-S", ROOT, "-B", build, "-DCMAKE_BUILD_TYPE=Release"],
               stdout=subprocess.DEVNULL)
            sh(["cmake", "--build", build, "-j2"], stdout=subprocess.DEVNULL)
        elif step == "data":
            sh([sk, "ingest", SAMPLE, "-o", sample, "-q"])
            sh([sk, "synth", "--from", sample, "-n", str(n256), "--skills", "256", "--seed", "1",
                "-o", s256])
            sh([sk, "synth", "--from", sample, "-n", str(n2048), "--skills", "2048", "--seed", "2",
                "-o", s2048])
        elif step == "kernels":
            sh([sk, "bench", "-o", res("kernels.h5"), "--csv", res("kernels.csv")]
               + (["--quick"] if a.quick else []))
        elif step == "cooccur":
            sh([PY, os.path.join(ROOT, "bench", "cooccur_peers.py"), "--store256", s256,
                "--store2048", s2048, "--bench", os.path.join(build, "bench_cooccur"),
                "--rounds", "3", "--csv", res("cooccur_peers.csv")])
        elif step == "cluster":
            sh([PY, os.path.join(ROOT, "bench", "cluster_peers.py"), "--store", s256,
                "--k", "8,32", "--rounds", "3", "--bench", os.path.join(build, "bench_cluster"),
                "--csv", res("cluster_peers.csv")])
        elif step == "regress":
            sh([PY, os.path.join(ROOT, "bench", "regress_peers.py"), "--store256", s256,
                "--store2048", s2048, "--rounds", "2", "--min-support", "10", "--bench",
                os.path.join(build, "bench_regress"), "--csv", res("regress_peers.csv")])
        elif step == "h5io":
            sh([PY, os.path.join(ROOT, "bench", "h5io_peers.py"), "--store", s256, "--store", s2048,
                "--rounds", "3", "--bench", os.path.join(build, "bench_h5io"),
                "--csv", res("h5io_peers.csv")])
        elif step == "pipeline":
            sh([PY, os.path.join(ROOT, "bench", "pipeline.py"), "--skillmat", sk, "--n", str(npipe),
                "--calibrate", sample, "--work", os.path.join(work, "pipeline"),
                "--csv", res("pipeline.csv")])
        elif step == "collect":
            sh([PY, os.path.join(ROOT, "bench", "benchmarks_md.py"), "--collect", results,
                "--skillmat", sk])
        elif step == "docs":
            out = res("benchmarks.md") if a.quick else os.path.join(ROOT, "docs", "benchmarks.md")
            sh([PY, os.path.join(ROOT, "bench", "benchmarks_md.py"), "--results", results,
                "--out", out])
    if not a.work:
        shutil.rmtree(work, ignore_errors=True)
    log("regenerate.py: done in %.0f s" % (time.perf_counter() - t_start))


if __name__ == "__main__":
    main()
