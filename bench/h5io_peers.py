#!/usr/bin/python3
"""h5io_peers.py — skillmat's store reader and writer against h5py, on the same store, same run.

    /usr/bin/python3 bench/h5io_peers.py --store PATH [--store PATH ...] [--rounds 3] [--reps 5]
        [--bench build-bench/bench_h5io] [--csv bench/results/h5io_peers.csv]
        [--work-dir DIR] [--block-rows 65536] [--quiet-wait 120] [--keep]

Each --store is one data set (the issue's two sizes: `--store A.h5 --store B.h5`); every store is
checked before any store is timed. The arrays: /matrix/indptr (int64, n + 1), /matrix/indices
and /matrix/counts (int32, nnz) and /postings/salary_annual (float64, n) of the store
(docs/hdf5-schema.md).

    skillmat read   `bench_h5io --ops read`: skm_store_open, skm_store_read_block over all rows
                    in blocks of --block-rows (65,536) and skm_store_read_column(salary_annual)
                    over the same rows, skm_store_close (streamed: one block in memory)
    h5py read       h5py.File(store); f['/matrix/indptr'][:], indices, counts,
                    f['/postings/salary_annual'][:]; close (the whole arrays in memory)
    skillmat write  `bench_h5io --ops write`: those arrays (read before the timing) as a new
                    store through skillmat's store writer (skm_storew_open / append per block /
                    finish: validation, temporary file, fsync, rename, fsync of the directory),
                    deflate at the level of the store's /matrix/indices, shuffle, Fletcher-32.
                    The writer needs every posting column: the ones the arrays do not give are
                    written as constant missing values (bench_h5io.c lists them), plus the small
                    objects of a store (empty level tables, the skills, provenance)
    h5py write      the same arrays and the same constant posting columns into a new file, each
                    dataset with the chunk shape and filters of the store's dataset of that name
                    as h5py reports them (chunks, compression and its level, shuffle,
                    fletcher32; maxshape (None,), as skillmat's are extensible): the four arrays
                    with one create_dataset(data=...) each, the constant columns chunk by chunk
                    from one chunk-sized buffer (as skillmat appends them block by block); the
                    file is written under a temporary name, closed, fsync'ed, renamed and the
                    directory fsync'ed, as skillmat's writer does (the time before the fsync is
                    reported too). The small objects (levels, skills, provenance: a few kB) are
                    skillmat's alone

Before anything is timed: `bench_h5io --check-dir` dumps the arrays skillmat's reader returns and
writes one store of them (skillmat.h5); a fresh h5py process reads the store and checks its
arrays equal skillmat's bit for bit (NaN salaries included), writes its own file (h5py.h5) the
timed way, and checks that the two written files hold the same datasets (every /matrix and
/postings column h5py writes: same dtype, shape and bits, the four arrays equal to the store's),
with the same dataset creation properties (chunk shape, filter pipeline in order with their
parameters, maxshape) as each other and as the store. Any difference: message, exit 1, no times.

Then --rounds rounds, alternating skillmat read, h5py read, skillmat write, h5py write, each in a
fresh process (bench_h5io, or `/usr/bin/python3 -c WORKER`) after a wait (up to --quiet-wait s)
for idle CPUs; each does one untimed read first (the store then sits in the page cache: the read
times are decompression and HDF5, not the disk) and --reps timed repetitions, and reports their
median and its peak RSS (VmHWM reset just before the repetitions; the writes hold the arrays in
memory, the reads: skillmat one block, h5py the whole arrays). Writes go to --work-dir (default:
a temporary directory under $TMPDIR or /tmp, removed at the end unless --keep), each repetition
to a new file, removed afterwards (not timed). The table reports medians over the rounds; ratios
are h5py / skillmat. The CSV (default bench/results/h5io_peers.csv) has one row per store and
operation: the medians (skillmat_s, h5py_s, ratio), each round's (*_s_rounds), peak RSS, what
was verified, the store's path and n, p, nnz (also as n, p, nnz).
"""
import argparse
import json
import os
import shutil
import statistics
import sys
import tempfile
import time

from peers_common import (BENCH_DIR, PY, ROOT, bench_built, cpu_model, exit_on_sigterm,
                          find_bench, git_head, log, mem_available_mb, run_bench, run_child,
                          src_state, store_fields, store_info, wait_quiet, write_csv)

