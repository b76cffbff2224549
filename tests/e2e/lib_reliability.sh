# Reliability helpers for the e2e tests, sourced after lib.sh: every applet's read-only invocations (so new
# applets are covered by hostile.sh, hidepid.sh and signals.sh without changes there), /proc text checks, and
# guards that catch an applet leaving a process stopped, resumed, or running with the wrong uid.
READERS="$TOP/tests/e2e/readers.list"
GUARD_N=0

# reader_invocations: one line per read-only invocation, "[NAME=VALUE...] APPLET ARGS...", for every applet in
# --list: the lines of readers.list, else the read-only options the applet's --help names, else
# "APPLET UNCOVERED"
reader_invocations() {
	for a in $("$PB_BIN" --list); do
		pattern="^([A-Za-z_][A-Za-z0-9_]*=[^ ]* )*$a( |\$)"
		if grep -Eq "$pattern" "$READERS"; then
			grep -E "$pattern" "$READERS"
			continue
		fi
		found=
		for opt in --dry-run --list --print-env; do
			if "$PB_BIN" "$a" --help 2>/dev/null | grep -Eq -- "(^|[ ,])$opt([ ,=]|\$)"; then
				echo "$a $opt"
				found=1
			fi
		done
		[ -n "$found" ] || echo "$a UNCOVERED"
	done
}

# reader_parse LINE: splits a reader line into R_ENV (NAME=VALUE words, for env), R_APPLET and R_ARGS, and
# R_LABEL to name it in test output
reader_parse() {
	R_ENV= R_APPLET= R_ARGS=
	set -f
	for w in $1; do
		if [ -n "$R_APPLET" ]; then
			R_ARGS="$R_ARGS${R_ARGS:+ }$w"
		else
			case "$w" in
			*=*) R_ENV="$R_ENV${R_ENV:+ }$w" ;;
			*) R_APPLET=$w ;;
			esac
		fi
	done
	set +f
	R_LABEL="${R_ENV:+$R_ENV }$R_APPLET${R_ARGS:+ $R_ARGS}"
}

# text_is_clean FILE: no control character (newlines and tabs aside), no C1 control, valid UTF-8
text_is_clean() {
	! tr -d '\n\t' <"$1" | LC_ALL=C grep -q '[[:cntrl:]]' &&
		! LC_ALL=C grep -qP '\xc2[\x80-\x9f]' "$1" &&
		iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1
}

# json_is_clean FILE: valid JSON in valid UTF-8 (jq alone would mend bad bytes silently)
json_is_clean() {
	jq -e . "$1" >/dev/null 2>&1 && iconv -f UTF-8 -t UTF-8 "$1" >/dev/null 2>&1
}

# errors_are_clear APPLET FILE: every line on stderr starts with "APPLET: " and is clean text
errors_are_clear() {
	! grep -qv "^$1: " "$2" && text_is_clean "$2"
}

# ---- /proc/PID facts, read the way a test can trust: the start time pins the process ----
proc_field() { # proc_field PID N: field N of stat as proc(5) numbers them (3 = state, 22 = starttime)
	sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f$(($2 - 2))
}
proc_uid() { awk '/^Uid:/ {print $2}' "/proc/$1/status" 2>/dev/null; }

# ---- guards ----
# guard_watch PID...: processes that an applet run must leave as they are: alive, stopped or not as now, same uid
guard_watch() {
	for p in "$@"; do
		echo "$p $(proc_field "$p" 22) $(proc_field "$p" 3) $(proc_uid "$p")" >>"$T/guard.watch"
	done
}

# guard_verify: 0 when every watched process is as it was; else 1 and the reasons in $T/guard.why
guard_verify() {
	: >"$T/guard.why"
	[ -s "$T/guard.watch" ] || return 0
	while read -r pid start state uid; do
		if [ "$(proc_field "$pid" 22)" != "$start" ]; then
			echo "watched process $pid ended" >>"$T/guard.why"
			continue
		fi
		now=$(proc_field "$pid" 3)
		case "$state$now" in
		[Tt][Tt] | [!Tt][!Tt]) ;;
		[Tt]*) echo "watched process $pid was stopped and now runs (state $now)" >>"$T/guard.why" ;;
		*) echo "watched process $pid was left stopped (state $now)" >>"$T/guard.why" ;;
		esac
		[ "$(proc_uid "$pid")" = "$uid" ] || echo "watched process $pid changed uid to $(proc_uid "$pid")" >>"$T/guard.why"
	done <"$T/guard.watch"
	[ ! -s "$T/guard.why" ]
}

