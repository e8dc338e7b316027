#!/usr/bin/python3
"""regress_peers.py — skillmat's OLS fit (HC1) against statsmodels and numpy, in the same run.

    /usr/bin/python3 bench/regress_peers.py [--n 1000000] [--p 256,2048] [--n2048 200000]
        [--store PATH [--store PATH ...] | --store256 PATH --store2048 PATH] [--min-support 1]
        [--rounds 3] [--bench build-bench/bench_regress] [--csv bench/results/regress_peers.csv]
        [--quick] [--seed 1] [--threads 2] [--skillmat-reps 5] [--peers statsmodels,numpy]
        [--dump-dir DIR] [--quiet-wait 120]

Sizes: each p of --p is run with n = --n, except p = 2048, run with n = --n2048 (defaults:
n = 1,000,000 with p = 256 and n = 200,000 with p = 2048, the issue's goal sizes). --quick:
n = 100,000 and 20,000 (for development; the CSV then defaults to regress_peers_quick.csv).

Stores: with --store (repeatable), one data set per store, in the order given, instead of the
synthetic sizes (--n, --p, --n2048, --seed and --quick refused). So the issue's two sizes are
`--store256 A.h5 --store2048 B.h5` (the same as `--store A.h5 --store B.h5`; the named forms run
first and log a note when the store's p is not the name's) with A a 1,000,000 x 256 store and B
a 200,000 x 2048 one.
`bench_regress --store PATH` reads the store with skillmat's store reader and fits
y = ln salary_annual on [1, skill indicators] over the postings with a finite salary_annual > 0
(the others dropped, order kept); skills listed by fewer than --min-support of those postings
(default 1: only the absent ones) are left out, so n and p are the postings and skills used,
which the table shows. There is no planted beta then (recovery n/a). The CSV records data=store,
the store's absolute path and its n, p, nnz (the /matrix attributes, read with h5py), and
min_support; it defaults to bench/results/regress_peers_store.csv, so a store run does not
replace the synthetic results.

For each (n, p): `bench_regress --dump-dir` once (it checks skillmat against its own dense
BLAS/LAPACK reference when n p^2 <= 3e11, and, on synthetic data, prints the planted-beta
recovery; its output is printed) writes the CSR (synthetic, or the store's kept rows and
columns), y, and skillmat's coefficients and HC1 / classical SEs. Then,
before anything is timed, each peer fits once in its own process and its params and HC1 SEs are
compared with skillmat's: |a - b| <= 1e-8 max(|b|, 1e-3) (relative to 1e-8 where |b| > 1e-3,
absolute 1e-11 below; a planted slope can be ~0). Any disagreement: message, exit 1, no times.
Then --rounds rounds, alternating:
    skillmat     `bench_regress --reps R --no-check --threads T`: the median of its R fits
                 (skm_reg_fit_run, classical + HC1) and its peak RSS during them (the design
                 arrays + the fit)
    statsmodels  sm.OLS(y, X).fit(cov_type='HC1'), then .params and .bse
    numpy        normal equations: G = X.T @ X, b = solve(G, X.T @ y), e = y - X @ b,
                 Xe = X * e[:, None], M = Xe.T @ Xe, V = G^-1 M G^-1 n / (n - p - 1)
Each peer runs in a fresh `/usr/bin/python3 -c` process (one at a time: statsmodels needs ~8 GiB
at n = 1M, p = 256 and ~12.5 GiB at n = 200k, p = 2048) that loads the dump, builds the dense
X = [1, x] (float64, n x (p + 1), intercept first; not timed, its time reported once), times one
fit, and reports its own peak RSS (VmHWM, = its ru_maxrss: the loaded data, X and the fit) and
its RSS with X built, before the fit. The table reports medians over the rounds; ratios are
peer time / skillmat time. Thread settings are left as they are (numpy's OpenBLAS uses every core;
skillmat --threads, default 2); the script prints them. Before each timing it waits (up to
--quiet-wait s) for idle CPUs, and before each peer for enough free memory (else the peer is
skipped, with a note: an out-of-memory kill could hit other work on the machine).
"""
import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

