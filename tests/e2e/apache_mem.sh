#!/bin/sh
# apache-mem: a real Apache (prefork, two mod_wsgi daemon groups, one with a name of 44 characters, mod_cgid), one
# in the foreground under a shell and one named httpd; counts, pids and sizes of every group and of every process
# against the test's own reading of /proc, in text, JSON (its schema) and Prometheus (promtool); -o, no root, one
# and several instances in the same JSON shape, Apache stopped, and the failure paths.
. "$(dirname "$0")/lib.sh"

APACHE2=/usr/sbin/apache2
MODS=/usr/lib/apache2/modules
PAGE=$(getconf PAGESIZE)
MASTERS=""

# jq -e without the printed result
# one_instance FILE: FILE is apache-mem's JSON (its schema) with exactly one instance; $T/inst is that instance
one_instance() {
	json_valid apache-mem "$1" && jqt '.instances | length == 1' "$1" && jq '.instances[0]' "$1" >"$T/inst"
}

# ---- the saved tree of two instances (tests/fixtures/apache): JSON shape and per-process values, no Apache needed ----
APROC=$FIXTURES/apache
PROCBOX_PROC=$APROC TZ=UTC0 run "$PB" apache-mem -f json -p 701
expect_status 0 "fixture: one instance"
cp "$T/out" "$T/fix1.json"
check "fixture, one instance: the apache-mem schema" json_valid apache-mem "$T/out"
PROCBOX_PROC=$APROC TZ=UTC0 run "$PB" apache-mem -f json
expect_status 0 "fixture: two instances"
check "fixture, two instances: the apache-mem schema" json_valid apache-mem "$T/out"
check "fixture: one object with an instances array, for one instance as for two" \
	[ "$(jq -c '[keys_unsorted, (.instances | length)]' "$T/fix1.json") $(jq -c '[keys_unsorted, (.instances | length)]' "$T/out")" = \
	'[["version","instances"],1] [["version","instances"],2]' ]
check "fixture: the instance of httpd alone and among two: the same object" \
	[ "$(jq -c '.instances[0]' "$T/fix1.json")" = "$(jq -c '.instances[] | select(.master.pid == 701)' "$T/out")" ]
check "fixture: the master's identity: pid, starttime in ticks, started" \
	jqt '.instances[0].master | .pid == 500 and .starttime == 1000 and .started == "2023-11-14T22:13:30+00:00"' "$T/out"
check "fixture: an empty group has empty pids and processes arrays" \
	jqt '.instances[1].groups[0] | .count == 0 and .pids == [] and .processes == []' "$T/out"
check "fixture: a process whose smaps is garbage: its RSS, null for the rest" \
	jqt '.instances[0].groups[] | select(.name == "helper:rotatelogs") | .processes ==
	[{"pid":540,"starttime":1040,"started":"2023-11-14T22:13:30+00:00","group":"helper:rotatelogs","rss":1228800,"pss":null,"uss":null,"swap":null}]' "$T/out"
PROCBOX_PROC=$APROC run "$PB" apache-mem -p 500 --per-process
check "fixture --per-process: the largest PSS first, unreadable ones last, by RSS" \
	[ "$(sed '1,/^ *PID  GROUP/d' "$T/out" | awk '{ printf "%s ", $1 }')" = "522 521 520 511 510 530 505 504 507 503 502 501 500 540 " ]
check "fixture --per-process: '-' for what was not readable" grep -Eq '^540  helper:rotatelogs +1.2M +- +- +-$' "$T/out"
PROCBOX_PROC=$APROC run "$PB" apache-mem -p 500 -f prometheus --per-process
check "fixture --per-process: no PSS series for the process whose smaps is garbage" \
	sh -c "grep -q 'apache_mem_process_rss_bytes{.*pid=\"540\"} 1228800' '$T/out' && ! grep -q 'apache_mem_process_pss_bytes{.*pid=\"540\"}' '$T/out'"

if [ ! -x "$APACHE2" ] || [ ! -e "$MODS/mod_wsgi.so" ] || [ ! -e "$MODS/mod_cgid.so" ]; then
	skip "apache2, mod_cgid or mod_wsgi (libapache2-mod-wsgi-py3) not installed"
	finish
	exit
fi
if [ "$(id -u)" != 0 ] || ! id www-data >/dev/null 2>&1; then
	skip "starting Apache with workers of www-data needs root and that user"
	finish
	exit
fi

# Stops what this test started, by pid: TERM to each master (it ends its own children), KILL what remains.
stop_masters() {
	for m in $MASTERS; do
		kill -TERM "$m" 2>/dev/null
	done
	for m in $MASTERS; do
		wait_for 20 sh -c "! kill -0 $m 2>/dev/null" || kill -KILL "$m" 2>/dev/null
	done
	MASTERS=""
}
trap 'stop_masters; cleanup' EXIT

# a loopback port nobody listens on (state 0A in /proc/net/tcp)
free_port() {
	while :; do
		port=$(($(od -An -N2 -tu2 /dev/urandom) % 25000 + 35000))
		hex=$(printf '%04X' "$port")
		grep -q ":$hex 00000000:0000 0A" /proc/net/tcp || { echo "$port"; return; }
	done
}

# write_conf DIR PORT SERVERS EXTRA: a minimal prefork Apache whose every file lives in DIR
write_conf() {
	mkdir -p "$1/htdocs"
	echo "text/plain txt" >"$1/mime.types"
	cat >"$1/httpd.conf" <<EOF
ServerRoot $1
DefaultRuntimeDir $1
PidFile $1/httpd.pid
ErrorLog $1/error.log
LogLevel info
Mutex file:$1 default
Listen 127.0.0.1:$2
ServerName 127.0.0.1
DocumentRoot $1/htdocs
LoadModule mpm_prefork_module $MODS/mod_mpm_prefork.so
LoadModule authz_core_module $MODS/mod_authz_core.so
LoadModule mime_module $MODS/mod_mime.so
TypesConfig $1/mime.types
User www-data
Group www-data
StartServers $3
MinSpareServers 1
MaxSpareServers 8
MaxRequestWorkers 10
<Directory $1>
	Require all granted
</Directory>
$4
EOF
}