# guard_tagged TAG: pids of live processes whose environment holds PB_GUARD=TAG (an applet run and its children)
guard_tagged() {
	# one grep over every environment (NUL-separated entries: -z), zombies left out
	grep -lzx "PB_GUARD=$1" /proc/[0-9]*/environ 2>/dev/null | while read -r e; do
		p=${e#/proc/}
		p=${p%/environ}
		[ "$(proc_field "$p" 3)" = Z ] || echo "$p"
	done
}

# guard_leftovers TAG UID: 0 when no process of the run is left; else 1, the reasons (stopped, wrong uid, or
# just left running unless GUARD_ALLOW names its comm) in $T/guard.why. Leftovers are tracked for cleanup.
guard_leftovers() {
	: >"$T/guard.why"
	for p in $(guard_tagged "$1"); do
		track "$p"
		comm=$(cat "/proc/$p/comm" 2>/dev/null)
		state=$(proc_field "$p" 3)
		uid=$(proc_uid "$p")
		case "$state" in T | t) echo "process $p ($comm) of the run was left stopped" >>"$T/guard.why" ;; esac
		[ -z "$uid" ] || [ "$uid" = "$2" ] || echo "process $p ($comm) of the run runs as uid $uid, not $2" >>"$T/guard.why"
		case " ${GUARD_ALLOW:-} " in
		*" $comm "*) ;;
		*) echo "process $p ($comm) of the run was left running" >>"$T/guard.why" ;;
		esac
	done
	[ ! -s "$T/guard.why" ]
}

# guard_after DESC TAG UID: the checks after a run: watched processes as they were, nothing of the run left
guard_after() {
	# children of a finished run may need a moment to be reaped
	wait_for 5 guard_leftovers "$2" "$3"
	if guard_leftovers "$2" "$3" && guard_verify; then
		ok "$1: leaves every process as it was"
	else
		not_ok "$1: $(tr '\n' ';' <"$T/guard.why")"
	fi
}

# guard_run DESC CMD...: runs CMD (an applet, as it would run: env and setpriv allowed in front) to its end
# with the run's tag; no crash (status < 128), then guard_after. GUARD_UID: the uid the run's processes
# may have (default ours).
guard_run() {
	desc=$1
	shift
	GUARD_N=$((GUARD_N + 1))
	tag="$TEST_NAME.$$.$GUARD_N"
	env --default-signal PB_GUARD="$tag" timeout -s KILL 300 "$@" >"$T/out" 2>"$T/err"
	RC=$?
	# 126 and 127: the binary never ran (a reader execs nothing of its own), which must not pass for an end
	if [ "$RC" -lt 126 ]; then ok "$desc: ends by itself (exit $RC)"; else not_ok "$desc: exit $RC; stderr: $(head -c 300 "$T/err")"; fi
	guard_after "$desc" "$tag" "${GUARD_UID:-$(id -u)}"
}

