#!/usr/bin/python3
"""cluster_peers.py — skillmat's k-means against scikit-learn's KMeans, same data, same start.

    /usr/bin/python3 bench/cluster_peers.py [--n 1000000] [--p 256] [--store PATH] [--k 8,32]
        [--iters 20] [--rounds 3] [--bench build/bench_cluster]
        [--csv bench/results/cluster_peers.csv] [--quick] [--seed 1] [--threads 2] [--dense]
        [--quiet-wait 120] [--skillmat-reps 5] [--dump-dir DIR]

--quick: n = 100,000 (unless --n is given; for development; the CSV then defaults to
cluster_peers_quick.csv). Needs scikit-learn: Debian's /usr/bin/python3 (python3-sklearn).

Data: synthetic postings (bench/synth_csr.h, made by bench_cluster: --n rows, --p skills). Or,
with --store PATH, a skillmat store's postings: `bench_cluster --store PATH` reads them with
skillmat's store reader and keeps the postings that list at least one skill (as `skillmat
cluster` does), in store order, as binary rows (counts ignored); n is the number of those
postings and p the store's skill count (--n, --p and --quick refused; --seed still seeds
k-means++). The CSV then records data=store, the store's absolute path and its n, p, nnz (the
/matrix attributes, read with h5py; the n, p, nnz columns are the rows clustered) and defaults to
bench/results/cluster_peers_store.csv, so a store run does not replace the synthetic results.

First, for each k of --k: `bench_cluster --dump-dir --reps 1` once (it checks that 1 thread and
--threads give the same bits; its output is printed) writes the binary rows (CSR), its
k-means++ centroids (the start of every run below), the objective after every Lloyd update
(trace), and the final centroids and labels. Then, in a fresh process, scikit-learn's
    KMeans(n_clusters=k, init=<skillmat's initial centroids>, n_init=1, max_iter=t, tol=0,
           algorithm="lloyd").fit(X)        X = csr_matrix of float64 ones, n x p
gives inertia_ after t updates; it must equal skillmat's trace[t] within 1e-6 relative (the
issue's requirement) for every t in 1..n_iter (for n >= 200,000 only t in {1, 2, 3, 5, 10,
n_iter} unless --all-steps: the check costs the sum of t over the t checked). skillmat's
Euclidean k-means on binary rows is meant to be exactly that KMeans on the CSR matrix: the same
start, Lloyd steps, empty-cluster rule and stopping rule (src/cluster/kmeans.h). The labels
(share equal) and centroids (max abs difference) of the t = n_iter fit are compared with
skillmat's final ones and reported. skillmat scores rows against float32 centroid tables,
scikit-learn in float64: a row whose two nearest centroids are within float32 rounding of each
other (~1e-7 relative) can take the other label, and from the next update on the two runs follow
different Lloyd paths (the inertia then drifts apart by ~1e-6 and more). Every k is checked
before anything is timed; any t out of tolerance: message, exit 1, no times.
Then --rounds rounds, alternating (each after a wait, up to --quiet-wait s, for idle CPUs):
    skillmat       `bench_cluster --reps R`: the medians of its R seedings and R Lloyd runs
                   (per iteration = run / n_iter, the final assignment included) and its peak RSS
                   during them (the rows and the fit)
    sklearn CSR    in a fresh /usr/bin/python3 process that loads the dump and builds X (not
                   timed): KMeans(init=..., n_init=1, max_iter=n_iter, tol=0, algorithm="lloyd")
                   .fit(X), per iteration = fit seconds / n_iter_; then the seeding
                   sklearn.cluster.kmeans_plusplus(X, k, random_state=0); peak RSS (VmHWM reset
                   once X is built: the data and both calls)
    sklearn dense  (--dense) the same fit on X.toarray() (float64, made outside the timing;
                   skipped, with a note, when MemAvailable is too small). Its timing only: on a
                   dense X scikit-learn centres the data, so the many exact ties between binary
                   rows and the initial centroids (copies of rows; integer distances) break
                   differently and the run follows another Lloyd path (its inertia is printed)
The table reports medians over the rounds; ratios are scikit-learn / skillmat. Thread settings
are left as they are (scikit-learn's OpenMP and OpenBLAS use every core; skillmat --threads,
default 2); the script prints them (threadpoolctl). Only the Euclidean metric is checked:
`bench_cluster --metric cosine` is skillmat's alone.
"""
import argparse
import json
import os
import shutil
import statistics
import subprocess
import sys
import tempfile
import time

