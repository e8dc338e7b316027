#!/usr/bin/env python3
"""Independent check of a skillmat store's layout with h5py (docs/hdf5-schema.md, schema 1.x).

Usage: h5py_check.py STORE.h5

Checks the root attributes; that every dataset has a non-empty `description`; the dtype and
shape of every documented path; that all /postings columns have n_rows entries and that the
categorical codes index their level tables; the CSR matrix (indptr monotone from 0 to nnz with
n_rows + 1 entries, 0 <= indices < n_cols and strictly increasing within a row, counts >= 1);
and that /skills/doc_freq equals the per-column presence counts computed from the matrix.
Shares no code with skillmat. Exit status 0 when the store conforms, 1 with messages otherwise.
"""
import sys

import h5py
import numpy as np

CATS = ("title", "role", "company", "location", "country")
# path -> numpy dtype (None: variable-length UTF-8 string). /postings/id is optional.
POSTINGS = {
    **{c: np.dtype("<i4") for c in CATS},
    "posted_date": np.dtype("<i8"),
    "salary_min": np.dtype("<f8"),
    "salary_max": np.dtype("<f8"),
    "salary_period": np.dtype("i1"),
    "salary_annual": np.dtype("<f8"),
    "remote": np.dtype("i1"),
    "source_file": np.dtype("<i4"),
    "source_line": np.dtype("<i8"),
}
OPTIONAL_POSTINGS = {"id": None}
LEVELS = {f"{c}_levels": None for c in CATS}
MATRIX = {"indptr": np.dtype("<i8"), "indices": np.dtype("<i4"), "counts": np.dtype("<i4")}
SKILLS = {"name": None, "category": None, "doc_freq": np.dtype("<i8")}
PROVENANCE = {
    "input_files": None, "input_sha256": None, "input_format": None,
    "input_bytes": np.dtype("<i8"), "input_records": np.dtype("<i8"),
    "input_skipped": np.dtype("<i8"), "skipped_reason": None, "skipped_count": np.dtype("<i8"),
    "column_roles": None,
}
PROVENANCE_ATTRS = ("tool_version", "git_revision", "compiler", "cflags", "build_type",
                    "hdf5_version", "zlib_version", "command_line", "created", "isa",
                    "hours_per_year")
STEP = 1 << 20  # elements per read: the check runs in bounded memory on large stores

errors = []


def err(msg):
    errors.append(msg)


def is_vlen_utf8(dt):
    info = h5py.check_string_dtype(dt)
    return info is not None and info.length is None and info.encoding == "utf-8"


def check_dataset(f, path, want, length=None, ndim=1):
    if path not in f or not isinstance(f[path], h5py.Dataset):
        err(f"{path}: missing")
        return None
    ds = f[path]
    if want is None:
        if not is_vlen_utf8(ds.dtype):
            err(f"{path}: dtype {ds.dtype}, want variable-length UTF-8 string")
    elif ds.dtype != want:
        err(f"{path}: dtype {ds.dtype}, want {want}")
    if ds.ndim != ndim:
        err(f"{path}: {ds.ndim} dimensions, want {ndim}")
    elif length is not None and ds.shape[0] != length:
        err(f"{path}: {ds.shape[0]} entries, want {length}")
    return ds


def check_descriptions(f):
    def visit(name, obj):
        if isinstance(obj, h5py.Dataset):
            d = obj.attrs.get("description")
            if isinstance(d, bytes):
                d = d.decode("utf-8", "replace")
            if not isinstance(d, str) or not d.strip():
                err(f"/{name}: no description attribute")
    f.visititems(visit)


def blocks(n):
    for a in range(0, n, STEP):
        yield a, min(n, a + STEP)


