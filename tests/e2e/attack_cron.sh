#!/bin/sh
# cron-graceful against a hostile local user, with a real Debian cron started here: processes that call
# themselves cron, a cron job of the user's that never ends, cron-graceful killed by SIGKILL while cron is
# paused, command lines of megabytes, a process name that walks out of /etc/init.d.
. "$(dirname "$0")/lib.sh"

E2E_START=$(date +%s)
CRONFILE=/etc/cron.d/pbatk-$$
DEB=
# a name no other test uses, short enough for a process name once "../../tmp/" is put before it
TRAV=k$(($$ % 10000))
at_exit() {
	rm -f "$CRONFILE" "/tmp/$TRAV" "/tmp/$TRAV.pid" "/tmp/$TRAV.ran"
	# a cron left stopped by an attack that worked is resumed, so that the kill below reaches it
	[ -n "$DEB" ] && kill -CONT "$DEB" 2>/dev/null
	for p in $DEB; do [ "$(cat /run/crond.pid 2>/dev/null)" = "$p" ] && rm -f /run/crond.pid; done
	cleanup
}
trap at_exit EXIT
trap 'exit 130' INT TERM HUP

cg() { "$PB" cron-graceful "$@"; }
state() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -c1; }
gone() { _s=$(state "$1"); [ -z "$_s" ] || [ "$_s" = Z ]; }
stopped() { [ "$(state "$1")" = T ]; }
running() { _s=$(state "$1"); [ -n "$_s" ] && [ "$_s" != Z ] && [ "$_s" != T ]; }
both_running() { running "$1" && running "$2"; }
has() { grep -qs -- "$1" "$2"; }
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
cron_pidfile_daemon() {
	_p=$(cat /run/crond.pid 2>/dev/null)
	[ -n "$_p" ] && [ "$(sed 's/.*) //' "/proc/$_p/stat" 2>/dev/null | cut -d' ' -f4)" = "$_p" ] && echo "$_p"
}
# rss_below KIB FILE: the peak that max_rss wrote is below KIB; under a wrapper (valgrind) the peak is the
# wrapper's, and only the run itself is checked
rss_below() { [ -n "${PB_WRAP:-}" ] || [ "$(cat "$2" 2>/dev/null || echo 999999999)" -lt "$1" ]; }

if [ "$(id -u)" != 0 ]; then
	skip "the attacks need root (a user account, a real cron)"
	finish
	exit
fi
if [ ! -x /usr/sbin/cron ]; then
	skip "Debian cron is not installed"
	finish
	exit
fi
OLD=$(ps -e -o pid=,stat=,comm= | awk '$3 == "cron" && $2 !~ /^Z/ { print $1 }' | tr '\n' ' ')
if [ -n "$OLD" ]; then
	skip "another cron runs (pid $OLD): Debian cron allows one at a time"
	finish
	exit
fi
ATK=pbatk$$
if ! test_user "$ATK"; then
	not_ok "cannot create the attacker account $ATK"
	finish
	exit
fi
U=$T/u
mkdir "$U"
chown "$ATK:$ATK" "$U"

# the real cron, and a job of the attacker's that never ends: it starts at the next minute
printf '%s\n' "* * * * * $ATK echo \$\$ >> $U/job.pid; exec sleep 86400" >"$CRONFILE"
rm -f /run/crond.pid
/usr/sbin/cron
if wait_for 10 cron_pidfile_daemon >/dev/null; then
	DEB=$(cron_pidfile_daemon)
	track "$DEB"
else
	not_ok "Debian cron did not start"
	finish
	exit
fi

# ---- processes that call themselves cron ----
# argv[0] says /usr/sbin/cron; a copy of a program named cron (executable, comm and argv[0] all say cron)
run_as "$ATK" bash -c 'exec -a /usr/sbin/cron sleep 600' &
FAKE1=$!
track "$FAKE1"
cp "$HELPERS/fake_cron" "$U/cron"
chown "$ATK:$ATK" "$U/cron"
run_as "$ATK" "$U/cron" -p "$U/fake2.pid" &
FAKE2=$!
track "$FAKE2"
wait_for 5 test -s "$U/fake2.pid"
wait_for 5 has /usr/sbin/cron "/proc/$FAKE1/cmdline"

run cg --dry-run
expect_status 0 "a user's processes named cron: the dry run works"
check "the dry run names the real cron" has "^cron daemon: pid $DEB, /usr/sbin/cron, user root" "$T/out"
check "and neither of the user's impostors" sh -c "! grep -Eq '(^|[^0-9])($FAKE1|$FAKE2)([^0-9]|\$)' '$T/out' '$T/err'"
run setpriv --reuid="$(id -u "$ATK")" --regid="$(id -g "$ATK")" --clear-groups "$PB" cron-graceful --dry-run
check "a dry run by another user (exe links unreadable) finds the real cron too" \
	has "^cron daemon: pid $DEB, .*user root" "$T/out"
