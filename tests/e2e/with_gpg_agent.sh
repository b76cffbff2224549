#!/bin/sh
# with-gpg-agent: real GnuPG agents of unprivileged test users, found, started, reused; both socket layouts.
. "$(dirname "$0")/lib.sh"

WGA="$PB with-gpg-agent"
STD_PATH=/usr/local/bin:/usr/bin:/bin

# ---- usage, needing no agent ----
run $WGA --bogus true
expect_status 2 "bad option"
one_error_line "with-gpg-agent: bad option '--bogus'"
run $WGA
expect_status 2 "no command"
check "no command: the usage goes to stderr" grep -q "^Usage: with-gpg-agent" "$T/err"
check "no command: nothing on stdout" [ ! -s "$T/out" ]
run $WGA -t soon true
expect_status 2 "a bad timeout"
one_error_line "with-gpg-agent: bad timeout 'soon'"
run $WGA --print true
expect_status 2 "--print with a command"
run $WGA --help
expect_status 0 "--help"
check "--help on stdout" grep -q "^Usage: with-gpg-agent" "$T/out"

for tool in gpg-agent gpgconf gpg-connect-agent setpriv script useradd pgrep; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		skip "the agent tests need $tool"
		finish
		exit
	fi
done
if [ "$(id -u)" != 0 ]; then
	skip "the agent tests create users: they need root"
	finish
	exit
fi

# ---- test users with their own homes: A keeps its sockets in ~/.gnupg, B in /run/user/UID/gnupg; C and D are
# new accounts that never ran gpg (no ~/.gnupg), C with its sockets in its home, D in /run/user/UID/gnupg ----
A=pbgpga$$ B=pbgpgb$$ C=pbgpgc$$ D=pbgpgd$$
USERS=""
RUNDIRS=""
make_user() { # NAME HOME
	useradd -m -d "$2" -s /bin/sh "$1" >/dev/null 2>&1 || return 1
	USERS="$USERS $1"
}
uid_of() { id -u "$1"; }

# as_user NAME [VAR=VALUE...] COMMAND...: a clean login-like environment, no supplementary groups
as_user() {
	u=$1
	shift
	setpriv --reuid="$(id -u "$u")" --regid="$(id -g "$u")" --clear-groups \
		env -i HOME="$(getent passwd "$u" | cut -d: -f6)" USER="$u" LOGNAME="$u" PATH="$STD_PATH" "$@"
}

# state letter of a process, "" when it is gone (a zombie counts as ended: PID 1 may not reap it soon)
proc_state() { sed 's/.*) //' "/proc/$1/stat" 2>/dev/null | cut -d' ' -f1; }
ended() { case "$(proc_state "$1")" in "" | Z | X) return 0 ;; esac; return 1; }
agents_of() { for p in $(pgrep -x -U "$(uid_of "$1")" gpg-agent); do ended "$p" || echo "$p"; done; }
count_agents() { agents_of "$1" | wc -l; }
# the uid and name of a live process
proc_uid() { awk '/^Uid:/ {print $2}' "/proc/$1/status" 2>/dev/null; }
proc_comm() { cat "/proc/$1/comm" 2>/dev/null; }

# only real PIDs: a 0 or an empty value would have cleanup's kill hit our own process group
track_pid() { case "$1" in "" | *[!0-9]* | 0 | 1) ;; *) track "$1" ;; esac; }

not_among() { # PID LIST...
	x=$1
	shift
	for p in "$@"; do [ "$p" = "$x" ] && return 1; done
	return 0
}

live_procs_of() { for p in $(pgrep -U "$1"); do ended "$p" || echo "$p"; done; }
no_procs_of() { [ -z "$(live_procs_of "$1")" ]; }
stop_users() {
	for u in $USERS; do
		uid=$(uid_of "$u") || continue
		# every process of a test user is one these tests started: agents, the listener; end them by PID
		for p in $(live_procs_of "$uid"); do kill -TERM "$p" 2>/dev/null; done
		wait_for 10 no_procs_of "$uid"
		for p in $(live_procs_of "$uid"); do kill -KILL "$p" 2>/dev/null; done
	done
}
remove_users() {
	stop_users
	for u in $USERS; do userdel -r "$u" >/dev/null 2>&1; done
	for d in $RUNDIRS; do rm -rf "$d"; done
	USERS=""
}
trap 'remove_users; cleanup' EXIT

