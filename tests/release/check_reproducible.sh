#!/bin/sh
# make check-reproducible: two clean checkouts of HEAD, in directories of different names, each build the
# release; every file in dist/ (binaries, tarballs, .debs) and the binaries of build/, stripped or not, must
# match byte for byte. Usage: check_reproducible.sh
top=$(pwd)
failed=0
bad() { echo "  FAIL $*"; failed=$((failed + 1)); }
good() { echo "  ok   $*"; }
a=$(mktemp -d /tmp/pb-repro-a.XXXXXX) b=$(mktemp -d /tmp/pb-repro-second-b.XXXXXX)
cleanup() {
	for d in "$a" "$b"; do git -C "$top" worktree remove --force "$d/src" >/dev/null 2>&1; rm -rf "$d"; done
	git -C "$top" worktree prune
}
trap cleanup EXIT
start=$(date +%s)
for d in "$a" "$b"; do
	git worktree add -q --detach "$d/src" HEAD || { echo "check-reproducible: git worktree add failed"; exit 1; }
	make -C "$d/src" -j2 --no-print-directory release >"$d/log" 2>&1 ||
		{ tail -n 20 "$d/log"; echo "check-reproducible: make release failed in $d/src"; exit 1; }
done
echo "  (two releases of $(git rev-parse --short=12 HEAD) built in $(($(date +%s) - start)) s)"
# the unstripped binaries too: their debug information names no directory of the build
for f in build/procbox build/procbox-unstripped build/aarch64/procbox-unstripped build/armhf/procbox-unstripped; do
	if [ ! -f "$a/src/$f" ]; then
		bad "$f was not built"
	elif cmp -s "$a/src/$f" "$b/src/$f"; then
		good "$f identical"
	else
		bad "$f differs"
	fi
done
n=0
for f in $(cd "$a/src/dist" && ls) $(cd "$b/src/dist" && ls); do
	case " $seen " in *" $f "*) continue ;; esac
	seen="${seen:-} $f"
	n=$((n + 1))
	if cmp -s "$a/src/dist/$f" "$b/src/dist/$f"; then good "dist/$f identical"; else bad "dist/$f differs"; fi
done
[ "$n" -ge 10 ] || bad "only $n files in dist/"
echo "check-reproducible: $failed failed"
[ "$failed" = 0 ]
