#!/bin/sh
# with-gui-environment: a real session (Xvfb, session dbus-daemon, dunst) of a test user, found from an empty
# environment as root; the switch of user checked from inside; stale, decoy, Wayland and failure cases.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gui_session.include"

WGE="$PB with-gui-environment"

# usage errors need no session
run $WGE
expect_status 2 "no command"
one_error_line "with-gui-environment: no command given"
run $WGE --print-env true
expect_status 2 "--print-env with a command"
run $WGE --user no-such-user-pbgui true
expect_status 2 "an unknown user"
one_error_line "with-gui-environment: unknown user 'no-such-user-pbgui'"
run $WGE -x true
expect_status 2 "a bad option"
one_error_line "with-gui-environment: bad option '-x'"

# the fixture tree: the vote, reproducible on any machine; its files (logind's session records) stand in for /
FIX="$FIXTURES/gui" FIXFILES="$FIXTURES/gui-files"
PROCBOX_PROC="$FIX" PROCBOX_FILES="$FIXFILES" run $WGE --print-env
expect_status 1 "--print-env on the gui fixture tree: sessions of four users"
one_error_line "with-gui-environment: graphical sessions of 4 users found: .* (uid 1000), .* (uid 1003), .* (uid 1004), .* (uid 1005); name one with -u USER"
PROCBOX_PROC="$FIX" PROCBOX_FILES="$FIXFILES" run $WGE --print-env true
expect_status 2 "--print-env takes no command, even on a fixture"
PROCBOX_PROC="$FIX" PROCBOX_FILES="$FIXFILES" run $WGE -v --user 1000 --print-env
expect_status 0 "--print-env --user 1000 on the fixture"
check "the live session of 5 beats the stale one of 6" [ "$(cat "$T/out")" = "export DISPLAY=':0'" ]
check "-v names the winner and what vouches for it" grep -q \
	"^with-gui-environment: #1 chosen: uid 1000 .*5 processes, oldest pid 100: DISPLAY=:0; vouched for: logind's session record of the user names its display" "$T/err"
check "-v says why the stale session lost" \
	grep -q '#[0-9]* rejected (its DBUS_SESSION_BUS_ADDRESS names no socket that still exists): uid 1000 .*6 processes' "$T/err"
PROCBOX_PROC="$FIX" PROCBOX_FILES="$FIXFILES" run $WGE -v --print-env
check "-v: 8 processes of uid 1011 carrying alice's :0 are rejected, its closing logind record on :0 notwithstanding" \
	grep -q '#[0-9]* rejected (its display belongs to uid 1000 ([^)]*)): uid 1011 ([^)]*), 8 processes' "$T/err"
check "-v: a tcp: bus is no bus of the user's" \
	grep -q '#[0-9]* rejected (its DBUS_SESSION_BUS_ADDRESS names no unix socket of the user.s): uid 1002 ' "$T/err"
