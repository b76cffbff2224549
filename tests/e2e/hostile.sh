#!/bin/sh
# Hostile trees: every applet's read-only invocations against what a malicious local user or a broken kernel
# can show (tests/e2e/lib_reliability.sh: hostile_tree): no crash, clean text or valid JSON, or a clear error.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_reliability.sh"

H="$T/hostile"
hostile_tree "$H"
check "the environment is 2 MiB" [ "$(wc -c <"$H/40/environ")" -ge 2097152 ]
check "the command line has 100 000 arguments" [ "$(tr -cd '\0' <"$H/41/cmdline" | wc -c)" = 100000 ]
check "stat 44 has 10 fields" [ "$(wc -w <"$H/44/stat")" = 10 ]
check "stat 45 has 100 fields" [ "$(wc -w <"$H/45/stat")" = 100 ]

# proc-tree, text: every process that parses, one line each, nothing raw
PROCBOX_PROC="$H" run "$PB" proc-tree -o pid,ppid,state,comm,user,exe,cwd,cgroup,cmdline
expect_status 0 "proc-tree text on the hostile tree"
check "text: no control characters, valid UTF-8" text_is_clean "$T/out"
check "text: the name with a newline stays on one line" grep -Eq '^ +42 +1 S \) 9\?9 9 \( ' "$T/out"
check "text: escape sequences become '?'" grep -Eq '^ +43 +1 S \?\]0;pwn\?\? ' "$T/out"
# (past the 32 levels drawn, the depth is a number: the art stays as wide as at level 32)
check "text: the 1000-deep chain is drawn to its end" grep -Eq '^ +1999 +1998 .* \[999\]\\_ \[chain\]$' "$T/out"
check "text: the largest pid is listed" grep -Eq '^ *2147483647 ' "$T/out"
check "text: no entry from directories that are not pids" sh -c "! grep -Eq 'notapid|regularfile' '$T/out'"
errors_are_clear proc-tree "$T/err" && ok "text: stderr clean" || not_ok "text: stderr: $(head -c 300 "$T/err")"

# proc-tree, JSON: exact bytes back, nothing lost
PROCBOX_PROC="$H" run "$PB" proc-tree --format json -o pid,ppid,comm,uids,exe,cwd,cgroup,cmdline,environ,status
expect_status 0 "proc-tree JSON on the hostile tree"
check "JSON: valid, in valid UTF-8" json_is_clean "$T/out"
check "JSON: the proc-tree schema" json_valid proc-tree "$T/out"
check "JSON: no raw C1 control (U+0080..U+009F)" sh -c "! LC_ALL=C grep -qP '\\xc2[\\x80-\\x9f]' '$T/out'"
jqc() { jq -e "$1" "$T/out" >/dev/null; }
check "JSON: the name with a newline comes back exactly" jqc '.processes[] | select(.pid == 42) | .comm == ") 9\n9 9 ("'
check "JSON: control characters are escaped, not dropped" jqc '.processes[] | select(.pid == 43) | .comm == "\u001b]0;pwn\u0007\u007f"'
check "JSON: bad UTF-8 and C1 controls come back as one escape per byte" \
	jqc '.processes[] | select(.pid == 43) | .cmdline == ["\u001b[2J", "\rover", "café", "\u00ff\u00fe", "\u00c2\u009bx", "tab\there"]'
check "JSON: environment values escaped" jqc '.processes[] | select(.pid == 43) | .environ.EVIL == "\u001b[31m\u00ff" and .environ.OK == "café"'
check "JSON: links with escapes" jqc '.processes[] | select(.pid == 43) | .exe == "/usr/bin/\u001b]0;t\u0007evil\nx" and .cwd == "/tmp/\u001b[31mx\ny\u00c2\u0085"'
check "JSON: 100 000 arguments" jqc '.processes[] | select(.pid == 41) | .cmdline | length == 100000'
check "JSON: 34 000 variables of the 2 MiB environment" jqc '.processes[] | select(.pid == 40) | .environ | length == 34000'
check "JSON: duplicated status keys: the first wins, in uids and in status alike" \
	jqc '.processes[] | select(.pid == 46) | .uids[0] == 1000 and (.status.Uid | startswith("1000")) and .status.Name == "first"'
check "JSON: 100 fields and a 600 KB stat line parse" jqc '[.processes[] | select(.pid == 45 or .pid == 47)] | length == 2'
check "JSON: 10 fields do not" jqc '[.processes[] | select(.pid == 44)] | length == 0'
check "JSON: an empty name" jqc '.processes[] | select(.pid == 48) | .comm == ""'
check "JSON: a directory for cmdline is an empty command line" jqc '.processes[] | select(.pid == 49) | .cmdline == []'
check "JSON: the chain keeps every parent" jqc '[.processes[] | select(.pid >= 1000 and .pid < 2000 and .ppid == (if .pid == 1000 then 1 else .pid - 1 end))] | length == 1000'
check "JSON: directories that are not pids are not processes" jqc '[.processes[] | select(.comm == "notapid" or .comm == "regularfile")] | length == 0'
check "JSON: counts the stat files that did not parse" jqc '.malformed >= 7'
check "JSON: a process without stat is counted as vanished" jqc '.vanished.stat >= 1'

# every applet, every read-only invocation: exit < 128, clean output or a clear error
reader_invocations >"$T/readers"
while read -r line; do
	reader_parse "$line"
	applet=$R_APPLET args=$R_ARGS label=$R_LABEL
	if [ "$args" = UNCOVERED ]; then
		not_ok "$applet: no read-only invocation: add a line to tests/e2e/readers.list"
		continue
	fi
	# shellcheck disable=SC2086
	PROCBOX_PROC="$H" run timeout -s KILL 600 env $R_ENV "$PB" $applet $args
	if [ "$RC" -ge 128 ]; then
		not_ok "$label: crashed or hung (exit $RC): $(head -c 300 "$T/err")"
		continue
	fi
	case " $args " in
	*" json "* | *"=json "*)
		check "$label: valid JSON (exit $RC)" sh -c "[ $RC != 0 ] || jq -e . '$T/out' >/dev/null && iconv -f UTF-8 -t UTF-8 '$T/out' >/dev/null"
		[ ! -s "$T/out" ] || check "$label: the $applet schema" json_valid "$applet" "$T/out"
		;;
	*) check "$label: clean text (exit $RC)" text_is_clean "$T/out" ;;
	esac
	if [ "$RC" != 0 ] && [ ! -s "$T/err" ]; then
		not_ok "$label: exit $RC without a word on stderr"
	elif errors_are_clear "$applet" "$T/err"; then
		ok "$label: stderr lines are '$applet: ...' and clean"
	else
		not_ok "$label: unclear stderr: $(head -c 300 "$T/err")"
	fi
done <"$T/readers"
check "every applet was run" [ "$(while read -r l; do reader_parse "$l"; echo "$R_APPLET"; done <"$T/readers" | sort -u | wc -l)" = "$("$PB_BIN" --list | wc -l)" ]

finish
