#!/usr/bin/python3
"""# Role types

The role types `skillmat cluster` found by clustering the postings on their skills (`/clusters`).

* Top: a map of the clusters, the first two principal components of their centroids
  (`/clusters/centroids`, PCA by numpy SVD): each circle is a cluster, its area proportional to
  its postings (`/clusters/sizes`), its colour the median annual salary of its postings
  (`/clusters/salary_median`), its label the cluster's name (`/clusters/names`: its three
  highest-lift skills). Clusters close on the map have similar skill profiles.
* Bottom: the skill profile of each cluster, the share of its postings listing each skill
  (`/clusters/skill_share`), for the union of every cluster's 5 highest-lift skills
  (`/clusters/top_skills_lift`).

Postings themselves are not drawn: the results file has their labels but not their skill rows
(those are in the store), and 30,000 jittered dots around 14 centroids would say no more than the
circle sizes do.

Run as a script: `/usr/bin/python3 notebooks-data/role_types.py RESULTS.h5 OUTDIR` writes
`OUTDIR/role_types.png`.
"""
# %%
import matplotlib.pyplot as plt
import numpy as np

import skm_plots as skm

RESULTS, OUTDIR = skm.cli_args()

# %%
# Read /clusters.
N_LIFT = 5
with skm.open_results(RESULTS) as f:
    g = skm.need(f, "clusters", "cluster")
    src = skm.source(f)
    skills = skm.strs(g["skills"])
    centroids = g["centroids"][()]
    sizes = g["sizes"][()]
    names = skm.strs(g["names"])
    share = g["skill_share"][()]
    lift = skm.strs(g["top_skills_lift"])
    median = g["salary_median"][()]
    k, metric, weighting = skm.attr(g, "k"), skm.attr(g, "metric"), skm.attr(g, "weighting")
    rule, n_clustered = skm.attr(g, "rule"), skm.attr(g, "n_clustered")

live = np.flatnonzero(sizes > 0)                  # an empty cluster has no profile to draw
print(f"k = {k} ({rule}); {n_clustered:,} postings with skills")

# %%
# PCA of the centroids: centre, SVD, the first two components.
C = centroids[live] - centroids[live].mean(0)
U, S, Vt = np.linalg.svd(C, full_matrices=False)
xy = U[:, :2] * S[:2]
if xy.shape[1] < 2:                              # k = 2 has one component only
    xy = np.c_[xy, np.zeros(len(xy))]
explained = S ** 2 / max((S ** 2).sum(), 1e-300)

fig = plt.figure(figsize=(18, 19), layout="constrained")
top_fig, bottom_fig = fig.subfigures(2, 1, height_ratios=[1.1, 1.0], hspace=0.03)
ax = top_fig.subplots()
area = 200 + 4800 * sizes[live] / sizes[live].max()            # points²
finite = np.isfinite(median[live])
norm = plt.Normalize(np.nanmin(median[live]) if finite.any() else 0,
                     np.nanmax(median[live]) if finite.any() else 1)
cmap = plt.get_cmap("viridis")
colours = [cmap(norm(m)) if np.isfinite(m) else (0.7, 0.7, 0.7, 1) for m in median[live]]
ax.scatter(xy[:, 0], xy[:, 1], s=area, c=colours, alpha=0.75, edgecolor="black", lw=0.8,
           zorder=2)
sm = plt.cm.ScalarMappable(norm=norm, cmap=cmap)
cb = top_fig.colorbar(sm, ax=ax, shrink=0.8, pad=0.01)
cb.set_label("median annual salary of the cluster (thousands, input currency)")
cb.ax.yaxis.set_major_formatter(plt.FuncFormatter(skm.thousands))
pad = 0.12 * np.ptp(xy, axis=0).max()
ax.set_xlim(xy[:, 0].min() - pad, xy[:, 0].max() + 2.2 * pad)
ax.set_ylim(xy[:, 1].min() - pad, xy[:, 1].max() + pad)
ax.set_xlabel(f"principal component 1 of the centroids ({100 * explained[0]:.0f} % of their "
              f"variance; {weighting} units)")
