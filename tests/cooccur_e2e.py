#!/usr/bin/python3
"""End-to-end check of `skillmat cooccur` against an independent computation.

Usage: cooccur_e2e.py SKILLMAT_BIN SAMPLE_CSV_GZ WORK_DIR

For the bundled sample and a synthetic store (1,500 skills, 20,000 postings, repeated mentions):
  * counts: every pair (a < b) of skills with n_a, n_b, n_ab >= min_support is reported, and no
    other; n_ab, n_a and the weighted counts equal scipy's X^T X exactly;
  * the measures equal their formulas (numpy), the p-values scipy.stats.hypergeom.sf, the
    q-values a plain BH over the family of all pairs of kept skills, the top tables and the
    validated flags their definitions;
  * the results are identical (every dataset, bit for bit) for 1, 2 and 3 threads, the pairs and
    bitset paths, the reference and the SIMD kernels, and a memory budget that forces the
    triangle into many bands;
  * bad input: a damaged store (doc_freq, an index out of range, a decreasing indptr) is refused
    with the HDF5 path named, nothing is written; a store is never overwritten as a results file;
    other groups of a results file are kept; an unknown --skill suggests close names.
"""
import hashlib
import json
import os
import random
import shutil
import subprocess
import sys

import h5py
import numpy as np
import scipy.sparse as sp
from scipy.stats import hypergeom

BIN, SAMPLE, WORK = sys.argv[1], sys.argv[2], sys.argv[3]
os.makedirs(WORK, exist_ok=True)
FAILS = []


def fail(msg):
    FAILS.append(msg)
    print("FAIL:", msg)


def run(args, env=None, want=0):
    e = dict(os.environ)
    if env:
        e.update(env)
    r = subprocess.run([BIN] + args, capture_output=True, text=True, env=e)
    if r.returncode != want:
        fail(f"{' '.join(args)}: exit {r.returncode}, want {want}\n{r.stderr}")
    return r


def synthetic_csv(path, n=20000, p=1500, seed=7):
    rng = random.Random(seed)
    w = [1.0 / (j + 1) for j in range(p)]
    names = [f"skill {j:04d}" for j in range(p)]
    with open(path, "w") as f:
        f.write("job_title,skills\n")
        for i in range(n):
            k = rng.randint(0, 14)
            picks = rng.choices(range(p), weights=w, k=k)
            # repeats stay: ingest turns them into counts > 1
            f.write(f"job {i},\"{json.dumps([names[j] for j in picks]).replace(chr(34), chr(34) * 2)}\"\n")


def sha(path):
    return hashlib.sha256(open(path, "rb").read()).hexdigest()


def naive(store):
    with h5py.File(store, "r") as f:
        ip = f["matrix/indptr"][:]
        ix = f["matrix/indices"][:]
        cn = f["matrix/counts"][:].astype(np.int64)
        n = len(ip) - 1
        p = len(f["skills/name"])
    X = sp.csr_matrix((np.ones_like(cn), ix, ip), shape=(n, p))
    Xc = sp.csr_matrix((cn, ix, ip), shape=(n, p))
    return n, p, (X.T @ X).toarray(), (Xc.T @ Xc).toarray()


def bh(pv, M):
    m = len(pv)
    order = np.argsort(pv, kind="stable")
    scaled = pv[order] * M / np.arange(1, m + 1)
    q = np.empty(m)
    q[order] = np.minimum(1.0, np.minimum.accumulate(scaled[::-1])[::-1])
    return q


