"""peers_common.py — what the peer-comparison scripts (cluster_peers.py, cooccur_peers.py,
regress_peers.py, h5io_peers.py) share: logging, the machine and repository state, the BLAS numpy
loaded, running the benchmark program and the peers' worker processes, waiting for the shared
machine to be quiet (and to have free memory) before a timing, a store's size (store_info, for
--store), the CSV. The workers (`/usr/bin/python3 -c WORKER`, fresh processes) import it too, for
the memory figures (peak_rss_mb, reset_peak_rss)."""
import csv
import ctypes
import os
import signal
import subprocess
import sys
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
BENCH_DIR = os.path.join(ROOT, "bench")
PY = "/usr/bin/python3"  # Debian's python3 with numpy, scipy, statsmodels, scikit-learn


def log(*a):
    print(*a, flush=True)


def fmt_s(x):
    """Seconds for a table: 'n/a' for NaN, 3 decimals below 10 s, 1 above."""
    if x != x:
        return "n/a"
    return "%.3f" % x if x < 10 else "%.1f" % x


def blas_info():
    """The BLAS library numpy loaded, its config and thread count (OpenBLAS), best effort."""
    libs = sorted({l.split()[-1] for l in open("/proc/self/maps") if "blas" in l.lower()
                   and l.split()[-1].startswith("/")})
    info = "; ".join(libs) or "?"
    for path in libs:
        try:
            lib = ctypes.CDLL(path)
            cfg = lib.openblas_get_config
            cfg.restype = ctypes.c_char_p
            return "%s (%s, %d threads)" % (info, cfg().decode(), lib.openblas_get_num_threads())
        except (OSError, AttributeError):
            continue
    return info


