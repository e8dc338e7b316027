#!/usr/bin/python3
"""# Skill premiums

What each skill adds to pay, from the salary regression `skillmat regress` writes
(`/regression/terms`): the premium 100 (e^β − 1) % of listing the skill, other skills and the
controls held equal, with its 95 % interval (`premium`, `premium_ci_low`, `premium_ci_high`;
standard errors of the type in the attribute `se_primary`). Only skill terms (`kind` = `skill`,
not aliased) are drawn, sorted by premium: the 25 highest and the 25 lowest among the skills whose
Benjamini–Hochberg q-value (`q_value`) is below 0.05 when there are at least 50 of them; otherwise
all of those and, up to 50 rows, the skills with the next smallest q-values. Significant skills
(q < 0.05) are drawn filled, the others hollow and grey.

Run as a script: `/usr/bin/python3 notebooks-data/premiums.py RESULTS.h5 OUTDIR` writes
`OUTDIR/premiums.png`.
"""
# %%
import matplotlib.pyplot as plt
import numpy as np

import skm_plots as skm

RESULTS, OUTDIR = skm.cli_args()

# %%
# Read the skill terms and the model's description.
N_SIDE, Q_MAX = 25, 0.05
with skm.open_results(RESULTS) as f:
    g = skm.need(f, "regression", "regress")
    src = skm.source(f)
    T = g["terms"]
    name, kind = skm.strs(T["name"]), skm.strs(T["kind"])
    aliased = T["aliased"][()] == 1
    prem, lo, hi = T["premium"][()], T["premium_ci_low"][()], T["premium_ci_high"][()]
    q, support = T["q_value"][()], T["support"][()]
    model = {k: skm.attr(g, k) for k in ("n_used", "r2", "se_primary", "controls", "absorb",
                                          "cluster_column")}

skill = np.flatnonzero((kind == "skill") & ~aliased & np.isfinite(prem))
sig = skill[q[skill] < Q_MAX]
if len(sig) >= 2 * N_SIDE:          # enough significant skills: the extremes among them
    sig = sig[np.argsort(-prem[sig], kind="stable")]
    shown, gap = np.r_[sig[:N_SIDE], sig[-N_SIDE:]], len(sig) > 2 * N_SIDE
    rule = f"the {N_SIDE} highest and {N_SIDE} lowest of the {len(sig)} with q < {Q_MAX:g}"
else:                               # all significant ones, then the next smallest q
    by_q = skill[np.argsort(q[skill], kind="stable")]
    shown, gap = by_q[:2 * N_SIDE], False
    shown = shown[np.argsort(-prem[shown], kind="stable")]
    rule = (f"all {len(sig)} with q < {Q_MAX:g}" + (f" and the {len(shown) - len(sig)} with the "
            f"next smallest q" if len(shown) > len(sig) else "") + f", of {len(skill)} skills")
print(f"{len(skill)} skill terms, {len(sig)} with q < {Q_MAX:g}; showing {len(shown)}")

# %%
# Forest plot: one row per skill, highest premium on top (a gap between the top and bottom 25).
rows = np.arange(len(shown)) + np.where(np.arange(len(shown)) >= N_SIDE, 1.0, 0.0) * gap
fig, ax = plt.subplots(figsize=(12, 2.2 + 0.27 * (len(shown) + gap)), layout="constrained")
is_sig = q[shown] < Q_MAX
for r_, i, s in zip(rows, shown, is_sig):
    col = "#b2182b" if prem[i] > 0 else "#2166ac"
    ax.plot([lo[i], hi[i]], [r_, r_], color=col if s else "0.6", lw=1.6, zorder=2)
    ax.plot(prem[i], r_, "o", ms=6.5, zorder=3, mfc=col if s else "white",
            mec=col if s else "0.5", mew=1.3)
ax.axvline(0, color="0.2", lw=1)
labels = [f"{name[i]}  (n = {support[i]:,})" for i in shown]
ax.set_yticks(rows, labels)
for t, s in zip(ax.get_yticklabels(), is_sig):
    if not s:
        t.set_color("0.45")
ax.set_ylim(rows.max() + 0.8, -0.8)
if gap:
    ax.axhline(N_SIDE, color="0.75", lw=0.8, ls=":")
    ax.text(0.99, N_SIDE, f"{len(sig) - len(shown)} significant skills in between not shown ",
            transform=ax.get_yaxis_transform(), ha="right", va="center", fontsize=9,
            color="0.4", bbox=dict(fc="white", ec="none"))
ax.grid(axis="x", color="0.92")
ax.set_axisbelow(True)
se = {"cluster": f"cluster-robust by {model['cluster_column']}", "hc1": "HC1",
      "classical": "classical"}.get(model["se_primary"], model["se_primary"])
ax.set_xlabel(f"salary premium of listing the skill (%), with 95 % interval ({se} standard "
              f"errors)")
ax.set_ylabel("skill (postings with a salary that list it)")
h = [plt.Line2D([], [], marker="o", color="#b2182b", mfc="#b2182b",
                label=f"q < {Q_MAX:g}, premium above 0"),
     plt.Line2D([], [], marker="o", color="#2166ac", mfc="#2166ac",
                label=f"q < {Q_MAX:g}, premium below 0"),
     plt.Line2D([], [], marker="o", color="0.6", mfc="white", mec="0.5",
                label=f"q ≥ {Q_MAX:g} (not significant)")]
ax.legend(handles=h, loc="lower right", framealpha=0.95)
ctrl = model["controls"].replace(",", ", ") or "none"
ab = f", absorbed: {model['absorb']}" if model["absorb"] else ""
ax.set_title(f"{len(shown)} skills: {rule}\nlog annual salary on skills, "
             f"controls: {ctrl}{ab}; n = {model['n_used']:,}, R² = {model['r2']:.3f}",
             fontsize=12)
fig.suptitle(f"Skill salary premiums — {src}: /regression/terms")
skm.savefig(fig, OUTDIR, "premiums")
