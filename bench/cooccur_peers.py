#!/usr/bin/python3
"""cooccur_peers.py — skillmat's co-occurrence counter against numpy and scipy, in the same run.

    /usr/bin/python3 bench/cooccur_peers.py [--n 1000000] [--rounds 3] [--p 256,2048]
        [--store PATH [--store PATH ...] | --store256 PATH --store2048 PATH]
        [--bench build-bench/bench_cooccur] [--csv bench/results/cooccur_peers.csv]
        [--dump-dir DIR] [--skip-dense-2048] [--seed 1] [--scipy-reps 3] [--numpy-reps 3]

Data: synthetic postings (bench/synth_csr.h, made by bench_cooccur): one data set per p of --p,
each of --n rows. Or, with --store (repeatable), one data set per store, in the order given: the
store's whole matrix, its presence view (each posting's skill list, counts ignored), read by
bench_cooccur with skillmat's store reader; n and p are the store's (--n, --p, --seed refused).
So the issue's two sizes are `--store256 A.h5 --store2048 B.h5` (the same as `--store A.h5
--store B.h5`; the named forms run first and log a note when the store's p is not the name's)
with A a 1,000,000 x 256 store and B a 200,000 x 2048 one. The CSV records, per row, data (synth
or store), the store's absolute path and its n, p, nnz (the /matrix attributes, read with h5py);
its default is then bench/results/cooccur_peers_store.csv, so a store run does not replace the
synthetic results.

For each data set: `bench_cooccur --dump-dir` once (the full table of threads x paths and, for the
first one, the kernel rates; its output is printed) writes the CSR (synthetic, or the store's
rows) and its upper-triangle counts.
The script loads them, builds X = scipy.sparse.csr_matrix of float32 ones (n x p) and checks that
scipy's X.T @ X and numpy's dense float32 X.T @ X equal those counts exactly (upper triangle, as
int64; float32 holds integers up to 2^24 exactly, so n must stay below 16,777,216). Nothing is
timed before that check passes. Then `--rounds` rounds, alternating:
    skillmat  `bench_cooccur --threads 2 --paths auto` (it checks its counts against a naive count
              before timing; its RESULT line gives the median of its repetitions, counter creation
              excluded)
    scipy     X.T @ X, median of --scipy-reps
    numpy     X.T @ X on the dense float32 array made once outside the timing (the densify time is
              reported separately), median of --numpy-reps; 1 rep per round at p = 2048 (~22 s)
The table reports the median over rounds of each; ratios are peer time / skillmat time.
Thread settings are left as they are (numpy's BLAS may use every core; scipy's sparse product is
single-threaded); the script prints them.
"""
import argparse
import os
import resource
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np

from peers_common import (ROOT, STORE_FIELDS, add_store_args, bench_built, blas_info, find_bench,
                          git_head, log, run_bench, store_fields, stores_given, thread_env,
                          wait_quiet, write_csv)
import scipy
import scipy.sparse as sp

GOAL_MS = {256: 25.0, 2048: 100.0}  # the issue: end to end on 2 cores
GOAL_NUMPY = 25.0                   # >= 25x numpy
GOAL_SCIPY = 20.0                   # >= 20x scipy


def auto2(results, n, p):
    for d in results:
        if (d["kind"] == "cooccur" and d["threads"] == "2" and d["path"] == "auto"
                and int(d["n"]) == n and int(d["p"]) == p):
            return d
    sys.exit("no RESULT cooccur threads=2 path=auto line for n=%d p=%d" % (n, p))


def load(dump):
    n, p, nnz = (int(x) for x in open(os.path.join(dump, "meta.txt")).read().split())
    indptr = np.fromfile(os.path.join(dump, "indptr.i64"), dtype="<i8")
    indices = np.fromfile(os.path.join(dump, "indices.i32"), dtype="<i4")
    T = np.fromfile(os.path.join(dump, "counts_T.i64"), dtype="<i8").reshape(p, p)
    assert indptr.shape == (n + 1,) and indices.shape == (nnz,) and indptr[-1] == nnz
    X = sp.csr_matrix((np.ones(nnz, dtype=np.float32), indices, indptr), shape=(n, p))
    return n, p, nnz, X, T