check "-v: a display manager's greeter is no session" grep -q "#[0-9]* rejected (a display manager's login screen): uid 1012 " "$T/err"
check "-v: a display without X server or logind record" grep -q '#[0-9]* rejected (no X server listens for its DISPLAY): uid 0 ' "$T/err"
check "-v: a Wayland display without its socket" grep -q '#[0-9]* rejected (no Wayland socket at XDG_RUNTIME_DIR/WAYLAND_DISPLAY): uid 1001 ' "$T/err"
check "-v: a DISPLAY that is no local display" grep -q '#[0-9]* rejected (its DISPLAY is not a local X display): uid 1006 ' "$T/err"
check "-v never prints raw control bytes" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$T/err'"
PROCBOX_PROC="$FIX" PROCBOX_FILES="$FIXFILES" run $WGE -v --user 1004 --print-env
check "a tie goes to the session whose oldest process started first" grep -qx "export DISPLAY=':40'" "$T/out"
check "-v explains the tie-break" grep -q '#2 lost (a tie, and its oldest process started later): uid 1004' "$T/err"
PROCBOX_PROC="$FIX" PROCBOX_FILES="$FIXFILES" run $WGE --user 1012 --print-env
check "the greeter's display when it is asked for by name" grep -qx "export DISPLAY=':20'" "$T/out"
PROCBOX_PROC="$FIX" run $WGE --user 1011 --print-env
expect_status 1 "PROCBOX_FILES only counts with it: without, nothing vouches for the fixture's displays"
PROCBOX_PROC="$FIX" PROCBOX_FILES="$FIXFILES" run $WGE --user 1010 --print-env
expect_status 1 "--print-env without a valid session"
one_error_line "with-gui-environment: no graphical session of user 1010 found: .*2 candidates rejected as stale or not the user's"
PROCBOX_PROC="$FIX" PROCBOX_FILES="$FIXFILES" run $WGE --user 1010 true
expect_status 125 "a command without a valid session"
PROCBOX_PROC=/nonexistent-pbgui run $WGE true
expect_status 125 "an unusable proc root"
one_error_line "with-gui-environment: cannot open the proc root /nonexistent-pbgui"

gui_session_up || { finish; exit; }

# as root from an empty environment: the session user's, with the session's values
run env -i $WGE id -u
expect_status 0 "env -i with-gui-environment id -u"
check "the command ran as the session user" [ "$(cat "$T/out")" = "$GUI_UID" ]
run env -i PATH=/usr/bin:/bin PBGUI_MARK=kept DISPLAY=:0 XDG_RUNTIME_DIR=/run/user/0 HOME=/root $WGE sh -c \
	'printf "%s\n" "$DISPLAY" "$XAUTHORITY" "$DBUS_SESSION_BUS_ADDRESS" "$XDG_RUNTIME_DIR" "$HOME" "$USER" "$LOGNAME" "$SHELL" "$PATH" "${PBGUI_MARK-unset}"'
printf "%s\n" "$GUI_DISPLAY" "$GUI_XAUTH" "$GUI_BUS" "$GUI_RUN" "$GUI_HOME" "$GUI_USER" "$GUI_USER" /bin/sh /usr/bin:/bin unset >"$T/want"
check "the session's variables and PATH, the user's HOME/USER/LOGNAME/SHELL, nothing of the caller's ($(tr '\n' ' ' <"$T/out"))" \
	cmp -s "$T/want" "$T/out"

# the switch of user, seen by the running command itself
run env -i $WGE cat /proc/self/status
grep -E '^(Uid|Gid|Groups|CapEff):' "$T/out" >"$T/creds"
check "real, effective, saved and fs uid are the user's" grep -qx "Uid:	$GUI_UID	$GUI_UID	$GUI_UID	$GUI_UID" "$T/creds"
check "all four gids are the user's" grep -qx "Gid:	$GUI_GID	$GUI_GID	$GUI_GID	$GUI_GID" "$T/creds"
want_groups=$(id -G "$GUI_USER" | tr ' ' '\n' | sort -n | tr '\n' ' ')
got_groups=$(sed -n 's/^Groups:[[:space:]]*//p' "$T/creds" | tr ' \t' '\n\n' | grep . | sort -n | tr '\n' ' ')
check "supplementary groups are exactly the user's ($got_groups), root's are gone" [ "$got_groups" = "$want_groups" ]
check "the extra group $GUI_GROUP is among them" sh -c "echo ' $got_groups' | grep -q ' $(getent group "$GUI_GROUP" | cut -d: -f3) '"
check "no capabilities left" grep -qx "CapEff:	0000000000000000" "$T/creds"
run env -i $WGE cat /etc/shadow
expect_status 1 "root's files are closed to the command"

# exit status and signals pass through; 126 and 127
run env -i $WGE sh -c 'exit 7'
expect_status 7 "exit 7 passes through"
run env -i $WGE sh -c 'kill -TERM $$'
expect_status 143 "death by SIGTERM passes through (the shell sees 128+15)"
run env -i $WGE no-such-command-pbgui
expect_status 127 "command not found"
one_error_line "with-gui-environment: cannot run no-such-command-pbgui"
printf 'echo hi\n' >"$T/not-executable"
chmod 644 "$T/not-executable"
run env -i $WGE "$T/not-executable"
expect_status 126 "command not executable"

