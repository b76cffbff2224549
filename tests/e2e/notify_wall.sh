#!/bin/sh
# notify-send-headless --all and --group, the desktop wall: two real desktop sessions of two users (Xvfb, a
# session bus and dunst each) are each notified as their own user and seen by their own daemon; a user who
# only carries another's display gets nothing; a hung notify-send is killed without holding the others;
# --group by supplementary and by primary group; exit 1 without a session, 2 for usage errors.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/gui_session.include"

NSH="$PB notify-send-headless"

# usage errors need no session
run $NSH --all --bogus hi
expect_status 2 "--all with a bad option"
one_error_line "notify-send-headless: bad option '--bogus'"
run $NSH --group no-such-group-pbw hi
expect_status 2 "an unknown group"
one_error_line "notify-send-headless: unknown group 'no-such-group-pbw'"
run $NSH --group
expect_status 2 "--group without its argument"
run $NSH --all --print-env
expect_status 2 "--print-env prints one session"
one_error_line "notify-send-headless: --print-env prints one session: not with --all or --group"
run $NSH --all --wait hi
expect_status 2 "--wait waits for one person"
run $NSH --group root -A go=Go hi
expect_status 2 "--action waits for one person"
run $NSH --group root --user root hi
expect_status 2 "--group and --user"

gui_session_up || { finish; exit; }

W2=pbw2$$ HANG=pbwh$$ ABSENT=pbwe$$
for u in "$W2" "$HANG" "$ABSENT"; do
	test_user "$u" || { not_ok "useradd $u"; finish; exit; }
done
# the group lists a user without a session
usermod -a -G "$GUI_GROUP" "$ABSENT"
W2_UID=$(id -u "$W2") HANG_UID=$(id -u "$HANG")
AS_HANG="setpriv --reuid=$HANG_UID --regid=$(id -g "$HANG") --init-groups"

# the second user's desktop, not in the group
mkdir "$T/desk2"
gui_desktop "$W2" "$T/desk2" || { finish; exit; }
W2_DISPLAY=$DESK_DISPLAY W2_BUS=$DESK_BUS

# notify-send is found on root's PATH (the program is root's choice), never on a session's: root's PATH starts
# with a root-owned notify-send that writes down who ran it, then acts by the display it was given: the first
# user's Wayland desktop records its options, the hanging user's hangs, the X desktops get the real one. The
# sessions' own PATHs start with a notify-send of the user's that must never run.
mkdir -m 1777 "$T/marks"
# made here, writable by every test user: whoever runs first must not own them
for f in ran hang; do : >"$T/marks/$f" && chmod 666 "$T/marks/$f"; done
mkdir -m 755 "$T/rootbin"
cat >"$T/rootbin/notify-send" <<EOF
#!/bin/sh
id -u >>$T/marks/ran
case "\$WAYLAND_DISPLAY" in
wayland-pbw) { id -u; printf '%s\\n' "\$@"; } >>$T/marks/wayland ;;
wayland-pbh) echo \$\$ >>$T/marks/hang; exec sleep 600 ;;
*) exec /usr/bin/notify-send "\$@" ;;
esac
EOF
chmod 755 "$T/rootbin/notify-send"
ROOTPATH="$T/rootbin:/usr/bin:/bin"
fake() {
	mkdir -m 755 "$T/$1"
	printf '#!/bin/sh\n%s\n' "$2" >"$T/$1/notify-send"
	chmod 755 "$T/$1/notify-send"
}
fake decoybin "id -u >>$T/marks/session-path"
fake waylandbin "id -u >>$T/marks/session-path"
fake hangbin "id -u >>$T/marks/session-path"

# the decoy carries the first user's display in 3 more processes, with a notify-send of its own on PATH:
# the display is not the decoy's, so nothing may run as the decoy
for i in 1 2 3; do
	gui_start $AS_DECOY env -i PATH="$T/decoybin:/usr/bin:/bin" DISPLAY="$GUI_DISPLAY" \
		XAUTHORITY="$T/decoy-home/.Xauthority" sleep 600
done

