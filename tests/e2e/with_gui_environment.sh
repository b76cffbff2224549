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

# the fixture tree: the vote, reproducible on any machine
PROCBOX_PROC="$FIXTURES/gui" run $WGE --print-env
expect_status 0 "--print-env on the gui fixture tree"
printf "%s\n" "export DISPLAY=':0'" \
	"export DBUS_SESSION_BUS_ADDRESS='unix:abstract=/tmp/dbus-pbguiAlice,guid=0123456789abcdef'" >"$T/want"
check "the live session of 5 beats the stale one of 6" cmp -s "$T/want" "$T/out"
PROCBOX_PROC="$FIXTURES/gui" run $WGE -v --print-env
check "-v names the winner" grep -q '^with-gui-environment: #1 chosen: uid 1000 .*5 processes, oldest pid 100: DISPLAY=:0' "$T/err"
check "-v says why the stale session lost" \
	grep -q '#[0-9]* rejected (its DBUS_SESSION_BUS_ADDRESS names no socket that still exists): uid 1000 .*6 processes' "$T/err"
check "-v counts the others" grep -q '#[0-9]* lost (fewer processes): uid 1003 .*3 processes' "$T/err"
PROCBOX_PROC="$FIXTURES/gui" run $WGE -v --user 1004 --print-env
check "a tie goes to the session whose oldest process started first" grep -qx "export DISPLAY=':40'" "$T/out"
check "-v explains the tie-break" grep -q '#2 lost (a tie, and its oldest process started later): uid 1004' "$T/err"
check "-v never prints raw control bytes" sh -c "! LC_ALL=C grep -q '[[:cntrl:]]' '$T/err'"
PROCBOX_PROC="$FIXTURES/gui" run $WGE --user 1006 --print-env
check "values with quotes, newlines and non-UTF-8 bytes round-trip through eval" \
	sh -c "eval \"\$(cat '$T/out')\" && [ \"\$DISPLAY\" = \"\$(printf ':6\\377\\376'\\''q\\nx')\" ]"
PROCBOX_PROC="$FIXTURES/gui" run $WGE --user 1001 --print-env
check "a Wayland session of the fixture: no DISPLAY" sh -c "grep -qx \"export WAYLAND_DISPLAY='wayland-0'\" '$T/out' && ! grep -q '^export DISPLAY=' '$T/out'"
PROCBOX_PROC="$FIXTURES/gui" run $WGE --user 1010 --print-env
expect_status 1 "--print-env without a valid session"
one_error_line "with-gui-environment: no graphical session of user 1010 found: .*2 candidates rejected as stale"
PROCBOX_PROC="$FIXTURES/gui" run $WGE --user 1010 true
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
	'printf "%s\n" "$DISPLAY" "$XAUTHORITY" "$DBUS_SESSION_BUS_ADDRESS" "$XDG_RUNTIME_DIR" "$HOME" "$USER" "$LOGNAME" "$PBGUI_MARK"'
printf "%s\n" "$GUI_DISPLAY" "$GUI_XAUTH" "$GUI_BUS" "$GUI_RUN" "$GUI_HOME" "$GUI_USER" "$GUI_USER" kept >"$T/want"
check "the session's variables, the user's HOME/USER/LOGNAME, the caller's others ($(tr '\n' ' ' <"$T/out"))" \
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
check "-v: the decoy lost with fewer processes" grep -q "#2 lost (fewer processes): uid $GUI_DECOY_UID ($GUI_DECOY), 2 processes" "$T/err"
check "-v: the switch is reported" grep -q "running as $GUI_USER (uid $GUI_UID, gid $GUI_GID, 2 groups)" "$T/err"

# --user restricts the vote: the decoy's own session
run env -i $WGE --user "$GUI_DECOY" sh -c 'id -u; echo "$DISPLAY"; echo "${DBUS_SESSION_BUS_ADDRESS-unset}"; echo "${XDG_RUNTIME_DIR-unset}"'
expect_status 0 "--user DECOY"
printf "%s\n" "$GUI_DECOY_UID" "$GUI_DECOY_DISPLAY" unset unset >"$T/want"
check "--user runs in that user's session, without variables it lacks" cmp -s "$T/want" "$T/out"

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
chmod -R a+rX "$T/gui-tree"
run as_user "$GUI_DECOY" env -i PROCBOX_PROC="$T/gui-tree" $WGE id -u
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

# Wayland-style (variables only): WAYLAND_DISPLAY and XDG_RUNTIME_DIR, no DISPLAY, no bus address; the bus
# at /run/user/UID/bus is filled in, and it is a real one
[ -d /run/user ] || { mkdir -p /run/user && GUI_CREATED_RUN_USER=1; }
install -d -m 700 -o "$GUI_DECOY" -g "$(id -g "$GUI_DECOY")" "/run/user/$GUI_DECOY_UID"
run env -i XDG_RUNTIME_DIR=/run/user/0 $WGE --user "$GUI_DECOY" sh -c 'echo "${XDG_RUNTIME_DIR-unset}"'
check "the user's /run/user/UID when the session has no XDG_RUNTIME_DIR, never root's" \
	[ "$(cat "$T/out")" = "/run/user/$GUI_DECOY_UID" ]
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
run env -i $WGE -v true
check "the Wayland session (3) still loses the unrestricted vote to the X one (5)" \
	grep -q "#1 chosen: uid $GUI_UID ($GUI_USER), 5 processes" "$T/err"

finish
