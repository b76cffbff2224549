#!/bin/sh
# notify-send-headless: notifications from an empty root environment reach a real dunst in a test user's
# session, verified on the bus (dbus-monitor) and in the daemon's history; options pass through.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gui_session.include"

NSH="$PB notify-send-headless"

# usage errors need no session
run $NSH
expect_status 2 "no summary"
one_error_line "notify-send-headless: no summary given"
run $NSH --bogus hi
expect_status 2 "an option neither ours nor notify-send's"
one_error_line "notify-send-headless: bad option '--bogus'"
run $NSH -Z hi
expect_status 2 "an unknown short option"
run $NSH --user no-such-user-pbgui hi
expect_status 2 "an unknown user"
run $NSH --print-env hi
expect_status 2 "--print-env with a summary"
run $NSH --help
expect_status 0 "--help is ours"
check "--help says where -h went" grep -q -- '-h/--hint' "$T/out"

# notify-send missing: 127, and the package to install
mkdir "$T/empty-path"
run env -i PATH="$T/empty-path" $NSH hi
expect_status 127 "notify-send not installed"
one_error_line "notify-send-headless: notify-send is not installed (not found on PATH): install the package libnotify-bin"

gui_session_up || { finish; exit; }

DBUS_AS_USER="env -i DBUS_SESSION_BUS_ADDRESS=$GUI_BUS"

# independent witness: a monitor on the session bus, as the session user, catching every Notify call
MONITOR_LOG=$T/monitor.log
$AS_GUI env -i dbus-monitor --address "$GUI_BUS" \
	"type='method_call',interface='org.freedesktop.Notifications',member='Notify'" >"$MONITOR_LOG" 2>&1 &
GUI_STARTED="$GUI_STARTED $!"
check "dbus-monitor is listening" wait_for 20 grep -qs 'member=NameLost' "$MONITOR_LOG"

# notify_seen SUMMARY: a Notify call with that summary went over the bus; its lines go to $T/call
notify_seen() {
	awk -v s="string \"$1\"" '
		/^[^ ]/ { if (found) exit; block = "" }
		{ block = block $0 "\n" }
		index($0, s) { found = 1 }
		END { if (found) printf "%s", block; exit !found }' "$MONITOR_LOG" >"$T/call"
}

# as root from an empty environment, long options
SUM="pbgui summary $$"
run env -i PATH=/usr/bin:/bin $NSH --urgency=critical --app-name=pbgui-test "$SUM" "body of $$"
expect_status 0 "env -i notify-send-headless --urgency=critical --app-name=pbgui-test"
check "the Notify call crossed the session bus" wait_for 10 notify_seen "$SUM"
check "with the app name" grep -q 'string "pbgui-test"' "$T/call"
check "with the body" grep -q "string \"body of $$\"" "$T/call"
check "with urgency critical (byte 2)" sh -c "grep -A1 'string \"urgency\"' '$T/call' | grep -q 'byte 2'"
check "it is a Notify method call" grep -q '^method call .*member=Notify' "$T/call"
# the daemon has it: close it, then find it in dunst's history
as_user "$GUI_USER" $DBUS_AS_USER dunstctl close-all
check "dunst shows it in its history" wait_for 10 sh -c \
	"$AS_GUI $DBUS_AS_USER dunstctl history | grep -q '\"$SUM\"'"

# short options and an abbreviated long one (notify-send itself takes no abbreviations)
run env -i PATH=/usr/bin:/bin $NSH -u low -a pbgui-short "short $$"
expect_status 0 "short options -u low -a"
check "short: the call arrived" wait_for 10 notify_seen "short $$"
check "short: app name pbgui-short" grep -q 'string "pbgui-short"' "$T/call"
check "short: urgency low (byte 0)" sh -c "grep -A1 'string \"urgency\"' '$T/call' | grep -q 'byte 0'"
run env -i PATH=/usr/bin:/bin $NSH --app=pbgui-abbrev "abbrev $$"
expect_status 0 "--app= (an abbreviation) is passed in its long form"
check "abbreviation: the call arrived" wait_for 10 notify_seen "abbrev $$"
check "abbreviation: app name pbgui-abbrev" grep -q 'string "pbgui-abbrev"' "$T/call"