from peers_common import (BENCH_DIR, PY, ROOT, STORE_FIELDS, bench_built, cpu_model,
                          exit_on_sigterm, find_bench, fmt_s, git_head, log, mem_available_mb,
                          run_bench, run_child, src_state, store_fields, store_info, thread_env,
                          wait_memory, wait_quiet, write_csv)

TOL = 1e-6                      # the issue: inertia after each Lloyd step within 1e-6 relative
FULL_CHECK_BELOW = 200000       # n >= this: check only the steps of PARTIAL_TS (and n_iter)
PARTIAL_TS = (1, 2, 3, 5, 10)
GOAL_SIZE = (1000000, 256)      # the goals are stated at n = 1M, p = 256
GOAL_ITER_MS = 10.0             # <= 10 ms per Lloyd iteration at k = 32
GOAL_ITER_K = 32
GOAL_RATIO = 10.0               # >= 10x scikit-learn on the same CSR data
GOAL_SEED_S = 1.0               # k-means++ seeding <= 1 s

# scikit-learn in a fresh process: argv = bench_dir dump mode [t,t,...]; mode verify (fits with
# max_iter = each t, compared with skillmat's dump), csr or dense (timed). Prints one JSON line;
# verify's progress goes to stderr.
WORKER = r'''
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
import scipy.sparse as sp
from peers_common import blas_info, proc_status_mb, reset_peak_rss
dump, mode = sys.argv[2], sys.argv[3]
meta = open(os.path.join(dump, "meta.txt")).read().split()
n, p, nnz, k, n_iter = (int(x) for x in meta[:5])
assert meta[5] == "euclidean", meta
def arr(name, dtype, count):
    a = np.fromfile(os.path.join(dump, name), dtype=dtype)
    assert a.shape == (count,), (name, a.shape, count)
    return a
indptr = arr("indptr.i64", "<i8", n + 1)
indices = arr("indices.i32", "<i4", nnz)
init = arr("init.f64", "<f8", k * p).reshape(k, p)
trace = arr("trace.f64", "<f8", n_iter + 1)
s = time.perf_counter()
X = sp.csr_matrix((np.ones(nnz), indices, indptr), shape=(n, p))
del indptr, indices
t_build = time.perf_counter() - s
import sklearn
from sklearn.cluster import KMeans, kmeans_plusplus
def kmeans(t):
    return KMeans(n_clusters=k, init=init, n_init=1, max_iter=t, tol=0, algorithm="lloyd",
                  random_state=0)
out = dict(mode=mode, n=n, p=p, nnz=nnz, k=k, n_iter=n_iter, version=sklearn.__version__,
           t_build=t_build)
if mode == "verify":
    ts = [int(x) for x in sys.argv[4].split(",")]
    checks = []
    for t in ts:
        s = time.perf_counter()
        km = kmeans(t).fit(X)
        el = time.perf_counter() - s
        rel = abs(km.inertia_ - trace[t]) / abs(trace[t])
        checks.append(dict(t=t, sklearn=float(km.inertia_), skillmat=float(trace[t]), rel=rel,
                           n_iter=int(km.n_iter_), s=el))
        print("    t=%-3d scikit-learn %.12g, skillmat %.12g, relative difference %.3g "
              "(n_iter_ %d, %.2f s)" % (t, km.inertia_, trace[t], rel, km.n_iter_, el),
              file=sys.stderr, flush=True)
    labels = arr("labels.i32", "<i4", n)
    C = arr("centroids.f64", "<f8", k * p).reshape(k, p)
    same = km.labels_ == labels
    out.update(checks=checks, final_t=ts[-1], final_n_iter=int(km.n_iter_),
               labels_equal=float(same.mean()), labels_differ=int((~same).sum()),
               centroid_max_abs=float(np.abs(km.cluster_centers_ - C).max()))
    from threadpoolctl import threadpool_info
    from sklearn.utils._openmp_helpers import _openmp_effective_n_threads
    out.update(threadpools=["%s: %s %s, %d threads (%s)" % (
        d.get("user_api"), d.get("internal_api"), d.get("version"), d.get("num_threads", -1),
        d.get("filepath")) for d in threadpool_info()],
        openmp_threads=int(_openmp_effective_n_threads()), blas=blas_info())
else:
    if mode == "dense":
        s = time.perf_counter()
        X = X.toarray()
        out["t_densify"] = time.perf_counter() - s
    out["rss_x_mb"] = proc_status_mb("VmRSS")
    out["hwm_reset"] = reset_peak_rss()
    s = time.perf_counter()
    km = kmeans(n_iter).fit(X)
    out["fit_s"] = time.perf_counter() - s
    out.update(fit_n_iter=int(km.n_iter_), inertia=float(km.inertia_),
               inertia_rel=abs(km.inertia_ - trace[-1]) / abs(trace[-1]))
    if mode == "csr":
        s = time.perf_counter()
        kmeans_plusplus(X, k, random_state=0)
        out["seed_s"] = time.perf_counter() - s
    out["peak_rss_mb"] = proc_status_mb("VmHWM")
print("JSON " + json.dumps(out), flush=True)
'''


