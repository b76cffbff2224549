#!/bin/sh
# Attacks on the GUI session finder run by a hostile local user against root's with-gui-environment and
# notify-send-headless: carriers of the victim's display outnumbering the victim's (its X server run as the
# victim, then as root), what root hands a command it runs as another user (environment, descriptors,
# terminal session, privileges, umask), foreign bus transports, two real sessions, a cluster of options.
. "$(dirname "$0")/lib.sh"

WGE="$PB with-gui-environment"
NSH="$PB notify-send-headless"

if [ "$(id -u)" != 0 ]; then
	skip "the attacks need two throw-away accounts and root: run as root"
	finish
	exit
fi
for tool in Xvfb xauth mcookie dbus-daemon setpriv useradd; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		skip "$tool is not installed (make deps installs it)"
		finish
		exit
	fi
done

VIC=pbvic$$
ATK=pbatk$$
test_user "$VIC" || { not_ok "useradd $VIC"; finish; exit; }
test_user "$ATK" || { not_ok "useradd $ATK"; finish; exit; }
VUID=$(id -u "$VIC") VGID=$(id -g "$VIC") VHOME=$T/home-$VIC
AUID=$(id -u "$ATK") AGID=$(id -g "$ATK") AHOME=$T/home-$ATK
# prefixes (not run_as) for what runs in the background: $! is then the process itself
AS_VIC="setpriv --reuid=$VUID --regid=$VGID --init-groups"
AS_ATK="setpriv --reuid=$AUID --regid=$AGID --init-groups"

# bg CMD...: in the background, its pid tracked (the users' own processes also end with their accounts)
bg() {
	"$@" >>"$T/daemons.log" 2>&1 &
	track $!
}

# the X servers end with SIGTERM first, which removes their lock files and sockets from /tmp
XSERVERS=""
stop_xservers() {
	for p in $XSERVERS; do kill -TERM "$p" 2>/dev/null; done
	for p in $XSERVERS; do wait_for 5 sh -c "! kill -0 $p 2>/dev/null"; done
	cleanup
}
trap stop_xservers EXIT

# marked N MARK: N live processes carry PBMARK=MARK (they have exec'ed: the environment is the final one)
marked() {
	[ "$(grep -lzx "PBMARK=$2" /proc/[0-9]*/environ 2>/dev/null | wc -l)" -ge "$1" ]
}

# carriers PREFIX N MARK VAR=VALUE...: N sleeps started through PREFIX with exactly these variables
carriers() {
	c_prefix=$1 c_n=$2 c_mark=$3
	shift 3
	c_i=0
	while [ $c_i -lt "$c_n" ]; do
		bg $c_prefix env -i PBMARK="$c_mark" "$@" sleep 600
		c_i=$((c_i + 1))
	done
	wait_for 10 marked "$c_n" "$c_mark" || not_ok "the $c_n carriers $c_mark did not start"
}

# free_display: the first display from :170 up without a lock file or a socket
free_display() {
	fd_n=170
	while [ -e "/tmp/.X$fd_n-lock" ] || [ -e "/tmp/.X11-unix/X$fd_n" ]; do fd_n=$((fd_n + 1)); done
	echo "$fd_n"
}

# xserver PREFIX N AUTHFILE: Xvfb on :N through PREFIX (empty: as root); 0 once its socket exists
xserver() {
	bg $1 Xvfb ":$2" -nolisten tcp -auth "$3" -screen 0 640x480x24
	xs_pid=$!
	XSERVERS="$XSERVERS $xs_pid"
	wait_for 20 sh -c "[ -S /tmp/.X11-unix/X$2 ] || ! kill -0 $xs_pid 2>/dev/null" && kill -0 "$xs_pid" 2>/dev/null
}

# cookie_file FILE N OWNER: an Xauthority file with a fresh cookie for :N, owned by OWNER, mode 600
cookie_file() {
	xauth -q -f "$1" add ":$2" . "$(mcookie)" 2>/dev/null
	chown "$3:" "$1"
	chmod 600 "$1"
}

