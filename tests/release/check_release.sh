#!/bin/sh
# make check-release: dist/ holds what make release promises, and each file is what it says it is.
# Usage: check_release.sh VERSION COMMIT
version=$1 commit=$2
failed=0
bad() { echo "  FAIL $*"; failed=$((failed + 1)); }
good() { echo "  ok   $*"; }
check() { d=$1; shift; if "$@" >/dev/null 2>&1; then good "$d"; else bad "$d"; fi; }
tmp=$(mktemp -d /tmp/pb-check-release.XXXXXX)
trap 'rm -rf "$tmp"' EXIT
cd dist 2>/dev/null || { echo "check-release: no dist/ (make release)"; exit 1; }
applets=$(sed -n 's/^APPLET("\([^"]*\)".*/\1/p' ../applets/applets.h)
mans=$(cd ../man && ls)
check "SHA256SUMS verifies" sha256sum --quiet -c SHA256SUMS
check "SHA256SUMS covers every file in dist/" \
	[ "$(LC_ALL=C ls | grep -vx SHA256SUMS)" = "$(awk '{print $2}' SHA256SUMS | LC_ALL=C sort)" ]
check "the source tarball holds the Makefile and LICENSE of the commit" \
	sh -c "tar tzf procbox-$version.tar.gz | grep -qx procbox-$version/Makefile && tar tzf procbox-$version.tar.gz | grep -qx procbox-$version/LICENSE"
# arch, the ELF machine readelf names, the Debian architecture, how to run it here
for row in "x86_64 X86-64 amd64" "aarch64 AArch64 arm64 qemu-aarch64-static" "armhf ARM armhf qemu-arm-static"; do
	set -- $row
	arch=$1 machine=$2 debarch=$3 emu=${4:-}
	bin=procbox-$version-$arch
	[ -f "$bin" ] || { bad "$bin is missing"; continue; }
	readelf -hlWd "$bin" >"$tmp/elf"
	check "$bin: ELF machine $machine" grep -Eq "Machine:.* $machine\$" "$tmp/elf"
	check "$bin: a static PIE (type DYN, no INTERP, no NEEDED)" sh -c "grep -Eq 'Type:[[:space:]]+DYN' '$tmp/elf' &&
		! grep -Eq 'INTERP|NEEDED' '$tmp/elf'"
	check "$bin: stripped" sh -c "! readelf -SW '$bin' | grep -q '\.symtab'"
	out=$($emu "./$bin" --version 2>&1)
	check "$bin --version${emu:+ under $emu}: $out" [ "$out" = "procbox $version (commit $commit)" ]
	t=procbox-$version-$arch.tar.gz
	want=$(printf '%s\n' "procbox-$version-$arch/" "procbox-$version-$arch/LICENSE" \
		"procbox-$version-$arch/README.md" "procbox-$version-$arch/man/" \
		$(for m in $mans; do echo "procbox-$version-$arch/man/$m"; done) "procbox-$version-$arch/procbox" | LC_ALL=C sort)
	check "$t: binary, README, LICENSE, every man page" [ "$(tar tzf "$t" | LC_ALL=C sort)" = "$want" ]
	check "$t: the binary is $bin" sh -c "tar xzOf '$t' procbox-$version-$arch/procbox | cmp -s - '$bin'"
	check "$t: owned by 0/0" sh -c "! tar tzvf '$t' | grep -qv ' 0/0 '"
	deb=procbox_${version}_$debarch.deb
	[ -f "$deb" ] || { bad "$deb is missing"; continue; }
	check "$deb: Architecture $debarch, Version $version" \
		[ "$(dpkg-deb -f "$deb" Architecture Version | tr '\n' ' ')" = "Architecture: $debarch Version: $version " ]
	dpkg-deb -c "$deb" | awk '{ s = $2; for (i = 6; i <= NF; i++) s = s " " $i; print s }' >"$tmp/deb"
	check "$deb: /usr/bin/procbox owned by root" grep -qx 'root/root ./usr/bin/procbox' "$tmp/deb"
	n=0
	for a in $applets; do grep -qx "root/root ./usr/bin/$a -> procbox" "$tmp/deb" && n=$((n + 1)); done
	check "$deb: a link per applet ($n of $(echo $applets | wc -w))" [ "$n" = "$(echo $applets | wc -w)" ]
	n=0
	for m in $mans; do grep -qx "root/root ./usr/share/man/man${m##*.}/$m.gz" "$tmp/deb" && n=$((n + 1)); done
	check "$deb: every man page, gzipped ($n of $(echo $mans | wc -w))" [ "$n" = "$(echo $mans | wc -w)" ]
	check "$deb: copyright" grep -qx 'root/root ./usr/share/doc/procbox/copyright' "$tmp/deb"
	check "$deb: its binary is $bin" sh -c "dpkg-deb --fsys-tarfile '$deb' | tar xOf - ./usr/bin/procbox | cmp -s - '$bin'"
done
echo "check-release: $failed failed"
[ "$failed" = 0 ]