def check_against_naive(store, res, min_support, alpha, weighted):
    n, p, G, Gw = naive(store)
    na = np.diag(G).astype(np.int64)
    with h5py.File(res, "r") as f:
        g = f["cooccurrence"]
        P = {k: g["pairs"][k][:] for k in g["pairs"]}
        if not np.array_equal(g["skills/n_a"][:], na):
            fail(f"{res}: skills/n_a differs from the naive count")
        if g.attrs["n_postings"] != n or g.attrs["min_support"] != min_support:
            fail(f"{res}: n_postings/min_support attributes")
        kept = na >= min_support
        M = int(kept.sum()) * (int(kept.sum()) - 1) // 2
        if g.attrs["n_family"] != M:
            fail(f"{res}: n_family {g.attrs['n_family']} != {M}")
        iu = np.triu_indices(p, 1)
        sel = (G[iu] >= min_support) & kept[iu[0]] & kept[iu[1]]
        want_a, want_b = iu[0][sel], iu[1][sel]
        if not (np.array_equal(P["a"], want_a) and np.array_equal(P["b"], want_b)):
            fail(f"{res}: the pair set differs from the naive one ({len(P['a'])} vs {len(want_a)})")
            return
        a, b = want_a, want_b
        nab = G[a, b]
        if not np.array_equal(P["n_ab"], nab):
            fail(f"{res}: n_ab differs from the naive count")
        if weighted:
            if not np.array_equal(P["n_ab_weighted"], Gw[a, b]):
                fail(f"{res}: n_ab_weighted differs")
            ssq = np.where(kept, np.diag(Gw), 0)
            if not np.array_equal(g["skills/sum_sq_counts"][:], ssq):
                fail(f"{res}: sum_sq_counts differs")
            cw = Gw[a, b] / np.sqrt(np.diag(Gw)[a] * np.diag(Gw)[b])
            if not np.allclose(P["cosine_weighted"], cw, rtol=1e-12, atol=0):
                fail(f"{res}: cosine_weighted")
        A, B, AB, N = na[a].astype(float), na[b].astype(float), nab.astype(float), float(n)
        want = {
            "p_b_given_a": AB / A, "p_a_given_b": AB / B, "lift": N * AB / (A * B),
            "pmi": np.log(N * AB / (A * B)), "npmi": np.log(N * AB / (A * B)) / -np.log(AB / N),
            "jaccard": AB / (A + B - AB), "cosine": AB / np.sqrt(A * B),
            "phi": (N * AB - A * B) / np.sqrt(A * B * (N - A) * (N - B)),
        }
        for k, v in want.items():
            ok = np.isclose(P[k], v, rtol=1e-10, atol=1e-13) | (np.isnan(P[k]) & np.isnan(v))
            if not ok.all():
                i = int(np.argmin(ok))
                fail(f"{res}: {k}[{i}] = {P[k][i]!r}, want {v[i]!r}")
        # scipy's hypergeom.sf is slow (a second per few hundred pairs): check a seeded sample
        # of 400 pairs plus the 20 with the smallest and the 20 with the largest p-values.
        rs = np.random.default_rng(1)
        order = np.argsort(P["p_value"], kind="stable")
        pick = np.unique(np.concatenate([rs.choice(len(a), min(400, len(a)), replace=False),
                                         order[:20], order[-20:]]))
        sf = hypergeom.sf(nab[pick] - 1, n, na[a][pick], na[b][pick])
        pv, lnp = P["p_value"][pick], P["ln_p_value"][pick]
        big = sf > 1e-250
        bad = big & ~np.isclose(pv, sf, rtol=1e-6, atol=0)
        if bad.any():
            i = int(np.argmax(bad))
            fail(f"{res}: p_value[{pick[i]}] = {pv[i]!r}, scipy {sf[i]!r}")
        if not (lnp[~big] < np.log(1e-240)).all():
            fail(f"{res}: ln_p_value of tiny p-values")
        if not np.allclose(lnp[big & (sf > 0)], np.log(sf[big & (sf > 0)]), rtol=1e-6, atol=1e-12):
            fail(f"{res}: ln_p_value differs from log(scipy sf)")
        q = bh(P["p_value"], M)
        if not np.allclose(P["q_value"], q, rtol=1e-12, atol=0):
            fail(f"{res}: q_value differs from BH over the family")
        if not np.array_equal(P["validated"], (q < alpha).astype(np.uint8)):
            fail(f"{res}: validated flags")
        for key, name in (("npmi", "by_npmi"), ("lift", "by_lift")):
            order = list(np.lexsort((np.arange(len(a)), -nab, -P[key])))
            top = g["top"][name][:]
            if list(top) != order[: len(top)] or len(top) != min(g.attrs["top"], len(a)):
                fail(f"{res}: top/{name} is not the {len(top)} largest {key}")
        print(f"{res}: {len(a)} pairs, {int(P['validated'].sum())} validated: match the naive count")


def identical(r1, r2, skip=()):
    with h5py.File(r1, "r") as f1, h5py.File(r2, "r") as f2:
        for grp in ("skills", "pairs", "top"):
            for k in f1["cooccurrence"][grp]:
                if k in skip:
                    continue
                x, y = f1["cooccurrence"][grp][k][:], f2["cooccurrence"][grp][k][:]
                same = x.shape == y.shape and (
                    np.array_equal(x, y) if x.dtype.kind in "iuOS" else
                    np.array_equal(x.view(np.uint64), y.view(np.uint64)))
                if not same:
                    fail(f"{r2}: {grp}/{k} differs from {r1}")


# ---- the sample and a synthetic store --------------------------------------------------------
stores = {}
stores["sample"] = os.path.join(WORK, "sample.h5")
run(["ingest", SAMPLE, "-o", stores["sample"]])
syn_csv = os.path.join(WORK, "syn.csv")
synthetic_csv(syn_csv)
stores["syn"] = os.path.join(WORK, "syn.h5")
run(["ingest", syn_csv, "-o", stores["syn"]])

