#!/usr/bin/python3
"""# Monthly trends

How many postings each month brings and how the demand for the top skills moves, from
`/describe/monthly` (written by `skillmat describe`): bars, the postings posted in each month
(`count`); lines, the share of that month's postings listing each of the overall top skills
(`skills`, `skill_share`). A month with no postings has no share (a gap in the lines).

Run as a script: `/usr/bin/python3 notebooks-data/trends.py RESULTS.h5 OUTDIR` writes
`OUTDIR/trends.png`.
"""
# %%
import matplotlib.pyplot as plt
import numpy as np

import skm_plots as skm

RESULTS, OUTDIR = skm.cli_args()

# %%
# Read /describe/monthly.
with skm.open_results(RESULTS) as f:
    D = skm.need(f, "describe", "describe")
    src = skm.source(f)
    M = skm.need(f, "describe/monthly", "describe",
                 why="describe writes it only when the store has posting dates")
    month = skm.strs(M["month"])
    count = M["count"][()]
    skills = skm.strs(M["skills"])
    share = M["skill_share"][()]
print(f"{len(month)} months, {month[0]} to {month[-1]}; {count.sum():,} dated postings")

# %%
# Bars on top, lines below, sharing the month axis; tick labels thinned for long ranges.
x = np.arange(len(month))
fig, (ax1, ax2) = plt.subplots(2, 1, figsize=(14, 11), sharex=True, height_ratios=[1, 1.6],
                               layout="constrained")
ax1.bar(x, count, color="#7f9fbf", width=0.8)
for xi, c in zip(x, count):
    if len(month) <= 24:
        ax1.text(xi, c, f"{c:,}", ha="center", va="bottom", fontsize=9)
ax1.set_ylim(0, count.max() * 1.12)
ax1.set_ylabel("postings posted in the month")
ax1.yaxis.set_major_formatter(plt.FuncFormatter(lambda v, _p: f"{v:,.0f}"))
ax1.set_title(f"Postings per month ({count.sum():,} with a posted date)", loc="left")
ax1.grid(axis="y", color="0.92")
ax1.set_axisbelow(True)

colours = plt.get_cmap("tab10").colors
marks = ["o", "s", "^", "D", "v", "P", "X", "<", ">", "*"]
for j, s in enumerate(skills):
    ax2.plot(x, 100 * share[:, j], marker=marks[j % len(marks)], ms=5, lw=1.8,
             color=colours[j % len(colours)], label=f"{j + 1}. {s}")
ax2.set_ylabel("share of the month's postings listing the skill (%)")
ax2.set_ylim(0, np.nanmax(share) * 100 * 1.08 if np.isfinite(share).any() else 1)
ax2.set_title(f"Monthly share of the overall top {len(skills)} skills", loc="left")
ax2.grid(color="0.92")
ax2.legend(loc="upper left", bbox_to_anchor=(1.01, 1.0), title="skill (overall rank)",
           frameon=False)
step = max(1, int(np.ceil(len(month) / 24)))
ax2.set_xticks(x[::step], month[::step], rotation=45 if len(month) > 12 else 0,
               ha="right" if len(month) > 12 else "center")
ax2.set_xlabel("month posted (YYYY-MM, UTC)")
fig.suptitle(f"Postings and skill demand by month — {src}: /describe/monthly")
skm.savefig(fig, OUTDIR, "trends")