# ---- the victim's session: an X server of its own, a session bus, 5 processes carrying its values ----
VD=$(free_display)
cookie_file "$VHOME/.Xauthority" "$VD" "$VIC"
if ! xserver "$AS_VIC" "$VD" "$VHOME/.Xauthority"; then
	not_ok "Xvfb :$VD as $VIC did not start: $(tail -n 3 "$T/daemons.log")"
	finish
	exit
fi
VRUN=$T/run-$VIC
install -d -m 700 -o "$VIC" -g "$VGID" "$VRUN"
VBUS=unix:path=$VRUN/bus
# a session bus without service directories, so nothing is activated behind the test's back
cat >"$T/session.conf" <<-'EOF'
	<!DOCTYPE busconfig PUBLIC "-//freedesktop//DTD D-Bus Bus Configuration 1.0//EN"
	 "http://www.freedesktop.org/standards/dbus/1.0/busconfig.dtd">
	<busconfig>
	  <type>session</type>
	  <listen>unix:tmpdir=/tmp</listen>
	  <auth>EXTERNAL</auth>
	  <policy context="default"><allow send_destination="*"/><allow own="*"/></policy>
	</busconfig>
EOF
# the fake notify-send of the victim's PATH: it writes down the arguments it was given
mkdir -m 755 "$T/fakebin"
mkdir -m 1777 "$T/ns"
printf '#!/bin/sh\nprintf "%%s\\n" "$#" "$@" >%s/ns/args\n' "$T" >"$T/fakebin/notify-send"
chmod 755 "$T/fakebin/notify-send"
VENV="PATH=$T/fakebin:/usr/bin:/bin HOME=$VHOME LANG=C.UTF-8 DISPLAY=:$VD XAUTHORITY=$VHOME/.Xauthority
XDG_RUNTIME_DIR=$VRUN DBUS_SESSION_BUS_ADDRESS=$VBUS"
bg $AS_VIC env -i PBMARK=vic $VENV dbus-daemon --config-file="$T/session.conf" --nofork --nopidfile --address="$VBUS"
wait_for 20 test -S "$VRUN/bus" || not_ok "the victim's dbus-daemon did not create $VRUN/bus"
carriers "$AS_VIC" 4 vic $VENV

# ---- the hijack: 12 processes of the attacker carry the victim's DISPLAY ----
carriers "$AS_ATK" 12 atk-vd DISPLAY=:"$VD"
run env -i PATH=/usr/bin:/bin $WGE -v id -u
check "12 carriers of the attacker do not outvote the victim's 5: ran as uid $(cat "$T/out") (victim $VUID, attacker $AUID)" \
	[ "$(cat "$T/out")" = "$VUID" ]
check "-v: the attacker's carriers of the victim's display are rejected, not counted" \
	grep -q "rejected (its display belongs to uid $VUID ($VIC)): uid $AUID ($ATK), 12 processes.*DISPLAY=:$VD" "$T/err"
run env -i PATH=/usr/bin:/bin $WGE --user "$ATK" id -u
expect_status 125 "--user ATTACKER: the attacker has no session of its own (ran as: $(cat "$T/out"))"
check "nothing ran as the attacker" [ ! -s "$T/out" ]
run env -i PATH=/usr/bin:/bin $WGE --user "$ATK" --print-env
expect_status 1 "--print-env --user ATTACKER: nothing printed for the victim's display"

# ---- what the command gets from root ----
echo "root's secret" >"$T/rootfile"
chmod 600 "$T/rootfile"
run env -i PATH=/usr/bin:/bin SECRET_TOKEN=pbsecret$$ LD_LIBRARY_PATH=/pbgui TERM=xterm $WGE --user "$VIC" \
	cat /proc/self/environ
tr '\0' '\n' <"$T/out" >"$T/environ"
check "root's SECRET_TOKEN is not in the command's /proc/PID/environ" sh -c "! grep -q pbsecret$$ '$T/environ'"
check "nothing of root's environment (LD_LIBRARY_PATH, TERM) is passed on" \
	sh -c "! grep -Eq '^(LD_LIBRARY_PATH|TERM)=' '$T/environ'"