def run_sklearn(dump, mode, ts=None):
    cmd = [PY, "-c", WORKER, BENCH_DIR, dump, mode] + ([",".join(map(str, ts))] if ts else [])
    # verify: its progress lines (stderr) go straight to ours
    rc, out, err = run_child(cmd, stderr=None if mode == "verify" else subprocess.PIPE)
    for line in out.splitlines():
        if line.startswith("JSON ") and rc == 0:
            return json.loads(line[5:])
    sys.exit("scikit-learn worker (%s) failed (exit %d):\n%s%s" % (mode, rc, out, err))


def csr_mb(n, nnz):
    """MB of the CSR matrix (float64 values, int32 or int64 indices)."""
    return (nnz * 16 + n * 8) / 1048576.0


def need_mb(mode, n, p, nnz):
    """A generous estimate of a worker's peak: the raw dump, X, KMeans's copy of X (copy_x),
    the per-row arrays; dense: X.toarray() and its copy."""
    need = 300 + 3 * csr_mb(n, nnz) + n * 48 / 1048576.0
    if mode == "dense":
        need += 2 * n * p * 8 / 1048576.0
    return need


def verify(dump, n, nnz, k, n_iter, quiet_wait, all_steps):
    full = all_steps or n < FULL_CHECK_BELOW
    ts = list(range(1, n_iter + 1)) if full else sorted(
        {t for t in PARTIAL_TS if t <= n_iter} | {n_iter})
    log("  verify: scikit-learn's KMeans(init=skillmat's initial centroids, n_init=1, "
        "max_iter=t, tol=0, algorithm='lloyd') on the CSR, inertia_ vs skillmat's objective "
        "after t updates, tolerance %g relative; t in %s%s" % (
            TOL, "1..%d (every step)" % n_iter if full else "{%s}" % ", ".join(map(str, ts)),
            "" if full else " only (n >= %d: a check at t costs t iterations; --all-steps "
            "checks every t)" % FULL_CHECK_BELOW))
    if not wait_memory(need_mb("verify", n, 0, nnz), quiet_wait):
        sys.exit("not enough free memory for the scikit-learn check (%.0f MB available)"
                 % mem_available_mb())
    v = run_sklearn(dump, "verify", ts)
    checks = v["checks"]
    worst = max(checks, key=lambda c: c["rel"])
    bad = [c for c in checks if not c["rel"] <= TOL]
    early = [c for c in checks if c["n_iter"] != c["t"]]
    log("  max relative inertia difference %.3g (at t=%d) over %d steps checked; per t: %s" % (
        worst["rel"], worst["t"], len(checks),
        ", ".join("%d: %.2g" % (c["t"], c["rel"]) for c in checks)))
    if early:
        log("  NOTE: scikit-learn stopped before max_iter at t = %s (n_iter_ %s): its labels "
            "stopped changing earlier than skillmat's" % (
                ", ".join(str(c["t"]) for c in early),
                ", ".join(str(c["n_iter"]) for c in early)))
    log("  final (max_iter = %d): labels equal for %.6f of the rows (%d differ), centroids max "
        "abs difference %.3g, scikit-learn n_iter_ %d" % (
            v["final_t"], v["labels_equal"], v["labels_differ"], v["centroid_max_abs"],
            v["final_n_iter"]))
    if bad:
        return v, ts, (
            "scikit-learn's inertia differs from skillmat's beyond %g relative at n=%d k=%d in %d "
            "of the %d steps checked: first at t=%d (sklearn %.12g, skillmat %.12g, relative "
            "%.3g), worst at t=%d (relative %.3g); after %d steps the labels are equal for %.6f "
            "of the rows (%d differ) and the centroids differ by up to %.3g: the two runs took "
            "different Lloyd paths" % (
                TOL, n, k, len(bad), len(checks), bad[0]["t"], bad[0]["sklearn"],
                bad[0]["skillmat"], bad[0]["rel"], worst["t"], worst["rel"], v["final_t"],
                v["labels_equal"], v["labels_differ"], v["centroid_max_abs"]))
    log("  skillmat agrees with scikit-learn %s (X built in %.2f s)" % (v["version"],
                                                                       v["t_build"]))
    return v, ts, None