# clustered short options: each letter is one option, rebuilt on its own ("-eu critical": --transient,
# --urgency=critical); a long cluster never outgrows the argument vector
run env -i PATH=/usr/bin:/bin $NSH -eu critical -ea pbgui-cluster "cluster $$"
expect_status 0 "clusters -eu critical -ea APP"
check "cluster: the call arrived" wait_for 10 notify_seen "cluster $$"
check "cluster: app name pbgui-cluster" grep -q 'string "pbgui-cluster"' "$T/call"
check "cluster: urgency critical (byte 2)" sh -c "grep -A1 'string \"urgency\"' '$T/call' | grep -q 'byte 2'"
check "cluster: the transient hint" grep -q 'string "transient"' "$T/call"
run env -i PATH=/usr/bin:/bin $NSH -eeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeeee "many $$"
expect_status 0 "a cluster of 70 -e"
check "many: the call arrived" wait_for 10 notify_seen "many $$"

# the daemon's answer comes back: --print-id prints the id dunst gave
run env -i PATH=/usr/bin:/bin $NSH -p "id $$"
expect_status 0 "-p (notify-send's --print-id)"
check "the id from dunst is printed" grep -Eqx '[0-9]+' "$T/out"
# -- and a summary starting with '-'
run env -i PATH=/usr/bin:/bin $NSH -- "-5 degrees $$"
expect_status 0 "-- then a summary starting with -"
check "the dashed summary arrived" wait_for 10 notify_seen "-5 degrees $$"

# our own options: --verbose, --print-env, --user
run env -i PATH=/usr/bin:/bin $NSH --verbose "verbose $$"
check "--verbose explains the vote" grep -q "#1 chosen: uid $GUI_UID ($GUI_USER), 5 processes" "$T/err"
run env -i $NSH --print-env
expect_status 0 "--print-env"
check "--print-env names the session's bus" grep -qx "export DBUS_SESSION_BUS_ADDRESS='$GUI_BUS'" "$T/out"

# as the session user itself: no switch needed
run as_user "$GUI_USER" env -i PATH=/usr/bin:/bin $NSH "as user $$"
expect_status 0 "run as the session user"
check "as the session user: the call arrived" wait_for 10 notify_seen "as user $$"

# no session
run env -i PATH=/usr/bin:/bin $NSH --user 2147483000 hi
expect_status 125 "no session"
one_error_line "notify-send-headless: no graphical session of user 2147483000 found"
# not root and another user's: refused
run as_user "$GUI_DECOY" env -i PATH=/usr/bin:/bin $NSH --user "$GUI_USER" hi
expect_status 125 "another user's session, unprivileged"
one_error_line "notify-send-headless: no graphical session of user $GUI_USER found: .*not readable"

# the daemon gone: notify-send's own failure and status come through
for p in $GUI_STARTED; do
	case "$(cat /proc/"$p"/comm 2>/dev/null)" in dunst) kill "$p" && wait_for 10 sh -c "! kill -0 $p 2>/dev/null" ;; esac
done
check "dunst has stopped" wait_for 10 sh -c "! $AS_GUI $DBUS_AS_USER dbus-send --session --print-reply --dest=org.freedesktop.DBus /org/freedesktop/DBus org.freedesktop.DBus.NameHasOwner string:org.freedesktop.Notifications | grep -q 'boolean true'"
run env -i PATH=/usr/bin:/bin $NSH "nobody listens $$"
expect_status 1 "no notification daemon: notify-send's status 1 passes through"
check "notify-send's own message is shown" grep -q 'org.freedesktop.Notifications' "$T/err"

finish