make_user "$A" "$T/home a" || { not_ok "useradd $A"; finish; exit; }
make_user "$B" "$T/homeb" || { not_ok "useradd $B"; finish; exit; }
make_user "$C" "$T/homec" || { not_ok "useradd $C"; finish; exit; }
make_user "$D" "$T/homed" || { not_ok "useradd $D"; finish; exit; }
HA="$T/home a" HB="$T/homeb" HC="$T/homec" HD="$T/homed"
UA=$(uid_of "$A") UB=$(uid_of "$B") UC=$(uid_of "$C") UD=$(uid_of "$D")
mkdir -p -m 700 "$HA/.gnupg"
# A's agent logs what it is told (for --update-tty) and serves ssh
printf 'enable-ssh-support\nlog-file %s/agent.log\ndebug ipc\n' "$HA" >"$HA/.gnupg/gpg-agent.conf"
chown -R "$A:" "$HA/.gnupg"
mkdir -p /run/user
RUNDIR_B=/run/user/$UB RUNDIR_D=/run/user/$UD
RUNDIRS="$RUNDIR_B $RUNDIR_D"
mkdir -m 700 "$RUNDIR_B" && chown "$B:" "$RUNDIR_B"
mkdir -m 700 "$RUNDIR_D" && chown "$D:" "$RUNDIR_D"

# a bin directory with a shell and printenv but no GnuPG, and one with gpg-agent but no gpgconf
mkdir "$T/nognupg" "$T/nogpgconf"
for p in sh printenv cat; do
	ln -s "$(command -v $p)" "$T/nognupg/$p"
	ln -s "$(command -v $p)" "$T/nogpgconf/$p"
done
ln -s "$(command -v gpg-agent)" "$T/nogpgconf/gpg-agent"

# what the wrapper hands its command, one variable a line
SHOW='printf "INFO=%s\nSSH=%s\nTTY=%s\n" "${GPG_AGENT_INFO-unset}" "${SSH_AUTH_SOCK-unset}" "${GPG_TTY-unset}"'
var() { sed -n "s/^$1=//p" "$T/out" | tr -d '\r'; }