# guard_kill DESC SIGNAL READY CMD...: SIGNAL by name (HUP INT QUIT KILL USR1 USR2 PIPE ALRM TERM); starts CMD in the background with the run's tag, waits (up to 60 s) until
# the command READY PID succeeds, sends SIGNAL, and checks that the run ended (by the signal or on its own,
# never a crash of its own) and left every process as it was. GUARD_OUT: where its stdout goes (a FIFO that
# nobody reads holds it in a write: see guard_blocking_fifo).
guard_kill() {
	desc=$1 sig=$2 ready=$3
	shift 3
	GUARD_N=$((GUARD_N + 1))
	tag="$TEST_NAME.$$.$GUARD_N"
	# a background command of a script starts with SIGINT and SIGQUIT ignored: give it the defaults back,
	# as it would have them started from a terminal or a service manager
	env --default-signal PB_GUARD="$tag" "$@" >"${GUARD_OUT:-$T/out}" 2>"$T/err" &
	gpid=$!
	track "$gpid"
	if ! wait_for 60 "$ready" "$gpid"; then
		not_ok "$desc: never got ready ($ready)"
		kill -KILL "$gpid" 2>/dev/null
		wait "$gpid" 2>/dev/null
		return
	fi
	# only while it is still our child: once the shell has reaped it, the pid may be someone else's
	[ "$(proc_field "$gpid" 4)" = "$$" ] && kill "-$sig" "$gpid"
	{ wait "$gpid"; } 2>/dev/null
	RC=$?
	case "$sig" in HUP) signum=1 ;; INT) signum=2 ;; QUIT) signum=3 ;; KILL) signum=9 ;; USR1) signum=10 ;;
	USR2) signum=12 ;; PIPE) signum=13 ;; ALRM) signum=14 ;; *) signum=15 ;; esac
	case "$RC" in
	$((128 + signum)) | [0-9] | [0-9][0-9] | 1[01][0-9] | 12[0-5]) ok "$desc: ended after SIG$sig (exit $RC)" ;;
	*) not_ok "$desc: exit $RC after SIG$sig; stderr: $(head -c 300 "$T/err")" ;;
	esac
	guard_after "$desc" "$tag" "${GUARD_UID:-$(id -u)}"
}

# ready_blocked_writing PID: the process waits to write into a full pipe
ready_blocked_writing() {
	[ "$(proc_field "$1" 3)" = S ] || return 1
	case "$(cat "/proc/$1/wchan" 2>/dev/null)" in *pipe_write* | *pipe_wait*) return 0 ;; esac
	# kernels that hide wchan: the system call it sits in (write is 1 on x86_64)
	[ "$(cut -d' ' -f1 "/proc/$1/syscall" 2>/dev/null)" = 1 ]
}

# ready_running PID: the process exists and has left the shell that started it (comm is not sh or env)
ready_running() {
	case "$(cat "/proc/$1/comm" 2>/dev/null)" in "" | sh | env | timeout) return 1 ;; esac
	return 0
}

# ready_blocked_or_done PID: blocked writing into a full pipe, or already finished (a zombie, or reaped by the
# shell already)
ready_blocked_or_done() {
	[ ! -e "/proc/$1" ] || [ "$(proc_field "$1" 3)" = Z ] || ready_blocked_writing "$1"
}

# ---- hostile trees ----
# stat_line PID COMM PPID [STATE]: a 52-field stat line
stat_line() {
	printf '%s (%s) %s %s %s %s 0 -1 4194560 10 0 0 0 5 3 0 0 20 0 1 0 100 1048576 256 18446744073709551615 1 1 0 0 0 0 0 0 0 0 0 0 17 0 0 0 0 0 0 0 0 0 0 0 0\n' \
		"$1" "$2" "${4:-S}" "$3" "$1" "$1"
}

# fake_proc DIR PID COMM PPID [UID]: a process directory with stat, status, empty cmdline and environ
fake_proc() {
	mkdir -p "$1/$2"
	stat_line "$2" "$3" "$4" >"$1/$2/stat"
	u=${5:-0}
	printf 'Name:\tx\nState:\tS (sleeping)\nPid:\t%s\nPPid:\t%s\nUid:\t%s\t%s\t%s\t%s\nGid:\t%s\t%s\t%s\t%s\nGroups:\t\n' \
		"$2" "$4" "$u" "$u" "$u" "$u" "$u" "$u" "$u" "$u" >"$1/$2/status"
	: >"$1/$2/cmdline"
	: >"$1/$2/environ"
}