# wayland_session PREFIX USER DIR NAME BIN: a Wayland display of USER (a socket the user serves in DIR) carried
# by 2 processes whose PATH starts with BIN
wayland_session() {
	install -d -m 700 -o "$2" -g "$(id -g "$2")" "$3"
	gui_start $1 "$HELPERS/unix_listener" "$3/$4"
	wait_for 20 test -S "$3/$4" || not_ok "no Wayland socket $3/$4"
	for i in 1 2; do
		gui_start $1 env -i PATH="$T/$5:/usr/bin:/bin" WAYLAND_DISPLAY="$4" XDG_RUNTIME_DIR="$3" sleep 600
	done
}
# the first user's second desktop: both are notified
wayland_session "$AS_GUI" "$GUI_USER" "$T/run-wl" wayland-pbw waylandbin
# a user whose notify-send hangs
wayland_session "$AS_HANG" "$HANG" "$T/run-hang" wayland-pbh hangbin
wait_for 10 sh -c "[ \$(grep -lzE '^WAYLAND_DISPLAY=wayland-pb[wh]' /proc/[0-9]*/environ 2>/dev/null | wc -l) -ge 4 ]"
wait_for 10 sh -c "[ \$(grep -lz '^PATH=$T/decoybin' /proc/[0-9]*/environ 2>/dev/null | wc -l) -ge 3 ]"

# dunst_has USER BUS SUMMARY: the daemon on USER's bus BUS has SUMMARY in its history (what it shows is
# closed first: dunst keeps a notification out of its history while it is on screen)
dunst_has() {
	as_user "$1" env -i DBUS_SESSION_BUS_ADDRESS="$2" dunstctl close-all 2>/dev/null
	as_user "$1" env -i DBUS_SESSION_BUS_ADDRESS="$2" dunstctl history 2>/dev/null | grep -q "\"$3\""
}
# line WHO DISPLAY RESULT: the report has exactly that line
line() {
	grep -qx "notify-send-headless: $1 on $2: $3" "$T/err"
}
# lines N: the report has N lines about sessions ("USER (uid N) on DISPLAY: ...")
lines() {
	[ "$(grep -c '^notify-send-headless: [^ ]* (uid [0-9]*) on ' "$T/err")" = "$1" ]
}
not() { ! "$@"; }

# ---- --all as root, from an empty environment ----
SUM="wall $$"
t0=$(date +%s%N)
run env -i PATH="$ROOTPATH" $NSH --all -u critical "$SUM" "going down"
t1=$(date +%s%N)
WALL_MS=$(((t1 - t0) / 1000000))
expect_status 0 "--all: sessions reached (stderr: $(tr '\n' '|' <"$T/err"))"
check "--all: the first user's X desktop notified" line "$GUI_USER (uid $GUI_UID)" "$GUI_DISPLAY" notified
check "--all: the first user's Wayland desktop notified" line "$GUI_USER (uid $GUI_UID)" wayland-pbw notified
check "--all: the second user's desktop notified" line "$W2 (uid $W2_UID)" "$W2_DISPLAY" notified
check "--all: the hung notify-send is reported" line "$HANG (uid $HANG_UID)" wayland-pbh "no answer in 10 s: killed"
check "--all: one line per session and no other, nothing for the decoy ($(wc -l <"$T/err") lines)" \
	sh -c "[ \$(wc -l <'$T/err') = 4 ] && ! grep -q '$GUI_DECOY' '$T/err'"
check "--all: by uid, the first user's desktops best first" \
	sh -c "grep -o 'uid [0-9]*) on [^:]*' '$T/err' | cut -d' ' -f2 | tr -d ')' | sort -nc && head -n 1 '$T/err' | grep -q ' on $GUI_DISPLAY:'"
check "--all: the first user's dunst has it" wait_for 10 dunst_has "$GUI_USER" "$GUI_BUS" "$SUM"
check "--all: the second user's dunst has it" wait_for 10 dunst_has "$W2" "$W2_BUS" "$SUM"
check "--all: the Wayland desktop's notify-send ran as its user, with the options" \
	sh -c "printf '%s\n' $GUI_UID --urgency=critical '$SUM' 'going down' | cmp -s - '$T/marks/wayland'"
