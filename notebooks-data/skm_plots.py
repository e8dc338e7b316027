"""skm_plots.py: the helpers the plotting scripts and notebooks of notebooks-data/ share.

Reading a skillmat results file (docs/hdf5-schema.md) with h5py only through its documented paths:
strings, attributes, required groups; figure style; and `savefig`, which writes OUTDIR/<name>.png
at 150 dpi with a tight layout and prints the path.

Needs h5py, numpy and matplotlib (Debian 12: python3-h5py, python3-numpy, python3-matplotlib).
"""
import os
import sys

import matplotlib

if "ipykernel" not in sys.modules:  # a script: no display; a notebook keeps its inline backend
    matplotlib.use("Agg")
import h5py  # noqa: E402
import matplotlib.pyplot as plt  # noqa: E402
import numpy as np  # noqa: E402

DPI = 150

plt.rcParams.update({
    "font.size": 11,
    "axes.titlesize": 13,
    "axes.labelsize": 11,
    "xtick.labelsize": 10,
    "ytick.labelsize": 10,
    "legend.fontsize": 10,
    "figure.titlesize": 15,
    "axes.spines.top": False,
    "axes.spines.right": False,
})

# /postings/seniority_levels has this fixed order (docs/hdf5-schema.md); /describe/by_seniority
# lists its levels by count, so the plots put them back in this order.
SENIORITY_ORDER = ["intern", "junior", "mid", "senior", "staff/principal", "lead/manager",
                   "director+"]


def cli_args(argv=None):
    """RESULTS, OUTDIR from the command line (`script.py RESULTS.h5 OUTDIR`)."""
    argv = sys.argv if argv is None else argv
    if len(argv) != 3 or argv[1] in ("-h", "--help"):
        name = os.path.basename(argv[0]) if argv else "script.py"
        sys.stderr.write(f"usage: {name} RESULTS.h5 OUTDIR\n")
        sys.exit(2)
    return argv[1], argv[2]


def open_results(path):
    """Open a skillmat results file read-only; refuse anything else with a clear message."""
    f = h5py.File(path, "r")
    fmt = attr(f, "format", "")
    if fmt != "skillmat-results":
        f.close()
        raise SystemExit(f"{path}: not a skillmat results file (format = {fmt!r})")
    return f


def need(f, path, command, why=None):
    """The group or dataset at path, or exit with a message naming the command that writes it
    (or why it is absent)."""
    if path not in f:
        hint = why or f"`skillmat {command} STORE -o {f.filename}` writes it"
        raise SystemExit(f"{f.filename}: no /{path.strip('/')}: {hint}")
    return f[path]


def attr(obj, key, default=None):
    """Attribute key of an h5py object as a Python scalar or str (default when absent)."""
    if key not in obj.attrs:
        return default
    v = obj.attrs[key]
    if isinstance(v, np.ndarray) and v.size == 1:
        v = v.reshape(-1)[0]
    if isinstance(v, bytes):
        return v.decode()
    if isinstance(v, np.generic):
        return v.item()
    return v


def strs(ds):
    """A string dataset (any shape) as a numpy array of str of the same shape."""
    a = ds[()]
    flat = [x.decode() if isinstance(x, bytes) else str(x) for x in np.asarray(a).reshape(-1)]
    return np.array(flat, dtype=object).reshape(np.shape(a))


def source(f):
    """Short name of the results file for figure titles."""
    return os.path.basename(f.filename)


def thousands(x, _pos=None):
    """Tick formatter for an axis labelled in thousands: 125000 -> '125'."""
    return f"{x / 1000:,.0f}"


def savefig(fig, outdir, name):
    """Write OUTDIR/<name>.png at 150 dpi with a tight layout, print and return the path."""
    os.makedirs(outdir, exist_ok=True)
    path = os.path.join(outdir, name + ".png")
    fig.savefig(path, dpi=DPI, bbox_inches="tight", pad_inches=0.25, facecolor="white")
    print(path)
    if "ipykernel" not in sys.modules:
        plt.close(fig)
    return path