# hostile_tree DIR: what a malicious local user or a broken kernel can show, generated at test time (the big
# files are megabytes): the malformed fixtures plus
#   40 a 2 MiB environment              41 100 000 command line arguments
#   42 named ") 9<newline>9 9 ("         43 terminal escapes, C1 controls and bad UTF-8 in name, args, env, links
#   44 a stat line of 10 fields          45 one of exactly 100 fields      46 status with duplicated keys
#   47 a 600 KB stat line                48 an empty name                  49 cmdline is a directory
#   50 a directory without stat          1000..1999 a chain 1000 deep      2147483647 the largest pid
#   and directories that are not pids: abc 1a -5 +5 0 00 007 " 5" 4294967297 99999999999999999999999 U+0663,
#   a regular file 60 and a symbolic link 61 -> 10
hostile_tree() {
	d=$1
	cp -a "$FIXTURES/malformed" "$d"
	fake_proc "$d" 40 bigenv 1
	seq -f 'PBVAR%06g=xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx' 1 34000 | tr '\n' '\0' >"$d/40/environ"
	fake_proc "$d" 41 manyargs 1
	seq 1 100000 | tr '\n' '\0' >"$d/41/cmdline"
	fake_proc "$d" 42 "$(printf ') 9\n9 9 (')" 1
	fake_proc "$d" 43 "$(printf '\033]0;pwn\007\177')" 1
	printf '\033[2J\0\rover\0caf\303\251\0\377\376\0\302\233x\0tab\there\0' >"$d/43/cmdline"
	printf 'EVIL=\033[31m\377\0OK=caf\303\251\0\001=ctl-name\0' >"$d/43/environ"
	ln -s "$(printf '/usr/bin/\033]0;t\007evil\nx')" "$d/43/exe"
	ln -s "$(printf '/tmp/\033[31mx\ny\302\205')" "$d/43/cwd"
	printf '0::/system.slice/\033[1mbold\n.service\n' >"$d/43/cgroup"
	mkdir "$d/44"
	echo "44 (ten) S 1 44 44 0 -1 0 1" >"$d/44/stat"
	mkdir "$d/45"
	{ printf '45 (hundred) S 1 45 45 0 -1 0 1 0 0 0 5 3 0 0 20 0 1 0 100 4096 1'; seq -s ' ' 25 100 | sed 's/[0-9]*/0/g; s/^/ /'; } >"$d/45/stat"
	fake_proc "$d" 46 dupkeys 1 1000
	printf 'Name:\tfirst\nUid:\t1000\t1000\t1000\t1000\nGid:\t1000\t1000\t1000\t1000\nName:\tsecond\nUid:\t0\t0\t0\t0\nGid:\t0\t0\t0\t0\n' >"$d/46/status"
	mkdir "$d/47"
	{ printf '47 (bigstat) S 1 47 47 0 -1 0 1 0 0 0 5 3 0 0 20 0 1 0 100 4096 1'; seq -s ' ' 1 100000 | sed 's/^/ /'; } >"$d/47/stat"
	fake_proc "$d" 48 "" 1
	fake_proc "$d" 49 dircmdline 1
	rm "$d/49/cmdline"
	mkdir "$d/49/cmdline"
	mkdir "$d/50"
	fake_proc "$d" 2147483647 maxpid 1
	seq 1000 1999 | sed "s|^|$d/|" | xargs mkdir
	awk -v d="$d" 'BEGIN { for (i = 1000; i < 2000; i++) { f = d "/" i "/stat"
		printf "%d (chain) S %d %d %d 0 -1 0 1 0 0 0 5 3 0 0 20 0 1 0 100 4096 1\n", i, i == 1000 ? 1 : i - 1, i, i > f
		close(f) } }'
	for name in abc 1a -5 +5 0 00 007 " 5" 4294967297 99999999999999999999999 "$(printf '\331\243')"; do
		mkdir "$d/$name"
		stat_line 7 notapid 1 >"$d/$name/stat"
	done
	stat_line 60 regularfile 1 >"$d/60"
	ln -s 10 "$d/61"
}

# guard_blocking_fifo: $T/fifo, held open by this shell (fd 7) and never read, so that a writer blocks once
# its 64 KiB pipe buffer is full; use it as GUARD_OUT="$T/fifo", anew before each run
guard_blocking_fifo() {
	# closing the last descriptor drops what an earlier run left in the pipe
	exec 7>&-
	[ -p "$T/fifo" ] || mkfifo "$T/fifo"
	exec 7<>"$T/fifo"
}
