#!/usr/bin/env bash
# Ingest benchmark: (1) the bundled sample, median of 5 runs; (2) a generated CSV of about GB
# gigabytes (the sample's records repeated): the CSV reader alone (bench_table: parse, UTF-8
# check, SHA-256), then the whole ingest with throughput and peak resident memory, to show that
# memory is bounded by the block size and not by the input; (3) two 100 MB fields, skipped
# without being buffered.
# Usage: bench/ingest.sh [BUILD_DIR=build] [GB=3] [WORK_DIR=out/bench]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}; gb=${2:-3}; work=${3:-out/bench}
bin=$build/skillmat
sample=notebooks-data/data_jobs_salary_2023.csv.gz
mkdir -p "$work"

echo "== sample: $sample"
times=()
for i in 1 2 3 4 5; do
  s=$(date +%s.%N); "$bin" ingest -q "$sample" -o "$work/sample.h5" >/dev/null; e=$(date +%s.%N)
  times+=("$(echo "$e - $s" | bc)")
done
printf '%s\n' "${times[@]}" | sort -n | awk '{a[NR]=$1} END {printf "ingest of the sample: median %.3f s over %d runs (min %.3f, max %.3f)\n", a[int((NR+1)/2)], NR, a[1], a[NR]}'

big=$work/large.csv
body=$work/body.csv
zcat "$sample" > "$work/sample.csv"
tail -n +2 "$work/sample.csv" > "$body"
copies=$(( gb * 1000000000 / $(stat -c %s "$body") + 1 ))
if [ ! -f "$big" ] || [ "$(stat -c %s "$big")" -lt $(( gb * 1000000000 )) ]; then
  echo "== generating $big: header + $copies copies of the sample's records"
  { head -n 1 "$work/sample.csv"; for _ in $(seq "$copies"); do cat "$body"; done; } > "$big"
fi
size=$(stat -c %s "$big")
echo "== large: $big, $(echo "scale=2; $size/1000000000" | bc) GB"
echo "-- CSV reader alone (best of 3):"
"$build/bench_table" "$big"
echo "-- whole ingest:"
/usr/bin/time -f '%e s elapsed, peak RSS %M KiB' -o "$work/time.txt" \
  "$bin" ingest -q "$big" -o "$work/large.h5"
cat "$work/time.txt"
"$bin" info "$work/large.h5" | head -4
rm -f "$body" "$work/sample.csv"

echo "== two 100 MB fields (limit 8 MiB): skipped, memory stays small"
/usr/bin/python3 - "$work/huge.csv" <<'PY'
import sys
with open(sys.argv[1], "w") as f:
    f.write("job_title,salary_year_avg,job_skills\n")
    f.write("Before,100000,\"['sql']\"\n")
    f.write("Huge,1,\"" + "x" * 100_000_000 + "\"\n")
    f.write("Huge unquoted,1," + "y" * 100_000_000 + "\n")
    f.write("After,120000,\"['python']\"\n")
PY
/usr/bin/time -f '%e s elapsed, peak RSS %M KiB' -o "$work/time.txt" \
  "$bin" ingest -q "$work/huge.csv" -o "$work/huge.h5" 2>&1 | grep -E 'wrote|skipped|too_long'
cat "$work/time.txt"
rm -f "$work/huge.csv"
