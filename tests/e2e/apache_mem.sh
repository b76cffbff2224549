#!/bin/sh
# apache-mem: a real Apache (prefork, two mod_wsgi daemon groups, mod_cgid), one in the foreground under a shell and
# one named httpd; counts, pids and sizes against the test's own reading of /proc, in text, JSON and Prometheus
# (promtool); -o, no root, Apache stopped, and the failure paths.
. "$(dirname "$0")/lib.sh"

APACHE2=/usr/sbin/apache2
MODS=/usr/lib/apache2/modules
PAGE=$(getconf PAGESIZE)
MASTERS=""

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

# jq -e without the printed result
jqt() { jq -e "$@" >/dev/null; }
count_children() { [ "$(children "$1" | wc -l)" = "$2" ]; }

# The test's own reading of /proc for master $1 (mod_cgid socket $2): "GROUP PID RSS PSS" per process, sorted.
# Apache's processes are named apache2 or httpd, so the fields of stat split on blanks.
own_view() {
	ov_master=$1
	ov_sock=$(awk -v path="$2" '$NF == path { print $7 }' /proc/net/unix)
	for ov_pid in $(children "$ov_master") "$ov_master"; do
		ov_stat=$(cat "/proc/$ov_pid/stat" 2>/dev/null) || continue
		ov_rss=$(echo "$ov_stat" | awk -v page="$PAGE" '{ printf "%.0f", $24 * page }')
		ov_pss=$(awk '/^Pss:/ { printf "%.0f", $2 * 1024 }' "/proc/$ov_pid/smaps_rollup" 2>/dev/null)
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
		echo "$ov_group $ov_pid $ov_rss ${ov_pss:-none}"
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

# ---- the main instance: prefork workers, mod_wsgi groups alpha (2 processes) and beta (3), mod_cgid ----
D=$T/main
mkdir -p "$D"
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
WSGIDaemonProcess alpha processes=2 threads=2 display-name=(wsgi:alpha)
WSGIDaemonProcess beta processes=3 threads=1 display-name=(wsgi:beta)
WSGIScriptAlias /alpha $D/alpha.py process-group=alpha application-group=%{GLOBAL}
WSGIScriptAlias /beta $D/beta.py process-group=beta application-group=%{GLOBAL}
WSGIImportScript $D/beta.py process-group=beta application-group=%{GLOBAL}"
for attempt in 1 2 3; do
	PORT=$(free_port)
	write_conf "$D" "$PORT" 4 "$WSGI_CONF"
	start_apache "$D" "$APACHE2" -f "$D/httpd.conf" && break
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
	summarise "$T/view" >"$T/want"
	json_summary <"$T/out" >"$T/got"
	check "JSON: counts, pids, RSS and PSS min/max/total of every group match /proc" close_match "$T/want" "$T/got"
	check "JSON: the groups are workers, the two WSGI groups, the cgid helper and the master" \
		[ "$(jq -r '[.groups[].name] | join(" ")' "$T/out")" = "workers wsgi:alpha wsgi:beta helper:cgisock master" ]
	check "JSON: 4 workers, 2 alpha, 3 beta, 1 helper" \
		[ "$(jq -r '[.groups[].count] | join(" ")' "$T/out")" = "4 2 3 1 1" ]
	check "JSON: the master" jqt --argjson m "$M1" --arg exe "$APACHE2" \
		'.master.pid == $m and .master.exe == $exe and .master.exe_name == "apache2" and .master.user == "root"' "$T/out"
	check "JSON: the instance is the configuration file" jqt --arg c "$D/httpd.conf" '.instance == $c' "$T/out"
	check "JSON: average is total/count, the median lies between min and max" jqt '[.groups[] | .rss, .pss, .uss, .swap |
		select(. != null)] | all(.min <= .median and .median <= .max and .min <= .average and .average <= .max)' "$T/out"
	check "JSON: averages" jqt '[.groups[] | . as $g | (.rss, .pss) |
		((.average - .total / $g.count) | fabs) <= 0.5] | all' "$T/out"
	check "JSON: PSS is below RSS for forked workers sharing memory" \
		jqt '.groups[] | select(.name == "workers") | .pss.total < .rss.total' "$T/out"
	check "JSON: beta's daemons hold far more than alpha's" jqt '(.groups[] | select(.name == "wsgi:beta") | .uss.min) >
		(.groups[] | select(.name == "wsgi:alpha") | .uss.max) + 60 * 1048576' "$T/out"
	check "JSON: USS (private) is at most PSS" jqt '[.groups[] | .uss.total <= .pss.total] | all' "$T/out"
	check "JSON: smaps readable, helpers known" jqt '.smaps_readable and .helpers_known' "$T/out"
	check "nothing on stderr as root" [ ! -s "$T/err" ]
	# medians from the test's own values: the median of proc 1.0 (mean of the two middle ones for an even count)
	for g in workers wsgi:alpha wsgi:beta; do
		want=$(awk -v g="$g" '$1 == g { print $3 }' "$T/view" | sort -n | awk '{ v[NR] = $1 } END {
			if (NR % 2) printf "%.0f", v[(NR + 1) / 2]; else printf "%.0f", (v[NR / 2] + v[NR / 2 + 1]) / 2 }')
		check "JSON: RSS median of $g is $want" jqt --arg g "$g" --argjson w "$want" \
			'.groups[] | select(.name == $g) | (.rss.median - $w | fabs) <= 0.5' "$T/out"
	done
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
cp "$T/out" "$T/main-human.txt"

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
else
	not_ok "no stable view of the test Apache for Prometheus"