check "--all: nothing ran as the decoy, who only carries a display" sh -c "! grep -qx '$(id -u "$GUI_DECOY")' '$T/marks/ran'"
check "--all: no session's own notify-send ran (each one came from root's PATH)" [ ! -e "$T/marks/session-path" ]
check "--all: the hung notify-send is gone" sh -c "! kill -0 \$(cat '$T/marks/hang') 2>/dev/null"
check "--all: the hung session held the others for its 10 s only (${WALL_MS} ms)" \
	[ "$WALL_MS" -ge 10000 ] && [ "$WALL_MS" -lt $((10000 + 5000 * PB_SLOWDOWN)) ]

# ---- --group: members by a supplementary group, by a primary group ----
rm -f "$T/marks/wayland"
run env -i PATH="$ROOTPATH" $NSH --verbose --group "$GUI_GROUP" "group $$"
expect_status 0 "--group $GUI_GROUP"
check "--group: its member's X desktop notified" line "$GUI_USER (uid $GUI_UID)" "$GUI_DISPLAY" notified
check "--group: its member's Wayland desktop notified" line "$GUI_USER (uid $GUI_UID)" wayland-pbw notified
check "--group: nothing for non-members (2 session lines)" lines 2
check "--group: the member's dunst has it" wait_for 10 dunst_has "$GUI_USER" "$GUI_BUS" "group $$"
check "--group: the other user's dunst has not" not dunst_has "$W2" "$W2_BUS" "group $$"
check "--verbose: a non-member's session is named" \
	grep -q "notify-send-headless: $W2 (uid $W2_UID) is not a member of group $GUI_GROUP: left out" "$T/err"
check "--verbose: a listed member without a session is named" \
	grep -q "notify-send-headless: group $GUI_GROUP lists $ABSENT, who has no desktop session" "$T/err"
run env -i PATH="$ROOTPATH" $NSH --group "$W2" "primary $$"
expect_status 0 "--group by primary group: $W2's own"
check "--group by primary group: its one member notified" line "$W2 (uid $W2_UID)" "$W2_DISPLAY" notified
check "--group by primary group: alone" lines 1
check "--group by primary group: the member's dunst has it" wait_for 10 dunst_has "$W2" "$W2_BUS" "primary $$"

# ---- no session ----
run env -i PATH="$ROOTPATH" $NSH --all --user 2147483000 hi
expect_status 1 "--all --user without a session"
one_error_line "notify-send-headless: no graphical session of user 2147483000 found"
run env -i PATH="$ROOTPATH" $NSH --group "$ABSENT" hi
expect_status 1 "--group whose members have no session"
one_error_line "notify-send-headless: no graphical session of a member of group $ABSENT found: the [0-9]* found are other users'"

# ---- not root: our own sessions only ----
run as_user "$GUI_USER" env -i PATH=/usr/bin:/bin $NSH --all "own $$"
expect_status 0 "--all as the first user"
check "not root: the user's own X desktop notified" line "$GUI_USER (uid $GUI_UID)" "$GUI_DISPLAY" notified
check "not root: no other user's session tried (2 session lines)" lines 2
check "not root: the user's dunst has it" wait_for 10 dunst_has "$GUI_USER" "$GUI_BUS" "own $$"
check "not root: the other user's dunst has not" not dunst_has "$W2" "$W2_BUS" "own $$"

# ---- every session fails: exit 1, each with notify-send's own message ----
for p in $GUI_STARTED; do
	[ "$(cat /proc/"$p"/comm 2>/dev/null)" = dunst ] && [ "$(stat -c %u /proc/"$p")" = "$W2_UID" ] &&
		kill "$p" && wait_for 10 sh -c "! kill -0 $p 2>/dev/null"
done
run env -i PATH="$ROOTPATH" $NSH --all --user "$W2" "nobody listens $$"
expect_status 1 "--all when notify-send fails in every session"
check "the failure quotes notify-send's message" \
	grep -q "notify-send-headless: $W2 (uid $W2_UID) on $W2_DISPLAY: failed (exit 1): .*org.freedesktop.Notifications" "$T/err"
check "and says that no session was reached" grep -qx "notify-send-headless: no session was reached: notify-send failed in all 1" "$T/err"

echo "  (the --all run with a hung session took $WALL_MS ms)"
finish