for name, store in stores.items():
    base = os.path.join(WORK, f"{name}_base.h5")
    for f in list(os.listdir(WORK)):
        if f.startswith(f"{name}_") and f.endswith(".h5"):
            os.unlink(os.path.join(WORK, f))
    run(["cooccur", store, "-o", base, "--min-support", "3", "--alpha", "0.01", "--top", "40",
         "-q"])
    check_against_naive(store, base, 3, 0.01, False)
    variants = {
        "t1_pairs": (["--threads", "1", "--path", "pairs"], None),
        "t3_bitset": (["--threads", "3", "--path", "bitset"], None),
        "t2_auto_ref": (["--threads", "2"], {"SKILLMAT_ISA": "ref"}),
        "t2_bitset_avx2": (["--threads", "2", "--path", "bitset"], {"SKILLMAT_ISA": "avx2"}),
        "bands": (["--threads", "2", "--memory", "1"], None),
    }
    for v, (extra, env) in variants.items():
        out = os.path.join(WORK, f"{name}_{v}.h5")
        if env and env.get("SKILLMAT_ISA") == "avx2":
            probe = subprocess.run([BIN, "--version"], capture_output=True, text=True,
                                   env=dict(os.environ, **env))
            if probe.returncode != 0:
                print(f"skip {v}: this CPU has no AVX2")
                continue
        run(["cooccur", store, "-o", out, "--min-support", "3", "--alpha", "0.01", "--top", "40",
             "-q"] + extra, env=env)
        identical(base, out)
        with h5py.File(out, "r") as f:
            g = f["cooccurrence"]
            if v == "bands" and g.attrs["passes"] < 2 and name == "syn":
                fail(f"{out}: --memory 1 should need several passes, got {g.attrs['passes']}")
            if "bitset" in v and g.attrs["path"] != "bitset":
                fail(f"{out}: path attribute {g.attrs['path']!r}, want 'bitset'")
    w = os.path.join(WORK, f"{name}_weighted.h5")
    run(["cooccur", store, "-o", w, "--min-support", "3", "--alpha", "0.01", "--top", "40",
         "--weighted", "--threads", "2", "-q"])
    identical(base, w, skip=("n_ab_weighted", "cosine_weighted", "sum_sq_counts"))
    check_against_naive(store, w, 3, 0.01, True)

# ---- the text summary -----------------------------------------------------------------------
r = run(["cooccur", stores["sample"], "-o", os.path.join(WORK, "sum.h5"), "--skill", "PyTorch",
         "--top", "5"])
if "Skills most tied to 'pytorch'" not in r.stdout or "tensorflow" not in r.stdout:
    fail("summary for --skill PyTorch:\n" + r.stdout)
r = run(["cooccur", stores["sample"], "-o", os.path.join(WORK, "sum.h5"), "--skill", "torch"],
        want=1)
if "did you mean" not in r.stderr or "pytorch" not in r.stderr:
    fail("unknown skill should suggest pytorch: " + r.stderr)

# ---- results files: other groups kept, a store never overwritten ------------------------------
keep = os.path.join(WORK, "keep.h5")
with h5py.File(keep, "w") as f:
    f.attrs["format"] = "skillmat-results"
    f.create_group("clusters").create_dataset("labels", data=np.arange(5))
run(["cooccur", stores["sample"], "-o", keep, "-q"])
with h5py.File(keep, "r") as f:
    if "clusters" not in f or list(f["clusters/labels"][:]) != list(range(5)) or "cooccurrence" not in f:
        fail("an existing results file lost its other groups")
before = sha(stores["sample"])
r = run(["cooccur", stores["sample"], "-o", stores["sample"], "-q"], want=1)
if sha(stores["sample"]) != before or "not a skillmat results file" not in r.stderr:
    fail("a store given as -o must be refused and left untouched: " + r.stderr)
other = os.path.join(WORK, "notes.txt")
open(other, "w").write("keep me\n")
r = run(["cooccur", stores["sample"], "-o", other, "-q"], want=1)
if open(other).read() != "keep me\n":
    fail("a non-HDF5 file given as -o was modified")

# ---- damaged stores ---------------------------------------------------------------------------
def damaged(tag, edit, want_path):
    bad = os.path.join(WORK, f"bad_{tag}.h5")
    shutil.copy(stores["sample"], bad)
    with h5py.File(bad, "r+") as f:
        edit(f)
    out = os.path.join(WORK, f"bad_{tag}_out.h5")
    before = sha(bad)
    r = run(["cooccur", bad, "-o", out, "-q"], want=1)
    if want_path not in r.stderr:
        fail(f"damaged store ({tag}): message should name {want_path}: {r.stderr}")
    if os.path.exists(out) or any(x.startswith(f".bad_{tag}_out.h5.tmp") for x in os.listdir(WORK)):
        fail(f"damaged store ({tag}): output or temporary file left behind")
    if sha(bad) != before:
        fail(f"damaged store ({tag}): the input was modified")


def bump_df(f):
    d = f["skills/doc_freq"]
    v = d[:]
    v[3] += 1
    d[...] = v


def bad_index(f):
    d = f["matrix/indices"]
    v = d[:]
    v[10] = 10 ** 6
    d[...] = v


def bad_indptr(f):
    d = f["matrix/indptr"]
    v = d[:]
    v[5] = v[4] - 1
    d[...] = v


damaged("doc_freq", bump_df, "/skills/doc_freq")
damaged("index", bad_index, "/matrix/indices")
damaged("indptr", bad_indptr, "/matrix/indptr")

print(f"{len(FAILS)} failure(s)")
sys.exit(1 if FAILS else 0)
