"""peers_common.py — what the peer-comparison scripts (cooccur_peers.py, regress_peers.py) share:
logging, the BLAS numpy loaded, the repository's HEAD, and waiting for the shared machine to be
quiet before a timing."""
import ctypes
import os
import subprocess
import time

ROOT = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(*a):
    print(*a, flush=True)


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


def git_head():
    """The repository's HEAD commit (read only; the working tree may differ from it)."""
    try:
        r = subprocess.run(["git", "-C", ROOT, "rev-parse", "--short=12", "HEAD"],
                           stdout=subprocess.PIPE, stderr=subprocess.DEVNULL, text=True)
        return r.stdout.strip() or "unknown"
    except OSError:
        return "unknown"


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
