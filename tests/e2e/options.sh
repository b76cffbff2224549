#!/bin/sh
# Option parsing as the static binary does it (musl's getopt_long): long and short forms, clusters, attached
# and --opt=value arguments, unambiguous abbreviations, options after operands, "--", and one usage line with
# exit 2 for each kind of mistake. Fixture trees keep the outputs comparable.
. "$(dirname "$0")/lib.sh"

NORMAL="$FIXTURES/normal"
APACHE="$FIXTURES/apache"

# same_output DESC WANT_FILE CMD...: the command exits 0 and prints exactly WANT_FILE
same_output() {
	so_desc=$1 so_want=$2
	shift 2
	run "$@"
	if [ "$RC" = 0 ] && cmp -s "$so_want" "$T/out"; then
		ok "$so_desc"
	else
		not_ok "$so_desc: exit $RC, stdout differs: $(diff "$so_want" "$T/out" | head -c 300) $(head -c 200 "$T/err")"
	fi
}

# usage_error DESC PREFIX CMD...: exit 2 and one line on stderr starting with PREFIX, nothing on stdout
usage_error() {
	ue_desc=$1 ue_prefix=$2
	shift 2
	run "$@"
	expect_status 2 "$ue_desc"
	one_error_line "$ue_prefix"
	check "$ue_desc: nothing on stdout" [ ! -s "$T/out" ]
}

PROCBOX_PROC=$NORMAL "$PB" proc-tree -f json -o pid,comm,user >"$T/tree.json" || not_ok "proc-tree -f json on the fixture"
check "the reference output is JSON" sh -c "jq -e . '$T/tree.json' >/dev/null"
check "the reference output matches the proc-tree schema" json_valid proc-tree "$T/tree.json"
same_output "long option with a separate argument" "$T/tree.json" env PROCBOX_PROC="$NORMAL" "$PB" proc-tree --format json --fields pid,comm,user
same_output "--option=value" "$T/tree.json" env PROCBOX_PROC="$NORMAL" "$PB" proc-tree --format=json --fields=pid,comm,user
same_output "an unambiguous abbreviation (--form, --fi)" "$T/tree.json" env PROCBOX_PROC="$NORMAL" "$PB" proc-tree --form json --fi pid,comm,user
same_output "short options with attached arguments" "$T/tree.json" env PROCBOX_PROC="$NORMAL" "$PB" proc-tree -fjson -opid,comm,user

# options may follow operands (applets whose option string has no leading '+')
sleep 300 &
SLEEPER=$!
track $SLEEPER
# until it has exec'd sleep: the outputs compared must all see the same name
wait_for 5 grep -qx sleep "/proc/$SLEEPER/comm"
"$PB" proc-stop -n -f json $SLEEPER >"$T/stop.json" || not_ok "proc-stop -n -f json"
check "the dry run names the sleeper" grep -q "\"pid\":$SLEEPER," "$T/stop.json"
check "the dry run matches the proc-stop schema" json_valid proc-stop "$T/stop.json"
same_output "options after the operand" "$T/stop.json" "$PB" proc-stop $SLEEPER -n -f json
same_output "options around the operand" "$T/stop.json" "$PB" proc-stop -n $SLEEPER --format=json
# a leading '+': options end at the first operand (proc-tree takes one PID, so a second word is an error)
usage_error "with '+', an option after the operand is an operand" "proc-tree: at most one PID" env PROCBOX_PROC="$NORMAL" "$PB" proc-tree 200 -f json

PROCBOX_PROC=$APACHE "$PB" apache-mem -b -q >"$T/apache.txt" || not_ok "apache-mem -b -q on the fixture"
same_output "a cluster of flags (-bq)" "$T/apache.txt" env PROCBOX_PROC="$APACHE" "$PB" apache-mem -bq
same_output "a cluster ending in an option with its argument (-bqf text)" "$T/apache.txt" env PROCBOX_PROC="$APACHE" "$PB" apache-mem -bqf text
same_output "a cluster with the argument attached (-bqftext)" "$T/apache.txt" env PROCBOX_PROC="$APACHE" "$PB" apache-mem -bqftext

usage_error "an unknown long option" "proc-tree: bad option '--bogus'" env PROCBOX_PROC="$NORMAL" "$PB" proc-tree --bogus
usage_error "an unknown short option in a cluster" "apache-mem: bad option '-z'" env PROCBOX_PROC="$APACHE" "$PB" apache-mem -bz
usage_error "an ambiguous abbreviation (--t: --timeout or --tree)" "proc-wait: bad option '--t'" "$PB" proc-wait --t 1 1
usage_error "a missing argument, short" "proc-tree: bad option '-o'" env PROCBOX_PROC="$NORMAL" "$PB" proc-tree -o
usage_error "a missing argument, long" "proc-tree: bad option '--fields'" env PROCBOX_PROC="$NORMAL" "$PB" proc-tree --fields
usage_error "an argument given to a flag (--tree=1)" "proc-wait: bad option '--tree=1'" "$PB" proc-wait --tree=1 1
usage_error "after --, an option is an operand" "proc-tree: " env PROCBOX_PROC="$NORMAL" "$PB" proc-tree -- -f
check "after --: it is named as the operand it became" grep -q -- "-f" "$T/err"

# a leading '+' in an applet's option string: options end at the command, whose own options stay its own
run env -i PATH=/usr/bin:/bin "$PB" with-gui-environment true --print-env
check "with-gui-environment: an option after the command belongs to the command (not a usage error)" [ "$RC" != 2 ]
finish
