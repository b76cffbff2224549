#!/bin/sh
# cron-graceful: the real Debian cron and busybox crond with running jobs; a fake daemon for the exact cases
# (PID reuse, timeout, JSON, --pid/--pidfile/--exe-name, hooks, SIGKILL); a fixture tree; every failure path.
# Cron starts jobs only on the minute: both real daemons get their jobs at the same minute, the jobs wait for
# a file the test creates, and the fast cases run while that minute comes.
. "$(dirname "$0")/lib.sh"

E2E_START=$(date +%s)
WO_MS=0 # the time the --wait-only cases take
now_ms() { date +%s%3N; }
TAG=pbcron-e2e-$$
CRONFILE=/etc/cron.d/$TAG
DEB= BB= DEL= SYSLOGD=
at_exit() {
	rm -f "$CRONFILE"
	# cron leaves its pid file behind when it is killed
	for p in $DEB $BB $DEL; do [ "$(cat /run/crond.pid 2>/dev/null)" = "$p" ] && rm -f /run/crond.pid; done
	[ -n "$SYSLOGD" ] && kill "$SYSLOGD" 2>/dev/null && rm -f /dev/log
	cleanup
}
trap at_exit EXIT
trap 'exit 130' INT TERM HUP

# in the foreground only: in the background $! would be the subshell, not cron-graceful
cg() { "$PB" cron-graceful "$@"; }
# the state letter of a process, empty once it is gone
state() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1; }
gone() { _s=$(state "$1"); [ -z "$_s" ] || [ "$_s" = Z ]; }
alive() { ! gone "$1"; }
stopped() { [ "$(state "$1")" = T ]; }
running() { _s=$(state "$1"); [ -n "$_s" ] && [ "$_s" != Z ] && [ "$_s" != T ]; }
# a process that is gone for sure no longer needs killing at the end (its pid may belong to another by then)
untrack() { TRACKED=$(echo " $TRACKED " | sed "s/ $1 / /g"); }
# bg_status PID SECONDS: waits for our background child PID (killing it after SECONDS); its status in RC
bg_status() {
	if wait_for "$2" gone "$1"; then
		wait "$1"
		RC=$?
	else
		kill -KILL "$1" 2>/dev/null
		wait "$1" 2>/dev/null
		RC="(still running after $2 s)"
	fi
}
has() { grep -qs -- "$1" "$2"; }
# Debian cron's pid, from its pid file: cron writes the file before it forks into the background, then again
# from the child, which leads a session of its own; only that one is the daemon
cron_pidfile_daemon() {
	_p=$(cat /run/crond.pid 2>/dev/null)
	[ -n "$_p" ] && [ "$(sed 's/.*) //' "/proc/$_p/stat" 2>/dev/null | cut -d' ' -f4)" = "$_p" ] && echo "$_p"
}
is_root() { [ "$(id -u)" = 0 ]; }

# ---- usage errors ----
run cg --timeout abc
expect_status 2 "a bad --timeout"
one_error_line "cron-graceful: bad --timeout 'abc'"
run cg --pid 0
expect_status 2 "a bad --pid"
run cg --pid 1 --pidfile /nonexistent
expect_status 2 "--pid with --pidfile"
run cg --format json
expect_status 2 "--format without --list"
one_error_line "cron-graceful: --format goes with --list"
run cg --list --dry-run
expect_status 2 "--list with --dry-run"
run cg --exe-name /usr/sbin/cron
expect_status 2 "a path for --exe-name"
run cg extra
expect_status 2 "an argument"
run cg --timeout -1
expect_status 2 "a negative --timeout"
run cg --wait-only --list
expect_status 2 "--wait-only with --list"
one_error_line "cron-graceful: --list goes alone"
run cg -w --resume
expect_status 2 "--wait-only with --resume"
one_error_line "cron-graceful: --wait-only and --resume exclude each other"
run cg --wait-only --hook /bin/true
expect_status 2 "--wait-only with --hook"
one_error_line "cron-graceful: --wait-only runs no hook"
run cg --wait-only --hook-timeout 5
expect_status 2 "--wait-only with --hook-timeout"

# ---- a saved tree: the job search, exactly ----
F=$FIXTURES/cron
if is_root; then
	PROCBOX_PROC=$F run cg --no-syslog
	expect_status 1 "real mode refuses a proc root that is not the live /proc"
	one_error_line "cron-graceful: $F is not the live /proc"
fi
PROCBOX_PROC=$F TZ=UTC0 run cg --list --format json
expect_status 0 "--list --format json on the fixture tree"
check "the JSON matches the cron-graceful schema" json_valid cron-graceful "$T/out"
check "the jobs: descendants, their sessions (also a zombie's), the service cgroup; not sshd, not a look-alike cgroup" \
	[ "$(jq -c '[.jobs[].pid]' "$T/out")" = "[501,502,503,510,520,521,531,560]" ]
check "a job's child that left the tree is found by its session" \
	jqt '.jobs[] | select(.pid == 510) | .found_by == "session" and .ppid == 1' "$T/out"
check "a process that left the session is found by the cgroup" \
	jqt '.jobs[] | select(.pid == 520) | .found_by == "cgroup"' "$T/out"
check "JSON fields: the identity (pid, starttime in ticks, started), ppid, user, runtime, cmdline, cmdline_truncated" \
	jq -e '.jobs[] | select(.pid == 502) | keys_unsorted[0:3] == ["pid","starttime","started"] and .starttime == 90010 and
	.started == "2023-11-14T22:28:20+00:00" and .user == "root" and .runtime == 100.4 and
	.cmdline == ["/bin/sh","-c","backup.sh"] and .cmdline_truncated == false' "$T/out" >/dev/null
