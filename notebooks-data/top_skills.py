#!/usr/bin/python3
"""# Top skills

Which skills the postings ask for most: the 20 skills listed by the largest share of all postings
(`/describe/top_skills`), and the top 8 skills within each of the 6 largest role families
(`/describe/top_skills_by_role_family`), from a results file written by `skillmat describe`.

Run as a script: `/usr/bin/python3 notebooks-data/top_skills.py RESULTS.h5 OUTDIR` writes
`OUTDIR/top_skills.png`.
"""
# %%
import matplotlib.pyplot as plt
import numpy as np

import skm_plots as skm

RESULTS, OUTDIR = skm.cli_args()

# %%
# Read /describe: the overall top skills and the per-role-family top skills.
N_TOP, N_FAM, N_FAM_TOP = 20, 6, 8
with skm.open_results(RESULTS) as f:
    D = skm.need(f, "describe", "describe")
    n_postings = skm.attr(D, "n_postings")
    src = skm.source(f)
    ts = D["top_skills"]
    names = skm.strs(ts["name"])[:N_TOP]
    share = ts["share"][:N_TOP]
    count = ts["count"][:N_TOP]
    fam = D["top_skills_by_role_family"]
    fam_levels = skm.strs(fam["levels"])
    fam_name = skm.strs(fam["name"])
    fam_share = fam["share"][()]
    fam_count = fam["count"][()]

# Levels are most postings first already; keep the 6 largest named families.
fam_idx = [i for i in np.argsort(-fam_count, kind="stable")
           if not fam_levels[i].startswith("(")][:N_FAM]
print(f"{n_postings:,} postings; top skill {names[0]} ({100 * share[0]:.1f} %)")

# %%
# Left: the top 20 overall; right: small multiples, one panel per role family.
fig = plt.figure(figsize=(17, 10), layout="constrained")
left, right = fig.subfigures(1, 2, width_ratios=[1.0, 1.35], wspace=0.04)

ax = left.subplots()
y = np.arange(len(names))
ax.barh(y, 100 * share, color="#3b75af")
ax.set_yticks(y, names)
ax.invert_yaxis()
for yi, s, c in zip(y, share, count):
    ax.text(100 * s + 0.6, yi, f"{100 * s:.1f} %  ({c:,})", va="center", fontsize=9)
ax.set_xlim(0, 100 * share.max() * 1.28)
ax.set_xlabel("share of all postings listing the skill (%)")
ax.set_title(f"Top {len(names)} skills, all {n_postings:,} postings")

axs = right.subplots(3, 2, sharex=True)
xmax = np.nanmax(fam_share[fam_idx, :N_FAM_TOP]) * 100
for ax, i in zip(axs.flat, fam_idx):
    ok = fam_name[i, :N_FAM_TOP] != ""
    nm, sh = fam_name[i, :N_FAM_TOP][ok], 100 * fam_share[i, :N_FAM_TOP][ok]
    yy = np.arange(len(nm))
    ax.barh(yy, sh, color="#e08a3c")
    ax.set_yticks(yy, nm, fontsize=9.5)
    ax.invert_yaxis()
    for yi, s in zip(yy, sh):
        ax.text(s + 1, yi, f"{s:.0f}", va="center", fontsize=8.5)
    ax.set_xlim(0, xmax * 1.15)
    ax.set_title(f"{fam_levels[i]}  (n = {fam_count[i]:,})", fontsize=11.5)
for ax in axs.flat[len(fam_idx):]:
    ax.set_visible(False)
for ax in axs[-1]:
    ax.set_xlabel("share of the family's postings (%)")
right.suptitle(f"Top {N_FAM_TOP} skills within the {len(fam_idx)} largest role families",
               fontsize=13)

fig.suptitle(f"Skills most asked for — {src}: /describe/top_skills, "
             f"/describe/top_skills_by_role_family")
skm.savefig(fig, OUTDIR, "top_skills")
