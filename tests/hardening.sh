#!/bin/sh
# The hardening the build promises, read off the binary itself: a static PIE (type DYN, no interpreter, no
# shared library), a stack that is not executable, no segment both writable and executable, and stack canaries
# (procbox's own functions check one). Usage: hardening.sh BINARY UNSTRIPPED
bin=$1 unstripped=$2
failed=0
bad() { echo "  FAIL $*"; failed=$((failed + 1)); }
good() { echo "  ok   $*"; }

headers=$(readelf -hW "$bin") || { echo "hardening: cannot read $bin" >&2; exit 1; }
segments=$(readelf -lW "$bin")
dynamic=$(readelf -dW "$bin")
echo "$headers" | grep -Eq 'Type:[[:space:]]+DYN' && good "position-independent (ELF type DYN)" ||
	bad "not position-independent: $(echo "$headers" | grep Type:)"
echo "$segments" | grep -q INTERP && bad "has an interpreter: dynamically linked" || good "no interpreter (static)"
echo "$dynamic" | grep -q NEEDED && bad "needs shared libraries: $(echo "$dynamic" | grep NEEDED)" ||
	good "needs no shared library"
# the flags of a program header: the fields between MemSiz and Align ("R E" is two of them)
flags='{f = ""; for (i = 7; i < NF; i++) f = f $i; print f}'
stack=$(echo "$segments" | awk '$1 == "GNU_STACK" '"$flags")
case "$stack" in
RW) good "stack not executable (GNU_STACK $stack)" ;;
*) bad "GNU_STACK is '${stack:-missing}', wanted RW" ;;
esac
wx=$(echo "$segments" | awk '$1 == "LOAD" '"$flags" | grep W | grep E)
[ -z "$wx" ] && good "no segment both writable and executable" || bad "writable and executable: $wx"
# separate code: the executable segment holds nothing else, read-only data has segments of its own
loads=$(echo "$segments" | awk '$1 == "LOAD" '"$flags" | tr '\n' ' ')
case "$loads" in
"R RE R RW ") good "code apart from read-only data (LOAD segments: $loads)" ;;
*) bad "code not apart from read-only data (LOAD segments: $loads; wanted R RE R RW)" ;;
esac
# musl's own archive may bring canaries of its own: count the functions of procbox's code (pb_*, applet_*,
# *_main) that check one (a call on x86_64, a bl on arm; OBJDUMP: the target's objdump)
ours=$(${OBJDUMP:-objdump} -d "$unstripped" 2>/dev/null | awk '
	/^[0-9a-f]+ <.*>:$/ { fn = $2; next }
	/(call|bl).*<__stack_chk_fail/ && fn ~ /^<(pb_|applet_|[a-z_]+_main>)/ { seen[fn] = 1 }
	END { n = 0; for (f in seen) n++; print n }')
if [ "${ours:-0}" -ge 10 ]; then
	good "stack canaries: $ours of procbox's own functions check one"
else
	bad "stack canaries: ${ours:-0} of procbox's own functions check one (built without -fstack-protector-strong?)"
fi
echo "hardening: $failed failed"
[ "$failed" = 0 ]
