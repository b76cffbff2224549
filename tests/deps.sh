#!/bin/sh
# Installs the Debian packages named on the command line that are missing (as root), or says which to install.
# Usage: deps.sh TARGET PACKAGE...   (TARGET: the make target that installs them, for the message)
target=$1
shift
missing=
for p in "$@"; do
	dpkg-query -W -f='${Status}\n' "$p" 2>/dev/null | grep -q '^install ok installed$' || missing="$missing $p"
done
[ -z "$missing" ] && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
	echo "procbox: missing Debian packages:$missing" >&2
	case "$missing" in
	*:*) echo "procbox: first: dpkg --add-architecture ARCH for each :ARCH, then apt-get update" >&2 ;;
	esac
	echo "procbox: as root run: apt-get install$missing   (or: make $target)" >&2
	exit 1
fi
echo "procbox: installing$missing"
export DEBIAN_FRONTEND=noninteractive
# a package of another architecture (musl-dev:arm64) needs that architecture known to dpkg, and lists for it
need_update=
for p in $missing; do
	case "$p" in
	*:*) a=${p#*:}
		dpkg --print-foreign-architectures | grep -qx "$a" || { dpkg --add-architecture "$a" && need_update=1; } ;;
	esac
done
# a fresh machine has no package lists yet; update once, and again if the install fails on stale lists
if [ -n "$need_update" ] || [ -z "$(ls /var/lib/apt/lists/ 2>/dev/null | grep -v -e lock -e partial)" ]; then
	apt-get update -qq || exit 1
fi
# daemons in the package set must not start at install time: the tests start (and stop) their own
printf '#!/bin/sh\nexit 101\n' >/usr/sbin/policy-rc.d.procbox && chmod 755 /usr/sbin/policy-rc.d.procbox
[ -e /usr/sbin/policy-rc.d ] || { cp /usr/sbin/policy-rc.d.procbox /usr/sbin/policy-rc.d; added_policy=1; }
rm -f /usr/sbin/policy-rc.d.procbox
apt-get install -y -qq --no-install-recommends $missing >/tmp/procbox-apt.log 2>&1 ||
	{ apt-get update -qq && apt-get install -y -qq --no-install-recommends $missing >/tmp/procbox-apt.log 2>&1; }
status=$?
[ -n "$added_policy" ] && rm -f /usr/sbin/policy-rc.d
if [ $status != 0 ]; then
	tail -n 20 /tmp/procbox-apt.log >&2
	echo "procbox: apt-get install$missing failed" >&2
	exit 1
fi