# start_apache DIR COMMAND...: starts it (retrying on another port when the chosen one was taken meanwhile);
# sets MASTER from the pid file
start_apache() {
	dir=$1
	shift
	MASTER=
	# the daemonising start returns only once it listens (or failed to: a port taken meanwhile)
	if ! "$@" >"$dir/start.log" 2>&1 || ! wait_for 20 test -s "$dir/httpd.pid"; then
		echo "  Apache in $dir did not start: $(tail -n 3 "$dir/start.log" "$dir/error.log" 2>/dev/null)"
		return 1
	fi
	MASTER=$(cat "$dir/httpd.pid")
	MASTERS="$MASTERS $MASTER"
	track "$MASTER"
}

# live, non-zombie children of $1
children() {
	for c in $(ps --ppid "$1" -o pid= 2>/dev/null); do
		state=$(cut -d' ' -f3 "/proc/$c/stat" 2>/dev/null)
		[ -n "$state" ] && [ "$state" != Z ] && echo "$c"
	done
}

# started_ok FILE: every process's started in an instance is btime + starttime / CLK_TCK as date(1) gives it
started_ok() {
	so_bt=$(awk '$1 == "btime" { print $2 }' /proc/stat) so_hz=$(getconf CLK_TCK)
	jq -r '.master, .groups[].processes[] | "\(.starttime) \(.started)"' "$1" | {
		so_n=0
		while read -r so_st so_started; do
			[ "$so_started" = "$(date -d "@$((so_bt + so_st / so_hz))" +%Y-%m-%dT%H:%M:%S%:z)" ] || exit 1
			so_n=$((so_n + 1))
		done
		[ "$so_n" -gt 1 ]
	}
}
# the shape of JSON: every path of keys, array positions as 0 (what a parser of it walks)
shape() { jq -c '[paths | map(if type == "number" then 0 else . end)] | unique' "$@"; }
count_children() { [ "$(children "$1" | wc -l)" = "$2" ]; }

# The test's own reading of /proc for master $1 (mod_cgid socket $2): "GROUP PID RSS PSS USS SWAP STARTTIME" per
# process, sorted. Apache's processes are named apache2 or httpd, so the fields of stat split on blanks.
own_view() {
	ov_master=$1
	ov_sock=$(awk -v path="$2" '$NF == path { print $7 }' /proc/net/unix)
	for ov_pid in $(children "$ov_master") "$ov_master"; do
		ov_stat=$(cat "/proc/$ov_pid/stat" 2>/dev/null) || continue
		ov_rss=$(echo "$ov_stat" | awk -v page="$PAGE" '{ printf "%.0f", $24 * page }')
		ov_start=$(echo "$ov_stat" | awk '{ print $22 }')
		ov_pss=$(awk '/^Pss:/ { printf "%.0f", $2 * 1024 }' "/proc/$ov_pid/smaps_rollup" 2>/dev/null)
		ov_more=$(awk '/^Private_(Clean|Dirty):/ { u += $2 } /^Swap:/ { w = $2 }
			END { if (NR) printf "%.0f %.0f", u * 1024, w * 1024 }' "/proc/$ov_pid/smaps_rollup" 2>/dev/null)
		ov_first=$(tr '\0' '\n' <"/proc/$ov_pid/cmdline" | head -n 1)
		case "$ov_pid:$ov_first" in
		"$ov_master:"*) ov_group=master ;;
		*":(wsgi:"*) ov_group=$(printf '%s' "$ov_first" | sed 's/^(\([^)]*\)).*/\1/') ;;
		*)
			if [ -n "$ov_sock" ] && ls -l "/proc/$ov_pid/fd" 2>/dev/null | grep -q "socket:\[$ov_sock\]"; then
				ov_group=helper:cgisock
			else
				ov_group=workers
			fi
			;;
		esac
		echo "$ov_group $ov_pid $ov_rss ${ov_pss:-none} ${ov_more:-none none} $ov_start"
	done | sort -k1,1 -k2,2n
}

# "NAME COUNT PIDS RSSMIN RSSMAX RSSTOTAL PSSMIN PSSMAX PSSTOTAL" per group of an own view
summarise() {
	awk '{
		g = $1; n[g]++; pids[g] = (n[g] > 1 ? pids[g] "," : "") $2
		if (!(g in rmin) || $3 < rmin[g]) rmin[g] = $3
		if ($3 > rmax[g]) rmax[g] = $3
		rtot[g] += $3
		if (!(g in pmin) || $4 < pmin[g]) pmin[g] = $4
		if ($4 > pmax[g]) pmax[g] = $4
		ptot[g] += $4
	} END {
		for (g in n) printf "%s %d %s %.0f %.0f %.0f %.0f %.0f %.0f\n", g, n[g], pids[g], rmin[g], rmax[g], rtot[g], pmin[g], pmax[g], ptot[g]
	}' "$1" | sort
}