run cg --list --format json
expect_status 0 "a user's processes named cron: --list works"
check "a user's processes named cron: the daemon in the JSON is the real cron" jqt --argjson d "$DEB" '.daemon.pid == $d' "$T/out"
run cg --resume --no-syslog
expect_status 0 "a user's processes named cron: --resume works on the real cron"
check "--resume says the real cron is not stopped" has "cron (pid $DEB) is not stopped" "$T/err"
# a program of a name no other process on the machine has (root's own sleeps of other tests would count)
SLP=pbslp$$
cp "$(command -v sleep)" "$U/$SLP"
chown "$ATK:$ATK" "$U/$SLP"
run_as "$ATK" "$U/$SLP" 600 &
FAKE3=$!
track "$FAKE3"
wait_for 5 test "$(cat "/proc/$FAKE3/comm" 2>/dev/null)" = "$SLP"
run cg --exe-name "$SLP" --dry-run
expect_status 0 "--exe-name $SLP: a user's program of that name is no daemon (it runs as the user)"
check "it says so" has "$SLP is not running" "$T/err"
run cg --pid "$FAKE2" --dry-run
check "--pid names a user's process: taken, as asked" has "^cron daemon: pid $FAKE2," "$T/out"
check "the impostors were left alone" both_running "$FAKE1" "$FAKE2"

# ---- a process name that leads out of /etc/init.d, with --pid ----
# the attacker's daemon (its executable is not called cron) is init's child, calls itself ../../tmp/NAME, and
# writes /tmp/NAME.pid and /tmp/NAME
cat >"$U/trav.sh" <<EOF
printf '#!/bin/sh\\nid -u > /tmp/$TRAV.ran\\n' > /tmp/$TRAV
chmod 755 /tmp/$TRAV
"$U/daemon" -n ../../tmp/$TRAV -p /tmp/$TRAV.pid &
EOF
cp "$HELPERS/fake_cron" "$U/daemon"
run_as "$ATK" sh "$U/trav.sh"
wait_for 5 test -s "/tmp/$TRAV.pid"
TRAVPID=$(cat "/tmp/$TRAV.pid" 2>/dev/null)
track "$TRAVPID"
if [ -n "$TRAVPID" ] && [ "$(cut -d' ' -f1 "/proc/$TRAVPID/stat" 2>/dev/null)" = "$TRAVPID" ] &&
	[ "$(sed 's/.*) //' "/proc/$TRAVPID/stat" | cut -d' ' -f2)" = 1 ]; then
	run cg --pid "$TRAVPID" --dry-run
	check "the dry run would not run a user's file as the stop command" sh -c "! grep -q 'tmp/$TRAV' '$T/out'"
	run cg --pid "$TRAVPID" --timeout 10 --no-syslog
	check "root did not run the user's /tmp/$TRAV" test ! -e "/tmp/$TRAV.ran"
	check "the daemon named by --pid was stopped all the same" wait_for 5 gone "$TRAVPID"
else
	skip "orphans are not init's children here (a subreaper): the /etc/init.d traversal case"
fi

# ---- command lines of megabytes: what root keeps of them ----
# 20 processes of the attacker's, each with 12 arguments of 120 000 bytes (1.4 MB of command line)
head -c 120000 /dev/zero | tr '\0' a >"$U/arg"
cat >"$U/big.sh" <<'EOF'
a=$(cat "$1/arg")
set -- "$a" "$a" "$a" "$a" "$a" "$a" "$a" "$a" "$a" "$a" "$a" "$a"
exec sh -c 'sleep 600; :' "$@"
EOF
i=0
while [ $i -lt 20 ]; do
	# not jobs of this shell (it would report each one's end); the account's removal ends them
	(run_as "$ATK" sh "$U/big.sh" "$U" >/dev/null 2>&1 &)
	i=$((i + 1))
done
wait_for 10 sh -c "[ \$(pgrep -U $ATK -f 'sleep 600; :' | wc -l) -ge 20 ]"
run "$HELPERS/max_rss" "$T/rss.dry" "$PB" cron-graceful --dry-run
expect_status 0 "dry run beside 20 command lines of 1.4 MB"
echo "  (peak resident set of the dry run: $(cat "$T/rss.dry") KiB)"
check "the dry run's peak stays below 8 MiB" rss_below 8192 "$T/rss.dry"
# the same command lines as jobs: shown in --list, the dry run and the progress of a real run
cp "$HELPERS/fake_cron" "$T/fkcron"
"$T/fkcron" -d -w -s -p "$T/fk.pid" \
	"exec setpriv --reuid=$(id -u "$ATK") --regid=$(id -g "$ATK") --clear-groups sh $U/big.sh $U" \
	"exec setpriv --reuid=$(id -u "$ATK") --regid=$(id -g "$ATK") --clear-groups sh $U/big.sh $U" >"$T/fk.err" 2>&1 &