def yn(ok):
    return "n/a" if ok is None else ("met" if ok else "NOT met")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=None, help="rows (default 1000000; --quick 100000)")
    ap.add_argument("--p", type=int, default=None, help="skills (default 256)")
    ap.add_argument("--store", default=None, metavar="PATH", help="the postings with skills of "
                    "this skillmat store instead of synthetic data (n and p are the store's)")
    ap.add_argument("--k", default="8,32", help="comma-separated cluster counts")
    ap.add_argument("--iters", type=int, default=20, help="Lloyd iterations (tol = 0)")
    ap.add_argument("--quick", action="store_true", help="n = 100000 (unless --n is given)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=1)
    ap.add_argument("--threads", type=int, default=2, help="skillmat's threads")
    ap.add_argument("--skillmat-reps", type=int, default=5,
                    help="bench_cluster --reps in each round (it reports their medians)")
    ap.add_argument("--all-steps", action="store_true", help="check every Lloyd step against "
                    "scikit-learn also for n >= %d (the sum of t over t = 1..iters iterations)"
                    % FULL_CHECK_BELOW)
    ap.add_argument("--dense", action="store_true",
                    help="also scikit-learn on the dense float64 X (n p 8 bytes, twice)")
    ap.add_argument("--bench", default=None,
                    help="bench_cluster binary (default: build-bench/, else build/ of the repo)")
    ap.add_argument("--csv", default=None, help="default bench/results/cluster_peers.csv "
                    "(with --quick: cluster_peers_quick.csv)")
    ap.add_argument("--dump-dir", default=None, help="keep the data here (default: a temporary "
                    "directory, removed at the end)")
    ap.add_argument("--quiet-wait", type=float, default=120.0,
                    help="before each timing, wait up to this many seconds for idle CPUs "
                    "(0: do not wait); also the wait for free memory before scikit-learn")
    a = ap.parse_args()
    info = None
    if a.store:
        if a.n is not None or a.p is not None or a.quick:
            sys.exit("--n, --p and --quick describe synthetic data: with --store, n and p are the "
                     "store's")
        info = store_info(a.store)
        n = None  # the postings with skills: known from the first dump
        a.p = info["store_p"]
        data_args = ["--store", info["store"]]
    else:
        n = a.n if a.n is not None else (100000 if a.quick else 1000000)
        a.p = 256 if a.p is None else a.p
        data_args = ["--n", n, "--p", a.p]
    ks = [int(x) for x in a.k.split(",") if x]
    if a.csv is None:
        a.csv = os.path.join(ROOT, "bench", "results", "cluster_peers%s.csv" % (
            "_store" if info else "_quick" if a.quick else ""))
    bench = find_bench("bench_cluster", a.bench)
    try:
        import numpy as np
        import scipy
        import sklearn
        import threadpoolctl
        assert threadpoolctl  # the workers use it
    except ImportError as e:
        sys.exit("cluster_peers needs numpy, scipy and scikit-learn (%s): run it with "
                 "/usr/bin/python3 (Debian's python3-sklearn)" % e)

    cpu = cpu_model()
    cores = len(os.sched_getaffinity(0))
    head = git_head()
    tree = src_state()
    built = bench_built(bench)
    log("cluster_peers: %s, k=%s, iters=%d, rounds=%d, seed=%d, skillmat threads=%d%s, "
        "%s" % ("n=%d, p=%d" % (n, a.p) if info is None else
                "store %s (n=%d p=%d nnz=%d; the postings with skills are clustered)" % (
                    info["store"], info["store_n"], info["store_p"], info["store_nnz"]),
                ",".join(map(str, ks)), a.iters, a.rounds, a.seed, a.threads,
                ", dense" if a.dense else "", time.strftime("%Y-%m-%dT%H:%M:%S")))
    log("python %s (%s), numpy %s, scipy %s, scikit-learn %s" % (
        sys.version.split()[0], sys.executable, np.__version__, scipy.__version__,
        sklearn.__version__))
    log("thread env: " + thread_env())
    log("CPU: %s, %d CPUs available, %.1f GiB available memory; bench: %s (built %s); "
        "repository HEAD %s, src/ include/ kernels/ %s now" % (
            cpu, cores, mem_available_mb() / 1024.0, bench, built, head, tree))

    exit_on_sigterm("cluster_peers")
    tmp = None
    root_dump = a.dump_dir
    if root_dump is None:
        tmp = root_dump = tempfile.mkdtemp(prefix="cluster_peers.")
    rows, summary = [], []
    threads_logged = False
    try:
        # 1. The dumps and the checks, every k before any timing.
        prep, failed = [], []
        for k in ks:
            dump = os.path.join(root_dump, "n%s_p%d_k%d" % (n if info is None else "store", a.p,
                                                             k))
            log("\n==== %s, p = %d, k = %d: check ====" % (
                "n = %d" % n if info is None else "store " + info["store"], a.p, k))
            base = data_args + ["--k", k, "--iters", a.iters, "--seed", a.seed,
                                "--threads", a.threads]
            args = base + ["--dump-dir", dump, "--reps", 1]
            log("$ %s %s" % (bench, " ".join(str(x) for x in args)))
            out, first = run_bench(bench, args, "cluster")
            log(out.rstrip())
            meta = open(os.path.join(dump, "meta.txt")).read().split()
            n_iter, nnz = int(meta[4]), int(meta[2])
            if n is None:  # --store: the postings with skills
                n = int(meta[0])
            if (meta[5] != "euclidean" or int(meta[0]) != n or int(meta[1]) != a.p
                    or int(meta[3]) != k):
                sys.exit("unexpected dump %s: %s" % (dump, " ".join(meta)))
            v, ts, msg = verify(dump, n, nnz, k, n_iter, a.quiet_wait, a.all_steps)
            if not threads_logged:
                log("  scikit-learn threads: OpenMP %d (_openmp_effective_n_threads); "
                    "threadpoolctl: %s" % (v["openmp_threads"], "; ".join(v["threadpools"])))
                log("  BLAS (numpy): %s" % v["blas"])
                threads_logged = True
            if msg:
                log("  FAILED: " + msg)
                failed.append(msg)
            prep.append((k, dump, base, first, n_iter, nnz, v, ts))
        if failed:
            sys.exit("cluster_peers: the check against scikit-learn failed; no times reported:\n"
                     + "\n".join("  " + m for m in failed))

        # 2. The timings.
        for k, dump, base, first, n_iter, nnz, v, ts in prep:
            log("\n==== n = %d, p = %d, k = %d%s: timings ====" % (
                n, a.p, k, "" if info is None else " (store %s)" % info["store"]))
            modes = ["csr"] + (["dense"] if a.dense else [])
            res = {m: [] for m in modes}
            notes = {m: "" for m in modes}
            sk = []
            for r in range(a.rounds):
                q = wait_quiet(a.quiet_wait)
                _, d = run_bench(bench, base + ["--reps", a.skillmat_reps], "cluster")
                d = dict(iter_ms=float(d["iter_median_ms"]), iter_min_ms=float(d["iter_min_ms"]),
                         seed_s=float(d["seed_median_s"]), rss=float(d["peak_rss_mb"]),
                         n_iter=int(d["iters"]), quiet=q)
                sk.append(d)
                log("  round %d: skillmat      %9.3f ms/iteration (median of %d runs, min %.3f; "
                    "%d iterations), seeding %.4f s, peak RSS %.0f MB (%s before)" % (
                        r + 1, d["iter_ms"], a.skillmat_reps, d["iter_min_ms"], d["n_iter"],
                        d["seed_s"], d["rss"], q))
                row = {}
                for m in modes:
                    need = need_mb(m, n, a.p, nnz)
                    if not wait_memory(need, a.quiet_wait):
                        notes[m] = "skipped: needs ~%.1f GiB, %.1f GiB available" % (
                            need / 1024, mem_available_mb() / 1024)
                        log("           sklearn %-5s %s" % (m, notes[m]))
                        row[m] = None
                        continue
                    q = wait_quiet(a.quiet_wait)
                    w = run_sklearn(dump, m)
                    w["iter_ms"] = 1e3 * w["fit_s"] / w["fit_n_iter"]
                    w["quiet"] = q
                    res[m].append(w)
                    row[m] = w
                    log("           sklearn %-5s %9.3f ms/iteration (fit %.3f s / n_iter_ %d)%s, "
                        "peak RSS %.0f MB (%.0f MB with X built; %s before); inertia %.3g "
                        "relative from skillmat's%s%s" % (
                            m, w["iter_ms"], w["fit_s"], w["fit_n_iter"],
                            ", seeding (kmeans_plusplus) %.4f s" % w["seed_s"] if m == "csr"
                            else " (densify %.2f s, not timed)" % w["t_densify"],
                            w["peak_rss_mb"], w["rss_x_mb"], q, w["inertia_rel"],
                            " (another path: see the note on dense)" if m == "dense" else "",
                            "" if w["fit_n_iter"] == n_iter else
                            "; NOTE n_iter_ %d, skillmat %d" % (w["fit_n_iter"], n_iter)))
                rows.append(dict(round=r + 1, k=k, skillmat=d, **{m: row[m] for m in modes}))

            def med(lst, key):
                return statistics.median(x[key] for x in lst) if lst else float("nan")
            s = dict(k=k, nnz=nnz, n_iter=n_iter, isa=first["isa"], verify=v, ts=ts,
                     sk_iter_ms=med(sk, "iter_ms"), sk_iter_min_ms=min(x["iter_min_ms"]
                                                                      for x in sk),
                     sk_seed_s=med(sk, "seed_s"), sk_rss=max(x["rss"] for x in sk),
                     csr_iter_ms=med(res["csr"], "iter_ms"), csr_seed_s=med(res["csr"], "seed_s"),
                     csr_rss=max((x["peak_rss_mb"] for x in res["csr"]), default=float("nan")),
                     notes=notes)
            if a.dense:
                s.update(dense_iter_ms=med(res["dense"], "iter_ms"),
                         dense_rss=max((x["peak_rss_mb"] for x in res["dense"]),
                                       default=float("nan")))
            s["ratio"] = s["csr_iter_ms"] / s["sk_iter_ms"]
            goal_size = (n, a.p) == GOAL_SIZE
            s["time_goal"] = (s["sk_iter_ms"] <= GOAL_ITER_MS if goal_size and k == GOAL_ITER_K
                              else None)
            s["ratio_goal"] = None if s["ratio"] != s["ratio"] else s["ratio"] >= GOAL_RATIO
            s["seed_goal"] = s["sk_seed_s"] <= GOAL_SEED_S if goal_size else None
            summary.append(s)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    if info is not None:
        log("\ndata: store %s (n=%d p=%d nnz=%d): its %d postings with skills, binary rows" % (
            info["store"], info["store_n"], info["store_p"], info["store_nnz"], n))
    log("\nk-means, n = %d, p = %d, Lloyd from skillmat's k-means++ centroids, tol = 0, at most "
        "%d iterations; median over %d rounds; ms per iteration = run / iterations (the final "
        "assignment included); skillmat: %d threads (median of %d runs per round); "
        "scikit-learn %s: KMeans(algorithm='lloyd') in a fresh process, X built outside the "
        "timing; ratio = scikit-learn / skillmat; RSS = peak resident memory of the process" % (
            n, a.p, a.iters, a.rounds, a.threads, a.skillmat_reps, sklearn.__version__))
    log("machine: %s, %d CPUs; skillmat kernels %s\n" % (
        cpu, cores, summary[0]["isa"] if summary else "?"))
    hdr = ["k", "iterations", "skillmat ms/iter", "sklearn CSR ms/iter", "CSR / skillmat"]
    if a.dense:
        hdr += ["sklearn dense ms/iter", "dense / skillmat"]
    hdr += ["skillmat seeding s", "sklearn seeding s", "skillmat RSS MB", "sklearn CSR RSS MB"]
    if a.dense:
        hdr += ["sklearn dense RSS MB"]
    log("| " + " | ".join(hdr) + " |")
    log("|" + "|".join("---:" for _ in hdr) + "|")
    for s in summary:
        cells = [str(s["k"]), str(s["n_iter"]), "%.3f" % s["sk_iter_ms"],
                 "%.2f" % s["csr_iter_ms"], "%.1fx" % s["ratio"]]
        if a.dense:
            t = s["dense_iter_ms"]
            cells += ["n/a" if t != t else "%.2f" % t,
                      "n/a" if t != t else "%.1fx" % (t / s["sk_iter_ms"])]
        cells += ["%.4f" % s["sk_seed_s"], fmt_s(s["csr_seed_s"]), "%.0f" % s["sk_rss"],
                  "n/a" if s["csr_rss"] != s["csr_rss"] else "%.0f" % s["csr_rss"]]
        if a.dense:
            cells += ["n/a" if s["dense_rss"] != s["dense_rss"] else "%.0f" % s["dense_rss"]]
        log("| " + " | ".join(cells) + " |")
    log("\ngoals (the issue; the time and seeding goals are stated at n = {:,}, p = {}):"
        .format(*GOAL_SIZE))
    off = None if (n, a.p) == GOAL_SIZE else "n/a: this run is n = {:,}, p = {}".format(n, a.p)
    t32 = [s for s in summary if s["k"] == GOAL_ITER_K]
    log("  <= %g ms per Lloyd iteration at k = %d: %s" % (
        GOAL_ITER_MS, GOAL_ITER_K, "n/a (k = %d not run)" % GOAL_ITER_K if not t32 else
        "%s (%.3f ms)" % (off, t32[0]["sk_iter_ms"]) if off else
        "%.3f ms: %s" % (t32[0]["sk_iter_ms"], yn(t32[0]["time_goal"]))))
    log("  >= %gx scikit-learn on the same CSR data (any size): %s" % (GOAL_RATIO, ", ".join(
        "k=%d %.1fx: %s" % (s["k"], s["ratio"], yn(s["ratio_goal"])) for s in summary)))
    log("  k-means++ seeding <= %g s: %s%s" % (GOAL_SEED_S, off + " (" if off else "", ", ".join(
        "k=%d %.4f s%s" % (s["k"], s["sk_seed_s"], "" if off else ": " + yn(s["seed_goal"]))
        for s in summary) + (")" if off else "")))
    log("\nverification (before the timings): max relative inertia difference per k: %s "
        "(tolerance %g); final labels equal: %s; centroids max abs difference: %s" % (
            ", ".join("k=%d %.3g over t in %s" % (
                s["k"], max(c["rel"] for c in s["verify"]["checks"]),
                "1..%d" % s["n_iter"] if len(s["ts"]) == s["n_iter"] else
                "{%s}" % ",".join(map(str, s["ts"]))) for s in summary),
            TOL, ", ".join("k=%d %.6f" % (s["k"], s["verify"]["labels_equal"]) for s in summary),
            ", ".join("k=%d %.3g" % (s["k"], s["verify"]["centroid_max_abs"])
                      for s in summary)))
    for s in summary:
        for m, note in s["notes"].items():
            if note:
                log("  k=%d: sklearn %s %s" % (s["k"], m, note))

    # CSV: one row per (k, round), then one per k with round = "median" (and the goals).
    fields = ["cpu_model", "cores", "isa", "threads", "head", "src_tree", "bench", "bench_built",
              "n", "p", "nnz", "k", "iters", "n_iter", "seed", "rounds", "round",
              "skillmat_iter_ms", "skillmat_iter_min_ms", "skillmat_seed_s",
              "skillmat_peak_rss_mb", "skillmat_reps", "skillmat_quiet",
              "sklearn_iter_ms", "sklearn_fit_s", "sklearn_n_iter", "sklearn_seed_s",
              "sklearn_peak_rss_mb", "sklearn_quiet", "ratio"]
    if a.dense:
        fields += ["dense_iter_ms", "dense_fit_s", "dense_peak_rss_mb", "dense_ratio",
                   "dense_note"]
    fields += ["verify_ts", "verify_max_rel", "verify_labels_equal", "verify_centroid_max_abs",
               "time_goal_met", "ratio_goal_met", "seed_goal_met", "sklearn_version",
               "numpy_version", "scipy_version", "sklearn_openmp_threads"] + STORE_FIELDS
    by_k = {s["k"]: s for s in summary}
    out_rows = []
    nan = float("nan")
    ordered = [r for s in summary for r in [x for x in rows if x["k"] == s["k"]]
               + [dict(round="median", k=s["k"])]]
    for r in ordered:
        s = by_k[r["k"]]
        v = s["verify"]
        row = dict(store_fields(info), cpu_model=cpu, cores=cores, isa=s["isa"],
                   threads=a.threads, head=head, src_tree=tree, bench=bench,
                   bench_built=built, n=n, p=a.p, nnz=s["nnz"],
                   k=s["k"], iters=a.iters, n_iter=s["n_iter"], seed=a.seed, rounds=a.rounds,
                   round=r["round"], skillmat_reps=a.skillmat_reps,
                   verify_ts=" ".join(map(str, s["ts"])),
                   verify_max_rel=max(c["rel"] for c in v["checks"]),
                   verify_labels_equal=v["labels_equal"],
                   verify_centroid_max_abs=v["centroid_max_abs"], sklearn_version=v["version"],
                   numpy_version=np.__version__, scipy_version=scipy.__version__,
                   sklearn_openmp_threads=v["openmp_threads"])
        if r["round"] == "median":
            row.update(skillmat_iter_ms=s["sk_iter_ms"], skillmat_iter_min_ms=s["sk_iter_min_ms"],
                       skillmat_seed_s=s["sk_seed_s"], skillmat_peak_rss_mb=s["sk_rss"],
                       sklearn_iter_ms=s["csr_iter_ms"], sklearn_seed_s=s["csr_seed_s"],
                       sklearn_peak_rss_mb=s["csr_rss"], ratio=s["ratio"],
                       time_goal_met=yn(s["time_goal"]), ratio_goal_met=yn(s["ratio_goal"]),
                       seed_goal_met=yn(s["seed_goal"]))
            if a.dense:
                row.update(dense_iter_ms=s["dense_iter_ms"], dense_peak_rss_mb=s["dense_rss"],
                           dense_ratio=s["dense_iter_ms"] / s["sk_iter_ms"],
                           dense_note=s["notes"]["dense"])
        else:
            d, c = r["skillmat"], r["csr"]
            row.update(skillmat_iter_ms=d["iter_ms"], skillmat_iter_min_ms=d["iter_min_ms"],
                       skillmat_seed_s=d["seed_s"], skillmat_peak_rss_mb=d["rss"],
                       skillmat_quiet=d["quiet"])
            if c:
                row.update(sklearn_iter_ms=c["iter_ms"], sklearn_fit_s=c["fit_s"],
                           sklearn_n_iter=c["fit_n_iter"], sklearn_seed_s=c["seed_s"],
                           sklearn_peak_rss_mb=c["peak_rss_mb"], sklearn_quiet=c["quiet"],
                           ratio=c["iter_ms"] / d["iter_ms"])
            if a.dense:
                e = r["dense"]
                if e:
                    row.update(dense_iter_ms=e["iter_ms"], dense_fit_s=e["fit_s"],
                               dense_peak_rss_mb=e["peak_rss_mb"],
                               dense_ratio=e["iter_ms"] / d["iter_ms"])
                else:
                    row.update(dense_iter_ms=nan, dense_note="skipped (memory)")
        out_rows.append(row)
    write_csv(a.csv, fields, out_rows)


if __name__ == "__main__":
    main()