# What each operation is, for the CSV (column `what`).
WHAT = {"read": "open, read indptr, indices, counts, salary_annual whole, close",
        "write": "the four arrays + constant posting columns, same chunks and filters, fsync"}

# h5py in a fresh process: argv = bench_dir mode store reps dir. mode verify (dir = the check
# directory of bench_h5io), read, or write (dir = where the files go). Prints one JSON line.
WORKER = r'''
import json, os, sys, time
sys.path.insert(0, sys.argv[1])
import numpy as np
import h5py
from peers_common import proc_status_mb, reset_peak_rss
mode, store, reps, wdir = sys.argv[2], sys.argv[3], int(sys.argv[4]), sys.argv[5]
ARRAYS = ("/matrix/indptr", "/matrix/indices", "/matrix/counts", "/postings/salary_annual")
# the posting columns skillmat's writer needs and bench_h5io fills with constant missing values
FILL = dict([(c, ("<i4", -1)) for c in ("title", "role", "company", "location", "country",
                                         "seniority", "role_family", "work_mode",
                                         "salary_currency")] +
            [("posted_date", ("<i8", np.iinfo(np.int64).min)), ("salary_min", ("<f8", np.nan)),
             ("salary_max", ("<f8", np.nan)), ("salary_period", ("|i1", 0)),
             ("remote", ("|i1", -1)), ("salary_flag", ("|i1", 0)), ("source_file", ("<i4", 0)),
             ("source_line", ("<i8", 0))])

def read_arrays(path):
    with h5py.File(path, "r") as f:
        return [f[name][:] for name in ARRAYS]

def dcpl_kwargs(ds):
    return dict(chunks=ds.chunks, compression=ds.compression,
                compression_opts=ds.compression_opts, shuffle=ds.shuffle,
                fletcher32=ds.fletcher32, maxshape=(None,))

def store_dcpl(path):
    """The creation properties to write each dataset with: the store's dataset of that name (a
    posting column it lacks: those of /postings/salary_annual)."""
    out = {}
    with h5py.File(path, "r") as f:
        for name in ARRAYS:
            out[name] = dcpl_kwargs(f[name])
        for c in FILL:
            name = "/postings/" + c
            out[name] = dcpl_kwargs(f[name] if name in f else f["/postings/salary_annual"])
    return out

def write_file(path, arrays, dcpl):
    """The timed write: (seconds to the close, seconds with fsync and rename)."""
    tmp = os.path.join(os.path.dirname(path), "." + os.path.basename(path) + ".tmp")
    s = time.perf_counter()
    n = arrays[3].shape[0]
    with h5py.File(tmp, "w") as f:
        for name, a in zip(ARRAYS, arrays):
            f.create_dataset(name, data=a, **dcpl[name])
        m = f["/matrix"].attrs
        m["n_rows"], m["n_cols"], m["nnz"], m["format"] = n, P, arrays[1].shape[0], "csr"
        for c, (dt, v) in FILL.items():
            kw = dcpl["/postings/" + c]
            ds = f.create_dataset("/postings/" + c, shape=(n,), dtype=dt, **kw)
            step = kw["chunks"][0] if kw["chunks"] else n
            buf = np.full(min(step, n), v, dtype=dt)
            for i in range(0, n, step):
                ds[i:i + step] = buf[:min(step, n - i)]
    closed = time.perf_counter() - s
    fd = os.open(tmp, os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    os.rename(tmp, path)
    fd = os.open(os.path.dirname(path) or ".", os.O_RDONLY)
    os.fsync(fd)
    os.close(fd)
    return closed, time.perf_counter() - s

with h5py.File(store, "r") as f:
    P = int(f["/matrix"].attrs["n_cols"])
out = dict(mode=mode, h5py=h5py.__version__, hdf5=h5py.version.hdf5_version,
           numpy=np.__version__)

if mode == "verify":
    problems = []
    # 1. what h5py reads equals what skillmat's reader returned (bench_h5io --check-dir)
    n, p, nnz, level = (int(x) for x in open(os.path.join(wdir, "meta.txt")).read().split())
    arrays = read_arrays(store)
    dumps = [np.fromfile(os.path.join(wdir, fn), dtype=dt) for fn, dt in (
        ("indptr.i64", "<i8"), ("indices.i32", "<i4"), ("counts.i32", "<i4"),
        ("salary.f64", "<f8"))]
    def same_bits(a, b):
        return (a.dtype.itemsize == b.dtype.itemsize and a.shape == b.shape and
                np.array_equal(np.ascontiguousarray(a).view("u%d" % a.dtype.itemsize),
                               np.ascontiguousarray(b).view("u%d" % b.dtype.itemsize)))
    for name, a, d in zip(ARRAYS, arrays, dumps):
        if a.dtype.str != d.dtype.str or not same_bits(a, d):
            problems.append("%s: h5py read %s %s, skillmat's reader %s %s%s" % (
                name, a.dtype, a.shape, d.dtype, d.shape, "" if a.shape != d.shape else
                ", %d values differ" % int((a.view("u%d" % a.dtype.itemsize) !=
                                           d.view("u%d" % d.dtype.itemsize)).sum())))
    out["read_equal"] = not problems
    out["nan_salaries"] = int(np.isnan(arrays[3]).sum())
    # 2. h5py writes its file the timed way; both written files read back the same
    dcpl = store_dcpl(store)
    mine = os.path.join(wdir, "h5py.h5")
    out["h5py_write_s"] = write_file(mine, arrays, dcpl)[1]
    theirs = os.path.join(wdir, "skillmat.h5")
    def pipeline(ds):
        pl = ds.id.get_create_plist()
        return [(pl.get_filter(i)[0], tuple(pl.get_filter(i)[2])) for i in
                range(pl.get_nfilters())]
    def props(ds):
        return dict(dtype=ds.dtype.str, shape=ds.shape, chunks=ds.chunks, maxshape=ds.maxshape,
                    filters=pipeline(ds))
    compared, skillmat_only = [], []
    with h5py.File(theirs, "r") as fs, h5py.File(mine, "r") as fh, h5py.File(store, "r") as fo:
        names = []
        fs.visititems(lambda k, v: names.append("/" + k) if isinstance(v, h5py.Dataset)
                      else None)
        for name in names:
            if name not in fh:
                skillmat_only.append(name)
                continue
            a, b = fs[name], fh[name]
            pa, pb = props(a), props(b)
            if pa != pb:
                problems.append("%s: skillmat wrote %s, h5py %s" % (name, pa, pb))
            if name in fo and name.startswith(("/matrix/", "/postings/")):
                po = props(fo[name])
                po["shape"] = pa["shape"]
                if po != pa:
                    problems.append("%s: the store has %s, skillmat wrote %s" % (name, po, pa))
            va, vb = a[()], b[()]
            if not same_bits(va, vb):
                problems.append("%s: the written files hold different values" % name)
            if name in ARRAYS and not same_bits(va, arrays[ARRAYS.index(name)]):
                problems.append("%s: the written file differs from the store" % name)
            compared.append(name)
        h5only = []
        fh.visititems(lambda k, v: h5only.append("/" + k) if isinstance(v, h5py.Dataset)
                      and "/" + k not in fs else None)
        if h5only:
            problems.append("h5py wrote datasets skillmat did not: %s" % h5only)
        out["dcpl"] = {name: props(fs[name]) for name in ARRAYS}
    out.update(problems=problems, compared=compared, skillmat_only=skillmat_only,
               n=n, p=p, nnz=nnz, level=level, size_skillmat=os.path.getsize(theirs),
               size_h5py=os.path.getsize(mine))
elif mode == "read":
    read_arrays(store)  # untimed: the file in the page cache
    out["rss_before_mb"] = proc_status_mb("VmRSS")
    out["hwm_reset"] = reset_peak_rss()
    t = []
    for r in range(reps):
        s = time.perf_counter()
        arrays = read_arrays(store)
        t.append(time.perf_counter() - s)
        del arrays
    out.update(times=t, peak_rss_mb=proc_status_mb("VmHWM"))
elif mode == "write":
    arrays = read_arrays(store)
    dcpl = store_dcpl(store)
    out["rss_before_mb"] = proc_status_mb("VmRSS")
    out["hwm_reset"] = reset_peak_rss()
    t, tc = [], []
    for r in range(reps):
        path = os.path.join(wdir, "h5io_peers_%d_%d.h5" % (os.getpid(), r))
        closed, total = write_file(path, arrays, dcpl)
        t.append(total)
        tc.append(closed)
        out["file_mb"] = os.path.getsize(path) / 1e6
        os.unlink(path)
    out.update(times=t, times_closed=tc, peak_rss_mb=proc_status_mb("VmHWM"))
print("JSON " + json.dumps(out), flush=True)
'''