# ---- A: no agent -> one is started, with its sockets in ~/.gnupg ----
check "$A starts without an agent" [ "$(count_agents "$A")" = 0 ]
SOCK_A=$(as_user "$A" gpgconf --list-dirs agent-socket)
SSH_A=$(as_user "$A" gpgconf --list-dirs agent-ssh-socket)
check "gpgconf puts $A's socket in its home" [ "$SOCK_A" = "$HA/.gnupg/S.gpg-agent" ]
run as_user "$A" $WGA sh -c "$SHOW; gpg-connect-agent 'GETINFO pid' /bye" </dev/null
expect_status 0 "no agent: one is started and the command runs"
INFO=$(var INFO)
PID_A=${INFO#"$SOCK_A":}
PID_A=${PID_A%:1}
track_pid "$PID_A"
check "GPG_AGENT_INFO is SOCKET:PID:1 ($INFO)" [ "$INFO" = "$SOCK_A:$PID_A:1" ]
check "the PID is a live gpg-agent" [ "$(proc_comm "$PID_A")" = gpg-agent ]
check "of user $A" [ "$(proc_uid "$PID_A")" = "$UA" ]
check "gpg-connect-agent inside reports that pid" grep -qx "D $PID_A" "$T/out"
check "SSH_AUTH_SOCK is the agent's ssh socket" [ "$(var SSH)" = "$SSH_A" ]
check "GPG_TTY is unset without a terminal ($(var TTY))" [ "$(var TTY)" = unset ]
check "no warning on stderr" [ ! -s "$T/err" ]
if command -v ssh-add >/dev/null 2>&1; then
	# 1: the agent answered and holds no keys; 2 would be "cannot connect"
	run as_user "$A" $WGA sh -c 'ssh-add -l' </dev/null
	expect_status 1 "ssh-add -l reaches the agent through SSH_AUTH_SOCK"
else
	skip "ssh-add not installed"
fi
check "exactly one agent of $A" [ "$(count_agents "$A")" = 1 ]

# ---- a second run reuses it ----
run as_user "$A" $WGA sh -c "$SHOW" </dev/null
expect_status 0 "second run"
check "the second run reuses the agent" [ "$(var INFO)" = "$SOCK_A:$PID_A:1" ]
check "still one agent of $A" [ "$(count_agents "$A")" = 1 ]
run as_user "$A" $WGA --print </dev/null
expect_status 0 "--print"
check "--print prints export lines" grep -qx "export GPG_AGENT_INFO='$SOCK_A:$PID_A:1'" "$T/out"
check "--print exports SSH_AUTH_SOCK" grep -qx "export SSH_AUTH_SOCK='$SSH_A'" "$T/out"
check "--print output evaluates in sh" \
	[ "$(sh -c ". '$T/out'; echo \"\$GPG_AGENT_INFO\"")" = "$SOCK_A:$PID_A:1" ]
run as_user "$A" $WGA --sh </dev/null
check "--sh is --print" grep -qx "export GPG_AGENT_INFO='$SOCK_A:$PID_A:1'" "$T/out"

run as_user "$A" $WGA -v true </dev/null
check "unprivileged, the agent's fds are closed (it is not dumpable): it is asked over its socket" \
	grep -q "gpg-agent $PID_A answers on $SOCK_A (asked over the socket)" "$T/err"

# ---- exit status, signals, option parsing, exec failures ----
run as_user "$A" $WGA sh -c 'exit 5' </dev/null
expect_status 5 "the command's exit status passes through"
run as_user "$A" $WGA sh -c 'kill -TERM $$' </dev/null
expect_status 143 "a signal that ends the command passes through"
run as_user "$A" $WGA echo -h -v
check "options end at the command: echo -h -v" grep -qx -- "-h -v" "$T/out"
run as_user "$A" $WGA -q -- echo -t
check "-- ends the options" grep -qx -- "-t" "$T/out"
run as_user "$A" $WGA no-such-command-pbgpg </dev/null
expect_status 127 "command not found"
one_error_line "with-gpg-agent: cannot run no-such-command-pbgpg"
printf 'echo hi\n' >"$T/not-executable"
chmod 644 "$T/not-executable"
run as_user "$A" $WGA "$T/not-executable" </dev/null
expect_status 126 "command not executable"
one_error_line "with-gpg-agent: cannot run $T/not-executable"

# ---- what is already in the environment ----
run as_user "$A" GPG_AGENT_INFO="$T/no-such-socket:4242:1" $WGA sh -c "$SHOW" </dev/null
check "a stale GPG_AGENT_INFO (no socket) is replaced" [ "$(var INFO)" = "$SOCK_A:$PID_A:1" ]
run as_user "$A" GPG_AGENT_INFO="$T/not-executable:4242:1" $WGA sh -c "$SHOW" </dev/null
check "a GPG_AGENT_INFO naming a plain file is replaced" [ "$(var INFO)" = "$SOCK_A:$PID_A:1" ]
run as_user "$A" GPG_AGENT_INFO="$SOCK_A:4242:1" $WGA sh -c "$SHOW" </dev/null
check "a working GPG_AGENT_INFO is kept as it is" [ "$(var INFO)" = "$SOCK_A:4242:1" ]
check "and SSH_AUTH_SOCK comes from beside it" [ "$(var SSH)" = "$SSH_A" ]
"$HELPERS/unix_listener" "$T/other-ssh-agent" &
LISTENER=$!
track "$LISTENER"
wait_for 10 test -S "$T/other-ssh-agent"
chmod 777 "$T/other-ssh-agent"
run as_user "$A" SSH_AUTH_SOCK="$T/other-ssh-agent" $WGA sh -c "$SHOW" </dev/null
check "a working SSH_AUTH_SOCK is kept" [ "$(var SSH)" = "$T/other-ssh-agent" ]
run as_user "$A" SSH_AUTH_SOCK="$T/no-such-ssh-socket" $WGA sh -c "$SHOW" </dev/null
check "a stale SSH_AUTH_SOCK is replaced" [ "$(var SSH)" = "$SSH_A" ]
run as_user "$A" GPG_TTY="not a tty" $WGA sh -c "$SHOW" </dev/null
check "an inherited GPG_TTY='not a tty' is dropped" [ "$(var TTY)" = unset ]

# ---- a terminal: GPG_TTY, --update-tty ----
run as_user "$A" script -qec "$WGA sh -c '$SHOW; tty'" /dev/null </dev/null
PTY=$(tail -n 1 "$T/out" | tr -d '\r')
check "script gives the command a pty ($PTY)" sh -c "echo '$PTY' | grep -q '^/dev/pts/'"
check "GPG_TTY is that terminal" [ "$(var TTY)" = "$PTY" ]
run as_user "$A" script -qec "$WGA --update-tty sh -c tty" /dev/null </dev/null
PTY=$(tail -n 1 "$T/out" | tr -d '\r')
expect_status 0 "--update-tty"
check "--update-tty told the agent this terminal" grep -q "<- OPTION ttyname=$PTY\$" "$HA/agent.log"
check "--update-tty sent updatestartuptty" grep -qi "<- updatestartuptty" "$HA/agent.log"

# ---- a non-default GNUPGHOME, with a space in it: its own agent ----
GH="$HA/gpg home"
as_user "$A" mkdir -m 700 "$GH"
run as_user "$A" GNUPGHOME="$GH" $WGA sh -c "$SHOW; gpg-connect-agent 'GETINFO pid' /bye" </dev/null
expect_status 0 "GNUPGHOME with a space"
INFO=$(var INFO)
PID_GH=${INFO#"$GH/S.gpg-agent":}
PID_GH=${PID_GH%:1}
track_pid "$PID_GH"
check "GNUPGHOME's agent socket in GPG_AGENT_INFO ($INFO)" [ "$INFO" = "$GH/S.gpg-agent:$PID_GH:1" ]
check "a second agent, not the default one" [ "$PID_GH" != "$PID_A" ] && [ "$(proc_uid "$PID_GH")" = "$UA" ]
check "gpg-connect-agent inside reports it" grep -qx "D $PID_GH" "$T/out"
run as_user "$A" GNUPGHOME="$GH" $WGA sh -c "$SHOW" </dev/null
check "GNUPGHOME's agent is reused" [ "$(var INFO)" = "$GH/S.gpg-agent:$PID_GH:1" ]
check "two agents of $A" [ "$(count_agents "$A")" = 2 ]

# ---- a socket without any gpg-agent process counts as an agent ----
FAKE="$HA/fake"
as_user "$A" mkdir -m 700 "$FAKE"
as_user "$A" "$HELPERS/unix_listener" "$FAKE/S.gpg-agent" &
FAKE_PID=$!
track "$FAKE_PID"
wait_for 10 test -S "$FAKE/S.gpg-agent"
run as_user "$A" GNUPGHOME="$FAKE" $WGA sh -c "$SHOW" </dev/null
expect_status 0 "a socket without an agent process"
check "it is used, with pid 0" [ "$(var INFO)" = "$FAKE/S.gpg-agent:0:1" ]
check "no agent was started for it" [ "$(count_agents "$A")" = 2 ]

# ---- gpgconf escapes what it lists ('%' as %25): the socket it names is found all the same ----
GC="$HA/gpg%25home"
as_user "$A" mkdir -m 700 "$GC"
run as_user "$A" GNUPGHOME="$GC" $WGA sh -c "$SHOW" </dev/null
INFO=$(var INFO)
PID_GC=${INFO%:1}
PID_GC=${PID_GC##*:}
track_pid "$PID_GC"
check "a GNUPGHOME with a %: its own agent ($INFO)" [ "$INFO" = "$GC/S.gpg-agent:$PID_GC:1" ]
check "and its ssh socket ($(var SSH))" [ "$(var SSH)" = "$GC/S.gpg-agent.ssh" ]
kill -TERM "$PID_GC" 2>/dev/null
wait_for 10 ended "$PID_GC"

# ---- a socket that others could replace, or that another user listens on, is never handed out ----
OPEN="$HA/open"
as_user "$A" mkdir -m 700 "$OPEN"
as_user "$A" GNUPGHOME="$OPEN" gpgconf --launch gpg-agent
PID_OPEN=$(as_user "$A" GNUPGHOME="$OPEN" gpg-connect-agent 'GETINFO pid' /bye | sed -n 's/^D //p')
track_pid "$PID_OPEN"
chmod 777 "$OPEN"
run as_user "$A" GNUPGHOME="$OPEN" $WGA -v -t 1 --print </dev/null
check "an agent in a directory others may write to is refused" \
	grep -q "refusing $OPEN/S.gpg-agent: its directory is writable by others" "$T/err"
check "and not handed out" [ ! -s "$T/out" ]
chmod 700 "$OPEN"
run as_user "$A" GNUPGHOME="$OPEN" $WGA --print </dev/null
check "the same agent once the directory is $A's alone" grep -qx "export GPG_AGENT_INFO='$OPEN/S.gpg-agent:$PID_OPEN:1'" "$T/out"
kill -TERM "$PID_OPEN" 2>/dev/null
wait_for 10 ended "$PID_OPEN"
# below a directory of B's (B could move A's directory away), or through a symbolic link of B's
BDIR="$T/of-b"
mkdir -m 755 "$BDIR" && chown "$B:" "$BDIR"
mkdir -m 700 "$BDIR/a" && chown "$A:" "$BDIR/a"
as_user "$A" GNUPGHOME="$BDIR/a" gpgconf --launch gpg-agent
PID_BDIR=$(as_user "$A" GNUPGHOME="$BDIR/a" gpg-connect-agent 'GETINFO pid' /bye | sed -n 's/^D //p')
track_pid "$PID_BDIR"
run as_user "$A" GNUPGHOME="$BDIR/a" $WGA -v -t 1 --print </dev/null
check "an agent in a directory below one of $B's is refused" \
	grep -q "refusing $BDIR/a/S.gpg-agent: a directory above it belongs to another user" "$T/err"
check "and not handed out" [ ! -s "$T/out" ]
kill -TERM "$PID_BDIR" 2>/dev/null
wait_for 10 ended "$PID_BDIR"
as_user "$A" mkdir -m 700 "$HA/real"
as_user "$B" ln -s "$HA/real" "$BDIR/link"
as_user "$A" GNUPGHOME="$BDIR/link" gpgconf --launch gpg-agent
PID_LINK=$(as_user "$A" GNUPGHOME="$BDIR/link" gpg-connect-agent 'GETINFO pid' /bye | sed -n 's/^D //p')
track_pid "$PID_LINK"
run as_user "$A" GNUPGHOME="$BDIR/link" $WGA -v -t 1 --print </dev/null
check "an agent reached through a symbolic link of $B's is refused" \
	grep -q "refusing $BDIR/link/S.gpg-agent: a symbolic link on the way belongs to another user" "$T/err"
check "and not handed out" [ ! -s "$T/out" ]
kill -TERM "$PID_LINK" 2>/dev/null
wait_for 10 ended "$PID_LINK"
OTHER="$HA/other"
as_user "$A" mkdir -m 700 "$OTHER"
BEFORE=$(agents_of "$A")
# root listens, and gives the socket file to A: the file is A's, the listener is not
"$HELPERS/unix_listener" "$OTHER/S.gpg-agent" &
ROOT_LISTENER=$!
track "$ROOT_LISTENER"
wait_for 10 test -S "$OTHER/S.gpg-agent"
chown "$A:" "$OTHER/S.gpg-agent"
run as_user "$A" GNUPGHOME="$OTHER" $WGA -v -t 1 --print </dev/null
check "a socket file of $A's where root listens is refused (SO_PEERCRED)" \
	grep -q "refusing $OTHER/S.gpg-agent: another user listens on it" "$T/err"
check "and not handed out" [ ! -s "$T/out" ]
kill "$ROOT_LISTENER" 2>/dev/null
# the launcher, finding the socket taken, may or may not have started an agent there: end it
NEW_AGENTS=""
for p in $(agents_of "$A"); do not_among "$p" $BEFORE && NEW_AGENTS="$NEW_AGENTS $p"; done
for p in $NEW_AGENTS; do kill -TERM "$p"; done
all_ended() { for p in "$@"; do ended "$p" || return 1; done; }
wait_for 10 all_ended $NEW_AGENTS

# ---- an agent that never comes up, and one that cannot start ----
mkdir "$T/fakebin"
cat >"$T/fakebin/gpgconf" <<'EOF'
#!/bin/sh
# a launcher that says yes and starts nothing
case "$1" in
--list-dirs) printf 'agent-socket:%s/never/S.gpg-agent\nagent-ssh-socket:%s/never/S.gpg-agent.ssh\n' "$HOME" "$HOME" ;;
esac
exit 0
EOF
chmod 755 "$T/fakebin/gpgconf"
start=$(date +%s)
run as_user "$A" PATH="$T/fakebin:$STD_PATH" $WGA -t 1.5 sh -c 'echo ran' </dev/null
took=$(($(date +%s) - start))
expect_status 124 "an agent that never comes up"
one_error_line "with-gpg-agent: gpg-agent did not come up within 1.5 s"
check "the command did not run" [ ! -s "$T/out" ]
check "it gave up after the timeout ($took s)" [ "$took" -ge 1 ] && [ "$took" -lt 10 ]
run as_user "$A" PATH="$T/fakebin:$STD_PATH" $WGA -t 0.2 --print </dev/null
expect_status 124 "--print without an agent"
check "--print prints nothing then" [ ! -s "$T/out" ]
run as_user "$A" PATH="$T/fakebin:$STD_PATH" script -qec "$WGA -t 2 true" /dev/null </dev/null
check "on a terminal the wait shows progress" grep -q "waiting for gpg-agent to come up" "$T/out"
run as_user "$A" GNUPGHOME="$T/no-such-gnupg-home" $WGA true </dev/null
expect_status 125 "a GnuPG home that cannot be made (in a directory of root's, mode 755)"
one_error_line "with-gpg-agent: cannot make GnuPG's home directory $T/no-such-gnupg-home: Permission denied"
check "nothing was made" [ ! -e "$T/no-such-gnupg-home" ]
mkdir "$T/failbin"
cat >"$T/failbin/gpgconf" <<'EOF'
#!/bin/sh
# a launcher that fails
case "$1" in
--list-dirs) printf 'agent-socket:%s/fail/S.gpg-agent\nhomedir:%s/fail\n' "$HOME" "$HOME" ;;
--launch) exit 1 ;;
esac
EOF
chmod 755 "$T/failbin/gpgconf"
run as_user "$A" PATH="$T/failbin:$STD_PATH" $WGA true </dev/null
expect_status 125 "an agent that cannot start"
one_error_line "with-gpg-agent: gpgconf --launch gpg-agent failed (exit 1)"
check "no agent was left behind" [ "$(count_agents "$A")" = 2 ]

