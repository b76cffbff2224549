#!/bin/sh
# make check-deb: the amd64 .deb installs into this machine (dpkg -i), its binary and an applet link run, and
# dpkg -r takes every file away again. Needs root. Usage: check_deb.sh VERSION COMMIT
version=$1 commit=$2
deb=dist/procbox_${version}_amd64.deb
failed=0
bad() { echo "  FAIL $*"; failed=$((failed + 1)); }
good() { echo "  ok   $*"; }
check() { d=$1; shift; if "$@" >/dev/null 2>&1; then good "$d"; else bad "$d"; fi; }
[ -f "$deb" ] || { echo "check-deb: no $deb (make release)"; exit 1; }
[ "$(id -u)" = 0 ] || { echo "check-deb: dpkg -i needs root"; exit 1; }
if dpkg-query -W procbox >/dev/null 2>&1; then
	echo "check-deb: a package procbox is installed already; not touching it"
	exit 1
fi
# lintian's errors are the package's; its warnings (a static binary has no shared-library prerequisites) are not
lint=$(lintian --fail-on error "$deb" 2>&1)
check "lintian: no error${lint:+ ($(echo "$lint" | grep -c '^[EW]:') tags)}" lintian --fail-on error "$deb"
echo "$lint" | grep '^E:' | sed 's/^/       /'
check "dpkg -i $deb" dpkg -i "$deb"
check "dpkg knows procbox $version" [ "$(dpkg-query -W -f '${Status} ${Version}' procbox)" = "install ok installed $version" ]
out=$(/usr/bin/procbox --version 2>&1)
check "/usr/bin/procbox --version: $out" [ "$out" = "procbox $version (commit $commit)" ]
check "/usr/bin/proc-tree (an applet link) finds pid 1" sh -c "/usr/bin/proc-tree -o pid -p 1 | grep -qx ' *1'"
check "man page installed" [ -f /usr/share/man/man1/proc-tree.1.gz ]
check "man proc-tree shows the installed page" sh -c "MANPAGER=cat man proc-tree 2>/dev/null | grep -q 'proc-tree'"
files=$(dpkg -L procbox | while read -r f; do [ -d "$f" ] || echo "$f"; done)
check "dpkg -r procbox" dpkg -r procbox
left=
for f in $files; do [ -e "$f" ] || [ -L "$f" ] && left="$left $f"; done
check "removed: none of its $(echo $files | wc -w) files is left${left:+ (left:$left)}" [ -z "$left" ]
check "dpkg no longer lists procbox as installed" sh -c "! dpkg-query -W -f '\${Status}' procbox 2>/dev/null | grep -q 'ok installed'"
echo "check-deb: $failed failed"
[ "$failed" = 0 ]