check "only the documented variables: $(cut -d= -f1 "$T/environ" | tr '\n' ' ')" sh -c "! grep -Evq \
	'^(DISPLAY|WAYLAND_DISPLAY|XAUTHORITY|XDG_RUNTIME_DIR|DBUS_SESSION_BUS_ADDRESS|HOME|USER|LOGNAME|SHELL|PATH|LANG|LC_[A-Z_]*)=' '$T/environ'"
check "PATH and LANG are the session's, HOME and SHELL the user's" sh -c "grep -qx 'PATH=$T/fakebin:/usr/bin:/bin' '$T/environ' &&
	grep -qx LANG=C.UTF-8 '$T/environ' && grep -qx 'HOME=$VHOME' '$T/environ' && grep -qx SHELL=/bin/sh '$T/environ'"

exec 7<"$T/rootfile"
run env -i PATH=/usr/bin:/bin $WGE --user "$VIC" sh -c 'for fd in 3 4 5 6 7 8 9; do readlink /proc/$$/fd/$fd; done; true'
exec 7<&-
check "no descriptor of root's beyond 2 reaches the command (open: $(tr '\n' ' ' <"$T/out"))" [ ! -s "$T/out" ]

run env -i PATH=/usr/bin:/bin $WGE --user "$VIC" sh -c 'echo $$; cut -d" " -f6,7 /proc/$$/stat'
read -r cmd_pid <"$T/out"
cmd_sid=$(sed -n 2p "$T/out" | cut -d' ' -f1)
cmd_tty=$(sed -n 2p "$T/out" | cut -d' ' -f2)
our_sid=$(cut -d' ' -f6 /proc/$$/stat)
check "the command leads a session of its own (sid $cmd_sid, pid $cmd_pid, root's sid $our_sid)" \
	[ "$cmd_sid" = "$cmd_pid" ] && [ "$cmd_sid" != "$our_sid" ]
check "and has no controlling terminal (tty_nr $cmd_tty)" [ "$cmd_tty" = 0 ]
# with a terminal of root's: the command must not share it (script(1) gives the call one)
if command -v script >/dev/null 2>&1; then
	script -qec "env -i PATH=/usr/bin:/bin $WGE --user $VIC sh -c 'cut -d\" \" -f7 /proc/\$\$/stat; tty || true'" \
		/dev/null </dev/null >"$T/tty.out" 2>&1
	check "from root's terminal: no controlling terminal ($(tr -d '\r' <"$T/tty.out" | tr '\n' ' '))" \
		sh -c "tr -d '\r' <'$T/tty.out' | head -n 1 | grep -qx 0"
fi

run env -i PATH=/usr/bin:/bin $WGE --user "$VIC" grep NoNewPrivs /proc/self/status
check "NoNewPrivs: 1 in the command's status ($(cat "$T/out"))" grep -qx 'NoNewPrivs:	1' "$T/out"
run sh -c "umask 077; exec env -i PATH=/usr/bin:/bin $WGE --user $VIC sh -c umask"
check "umask 022, not root's 077 ($(cat "$T/out"))" grep -qx 0*22 "$T/out"
run env -i PATH=/usr/bin:/bin $WGE --user "$VIC" cat /proc/self/status
check "the switch of user took: real, effective, saved and fs uid are the victim's" \
	grep -qx "Uid:	$VUID	$VUID	$VUID	$VUID" "$T/out"

# ---- buses the user names: only unix sockets of that user ----
carriers "$AS_VIC" 7 vic-tcp PATH=/usr/bin:/bin DISPLAY=:"$VD" XAUTHORITY="$VHOME/.Xauthority" XDG_RUNTIME_DIR="$VRUN" \
	DBUS_SESSION_BUS_ADDRESS=tcp:host=127.0.0.1,port=9
run env -i PATH=/usr/bin:/bin $WGE --user "$VIC" --print-env
check "a tcp: bus address is not usable: not printed ($(grep DBUS "$T/out"))" sh -c "! grep -q 'tcp:' '$T/out'"
check "the session with a unix bus of the user's is used instead" grep -qx "export DBUS_SESSION_BUS_ADDRESS='$VBUS'" "$T/out"
run env -i PATH=/usr/bin:/bin $WGE --user "$VIC" sh -c 'echo "$DBUS_SESSION_BUS_ADDRESS"'
check "nor handed to the command ($(cat "$T/out"))" [ "$(cat "$T/out")" = "$VBUS" ]
for p in $(grep -lzx PBMARK=vic-tcp /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3); do kill "$p"; done
carriers "$AS_VIC" 7 vic-list PATH=/usr/bin:/bin DISPLAY=:"$VD" XAUTHORITY="$VHOME/.Xauthority" XDG_RUNTIME_DIR="$VRUN" \
	"DBUS_SESSION_BUS_ADDRESS=tcp:host=127.0.0.1,port=9;unix:tmpdir=/tmp;$VBUS,guid=0123456789abcdef0123456789abcdef"
