#!/bin/sh
# Times for people in the zone TZ names, as the C library (musl) computes them: proc-tree's start times on a
# fixture tree against a reference program built on the same musl, for valid and malformed zones, and against
# glibc's date(1) where both must agree. A TZ that names a FIFO must not block.
. "$(dirname "$0")/lib.sh"

NORMAL="$FIXTURES/normal"
# pid 1 of the fixture starts 1 tick after its btime: 1700000000 + 0.01 s
EPOCH=1700000000
# the shipped musl binary, also under make check-valgrind (whose glibc build reads zones its own way)
start_of_1() { PROCBOX_PROC=$NORMAL "$PB_STATIC" proc-tree -o pid,started -p 1 | awk 'NR == 2 {print $2, $3}'; }

for tz in UTC0 EST5EDT,M3.2.0,M11.1.0 :Asia/Kolkata :America/St_Johns Europe/Berlin "<+0330>-3:30" \
	"XXXY344444444444444444444444,JY0Y300" "EST5EDT,M13.1.0,M11.1.0" "A" "<+99>-99" ":/nonexistent/zone" ""; do
	want=$(TZ=$tz "$HELPERS/local_time" $EPOCH)
	got=$(TZ=$tz start_of_1)
	if [ -n "$want" ] && [ "$got" = "$want" ]; then
		ok "TZ='$tz': $got, as musl's localtime"
	else
		not_ok "TZ='$tz': proc-tree says '$got', musl's localtime '$want'"
	fi
done

# where the zone is well-formed, glibc agrees: the reference itself is right
for tz in UTC0 EST5 :Asia/Kolkata :America/St_Johns; do
	if [ -e /usr/share/zoneinfo/Asia/Kolkata ]; then
		check "TZ='$tz': glibc's date agrees" [ "$(TZ=$tz start_of_1)" = "$(TZ=$tz date -d @$EPOCH '+%Y-%m-%d %H:%M:%S')" ]
	else
		skip "TZ='$tz': no zoneinfo (tzdata) to compare with glibc"
	fi
done
check "EST5 is five hours behind UTC0" [ "$(TZ=EST5 start_of_1)" = "2023-11-14 17:13:20" ]

# a zone file that is a FIFO with no writer: open() would block; the C library opens zone files non-blocking
mkfifo "$T/zone.fifo"
run timeout 10 env TZ="$T/zone.fifo" PROCBOX_PROC="$NORMAL" "$PB_STATIC" proc-tree -o pid,started -p 1
expect_status 0 "TZ naming a FIFO does not block"
check "TZ naming a FIFO: the time is shown as UTC" grep -q "2023-11-14 22:13:20" "$T/out"
finish