def main():
    if len(sys.argv) != 2:
        print(__doc__)
        return 2
    path = sys.argv[1]
    try:
        f = h5py.File(path, "r")
    except OSError as e:
        print(f"{path}: cannot open: {e}")
        return 1
    with f:
        fmt = f.attrs.get("format")
        if fmt not in ("skillmat", b"skillmat"):
            err(f"/: format attribute is {fmt!r}, want 'skillmat'")
        ver = f.attrs.get("schema_version")
        if ver is None or np.asarray(ver).shape != (2,) or int(ver[0]) != 1:
            err(f"/: schema_version {ver!r}, want [1, minor]")
        if "created" not in f.attrs:
            err("/: no created attribute")
        check_descriptions(f)

        g = f.get("matrix")
        if g is None:
            err("/matrix: missing")
            return report(path)
        try:
            n = int(g.attrs["n_rows"])
            p = int(g.attrs["n_cols"])
            nnz = int(g.attrs["nnz"])
        except KeyError as e:
            err(f"/matrix: attribute {e} missing")
            return report(path)
        fa = g.attrs.get("format")
        if fa not in ("csr", b"csr"):
            err(f"/matrix: format attribute {fa!r}, want 'csr'")

        for name, dt in POSTINGS.items():
            check_dataset(f, f"/postings/{name}", dt, n)
        for name, dt in OPTIONAL_POSTINGS.items():
            if f"/postings/{name}" in f:
                check_dataset(f, f"/postings/{name}", dt, n)
        for name, dt in LEVELS.items():
            check_dataset(f, f"/postings/{name}", dt)
        # Any other posting column must have n_rows entries too.
        for name, ds in f["postings"].items() if "postings" in f else ():
            if not name.endswith("_levels") and isinstance(ds, h5py.Dataset) and ds.shape != (n,):
                err(f"/postings/{name}: shape {ds.shape}, want ({n},)")
        for c in CATS:
            codes, levels = f.get(f"/postings/{c}"), f.get(f"/postings/{c}_levels")
            if codes is None or levels is None or codes.shape != (n,):
                continue
            for a, b in blocks(n):
                x = codes[a:b]
                if x.size and (x.min() < -1 or x.max() >= levels.shape[0]):
                    err(f"/postings/{c}: codes outside [-1, {levels.shape[0]})")
                    break
        sa = f.get("/postings/salary_annual")
        if sa is not None and "hours_per_year" not in sa.attrs:
            err("/postings/salary_annual: no hours_per_year attribute")

        for name, dt in SKILLS.items():
            check_dataset(f, f"/skills/{name}", dt, p)
        for name, dt in PROVENANCE.items():
            check_dataset(f, f"/provenance/{name}", dt)
        check_dataset(f, "/provenance/input_columns", None, ndim=2)
        prov = f.get("provenance")
        if prov is not None:
            for a in PROVENANCE_ATTRS:
                if a not in prov.attrs:
                    err(f"/provenance: attribute {a} missing")
            ni = prov["input_files"].shape[0] if "input_files" in prov else 0
            for name in ("input_sha256", "input_format", "input_bytes", "input_records",
                         "input_skipped"):
                if name in prov and prov[name].shape != (ni,):
                    err(f"/provenance/{name}: shape {prov[name].shape}, want ({ni},)")
            if "input_columns" in prov and "column_roles" in prov and \
                    prov["input_columns"].shape != (ni, prov["column_roles"].shape[0]):
                err(f"/provenance/input_columns: shape {prov['input_columns'].shape}, "
                    f"want ({ni}, {prov['column_roles'].shape[0]})")
            if "skipped_reason" in prov and "skipped_count" in prov and \
                    prov["skipped_reason"].shape != prov["skipped_count"].shape:
                err("/provenance: skipped_reason and skipped_count differ in length")
            sf = f.get("/postings/source_file")
            if sf is not None and n > 0 and sf.shape == (n,) and sf[:].max() >= ni:
                err("/postings/source_file: index beyond /provenance/input_files")
        if "parameters" not in f:
            err("/parameters: missing")

        before = len(errors)
        indptr = check_dataset(f, "/matrix/indptr", MATRIX["indptr"], n + 1)
        indices = check_dataset(f, "/matrix/indices", MATRIX["indices"], nnz)
        counts = check_dataset(f, "/matrix/counts", MATRIX["counts"], nnz)
        df_ds = f.get("/skills/doc_freq")
        if len(errors) > before or df_ds is None or df_ds.shape != (p,):
            return report(path)

        ip = indptr[:]  # n + 1 int64: 8 bytes per posting
        if ip[0] != 0 or ip[-1] != nnz:
            err(f"/matrix/indptr: runs from {ip[0]} to {ip[-1]}, want 0 to nnz = {nnz}")
        if n > 0 and np.any(np.diff(ip) < 0):
            err("/matrix/indptr: decreases")
        if len(errors) > before:
            return report(path)
        presence = np.zeros(p, dtype=np.int64)
        for a, b in blocks(nnz):
            j = indices[a:b].astype(np.int64)
            c = counts[a:b]
            if j.size and (j.min() < 0 or j.max() >= p):
                err(f"/matrix/indices: values outside [0, n_cols = {p})")
                break
            if c.size and c.min() < 1:
                err("/matrix/counts: a count below 1")
                break
            # Within a row, indices strictly increase: compare neighbours in the same row.
            row_of = np.searchsorted(ip, np.arange(a, b), side="right") - 1
            same_row = row_of[1:] == row_of[:-1]
            if np.any(np.diff(j)[same_row] <= 0):
                err("/matrix/indices: not strictly increasing within a row")
                break
            # Each (row, column) appears at most once, so presence is a plain bincount.
            presence += np.bincount(j, minlength=p)
        if len(errors) == before:
            df = df_ds[:]
            bad = np.nonzero(df != presence)[0]
            if bad.size:
                j = int(bad[0])
                err(f"/skills/doc_freq: {bad.size} skills disagree with the matrix "
                    f"(skill {j}: {df[j]} vs {presence[j]} postings)")
    return report(path)


def report(path):
    if errors:
        for e in errors:
            print(f"{path}: {e}")
        return 1
    print(f"{path}: ok")
    return 0


if __name__ == "__main__":
    sys.exit(main())