def thread_env():
    """The thread-count environment variables, for the log."""
    return ", ".join("%s=%s" % (k, os.environ.get(k, "(unset)")) for k in
                     ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS"))


def git_head():
    """The repository's HEAD commit (read only; the working tree may differ from it)."""
    try:
        r = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return r.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


def src_state():
    """'clean' or 'modified' (uncommitted changes under src/, include/, kernels/)."""
    try:
        r = subprocess.run(["git", "-C", ROOT, "status", "--porcelain", "--", "src", "include",
                            "kernels"], stdout=subprocess.PIPE, stderr=subprocess.DEVNULL,
                           text=True)
        return "modified" if r.stdout.strip() else "clean"
    except OSError:
        return "?"


def cpu_model():
    try:
        for line in open("/proc/cpuinfo"):
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "?"


def mem_available_mb():
    try:
        for line in open("/proc/meminfo"):
            if line.startswith("MemAvailable:"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("inf")


def wait_memory(need_mb, max_wait):
    """Wait (up to max_wait s) for need_mb of available memory; True when there is."""
    start = time.perf_counter()
    while mem_available_mb() < need_mb:
        if time.perf_counter() - start >= max_wait:
            return False
        time.sleep(2.0)
    return True


def proc_status_mb(field):
    """A field of /proc/self/status ("VmRSS", "VmHWM") in MB, NaN when unavailable."""
    try:
        for line in open("/proc/self/status"):
            if line.startswith(field + ":"):
                return int(line.split()[1]) / 1024.0
    except OSError:
        pass
    return float("nan")


def reset_peak_rss():
    """Reset this process's VmHWM to its current RSS (Linux >= 4.0); True when it worked."""
    try:
        with open("/proc/self/clear_refs", "w") as f:
            f.write("5")
        return True
    except OSError:
        return False


def idle_fraction(seconds):
    """Idle share of all CPUs over `seconds` (/proc/stat), or None off Linux."""
    def sample():
        with open("/proc/stat") as f:
            v = [int(x) for x in f.readline().split()[1:9]]
        return sum(v), v[3] + v[4]
    try:
        t0, i0 = sample()
        time.sleep(seconds)
        t1, i1 = sample()
    except OSError:
        return None
    return (i1 - i0) / max(1, t1 - t0)


def wait_quiet(max_wait):
    """The machine is shared: wait (up to max_wait s) until the CPUs are >= 90 % idle over 1 s,
    so that '2 threads' means 2 cores. Returns a note for the log."""
    if max_wait <= 0:
        return "no wait"
    start = time.perf_counter()
    while True:
        idle = idle_fraction(1.0)
        if idle is None:
            return "idle ?"
        waited = time.perf_counter() - start
        if idle >= 0.9 or waited >= max_wait:
            return "idle %.0f %%%s" % (100 * idle, "" if idle >= 0.9 else
                                       " after %.0f s: NOT quiet" % waited)


CHILD = None  # the subprocess running now (killed if the script is terminated)


def run_child(cmd, stderr=subprocess.PIPE):
    """Run cmd to completion: (returncode, stdout, stderr). stderr=None: the child's stderr goes
    to ours as it comes (progress), and the returned stderr is ''."""
    global CHILD
    CHILD = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=stderr, text=True)
    out, err = CHILD.communicate()
    rc, CHILD = CHILD.returncode, None
    return rc, out, err or ""


def exit_on_sigterm(name):
    """On SIGTERM kill the running child, then leave through the caller's `finally` clauses
    (which remove the temporary data)."""
    def handler(signum, frame):
        if CHILD is not None and CHILD.poll() is None:
            CHILD.kill()
        raise SystemExit("%s: terminated (signal %d)" % (name, signum))
    signal.signal(signal.SIGTERM, handler)


def find_bench(name, given=None):
    """The benchmark program: `given`, else build-bench/NAME, else build/NAME of the repository;
    exits with a hint when it is not there."""
    bench = given
    if bench is None:
        for d in ("build-bench", "build"):
            bench = os.path.join(ROOT, d, name)
            if os.path.exists(bench):
                break
    if not os.access(bench, os.X_OK):
        sys.exit("no %s at %s: build it (cmake --build build-bench --target %s) or pass --bench"
                 % (name, bench, name))
    return bench


def bench_built(bench):
    return time.strftime("%Y-%m-%dT%H:%M:%S", time.localtime(os.path.getmtime(bench)))


def run_bench(bench, args, kind=None):
    """Run the benchmark program (exit on failure). Its RESULT lines ("RESULT kind key=value
    ..."): the list of dicts (with "kind"), or with `kind` the first of that kind (exit when
    there is none). Returns (stdout, that)."""
    cmd = [bench] + [str(a) for a in args]
    rc, out, err = run_child(cmd)
    name = os.path.basename(bench)
    if rc != 0:
        sys.exit("%s failed (%s), exit %d:\n%s%s" % (name, " ".join(cmd), rc, out, err))
    results = []
    for line in out.splitlines():
        if line.startswith("RESULT "):
            k, *kv = line[7:].split()
            d = dict(x.split("=", 1) for x in kv)
            d["kind"] = k
            results.append(d)
    if kind is None:
        return out, results
    for d in results:
        if d["kind"] == kind:
            return out, d
    sys.exit("no RESULT %s line from %s:\n%s" % (kind, " ".join(cmd), out))


def store_info(path):
    """A skillmat store given with --store: dict(store=absolute path, store_n, store_p,
    store_nnz) from the /matrix attributes n_rows, n_cols, nnz (docs/hdf5-schema.md), read with
    h5py. Exits when the file is missing or is not a store."""
    import h5py  # here, not at the top: only the --store runs need it
    apath = os.path.abspath(path)
    if not os.path.isfile(apath):
        sys.exit("--store %s: no such file" % path)
    try:
        with h5py.File(apath, "r") as f:
            fmt = f.attrs.get("format")
            if isinstance(fmt, bytes):
                fmt = fmt.decode()
            if fmt != "skillmat":
                sys.exit("--store %s: not a skillmat store (root attribute format = %r)"
                         % (path, fmt))
            m = f["/matrix"].attrs
            return dict(store=apath, store_n=int(m["n_rows"]), store_p=int(m["n_cols"]),
                        store_nnz=int(m["nnz"]))
    except (OSError, KeyError) as e:
        sys.exit("--store %s: cannot read it as a skillmat store: %s" % (path, e))


def add_store_args(ap):
    """--store PATH (repeatable) and its named forms --store256 PATH, --store2048 PATH, for the
    scripts that run one data set per store (cooccur_peers.py, regress_peers.py)."""
    ap.add_argument("--store", action="append", default=[], metavar="PATH",
                    help="a skillmat store as one data set instead of synthetic data "
                    "(repeatable: one data set per store, in the order given)")
    ap.add_argument("--store256", default=None, metavar="PATH", help="the same as --store PATH "
                    "for the issue's n = 1,000,000, p = 256 store (run first)")
    ap.add_argument("--store2048", default=None, metavar="PATH", help="the same as --store PATH "
                    "for the issue's n = 200,000, p = 2048 store (run after --store256)")


def stores_given(a):
    """The stores of add_store_args, in run order: --store256, --store2048, then each --store;
    a note is logged when a named store's p is not its name's. [] without any."""
    named = [(x, p) for x, p in ((a.store256, 256), (a.store2048, 2048)) if x]
    infos = []
    for path, want in named + [(x, None) for x in a.store]:
        info = store_info(path)
        if want is not None and info["store_p"] != want:
            log("NOTE: --store%d %s has p = %d skills, not %d" % (want, path, info["store_p"],
                                                                 want))
        infos.append(info)
    return infos


STORE_FIELDS = ["data", "store", "store_n", "store_p", "store_nnz"]  # CSV columns of --store


def store_fields(info):
    """The STORE_FIELDS of a CSV row: data=store and the store's path and size, or data=synth."""
    if info is None:
        return dict(data="synth", store="", store_n="", store_p="", store_nnz="")
    return dict(data="store", **info)


def write_csv(path, fields, rows):
    """rows (dicts) as CSV with the columns `fields` (other keys ignored; floats %.6g)."""
    os.makedirs(os.path.dirname(os.path.abspath(path)), exist_ok=True)
    with open(path, "w", newline="") as f:
        w = csv.DictWriter(f, fieldnames=fields)
        w.writeheader()
        for r in rows:
            w.writerow({k: ("%.6g" % v if isinstance(v, float) else v) for k, v in r.items()
                        if k in fields})
    log("wrote %s" % path)