check "JSON: the daemon's identity" jqt '.daemon == {"pid":500,"starttime":5000,"started":"2023-11-14T22:14:10+00:00"}' "$T/out"
# --pid PID@STARTTIME: the daemon with that start time; another start time is not the daemon
PROCBOX_PROC=$F run cg --list --format json --pid 500@5000
check "--pid PID@STARTTIME of the daemon lists its jobs" jqt '.daemon.pid == 500 and (.jobs | length) == 8' "$T/out"
PROCBOX_PROC=$F run cg --list --format json --pid 500@4999
expect_status 0 "--pid PID@STARTTIME with another start time: cron is not running"
one_error_line "cron-graceful: cron is not running (no process 500 with that start time)"
check "not running: the same shape, no daemon, no job" [ "$(cat "$T/out")" = '{"version":1,"daemon":null,"jobs":[]}' ]
check "not running: the JSON matches the schema" json_valid cron-graceful "$T/out"
PROCBOX_PROC=$F run cg --list --pid 500@1700000050
expect_status 2 "--pid with a start time after now (seconds since the epoch)"
one_error_line "cron-graceful: start time 1700000050 of pid 500 lies after now"
run cg --list --pid 1@12.5
expect_status 2 "--pid with a start time that is no whole number of ticks"
PROCBOX_PROC=$F run cg --dry-run
expect_status 0 "--dry-run on the fixture tree"
check "the daemon is the topmost cron, not the per-job CRON children" has "^cron daemon: pid 500, /usr/sbin/cron" "$T/out"
check "the dry run says it would wait for 8 jobs" has "^would wait for 8 running jobs:" "$T/out"
check "and lists them" [ "$(grep -cE '^ +[0-9]+ +[0-9]+ root' "$T/out")" = 8 ]
check "the dry run names the default time limit" has "^would resume it and exit 124 if the hook and the jobs still ran after 3600 s" "$T/out"
PROCBOX_PROC=$F run cg --dry-run --timeout 0
check "--timeout 0: no limit" has "^would wait as long as the hook and the jobs run (--timeout 0)" "$T/out"
PROCBOX_PROC=$F run cg --list
check "--list text has a header and a line per job" [ "$(wc -l <"$T/out")" = 9 ]
PROCBOX_PROC=$F run cg --wait-only --dry-run --timeout 60
expect_status 0 "--wait-only --dry-run on the fixture tree"
check "it would wait for the 8 jobs, leaving cron as it is" has "^would wait for 8 running jobs, leaving cron as it is:" "$T/out"
check "it names its time limit" has "^would exit 124 if they still ran after 60 s" "$T/out"
check "it would neither pause nor stop cron" sh -c "! grep -qE 'would (pause|stop|run the hook)' '$T/out'"
PROCBOX_PROC=$F run cg --wait-only
expect_status 1 "--wait-only on a saved tree: its jobs never end"
one_error_line "cron-graceful: $F is not the live /proc"

# ---- no cron at all: a PID namespace of our own holds nothing else ----
NS=0
if is_root && unshare -pf --mount-proc true 2>/dev/null; then NS=1; fi
if [ $NS = 1 ]; then
	run unshare -pf --mount-proc "$PB" cron-graceful --no-syslog
	expect_status 0 "cron not running: nothing to do"
	one_error_line "cron-graceful: cron is not running"
	run unshare -pf --mount-proc "$PB" cron-graceful --list --format json
	check "cron not running: --list --format json prints its usual shape, empty" \
		[ "$(cat "$T/out")" = '{"version":1,"daemon":null,"jobs":[]}' ]
	run unshare -pf --mount-proc "$PB" cron-graceful --resume
	expect_status 0 "--resume with cron not running"
elif [ -z "$(ps -e -o stat=,comm= | awk '($2 == "cron" || $2 == "crond") && $1 !~ /^Z/')" ]; then
	if is_root; then run cg --no-syslog; else run cg --dry-run; fi
	expect_status 0 "cron not running (no PID namespace of our own): nothing to do"
	skip "unshare -p needs root: the namespace cases"
else
	skip "unshare -p needs root, and a cron runs here: the not-running and namespace cases"
fi
if is_root; then
	run setpriv --reuid=65534 --regid=65534 --clear-groups "$PB" cron-graceful
	expect_status 1 "not root"
	one_error_line "cron-graceful: must be run as root"
fi

# ---- the real daemons: both get their jobs on the next minute ----
HAVE_DEB=0 HAVE_BB=0
# busybox crond first: it writes /var/run/crond.pid too, without a lock; Debian cron then writes its own
if is_root && busybox --list 2>/dev/null | grep -qx crond; then
	mkdir "$T/bbtabs"
	{
		echo "* * * * * echo \$\$ > $T/bb.a.pid; while [ ! -e $T/bb.go ]; do sleep 0.1; done; echo end > $T/bb.a.end"
		echo "* * * * * (while [ ! -e $T/bb.go ]; do sleep 0.1; done; echo end > $T/bb.b.end) & echo \$! > $T/bb.b.child; exit 0"
		echo "* * * * * sleep 1; echo \$\$ > $T/bb.c.pid; $PB cron-graceful --exe-name crond --timeout 100 --no-syslog -v > $T/bb.c.log 2>&1; echo \"\$? \$(test -e $T/bb.a.end && echo a)\$(test -e $T/bb.b.end && echo b)\" > $T/bb.c.rc"
	} >"$T/bbtabs/root"
	# a session of its own, as a daemon has; its jobs share it
	setsid busybox crond -f -c "$T/bbtabs" -L "$T/bb.log" &
	BB=$!
	track "$BB"
	HAVE_BB=1
	wait_for 5 has crond "/proc/$BB/cmdline"
	wait_for 5 has "^$BB\$" /run/crond.pid