ax.set_ylabel(f"principal component 2 ({100 * explained[1]:.0f} %)" if len(S) > 1 else "")
ax.grid(color="0.92")
ax.set_axisbelow(True)
ax.set_title(f"Role-type map: {len(live)} clusters of {n_clustered:,} postings "
             f"({metric} k-means on {weighting} skill rows; k chosen by {rule})", fontsize=12)

# Labels: name and size next to each circle, at the first spot around it that covers no circle
# and no other label (the circles never move); a leader line when it had to go further out.
texts = [ax.text(0, 0, f"{names[c]}\n{sizes[c]:,} postings", fontsize=10, va="bottom",
                 ha="left", zorder=4, linespacing=1.15,
                 bbox=dict(boxstyle="round,pad=0.15", fc="white", ec="0.7", alpha=0.85))
         for c in live]
fig.canvas.draw()
rend = fig.canvas.get_renderer()
px = ax.transData.transform(xy)
rad = np.sqrt(area) / 2 * fig.dpi / 72
wh = np.array([[t.get_window_extent(rend).width, t.get_window_extent(rend).height]
               for t in texts])
spots = skm.place_labels(px, rad, wh, ax.get_window_extent().extents,
                         order=np.argsort(-sizes[live], kind="stable"))
inv = ax.transData.inverted()
for i, t in enumerate(texts):
    t.set_position(inv.transform(spots[i, :2] + [2, 2]))   # inside the box's padding
    centre = spots[i].reshape(2, 2).mean(0)
    if np.hypot(*(centre - px[i])) > rad[i] + 0.8 * wh[i, 0]:
        ax.annotate("", xy=xy[i], xytext=inv.transform(centre), zorder=3,
                    arrowprops=dict(arrowstyle="-", color="0.4", lw=0.8, shrinkA=0,
                                    shrinkB=0))

# %%
# Heatmap of the skill profiles: clusters by size, skills by the cluster that brings them in.
order = live[np.argsort(-sizes[live], kind="stable")]
cols = []
for c in order:
    for s in lift[c, :N_LIFT]:
        if s and s not in cols:
            cols.append(s)
index = {s: j for j, s in enumerate(skills)}
H = 100 * share[np.ix_(order, [index[s] for s in cols])]
ax2 = bottom_fig.subplots()
im = ax2.imshow(H, cmap="YlGnBu", aspect="auto", vmin=0, vmax=100)
ax2.set_xticks(range(len(cols)), cols, rotation=90)
ax2.set_yticks(range(len(order)), [f"{names[c]} ({sizes[c]:,})" for c in order])
ax2.tick_params(length=0)
for s in ax2.spines.values():
    s.set_visible(False)
for i, c in enumerate(order):                     # outline the cluster's own lift skills
    for s in lift[c, :N_LIFT]:
        if s:
            ax2.add_patch(plt.Rectangle((cols.index(s) - 0.5, i - 0.5), 1, 1, fill=False,
                                        ec="#d7301f", lw=1.3))
cb2 = bottom_fig.colorbar(im, ax=ax2, shrink=0.9, pad=0.01)
cb2.set_label("share of the cluster's postings listing the skill (%)")
ax2.set_xlabel(f"skill (the {N_LIFT} highest-lift skills of each cluster; red outline: "
               f"the cluster's own)")
ax2.set_ylabel("cluster (postings)")
ax2.set_title("Skill profiles of the clusters (/clusters/skill_share)", fontsize=12)

fig.suptitle(f"Role types from skills — {src}: /clusters (centroids, sizes, names, "
             f"salary_median, skill_share, top_skills_lift)")
skm.savefig(fig, OUTDIR, "role_types")
