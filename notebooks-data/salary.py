#!/usr/bin/python3
"""# Salary by seniority and role family

Annual salary quantiles per seniority level (`/describe/by_seniority`, in the fixed seniority
order) and per role family (`/describe/by_role_family`, highest median first): whiskers from the
10th to the 90th percentile, a box from the 25th to the 75th, a line at the median, and the
number of postings with a known salary on each row. The dashed line is the median of all postings
(`/describe/overall`). Salaries are `/postings/salary_annual` as `skillmat describe` reads them:
annualised, in the currency the input gives (no exchange rates).

Run as a script: `/usr/bin/python3 notebooks-data/salary.py RESULTS.h5 OUTDIR` writes
`OUTDIR/salary.png`.
"""
# %%
import matplotlib.pyplot as plt
import numpy as np
from matplotlib.patches import Rectangle
from matplotlib.ticker import FuncFormatter

import skm_plots as skm

RESULTS, OUTDIR = skm.cli_args()

# %%
# Read the two groupings and the overall median.
Q = ["salary_p10", "salary_p25", "salary_median", "salary_p75", "salary_p90"]


def read_grouping(D, name):
    g = D[name]
    out = {"levels": skm.strs(g["levels"]), "count": g["count"][()],
           "salary_count": g["salary_count"][()]}
    for q in Q:
        out[q] = g[q][()]
    return out


with skm.open_results(RESULTS) as f:
    D = skm.need(f, "describe", "describe")
    src = skm.source(f)
    salary_known = skm.attr(D, "salary_known")
    overall_median = float(D["overall/salary_median"][0])
    units = skm.attr(D["overall/salary_median"], "units",
                     "currency as given in the input, per year")
    groups = {g: read_grouping(D, "by_" + g) for g in ("seniority", "role_family")
              if "by_" + g in D}


def level_order(g, levels, median):
    """Seniority in its fixed order, any other grouping by median (highest first);
    "(other)" and "(missing)" last."""
    named = [i for i, lv in enumerate(levels) if not lv.startswith("(")]
    pooled = [i for i, lv in enumerate(levels) if lv.startswith("(")]
    if g == "seniority":
        rank = {lv: r for r, lv in enumerate(skm.SENIORITY_ORDER)}
        named.sort(key=lambda i: rank.get(levels[i], len(rank)))
    else:
        named.sort(key=lambda i: -median[i] if np.isfinite(median[i]) else np.inf)
    return named + pooled


# %%
# One quantile panel per grouping, salary on x in thousands.
TITLES = {"seniority": "By seniority (from the title)",
          "role_family": "By role family (from the title)"}
heights = [len(g["levels"]) for g in groups.values()]
fig, axes = plt.subplots(len(groups), 1, figsize=(12, 1.2 + 0.55 * sum(heights) + 1.5),
                         height_ratios=heights, layout="constrained", squeeze=False)
xmax = max(np.nanmax(g["salary_p90"]) for g in groups.values())
for ax, (gname, g) in zip(axes[:, 0], groups.items()):
    order = level_order(gname, g["levels"], g["salary_median"])
    for row, i in enumerate(order):
        p10, p25, med, p75, p90 = (g[q][i] for q in Q)
        if g["salary_count"][i] == 0 or not np.isfinite(med):
            ax.text(0.01 * xmax, row, "no known salary", va="center", color="0.4", fontsize=9)
            continue
        ax.plot([p10, p90], [row, row], color="0.35", lw=1.4, zorder=1)
        ax.plot([p10, p10], [row - 0.15, row + 0.15], color="0.35", lw=1.4)
        ax.plot([p90, p90], [row - 0.15, row + 0.15], color="0.35", lw=1.4)
        ax.add_patch(Rectangle((p25, row - 0.3), p75 - p25, 0.6, facecolor="#8fb8de",
                               edgecolor="#2f5f8a", lw=1.2, zorder=2))
        ax.plot([med, med], [row - 0.3, row + 0.3], color="#b2182b", lw=2.5, zorder=3)
        ax.text(p90 + 0.012 * xmax, row, f"n = {g['salary_count'][i]:,}", va="center",
                fontsize=9, color="0.25")
    ax.axvline(overall_median, color="0.5", ls="--", lw=1, zorder=0)
    ax.set_yticks(range(len(order)), [g["levels"][i] for i in order])
    ax.set_ylim(len(order) - 0.5, -0.5)
    ax.set_xlim(0, xmax * 1.14)
    ax.xaxis.set_major_formatter(FuncFormatter(skm.thousands))
    ax.grid(axis="x", color="0.9", lw=0.8)
    ax.set_axisbelow(True)
    ax.set_title(TITLES.get(gname, gname), loc="left")
    ax.set_xlabel(f"annual salary, thousands ({units})")

# A legend made of the same marks.
h = [plt.Line2D([], [], color="0.35", lw=1.4, label="10th–90th percentile"),
     Rectangle((0, 0), 1, 1, facecolor="#8fb8de", edgecolor="#2f5f8a", label="25th–75th"),
     plt.Line2D([], [], color="#b2182b", lw=2.5, label="median"),
     plt.Line2D([], [], color="0.5", ls="--", lw=1,
                label=f"median of all ({overall_median / 1000:,.0f}k)")]
axes[0, 0].legend(handles=h, loc="upper right", frameon=True, framealpha=0.95)
fig.suptitle(f"Annual salary by seniority and role family, {salary_known:,} postings with a "
             f"salary\n{src}: /describe/by_seniority, /describe/by_role_family")
skm.savefig(fig, OUTDIR, "salary")