elif is_root; then
	skip "busybox has no crond (Debian's busybox-static has)"
fi
if ! is_root; then
	skip "the real cron daemons need root"
elif [ ! -x /usr/sbin/cron ]; then
	skip "Debian cron is not installed"
else
	# the pid file cannot tell (busybox crond overwrites it): look for a live process called cron
	OLD=$(ps -e -o pid=,stat=,comm= | awk '$3 == "cron" && $2 !~ /^Z/ { print $1 }' | tr '\n' ' ')
	if [ -n "$OLD" ]; then
		skip "another cron runs (pid $OLD): Debian cron allows one at a time"
	else
		rm -f /run/crond.pid
		# two jobs that write their pids, then run until the test lets them end (at most 2 minutes). The
		# second first runs cron-graceful --wait-only, which waits for the first while cron runs on
		printf '%s\n' "* * * * * root echo \$\$ >> $T/deb.a; i=0; while [ ! -e $T/deb.goA ] && [ \$i -lt 600 ]; do sleep 0.2; i=\$((i+1)); done; echo end >> $T/deb.a.end" \
			"* * * * * root echo \$\$ >> $T/deb.jobs; sleep 1; $PB cron-graceful --wait-only --pidfile /run/crond.pid --timeout 100 --no-syslog -v > $T/deb.wo.\$\$ 2>&1; echo \$? > $T/deb.worc.\$\$; i=0; while [ ! -e $T/deb.go ] && [ \$i -lt 600 ]; do sleep 0.2; i=\$((i+1)); done; echo end >> $T/deb.end" >"$CRONFILE"
		/usr/sbin/cron # it forks into the background and writes /run/crond.pid
		if wait_for 10 cron_pidfile_daemon >/dev/null; then
			DEB=$(cron_pidfile_daemon)
			track "$DEB"
			HAVE_DEB=1
		else
			not_ok "Debian cron did not start"
		fi
	fi
fi
if [ $HAVE_DEB = 1 ] && [ $HAVE_BB = 1 ]; then
	run cg --dry-run
	expect_status 1 "two cron daemons and no --pid: refused"
	one_error_line "cron-graceful: 2 cron daemons run"
	check "both are named" sh -c "grep -q '$DEB (cron)' '$T/err' && grep -q '$BB (busybox)' '$T/err'"
	run cg --exe-name crond --dry-run
	check "--exe-name crond finds busybox crond (exe busybox, argv busybox crond)" has "^cron daemon: pid $BB," "$T/out"
fi

