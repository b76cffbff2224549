#!/bin/sh
# hidepid: private proc mounts with hidepid= in a mount namespace of our own; applets run as an unprivileged user
# must say that processes are hidden or unreadable instead of claiming that nothing runs.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/lib_reliability.sh"

U=60917 # a uid without a name, for this test alone
G=60918 # the group of gid= mounts

if [ "$(id -u)" != 0 ]; then
	skip "hidepid needs root (a mount namespace and proc mounts)"
	finish
	exit
fi
# lib.sh runs a copy that every user can reach, wherever the checkout is
if ! reachable "$PB"; then
	not_ok "an unprivileged user cannot run $PB:$UNREACHABLE"
	finish
	exit
fi

# the namespace lives as long as this sleeper; every mount below happens inside it, the host never sees one
unshare -m --propagation private sleep 86400 &
NS=$!
track "$NS"
wait_for 5 sh -c "[ \"\$(readlink /proc/$NS/ns/mnt)\" != \"\$(readlink /proc/self/ns/mnt)\" ]"
P="$T/proc"
mkdir "$P"
inns() { nsenter -t "$NS" -m "$@"; }
mount_proc() { # mount_proc OPTIONS: a fresh proc instance at $P
	inns umount "$P" 2>/dev/null
	inns mount -t proc -o "$1" proc "$P"
}
as_user() { inns setpriv --reuid=$U --regid=$U --clear-groups env PROCBOX_PROC="$P" "$@"; }
as_member() { inns setpriv --reuid=$U --regid=$U --groups=$G env PROCBOX_PROC="$P" "$@"; }
as_root() { inns env PROCBOX_PROC="$P" "$@"; }

# a process of the user, which the user always sees
setpriv --reuid=$U --regid=$U --clear-groups sleep 86400 &
MINE=$!
track "$MINE"
wait_for 5 sh -c "[ \"\$(awk '/^Uid:/ {print \$2}' /proc/$MINE/status)\" = $U ]"
# root's own processes; with CAP_SYS_PTRACE root sees every process whatever hidepid says
root_traces=$(((0x$(awk '/^CapEff:/ {print $2}' /proc/self/status) >> 19) & 1))

check "hidepid=invisible mounts in the namespace" mount_proc hidepid=invisible
check "the host does not see the mount" sh -c "! grep -q ' $P ' /proc/self/mountinfo"
HIDDEN="proc-tree: other users' processes are hidden ($P is mounted with hidepid=invisible)"

run as_user "$PB" proc-tree -o pid,user,comm
expect_status 0 "user under hidepid=invisible: proc-tree shows what it can"
check "the warning says other users' processes are hidden" [ "$(cat "$T/err")" = "$HIDDEN" ]
check "the user's own process is listed" grep -Eq "^ *$MINE +$U +sleep" "$T/out"
check "pid 1 is not (it is root's)" sh -c "! grep -Eq '^ *1 ' '$T/out'"

run as_user "$PB" proc-tree --format json -o pid,uids
expect_status 0 "user under hidepid=invisible: JSON"
check "JSON still validates (the warning is on stderr)" jqt . "$T/out"
check "JSON under hidepid: the proc-tree schema" json_valid proc-tree "$T/out"
check "JSON lists only the user's processes" jqt --argjson u $U '[.processes[] | .uids[0] == $u] | all' "$T/out"
check "and the warning comes once" [ "$(cat "$T/err")" = "$HIDDEN" ]

run as_user "$PB" proc-tree -u 0
expect_status 1 "user asks for root's processes"
one_error_line "proc-tree: no process matched: other users' processes are hidden"
run as_user "$PB" proc-tree 1
expect_status 1 "user asks for pid 1"
one_error_line "proc-tree: no process 1: other users' processes are hidden"

run as_root "$PB" proc-tree -o pid,user,comm
expect_status 0 "root on the same mount"
if [ "$root_traces" = 1 ]; then
	check "root (CAP_SYS_PTRACE) sees pid 1 and gets no warning" sh -c "grep -Eq '^ *1 ' '$T/out' && [ ! -s '$T/err' ]"
	check "root sees the user's process too" grep -Eq "^ *$MINE +$U " "$T/out"
else
	check "root without CAP_SYS_PTRACE is warned too" grep -q "hidden" "$T/err"
fi

# the gid= group sees everything
check "hidepid=invisible,gid=$G mounts" mount_proc hidepid=invisible,gid=$G
run as_member "$PB" proc-tree -o pid,user
expect_status 0 "a member of the gid= group"
check "sees pid 1, no warning" sh -c "grep -Eq '^ *1 ' '$T/out' && [ ! -s '$T/err' ]"
run as_user "$PB" proc-tree -o pid,user
check "a non-member is still warned" grep -q "^proc-tree: other users' processes are hidden" "$T/err"

# noaccess: every directory listed, the files of others closed
check "hidepid=noaccess mounts" mount_proc hidepid=noaccess
run as_user "$PB" proc-tree -o pid,user,comm
expect_status 0 "user under hidepid=noaccess"
n=$(sed -n "s/^proc-tree: \([0-9]*\) processes were not readable ($(echo "$P" | sed 's/[./]/\\&/g') is mounted with hidepid=noaccess)\$/\1/p" "$T/err")
check "the warning counts the unreadable processes ($n)" [ "${n:-0}" -gt 0 ]
check "and is the only line" [ "$(wc -l <"$T/err")" = 1 ]
check "the user's own process is listed" grep -Eq "^ *$MINE +$U +sleep" "$T/out"

# ptraceable (Linux 5.8+): only what we may trace
if mount_proc hidepid=ptraceable 2>/dev/null; then
	run as_user "$PB" proc-tree -o pid
	check "hidepid=ptraceable: the warning names it" \
		[ "$(cat "$T/err")" = "proc-tree: other users' processes are hidden ($P is mounted with hidepid=ptraceable)" ]
else
	skip "this kernel has no hidepid=ptraceable (Linux 5.8+)"
fi

# without hidepid: everything visible, nothing to say
check "a plain proc mounts" mount_proc rw
run as_user "$PB" proc-tree -o pid
expect_status 0 "user on a plain proc"
check "sees pid 1, no warning" sh -c "grep -Eq '^ *1\$' '$T/out' && [ ! -s '$T/err' ]"

# every applet's read-only invocations: they must say that processes are hidden, not claim that nothing runs
mount_proc hidepid=invisible
reader_invocations >"$T/readers"
while read -r line; do
	reader_parse "$line"
	applet=$R_APPLET args=$R_ARGS label="$R_LABEL as uid $U under hidepid=invisible"
	if [ "$args" = UNCOVERED ]; then
		not_ok "$applet: no read-only invocation: add a line to tests/e2e/readers.list"
		continue
	fi
	# shellcheck disable=SC2086
	run as_user timeout -s KILL 300 env $R_ENV "$PB" $applet $args
	if [ "$RC" -ge 128 ]; then
		not_ok "$label: crashed or hung (exit $RC)"
	elif grep -q "^$applet: .*other users' processes are \(hidden\|unreadable\)" "$T/err"; then
		ok "$label: says processes are hidden (exit $RC)"
	else
		not_ok "$label: no word about hidden processes (exit $RC): $(head -c 300 "$T/err")"
	fi
done <"$T/readers"

inns umount "$P"
finish