# options end at the first non-option; -- works
run env -i $WGE sh -c 'printf "%s\n" "$@"' sh --auto -v --print-env
check "xrandr --auto style: options after the command are the command's" \
	[ "$(tr '\n' ' ' <"$T/out")" = "--auto -v --print-env " ]
run env -i $WGE -- sh -c 'echo "$1"' sh --auto
check "-- ends our options" [ "$(cat "$T/out")" = "--auto" ]

# --print-env and -v
run env -i $WGE --print-env
expect_status 0 "--print-env"
check "--print-env lines are exports" sh -c "grep -v \"^export [A-Z_]*='\" '$T/out' | wc -l | grep -qx 0"
check "--print-env evaluates to the session" \
	sh -c "eval \"\$(cat '$T/out')\" && [ \"\$DISPLAY\" = '$GUI_DISPLAY' ] && [ \"\$DBUS_SESSION_BUS_ADDRESS\" = '$GUI_BUS' ] && [ \"\$XAUTHORITY\" = '$GUI_XAUTH' ]"
run env -i $WGE -v true
check "-v: the session of 5 processes is chosen" grep -q "#1 chosen: uid $GUI_UID ($GUI_USER), 5 processes" "$T/err"
check "-v: the decoy's carriers of the user's display are rejected" \
	grep -q "#2 rejected (its display belongs to uid $GUI_UID ($GUI_USER)): uid $GUI_DECOY_UID ($GUI_DECOY), 2 processes" "$T/err"
check "-v: what vouches for the session" grep -q "#1 chosen: .*; vouched for: its X server runs as the user" "$T/err"
check "-v: the switch is reported" grep -q "running as $GUI_USER (uid $GUI_UID, gid $GUI_GID, 2 groups)" "$T/err"

# --user restricts the vote: the decoy has no session of its own, only the user's display
run env -i $WGE --user "$GUI_DECOY" id -u
expect_status 125 "--user DECOY: carrying another user's display is no session"
check "nothing ran as the decoy" [ ! -s "$T/out" ]

# a session without XDG_RUNTIME_DIR (6 processes: it wins), with an XAUTHORITY whose name holds a quote, a
# newline and a byte that is not UTF-8: the user's /run/user/UID when it is the user's, never root's; and the
# values round-trip through --print-env and eval
WEIRD=$(printf "$T/x'q\\nauth\\377")
cp "$GUI_XAUTH" "$WEIRD"
chown "$GUI_USER:" "$WEIRD"
for i in 1 2 3 4 5 6; do
	gui_start $AS_GUI env -i PATH=/usr/bin:/bin PBMARK=noruntime DISPLAY="$GUI_DISPLAY" "XAUTHORITY=$WEIRD" \
		DBUS_SESSION_BUS_ADDRESS="$GUI_BUS" sleep 600
	NORUNTIME="${NORUNTIME:-} $!"
done
wait_for 10 sh -c "[ \$(grep -lzx PBMARK=noruntime /proc/[0-9]*/environ 2>/dev/null | wc -l) -ge 6 ]"
[ -d /run/user ] || { mkdir -p /run/user && GUI_CREATED_RUN_USER=1; }
install -d -m 700 -o "$GUI_USER" -g "$GUI_GID" "/run/user/$GUI_UID" && GUI_CREATED_RUN_UID=1
run env -i XDG_RUNTIME_DIR=/run/user/0 $WGE sh -c 'echo "${XDG_RUNTIME_DIR-unset}"'
check "the user's /run/user/UID when the session has no XDG_RUNTIME_DIR, never root's" \
	[ "$(cat "$T/out")" = "/run/user/$GUI_UID" ]