# ---- the fake daemon: exact cases, while the minute comes ----
FAKE=$HELPERS/fake_cron
mkdir "$T/fk"
cp "$FAKE" "$T/fk/cron"
if is_root; then
	# two jobs, each below a worker, each in a session of its own (as Debian's cron runs them)
	"$T/fk/cron" -d -w -s -p "$T/f1.pid" "echo \$\$ > $T/f1.j1; exec sleep 86400" "echo \$\$ > $T/f1.j2; exec sleep 86400" &
	F1=$!
	track "$F1"
	wait_for 5 test -s "$T/f1.j2" -a -s "$T/f1.j1"
	J1=$(cat "$T/f1.j1") J2=$(cat "$T/f1.j2")
	track "$J1" "$J2"

	run cg --pid "$F1" --list --format json
	expect_status 0 "--list --format json"
	check "JSON: the cron-graceful schema" json_valid cron-graceful "$T/out"
	check "JSON: the two jobs and their workers" [ "$(jq '.jobs | length' "$T/out")" = 4 ]
	J1_START=$(sed 's/.*) //' "/proc/$J1/stat" | cut -d' ' -f20)
	check "JSON: a job with its fields, starttime field 22 of its stat" jq -e --argjson p "$J1" --argjson st "$J1_START" \
		'.jobs[] | select(.pid == $p) | .cmdline == ["sleep","86400"] and .user == "root" and .found_by == "descendant"
		and .runtime >= 0 and .starttime == $st' "$T/out" >/dev/null
	check "JSON: the daemon is the fake cron" jqt --argjson p "$F1" '.daemon.pid == $p' "$T/out"
	check "--list changed nothing" running "$F1"
	run cg --pid "$F1" --list
	check "--list text shows the job" grep -Eq "^ *$J2 +[0-9]+ root .* sleep 86400$" "$T/out"

	run cg --pid "$F1" --timeout 2.5 --no-syslog
	expect_status 124 "--timeout runs out"
	check "the timeout names the jobs left" has "timed out after [0-9]* s; 4 jobs still running" "$T/err"
	check "not on a terminal, the progress is logged when the jobs change, not every second" \
		[ "$(grep -c "waiting for 4 jobs" "$T/err")" = 1 ]
	check "the timeout says cron was resumed" has "timed out: resumed cron (pid $F1" "$T/err"
	check "after the timeout the daemon runs again (not T)" running "$F1"
	check "after the timeout the job still runs" running "$J1"

	# on a terminal: one line that rewrites itself every second
	if script -qec true /dev/null >/dev/null 2>&1; then
		script -qec "$PB cron-graceful --pid $F1 --timeout 2.5 --no-syslog" /dev/null >"$T/tty.out" 2>&1
		RC=$?
		expect_status 124 "on a terminal, with a timeout"
		check "on a terminal the progress line rewrites itself each second" \
			[ "$(tr '\r' '\n' <"$T/tty.out" | grep -c '^.\[Kcron-graceful: waiting for 4 jobs')" -ge 2 ]
		check "after the terminal case the daemon runs again" running "$F1"
	else
		skip "script(1) cannot open a pseudo-terminal here: the terminal progress case"
	fi

	"$PB" cron-graceful --pid "$F1" --no-syslog >"$T/hup.log" 2>&1 &
	G=$!
	wait_for 5 has "waiting for 4 jobs" "$T/hup.log"
	check "the daemon is stopped (T) while cron-graceful waits" stopped "$F1"
	kill -HUP "$G"
	bg_status "$G" 10
	expect_status 129 "SIGHUP while waiting"
	check "after SIGHUP the daemon runs again" running "$F1"
	check "SIGHUP: it says so" has "interrupted by SIGHUP: resumed cron (pid $F1" "$T/hup.log"

	run cg --pidfile "$T/f1.pid" --dry-run
	expect_status 0 "--pidfile"
	check "--pidfile finds the daemon" has "^cron daemon: pid $F1," "$T/out"
	check "--dry-run names the jobs" has "^would wait for 4 running jobs:" "$T/out"
	check "--dry-run changed nothing" running "$F1"
	echo "$J1" >"$T/stale.pid"
	run cg --pidfile "$T/stale.pid" --no-syslog
	expect_status 0 "a pid file naming another program: cron is not running"
	check "it says what the pid file names" has "names process $J1, which is 'sleep', not cron" "$T/err"
	check "that process is untouched" running "$J1"
	run cg --pidfile "$T/no-such.pid" --no-syslog
	expect_status 0 "no pid file: cron is not running"
	mkfifo "$T/fifo.pid"
	run timeout 10 "$PB" cron-graceful --pidfile "$T/fifo.pid" --dry-run
	expect_status 1 "a FIFO in the pid file's place does not block"
	one_error_line "cron-graceful: $T/fifo.pid is not a regular file"
	echo garbage >"$T/bad.pid"
	run cg --pidfile "$T/bad.pid" --dry-run
	expect_status 1 "a pid file without a pid"
	one_error_line "cron-graceful: $T/bad.pid holds no process ID"
	run cg --pid 2147483646 --no-syslog
	expect_status 0 "--pid of no process: not running"

	kill -STOP "$F1"
	run cg --pid "$F1" --resume --dry-run
	check "--resume --dry-run leaves it stopped" sh -c "grep -q 'would resume cron (pid $F1' '$T/out' && [ \"\$(sed 's/.*) //' /proc/$F1/stat | cut -c1)\" = T ]"
	run cg --pid "$F1" --resume --no-syslog
	expect_status 0 "--resume"
	check "--resume resumed the stopped daemon" running "$F1"
	run cg --pid "$F1" --resume --no-syslog
	expect_status 0 "--resume of a daemon that runs"
	check "--resume says it is not stopped" has "is not stopped" "$T/err"
	kill "$J1" "$J2"
	wait_for 5 gone "$J1" && wait_for 5 gone "$J2" && untrack "$J1" && untrack "$J2"

	# --wait-only: the jobs running when it starts, not one cron starts meanwhile. Jobs in the daemon's own
	# session and group (busybox crond), the hardest case: the session does not tell a new job from an old one
	WO_START=$(now_ms)
	"$T/fk/cron" -d -p "$T/f14.pid" "echo \$\$ >> $T/f14.jobs; while [ ! -e $T/f14.go.\$\$ ]; do sleep 0.05; done" &
	F14=$!
	track "$F14"
	wait_for 5 test -s "$T/f14.jobs"
	W1=$(head -n 1 "$T/f14.jobs")
	track "$W1"
	"$PB" cron-graceful --pid "$F14" --wait-only -v --no-syslog >"$T/f14.log" 2>&1 &
	G=$!
	# the job is logged once the first scan has found it: only then may cron start another
	wait_for 5 has "job $W1 (" "$T/f14.log"
	kill -USR1 "$F14"
	wait_for 5 test "$(wc -l <"$T/f14.jobs")" -ge 2
	W2=$(sed -n 2p "$T/f14.jobs")
	track "$W2"
	check "--wait-only: the daemon is not stopped while it waits" running "$F14"
	sleep 1.2
	check "--wait-only waits for the job running when it started" alive "$G"
	touch "$T/f14.go.$W1"
	bg_status "$G" 10
	expect_status 0 "--wait-only: that job ended"
	check "the job started while it waited is not waited for" running "$W2"
	check "nor named" sh -c "! grep -q 'job $W2 ' '$T/f14.log'"
	check "it says the jobs ended" has "all jobs ended after" "$T/f14.log"
	check "and the daemon runs on" running "$F14"
	touch "$T/f14.go.$W2"
	kill "$F14"
	wait_for 5 gone "$W2" && untrack "$W2"
	wait_for 5 gone "$F14" && untrack "$F14"
	WO_MS=$((WO_MS + $(now_ms) - WO_START))

	# the exe-name, and a real run without jobs: SIGTERM (no service manager for it)
	cp "$FAKE" "$T/fk/pbfk$$"
	"$T/fk/pbfk$$" -p "$T/f5.pid" &
	F5=$!
	track "$F5"
	wait_for 5 test -s "$T/f5.pid"
	run cg --exe-name "pbfk$$" --dry-run
	check "--exe-name finds a daemon by another name" has "^cron daemon: pid $F5," "$T/out"
	run cg --exe-name "pbno$$" --dry-run
	expect_status 0 "--exe-name of nothing: not running"
	run cg --exe-name "pbfk$$" --no-syslog
	expect_status 0 "a real run with no jobs"
	check "the daemon is gone" gone "$F5"
	check "it was stopped with SIGTERM" has "cron (pid $F5) terminated" "$T/err"
	check "it reports the time" has "done, took [0-9]* s" "$T/err"
	kill "$F1"
	wait_for 5 gone "$F1" && untrack "$F1"

	# syslog by default (where /dev/log exists: here busybox's syslogd, unless a syslog daemon runs), -q
	if [ ! -e /dev/log ]; then
		busybox syslogd -n -O "$T/syslog" &
		SYSLOGD=$!
		track "$SYSLOGD"
		wait_for 5 test -S /dev/log
		"$T/fk/cron" -p "$T/f12.pid" &
		F12=$!
		track "$F12"
		wait_for 5 test -s "$T/f12.pid"
		run cg --pid "$F12"
		expect_status 0 "a real run, logging to syslog"
		check "the real run logs to syslog by default" wait_for 5 has "cron-graceful\[[0-9]*\]: paused cron (pid $F12" "$T/syslog"
		check "and to stderr" has "paused cron (pid $F12" "$T/err"
		"$T/fk/cron" -p "$T/f13.pid" &
		F13=$!
		track "$F13"
		wait_for 5 test -s "$T/f13.pid"
		run cg --pid "$F13" -q --no-syslog
		expect_status 0 "a quiet real run"
		check "-q: nothing on stderr" [ ! -s "$T/err" ]
		check "--no-syslog: nothing in syslog" sh -c "! grep -q 'pid $F13' '$T/syslog'"
		check "-q: the daemon was stopped all the same" gone "$F13"
		kill "$SYSLOGD"
		wait_for 5 gone "$SYSLOGD" && untrack "$SYSLOGD" && rm -f /dev/log && SYSLOGD=
		untrack "$F12"
		untrack "$F13"
	else
		skip "/dev/log exists (a syslog daemon runs): the syslog and -q cases start their own"
	fi

	# a job that backgrounds a child and exits while cron-graceful waits: the child is waited for. It runs
	# until the test lets it end: with a fixed life (it was 1 s) it could end before a slow cron-graceful
	# (valgrind, a loaded machine) looked again after the job's end, and never be named
	"$T/fk/cron" -d -w -s "echo \$\$ > $T/f6.j; while [ ! -e $T/f6.go ]; do sleep 0.05; done; (while [ ! -e $T/f6.go2 ]; do sleep 0.05; done; echo end > $T/f6.end) & echo \$! > $T/f6.child; exit 0" &
	F6=$!
	track "$F6"
	wait_for 5 test -s "$T/f6.j"
	"$PB" cron-graceful --pid "$F6" -v --no-syslog >"$T/f6.log" 2>&1 &
	G=$!
	wait_for 5 has "waiting for" "$T/f6.log"
	touch "$T/f6.go"
	wait_for 5 test -s "$T/f6.child"
	F6C=$(cat "$T/f6.child")
	track "$F6C"
	wait_for 5 gone "$(cat "$T/f6.j")"
	check "the child left behind is named as a job" wait_for 10 has "job $F6C " "$T/f6.log"
	f6_waiting() { sleep 1; alive "$G" && [ ! -e "$T/f6.end" ]; }
	check "cron-graceful waits for it after the job ended" f6_waiting
	touch "$T/f6.go2"
	bg_status "$G" 20
	expect_status 0 "a job left a child behind"
	check "cron-graceful ended after the child" test -e "$T/f6.end"
	check "then the daemon was stopped" gone "$F6"
	gone "$F6C" && untrack "$F6C"

	# cron-graceful run by a job: it waits for the other job, not for its own
	"$T/fk/cron" -d -w -s -p "$T/f7.pid" "echo \$\$ > $T/f7.other; while [ ! -e $T/f7.go ]; do sleep 0.05; done" \
		"echo \$\$ > $T/f7.self; $PB cron-graceful --pidfile $T/f7.pid --timeout 20 --no-syslog -v > $T/f7.log 2>&1; echo \$? > $T/f7.rc" &
	F7=$!
	track "$F7"
	wait_for 5 test -s "$T/f7.other"
	wait_for 10 has "job $(cat "$T/f7.other") " "$T/f7.log"
	touch "$T/f7.go"
	wait_for 25 test -s "$T/f7.rc"
	check "cron-graceful run from a job finished (exit 0)" [ "$(cat "$T/f7.rc" 2>/dev/null)" = 0 ]
	check "it waited for the other job" has "job $(cat "$T/f7.other") " "$T/f7.log"
	check "it did not wait for its own job" sh -c "! grep -q 'job $(cat "$T/f7.self") ' '$T/f7.log'"
	check "it stopped the daemon" gone "$F7"

	# hooks: a failing one is a warning, one that runs too long is ended, a missing --hook touches nothing
	"$T/fk/cron" -p "$T/f10.pid" &
	F10=$!
	track "$F10"
	wait_for 5 test -s "$T/f10.pid"
	run cg --pid "$F10" --hook "$T/no-such-hook" --no-syslog
	expect_status 1 "a --hook that does not exist"
	one_error_line "cron-graceful: hook $T/no-such-hook: No such file"
	check "nothing was touched" running "$F10"
	mkdir "$T/hookbin"
	printf '#!/bin/sh\necho "$CRON_PID" > %s/hook.env\nexit 3\n' "$T" >"$T/hookbin/cron-graceful-additions"
	chmod 755 "$T/hookbin/cron-graceful-additions"
	PATH="$T/hookbin:$PATH" run cg --pid "$F10" --dry-run
	check "the dry run names the hook found on PATH" has "would run the hook $T/hookbin/cron-graceful-additions with CRON_PID=$F10" "$T/out"
	PATH="$T/hookbin:$PATH" run cg --pid "$F10" --no-syslog
	expect_status 0 "a failing hook"
	check "the hook from PATH ran with CRON_PID" [ "$(cat "$T/hook.env" 2>/dev/null)" = "$F10" ]
	check "its failure is a warning" has "the hook $T/hookbin/cron-graceful-additions failed (exit 3); going on" "$T/err"
	check "and the run went on" gone "$F10"
	"$T/fk/cron" -p "$T/f11.pid" &
	F11=$!
	track "$F11"
	wait_for 5 test -s "$T/f11.pid"
	printf '#!/bin/sh\necho $$ > %s/slow.pid\nexec sleep 60\n' "$T" >"$T/slow-hook"
	chmod 755 "$T/slow-hook"
	run cg --pid "$F11" --hook "$T/slow-hook" --hook-timeout 1 --no-syslog
	expect_status 0 "a hook past its timeout"
	check "it was ended, with a warning" has "the hook $T/slow-hook still ran after 1 s: ended it; going on" "$T/err"
	check "the hook process is gone" gone "$(cat "$T/slow.pid")"
	check "and the run went on" gone "$F11"

	# a daemon that ignores SIGTERM is killed
	"$T/fk/cron" -T -p "$T/f8.pid" &
	F8=$!
	track "$F8"
	wait_for 5 test -s "$T/f8.pid"
	run cg --pid "$F8" --no-syslog
	expect_status 0 "a daemon that ignores SIGTERM"
	check "it was killed after the grace time" has "cron (pid $F8) killed: it ignored SIGTERM" "$T/err"
	check "it is gone" gone "$F8"
	for p in $F5 $F6 $F7 $F8 $F10 $F11; do untrack "$p"; done