# close_procs WANT GOT: "GROUP PID RSS PSS USS SWAP STARTTIME" per process, the same processes in both; RSS and
# the start time equal, PSS, USS and swap within 2% or 256 KiB (a page shared with a process started meanwhile is
# no longer private, and PSS divides it once more)
close_procs() {
	awk 'NR == FNR { want[$2] = $0; next }
	!($2 in want) { print "    unexpected: " $0; bad = 1; next }
	{
		split(want[$2], w, " ")
		delete want[$2]
		for (i = 1; i <= 7; i++) {
			d = w[i] - $i
			if (d < 0) d = -d
			tol = w[i] * 0.02 > 262144 ? w[i] * 0.02 : 262144
			if (w[i] "" != $i "" && (i < 4 || i == 7 || d > tol)) { print "    pid " $2 " field " i ": want " w[i] ", got " $i; bad = 1 }
		}
	}
	END { for (p in want) { print "    missing: " want[p]; bad = 1 } exit bad }' "$1" "$2"
}

# the same line per group from apache-mem's JSON (one instance object on stdin)
json_summary() {
	jq -r '.groups[] | "\(.name) \(.count) \(.pids | map(tostring) | join(",")) \(.rss.min) \(.rss.max) \(.rss.total) \(.pss.min) \(.pss.max) \(.pss.total)"' | sort
}

# close_match WANT GOT: the same groups with the same fields, except that PSS (fields 7 to 9) may differ by 2% or
# 256 KiB: PSS divides each shared page by the processes mapping it, and every process started meanwhile (this
# test's own awk and cat) maps libc too. RSS, counts and pids must be equal.
close_match() {
	awk 'NR == FNR { want[$1] = $0; next }
	!($1 in want) { print "    unexpected: " $0; bad = 1; next }
	{
		split(want[$1], w, " ")
		delete want[$1]
		for (i = 2; i <= 9; i++) {
			d = w[i] - $i
			if (d < 0) d = -d
			tol = i < 7 ? 0 : (w[i] * 0.02 > 262144 ? w[i] * 0.02 : 262144)
			if (w[i] "" != $i "" && (i < 7 || d > tol)) { print "    " $1 " field " i ": want " w[i] ", got " $i; bad = 1 }
		}
	}
	END { for (g in want) { print "    missing: " g; bad = 1 } exit bad }' "$1" "$2"
}

# stable_run MASTER SOCK COMMAND...: runs the command between two own views of the instance until both show the
# same processes with the same RSS (a worker replaced or a page touched meanwhile would make any comparison
# meaningless); $T/view is that view
stable_run() {
	sr_master=$1 sr_sock=$2
	shift 2
	for sr_try in 1 2 3 4 5 6 7 8 9 10; do
		own_view "$sr_master" "$sr_sock" >"$T/view"
		run "$@"
		own_view "$sr_master" "$sr_sock" >"$T/view2"
		[ "$(cut -d' ' -f1-3 "$T/view")" = "$(cut -d' ' -f1-3 "$T/view2")" ] && return 0
	done
	echo "  (the processes kept changing: $(diff "$T/view" "$T/view2" | head -c 300))"
	return 1
}

# ---- the main instance: prefork workers, mod_wsgi groups $ALPHA (2 processes) and beta (3), mod_cgid ----
D=$T/main
mkdir -p "$D"
# mod_wsgi writes display-name over argv[0], cut to its length: the master runs through a link with a path long
# enough to hold the whole name of 43 characters (its exe is still $APACHE2)
ALPHA=alpha-daemons-with-a-group-name-of-44-chars
ARGV0=$D/sbin-on-a-path-long-enough-for-the-display-names-of-mod-wsgi/apache2
mkdir -p "${ARGV0%/*}"
ln -s "$APACHE2" "$ARGV0"
cat >"$D/alpha.py" <<'EOF'
def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'alpha\n']
EOF
# beta holds 64 MiB of its own in every daemon process: bytes written, so the pages are really there
cat >"$D/beta.py" <<'EOF'
ballast = b'b' * (64 << 20)
def application(environ, start_response):
    start_response('200 OK', [('Content-Type', 'text/plain')])
    return [b'beta %d\n' % len(ballast)]
EOF
WSGI_CONF="LoadModule cgid_module $MODS/mod_cgid.so
ScriptSock $D/cgisock
LoadModule wsgi_module $MODS/mod_wsgi.so
WSGISocketPrefix $D/wsgi
WSGIDaemonProcess $ALPHA processes=2 threads=2 display-name=(wsgi:$ALPHA)
WSGIDaemonProcess beta processes=3 threads=1 display-name=(wsgi:beta)
WSGIScriptAlias /alpha $D/alpha.py process-group=$ALPHA application-group=%{GLOBAL}
WSGIScriptAlias /beta $D/beta.py process-group=beta application-group=%{GLOBAL}
WSGIImportScript $D/beta.py process-group=beta application-group=%{GLOBAL}"
for attempt in 1 2 3; do
	PORT=$(free_port)
	write_conf "$D" "$PORT" 4 "$WSGI_CONF"
	start_apache "$D" "$ARGV0" -f "$D/httpd.conf" && break
done
M1=${MASTER:-}
SOCK=$D/cgisock.$M1
if [ -z "$M1" ]; then
	not_ok "the test Apache did not start"
	finish
	exit
fi
# 4 workers, the cgid daemon, 2 + 3 WSGI daemons
check "Apache started with its 10 children" wait_for 30 count_children "$M1" 10
check "alpha answers" sh -c "curl -fsS http://127.0.0.1:$PORT/alpha | grep -qx alpha"
check "beta answers" sh -c "curl -fsS http://127.0.0.1:$PORT/beta | grep -qx 'beta 67108864'"
beta_loaded() {
	[ "$(own_view "$M1" "$SOCK" | awk -v min=$((64 << 20)) '$1 == "wsgi:beta" && $3 > min' | wc -l)" = 3 ]
}
check "every beta daemon holds its 64 MiB" wait_for 60 beta_loaded