run env -i PATH=/usr/bin:/bin $WGE --user "$VIC" --print-env
check "of an address list only the checked unix entry is printed ($(grep DBUS "$T/out"))" \
	grep -qx "export DBUS_SESSION_BUS_ADDRESS='$VBUS,guid=0123456789abcdef0123456789abcdef'" "$T/out"
for p in $(grep -lzx PBMARK=vic-list /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3); do kill "$p"; done
wait_for 5 sh -c "! grep -lzqx PBMARK=vic-list /proc/[0-9]*/environ 2>/dev/null"

# ---- an X server of root's (a display manager's Xorg): the user's Xauthority must be accepted by it ----
RD=$(free_display)
cookie_file "$T/xauth.root" "$RD" root
if xserver "" "$RD" "$T/xauth.root"; then
	cp "$T/xauth.root" "$VHOME/.Xauthority-$RD"
	chown "$VIC:" "$VHOME/.Xauthority-$RD"
	carriers "$AS_VIC" 6 vic-rd PATH=/usr/bin:/bin DISPLAY=:"$RD" XAUTHORITY="$VHOME/.Xauthority-$RD" \
		XDG_RUNTIME_DIR="$VRUN" DBUS_SESSION_BUS_ADDRESS="$VBUS"
	# the attacker: a cookie of its own, a bus of its own, and a second group naming the victim's file
	cookie_file "$AHOME/.Xauthority" "$RD" "$ATK"
	ARUN=$T/run-$ATK
	install -d -m 700 -o "$ATK" -g "$AGID" "$ARUN"
	bg $AS_ATK env -i PBMARK=atk-bus dbus-daemon --config-file="$T/session.conf" --nofork --nopidfile \
		--address="unix:path=$ARUN/bus"
	wait_for 20 test -S "$ARUN/bus"
	carriers "$AS_ATK" 12 atk-rd PATH=/usr/bin:/bin DISPLAY=:"$RD" XAUTHORITY="$AHOME/.Xauthority" \
		XDG_RUNTIME_DIR="$ARUN" DBUS_SESSION_BUS_ADDRESS="unix:path=$ARUN/bus"
	carriers "$AS_ATK" 12 atk-rd2 PATH=/usr/bin:/bin DISPLAY=:"$RD" XAUTHORITY="$VHOME/.Xauthority-$RD"
	run env -i PATH=/usr/bin:/bin $WGE -v --user "$ATK" --print-env
	expect_status 1 "root's X server: the attacker's own Xauthority and bus do not vouch for its claim on :$RD"
	check "nothing printed for the attacker" [ ! -s "$T/out" ]
	run env -i PATH=/usr/bin:/bin $WGE -v id -u
	check "root's X server: 24 carriers of the attacker do not outvote the victim's 6 (ran as $(cat "$T/out"))" \
		[ "$(cat "$T/out")" = "$VUID" ]
	run env -i PATH=/usr/bin:/bin $WGE --user "$VIC" --print-env
	check "root's X server: the victim's Xauthority, accepted by the server, vouches for :$RD" \
		grep -qx "export DISPLAY=':$RD'" "$T/out"
	for p in $(grep -lzE '^PBMARK=(vic-rd|atk-rd|atk-rd2)$' /proc/[0-9]*/environ 2>/dev/null | cut -d/ -f3); do
		kill "$p"
	done
	wait_for 5 sh -c "! grep -lzqE '^PBMARK=(vic-rd|atk-rd2?)\$' /proc/[0-9]*/environ 2>/dev/null"
else
	not_ok "Xvfb :$RD as root did not start: $(tail -n 3 "$T/daemons.log")"