def run_h5py(mode, store, reps, wdir):
    cmd = [PY, "-c", WORKER, BENCH_DIR, mode, store, str(reps), wdir]
    rc, out, err = run_child(cmd)
    for line in out.splitlines():
        if line.startswith("JSON ") and rc == 0:
            return json.loads(line[5:])
    sys.exit("h5py worker (%s) failed (exit %d):\n%s%s" % (mode, rc, out, err))


def check_store(bench, info, work, B):
    """bench_h5io --check-dir, then h5py's verification; exits on any difference."""
    store = info["store"]
    check = os.path.join(work, "check_%d" % info["index"])
    args = ["--store", store, "--check-dir", check, "--reps", 0] + B
    log("\n==== check: %s ====\n$ %s %s" % (store, bench, " ".join(str(x) for x in args)))
    out, _ = run_bench(bench, args)
    log(out.rstrip())
    v = run_h5py("verify", store, 0, check)
    if (v["n"], v["p"], v["nnz"]) != (info["store_n"], info["store_p"], info["store_nnz"]):
        sys.exit("skillmat's reader returned n=%d p=%d nnz=%d, the store's attributes say %s"
                 % (v["n"], v["p"], v["nnz"], info))
    log("  h5py %s reads the same four arrays as skillmat's reader, bit for bit (%d NaN "
        "salaries)%s" % (v["h5py"], v["nan_salaries"], "" if v["read_equal"] else ": NO"))
    for name, d in v["dcpl"].items():
        log("    %-24s %s %s, chunks %s, maxshape %s, filters %s" % (
            name, d["dtype"], tuple(d["shape"]), tuple(d["chunks"] or ()),
            tuple(d["maxshape"]), " ".join("%d%s" % (c, list(p) if p else "")
                                           for c, p in d["filters"])))
    log("  written once each: skillmat.h5 %.2f MB, h5py.h5 %.2f MB (h5py write %.3f s); "
        "%d datasets compared (values, dtype, shape, chunks, filters, maxshape); written by "
        "skillmat only: %d small datasets (in %s)" % (
            v["size_skillmat"] / 1e6, v["size_h5py"] / 1e6, v["h5py_write_s"],
            len(v["compared"]), len(v["skillmat_only"]),
            ", ".join(sorted({x.rsplit("/", 1)[0] for x in v["skillmat_only"]}))))
    if v["problems"]:
        sys.exit("h5io_peers: skillmat and h5py do not agree on %s; no times reported:\n%s"
                 % (store, "\n".join("  " + x for x in v["problems"])))
    log("  the two written files hold identical datasets with identical creation properties, "
        "the store's")
    return v