def check(name, G, T):
    """G: a p x p product (dense or sparse), float32; T: counts_T (upper triangle, int64)."""
    if sp.issparse(G):
        G = G.toarray()
    G = np.asarray(G)
    U = np.triu(np.rint(G).astype(np.int64))
    if not np.array_equal(np.rint(G), G) or not np.array_equal(U, T):
        bad = np.argwhere(U != T)
        a, b = bad[0] if len(bad) else (-1, -1)
        sys.exit("%s: X.T @ X differs from skillmat's counts in %d cells (first (%d, %d): %s "
                 "vs %d): not reporting times" % (name, len(bad), a, b, G[a, b], T[a, b]))
    p = T.shape[0]
    log("  %s: X.T @ X equals skillmat's counts (upper triangle, %d cells)" % (name,
                                                                           p * (p + 1) // 2))


def cpu_seconds():
    ru = resource.getrusage(resource.RUSAGE_SELF)
    return ru.ru_utime + ru.ru_stime


def timed(fn, reps):
    """Seconds of each rep, and CPU seconds / wall seconds over all of them (all threads)."""
    t = []
    c0 = cpu_seconds()
    for _ in range(reps):
        s = time.perf_counter()
        fn()
        t.append(time.perf_counter() - s)
    return t, (cpu_seconds() - c0) / sum(t)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=None, help="rows (default 1000000)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--p", default=None, help="comma-separated skill counts (default 256,2048)")
    ap.add_argument("--seed", type=int, default=None, help="synthetic data seed (default 1)")
    add_store_args(ap)
    ap.add_argument("--bench", default=None,
                    help="bench_cooccur binary (default: build-bench/, else build/ of the repo)")
    ap.add_argument("--csv", default=None, help="default bench/results/cooccur_peers.csv "
                    "(with --store: cooccur_peers_store.csv)")
    ap.add_argument("--dump-dir", default=None, help="keep the data here (default: a temporary "
                    "directory, removed at the end)")
    ap.add_argument("--skip-dense-2048", action="store_true",
                    help="no dense numpy at p >= 2048 (8 GB array, ~22 s per product)")
    ap.add_argument("--scipy-reps", type=int, default=3)
    ap.add_argument("--numpy-reps", type=int, default=3, help="per round; 1 at p >= 2048")
    ap.add_argument("--quiet-wait", type=float, default=120.0,
                    help="before each timing, wait up to this many seconds for idle CPUs "
                    "(0: do not wait)")
    a = ap.parse_args()
    a.store = stores_given(a)
    if a.store:
        if a.n is not None or a.p is not None or a.seed is not None:
            sys.exit("--n, --p and --seed describe synthetic data: with --store, n and p are the "
                     "store's")
        # one case per store: (info, n, p, the data arguments of bench_cooccur)
        cases = [(info, info["store_n"], info["store_p"], ["--store", info["store"]])
                 for info in a.store]
    else:
        a.n = 1000000 if a.n is None else a.n
        a.seed = 1 if a.seed is None else a.seed
        cases = [(None, a.n, p, ["--n", a.n, "--p", p, "--seed", a.seed])
                 for p in (int(x) for x in (a.p or "256,2048").split(","))]
    if a.csv is None:
        a.csv = os.path.join(ROOT, "bench", "results", "cooccur_peers%s.csv" % (
            "_store" if a.store else ""))
    for _, n, _, _ in cases:
        if n >= 1 << 24:
            sys.exit("n = %d: n must be < 16777216: float32 counts are exact only up to 2^24" % n)
    bench = find_bench("bench_cooccur", a.bench)

    if a.store:
        log("cooccur_peers: stores %s, rounds=%d, %s" % (
            ", ".join("%s (n=%d p=%d nnz=%d)" % (c[0]["store"], c[1], c[2], c[0]["store_nnz"])
                      for c in cases), a.rounds, time.strftime("%Y-%m-%dT%H:%M:%S")))
    else:
        log("cooccur_peers: n=%d, p=%s, rounds=%d, seed=%d, %s" % (
            a.n, [c[2] for c in cases], a.rounds, a.seed, time.strftime("%Y-%m-%dT%H:%M:%S")))
    log("python %s, numpy %s, scipy %s" % (sys.version.split()[0], np.__version__,
                                            scipy.__version__))
    log("BLAS: %s" % blas_info())
    log("thread env: " + thread_env())
    head = git_head()
    log("CPUs available: %d; bench: %s (built %s); repository HEAD %s" % (
        len(os.sched_getaffinity(0)), bench, bench_built(bench), head))

    tmp = None
    root_dump = a.dump_dir
    if root_dump is None:
        tmp = root_dump = tempfile.mkdtemp(prefix="cooccur_peers.")
    rows = []
    try:
        for i, (info, n_want, p, data_args) in enumerate(cases):
            dump = os.path.join(root_dump, "p%d" % p if info is None else "store%d_p%d" % (i, p))
            log("\n==== p = %d%s ====" % (p, "" if info is None else
                                          ", store %s (n = %d)" % (info["store"], n_want)))
            args = data_args + ["--dump-dir", dump]
            if i > 0:
                args.append("--no-tile")
            if a.quiet_wait > 0:
                log("(%s)" % wait_quiet(a.quiet_wait))
            log("$ %s %s" % (bench, " ".join(str(x) for x in args)))
            out, first = run_bench(bench, args)
            log(out.rstrip())
            n, p2, nnz, X, T = load(dump)
            assert (n, p2) == (n_want, p), ((n, p2), (n_want, p))
            if info is not None and nnz != info["store_nnz"]:
                sys.exit("the dump of %s holds %d entries, the store's nnz attribute says %d"
                         % (info["store"], nnz, info["store_nnz"]))
            log("\nloaded %s: n=%d p=%d nnz=%d; X = csr_matrix float32 ones" % (dump, n, p, nnz))

            # Checks before any timing.
            check("scipy", X.T @ X, T)
            dense = not (a.skip_dense_2048 and p >= 2048)
            Xd = None
            densify = float("nan")
            if dense:
                s = time.perf_counter()
                Xd = X.toarray()
                densify = time.perf_counter() - s
                log("  densify: X.toarray() %d x %d float32 (%.2f GB) in %.2f s (not in the "
                    "numpy times)" % (n, p, Xd.nbytes / 1e9, densify))
                check("numpy", Xd.T @ Xd, T)
            else:
                log("  numpy dense: skipped (--skip-dense-2048)")

            sk, sc, npy, chosen = [], [], [], set()
            nreps = 1 if p >= 2048 else a.numpy_reps
            for r in range(a.rounds):
                q = wait_quiet(a.quiet_wait) if a.quiet_wait > 0 else "no wait"
                _, res = run_bench(bench, data_args + ["--threads", 2, "--paths", "auto",
                                                       "--no-tile"])
                d = auto2(res, n, p)
                sk.append(float(d["median_ms"]))
                chosen.add(d["chosen"])
                log("  round %d: skillmat %.2f ms (2 threads, auto -> %s, min %.2f, cpu/wall %s; "
                    "%s before)" % (r + 1, sk[-1], d["chosen"], float(d["min_ms"]),
                                    d.get("cpu_wall", "?"), q))
                ts, cw = timed(lambda: X.T @ X, a.scipy_reps)
                sc.append(statistics.median(ts))
                log("           scipy %s s (cpu/wall %.2f)" % (" ".join("%.3f" % x for x in ts),
                                                             cw))
                if dense:
                    q = wait_quiet(a.quiet_wait) if a.quiet_wait > 0 else "no wait"
                    tn, cw = timed(lambda: Xd.T @ Xd, nreps)
                    npy.append(statistics.median(tn))
                    log("           numpy %s s (cpu/wall %.2f; %s before)" % (
                        " ".join("%.3f" % x for x in tn), cw, q))
            Xd = None  # free the dense array before the next p
            sk_ms = statistics.median(sk)
            sc_s = statistics.median(sc)
            np_s = statistics.median(npy) if npy else float("nan")
            first_auto = auto2(first, n, p)
            # the goals are stated at n = 1,000,000 (synthetic runs: at any --n, as before)
            goal = GOAL_MS.get(p, float("nan")) if info is None or n == 1000000 else float("nan")
            rows.append(dict(store_fields(info),
                p=p, n=n, nnz=nnz, isa=first_auto["isa"], chosen="/".join(sorted(chosen)),
                split=first_auto.get("split", "?"), head=head,
                skillmat_ms=sk_ms, skillmat_ms_rounds=" ".join("%.2f" % x for x in sk),
                numpy_s=np_s, numpy_densify_s=densify, scipy_s=sc_s,
                numpy_ratio=np_s * 1e3 / sk_ms, scipy_ratio=sc_s * 1e3 / sk_ms,
                goal_ms=goal,
                rounds=a.rounds, numpy_version=np.__version__, scipy_version=scipy.__version__))
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    def yn(ok):
        return "n/a" if ok is None else ("yes" if ok else "NO")

    log("\nco-occurrence X.T @ X, %s, median over %d rounds (skillmat: 2 threads, path auto; "
        "numpy: dense float32, densify excluded; scipy: sparse float32)" % (
            "data from the stores" if a.store else "synthetic, n = %d" % a.n, a.rounds))
    hdr = ("n", "p", "skillmat ms", "chosen", "numpy s", "scipy s", "numpy/skm", "scipy/skm",
           "time goal", "numpy >=25x", "scipy >=20x")
    log("%9s %5s %12s %8s %9s %9s %10s %10s %14s %12s %12s" % hdr)
    for r in rows:
        g = r["goal_ms"]
        t_ok = None if g != g else r["skillmat_ms"] <= g
        n_ok = None if r["numpy_s"] != r["numpy_s"] else r["numpy_ratio"] >= GOAL_NUMPY
        s_ok = r["scipy_ratio"] >= GOAL_SCIPY
        r.update(time_goal_met=yn(t_ok), numpy_goal_met=yn(n_ok), scipy_goal_met=yn(s_ok))
        log("%9d %5d %12.2f %8s %9.3f %9.3f %9.1fx %9.1fx %14s %12s %12s" % (
            r["n"], r["p"], r["skillmat_ms"], r["chosen"], r["numpy_s"], r["scipy_s"],
            r["numpy_ratio"], r["scipy_ratio"], "n/a" if g != g else "<= %g ms: %s" % (g, yn(t_ok)),
            yn(n_ok), yn(s_ok)))
    for r in rows:
        log("  p=%d: numpy densify %.2f s (once, not timed in numpy s); skillmat per round: %s ms"
            % (r["p"], r["numpy_densify_s"], r["skillmat_ms_rounds"]))
        if r["data"] == "store":
            log("    data: store %s (n=%d p=%d nnz=%d; presence view)" % (
                r["store"], r["store_n"], r["store_p"], r["store_nnz"]))

    fields = ["p", "n", "nnz", "isa", "chosen", "split", "head", "skillmat_ms",
              "skillmat_ms_rounds", "numpy_s", "numpy_densify_s", "scipy_s", "numpy_ratio",
              "scipy_ratio", "goal_ms", "time_goal_met", "numpy_goal_met", "scipy_goal_met",
              "rounds", "numpy_version", "scipy_version"] + STORE_FIELDS
    write_csv(a.csv, fields, rows)


if __name__ == "__main__":
    main()