def declutter(ax, texts, iters=300, pad=2.0):
    """Move text labels of ax apart vertically (in screen space) until none overlaps another.
    Call after the axes limits and the figure layout are final (draws the figure once)."""
    fig = ax.figure
    fig.canvas.draw()
    r = fig.canvas.get_renderer()
    n = len(texts)
    for _ in range(iters):
        boxes = [t.get_window_extent(r) for t in texts]
        shift = np.zeros(n)
        for i in range(n):
            bi = boxes[i]
            for j in range(i + 1, n):
                bj = boxes[j]
                ox = min(bi.x1, bj.x1) - max(bi.x0, bj.x0)
                oy = min(bi.y1, bj.y1) - max(bi.y0, bj.y0) + pad
                if ox > 0 and oy > 0:
                    up = (bi.y0 + bi.y1) > (bj.y0 + bj.y1) or \
                        ((bi.y0 + bi.y1) == (bj.y0 + bj.y1) and i < j)
                    d = 0.5 * oy + 0.25
                    shift[i] += d if up else -d
                    shift[j] -= d if up else -d
        if not shift.any():
            return
        inv = ax.transData.inverted()
        for t, s in zip(texts, shift):
            if s:
                x, y = ax.transData.transform(t.get_position())
                t.set_position(inv.transform((x, y + 0.5 * s)))


def separate(rects, iters=500, pad=2.0):
    """Shifts (dx, dy) that move the rectangles rects (n × 4: x0, y0, x1, y1, screen units) apart
    until none overlaps another: each overlapping pair is pushed apart, half each, along the axis
    where it overlaps less. Used to keep network nodes and their labels clear of each other."""
    r = np.asarray(rects, float).copy()
    n = len(r)
    for _ in range(iters):
        moved = False
        for i in range(n):
            for j in range(i + 1, n):
                ox = min(r[i, 2], r[j, 2]) - max(r[i, 0], r[j, 0]) + pad
                oy = min(r[i, 3], r[j, 3]) - max(r[i, 1], r[j, 1]) + pad
                if ox <= 0 or oy <= 0:
                    continue
                moved = True
                ci, cj = r[i].reshape(2, 2).mean(0), r[j].reshape(2, 2).mean(0)
                ax, o = (1, oy) if oy <= ox else (0, ox)
                s = 1.0 if (ci[ax], j) > (cj[ax], i) else -1.0
                r[i, [ax, ax + 2]] += s * (o / 2 + 0.1)
                r[j, [ax, ax + 2]] -= s * (o / 2 + 0.1)
        if not moved:
            break
    return r[:, :2] - np.asarray(rects, float)[:, :2]


def _overlaps(r, others, pad):
    """How many of the rectangles others (m × 4) the rectangle r overlaps (with pad)."""
    if len(others) == 0:
        return 0
    o = np.asarray(others)
    return int(((np.minimum(r[2], o[:, 2]) - np.maximum(r[0], o[:, 0]) + pad > 0)
                & (np.minimum(r[3], o[:, 3]) - np.maximum(r[1], o[:, 1]) + pad > 0)).sum())


def place_labels(points, radii, sizes, bounds, order=None, gap=4.0, pad=3.0):
    """Greedy label placement around fixed circles (screen units): for each circle in order,
    the first of the candidate spots (right, left, above, below, then the diagonals, each at
    growing distance) where its label (sizes: n × 2 width, height) overlaps no circle, no label
    placed before and stays inside bounds (x0, y0, x1, y1); else the spot with fewest overlaps.
    Returns the label rectangles (n × 4)."""
    pts, rad, wh = (np.asarray(a, float) for a in (points, radii, sizes))
    n = len(pts)
    circles = np.c_[pts - rad[:, None], pts + rad[:, None]]
    placed = np.zeros((0, 4))
    out = np.zeros((n, 4))
    for i in (range(n) if order is None else order):
        (x, y), r, (w, h) = pts[i], rad[i], wh[i]
        best, best_bad = None, None
        for d in (0, 0.5, 1, 1.5, 2, 3, 4, 6, 8):
            e = r + gap + d * h
            cands = [(x + e, y - h / 2), (x - e - w, y - h / 2), (x - w / 2, y + e),
                     (x - w / 2, y - e - h), (x + 0.7 * e, y + 0.7 * e),
                     (x + 0.7 * e, y - 0.7 * e - h), (x - 0.7 * e - w, y + 0.7 * e),
                     (x - 0.7 * e - w, y - 0.7 * e - h)]
            for cx, cy in cands:
                rect = np.array([cx, cy, cx + w, cy + h])
                inside = (rect[0] >= bounds[0] and rect[1] >= bounds[1] and rect[2] <= bounds[2]
                          and rect[3] <= bounds[3])
                bad = _overlaps(rect, circles, pad) + _overlaps(rect, placed, pad) + \
                    (0 if inside else 100)
                if best_bad is None or bad < best_bad:
                    best, best_bad = rect, bad
                if bad == 0:
                    break
            if best_bad == 0:
                break
        out[i] = best
        placed = np.r_[placed, best[None]]
    return out
