#!/usr/bin/env bash
# Command-line behaviour of `skillmat`: exit codes (0 ok, 1 failure, 2 usage), one clear line for
# a missing input, nothing left under the output name after a failure, help and version texts.
# Usage: cli_test.sh SKILLMAT_BIN FIXTURES_DIR WORK_DIR
set -u
bin=$1; fx=$2/ingest; work=$3
mkdir -p "$work"; rm -f "$work"/*.h5 "$work"/.*.tmp.* 2>/dev/null
fails=0
expect() { # expect CODE DESCRIPTION -- command...
  local want=$1 what=$2; shift 3
  "$@" >"$work/out" 2>"$work/err"; local got=$?
  if [ "$got" -ne "$want" ]; then
    echo "FAIL: $what: exit $got, want $want"; sed 's/^/  stderr: /' "$work/err" | head -5; fails=$((fails+1))
  fi
}
has() { # has FILE PATTERN DESCRIPTION
  grep -q -- "$2" "$1" || { echo "FAIL: $3: '$2' not in $(basename "$1")"; sed 's/^/  /' "$1" | head -5; fails=$((fails+1)); }
}

expect 2 "no arguments" -- "$bin"
expect 0 "--help" -- "$bin" --help;                    has "$work/out" "ingest" "help lists ingest"
expect 0 "--version" -- "$bin" --version;              has "$work/out" "skillmat 0" "version"
expect 0 "SKILLMAT_ISA=ref" -- env SKILLMAT_ISA=ref "$bin" --version; has "$work/out" "kernels ref;" "forced reference kernels"
expect 2 "SKILLMAT_ISA unknown" -- env SKILLMAT_ISA=bogus "$bin" info x.h5; has "$work/err" "SKILLMAT_ISA=bogus" "bad ISA message"
expect 2 "unknown command" -- "$bin" frobnicate;       has "$work/err" "unknown command" "unknown command message"
expect 0 "ingest --help" -- "$bin" ingest --help;      has "$work/out" "--skills-col" "ingest help"
expect 0 "help info" -- "$bin" help info;              has "$work/out" "usage: skillmat info" "info help"
expect 2 "ingest without -o" -- "$bin" ingest "$fx/postings.csv"
expect 2 "ingest without input" -- "$bin" ingest -o "$work/x.h5"
expect 2 "unknown option" -- "$bin" ingest --bogus "$fx/postings.csv" -o "$work/x.h5"
expect 2 "bad compression" -- "$bin" ingest --compression 11 "$fx/postings.csv" -o "$work/x.h5"
expect 2 "bad hours" -- "$bin" ingest --hours-per-year abc "$fx/postings.csv" -o "$work/x.h5"

# Skills from text where a worker's first record names no skill (its match list still empty: once a
# memcpy from NULL, which UBSan stops on).
printf 'title,description\nCook,Makes soup and bread.\nData Scientist,Python and SQL daily.\n' >"$work/text.csv"
expect 0 "ingest text, first record without skills" -- "$bin" ingest "$work/text.csv" --text-col description --threads 2 -o "$work/text.h5" -q
expect 0 "info of that store" -- "$bin" info "$work/text.h5"; has "$work/out" "skills  *2$" "skills found in the second record"

expect 0 "cooccur --help" -- "$bin" cooccur --help;    has "$work/out" "--min-support" "cooccur help"
expect 2 "cooccur without -o" -- "$bin" cooccur x.h5
expect 2 "cooccur without store" -- "$bin" cooccur -o "$work/r.h5"
expect 2 "cooccur bad alpha" -- "$bin" cooccur x.h5 -o "$work/r.h5" --alpha 1.5
expect 2 "cooccur bad min-support" -- "$bin" cooccur x.h5 -o "$work/r.h5" --min-support 0
expect 2 "cooccur bad path" -- "$bin" cooccur x.h5 -o "$work/r.h5" --path fast
expect 1 "cooccur missing store" -- "$bin" cooccur "$work/does-not-exist.h5" -o "$work/r.h5"
[ ! -e "$work/r.h5" ] || { echo "FAIL: results left after a missing store"; fails=$((fails+1)); }

expect 0 "regress --help" -- "$bin" regress --help;    has "$work/out" "--absorb" "regress help"
expect 2 "regress without -o" -- "$bin" regress x.h5
expect 2 "regress bad se" -- "$bin" regress x.h5 -o "$work/r.h5" --se robust
expect 2 "regress cluster without column" -- "$bin" regress x.h5 -o "$work/r.h5" --se cluster:
expect 2 "regress bad alpha" -- "$bin" regress x.h5 -o "$work/r.h5" --alpha 0
expect 2 "regress bad fe-method" -- "$bin" regress x.h5 -o "$work/r.h5" --fe-method lsqr
expect 1 "regress missing store" -- "$bin" regress "$work/does-not-exist.h5" -o "$work/r.h5"
[ ! -e "$work/r.h5" ] || { echo "FAIL: regress results left after a missing store"; fails=$((fails+1)); }

expect 0 "cluster --help" -- "$bin" cluster --help;    has "$work/out" "--k-range" "cluster help"
expect 2 "cluster without -o" -- "$bin" cluster x.h5
expect 2 "cluster bad k" -- "$bin" cluster x.h5 -o "$work/r.h5" -k 0
expect 2 "cluster bad range" -- "$bin" cluster x.h5 -o "$work/r.h5" --k-range 9:3
expect 2 "cluster k and range" -- "$bin" cluster x.h5 -o "$work/r.h5" -k 3 --k-range 2:4
expect 2 "cluster bad metric" -- "$bin" cluster x.h5 -o "$work/r.h5" --metric manhattan
expect 2 "cluster bad choose" -- "$bin" cluster x.h5 -o "$work/r.h5" --choose gap
expect 1 "cluster missing store" -- "$bin" cluster "$work/does-not-exist.h5" -o "$work/r.h5"
[ ! -e "$work/r.h5" ] || { echo "FAIL: cluster results left after a missing store"; fails=$((fails+1)); }

# A missing input: one line on stderr, exit 1, no output.
expect 1 "missing input" -- "$bin" ingest "$work/does-not-exist.csv" -o "$work/x.h5"
[ "$(wc -l <"$work/err")" -eq 1 ] || { echo "FAIL: missing input should print one line:"; cat "$work/err"; fails=$((fails+1)); }
has "$work/err" "does-not-exist.csv" "missing input names the file"
[ ! -e "$work/x.h5" ] || { echo "FAIL: output left after missing input"; fails=$((fails+1)); }

# An unreadable input (a directory).
expect 1 "directory as input" -- "$bin" ingest "$fx" -o "$work/x.h5"

# Malformed records: skipped with file:line messages and a summary; --strict makes them fatal.
expect 0 "bad records skipped" -- "$bin" ingest "$fx/bad.csv" -o "$work/bad.h5"
has "$work/err" "bad.csv:3: column 'salary_year_avg'" "bad salary message with file:line and column"
has "$work/err" "bad.csv:7:" "invalid UTF-8 message with line"
has "$work/out" "skipped 6 malformed records" "skip summary"
has "$work/out" "1 unreadable (/postings/salary_flag)" "unreadable salary kept, flagged and counted"
has "$work/err" "salary left unknown (salary_flag 3)" "unreadable salary warning"
expect 1 "--strict" -- "$bin" ingest --strict "$fx/bad.csv" -o "$work/strict.h5"
[ ! -e "$work/strict.h5" ] || { echo "FAIL: --strict left an output"; fails=$((fails+1)); }

# Column summary and info.
expect 0 "ingest two files" -- "$bin" ingest "$fx/postings.csv" "$fx/postings.jsonl.gz" -o "$work/two.h5"
has "$work/err" "skills *<- job_skills (auto)" "column summary"
has "$work/out" "6 postings, 7 skills, 12 non-zeros" "ingest summary"
expect 0 "info" -- "$bin" info "$work/two.h5"
has "$work/out" "postings *6" "info postings"
has "$work/out" "written 20.*by skillmat" "info provenance line"
has "$work/out" "python *3" "info top skills"
expect 1 "cluster k above the postings" -- "$bin" cluster "$work/two.h5" -o "$work/c.h5" -k 50
has "$work/err" "more than the" "cluster k message"
[ ! -e "$work/c.h5" ] || { echo "FAIL: cluster results left after an error"; fails=$((fails+1)); }
expect 0 "cluster a tiny store" -- "$bin" cluster "$work/two.h5" -o "$work/c.h5" -k 2
has "$work/out" "Role types: 2 clusters" "cluster summary"
expect 1 "info on a non-store" -- "$bin" info "$fx/postings.csv"
expect 1 "info on a missing file" -- "$bin" info "$work/nope.h5"
expect 2 "info without file" -- "$bin" info

# Delimiter: a tab-separated file is detected from its header; --delimiter forces one.
printf 'job_title\tjob_skills\tsalary_year_avg\nA\tsql|python\t100000\nB\t["go"]\t\n' > "$work/t.tsv"
expect 0 "TSV auto" -- "$bin" ingest "$work/t.tsv" -o "$work/tsv.h5"
has "$work/err" "delimiter detected from the header: tab" "TSV detection message"
has "$work/out" "2 postings, 3 skills, 3 non-zeros" "TSV read as three columns"
expect 0 "TSV with an explicit comma" -- "$bin" ingest --delimiter , "$work/t.tsv" -o "$work/tsv.h5"
has "$work/out" "2 postings, 0 skills" "explicit delimiter is not second-guessed"

# A pipe can be read only once: ingest from standard input and from a process substitution.
cat "$fx/postings.csv" | "$bin" ingest /dev/stdin -o "$work/stdin.h5" >"$work/out" 2>"$work/err" \
  || { echo "FAIL: ingest from a pipe"; cat "$work/err"; fails=$((fails+1)); }
has "$work/out" "4 postings, 5 skills, 7 non-zeros" "ingest from a pipe"
expect 0 "process substitution" -- "$bin" ingest <(gzip -dc "$fx/postings.jsonl.gz") "$fx/postings.csv" -o "$work/sub.h5"
has "$work/out" "6 postings, 7 skills, 12 non-zeros" "two inputs, one a pipe"

# Interrupted: SIGINT while ingest waits on a pipe. It stops, exits 1, and leaves no output and
# no temporary file. (The writer side keeps the pipe open for 3 s, so the signal is sure to land
# mid-run; the read is interrupted at once.)
rm -f "$work/fifo" "$work/int.h5"; mkfifo "$work/fifo"
( printf 'job_title,job_skills\nA,"[\x27sql\x27]"\n'; sleep 3 ) > "$work/fifo" &
writer=$!
"$bin" ingest "$work/fifo" -o "$work/int.h5" >"$work/out" 2>"$work/err" &
pid=$!
sleep 1; kill -INT "$pid"; wait "$pid"; got=$?
[ "$got" -eq 1 ] || { echo "FAIL: interrupted ingest: exit $got, want 1"; cat "$work/err"; fails=$((fails+1)); }
has "$work/err" "interrupted" "interrupted message"
[ ! -e "$work/int.h5" ] || { echo "FAIL: interrupted ingest left an output"; fails=$((fails+1)); }
kill "$writer" 2>/dev/null; wait "$writer" 2>/dev/null; rm -f "$work/fifo"

ls -a "$work" | grep -q '\.tmp\.' && { echo "FAIL: temporary files left: $(ls -a "$work")"; fails=$((fails+1)); }
[ "$fails" -eq 0 ] && echo "cli: all checks passed"
exit $((fails > 0))