import numpy as np

from peers_common import (BENCH_DIR, PY, ROOT, STORE_FIELDS, add_store_args, bench_built,
                          blas_info, cpu_model, exit_on_sigterm, find_bench, fmt_s, git_head, log,
                          mem_available_mb, run_bench, run_child, src_state, store_fields,
                          stores_given, thread_env, wait_memory, wait_quiet, write_csv)

GOAL_S = {(1000000, 256): 0.15, (200000, 2048): 0.5}  # the issue: the HC1 fit at these sizes
GOAL_MEM_MB = 1024.0              # the issue: peak memory < 1 GiB
TOL = 1e-8                        # |a - b| <= TOL * max(|b|, FLOOR)
FLOOR = 1e-3
# peak RSS of a peer, in multiples of the bytes of X (measured: statsmodels ~4.7x, numpy ~2.2x)
MEM_FACTOR = {"statsmodels": 5.0, "numpy": 2.6}

# One peer in a fresh process: argv = bench_dir dump peer verify(0/1) tol floor. Prints one JSON
# line.
WORKER = r'''
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
from peers_common import proc_status_mb as rss_mb
dump, peer, verify = sys.argv[2], sys.argv[3], sys.argv[4] == "1"
TOL, FLOOR = float(sys.argv[5]), float(sys.argv[6])
n, p, nnz = (int(x) for x in open(os.path.join(dump, "meta.txt")).read().split())
indptr = np.fromfile(os.path.join(dump, "indptr.i64"), dtype="<i8")
indices = np.fromfile(os.path.join(dump, "indices.i32"), dtype="<i4")
y = np.fromfile(os.path.join(dump, "y.f64"), dtype="<f8")
assert indptr.shape == (n + 1,) and indices.shape == (nnz,) and y.shape == (n,)
s = time.perf_counter()
X = np.zeros((n, p + 1))
X[:, 0] = 1.0
rows = np.repeat(np.arange(n), np.diff(indptr))
X[rows, 1 + indices.astype(np.int64)] = 1.0
del rows
t_build = time.perf_counter() - s
rss_x = rss_mb("VmRSS")
if peer == "statsmodels":
    import statsmodels
    import statsmodels.api as sm
    version = statsmodels.__version__
    def fit():
        r = sm.OLS(y, X).fit(cov_type="HC1")
        return np.asarray(r.params), np.asarray(r.bse)
elif peer == "numpy":
    version = np.__version__
    def fit():
        G = X.T @ X
        b = np.linalg.solve(G, X.T @ y)
        e = y - X @ b
        Xe = X * e[:, None]
        M = Xe.T @ Xe
        del Xe
        Gi = np.linalg.inv(G)
        V = Gi @ M @ Gi * (n / (n - p - 1))
        return b, np.sqrt(np.diag(V))
else:
    sys.exit("unknown peer " + peer)
s = time.perf_counter()
params, bse = fit()
t_fit = time.perf_counter() - s
out = dict(peer=peer, version=version, n=n, p=p, t_build=t_build, t_fit=t_fit, rss_x_mb=rss_x,
           peak_rss_mb=rss_mb("VmHWM"), x_mb=X.nbytes / 1048576.0)
if verify:
    coef = np.fromfile(os.path.join(dump, "coef.f64"), dtype="<f8")
    se = np.fromfile(os.path.join(dump, "se_hc1.f64"), dtype="<f8")
    res = {}
    for name, a, b in (("coef", params, coef), ("se_hc1", bse, se)):
        d = np.abs(a - b)
        big = np.abs(b) > FLOOR
        ratio = d / (TOL * np.maximum(np.abs(b), FLOOR))
        bad = ~(ratio <= 1.0)
        res[name] = dict(rel=float(np.max(d[big] / np.abs(b[big]))) if big.any() else 0.0,
                         abs_small=float(np.max(d[~big])) if (~big).any() else 0.0,
                         bad=int(bad.sum()), first_bad=[[int(j), float(a[j]), float(b[j])]
                                                         for j in np.flatnonzero(bad)[:5]])
    out["verify"] = res
print("JSON " + json.dumps(out), flush=True)
'''