fi

# ---- notify-send-headless: a cluster of 40 short options, one argument each ----
EEEE=-eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee
rm -f "$T/ns/args"
run env -i PATH="$T/fakebin:/usr/bin:/bin" $NSH --user "$VIC" $EEEE "summary $$"
expect_status 0 "notify-send-headless -e x40 (stderr: $(head -c 200 "$T/err"))"
{
	echo 41
	i=0
	while [ $i -lt 40 ]; do echo --transient; i=$((i + 1)); done
	echo "summary $$"
} >"$T/ns.want"
check "notify-send got 40 --transient and the summary" cmp -s "$T/ns.want" "$T/ns/args"
rm -f "$T/ns/args"
run env -i PATH="$T/fakebin:/usr/bin:/bin" $NSH --user "$VIC" -ewu critical -ea app -- "-dash $$"
expect_status 0 "clusters with arguments: -ewu critical -ea app"
printf '%s\n' 7 --transient --wait --urgency=critical --transient --app-name=app -- "-dash $$" >"$T/ns.want"
check "each letter of a cluster became one argument, in order" cmp -s "$T/ns.want" "$T/ns/args"

# ---- two real sessions: the attacker runs an X server of its own ----
AD=$(free_display)
cookie_file "$AHOME/.Xauthority-own" "$AD" "$ATK"
if xserver "$AS_ATK" "$AD" "$AHOME/.Xauthority-own"; then
	# the attacker's session puts a program of its own first on its PATH, named like the one root asks for
	mkdir -p "$AHOME/evil"
	printf '#!/bin/sh\necho pwned-by-path\ntouch %s/evil.ran\n' "$T" >"$AHOME/evil/id"
	chmod 755 "$AHOME/evil" "$AHOME/evil/id"
	chown -R "$ATK" "$AHOME/evil"
	carriers "$AS_ATK" 2 atk-own PATH="$AHOME/evil:/usr/bin:/bin" DISPLAY=:"$AD" XAUTHORITY="$AHOME/.Xauthority-own"
	run env -i PATH=/usr/bin:/bin $WGE id -u
	expect_status 1 "two users with a session, no --user: refused"
	check "nothing ran (got: $(cat "$T/out"))" [ ! -s "$T/out" ]
	check "the refusal names both users and asks for -u: $(cat "$T/err")" \
		sh -c "grep -q '$VIC' '$T/err' && grep -q '$ATK' '$T/err' && grep -q -- '-u' '$T/err'"
	run env -i PATH=/usr/bin:/bin $WGE --print-env
	expect_status 1 "--print-env with two users' sessions: refused"
	run env -i PATH="$T/fakebin:/usr/bin:/bin" $NSH "two $$"
	expect_status 1 "notify-send-headless with two users' sessions: refused"
	check "and asks for --user" grep -q -- '--user' "$T/err"
	run env -i PATH=/usr/bin:/bin $WGE --user "$VIC" id -u
	check "--user VICTIM chooses" [ "$(cat "$T/out")" = "$VUID" ]
	run env -i PATH=/usr/bin:/bin $WGE --user "$ATK" sh -c '/usr/bin/id -u; echo $DISPLAY'
	check "--user ATTACKER gets the attacker's own display only" [ "$(tr '\n' ' ' <"$T/out")" = "$AUID :$AD " ]
	# root chose "id": found on root's PATH, not on the one the user's session sets (sudo's rule); the session's
	# PATH is still the command's own, for what it runs next
	run env -i PATH=/usr/bin:/bin $WGE --user "$ATK" id -u
	check "the command is found on root's PATH, not the session's: $(cat "$T/out")" [ "$(cat "$T/out")" = "$AUID" ]
	check "the user's program of that name did not run with root's descriptors" [ ! -e "$T/evil.ran" ]
	run env -i PATH=/usr/bin:/bin $WGE --user "$ATK" sh -c 'echo "$PATH"'
	check "the session's PATH is the command's environment" [ "$(cat "$T/out")" = "$AHOME/evil:/usr/bin:/bin" ]
else
	not_ok "Xvfb :$AD as $ATK did not start: $(tail -n 3 "$T/daemons.log")"
fi

finish