chown root: "/run/user/$GUI_UID"
run env -i XDG_RUNTIME_DIR=/run/user/0 $WGE sh -c 'echo "${XDG_RUNTIME_DIR-unset}"'
check "not when /run/user/UID is not the user's" [ "$(cat "$T/out")" = unset ]
rmdir "/run/user/$GUI_UID"
run env -i $WGE --print-env
printf '%s' "$WEIRD" >"$T/weird.want"
check "values with quotes, newlines and non-UTF-8 bytes round-trip through eval" \
	sh -c "eval \"\$(cat '$T/out')\" && printf '%s' \"\$XAUTHORITY\" | cmp -s - '$T/weird.want'"
for p in $NORUNTIME; do kill "$p"; done
for p in $NORUNTIME; do wait_for 5 sh -c "! kill -0 $p 2>/dev/null"; done

# a stale copy of the session (a tmux started in an old login): more processes, bus socket gone; it loses
for i in 1 2 3 4 5 6 7; do
	gui_start $AS_GUI $(session_env "$GUI_USER" "$GUI_DISPLAY" "$GUI_XAUTH" "$GUI_RUN" "unix:path=$T/gone/bus") sleep 600
	STALE="${STALE:-} $!"
done
wait_for 10 sh -c "[ \$(grep -lz 'gone/bus' /proc/[0-9]*/environ 2>/dev/null | wc -l) -ge 7 ]"
run env -i $WGE -v sh -c 'echo "$DBUS_SESSION_BUS_ADDRESS"'
check "the stale session of 7 loses to the live one of 5" [ "$(cat "$T/out")" = "$GUI_BUS" ]
check "-v says the stale one was rejected for its bus" \
	grep -q "rejected (its DBUS_SESSION_BUS_ADDRESS names no socket that still exists): uid $GUI_UID ($GUI_USER), 7 processes" "$T/err"
for p in $STALE; do kill "$p"; done
for p in $STALE; do wait_for 5 sh -c "! kill -0 $p 2>/dev/null"; done

# carriers that come and go during the vote (ending between the scan and the pin): never an error
sh -c 'while :; do env -i DISPLAY=:pbgui-churn sleep 0.001 & env -i DISPLAY=:pbgui-churn true; wait; done' \
	>/dev/null 2>&1 &
CHURN=$!
track "$CHURN"
good=0 vanished=0
for i in $(seq 30); do
	if env -i $WGE -v sh -c 'echo "$DISPLAY"' >"$T/churn.out" 2>"$T/churn.err" &&
		[ "$(cat "$T/churn.out")" = "$GUI_DISPLAY" ]; then
		good=$((good + 1))
	fi
	v=$(sed -n 's/.* \([0-9]*\) vanished.*/\1/p' "$T/churn.err")
	vanished=$((vanished + ${v:-0}))
done
kill "$CHURN"
check "30 votes among short-lived carriers all chose the session ($vanished carriers vanished before the pin)" \
	[ "$good" = 30 ]

# the session user itself: no switch, its own HOME stays
run as_user "$GUI_USER" env -i PATH=/usr/bin:/bin HOME=/pbgui-callers-home $WGE -v sh -c 'id -u; echo "$HOME"; echo "$DISPLAY"'
expect_status 0 "run as the session user"
printf "%s\n" "$GUI_UID" /pbgui-callers-home "$GUI_DISPLAY" >"$T/want"
check "as the session user: same uid, the caller's HOME, the session's DISPLAY" cmp -s "$T/want" "$T/out"
check "as the session user: no switch" grep -q "no switch of user" "$T/err"