FK=$!
track "$FK"
wait_for 10 sh -c "[ \$(pgrep -U $ATK -f 'sleep 600; :' | wc -l) -ge 22 ]"
run "$HELPERS/max_rss" "$T/rss.list" "$PB" cron-graceful --pid "$FK" --list --format json
expect_status 0 "--list --format json of jobs with 1.4 MB command lines"
echo "  (peak of --list --format json: $(cat "$T/rss.list") KiB, $(wc -c <"$T/out") bytes of output)"
check "its peak stays below 8 MiB" rss_below 8192 "$T/rss.list"
check "the JSON validates" jqt '.jobs | length >= 2' "$T/out"
check "the JSON of 1.4 MB command lines matches the cron-graceful schema" json_valid cron-graceful "$T/out"
run "$HELPERS/max_rss" "$T/rss.real" "$PB" cron-graceful --pid "$FK" --timeout 2 --no-syslog -v
expect_status 124 "a real run waiting for those jobs, timed out"
echo "  (peak of the real run: $(cat "$T/rss.real") KiB)"
check "its peak stays below 8 MiB" rss_below 8192 "$T/rss.real"
check "the fake daemon runs again" running "$FK"
kill "$FK"
for p in $(pgrep -U "$ATK" -f 'sleep 600; :'); do kill "$p"; done

# ---- the attacker's cron job that never ends ----
if wait_for 130 test -s "$U/job.pid"; then
	JOB=$(head -n 1 "$U/job.pid")
	wait_for 5 sh -c "[ \"\$(cat /proc/$JOB/comm 2>/dev/null)\" = sleep ]"
	check "the attacker's job runs, as the attacker" [ "$(stat -c %U "/proc/$JOB" 2>/dev/null)" = "$ATK" ]

	# these name the real cron with --pid: they are about the wait, whatever the search finds
	# no --timeout: the default limit is in force (it is announced); SIGKILL of cron-graceful meanwhile
	"$PB" cron-graceful --pid "$DEB" --no-syslog -v >"$T/kill.log" 2>&1 &
	G=$!
	wait_for 10 has "waiting for" "$T/kill.log"
	check "cron-graceful waits for the attacker's job" has "job $JOB ($ATK" "$T/kill.log"
	check "without --timeout it still waits at most the default 3600 s" has "waiting at most 3600 s" "$T/kill.log"
	check "cron is stopped (T) while cron-graceful waits" stopped "$DEB"
	kill -KILL "$G"
	bg_status "$G" 5
	check "SIGKILL of cron-graceful: cron resumed within 2 s (state not T)" wait_for 2 running "$DEB"
	echo "  (cron's state after SIGKILL of cron-graceful: $(state "$DEB"))"
	kill -CONT "$DEB"
	check "SIGKILL of cron-graceful: the job still runs" running "$JOB"

	run cg --pid "$DEB" --timeout 3 --no-syslog
	expect_status 124 "the attacker's job outlives the timeout"
	check "the timeout names the job" grep -Eq "still running: (.*, )?$JOB sleep 86400" "$T/err"
	check "cron was resumed, not left stopped" running "$DEB"
	check "the job was not touched" running "$JOB"

	"$PB" cron-graceful --pid "$DEB" --timeout 0 --no-syslog >"$T/none.log" 2>&1 &
	G=$!
	wait_for 10 has "waiting for" "$T/none.log"
	check "--timeout 0: no limit (still waiting after 2 s)" sh -c "sleep 2; [ -e /proc/$G ] && ! grep -q 'timed out' '$T/none.log'"
	kill -TERM "$G"
	bg_status "$G" 10
	expect_status 143 "--timeout 0 ended by SIGTERM"
	check "and cron runs again" running "$DEB"

	# the job ends: the real run stops the real cron and leaves the impostors alone
	kill "$JOB"
	wait_for 5 gone "$JOB"
	rm -f "$CRONFILE"
	run cg --timeout 20 --no-syslog
	expect_status 0 "the real run, impostors around"
	check "it stopped the real cron" wait_for 5 gone "$DEB"
	check "the impostors still run" both_running "$FAKE1" "$FAKE2"
else
	not_ok "the attacker's cron job did not start within 130 s"
fi
kill "$DEB" 2>/dev/null
wait_for 5 gone "$DEB" && untrack "$DEB"

echo "  (attack_cron.sh took $(($(date +%s) - E2E_START)) s)"
finish