def time_store(bench, info, work, B, a):
    """--rounds rounds alternating the four operations; the per-round results."""
    store = info["store"]
    log("\n==== timings: %s ====" % store)
    res = {k: [] for k in ("skm_read", "h5_read", "skm_write", "h5_write")}
    for r in range(a.rounds):
        q = wait_quiet(a.quiet_wait)
        _, d = run_bench(bench, ["--store", store, "--ops", "read", "--reps", a.reps] + B,
                         "h5io_read")
        res["skm_read"].append(dict(s=float(d["median_s"]), min_s=float(d["min_s"]),
                                    rss=float(d["peak_rss_mb"]), quiet=q))
        log("  round %d: skillmat read  %8.4f s (median of %d, min %.4f; peak RSS %.0f MB; "
            "%s before)" % (r + 1, float(d["median_s"]), a.reps, float(d["min_s"]),
                            float(d["peak_rss_mb"]), q))
        q = wait_quiet(a.quiet_wait)
        w = run_h5py("read", store, a.reps, work)
        res["h5_read"].append(dict(s=statistics.median(w["times"]), min_s=min(w["times"]),
                                   rss=w["peak_rss_mb"], quiet=q))
        log("           h5py read      %8.4f s (median of %d, min %.4f; peak RSS %.0f MB; "
            "%s before)" % (res["h5_read"][-1]["s"], a.reps, min(w["times"]),
                            w["peak_rss_mb"], q))
        q = wait_quiet(a.quiet_wait)
        _, d = run_bench(bench, ["--store", store, "--ops", "write", "--reps", a.reps,
                                 "--out-dir", work] + B, "h5io_write")
        res["skm_write"].append(dict(s=float(d["median_s"]), min_s=float(d["min_s"]),
                                     rss=float(d["peak_rss_mb"]), quiet=q,
                                     file_mb=float(d["file_mb"])))
        log("           skillmat write %8.4f s (median of %d, min %.4f; peak RSS %.0f MB; "
            "file %.1f MB; %s before)" % (float(d["median_s"]), a.reps, float(d["min_s"]),
                                          float(d["peak_rss_mb"]), float(d["file_mb"]), q))
        q = wait_quiet(a.quiet_wait)
        w = run_h5py("write", store, a.reps, work)
        res["h5_write"].append(dict(s=statistics.median(w["times"]), min_s=min(w["times"]),
                                    closed_s=statistics.median(w["times_closed"]),
                                    rss=w["peak_rss_mb"], quiet=q, file_mb=w["file_mb"]))
        log("           h5py write     %8.4f s (median of %d, min %.4f; %.4f s before the "
            "fsync; peak RSS %.0f MB; file %.1f MB; %s before)" % (
                res["h5_write"][-1]["s"], a.reps, min(w["times"]),
                res["h5_write"][-1]["closed_s"], w["peak_rss_mb"], w["file_mb"], q))
    return res


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--store", action="append", required=True, metavar="PATH",
                    help="a skillmat store (repeatable: each store is checked, then timed)")
    ap.add_argument("--rounds", type=int, default=3)
    ap.add_argument("--reps", type=int, default=5, help="timed repetitions per process")
    ap.add_argument("--block-rows", type=int, default=65536,
                    help="skillmat's rows per block (read and write)")
    ap.add_argument("--bench", default=None,
                    help="bench_h5io binary (default: build-bench/, else build/ of the repo)")
    ap.add_argument("--csv", default=os.path.join(ROOT, "bench", "results", "h5io_peers.csv"))
    ap.add_argument("--work-dir", default=None, help="where the check files and the timed writes "
                    "go (default: a new temporary directory under $TMPDIR or /tmp)")
    ap.add_argument("--keep", action="store_true", help="keep the work directory (the check "
                    "dumps and the two written files of each store)")
    ap.add_argument("--quiet-wait", type=float, default=120.0,
                    help="before each timing, wait up to this many seconds for idle CPUs "
                    "(0: do not wait)")
    a = ap.parse_args()
    if a.rounds < 1 or a.reps < 1:
        sys.exit("--rounds and --reps must be at least 1")
    infos = []
    for i, path in enumerate(a.store):
        infos.append(dict(store_info(path), index=i))
    bench = find_bench("bench_h5io", a.bench)
    import h5py
    import numpy as np

    cpu = cpu_model()
    cores = len(os.sched_getaffinity(0))
    head = git_head()
    tree = src_state()
    built = bench_built(bench)
    log("h5io_peers: %s, rounds=%d, reps=%d, %s" % (", ".join(
        "store %s (n=%d p=%d nnz=%d, %.1f MB)" % (
            i["store"], i["store_n"], i["store_p"], i["store_nnz"],
            os.path.getsize(i["store"]) / 1e6) for i in infos),
        a.rounds, a.reps, time.strftime("%Y-%m-%dT%H:%M:%S")))
    log("python %s, numpy %s, h5py %s (HDF5 %s)" % (sys.version.split()[0], np.__version__,
                                                   h5py.__version__, h5py.version.hdf5_version))
    log("CPU: %s, %d CPUs available, %.1f GiB available memory; bench: %s (built %s); "
        "repository HEAD %s, src/ include/ kernels/ %s now" % (
            cpu, cores, mem_available_mb() / 1024.0, bench, built, head, tree))

    exit_on_sigterm("h5io_peers")
    if a.work_dir:
        os.makedirs(a.work_dir, exist_ok=True)
    work = tempfile.mkdtemp(prefix="h5io_peers.", dir=a.work_dir)
    log("work directory (the check files, the timed writes): %s" % work)
    B = ["--block-rows", a.block_rows]
    try:
        # 1. Every store checked before any timing; 2. the timings.
        checks = [check_store(bench, info, work, B) for info in infos]
        results = [time_store(bench, info, work, B, a) for info in infos]
    finally:
        if a.keep:
            log("kept %s" % work)
        else:
            shutil.rmtree(work, ignore_errors=True)

    log("\nmedian over %d rounds of the median of %d repetitions per process; arrays indptr, "
        "indices, counts, salary_annual (MB: their bytes in memory); ratio = h5py / skillmat; "
        "RSS = peak resident memory of the process during the repetitions" % (a.rounds, a.reps))
    log("machine: %s, %d CPUs; h5py %s, HDF5 %s (h5py's), numpy %s\n" % (
        cpu, cores, h5py.__version__, h5py.version.hdf5_version, np.__version__))
    hdr = ["store", "n", "p", "nnz", "operation", "skillmat s", "h5py s", "h5py / skillmat",
           "skillmat MB/s", "h5py MB/s", "skillmat RSS MB", "h5py RSS MB"]
    log("| " + " | ".join(hdr) + " |")
    log("|" + "|".join("---:" for _ in hdr) + "|")
    rows = []
    for info, v, res in zip(infos, checks, results):
        def med(k, key="s"):
            return statistics.median(x[key] for x in res[k])
        raw_mb = ((info["store_n"] + 1) * 8 + info["store_nnz"] * 8 + info["store_n"] * 8) / 1e6
        for op in ("read", "write"):
            sk, h5 = med("skm_" + op), med("h5_" + op)
            log("| {} | {:,} | {} | {:,} | {} | {:.4f} | {:.4f} | {:.2f}x | {:.0f} | {:.0f} | "
                "{:.0f} | {:.0f} |".format(
                    os.path.basename(info["store"]), info["store_n"], info["store_p"],
                    info["store_nnz"], op, sk, h5, h5 / sk, raw_mb / sk, raw_mb / h5,
                    max(x["rss"] for x in res["skm_" + op]),
                    max(x["rss"] for x in res["h5_" + op])))
        verified = ("h5py's arrays = skillmat's reader's, bit for bit; the two written files: "
                    "%d datasets identical in values and creation properties" % len(v["compared"]))
        for op in ("read", "write"):
            sk, h5 = res["skm_" + op], res["h5_" + op]
            rows.append(dict(
                store_fields({k: info[k] for k in ("store", "store_n", "store_p", "store_nnz")}),
                op=op, n=info["store_n"], p=info["store_p"], nnz=info["store_nnz"], what=WHAT[op],
                skillmat_s=med("skm_" + op), h5py_s=med("h5_" + op),
                ratio=med("h5_" + op) / med("skm_" + op),
                skillmat_s_rounds=" ".join("%.4f" % x["s"] for x in sk),
                h5py_s_rounds=" ".join("%.4f" % x["s"] for x in h5),
                skillmat_min_s=min(x["min_s"] for x in sk), h5py_min_s=min(x["min_s"] for x in h5),
                skillmat_peak_rss_mb=max(x["rss"] for x in sk),
                h5py_peak_rss_mb=max(x["rss"] for x in h5),
                h5py_closed_s=med("h5_write", "closed_s") if op == "write" else "",
                skillmat_file_mb=sk[-1]["file_mb"] if op == "write" else "",
                h5py_file_mb=h5[-1]["file_mb"] if op == "write" else "",
                verified=verified, raw_mb=raw_mb, level=v["level"], block_rows=a.block_rows,
                rounds=a.rounds, reps=a.reps, cpu_model=cpu, cores=cores, head=head,
                src_tree=tree, bench=bench, bench_built=built, h5py_version=h5py.__version__,
                hdf5_version=h5py.version.hdf5_version))
    for info, v, res in zip(infos, checks, results):
        log("  %s: h5py write before its fsync and rename %.4f s (median); files written: "
            "skillmat %.1f MB, h5py %.1f MB; verified before the timings: h5py's arrays = "
            "skillmat's reader's, bit for bit; the two written files: %d datasets identical in "
            "values and creation properties" % (
                info["store"], statistics.median(x["closed_s"] for x in res["h5_write"]),
                res["skm_write"][-1]["file_mb"], res["h5_write"][-1]["file_mb"],
                len(v["compared"])))
    fields = ["op", "n", "p", "nnz", "what", "skillmat_s", "h5py_s", "ratio",
              "skillmat_s_rounds", "h5py_s_rounds", "skillmat_min_s", "h5py_min_s",
              "skillmat_peak_rss_mb", "h5py_peak_rss_mb", "h5py_closed_s", "skillmat_file_mb",
              "h5py_file_mb", "verified", "data", "store", "store_n", "store_p", "store_nnz",
              "raw_mb", "level", "block_rows", "rounds", "reps", "cpu_model", "cores", "head",
              "src_tree", "bench", "bench_built", "h5py_version", "hdf5_version"]
    write_csv(a.csv, fields, rows)


if __name__ == "__main__":
    main()
