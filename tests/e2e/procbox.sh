#!/bin/sh
# procbox itself: dispatch, --list, --help, --version, --install, --uninstall, and a static binary.
. "$(dirname "$0")/lib.sh"

run "$PB" --list
expect_status 0 "--list"
check "--list names proc-tree" grep -qx proc-tree "$T/out"
check "--list does not name procbox itself" sh -c "! grep -qx procbox '$T/out'"
APPLETS=$(cat "$T/out")

# every applet in the table: a man page, --help on stdout with exit 0, an e2e test, a usage error with exit 2
for a in $APPLETS; do
	check "$a has a man page" sh -c "ls '$TOP'/man/$a.[18] >/dev/null 2>&1"
	check "$a has an e2e test" sh -c "ls '$TOP'/tests/e2e/ | grep -q -- '$(echo "$a" | tr - _)\|$a'"
	run "$PB" "$a" --help
	expect_status 0 "$a --help"
	check "$a --help prints its usage on stdout" grep -q "^Usage: $a" "$T/out"
	run "$PB" "$a" --no-such-option
	expect_status 2 "$a with a bad option"
	one_error_line "$a: "
done

# dispatch on the name it is called by: symbolic link, hard link, and procbox APPLET
ln -s "$PB" "$T/proc-tree"
run "$T/proc-tree" --help
expect_status 0 "called through a symbolic link"
check "the link runs proc-tree" grep -q "^Usage: proc-tree" "$T/out"
ln "$PB" "$T/procbox-copy" 2>/dev/null || cp "$PB" "$T/procbox-copy"
run "$T/procbox-copy" --version
expect_status 0 "any name starting with procbox is procbox itself"
ln -s "$PB" "$T/no-such-applet"
run "$T/no-such-applet"
expect_status 127 "unknown applet name by link"
one_error_line "procbox: unknown applet 'no-such-applet'"
run "$PB" no-such-applet --help
expect_status 127 "unknown applet as argument"
one_error_line "procbox: unknown applet"

run "$PB"
expect_status 2 "no arguments"
run "$PB" --bogus
expect_status 2 "unknown option"
one_error_line "procbox: unknown option"
run "$PB" --version
expect_status 0 "--version"
check "--version prints the version and the commit" \
	grep -Eqx 'procbox [0-9]+\.[0-9]+ \(commit ([0-9a-f]{12}|unknown)\)' "$T/out"
run "$PB" --help
expect_status 0 "--help"
check "--help lists the applets with summaries" grep -q '^  proc-tree  *show the process tree' "$T/out"
run "$PB" --help proc-tree
check "--help APPLET is the applet's help" grep -q "^Usage: proc-tree" "$T/out"
run "$PB" --help no-such-applet
expect_status 127 "--help of an unknown applet"

# --install: hard links by default
mkdir "$T/bin"
run "$PB" --install "$T/bin"
expect_status 0 "--install DIR"
n=0
for a in $APPLETS; do
	[ "$(stat -c %i "$T/bin/$a")" = "$(stat -c %i "$PB_BIN")" ] && n=$((n + 1))
done
check "--install made a hard link per applet" [ "$n" = "$(echo $APPLETS | wc -w)" ]
if [ -n "${PB_EMULATED:-}" ]; then
	# a link to another architecture's binary runs only through binfmt_misc, which may not be mounted
	skip "an installed link runs directly: the binary is for another architecture (under $PB_EMULATED)"
	run $PB_EMULATED -0 proc-tree "$T/bin/proc-tree" --help
	expect_status 0 "an installed link runs under $PB_EMULATED"
else
	run "$T/bin/proc-tree" --help
	expect_status 0 "an installed link runs"
fi
run "$PB" --install "$T/bin"
expect_status 0 "--install again replaces its own links"

# -s: symbolic links to the binary found through /proc/self/exe
mkdir "$T/sbin"
run "$PB" --install -s "$T/sbin"
expect_status 0 "--install -s"
check "-s makes symbolic links to the binary" [ "$(readlink "$T/sbin/proc-tree")" = "$PB_BIN" ]

# a foreign file is never replaced without -f, and the skip is reported
mkdir "$T/mixed"
echo "precious" >"$T/mixed/proc-tree"
run "$PB" --install "$T/mixed"
expect_status 1 "--install reports a skipped file"
check "the skip names the file" grep -q "skipped $T/mixed/proc-tree" "$T/err"
check "the foreign file is untouched" grep -qx precious "$T/mixed/proc-tree"
run "$PB" --install -f "$T/mixed"
expect_status 0 "--install -f"
check "-f replaced it with a link" [ "$(stat -c %i "$T/mixed/proc-tree")" = "$(stat -c %i "$PB_BIN")" ]
run "$PB" --install
expect_status 2 "--install without a directory"
run "$PB" --install "$T/nonexistent"
expect_status 1 "--install into a missing directory"

# --uninstall removes only what leads to this binary
ln -sf /bin/true "$T/sbin/proc-tree"
run "$PB" --uninstall "$T/sbin"
expect_status 0 "--uninstall"
check "a link to another program stays" [ "$(readlink "$T/sbin/proc-tree")" = /bin/true ]
check "--uninstall says what it left" grep -q "left $T/sbin/proc-tree" "$T/err"
run "$PB" --uninstall "$T/bin"
check "--uninstall removed the hard links" sh -c "! ls '$T/bin/proc-tree' 2>/dev/null"
check "--uninstall left the directory" [ -d "$T/bin" ]

# make install / uninstall into a staging directory
run make -s -C "$TOP" install DESTDIR="$T/stage" PREFIX=/usr/local
expect_status 0 "make install DESTDIR=... PREFIX=/usr/local"
check "installs the binary" [ -x "$T/stage/usr/local/bin/procbox" ]
check "installs a link per applet" sh -c "for a in $(echo $APPLETS); do [ -L '$T/stage/usr/local/bin/'\$a ] || exit 1; done"
check "installs the man pages" [ -f "$T/stage/usr/local/share/man/man1/procbox.1" ]
run "$T/stage/usr/local/bin/proc-tree" --help
expect_status 0 "the installed link runs"
run make -s -C "$TOP" uninstall DESTDIR="$T/stage" PREFIX=/usr/local
check "make uninstall removes what it installed" [ -z "$(find "$T/stage" -type f -o -type l)" ]

# static: runs in an empty root with no libc at all
check "file(1) says static-pie linked" sh -c "file -L '$PB_STATIC' | grep -q 'static-pie linked'"
if [ "$(id -u)" = 0 ]; then
	mkdir -p "$T/chroot"
	cp "$PB_STATIC" "$T/chroot/procbox"
	run chroot "$T/chroot" /procbox --list
	expect_status 0 "runs in a chroot holding nothing but the binary"
	check "and lists the applets there" grep -qx proc-tree "$T/out"
else
	skip "chroot test needs root"
fi

finish
