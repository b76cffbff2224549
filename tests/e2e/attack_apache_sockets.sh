#!/bin/sh
# apache-mem as root against a local attacker who forges a line of /proc/net/unix (a socket path with a
# newline) claiming that the TCP connection a worker holds for him is a listening unix socket of his naming:
# the worker would be reported as a helper called after it.
. "$(dirname "$0")/lib.sh"

APACHE2=/usr/sbin/apache2
MODS=/usr/lib/apache2/modules
MASTER=""

if [ ! -x "$APACHE2" ] || [ ! -e "$MODS/mod_mpm_prefork.so" ] || ! command -v curl >/dev/null 2>&1; then
	skip "apache2 (prefork) or curl not installed"
	finish
	exit
fi
if [ "$(id -u)" != 0 ] || ! id www-data >/dev/null 2>&1; then
	skip "starting Apache with workers of www-data and an attacker account needs root and that user"
	finish
	exit
fi
[ -x "$HELPERS/forge_net_unix" ] || { not_ok "$HELPERS/forge_net_unix is missing: make build/test-helpers/forge_net_unix"; finish; exit; }

stop_master() {
	[ -n "$MASTER" ] || return 0
	kill -TERM "$MASTER" 2>/dev/null
	wait_for 20 sh -c "! kill -0 $MASTER 2>/dev/null" || kill -KILL "$MASTER" 2>/dev/null
	MASTER=""
}
X=$(mktemp -d /tmp/XXXX)
trap 'stop_master; rm -rf "$X"; cleanup' EXIT

# a loopback port nobody listens on (state 0A in /proc/net/tcp)
free_port() {
	while :; do
		port=$(($(od -An -N2 -tu2 /dev/urandom) % 25000 + 35000))
		grep -q ":$(printf '%04X' "$port") 00000000:0000 0A" /proc/net/tcp || { echo "$port"; return; }
	done
}

D=$T/apache
mkdir -p "$D/htdocs"
echo "text/plain txt" >"$D/mime.types"
for attempt in 1 2 3; do
	PORT=$(free_port)
	cat >"$D/httpd.conf" <<EOF
ServerRoot $D
DefaultRuntimeDir $D
PidFile $D/httpd.pid
ErrorLog $D/error.log
Mutex file:$D default
Listen 127.0.0.1:$PORT
ServerName 127.0.0.1
DocumentRoot $D/htdocs
LoadModule mpm_prefork_module $MODS/mod_mpm_prefork.so
LoadModule authz_core_module $MODS/mod_authz_core.so
User www-data
Group www-data
StartServers 2
MinSpareServers 2
MaxSpareServers 4
Timeout 120
EOF
	rm -f "$D/httpd.pid"
	if "$APACHE2" -f "$D/httpd.conf" >"$D/start.log" 2>&1 && wait_for 20 test -s "$D/httpd.pid"; then
		MASTER=$(cat "$D/httpd.pid")
		track "$MASTER"
		break
	fi
done
[ -n "$MASTER" ] || { not_ok "the test Apache did not start: $(tail -n 3 "$D/start.log" "$D/error.log" 2>/dev/null)"; finish; exit; }

# ---- the attacker starts a request and never ends it: one worker holds the connection for him (a first line
# is needed: Apache accepts only once data came, TCP_DEFER_ACCEPT) ----
ATK=pbatk$$
test_user "$ATK" || { not_ok "useradd $ATK"; finish; exit; }
# (in a subshell of its own: ended with the account, it is no job of this shell's to report)
(run_as "$ATK" sh -c "(printf 'GET / HTTP/1.1\r\n'; sleep 100) | curl -s --max-time 100 telnet://127.0.0.1:$PORT >/dev/null" 2>/dev/null &)
# the server's end, in the world-readable /proc/net/tcp: local 127.0.0.1:PORT, established
server_inode() {
	run_as "$ATK" awk -v a="0100007F:$(printf '%04X' "$PORT")" '$2 == a && $4 == "01" { print $10; exit }' /proc/net/tcp
}
established() { [ -n "$(server_inode)" ]; }
wait_for 10 established
INODE=$(server_inode)
check "the attacker reads the inode of the worker's end of his connection ($INODE)" [ -n "$INODE" ]
holder() { for c in $(ps --ppid "$MASTER" -o pid=); do ls -l "/proc/$c/fd" 2>/dev/null | grep -q "socket:\[$INODE\]" && echo "$c"; done; }
held() { [ -n "$(holder)" ]; }
check "a worker holds it" wait_for 10 held
WORKER=$(holder)

# ---- a socket path with a newline claims that inode as a listening unix socket at X/pwned ----
chown "$ATK:" "$X"
chmod 755 "$X"
(run_as "$ATK" "$HELPERS/forge_net_unix" "$X" 1 "$INODE:pwned" 2>"$T/forge.err" &)
wait_for 20 test -e "$X/ready" || { not_ok "the forger did not start: $(cat "$T/forge.err")"; finish; exit; }
check "net/unix shows the worker's TCP socket as a listening unix socket at $X/pwned" \
	sh -c "awk -v i='$INODE' '\$7 == i && \$4 == \"00010000\"' /proc/net/unix | grep -q ' $X/pwned\$'"

run "$PB" apache-mem --pidfile "$D/httpd.pid" --format json
expect_status 0 "apache-mem --format json"
check "no group is named after the attacker's socket ($(jq -r '[.instances[].groups[].name] | join(" ")' "$T/out" 2>/dev/null))" \
	sh -c "! grep -q pwned '$T/out'"
check "worker $WORKER is counted among the workers" \
	jqt --argjson w "${WORKER:-0}" 'any(.instances[].groups[] | select(.name == "workers") | .pids[]; . == $w)' "$T/out"
run "$PB" apache-mem --pidfile "$D/httpd.pid"
check "nor in the text output" sh -c "! grep -q pwned '$T/out'"

stop_master
test_users_remove
finish
