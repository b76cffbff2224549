#!/bin/sh
# One architecture's release files in dist/: the stripped binary, a tarball of it with the man pages, README
# and LICENSE, and a .deb. Every file is made the same way from the same commit: owners root, modes set here,
# times the commit's (EPOCH), gzip without a name or time, so that two builds give the same bytes.
# Usage: package.sh VERSION ARCH DEB_ARCH BINARY EPOCH MANPAGE...
set -eu
: "${MAINTAINER:?the Makefile names the maintainer}"
version=$1 arch=$2 deb_arch=$3 bin=$4 epoch=$5
shift 5
umask 022
stage=build/stage/$arch
rm -rf "$stage"
mkdir -p "$stage" dist
name=procbox-$version-$arch
install -m 755 "$bin" "dist/$name"

mkdir -p "$stage/$name/man"
install -m 755 "$bin" "$stage/$name/procbox"
install -m 644 README.md LICENSE "$stage/$name/"
install -m 644 "$@" "$stage/$name/man/"
tar -C "$stage" --sort=name --owner=0 --group=0 --numeric-owner --mtime="@$epoch" -cf - "$name" |
	gzip -9n >"dist/$name.tar.gz"

# the .deb: /usr/bin/procbox and a link per applet (the names from the one applet table), man pages, copyright
root=$stage/deb
mkdir -p "$root/DEBIAN" "$root/usr/bin" "$root/usr/share/man/man1" "$root/usr/share/man/man8" \
	"$root/usr/share/doc/procbox"
install -m 755 "$bin" "$root/usr/bin/procbox"
for a in $(sed -n 's/^APPLET("\([^"]*\)".*/\1/p' applets/applets.h); do
	ln -s procbox "$root/usr/bin/$a"
done
for m; do
	gzip -9n <"$m" >"$root/usr/share/man/man${m##*.}/${m##*/}.gz"
done
{
	printf '%s\n' 'Format: https://www.debian.org/doc/packaging-manuals/copyright-format/1.0/' \
		'Upstream-Name: procbox' '' 'Files: *' "$(sed -n 's/^Copyright (c)/Copyright:/p' LICENSE)" 'License: Expat'
	# the licence text indented by one space, its empty lines as " ."
	sed -n '/^Permission/,$p' LICENSE | sed 's/^$/./; s/^/ /'
} >"$root/usr/share/doc/procbox/copyright"
# a native package's changelog, dated by the commit
printf 'procbox (%s) unstable; urgency=medium\n\n  * Release %s.\n\n -- %s  %s\n' "$version" "$version" \
	"$MAINTAINER" "$(LC_ALL=C date -u -R -d "@$epoch")" | gzip -9n >"$root/usr/share/doc/procbox/changelog.gz"
chmod 644 "$root"/usr/share/man/man*/* "$root"/usr/share/doc/procbox/*
# Installed-Size as dpkg-gencontrol counts it: each file's KiB rounded up, and one for every other entry; du
# would count the directories' blocks, which depend on the file system
size=$(find "$root/usr" \( -type f -printf '%s\n' \) -o -printf '1024\n' |
	awk '{ n += int(($1 + 1023) / 1024) } END { print n }')
cat >"$root/DEBIAN/control" <<EOF
Package: procbox
Version: $version
Architecture: $deb_arch
Maintainer: $MAINTAINER
Installed-Size: $size
Section: admin
Priority: optional
Description: one static multicall binary of /proc tools for sysadmins
 A single statically linked binary (musl, static PIE) whose applets wait for,
 pause, resume and stop processes by identity, show the process tree, measure
 Apache's memory, stop cron gracefully, and run commands in the desktop
 session or with the gpg-agent of a user.
EOF
SOURCE_DATE_EPOCH=$epoch dpkg-deb --root-owner-group -Zxz --build "$root" "dist/procbox_${version}_$deb_arch.deb" \
	>/dev/null
