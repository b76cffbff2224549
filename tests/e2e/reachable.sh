#!/bin/sh
# What the tests run as other users (test users, nobody) is reachable by them wherever the checkout is, root's
# private home included: lib.sh runs copies of the binary and the test helpers from a directory of the test's
# own, searchable by all and writable by root alone, and removes it at the end.
. "$(dirname "$0")/lib.sh"

if [ "$(id -u)" != 0 ]; then
	skip "running as another user needs root"
	finish
	exit
fi

# setpriv execs its command with root's capabilities still in effect (only the program it starts runs without
# them), so a file only root can reach still runs when setpriv execs it: the tests found the files out of reach
# when env, sh or script, as the user, did the exec. Here env does it.
AS_NOBODY="setpriv --reuid=65534 --regid=65534 --clear-groups env"

# the check catches each way to be out of reach: a closed directory on the way, a closed file, a script others
# cannot read
mkdir -m 700 "$T/closed"
cp "$PB_STATIC" "$T/closed/procbox"
chmod 755 "$T/closed/procbox"
if reachable "$T/closed/procbox"; then
	not_ok "a binary in a mode 700 directory passes as reachable"
else
	check "a binary in a mode 700 directory is out of reach:$UNREACHABLE" \
		sh -c "echo '$UNREACHABLE' | grep -q '$T/closed is not searchable by others'"
fi
mkdir "$T/open"
cp "$PB_STATIC" "$T/open/procbox"
chmod 750 "$T/open/procbox"
if reachable "$T/open/procbox"; then
	not_ok "a mode 750 binary passes as reachable"
else
	check "a mode 750 binary is out of reach:$UNREACHABLE" \
		sh -c "echo '$UNREACHABLE' | grep -q '$T/open/procbox is not executable by others'"
fi
printf '#!/bin/sh\nexit 0\n' >"$T/open/script"
chmod 711 "$T/open/script"
if reachable "$T/open/script"; then
	not_ok "a script others cannot read passes as reachable"
else
	check "a script others cannot read is out of reach:$UNREACHABLE" \
		sh -c "echo '$UNREACHABLE' | grep -q 'a script others cannot read'"
fi
chmod 755 "$T/open/procbox"
check "a mode 755 binary in a mode 755 directory is reachable" reachable "$T/open/procbox"

# a checkout in a private directory (as in /root): lib.sh, sourced by a test there, hands out copies that
# nobody can run, built under another name (PB=FILE) or not, and removes them when the test ends (this is
# about the copies alone: no PB_WRAP)
C=$T/closed/checkout
mkdir -p "$C/tests/e2e" "$C/build/test-helpers"
cp "$TOP/tests/e2e/lib.sh" "$C/tests/e2e/"
cp "$PB_STATIC" "$C/build/procbox"
cp "$PB_STATIC" "$C/build/procbox-other"
printf '#!/bin/sh\nexit 0\n' >"$C/build/test-helpers/helper"
chmod 755 "$C/build/procbox" "$C/build/procbox-other" "$C/build/test-helpers/helper"
cat >"$C/tests/e2e/probe.sh" <<'EOF'
. "$(dirname "$0")/lib.sh"
echo "PB_RUN=$PB_RUN"
echo "PB=$PB"
echo "PB_STATIC=$PB_STATIC"
$AS_NOBODY "$PB" --version >/dev/null && echo "nobody runs PB"
$AS_NOBODY "$HELPERS/helper" && echo "nobody runs the helper"
EOF
# the control: the checkout's own build is out of nobody's reach, and running it that way shows it
run $AS_NOBODY "$C/build/procbox" --version
expect_status 126 "nobody cannot run the private checkout's own build"
for pb in "" "$C/build/procbox" "$C/build/procbox-other"; do
	if [ -n "$pb" ]; then
		label="PB=${pb#"$T"/}"
		run env -u PB_WRAP AS_NOBODY="$AS_NOBODY" PB="$pb" sh "$C/tests/e2e/probe.sh" 3>/dev/null
	else
		label="no PB"
		run env -u PB_WRAP -u PB AS_NOBODY="$AS_NOBODY" sh "$C/tests/e2e/probe.sh" 3>/dev/null
	fi
	expect_status 0 "a test in a private checkout, $label"
	check "$label: nobody runs the binary there" grep -qx "nobody runs PB" "$T/out"
	check "$label: and the helper" grep -qx "nobody runs the helper" "$T/out"
	run_dir=$(sed -n 's/^PB_RUN=//p' "$T/out")
	check "$label: the copies are gone when it ends" sh -c "[ -n '$run_dir' ] && [ ! -e '$run_dir' ]"
	case "$pb" in
	*-other)
		check "$label: the build under test keeps its name" \
			grep -qx "PB=$run_dir/under-test/procbox-other" "$T/out"
		;;
	*) check "$label: the build under test is the static one" grep -qx "PB=$run_dir/procbox" "$T/out" ;;
	esac
	check "$label: PB_STATIC is the copy of the static build" grep -qx "PB_STATIC=$run_dir/procbox" "$T/out"
done

# this run: the copies are in use, not the checkout's files
case "$PB_BIN" in
"$TOP"/*) not_ok "the binary under test is the checkout's own: $PB_BIN" ;;
*) ok "the binary under test is a copy: $PB_BIN" ;;
esac
case "$HELPERS" in
"$TOP"/*) not_ok "the test helpers are the checkout's own: $HELPERS" ;;
*) ok "the test helpers are copies: $HELPERS" ;;
esac
n=0
for h in "$TOP"/build/test-helpers/*; do
	[ -f "$h" ] || continue
	n=$((n + 1))
	check "test helper ${h##*/} is copied unchanged" cmp -s "$h" "$HELPERS/${h##*/}"
done
check "the build has test helpers to copy ($n)" [ "$n" -gt 0 ]

# a test user must not be able to swap what root runs: the copies and their directory are root's, mode 755
for f in "$PB_RUN" "$PB_RUN"/* "$PB_RUN"/*/*; do
	[ -e "$f" ] || continue
	mode=$(stat -c '%U %a' "$f")
	check "${f#"$PB_RUN"/} is root's, mode 755: $mode" [ "$mode" = "root 755" ]
done

# every path the tests run as another user: the binary (and its wrapper), the helpers, the test directory
# (homes, sockets and scripts of the test users), and the system commands run as them
paths="$PB"
[ "$PB_BIN" = "$PB" ] || paths="$paths $PB_BIN"
[ "$PB_STATIC" = "$PB_BIN" ] || paths="$paths $PB_STATIC"
for p in $paths "$HELPERS"/* "$T"; do
	if reachable "$p"; then ok "reachable by others: $p"; else not_ok "out of others' reach:$UNREACHABLE"; fi
done
for c in ${PB_WRAP:+"${PB_WRAP%% *}"} sh env sleep setpriv dbus-daemon dbus-monitor dbus-send dunst dunstctl \
	busctl gpg-agent gpgconf gpg-connect-agent ssh-add notify-send apache2; do
	p=$(command -v "$c") || continue
	case "$p" in /*) ;; *) continue ;; esac
	if reachable "$p"; then ok "reachable by others: $p"; else not_ok "out of others' reach:$UNREACHABLE"; fi
done
run $AS_NOBODY "$PB" --version
expect_status 0 "nobody runs \$PB --version"

finish