fi

# smaps only for the processes reported: one smaps_rollup per process of the instance, nothing else
if command -v strace >/dev/null 2>&1; then
	own_view "$M1" "$SOCK" | awk '{ print $2 }' | sort -n >"$T/want"
	strace -f -e trace=openat -o "$T/trace" "$PB" apache-mem --pid "$M1" >/dev/null 2>&1
	grep -o '"[0-9]*/smaps_rollup"' "$T/trace" | tr -dc '0-9\n' | sort -n >"$T/got"
	check "--pid: smaps_rollup read once for each process of the instance, and for no other" diff -u "$T/want" "$T/got"
	strace -f -e trace=openat -o "$T/trace" "$PB" apache-mem -f json >"$T/all.json" 2>/dev/null
	check "every instance: as many smaps_rollup reads as processes reported" [ "$(grep -c '/smaps_rollup"' "$T/trace")" = \
		"$(jq -s '[.[] | (arrays | .[]), objects | .groups[].count] | add' "$T/all.json")" ]
else
	skip "strace not installed"
fi

# a worker's pid leads to its master
W1=$(awk '$1 == "workers" { print $2; exit }' "$T/view")
run "$PB" apache-mem --pid "$W1" -f json
check "--pid of a worker reports its master" jqt --argjson m "$M1" '.master.pid == $m' "$T/out"

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
	check "not root: PSS, USS and swap are null" jqt '[.groups[] | .pss, .uss, .swap] | all(. == null)' "$T/out"
	check "not root: smaps not readable, helpers not known" jqt '(.smaps_readable | not) and (.helpers_known | not)' "$T/out"
	# the cgid daemon cannot be told from a worker without its descriptors; everything else is as root sees it
	awk '{ sub(/^helper:cgisock$/, "workers", $1); print $1, $2 }' "$T/view" | sort -k1,1 -k2,2n |
		awk '{ n[$1]++; p[$1] = (n[$1] > 1 ? p[$1] "," : "") $2 } END { for (g in p) print g, p[g] }' | sort >"$T/want"
	jq -r '.groups[] | "\(.name) \(.pids | map(tostring) | join(","))"' "$T/out" | sort >"$T/got"
	check "not root: the same processes, the cgid daemon among the workers" diff -u "$T/want" "$T/got"
	awk '$1 ~ /^wsgi:|^master$/ { t[$1] += $3 } END { for (g in t) printf "%s %.0f\n", g, t[g] }' "$T/view" | sort >"$T/want"
	jq -r '.groups[] | select(.kind != "workers") | "\(.name) \(.rss.total)"' "$T/out" | sort >"$T/got"
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
	summarise "$T/view" >"$T/want"
	json_summary <"$T/out" >"$T/got"
	check "foreground: groups match /proc" close_match "$T/want" "$T/got"
	check "foreground: the master under the shell" jqt --argjson s "$SH2" '.master.ppid == $s' "$T/out"
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
	jq -c --argjson m "$M3" '(arrays | .[]), objects | select(.master.pid == $m)' "$T/out" >"$T/httpd.json"
	check "--exe-name httpd finds the httpd master" [ -s "$T/httpd.json" ]
	summarise "$T/view" >"$T/want"
	json_summary <"$T/httpd.json" >"$T/got"
	check "httpd: groups match /proc" close_match "$T/want" "$T/got"
	check "httpd: exe_name and exe" jqt --arg e "$D3/bin/httpd" '.master.exe_name == "httpd" and .master.exe == $e' "$T/httpd.json"
else
	not_ok "no stable view of the httpd Apache"
fi
run "$PB" apache-mem --exe-name httpd --pid "$(children "$M3" | head -n 1)" -f json
check "--exe-name httpd with the pid of one of its workers" jqt --argjson m "$M3" '.master.pid == $m' "$T/out"
run "$PB" apache-mem --exe-name apache2 -f json
check "--exe-name apache2 leaves httpd out" jqt --argjson m "$M3" '[(arrays | .[]), objects | .master.pid] | index($m) == null' "$T/out"

# ---- every instance at once: the default names find all three, each on its own ----
run "$PB" apache-mem -f json
expect_status 0 "apache-mem with three instances running"
check "several instances: a JSON array" jqt 'type == "array" and length >= 3' "$T/out"
for pair in "$M1:4" "$M2:2" "$M3:3"; do
	m=${pair%:*} n=${pair#*:}
	check "several instances: master $m with $n workers" jqt --argjson m "$m" --argjson n "$n" \
		'[.[] | select(.master.pid == $m) | .groups[] | select(.name == "workers") | .count] == [$n]' "$T/out"
done
check "several instances: distinct instance labels" jqt '[.[].instance] | length == (unique | length)' "$T/out"
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
	jq -e '.groups[0].name == "workers"' "$T/vanish.json" >/dev/null || vanish_ok=0
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
	for f in main-human.txt main.txt main.json main.prom; do
		echo "---- $f"
		cat "$T/$f"
	done
fi

finish