fi

# ---- PID namespaces: a daemon known only by its (deleted) executable; PID reuse ----
if [ $NS = 1 ]; then
	cat >"$T/ns1.sh" <<'EOF'
# PID 1 of a new namespace: a fake cron whose comm and argv[0] say pbhidden and whose file is deleted
T=$1 PB=$2
mkdir "$T/ns1" && cp "$3" "$T/ns1/cron"
sh -c '"$0" -n pbhidden -p "$1" & wait' "$T/ns1/cron" "$T/ns1.pid" &
i=0; while [ ! -s "$T/ns1.pid" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
P=$(cat "$T/ns1.pid")
rm "$T/ns1/cron"
cat "/proc/$P/comm" > "$T/ns1.comm"; readlink "/proc/$P/exe" > "$T/ns1.exe"; echo > "$T/ns1.ready"
i=0; while [ ! -e "$T/ns1.go" ] && [ $i -lt 400 ]; do sleep 0.05; i=$((i+1)); done
"$PB" cron-graceful --dry-run > "$T/ns1.dry" 2>&1; echo $? > "$T/ns1.dryrc"
"$PB" cron-graceful --no-syslog > "$T/ns1.out" 2>&1; echo $? > "$T/ns1.rc"
sed 's/.*) //' "/proc/$P/stat" 2>/dev/null | cut -c1 > "$T/ns1.after"
EOF
	unshare -pf --mount-proc sh "$T/ns1.sh" "$T" "$PB" "$FAKE" &
	NS1=$!
	track "$NS1"
	wait_for 10 test -e "$T/ns1.ready"
	check "the namespace's daemon hides its name" [ "$(cat "$T/ns1.comm")" = pbhidden ]
	check "and its executable is deleted" grep -q "/ns1/cron (deleted)$" "$T/ns1.exe"
	# from outside, that daemon (exe name cron) is a container's: not ours
	run cg --exe-name cron --dry-run
	if [ $HAVE_DEB = 1 ]; then
		check "a cron in another PID namespace is not taken for ours" has "^cron daemon: pid $DEB," "$T/out"
	else
		check "a cron in another PID namespace is not taken for ours" has "cron is not running" "$T/err"
	fi
	touch "$T/ns1.go"
	bg_status "$NS1" 30
	check "a deleted executable named cron is found (dry run, exit 0)" [ "$(cat "$T/ns1.dryrc" 2>/dev/null)" = 0 ]
	check "the dry run shows it deleted" has "^cron daemon: pid [0-9]*, $T/ns1/cron (deleted" "$T/ns1.dry"
	check "the real run stopped it (exit 0)" [ "$(cat "$T/ns1.rc" 2>/dev/null)" = 0 ]
	check "it is gone" sh -c "! grep -q '[^Z]' '$T/ns1.after'"

	cat >"$T/ns2.sh" <<'EOF'
# PID 1 of a new namespace: a job ends while cron-graceful is frozen, and a new process takes its PID
T=$1 PB=$2
mkdir "$T/ns2" && cp "$3" "$T/ns2/cron"
sh -c '"$@" & wait' sh "$T/ns2/cron" -d -w -s "echo \$\$ > $T/ns2.job; exec sleep 86400" &
i=0; while [ ! -s "$T/ns2.job" ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
J=$(cat "$T/ns2.job")
"$PB" cron-graceful -v --no-syslog --timeout 15 > "$T/ns2.log" 2>&1 &
G=$!
i=0; while ! grep -q "waiting for" "$T/ns2.log" && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
kill -STOP $G
kill $J
i=0; while [ -e /proc/$J ] && [ $i -lt 200 ]; do sleep 0.05; i=$((i+1)); done
# the next PID is J: a new program in a session of its own, so the job's old session ID is back in use
I=0 n=0
while [ "$I" != "$J" ] && [ $n -lt 20 ]; do
	[ "$I" = 0 ] || kill $I
	echo $((J - 1)) > /proc/sys/kernel/ns_last_pid
	setsid sleep 86400 &
	I=$!
	n=$((n + 1))
done
sid() { sed 's/.*) //' /proc/$1/stat 2>/dev/null | cut -d' ' -f4; }
i=0; while [ "$(sid $I)" != "$I" ] && [ $i -lt 200 ]; do sleep 0.01; i=$((i+1)); done
echo "$J $I $(sid $I)" > "$T/ns2.reuse"
kill -CONT $G
wait $G; echo $? > "$T/ns2.rc"
[ -e /proc/$I ] && echo alive > "$T/ns2.impostor"
EOF
	unshare -pf --mount-proc sh "$T/ns2.sh" "$T" "$PB" "$FAKE" &
	NS2=$!
	track "$NS2"
	bg_status "$NS2" 40
	read -r J I ISID <"$T/ns2.reuse" 2>/dev/null
	check "PID reuse: a new process got the job's PID" [ "${J:-x}" = "${I:-y}" ]
	check "PID reuse: and leads a session of that number, as the job did" [ "${J:-x}" = "${ISID:-y}" ]
	check "PID reuse: cron-graceful took the job as ended (exit 0)" [ "$(cat "$T/ns2.rc" 2>/dev/null)" = 0 ]
	check "PID reuse: the new process was left alone" test -e "$T/ns2.impostor"
	check "PID reuse: the job was logged once, the newcomer never" [ "$(grep -c "job $J " "$T/ns2.log")" = 1 ]
	untrack "$NS1"
	untrack "$NS2"
fi

# ---- the real Debian cron ----
if [ $HAVE_DEB = 1 ]; then
	DEB_WAIT=$(date +%s)
	if wait_for 130 test -s "$T/deb.jobs"; then
		echo "  (the minute came after $(($(date +%s) - DEB_WAIT)) s)"
		JOB=$(head -n 1 "$T/deb.jobs")
		track "$JOB"
		check "the Debian cron job runs" running "$JOB"
		# cron's state from /proc, every 50 ms, until the --wait-only cases are done
		(while [ ! -e "$T/states.stop" ]; do state "$DEB" >>"$T/deb.states"; sleep 0.05; done) &
		SAMPLER=$!
		track "$SAMPLER"

		run cg --exe-name cron --dry-run
		expect_status 0 "dry run"
		check "the dry run finds the daemon" has "^cron daemon: pid $DEB, /usr/sbin/cron, user root, state S" "$T/out"
		check "the dry run lists the job" grep -Eq "^ +$JOB +[0-9]+ root .* descendant +/bin/sh -c echo" "$T/out"
		check "the dry run lists the per-job cron child (CRON)" grep -Eq "^ +[0-9]+ +$DEB root .*/usr/sbin/CRON" "$T/out"
		check "the dry run changed nothing: the daemon runs" running "$DEB"
		check "the dry run changed nothing: the job runs" running "$JOB"
		run cg --exe-name cron --list --format json
		check "--list JSON holds the job" jqt --argjson p "$JOB" '.jobs | map(select(.pid == $p)) | length == 1' "$T/out"
		check "--list JSON of the real cron: the cron-graceful schema" json_valid cron-graceful "$T/out"

		WO_START=$(now_ms)
		wait_for 10 test -s "$T/deb.a"
		JOB_A=$(head -n 1 "$T/deb.a")
		track "$JOB_A"
		run cg --exe-name cron --wait-only --timeout 2 --no-syslog
		expect_status 124 "--wait-only: the timeout runs out"
		check "--wait-only: the timeout names the jobs still running" has "timed out after [0-9]* s; [0-9]* jobs still running" "$T/err"
		check "--wait-only: it resumed nothing, it paused nothing" sh -c "! grep -qE 'resumed|paused' '$T/err'"
		check "--wait-only: after the timeout cron still runs" running "$DEB"
		both_running() { running "$1" && running "$2"; }
		check "--wait-only: after the timeout the jobs still run" both_running "$JOB" "$JOB_A"
		WO_LOG=$T/deb.wo.$JOB
		wait_for 10 has "waiting for" "$WO_LOG"
		check "--wait-only from a cron job waits for the other job" has "job $JOB_A (root, running" "$WO_LOG"
		check "and not for its own" sh -c "! grep -q 'job $JOB ' '$WO_LOG'"
		sleep 1
		check "--wait-only still waits while that job runs" [ ! -e "$T/deb.worc.$JOB" ]
		touch "$T/deb.goA"
		wait_for 20 test -s "$T/deb.worc.$JOB"
		check "--wait-only ended with the job (exit 0)" [ "$(cat "$T/deb.worc.$JOB" 2>/dev/null)" = 0 ]
		check "the job ended by itself (its end marker is written)" test -s "$T/deb.a.end"
		check "--wait-only said so" has "all jobs ended after" "$WO_LOG"
		touch "$T/states.stop"
		wait "$SAMPLER" 2>/dev/null
		untrack "$SAMPLER"
		check "cron was never stopped during the --wait-only cases ($(sort "$T/deb.states" | uniq -c | tr -s ' \n' ' '))" \
			sh -c "[ \"\$(wc -l <'$T/deb.states')\" -ge 20 ] && ! grep -qv '^[SR]\$' '$T/deb.states'"
		check "cron runs on after --wait-only" running "$DEB"
		gone "$JOB_A" && untrack "$JOB_A"
		WO_MS=$((WO_MS + $(now_ms) - WO_START))

		run setpriv --reuid=65534 --regid=65534 --clear-groups "$PB" cron-graceful --exe-name cron
		expect_status 1 "not root, cron running"
		one_error_line "cron-graceful: must be run as root"
		check "not root: nothing was touched" running "$DEB"
		run setpriv --reuid=65534 --regid=65534 --clear-groups "$PB" cron-graceful --exe-name cron --dry-run
		check "not root: a dry run still finds the daemon" has "^cron daemon: pid $DEB" "$T/out"

		for sig in INT TERM; do
			"$PB" cron-graceful --exe-name cron --no-syslog -v >"$T/sig.$sig.log" 2>&1 &
			G=$!
			wait_for 10 has "waiting for" "$T/sig.$sig.log"
			check "SIG$sig case: the daemon is stopped (T) while waiting" stopped "$DEB"
			kill -$sig "$G"
			bg_status "$G" 10
			case $sig in INT) want=130 ;; TERM) want=143 ;; esac
			expect_status $want "SIG$sig while waiting"
			check "SIG$sig: the daemon was resumed and runs" running "$DEB"
			check "SIG$sig: it says so" has "interrupted by SIG$sig: resumed cron (pid $DEB" "$T/sig.$sig.log"
			check "SIG$sig: the job still runs" running "$JOB"
		done

		printf '#!/bin/sh\necho "$CRON_PID $(sed "s/.*) //" /proc/$CRON_PID/stat | cut -c1)" > %s/hook.out\n' "$T" >"$T/hook"
		chmod 755 "$T/hook"
		"$PB" cron-graceful --exe-name cron --hook "$T/hook" --no-syslog -v >"$T/real.log" 2>&1 &
		G=$!
		wait_for 10 has "waiting for" "$T/real.log"
		check "real run: the daemon is stopped (T) while waiting" stopped "$DEB"
		check "real run: the hook ran while the daemon was stopped, with CRON_PID" [ "$(cat "$T/hook.out")" = "$DEB T" ]
		check "real run: it waits for the job" has "job $JOB (root, running" "$T/real.log"
		check "real run: still waiting while the job runs" sh -c "sleep 1; ! grep -q 'done, took' '$T/real.log'"
		touch "$T/deb.go"
		bg_status "$G" 30
		expect_status 0 "real run"
		check "real run: the job ended by itself (its end marker is written)" test -s "$T/deb.end"
		check "real run: the job is gone" gone "$JOB"
		check "real run: the daemon is gone" gone "$DEB"
		check "real run: it said how it stopped cron" grep -Eq "stopping cron|cron \(pid $DEB\) (stopped|terminated)" "$T/real.log"
		check "real run: done, took N s" has "done, took [0-9]* s" "$T/real.log"
		echo "  (Debian cron ran the job $(wc -l <"$T/deb.jobs") time(s); the real run said: $(grep -o 'stopping cron.*' "$T/real.log" | head -n 1))"
		gone "$JOB" && untrack "$JOB"
	else
		not_ok "Debian cron started no job within 130 s"
	fi
	kill "$DEB" 2>/dev/null
	wait_for 5 gone "$DEB" && untrack "$DEB"
	rm -f "$CRONFILE"
