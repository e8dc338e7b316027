#!/usr/bin/python3
"""# Skill co-occurrence

Which skills go together beyond chance, from `/cooccurrence` (written by `skillmat cooccur`).

* Left: the normalised PMI (`/cooccurrence/pairs/npmi`, −1 never together, 0 independent, +1
  always together) of every pair among the 30 skills in most postings
  (`/cooccurrence/skills/n_a`), rows ordered so that related skills sit together (spectral
  seriation of the positive NPMI); a dot marks a validated pair (`pairs/validated`: BH q-value of
  Fisher's test below `alpha`), grey cells are pairs under `min_support` (not reported).
* Right: the network of validated pairs among the 40 skills in most postings, drawn with a
  spring layout computed here in numpy: node area ~ postings listing the skill, edge width ~
  NPMI; only the strongest edges are drawn (and each skill's strongest one) to keep it readable.

Run as a script: `/usr/bin/python3 notebooks-data/cooccurrence.py RESULTS.h5 OUTDIR` writes
`OUTDIR/cooccurrence.png`.
"""
# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.collections import LineCollection

import skm_plots as skm

RESULTS, OUTDIR = skm.cli_args()

# %%
# Read the skill axis and the reported pairs.
N_HEAT, N_NET, MAX_EDGES = 30, 40, 110
with skm.open_results(RESULTS) as f:
    g = skm.need(f, "cooccurrence", "cooccur")
    src = skm.source(f)
    names = skm.strs(g["skills/name"])
    n_a = g["skills/n_a"][()]
    pa, pb = g["pairs/a"][()], g["pairs/b"][()]
    npmi, validated = g["pairs/npmi"][()], g["pairs/validated"][()] == 1
    n_postings, alpha = skm.attr(g, "n_postings"), skm.attr(g, "alpha")
    min_support = skm.attr(g, "min_support")

p = len(names)
NPMI = np.full((p, p), np.nan)          # NaN: pair not reported (n_ab < min_support)
NPMI[pa, pb] = NPMI[pb, pa] = npmi
VAL = np.zeros((p, p), bool)
VAL[pa, pb] = VAL[pb, pa] = validated
by_support = np.argsort(-n_a, kind="stable")

# %%
# Heatmap: the top skills by support, in spectral order.
top = by_support[:N_HEAT]
M = NPMI[np.ix_(top, top)]
W = np.clip(np.nan_to_num(M), 0, None)
lap = np.diag(W.sum(1)) - W
fiedler = np.linalg.eigh(lap)[1][:, 1]
order = np.argsort(fiedler, kind="stable")
top, M, V = top[order], M[np.ix_(order, order)], VAL[np.ix_(top[order], top[order])]

fig, (ax, axn) = plt.subplots(1, 2, figsize=(23, 11), width_ratios=[1, 1.15],
                              layout="constrained")
lim = np.nanmax(np.abs(M[~np.eye(len(top), dtype=bool)]))
cmap = plt.get_cmap("RdBu_r").copy()
cmap.set_bad("0.85")
Md = M.copy()
np.fill_diagonal(Md, np.nan)
im = ax.imshow(np.ma.masked_invalid(Md), cmap=cmap, vmin=-lim, vmax=lim)
ax.imshow(np.where(np.eye(len(top)), 1.0, np.nan), cmap="Greys", vmin=0, vmax=1.6)
yy, xx = np.nonzero(V)
ax.scatter(xx, yy, s=5, color="black", lw=0)
labels = [f"{names[i]} ({n_a[i]:,})" for i in top]
ax.set_xticks(range(len(top)), [names[i] for i in top], rotation=90)
ax.set_yticks(range(len(top)), labels)
ax.tick_params(length=0)
for s in ax.spines.values():
    s.set_visible(False)
ax.set_title(f"NPMI among the {len(top)} skills in most postings (y: skill, postings listing it)\n"
             f"dot: validated pair (q < {alpha:g}); light grey: fewer than {min_support} postings "
             f"share the pair; dark: the skill itself", fontsize=12)
cb = fig.colorbar(im, ax=ax, shrink=0.7, pad=0.01)
cb.set_label("normalised PMI (−1 … +1; 0 = independent)")


# %%
# Network: validated pairs among the top skills, spring layout (Fruchterman–Reingold) in numpy.
def spring_layout(n, edges, weights, iters=500, seed=1):
    rng = np.random.default_rng(seed)
    ang = 2 * np.pi * np.arange(n) / n
    pos = np.c_[np.cos(ang), np.sin(ang)] + 0.05 * rng.standard_normal((n, 2))
    k = 2.4 / np.sqrt(n)
    A = np.zeros((n, n))
    A[edges[:, 0], edges[:, 1]] = A[edges[:, 1], edges[:, 0]] = weights
    temp = 0.2
    for _ in range(iters):
        d = pos[:, None, :] - pos[None, :, :]
        dist = np.sqrt((d ** 2).sum(-1)) + 1e-9
        force = (k * k / dist ** 2 - A * dist / k)            # repulsion − attraction
        np.fill_diagonal(force, 0)
        disp = (d * force[:, :, None]).sum(1) - 0.5 * pos       # pull to the centre
        step = np.sqrt((disp ** 2).sum(1)) + 1e-9
        pos += disp / step[:, None] * np.minimum(step, temp)[:, None]
        temp = max(temp * 0.99, 0.002)
    pos -= pos.mean(0)
    return pos / np.abs(pos).max()