# not root, another user's session: refused (the fixture's alice is uid 1000, not the decoy; a copy, since the
# decoy may not be able to read the source tree)
cp -R "$FIXTURES/gui" "$T/gui-tree"
cp -R "$FIXTURES/gui-files" "$T/gui-files"
chmod -R a+rX,go-w "$T/gui-tree" "$T/gui-files"
run as_user "$GUI_DECOY" env -i PROCBOX_PROC="$T/gui-tree" PROCBOX_FILES="$T/gui-files" $WGE --user 1000 id -u
expect_status 125 "another user's session without root"
one_error_line "with-gui-environment: the session belongs to .* (uid 1000): only root may run a command in another user's session"
check "nothing ran" [ ! -s "$T/out" ]
# not root, nothing readable: the reason is in the message
run as_user "$GUI_DECOY" env -i $WGE --user "$GUI_USER" true
expect_status 125 "no session visible to an unprivileged user"
one_error_line "with-gui-environment: no graphical session of user $GUI_USER found: .*environments of [0-9]* process.* not readable (root sees other users' sessions)"

# no session at all
run env -i $WGE --user 2147483000 true
expect_status 125 "no session of a user without processes"
one_error_line "with-gui-environment: no graphical session of user 2147483000 found"
run env -i $WGE --user 2147483000 --print-env
expect_status 1 "--print-env without a session"

# Wayland: WAYLAND_DISPLAY and XDG_RUNTIME_DIR, no DISPLAY, no bus address; the compositor's socket (a
# listener of the decoy's) vouches for it; the bus at /run/user/UID/bus is filled in, and it is a real one
install -d -m 700 -o "$GUI_DECOY" -g "$(id -g "$GUI_DECOY")" "/run/user/$GUI_DECOY_UID"
gui_start $AS_DECOY "$HELPERS/unix_listener" "/run/user/$GUI_DECOY_UID/wayland-pbgui"
wait_for 20 test -S "/run/user/$GUI_DECOY_UID/wayland-pbgui"
gui_start $AS_DECOY env -i dbus-daemon --config-file="$T/session.conf" --nofork --nopidfile \
	--address="unix:path=/run/user/$GUI_DECOY_UID/bus"
wait_for 20 test -S "/run/user/$GUI_DECOY_UID/bus"
WL_ENV="env -i PATH=/usr/bin:/bin WAYLAND_DISPLAY=wayland-pbgui XDG_RUNTIME_DIR=/run/user/$GUI_DECOY_UID"
for i in 1 2 3; do
	gui_start $AS_DECOY $WL_ENV sleep 600
done
wait_for 10 sh -c "[ \$(grep -lz '^WAYLAND_DISPLAY=wayland-pbgui' /proc/[0-9]*/environ 2>/dev/null | wc -l) -ge 3 ]"
run env -i DISPLAY=:0 $WGE --user "$GUI_DECOY" sh -c \
	'echo "${DISPLAY-unset}|$WAYLAND_DISPLAY|$XDG_RUNTIME_DIR|$DBUS_SESSION_BUS_ADDRESS|$(id -u)"'
check "Wayland: no DISPLAY, the session's WAYLAND_DISPLAY and XDG_RUNTIME_DIR, the bus filled in" \
	[ "$(cat "$T/out")" = "unset|wayland-pbgui|/run/user/$GUI_DECOY_UID|unix:path=/run/user/$GUI_DECOY_UID/bus|$GUI_DECOY_UID" ]
run env -i $WGE --user "$GUI_DECOY" dbus-send --session --print-reply --dest=org.freedesktop.DBus \
	/org/freedesktop/DBus org.freedesktop.DBus.GetId
expect_status 0 "the filled-in bus address reaches a real bus"
check "-v: the Wayland socket vouches" sh -c "env -i $WGE -v --user $GUI_DECOY --print-env 2>&1 >/dev/null |
	grep -q 'chosen: .*; vouched for: its Wayland socket is the user.s'"
run env -i $WGE id -u
expect_status 1 "sessions of two users (3 Wayland processes, 5 X ones): no count decides, refused"
one_error_line "with-gui-environment: graphical sessions of 2 users found: $GUI_USER (uid $GUI_UID), $GUI_DECOY (uid $GUI_DECOY_UID); name one with -u USER"
check "nothing ran" [ ! -s "$T/out" ]

finish
