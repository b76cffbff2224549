#!/bin/sh
# Runs each libFuzzer target for SECONDS on its seed corpus (tests/fuzz/corpus/NAME) and a working corpus
# (OUT/corpus/NAME); prints one line per target and a total. Findings go to OUT/findings/, logs to OUT/NAME.log.
# OUT is $FUZZ_OUT, else build/fuzz.
# usage: tests/fuzz/run.sh SECONDS build/fuzz/NAME...
seconds=$1
shift
top=$(cd "$(dirname "$0")/../.." && pwd)
out=${FUZZ_OUT:-$top/build/fuzz}
mkdir -p "$out/findings"
total_runs=0 findings=0 failed=""
for bin in "$@"; do
	name=$(basename "$bin")
	work="$out/corpus/$name"
	log="$out/$name.log"
	mkdir -p "$work"
	# -timeout: an input that takes 10 s is a finding too (an endless loop on hostile bytes)
	"$bin" -max_total_time="$seconds" -print_final_stats=1 -timeout=10 -rss_limit_mb=2048 \
		-artifact_prefix="$out/findings/$name-" "$work" "$top/tests/fuzz/corpus/$name" >"$log" 2>&1
	rc=$?
	runs=$(sed -n 's/^stat::number_of_executed_units: *//p' "$log" | tail -n 1)
	units=$(ls "$work" | wc -l)
	if [ "$rc" != 0 ]; then
		findings=$((findings + 1))
		failed="$failed $name"
		echo "  FAIL $name: exit $rc after ${runs:-?} runs; saved: $(ls -t "$out/findings/$name-"* 2>/dev/null | head -n 1)"
		grep -E 'ERROR|invariant broken|SUMMARY' "$log" | head -n 5 | sed 's/^/       /'
	else
		echo "  ok   $name: ${runs:-0} runs in ${seconds} s, working corpus $units inputs"
	fi
	total_runs=$((total_runs + ${runs:-0}))
done
echo "fuzz: $# targets, $total_runs runs, $findings findings"
[ "$findings" = 0 ]