net = by_support[:N_NET]
local = {s: i for i, s in enumerate(net)}
sel = validated & np.isin(pa, net) & np.isin(pb, net)
e_idx = np.flatnonzero(sel)
e_idx = e_idx[np.argsort(-npmi[e_idx], kind="stable")]
keep = list(e_idx[:MAX_EDGES])
for s in net:                       # each skill keeps its strongest validated edge
    mine = e_idx[(pa[e_idx] == s) | (pb[e_idx] == s)]
    if len(mine) and mine[0] not in keep:
        keep.append(mine[0])
keep = np.array(keep, dtype=np.int64)
edges = np.c_[[local[a] for a in pa[keep]], [local[b] for b in pb[keep]]].astype(int)
w = npmi[keep]
if len(w) == 0:                     # no validated pair among them: nodes only
    w = np.zeros(1)
all_e = np.flatnonzero(sel)          # the layout feels every validated pair, weighted by NPMI
pos = spring_layout(len(net), np.c_[[local[a] for a in pa[all_e]],
                                    [local[b] for b in pb[all_e]]].astype(int), npmi[all_e])

size = 40 + 1400 * n_a[net] / n_a[net].max()            # marker area, points²
texts = [axn.text(0, 0, names[s], fontsize=10.5, va="center", ha="left", zorder=3,
                  bbox=dict(boxstyle="round,pad=0.1", fc="white", ec="none", alpha=0.75))
         for s in net]


def fit_limits(xy, rects_px):
    """Axes limits holding every node with its label (rects in pixels around xy in data)."""
    inv = axn.transData.inverted()
    lo = inv.transform(rects_px[:, :2]).min(0)
    hi = inv.transform(rects_px[:, 2:]).max(0)
    m = 0.03 * (hi - lo)
    axn.set_xlim(lo[0] - m[0], hi[0] + m[0])
    axn.set_ylim(lo[1] - m[1], hi[1] + m[1])


# Each node and its label (to the node's right) form a box; push the boxes apart so that no
# label covers another node or label, then fit the axes to them (twice: the scale changes).
axn.set_xlim(-1.05, 1.05)
axn.set_ylim(-1.05, 1.05)
for _ in range(3):
    fig.canvas.draw()
    rend = fig.canvas.get_renderer()
    px = axn.transData.transform(pos)
    r = np.sqrt(size) / 2 * fig.dpi / 72
    wh = np.array([[t.get_window_extent(rend).width, t.get_window_extent(rend).height]
                   for t in texts])
    half = np.maximum(r, wh[:, 1] / 2)
    rects = np.c_[px[:, 0] - r, px[:, 1] - half, px[:, 0] + r + 4 + wh[:, 0], px[:, 1] + half]
    shift = skm.separate(rects, pad=3)
    px += shift
    rects[:, :2] += shift
    rects[:, 2:] += shift
    pos = axn.transData.inverted().transform(px)
    fit_limits(pos, rects)
fig.canvas.draw()
per_px = np.diff(axn.get_xlim())[0] / axn.get_window_extent().width
for i, t in enumerate(texts):
    t.set_position((pos[i, 0] + (np.sqrt(size[i]) / 2 * fig.dpi / 72 + 4) * per_px, pos[i, 1]))

segs = pos[edges]
lw = 0.5 + 7 * (w - w.min()) / max(np.ptp(w), 1e-12)
axn.add_collection(LineCollection(segs, linewidths=lw, colors=plt.get_cmap("Purples")(
    0.35 + 0.6 * (w - w.min()) / max(np.ptp(w), 1e-12)), alpha=0.8, zorder=1))
axn.scatter(pos[:, 0], pos[:, 1], s=size, color="#f2a541", edgecolor="#8a5a12", lw=1,
            zorder=2)
axn.set_xticks([])
axn.set_yticks([])
for s in axn.spines.values():
    s.set_visible(False)
axn.set_title(f"Validated pairs among the {len(net)} skills in most postings: the "
              f"{len(keep)} strongest of {sel.sum()} edges\n(node area ~ postings listing the "
              f"skill, edge width ~ NPMI {w.min():.2f} … {w.max():.2f}; spring layout)",
              fontsize=12)
for v in (n_a[net].max(), n_a[net].max() // 4, n_a[net].min()):
    axn.scatter([], [], s=40 + 1400 * v / n_a[net].max(), color="#f2a541", edgecolor="#8a5a12",
                label=f"{v:,} postings")
axn.legend(loc="upper center", bbox_to_anchor=(0.5, 0.0), ncol=3, frameon=False,
           borderpad=1.2, columnspacing=3, handletextpad=1.5)
fig.suptitle(f"Skills that go together, {n_postings:,} postings — {src}: "
             f"/cooccurrence/pairs (npmi, validated), /cooccurrence/skills/n_a")
skm.savefig(fig, OUTDIR, "cooccurrence")