# JSON against the test's own view
if stable_run "$M1" "$SOCK" "$PB" apache-mem --pidfile "$D/httpd.pid" --format json; then
	expect_status 0 "apache-mem --pidfile --format json"
	cp "$T/out" "$T/main.json"
	check "JSON: the apache-mem schema, version 1, one instance in the instances array" one_instance "$T/out"
	summarise "$T/view" >"$T/want"
	json_summary <"$T/inst" >"$T/got"
	check "JSON: counts, pids, RSS and PSS min/max/total of every group match /proc" close_match "$T/want" "$T/got"
	check "JSON: the groups are workers, the two WSGI groups (the long name whole), the cgid helper and the master" \
		[ "$(jq -r '[.groups[].name] | join(" ")' "$T/inst")" = "workers wsgi:$ALPHA wsgi:beta helper:cgisock master" ]
	check "JSON: 4 workers, 2 $ALPHA, 3 beta, 1 helper" \
		[ "$(jq -r '[.groups[].count] | join(" ")' "$T/inst")" = "4 2 3 1 1" ]
	check "JSON: the master" jqt --argjson m "$M1" --arg exe "$APACHE2" \
		'.master.pid == $m and .master.exe == $exe and .master.exe_name == "apache2" and .master.user == "root"' "$T/inst"
	check "JSON: the master's starttime is field 22 of its stat" jqt --argjson st "$(awk '{ print $22 }' "/proc/$M1/stat")" \
		'.master.starttime == $st' "$T/inst"
	check "JSON: the instance is the configuration file" jqt --arg c "$D/httpd.conf" '.instance == $c' "$T/inst"
	check "JSON: average is total/count, the median lies between min and max" jqt '[.groups[] | .rss, .pss, .uss, .swap |
		select(. != null)] | all(.min <= .median and .median <= .max and .min <= .average and .average <= .max)' "$T/inst"
	check "JSON: averages" jqt '[.groups[] | . as $g | (.rss, .pss) |
		((.average - .total / $g.count) | fabs) <= 0.5] | all' "$T/inst"
	check "JSON: PSS is below RSS for forked workers sharing memory" \
		jqt '.groups[] | select(.name == "workers") | .pss.total < .rss.total' "$T/inst"
	check "JSON: beta's daemons hold far more than $ALPHA's" jqt --arg a "wsgi:$ALPHA" '(.groups[] | select(.name == "wsgi:beta") | .uss.min) >
		(.groups[] | select(.name == $a) | .uss.max) + 60 * 1048576' "$T/inst"
	check "JSON: USS (private) is at most PSS" jqt '[.groups[] | .uss.total <= .pss.total] | all' "$T/inst"
	check "JSON: smaps readable, helpers known" jqt '.smaps_readable and .helpers_known' "$T/inst"
	check "nothing on stderr as root" [ ! -s "$T/err" ]
	# medians from the test's own values: the median of proc 1.0 (mean of the two middle ones for an even count)
	for g in workers "wsgi:$ALPHA" wsgi:beta; do
		want=$(awk -v g="$g" '$1 == g { print $3 }' "$T/view" | sort -n | awk '{ v[NR] = $1 } END {
			if (NR % 2) printf "%.0f", v[(NR + 1) / 2]; else printf "%.0f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
		check "JSON: RSS median of $g is $want" jqt --arg g "$g" --argjson w "$want" \
			'.groups[] | select(.name == $g) | (.rss.median - $w | fabs) <= 0.5' "$T/inst"
	done
	# each process's own values: the test's reading of stat and smaps_rollup, process by process
	jq -r '.groups[] | .name as $g | .processes[] | select(.group == $g) |
		"\(.group) \(.pid) \(.rss) \(.pss) \(.uss) \(.swap) \(.starttime)"' "$T/inst" | sort -k1,1 -k2,2n >"$T/got"
	check "JSON: every process's group, pid, RSS, PSS, USS, swap and starttime match /proc" close_procs "$T/view" "$T/got"
	check "JSON: each group's processes are its pids, in order" jqt '[.groups[] | [.processes[].pid] == .pids] | all' "$T/inst"
	check "JSON: a group's RSS and PSS totals are the sums of its processes'" \
		jqt '[.groups[] | .rss.total == ([.processes[].rss] | add) and .pss.total == ([.processes[].pss] | add)] | all' "$T/inst"
	check "JSON: started is the local time of the boot plus starttime, with the offset" started_ok "$T/inst"
else
	not_ok "no stable view of the test Apache for JSON"
fi

# text with -b: the same numbers in the table, the pids below it
if stable_run "$M1" "$SOCK" "$PB" apache-mem --pid "$M1" -b; then
	expect_status 0 "apache-mem --pid -b"
	cp "$T/out" "$T/main.txt"
	check "text: the first line names the master" \
		grep -qx "apache2 master $M1, user root, instance $D/httpd.conf" "$T/out"
	awk '
		/^GROUP/ { table = 1; next }
		/^PIDS$/ { table = 0; pids = 1; next }
		table && /^[^ ]/ { g = $1; n[g] = $2; v[g, $3] = $4 " " $7 " " $8; next }
		table { v[g, $1] = $2 " " $5 " " $6; next }
		pids { p[$1] = $2; for (i = 3; i <= NF; i++) p[$1] = p[$1] "," $i }
		END { for (g in n) { split(v[g, "rss"], r, " "); split(v[g, "pss"], s, " ")
			print g, n[g], p[g], r[1], r[2], r[3], s[1], s[2], s[3] } }' "$T/out" | sort >"$T/got"
	summarise "$T/view" >"$T/want"
	check "text: counts, pids, RSS and PSS min/max/total match /proc" close_match "$T/want" "$T/got"
else
	not_ok "no stable view of the test Apache for text"
fi
run "$PB" apache-mem --pid "$M1"
check "text: human sizes by default" grep -Eq '^wsgi:beta +3 +rss +[0-9.]+M ' "$T/out"
check "text: the group of 44 characters whole, its column as wide" grep -Eq "^wsgi:$ALPHA  +2 +rss " "$T/out"
cp "$T/out" "$T/main-human.txt"

# text --per-process: a row per process in place of the pids, the largest PSS first, sizes as /proc has them
if stable_run "$M1" "$SOCK" "$PB" apache-mem --pid "$M1" --per-process -b; then
	expect_status 0 "apache-mem --per-process -b"
	cp "$T/out" "$T/main-processes.txt"
	check "--per-process: no list of pids" sh -c "! grep -qx PIDS '$T/out'"
	check "--per-process: the header of the process table" grep -Eq '^ *PID  GROUP +RSS +PSS +USS +SWAP$' "$T/out"
	sed '1,/^ *PID  GROUP/d' "$T/out" >"$T/rows"
	check "--per-process: one row per process (11)" [ "$(wc -l <"$T/rows")" = 11 ]
	check "--per-process: the largest PSS first" sh -c "awk '{ print \$4 }' '$T/rows' | sort -rnc"
	awk '{ print $2, $1, $3, $4, $5, $6, 0 }' "$T/rows" | sort -k1,1 -k2,2n >"$T/got"
	awk '{ print $1, $2, $3, $4, $5, $6, 0 }' "$T/view" >"$T/want"
	check "--per-process: group, pid, RSS, PSS, USS and swap of every process match /proc" close_procs "$T/want" "$T/got"
	check "--per-process: the long group name whole in its column" grep -Eq "^ *[0-9]+  wsgi:$ALPHA  +[0-9]+ " "$T/rows"
else
	not_ok "no stable view of the test Apache for --per-process"
fi

# Prometheus: promtool's own check, then the values
if stable_run "$M1" "$SOCK" "$PB" apache-mem --pid "$M1" --format prometheus; then
	expect_status 0 "apache-mem --format prometheus"
	cp "$T/out" "$T/main.prom"
	check "promtool check metrics accepts it" sh -c "promtool check metrics <'$T/out' >'$T/promtool' 2>&1"
	[ -s "$T/promtool" ] && echo "    promtool: $(head -c 300 "$T/promtool")"
	check "HELP and TYPE for every family" sh -c "[ \$(grep -c '^# TYPE apache_mem_[a-z_]* gauge$' '$T/out') = 6 ] &&
		[ \$(grep -c '^# HELP apache_mem_' '$T/out') = 6 ]"
	awk -v inst="$D/httpd.conf" '
		/^#/ { next }
		{ name = $1; sub(/\{.*/, "", name); lab = $1; sub(/^[^{]*\{/, "", lab); sub(/\}$/, "", lab)
		  if (index(lab, "instance=\"" inst "\"") != 1) next
		  if (!match(lab, /group="[^"]*"/)) next
		  g = substr(lab, RSTART + 7, RLENGTH - 8)
		  st = ""; if (match(lab, /statistic="[^"]*"/)) st = substr(lab, RSTART + 11, RLENGTH - 12)
		  v[g, name, st] = $2; seen[g] = 1 }
		END { for (g in seen) print g, v[g, "apache_mem_processes", ""], "-", v[g, "apache_mem_rss_bytes", "min"],
			v[g, "apache_mem_rss_bytes", "max"], v[g, "apache_mem_rss_bytes", "total"], v[g, "apache_mem_pss_bytes", "min"],
			v[g, "apache_mem_pss_bytes", "max"], v[g, "apache_mem_pss_bytes", "total"] }' "$T/out" | sort >"$T/got"
	summarise "$T/view" | awk '{ $3 = "-"; print }' >"$T/want"
	check "Prometheus: processes and RSS/PSS min/max/total of every group match /proc" close_match "$T/want" "$T/got"
	check "Prometheus: the master's info series" \
		grep -qx "apache_mem_master_info{instance=\"$D/httpd.conf\",pid=\"$M1\",exe=\"$APACHE2\",user=\"root\"} 1" "$T/out"
	check "Prometheus: no series per process unless asked" sh -c "! grep -q '^apache_mem_process_' '$T/out'"
else
	not_ok "no stable view of the test Apache for Prometheus"
fi
# --per-process: a series per process and kind of memory, labelled with its group and pid
if stable_run "$M1" "$SOCK" "$PB" apache-mem --pid "$M1" --format prometheus --per-process; then
	cp "$T/out" "$T/main-processes.prom"
	check "Prometheus --per-process: promtool check metrics accepts it" sh -c "promtool check metrics <'$T/out' >/dev/null 2>&1"
	check "Prometheus --per-process: HELP and TYPE for the 4 more families" \
		[ "$(grep -c '^# TYPE apache_mem_process_[a-z]*_bytes gauge$' "$T/out")" = 4 ]
	awk -v inst="$D/httpd.conf" '
		/^apache_mem_process_/ {
			name = $1; sub(/\{.*/, "", name); sub(/^apache_mem_process_/, "", name); sub(/_bytes$/, "", name)
			lab = $1; if (!index(lab, "{instance=\"" inst "\",group=\"")) next
			match(lab, /group="[^"]*"/); g = substr(lab, RSTART + 7, RLENGTH - 8)
			match(lab, /pid="[0-9]+"/); p = substr(lab, RSTART + 5, RLENGTH - 6)
			grp[p] = g; v[p, name] = $2 }
		END { for (p in grp) print grp[p], p, v[p, "rss"], v[p, "pss"], v[p, "uss"], v[p, "swap"], 0 }' "$T/out" |
		sort -k1,1 -k2,2n >"$T/got"
	awk '{ print $1, $2, $3, $4, $5, $6, 0 }' "$T/view" >"$T/want"
	check "Prometheus --per-process: group, pid, RSS, PSS, USS and swap of every process match /proc" \
		close_procs "$T/want" "$T/got"
else
	not_ok "no stable view of the test Apache for Prometheus --per-process"
fi

# smaps only for the processes reported: one smaps_rollup per process of the instance, nothing else
if command -v strace >/dev/null 2>&1; then
	own_view "$M1" "$SOCK" | awk '{ print $2 }' | sort -n >"$T/want"
	strace -f -e trace=openat -o "$T/trace" "$PB" apache-mem --pid "$M1" >/dev/null 2>&1
	grep -o '"[0-9]*/smaps_rollup"' "$T/trace" | tr -dc '0-9\n' | sort -n >"$T/got"
	check "--pid: smaps_rollup read once for each process of the instance, and for no other" diff -u "$T/want" "$T/got"
	strace -f -e trace=openat -o "$T/trace" "$PB" apache-mem -f json >"$T/all.json" 2>/dev/null
	check "every instance: as many smaps_rollup reads as processes reported" [ "$(grep -c '/smaps_rollup"' "$T/trace")" = \
		"$(jq '[.instances[].groups[].count] | add' "$T/all.json")" ]
else
	skip "strace not installed"
fi

# a worker's pid leads to its master
W1=$(awk '$1 == "workers" { print $2; exit }' "$T/view")
run "$PB" apache-mem --pid "$W1" -f json
check "--pid of a worker reports its master" jqt --argjson m "$M1" '.instances[0].master.pid == $m' "$T/out"
# PID@STARTTIME: the worker with its own start time leads to its master; another start time is not that worker
W1_START=$(awk '{ print $22 }' "/proc/$W1/stat")
run "$PB" apache-mem --pid "$W1@$W1_START" -f json
check "--pid PID@STARTTIME of a worker reports its master" jqt --argjson m "$M1" '.instances[0].master.pid == $m' "$T/out"
run "$PB" apache-mem --pid "$W1@$((W1_START + 1))"
expect_status 1 "--pid PID@STARTTIME with another start time"
one_error_line "apache-mem: Apache is not running: no process $W1 with that start time"
run "$PB" apache-mem --pid "$W1@99999999999999"
expect_status 2 "--pid PID@STARTTIME with a start time after now"

# -o: written atomically, readable by others, stdout empty; a reader never sees half a file
mkdir "$T/textfile"
run "$PB" apache-mem --pid "$M1" -f prometheus -o "$T/textfile/apache.prom"
expect_status 0 "-o FILE"
check "-o: nothing on stdout" [ ! -s "$T/out" ]
check "-o: the file passes promtool" sh -c "promtool check metrics <'$T/textfile/apache.prom' >/dev/null 2>&1"
check "-o: mode 0644 under umask 022" [ "$(stat -c %a "$T/textfile/apache.prom")" = 644 ]
check "-o: no temporary file left" [ "$(ls -A "$T/textfile")" = apache.prom ]
(
	i=0
	while [ $i -lt 40 ]; do
		"$PB" apache-mem --pid "$M1" -f prometheus -o "$T/textfile/apache.prom" || echo "writer failed" >>"$T/torn"
		i=$((i + 1))
	done
) &
WRITER=$!
track "$WRITER"
torn=0 reads=0
while kill -0 "$WRITER" 2>/dev/null; do
	cp "$T/textfile/apache.prom" "$T/read.prom" 2>/dev/null || continue
	reads=$((reads + 1))
	head -n 1 "$T/read.prom" | grep -q '^# HELP apache_mem_master_info ' &&
		tail -n 1 "$T/read.prom" | grep -q '^apache_mem_swap_bytes{.*statistic="total"} [0-9]*$' || torn=$((torn + 1))
done
wait "$WRITER"
check "-o: $reads reads during 40 rewrites, none saw half a file" test "$torn" = 0 -a ! -e "$T/torn" -a "$reads" -gt 0
check "-o: still no temporary file left" [ "$(ls -A "$T/textfile")" = apache.prom ]
run "$PB" apache-mem --pid "$M1" -o "$T/no-such-dir/apache.prom"
expect_status 1 "-o into a missing directory"
one_error_line "apache-mem: cannot write $T/no-such-dir/apache.prom: "

# ---- not root: RSS only, and one note ----
if stable_run "$M1" "$SOCK" setpriv --reuid=46006 --regid=46006 --clear-groups "$PB" apache-mem --pidfile "$D/httpd.pid" -f json; then
	expect_status 0 "as an unprivileged user"
	one_error_line "apache-mem: PSS, USS and swap need root: showing RSS only"
	check "not root: the apache-mem schema, one instance" one_instance "$T/out"
	check "not root: PSS, USS and swap are null" jqt '[.groups[] | .pss, .uss, .swap] | all(. == null)' "$T/inst"
	check "not root: and null for each process, whose RSS is known" \
		jqt '[.groups[].processes[] | .pss == null and .uss == null and .swap == null and .rss > 0] | all' "$T/inst"
	check "not root: smaps not readable, helpers not known" jqt '(.smaps_readable | not) and (.helpers_known | not)' "$T/inst"
	# the cgid daemon cannot be told from a worker without its descriptors; everything else is as root sees it
	awk '{ sub(/^helper:cgisock$/, "workers", $1); print $1, $2 }' "$T/view" | sort -k1,1 -k2,2n |
		awk '{ n[$1]++; p[$1] = (n[$1] > 1 ? p[$1] "," : "") $2 } END { for (g in p) print g, p[g] }' | sort >"$T/want"
	jq -r '.groups[] | "\(.name) \(.pids | map(tostring) | join(","))"' "$T/inst" | sort >"$T/got"
	check "not root: the same processes, the cgid daemon among the workers" diff -u "$T/want" "$T/got"
	awk '$1 ~ /^wsgi:|^master$/ { t[$1] += $3 } END { for (g in t) printf "%s %.0f\n", g, t[g] }' "$T/view" | sort >"$T/want"
	jq -r '.groups[] | select(.kind != "workers") | "\(.name) \(.rss.total)"' "$T/inst" | sort >"$T/got"
	check "not root: RSS totals match /proc" diff -u "$T/want" "$T/got"
else
	not_ok "no stable view of the test Apache as an unprivileged user"
fi
run setpriv --reuid=46006 --regid=46006 --clear-groups "$PB" apache-mem --pid "$M1"
check "not root, text: only rss rows" sh -c "! grep -Eq '^ +(pss|uss|swap) ' '$T/out' && grep -Eq '^workers +[0-9]+ +rss ' '$T/out'"
run setpriv --reuid=46006 --regid=46006 --clear-groups "$PB" apache-mem --pid "$M1" -q -f prometheus
check "not root, -q: no note" [ ! -s "$T/err" ]
check "not root: Prometheus without PSS families still passes promtool" \
	sh -c "! grep -q apache_mem_pss '$T/out' && promtool check metrics <'$T/out' >/dev/null 2>&1"

# ---- a second Apache in the foreground, started from a shell: its parent is that shell, not init ----
D2=$T/fg
mkdir -p "$D2"
M2=
for attempt in 1 2 3; do
	write_conf "$D2" "$(free_port)" 2 ""
	rm -f "$D2/exited"
	# its own session: prefork's shutdown signals the master's whole process group, which would be this test's
	setsid sh -c "'$APACHE2' -DFOREGROUND -f '$D2/httpd.conf'; echo \$? >'$D2/exited'" >"$D2/start.log" 2>&1 &
	SH2=$!
	track "$SH2"
	wait_for 20 sh -c "test -s '$D2/httpd.pid' || test -e '$D2/exited'"
	if [ -s "$D2/httpd.pid" ]; then
		M2=$(cat "$D2/httpd.pid")
		MASTERS="$MASTERS $M2"
		track "$M2"
		break
	fi
	kill "$SH2" 2>/dev/null
done
check "the foreground Apache's parent is the shell" [ "$(cut -d' ' -f4 "/proc/$M2/stat")" = "$SH2" ]
check "it started its 2 workers" wait_for 30 count_children "$M2" 2
if stable_run "$M2" "" "$PB" apache-mem -P "$D2/httpd.pid" -f json; then
	check "foreground: the apache-mem schema, one instance" one_instance "$T/out"
	summarise "$T/view" >"$T/want"
	json_summary <"$T/inst" >"$T/got"
	check "foreground: groups match /proc" close_match "$T/want" "$T/got"
	check "foreground: the master under the shell" jqt --argjson s "$SH2" '.master.ppid == $s' "$T/inst"
	cp "$T/out" "$T/one.json"
else
	not_ok "no stable view of the foreground Apache"
fi

# ---- an executable named httpd ----
D3=$T/httpd
mkdir -p "$D3/bin"
cp "$APACHE2" "$D3/bin/httpd"
for attempt in 1 2 3; do
	write_conf "$D3" "$(free_port)" 3 ""
	start_apache "$D3" "$D3/bin/httpd" -f "$D3/httpd.conf" && break
done
M3=$MASTER
check "httpd started its 3 workers" wait_for 30 count_children "$M3" 3
if stable_run "$M3" "" "$PB" apache-mem --exe-name httpd -f json; then
	expect_status 0 "--exe-name httpd"
	# only ours unless someone else runs an httpd: then it is an array holding ours
	check "--exe-name httpd: the apache-mem schema" json_valid apache-mem "$T/out"
	jq -c --argjson m "$M3" '.instances[] | select(.master.pid == $m)' "$T/out" >"$T/httpd.json"
	check "--exe-name httpd finds the httpd master" [ -s "$T/httpd.json" ]
	summarise "$T/view" >"$T/want"
	json_summary <"$T/httpd.json" >"$T/got"
	check "httpd: groups match /proc" close_match "$T/want" "$T/got"
	check "httpd: exe_name and exe" jqt --arg e "$D3/bin/httpd" '.master.exe_name == "httpd" and .master.exe == $e' "$T/httpd.json"
else
	not_ok "no stable view of the httpd Apache"
fi
run "$PB" apache-mem --exe-name httpd --pid "$(children "$M3" | head -n 1)" -f json
check "--exe-name httpd with the pid of one of its workers" jqt --argjson m "$M3" '.instances[0].master.pid == $m' "$T/out"
run "$PB" apache-mem --exe-name apache2 -f json
check "--exe-name apache2 leaves httpd out" jqt --argjson m "$M3" '[.instances[].master.pid] | index($m) == null' "$T/out"

# ---- every instance at once: the default names find all three, each on its own ----
run "$PB" apache-mem -f json
expect_status 0 "apache-mem with three instances running"
check "several instances: the apache-mem schema" json_valid apache-mem "$T/out"
check "several instances: one object, its instances array of 3 or more" jqt '.instances | length >= 3' "$T/out"
for pair in "$M1:4" "$M2:2" "$M3:3"; do
	m=${pair%:*} n=${pair#*:}
	check "several instances: master $m with $n workers" jqt --argjson m "$m" --argjson n "$n" \
		'[.instances[] | select(.master.pid == $m) | .groups[] | select(.name == "workers") | .count] == [$n]' "$T/out"
done
check "several instances: distinct instance labels" jqt '[.instances[].instance] | length == (unique | length)' "$T/out"
# one instance or two: the same document, only the instances array is longer
run "$PB" apache-mem -f json -P "$D2/httpd.pid" -P "$D3/httpd.pid"
check "two instances: the apache-mem schema" json_valid apache-mem "$T/out"
check "two instances: two objects in instances, in the order asked" jqt --argjson a "$M2" --argjson b "$M3" \
	'[.instances[].master.pid] == [$a, $b]' "$T/out"
check "one instance and two have the same shape" [ "$(shape "$T/one.json")" = "$(jq '{version, instances: [.instances[0]]}' "$T/out" | shape)" ]
check "one instance and two have the same top level" [ "$(jq -c 'keys_unsorted' "$T/one.json")" = "$(jq -c 'keys_unsorted' "$T/out")" ]
run "$PB" apache-mem
check "several instances, text: one block each" [ "$(grep -Ec "^(apache2|httpd) master ($M1|$M2|$M3), " "$T/out")" = 3 ]
run "$PB" apache-mem -f prometheus
check "several instances: promtool accepts them" sh -c "promtool check metrics <'$T/out' >/dev/null 2>&1"
check "several instances: one info series each" \
	[ "$(grep -Ec "^apache_mem_master_info\{.*pid=\"($M1|$M2|$M3)\"" "$T/out")" = 3 ]

# ---- a worker that ends while apache-mem runs is left out, never an error ----
vanish_ok=1
for i in 1 2 3 4 5 6 7 8; do
	victim=$(children "$M3" | head -n 1)
	"$PB" apache-mem --pid "$M3" -f json >"$T/vanish.json" 2>"$T/vanish.err" &
	pbpid=$!
	kill -KILL "$victim" 2>/dev/null
	wait "$pbpid" || vanish_ok=0
	jq -e '.instances[0].groups[0].name == "workers"' "$T/vanish.json" >/dev/null || vanish_ok=0
	json_valid apache-mem "$T/vanish.json" || vanish_ok=0
	[ -s "$T/vanish.err" ] && vanish_ok=0
done
check "workers killed during 8 runs: every run exits 0 with a report and nothing on stderr" [ "$vanish_ok" = 1 ]

# ---- failure paths ----
run "$PB" apache-mem --format xml
expect_status 2 "an unknown format"
one_error_line "apache-mem: unknown format 'xml'"
run "$PB" apache-mem --pid abc
expect_status 2 "a bad pid"
run "$PB" apache-mem --pid "$M1" --exe-name httpd
expect_status 1 "--pid of an apache2 master with --exe-name httpd"
one_error_line "apache-mem: Apache is not running: process $M1 is apache2, not httpd"
sleep 86400 &
SLEEPER=$!
track "$SLEEPER"
# until it has exec'd sleep: before, it is a copy of this shell, whose parent runs the same executable
wait_for 5 sh -c "[ \"\$(cat /proc/$SLEEPER/comm)\" = sleep ]"
echo "$SLEEPER" >"$T/stale.pid"
run "$PB" apache-mem --pidfile "$T/stale.pid"
expect_status 1 "a pid file whose pid another program has taken"
one_error_line "apache-mem: Apache is not running: process $SLEEPER is sleep, not apache2 or httpd"
kill "$SLEEPER"
wait "$SLEEPER" 2>/dev/null
run "$PB" apache-mem extra
expect_status 2 "an argument"
run "$PB" apache-mem --bogus
expect_status 2 "an unknown option"
one_error_line "apache-mem: "
echo "not a pid" >"$T/bad.pid"
run "$PB" apache-mem --pidfile "$T/bad.pid"
expect_status 1 "a pid file without a pid"
one_error_line "apache-mem: $T/bad.pid holds no pid"
run "$PB" apache-mem --exe-name pbam-no-such-server
expect_status 1 "no master of that name"
one_error_line "apache-mem: Apache is not running: found no pbam-no-such-server process"
check "nothing on stdout when Apache is not running" [ ! -s "$T/out" ]

# ---- Apache stopped ----
stop_masters
wait_for 10 sh -c "! kill -0 $SH2 2>/dev/null"
TRACKED="" # all ended: nothing for cleanup to kill, and no pid of theirs that may be reused by now
check "every test Apache stopped" sh -c "! kill -0 $M1 2>/dev/null && ! kill -0 $M2 2>/dev/null && ! kill -0 $M3 2>/dev/null"
run "$PB" apache-mem --pidfile "$D/httpd.pid"
expect_status 1 "Apache stopped: its pid file is gone"
one_error_line "apache-mem: cannot read the pid file $D/httpd.pid: No such file or directory"
run "$PB" apache-mem --pid "$M1"
expect_status 1 "Apache stopped: its old pid"
one_error_line "apache-mem: Apache is not running: no process $M1"
check "nothing on stdout" [ ! -s "$T/out" ]
if [ -z "$(ps -C apache2,httpd -o pid= 2>/dev/null)" ]; then
	run "$PB" apache-mem -f json
	expect_status 1 "Apache stopped: no master anywhere"
	one_error_line "apache-mem: Apache is not running: found no apache2 or httpd process"
	check "nothing on stdout, not even for JSON" [ ! -s "$T/out" ]
else
	skip "another Apache runs on this machine: the search for none cannot be tested"
fi

# the outputs of the real test Apache, for the record
if [ -n "${APACHE_MEM_SHOW:-}" ]; then
	for f in main-human.txt main.txt main-processes.txt main.json main.prom main-processes.prom; do
		echo "---- $f"
		cat "$T/$f"
	done
fi

finish