fi

# ---- busybox crond: jobs are its direct children; one backgrounds a child; one runs cron-graceful ----
if [ $HAVE_BB = 1 ]; then
	wait_for 130 has "waiting for" "$T/bb.c.log"
	check "busybox: cron-graceful in a job waits" has "waiting for" "$T/bb.c.log"
	check "busybox: the direct child job is waited for" has "job $(cat "$T/bb.a.pid" 2>/dev/null) " "$T/bb.c.log"
	check "busybox: the child a job left behind is waited for" has "job $(cat "$T/bb.b.child" 2>/dev/null) " "$T/bb.c.log"
	check "busybox: the daemon is stopped (T) meanwhile" stopped "$BB"
	touch "$T/bb.go"
	wait_for 30 test -s "$T/bb.c.rc"
	check "busybox: cron-graceful finished (exit 0) after both jobs ended" [ "$(cat "$T/bb.c.rc" 2>/dev/null)" = "0 ab" ]
	check "busybox: it did not wait for its own job" sh -c "! grep -q 'job $(cat "$T/bb.c.pid" 2>/dev/null) ' '$T/bb.c.log'"
	check "busybox: the daemon is gone" gone "$BB"
	gone "$BB" && untrack "$BB"
fi

# ---- a real cron whose binary was deleted (as a package upgrade does) ----
if [ $HAVE_DEB = 1 ]; then
	mkdir "$T/upgraded"
	cp /usr/sbin/cron "$T/upgraded/cron"
	rm -f /run/crond.pid
	"$T/upgraded/cron"
	if wait_for 10 cron_pidfile_daemon >/dev/null; then
		DEL=$(cron_pidfile_daemon)
		track "$DEL"
		rm "$T/upgraded/cron"
		run cg --dry-run
		expect_status 0 "a deleted executable: dry run"
		check "the daemon with a deleted executable is found" has "^cron daemon: pid $DEL, $T/upgraded/cron (deleted" "$T/out"
		run cg --no-syslog
		expect_status 0 "a deleted executable: real run"
		check "it is gone" gone "$DEL"
		gone "$DEL" && untrack "$DEL"
	else
		not_ok "the copy of cron did not start"
	fi
fi

echo "  (cron_graceful.sh took $(($(date +%s) - E2E_START)) s, the --wait-only cases $((WO_MS / 1000)).$((WO_MS % 1000 / 100)) s of it)"
finish
