#!/usr/bin/python3
"""make_notebooks.py: write each plotting script of notebooks-data/ as a Jupyter notebook.

Usage: make_notebooks.py [--outdir DIR] [--check]

For every script in SCRIPTS, `<name>.ipynb` (nbformat 4.5 JSON, no outputs) gets a markdown cell
holding the module docstring and one code cell per section of the script (sections begin at
lines reading `# %%`). In the first code cell the line `RESULTS, OUTDIR = skm.cli_args()` becomes
two assignments to edit (a results file, an output directory). The notebooks are written next to
the scripts, or to --outdir; --check writes nothing and exits 1 when a notebook next to the
scripts differs from what this would write (the end-to-end test regenerates them and compares).
Output is deterministic: the same scripts give byte-identical notebooks.
"""
import argparse
import ast
import json
import os
import sys

HERE = os.path.dirname(os.path.abspath(__file__))
SCRIPTS = ["top_skills", "salary", "cooccurrence", "role_types", "premiums", "trends",
           "benchmarks"]
CLI_LINE = "RESULTS, OUTDIR = skm.cli_args()"
PARAMS = ['RESULTS = "../out/results.h5"  # a skillmat results file (see ../README.md)',
          'OUTDIR = "../out/plots"  # where the PNG is written']
# Scripts that read another file than a results file.
PARAMS_OF = {"benchmarks": ['RESULTS = "../bench/results/benchmarks.h5"  # bench/regenerate.py',
                            'OUTDIR = "../out/plots"  # where the PNG is written']}


def lines_of(text):
    """Notebook source: a list of lines, each but the last ending in a newline."""
    ls = text.split("\n")
    return [ln + "\n" for ln in ls[:-1]] + ([ls[-1]] if ls[-1] else [])


def notebook(name, source):
    doc = ast.get_docstring(ast.parse(source), clean=True)
    if not doc:
        raise SystemExit(f"{name}.py: no module docstring")
    sections, cur = [], None
    for ln in source.split("\n"):
        if ln.strip() == "# %%":
            cur = []
            sections.append(cur)
        elif cur is not None:
            cur.append(ln)
    if not sections:
        raise SystemExit(f"{name}.py: no '# %%' sections")
    first = "\n".join(sections[0])
    if CLI_LINE not in first:
        raise SystemExit(f"{name}.py: the first section lacks '{CLI_LINE}'")
    sections[0] = first.replace(CLI_LINE, "\n".join(PARAMS_OF.get(name, PARAMS))).split("\n")
    doc = doc.replace(f"Run as a script: `/usr/bin/python3 notebooks-data/{name}.py",
                      f"This notebook is generated from `{name}.py` by `make_notebooks.py`; "
                      f"set `RESULTS` and `OUTDIR` in the first cell. Run as a script: "
                      f"`/usr/bin/python3 notebooks-data/{name}.py")
    cells = [{"cell_type": "markdown", "id": f"{name}-0", "metadata": {},
              "source": lines_of(doc)}]
    for i, sec in enumerate(sections, 1):
        code = "\n".join(sec).strip("\n")
        cells.append({"cell_type": "code", "execution_count": None, "id": f"{name}-{i}",
                      "metadata": {}, "outputs": [], "source": lines_of(code)})
    nb = {"cells": cells,
          "metadata": {"kernelspec": {"display_name": "Python 3", "language": "python",
                                      "name": "python3"},
                       "language_info": {"name": "python"}},
          "nbformat": 4, "nbformat_minor": 5}
    return json.dumps(nb, indent=1, ensure_ascii=False) + "\n"


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("--outdir", default=HERE, help="where to write the notebooks")
    ap.add_argument("--check", action="store_true", help="compare with the notebooks in place")
    a = ap.parse_args()
    stale = []
    for name in SCRIPTS:
        with open(os.path.join(HERE, name + ".py"), encoding="utf-8") as fh:
            text = notebook(name, fh.read())
        path = os.path.join(HERE if a.check else a.outdir, name + ".ipynb")
        if a.check:
            try:
                with open(path, encoding="utf-8") as fh:
                    same = fh.read() == text
            except FileNotFoundError:
                same = False
            if not same:
                stale.append(path)
            continue
        os.makedirs(a.outdir, exist_ok=True)
        with open(path, "w", encoding="utf-8") as fh:
            fh.write(text)
        print(path)
    if stale:
        sys.stderr.write("out of date (run make_notebooks.py): " + ", ".join(stale) + "\n")
        sys.exit(1)


if __name__ == "__main__":
    main()
