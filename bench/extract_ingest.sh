#!/bin/bash
# Ingest throughput on generated description text, and the thread-count independence of the
# result (docs/extraction.md, docs/benchmarks.md).
#
#   bash bench/extract_ingest.sh [BUILD_DIR] [MB] [REPS]     (defaults: build 2048 3)
#
# 1. bench_extract --csv writes MB megabytes of generated job-ad descriptions as CSV (streamed);
# 2. skillmat ingest reads it with --threads 1 and --threads 2 (--matches), alternating, REPS times;
# 3. every dataset of the two stores outside /provenance is compared (h5py): they must be equal;
# 4. medians: wall time, MB/s of the whole ingest, the extraction phase, peak RSS.
set -euo pipefail
build=${1:-build}
mb=${2:-2048}
reps=${3:-3}
tmp=$(mktemp -d "${TMPDIR:-/tmp}/skm-xingest.XXXXXX")
trap 'rm -rf "$tmp"' EXIT
"$build/bench_extract" --csv "$tmp/corpus.csv" --mb "$mb"
bytes=$(stat -c %s "$tmp/corpus.csv")
for r in $(seq "$reps"); do
    for th in 1 2; do
        /usr/bin/time -f "%e %M" -o "$tmp/time" \
            "$build/skillmat" ingest "$tmp/corpus.csv" -o "$tmp/t$th.h5" --threads "$th" --matches -q \
            > "$tmp/out$th"
        read -r wall rss < "$tmp/time"
        ext=$(sed -n 's/.*extraction \([0-9.]*\) s.*/\1/p' "$tmp/out$th")
        echo "$th $wall $rss $ext" >> "$tmp/runs"
        echo "run $r, $th thread(s): ${wall} s, extraction ${ext} s, peak RSS $((rss / 1024)) MB"
    done
done
/usr/bin/python3 - "$tmp/t1.h5" "$tmp/t2.h5" <<'PY'
import sys, h5py, numpy as np
a, b = h5py.File(sys.argv[1], "r"), h5py.File(sys.argv[2], "r")
names = []
a.visititems(lambda n, o: names.append(n) if isinstance(o, h5py.Dataset) else None)
names = [n for n in names if not n.startswith("provenance")]
def same(x, y):
    return x.shape == y.shape and np.array_equal(x, y, equal_nan=x.dtype.kind == "f")
bad = [n for n in names if n not in b or not same(a[n][()], b[n][()])]
print(f"{len(names)} datasets compared (all but /provenance): "
      + ("identical" if not bad else "DIFFERENT: " + ", ".join(bad)))
print(f"postings {a['matrix'].attrs['n_rows']}, skills {a['matrix'].attrs['n_cols']}, "
      f"mentions {len(a['matches/skill'])}")
sys.exit(1 if bad else 0)
PY
/usr/bin/python3 - "$tmp/runs" "$bytes" <<'PY'
import sys, statistics as st
rows = [l.split() for l in open(sys.argv[1])]
mb = int(sys.argv[2]) / 1e6
for th in ("1", "2"):
    r = [x for x in rows if x[0] == th]
    wall = st.median(float(x[1]) for x in r)
    ext = st.median(float(x[3]) for x in r)
    rss = max(int(x[2]) for x in r) / 1024
    print(f"RESULT extract_ingest threads={th} input_mb={mb:.0f} wall_s={wall:.2f} "
          f"mb_per_s={mb / wall:.0f} extraction_s={ext:.2f} extraction_mb_per_s={mb / ext:.0f} "
          f"peak_rss_mb={rss:.0f}")
PY