def regress_bench(bench, args):
    return run_bench(bench, args, "regress")


def run_peer(peer, dump, verify):
    cmd = [PY, "-c", WORKER, BENCH_DIR, dump, peer, "1" if verify else "0", repr(TOL),
           repr(FLOOR)]
    rc, out, err = run_child(cmd)
    for line in out.splitlines():
        if line.startswith("JSON ") and rc == 0:
            return json.loads(line[5:])
    sys.exit("%s worker failed (exit %d):\n%s%s" % (peer, rc, out, err))


def verify_peer(peer, dump, n, p):
    log("  verify %s (one untimed fit in a fresh process) ..." % peer)
    v = run_peer(peer, dump, True)
    bad = 0
    for name in ("coef", "se_hc1"):
        d = v["verify"][name]
        log("    %-7s max relative diff %.3g (|b| > %g), max absolute diff %.3g (|b| <= %g)%s" % (
            name, d["rel"], FLOOR, d["abs_small"], FLOOR,
            "" if not d["bad"] else ": %d OUT OF TOLERANCE, first %s" % (d["bad"],
                                                                         d["first_bad"])))
        bad += d["bad"]
    if bad:
        sys.exit("%s disagrees with skillmat at n=%d p=%d (tolerance %g relative, %g absolute "
                 "below |b| = %g): not timing" % (peer, n, p, TOL, TOL * FLOOR, FLOOR))
    log("    %s agrees with skillmat (build X %.2f s, fit %.2f s, peak RSS %.0f MB)" % (
        peer, v["t_build"], v["t_fit"], v["peak_rss_mb"]))
    return v


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--n", type=int, default=None, help="rows for p != 2048 (default 1000000)")
    ap.add_argument("--n2048", type=int, default=None, help="rows for p = 2048 (default 200000)")
    ap.add_argument("--p", default=None, help="comma-separated skill counts (default 256,2048)")
    add_store_args(ap)
    ap.add_argument("--min-support", type=int, default=None, help="with --store: skills listed "
                    "by fewer of the postings with a salary are left out (default 1)")
    ap.add_argument("--quick", action="store_true", help="n = 100000 and n2048 = 20000 "
                    "(unless given)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--seed", type=int, default=None, help="synthetic data seed (default 1)")
    ap.add_argument("--threads", type=int, default=2, help="skillmat's threads")
    ap.add_argument("--skillmat-reps", type=int, default=5)
    ap.add_argument("--peers", default="statsmodels,numpy")
    ap.add_argument("--bench", default=None,
                    help="bench_regress binary (default: build-bench/, else build/ of the repo)")
    ap.add_argument("--csv", default=None, help="default bench/results/regress_peers.csv "
                    "(with --quick: regress_peers_quick.csv)")
    ap.add_argument("--dump-dir", default=None, help="keep the data here (default: a temporary "
                    "directory, removed at the end)")
    ap.add_argument("--quiet-wait", type=float, default=120.0,
                    help="before each timing, wait up to this many seconds for idle CPUs "
                    "(0: do not wait); also the wait for free memory before a peer")
    a = ap.parse_args()
    a.store = stores_given(a)
    if a.store:
        if (a.n is not None or a.n2048 is not None or a.p is not None or a.seed is not None
                or a.quick):
            sys.exit("--n, --n2048, --p, --seed and --quick describe synthetic data: with "
                     "--store, n and p come from the store")
        a.min_support = 1 if a.min_support is None else a.min_support
        if a.min_support < 1:
            sys.exit("--min-support must be at least 1")
        # one case per store: (store info, the data arguments of bench_regress)
        cases = [(info, ["--store", info["store"], "--min-support", a.min_support])
                 for info in a.store]
    else:
        if a.min_support is not None:
            sys.exit("--min-support goes with --store")
        a.seed = 1 if a.seed is None else a.seed
        n_main = a.n if a.n is not None else (100000 if a.quick else 1000000)
        n_2048 = a.n2048 if a.n2048 is not None else (20000 if a.quick else 200000)
        sizes = [(n_2048 if p == 2048 else n_main, p)
                 for p in (int(x) for x in (a.p or "256,2048").split(","))]
        cases = [(None, ["--n", n, "--p", p, "--seed", a.seed]) for n, p in sizes]
    if a.csv is None:
        a.csv = os.path.join(ROOT, "bench", "results", "regress_peers%s.csv" % (
            "_store" if a.store else "_quick" if a.quick else ""))
    peers = [x for x in a.peers.split(",") if x]
    for x in peers:
        if x not in MEM_FACTOR:
            sys.exit("unknown peer %s (statsmodels, numpy)" % x)
    bench = find_bench("bench_regress", a.bench)

    import scipy
    import statsmodels
    cpu = cpu_model()
    cores = len(os.sched_getaffinity(0))
    head = git_head()
    tree = src_state()
    built = bench_built(bench)
    if a.store:
        log("regress_peers: stores %s (min support %d), rounds=%d, peers %s, %s" % (
            ", ".join("%s (n=%d p=%d nnz=%d)" % (i["store"], i["store_n"], i["store_p"],
                                                 i["store_nnz"]) for i, _ in cases),
            a.min_support, a.rounds, ",".join(peers), time.strftime("%Y-%m-%dT%H:%M:%S")))
    else:
        log("regress_peers: sizes %s, rounds=%d, seed=%d, peers %s, %s" % (
            ", ".join("n=%d p=%d" % s for s in sizes), a.rounds, a.seed, ",".join(peers),
            time.strftime("%Y-%m-%dT%H:%M:%S")))
    log("python %s, numpy %s, scipy %s, statsmodels %s" % (
        sys.version.split()[0], np.__version__, scipy.__version__, statsmodels.__version__))
    log("BLAS: %s" % blas_info())
    log("thread env: " + thread_env())
    log("CPU: %s, %d CPUs available, %.1f GiB available memory; bench: %s (built %s); "
        "repository HEAD %s, src/ include/ kernels/ %s now" % (
            cpu, cores, mem_available_mb() / 1024.0, bench, built, head, tree))

    exit_on_sigterm("regress_peers")
    tmp = None
    root_dump = a.dump_dir
    if root_dump is None:
        tmp = root_dump = tempfile.mkdtemp(prefix="regress_peers.")
    rows = []
    try:
        for ci, (info, data_args) in enumerate(cases):
            if info is None:
                n, p = int(data_args[1]), int(data_args[3])
                dump = os.path.join(root_dump, "n%d_p%d" % (n, p))
                log("\n==== n = %d, p = %d ====" % (n, p))
            else:
                dump = os.path.join(root_dump, "store%d" % ci)
                log("\n==== store %s (n=%d p=%d nnz=%d) ====" % (
                    info["store"], info["store_n"], info["store_p"], info["store_nnz"]))
            args = data_args + ["--threads", a.threads, "--reps", a.skillmat_reps,
                                "--dump-dir", dump]
            log("(%s)" % wait_quiet(a.quiet_wait))
            log("$ %s %s" % (bench, " ".join(str(x) for x in args)))
            out, first = regress_bench(bench, args)
            log(out.rstrip())
            n, p, nnz = int(first["n"]), int(first["p"]), int(first["nnz"])
            if info is not None:
                if (int(first["store_n"]), int(first["store_p"]), int(first["store_nnz"])) != (
                        info["store_n"], info["store_p"], info["store_nnz"]):
                    sys.exit("bench_regress read another size from %s than h5py: %s" % (
                        info["store"], first))
                log("  the store's postings with a salary and skills with support >= %d: "
                    "n = %d, p = %d" % (a.min_support, n, p))
            x_mb = n * (p + 1) * 8 / 1048576.0

            # Checks before any timing.
            ver, skipped = {}, {}
            for peer in peers:
                need = MEM_FACTOR[peer] * x_mb + 512
                if not wait_memory(need, a.quiet_wait):
                    skipped[peer] = "needs ~%.1f GiB, %.1f GiB available" % (
                        need / 1024, mem_available_mb() / 1024)
                    log("  %s: SKIPPED (%s)" % (peer, skipped[peer]))
                    continue
                ver[peer] = verify_peer(peer, dump, n, p)
            live = [x for x in peers if x in ver]

            sk, sk_min, sk_rss = [], [], []
            pt = {x: [] for x in live}
            prss = {x: [] for x in live}
            for r in range(a.rounds):
                q = wait_quiet(a.quiet_wait)
                _, d = regress_bench(bench, data_args + ["--threads", a.threads,
                                                         "--reps", a.skillmat_reps,
                                                         "--no-check"])
                if (int(d["n"]), int(d["p"])) != (n, p):
                    sys.exit("bench_regress: another size in round %d: %s" % (r + 1, d))
                sk.append(float(d["median_s"]))
                sk_min.append(float(d["min_s"]))
                sk_rss.append(float(d["peak_rss_mb"]))
                log("  round %d: skillmat     %8.4f s (median of %d, min %.4f; peak RSS %.0f MB; "
                    "%s before)" % (r + 1, sk[-1], a.skillmat_reps, sk_min[-1], sk_rss[-1], q))
                for peer in live:
                    q = wait_quiet(a.quiet_wait)
                    if not wait_memory(MEM_FACTOR[peer] * x_mb + 512, a.quiet_wait):
                        log("           %-12s skipped this round: not enough free memory" % peer)
                        continue
                    v = run_peer(peer, dump, False)
                    pt[peer].append(v["t_fit"])
                    prss[peer].append(v["peak_rss_mb"])
                    log("           %-12s %8.3f s (peak RSS %.0f MB, %.0f MB with X built; "
                        "%s before)" % (peer, v["t_fit"], v["peak_rss_mb"], v["rss_x_mb"], q))
            med = statistics.median(sk)
            row = dict(store_fields(info), min_support=a.min_support if info else "",
                       n=n, p=p, nnz=nnz, cpu_model=cpu, cores=cores, isa=first["isa"],
                       threads=a.threads, head=head, src_tree=tree, bench=bench,
                       bench_built=built,
                       rounds=a.rounds, seed=a.seed if info is None else "",
                       skillmat_s=med, skillmat_min_s=min(sk_min),
                       skillmat_s_rounds=" ".join("%.4f" % x for x in sk),
                       skillmat_peak_rss_mb=max(sk_rss),
                       skillmat_check=first["check"], skillmat_check_coef_rel=first["coef_rel"],
                       skillmat_check_se_hc1_rel=first["se_hc1_rel"],
                       recovery_zmax=first["recovery_zmax"], recovery_zrms=first["recovery_zrms"],
                       x_mb=x_mb, goal_s=GOAL_S.get((n, p), float("nan")),
                       numpy_version=np.__version__, statsmodels_version=statsmodels.__version__)
            for peer in peers:
                ts = pt.get(peer, [])
                row[peer + "_s"] = statistics.median(ts) if ts else float("nan")
                row[peer + "_s_rounds"] = " ".join("%.3f" % x for x in ts)
                row[peer + "_peak_rss_mb"] = max(prss[peer]) if ts else float("nan")
                row[peer + "_ratio"] = row[peer + "_s"] / med
                v = ver.get(peer)
                row[peer + "_x_build_s"] = v["t_build"] if v else float("nan")
                row[peer + "_verify_coef_rel"] = v["verify"]["coef"]["rel"] if v else float("nan")
                row[peer + "_verify_coef_abs"] = (v["verify"]["coef"]["abs_small"] if v
                                                  else float("nan"))
                row[peer + "_verify_se_hc1_rel"] = (v["verify"]["se_hc1"]["rel"] if v
                                                    else float("nan"))
                row[peer + "_note"] = skipped.get(peer, "")
            g = row["goal_s"]
            row["time_goal_met"] = "n/a" if g != g else ("yes" if med <= g else "NO")
            row["mem_goal_met"] = ("n/a" if g != g else "yes" if row["skillmat_peak_rss_mb"] <
                                   GOAL_MEM_MB else "NO")
            rows.append(row)
    finally:
        if tmp:
            shutil.rmtree(tmp, ignore_errors=True)

    log("\nOLS of y on [1, x] with HC1 standard errors, median over %d rounds; skillmat: "
        "skm_reg_fit_run, %d threads (median of %d fits per round); peers: one fit per round "
        "in a fresh process, dense float64 X built outside the timing; ratio = peer / "
        "skillmat; RSS = peak resident memory of the process" % (a.rounds, a.threads,
                                                                a.skillmat_reps))
    log("machine: %s, %d CPUs; skillmat kernels %s; numpy %s, statsmodels %s (OpenBLAS)\n" % (
        cpu, cores, rows[0]["isa"] if rows else "?", np.__version__, statsmodels.__version__))
    hdr = ["n", "p", "skillmat s", "skillmat RSS MB"]
    for peer in peers:
        hdr += ["%s s" % peer, "%s RSS MB" % peer, "%s / skillmat" % peer]
    hdr += ["goal", "met"]
    log("| " + " | ".join(hdr) + " |")
    log("|" + "|".join("---:" for _ in hdr) + "|")
    for r in rows:
        cells = ["{:,}".format(r["n"]), str(r["p"]), "%.4f" % r["skillmat_s"],
                 "%.0f" % r["skillmat_peak_rss_mb"]]
        for peer in peers:
            t = r[peer + "_s"]
            cells += [fmt_s(t), "n/a" if t != t else "{:,.0f}".format(r[peer + "_peak_rss_mb"]),
                      "n/a" if t != t else "%.0fx" % r[peer + "_ratio"]]
        g = r["goal_s"]
        cells += ["n/a (not a goal size)" if g != g else "<= %g s, < 1 GiB" % g,
                  "n/a" if g != g else "time %s, memory %s" % (r["time_goal_met"],
                                                              r["mem_goal_met"])]
        log("| " + " | ".join(cells) + " |")
    for r in rows:
        log("  n=%d p=%d: skillmat per round %s s (min %.4f); check %s (coef %s, se_hc1 %s "
            "relative), %s" % (
                r["n"], r["p"], r["skillmat_s_rounds"], r["skillmat_min_s"], r["skillmat_check"],
                r["skillmat_check_coef_rel"], r["skillmat_check_se_hc1_rel"],
                "recovery max |z| %s, rms z %s" % (r["recovery_zmax"], r["recovery_zrms"])
                if r["data"] == "synth" else
                "data: store %s (n=%d p=%d nnz=%d), y = ln salary_annual, postings with a "
                "salary, skills with support >= %d; no planted beta" % (
                    r["store"], r["store_n"], r["store_p"], r["store_nnz"], r["min_support"])))
        for peer in peers:
            if r[peer + "_note"]:
                log("    %s: %s" % (peer, r[peer + "_note"]))
            else:
                log("    %s: per round %s s; verified vs skillmat: coef %.3g rel / %.3g abs, "
                    "se_hc1 %.3g rel; X (%.0f MB) built in %.2f s, not timed" % (
                        peer, r[peer + "_s_rounds"], r[peer + "_verify_coef_rel"],
                        r[peer + "_verify_coef_abs"], r[peer + "_verify_se_hc1_rel"],
                        r["x_mb"], r[peer + "_x_build_s"]))

    fields = ["n", "p", "nnz", "cpu_model", "cores", "isa", "threads", "head", "src_tree",
              "bench", "bench_built", "rounds", "seed",
              "skillmat_s", "skillmat_min_s", "skillmat_s_rounds", "skillmat_peak_rss_mb",
              "skillmat_check", "skillmat_check_coef_rel", "skillmat_check_se_hc1_rel",
              "recovery_zmax", "recovery_zrms", "x_mb"]
    for peer in peers:
        fields += [peer + x for x in ("_s", "_s_rounds", "_peak_rss_mb", "_ratio", "_x_build_s",
                                      "_verify_coef_rel", "_verify_coef_abs",
                                      "_verify_se_hc1_rel", "_note")]
    fields += ["goal_s", "time_goal_met", "mem_goal_met", "numpy_version", "statsmodels_version"]
    fields += STORE_FIELDS + ["min_support"]
    write_csv(a.csv, fields, rows)


if __name__ == "__main__":
    main()
