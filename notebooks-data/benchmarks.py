#!/usr/bin/python3
"""# skillmat against the Python peers, and against the machine

The benchmark results `bench/regenerate.py` keeps in `bench/results/benchmarks.h5` (layout:
docs/hdf5-schema.md, "Benchmark results"). Left: for each analysis and dataset, how many times
longer the peer (numpy, scipy, scikit-learn, statsmodels, h5py) took than skillmat for the same
job on the same data in the same run (`/peers`: `ratio` = peer median / skillmat median; every
pair's answers were checked to agree before anything was timed). Right: each kernel of
`skillmat bench` at the kernel set the CPU dispatches to, as a fraction of the limit this machine
was measured to have for it (`/kernels`: `fraction`, `limit_name`; above 1 where a kernel reuses
loaded data). The sparse kernels' comparison with SGEMM (dense-equivalent GFLOP/s, 10-30 times the
limit because they skip the zeros) is in the table of docs/benchmarks.md, not drawn.

Run as a script: `/usr/bin/python3 notebooks-data/benchmarks.py bench/results/benchmarks.h5 OUTDIR`
writes `OUTDIR/benchmarks.png`.
"""
# %%
import h5py
import matplotlib.pyplot as plt
import numpy as np

import skm_plots as skm

RESULTS, OUTDIR = skm.cli_args()

# %%
# Read the peer table and the kernel table.
with h5py.File(RESULTS, "r") as f:
    if skm.attr(f, "format", "") != "skillmat-benchmarks":
        raise SystemExit(f"{RESULTS}: not a skillmat benchmarks file (bench/regenerate.py)")
    P = skm.need(f, "peers", "bench", "bench/regenerate.py writes it")
    analysis, dataset, peer = skm.strs(P["analysis"]), skm.strs(P["dataset"]), skm.strs(P["peer"])
    ratio = P["ratio"][()]
    K = skm.need(f, "kernels", "bench", "bench/regenerate.py writes it")
    kname, kisa = skm.strs(K["kernel"]), skm.strs(K["isa"])
    ksize, klimit = skm.strs(K["size"]), skm.strs(K["limit_name"])
    kfrac = K["fraction"][()]
    dispatched = skm.attr(f, "machine_isa", "")
    when, rev = skm.attr(f, "created", "?")[:10], skm.attr(f, "git_revision", "?")
    cpu = skm.attr(f, "machine_cpu_model", "?")

# %%
# Two panels: peer ratios (log scale), kernel fractions of the machine's limits.
fig, (a1, a2) = plt.subplots(1, 2, figsize=(15, 0.42 * max(len(ratio), 8) + 2.5),
                             layout="constrained", gridspec_kw={"width_ratios": [1.25, 1]})
labels = [f"{a}\n{d} — {p}" for a, d, p in zip(analysis, dataset, peer)]
y = np.arange(len(ratio))
a1.barh(y, ratio, color=["#1b7837" if r >= 1 else "#b2182b" for r in ratio])
a1.set_xscale("log")
a1.axvline(1, color="0.2", lw=1)
for yi, r in zip(y, ratio):
    a1.text(r * 1.08, yi, f"{r:,.1f}×", va="center", fontsize=9)
a1.set_yticks(y, labels, fontsize=8.5)
a1.invert_yaxis()
a1.set_xlim(right=max(ratio.max() * 4, 10))
a1.set_xlabel("peer time / skillmat time (median; > 1: skillmat faster)")
a1.set_title("Same job, same data, same run")
a1.grid(axis="x", color="0.92", which="both")
a1.set_axisbelow(True)

# One row per kernel, size and limit: the kernel set this CPU dispatches to (machine_isa,
# "avx512+shani" -> "avx512"), or the only variant a kernel has; the limit rows themselves are left out.
pick = {}
for i in range(len(kfrac)):
    if kname[i] == "limit" or klimit[i].startswith("sgemm"):
        continue  # limits themselves; dense-equivalent GFLOP/s of sparse kernels (10-30x SGEMM)
    key = (kname[i], ksize[i], klimit[i])
    if key not in pick or kisa[i] == dispatched.split("+")[0]:
        pick[key] = i
sel = np.array(list(pick.values()), dtype=int)
yk = np.arange(len(sel))
a2.barh(yk, kfrac[sel], color="#2166ac")
for yi, i in zip(yk, sel):
    a2.text(kfrac[i] + 0.02, yi, f"{100 * kfrac[i]:.0f} % of {klimit[i]}", va="center",
            fontsize=8.5)
a2.set_yticks(yk, [f"{kname[i]} ({ksize[i]}, {kisa[i]})" for i in sel], fontsize=8.5)
a2.invert_yaxis()
a2.axvline(1, color="0.2", lw=1, ls=":")
a2.set_xlim(0, max(1.5, np.nanmax(kfrac[sel]) * 1.6))
a2.set_xlabel("fraction of this machine's measured limit")
a2.set_title(f"Kernels, as dispatched on this CPU ({dispatched})")
a2.grid(axis="x", color="0.92")
a2.set_axisbelow(True)
fig.suptitle(f"skillmat benchmarks — {cpu}, {when}, commit {rev}")
skm.savefig(fig, OUTDIR, "benchmarks")