# ---- a killed agent leaves a dead socket: it is not believed, a new agent is started ----
kill -KILL "$PID_A"
wait_for 10 ended "$PID_A"
check "the killed agent's socket file stays" test -S "$SOCK_A"
run as_user "$A" GPG_AGENT_INFO="$SOCK_A:$PID_A:1" $WGA sh -c "$SHOW" </dev/null
expect_status 0 "after the agent was killed"
INFO=$(var INFO)
NEW_A=${INFO#"$SOCK_A":}
NEW_A=${NEW_A%:1}
track_pid "$NEW_A"
check "a new agent replaced the dead one ($INFO)" [ "$NEW_A" != "$PID_A" ] && [ "$(proc_comm "$NEW_A")" = gpg-agent ]

# ---- B: GnuPG not installed -> a warning and the command runs without the variables ----
run as_user "$B" PATH="$T/nognupg" $WGA sh -c "$SHOW" </dev/null
expect_status 0 "gpg-agent not installed: the command still runs"
one_error_line "with-gpg-agent: gpg-agent is not installed"
check "without GPG_AGENT_INFO" [ "$(var INFO)" = unset ]
run as_user "$B" PATH="$T/nognupg" $WGA -q sh -c "$SHOW" </dev/null
check "-q silences that warning" [ ! -s "$T/err" ]
check "$B has no agent yet" [ "$(count_agents "$B")" = 0 ]

# ---- B: another user's agents run; B's own is started, with gpg-agent --daemon when gpgconf is missing ----
check "$A's agents are running" [ "$(count_agents "$A")" -ge 2 ]
run as_user "$B" PATH="$T/nogpgconf" $WGA sh -c "$SHOW" </dev/null
expect_status 0 "$B without gpgconf"
INFO=$(var INFO)
PID_B=${INFO%:1}
PID_B=${PID_B##*:}
track_pid "$PID_B"
check "$B never gets $A's agent ($INFO)" not_among "$PID_B" $(agents_of "$A")
check "$B's agent is $B's" [ "$(proc_uid "$PID_B")" = "$UB" ] && [ "$(proc_comm "$PID_B")" = gpg-agent ]
SOCK_B=$(as_user "$B" gpgconf --list-dirs agent-socket)
check "gpgconf puts $B's socket in /run/user/$UB ($SOCK_B)" [ "$SOCK_B" = "$RUNDIR_B/gnupg/S.gpg-agent" ]
check "gpg-agent --daemon used the same socket" [ "$INFO" = "$SOCK_B:$PID_B:1" ]
run as_user "$B" $WGA sh -c "$SHOW; gpg-connect-agent 'GETINFO pid' /bye" </dev/null
check "with gpgconf the same agent is found" [ "$(var INFO)" = "$SOCK_B:$PID_B:1" ]
check "gpg-connect-agent inside reports it" grep -qx "D $PID_B" "$T/out"
check "one agent of $B" [ "$(count_agents "$B")" = 1 ]
check "SSH_AUTH_SOCK in /run/user too" [ "$(var SSH)" = "$RUNDIR_B/gnupg/S.gpg-agent.ssh" ]

# ---- B: a non-default GNUPGHOME under /run/user: the d.HASH directory ----
as_user "$B" mkdir -m 700 "$HB/alt"
SOCK_ALT=$(as_user "$B" GNUPGHOME="$HB/alt" gpgconf --list-dirs agent-socket)
run as_user "$B" GNUPGHOME="$HB/alt" $WGA sh -c "$SHOW; gpg-connect-agent 'GETINFO pid' /bye" </dev/null
INFO=$(var INFO)
PID_ALT=${INFO%:1}
PID_ALT=${PID_ALT##*:}
track_pid "$PID_ALT"
check "the d.HASH socket of GNUPGHOME ($SOCK_ALT)" sh -c "echo '$SOCK_ALT' | grep -q '^$RUNDIR_B/gnupg/d\\..*/S.gpg-agent\$'"
check "GPG_AGENT_INFO names it" [ "$INFO" = "$SOCK_ALT:$PID_ALT:1" ]
check "gpg-connect-agent inside reports that agent" grep -qx "D $PID_ALT" "$T/out"
check "two agents of $B" [ "$(count_agents "$B")" = 2 ]

# ---- new accounts (no ~/.gnupg): it is made, 700 and the user's, as gpg makes it, then the agent is started ----
NEW_START=$(date +%s)
check "$C and $D never ran gpg: no ~/.gnupg" sh -c "[ ! -e '$HC/.gnupg' ] && [ ! -e '$HD/.gnupg' ]"
run as_user "$C" $WGA --no-start sh -c 'echo ran' </dev/null
expect_status 1 "--no-start without an agent"
one_error_line "with-gpg-agent: no gpg-agent of yours runs (--no-start: none is started)"
check "--no-start: the command did not run" [ ! -s "$T/out" ]
check "--no-start: no agent of $C was started" [ "$(count_agents "$C")" = 0 ]
check "--no-start: no ~/.gnupg was made" [ ! -e "$HC/.gnupg" ]
run as_user "$C" $WGA --no-start --print </dev/null
expect_status 1 "--no-start --print without an agent"
check "--no-start --print: nothing printed" [ ! -s "$T/out" ]
check "--no-start --print: no agent started" [ "$(count_agents "$C")" = 0 ]

run as_user "$C" $WGA --print </dev/null
expect_status 0 "a new account: --print"
INFO=$(sed -n "s/^export GPG_AGENT_INFO='\(.*\)'\$/\1/p" "$T/out")
PID_C=${INFO%:1}
PID_C=${PID_C##*:}
track_pid "$PID_C"
check "--print exports the agent started, its sockets in ~/.gnupg ($INFO)" [ "$INFO" = "$HC/.gnupg/S.gpg-agent:$PID_C:1" ]
check "~/.gnupg was made: a directory, mode 700, of $C" [ "$(stat -c '%F %a %u' "$HC/.gnupg")" = "directory 700 $UC" ]
check "the agent is a gpg-agent of $C" [ "$(proc_comm "$PID_C") $(proc_uid "$PID_C")" = "gpg-agent $UC" ]
check "and it answers" [ "$(as_user "$C" gpg-connect-agent 'GETINFO pid' /bye | sed -n 's/^D //p')" = "$PID_C" ]
check "one agent of $C" [ "$(count_agents "$C")" = 1 ]
run as_user "$C" $WGA --no-start sh -c "$SHOW" </dev/null
expect_status 0 "--no-start with an agent running"
check "--no-start hands out that agent" [ "$(var INFO)" = "$HC/.gnupg/S.gpg-agent:$PID_C:1" ]
check "--no-start started no other" [ "$(count_agents "$C")" = 1 ]

run as_user "$D" $WGA sh -c "$SHOW; gpg-connect-agent 'GETINFO pid' /bye" </dev/null
expect_status 0 "a new account with /run/user/$UD: the command runs"
INFO=$(var INFO)
PID_D=${INFO%:1}
PID_D=${PID_D##*:}
track_pid "$PID_D"
check "its sockets in /run/user/$UD/gnupg ($INFO)" [ "$INFO" = "$RUNDIR_D/gnupg/S.gpg-agent:$PID_D:1" ]
check "~/.gnupg was made: a directory, mode 700, of $D" [ "$(stat -c '%F %a %u' "$HD/.gnupg")" = "directory 700 $UD" ]
check "GnuPG made /run/user/$UD/gnupg itself, 700 and $D's" [ "$(stat -c '%a %u' "$RUNDIR_D/gnupg")" = "700 $UD" ]
check "the agent answers inside the command" grep -qx "D $PID_D" "$T/out"
check "no warning on stderr" [ ! -s "$T/err" ]

# a GNUPGHOME that is a symbolic link, another user's directory, or one others may write to: refused, and
# nothing is made there, nor where a link leads
mkdir -m 1777 "$T/shared"
as_user "$B" ln -s "$HC/target" "$T/shared/link-of-b"
run as_user "$C" GNUPGHOME="$T/shared/link-of-b" $WGA true </dev/null
expect_status 125 "GNUPGHOME a symbolic link of another user's"
one_error_line "with-gpg-agent: refusing GnuPG's home directory $T/shared/link-of-b: a symbolic link, not followed"
check "nothing was made where it leads" sh -c "[ ! -e '$HC/target' ] && [ ! -L '$HC/target' ]"
as_user "$C" mkdir -m 700 "$HC/real"
as_user "$C" ln -s "$HC/real" "$HC/link"
run as_user "$C" GNUPGHOME="$HC/link" $WGA --print </dev/null
expect_status 125 "GNUPGHOME a symbolic link of $C's own"
check "nothing was made in the directory it leads to" [ -z "$(ls -A "$HC/real")" ]
as_user "$B" mkdir -m 755 "$T/shared/dir-of-b"
run as_user "$C" GNUPGHOME="$T/shared/dir-of-b" $WGA true </dev/null
expect_status 125 "GNUPGHOME a directory of another user's"
one_error_line "with-gpg-agent: refusing GnuPG's home directory $T/shared/dir-of-b: it belongs to another user"
check "nothing was made in it" [ -z "$(ls -A "$T/shared/dir-of-b")" ]
as_user "$C" mkdir "$HC/open-home"
chmod 777 "$HC/open-home"
run as_user "$C" GNUPGHOME="$HC/open-home" $WGA true </dev/null
expect_status 125 "GNUPGHOME writable by everyone"
one_error_line "with-gpg-agent: refusing GnuPG's home directory $HC/open-home: others may write to it"
check "nothing was made in it" [ -z "$(ls -A "$HC/open-home")" ]
check "no agent of $C was started for any of them" [ "$(count_agents "$C")" = 1 ]
# root with a user's directories as GNUPGHOME or HOME (sudo keeping the environment): refused at once
ROOT_AGENTS=$(pgrep -x -U 0 gpg-agent)
run env -i HOME="$HC" PATH="$STD_PATH" GNUPGHOME="$HC/.gnupg" $WGA -t 2 true </dev/null
expect_status 125 "root with $C's ~/.gnupg as GNUPGHOME"
one_error_line "with-gpg-agent: refusing GnuPG's home directory $HC/.gnupg: it belongs to another user"
check "root made nothing in $C's ~/.gnupg" [ -z "$(find "$HC/.gnupg" -user 0)" ]
as_user "$C" rm -r "$HC/.gnupg"
run env -i HOME="$HC" PATH="$STD_PATH" $WGA -t 2 true </dev/null
expect_status 125 "root with $C's home as HOME, no ~/.gnupg in it"
one_error_line "with-gpg-agent: cannot make GnuPG's home directory $HC/.gnupg: the directory it would go in belongs to another user"
check "root made no ~/.gnupg in $C's home" [ ! -e "$HC/.gnupg" ]
NEW_ROOT=""
for p in $(pgrep -x -U 0 gpg-agent); do not_among "$p" $ROOT_AGENTS && NEW_ROOT="$NEW_ROOT $p"; done
check "no agent of root's was started (${NEW_ROOT:-none})" [ -z "$NEW_ROOT" ]
for p in $NEW_ROOT; do kill -TERM "$p"; done
echo "  (the new-account cases took $(($(date +%s) - NEW_START)) s)"

# ---- root may read every agent's fds: its own agent is found from /proc, nobody else's ----
RG="$T/root-gnupg"
mkdir -m 700 "$RG"
SOCK_R=$(env -i HOME="${HOME:-/root}" PATH="$STD_PATH" GNUPGHOME="$RG" gpgconf --list-dirs agent-socket)
run env -i HOME="${HOME:-/root}" PATH="$STD_PATH" GNUPGHOME="$RG" $WGA sh -c "$SHOW; gpg-connect-agent 'GETINFO pid' /bye" </dev/null
expect_status 0 "root with its own GNUPGHOME"
INFO=$(var INFO)
PID_R=${INFO%:1}
PID_R=${PID_R##*:}
track_pid "$PID_R"
check "root's agent in GPG_AGENT_INFO ($INFO)" [ "$INFO" = "$SOCK_R:$PID_R:1" ]
check "a gpg-agent of root" [ "$(proc_uid "$PID_R")" = 0 ] && [ "$(proc_comm "$PID_R")" = gpg-agent ]
check "gpg-connect-agent inside reports it" grep -qx "D $PID_R" "$T/out"
run env -i HOME="${HOME:-/root}" PATH="$STD_PATH" GNUPGHOME="$RG" $WGA -v true </dev/null
check "root finds it from its fds, named by the kernel (sock_diag)" \
	grep -q "gpg-agent $PID_R holds socket $SOCK_R, ssh socket ${SOCK_R%/*}/S.gpg-agent.ssh (from /proc and the kernel's socket table)" "$T/err"
# a saved tree has only net/unix to name the sockets: the same agent, found through the text
mkdir -p "$T/saved/net" "$T/saved/$PID_R"
cp /proc/net/unix "$T/saved/net/unix"
for f in stat status cmdline; do cp "/proc/$PID_R/$f" "$T/saved/$PID_R/$f"; done
ln -s "$(readlink "/proc/$PID_R/exe")" "$T/saved/$PID_R/exe"
ln -s "/proc/$PID_R/fd" "$T/saved/$PID_R/fd"
run env -i HOME="${HOME:-/root}" PATH="$STD_PATH" GNUPGHOME="$RG" PROCBOX_PROC="$T/saved" $WGA -v --print </dev/null
check "in a saved tree it is found through net/unix" \
	grep -q "gpg-agent $PID_R holds socket $SOCK_R, ssh socket ${SOCK_R%/*}/S.gpg-agent.ssh (from $T/saved/net/unix)" "$T/err"
check "and handed out (--print)" grep -qx "export GPG_AGENT_INFO='$SOCK_R:$PID_R:1'" "$T/out"
OTHERS=0
for p in $(agents_of "$A") $(agents_of "$B"); do
	grep -q "gpg-agent $p " "$T/err" && OTHERS=$((OTHERS + 1))
done
check "root never looks at the test users' agents ($OTHERS)" [ "$OTHERS" = 0 ]
kill -TERM "$PID_R"
check "root's agent ended" wait_for 10 ended "$PID_R"

# ---- every agent the tests started ends, by PID ----
ALL="$(agents_of "$A") $(agents_of "$B")"
for p in $ALL; do kill -TERM "$p"; done
gone() { for p in $ALL; do ended "$p" || return 1; done; return 0; }
check "every agent the tests started has ended" wait_for 10 gone
kill "$LISTENER" "$FAKE_PID" 2>/dev/null
remove_users
check "the test users are gone" sh -c "! id '$A' >/dev/null 2>&1 && ! id '$B' >/dev/null 2>&1"

finish
