#!/bin/sh
# make demo: each applet's main job on safe inputs, live and on the fixture trees.
PB=build/procbox
set -e
echo "### procbox --list"
$PB --list
echo
echo "### procbox proc-tree   (this machine, first 25 lines)"
$PB proc-tree | head -n 25
echo
echo "### PROCBOX_PROC=tests/fixtures/normal procbox proc-tree   (a saved tree)"
PROCBOX_PROC=tests/fixtures/normal $PB proc-tree -o pid,ppid,user,state,exe_name,cmdline
echo
echo "### PROCBOX_PROC=tests/fixtures/malformed procbox proc-tree   (hostile names, broken files)"
PROCBOX_PROC=tests/fixtures/malformed $PB proc-tree -o pid,ppid,state,comm,cmdline
echo
echo "### procbox with-gpg-agent --print   (the current user's agent; one is started when none runs, and ~/.gnupg made on a new account)"
# an agent the demo started is stopped again, by the pid it reports: make demo leaves no daemon behind
had_agent=0
$PB with-gpg-agent --no-start true 2>/dev/null && had_agent=1
out=$($PB with-gpg-agent --print)
printf '%s\n' "$out"
agent=$(printf '%s\n' "$out" | sed -n "s/^export GPG_AGENT_INFO='.*:\([0-9][0-9]*\):1'\$/\1/p")
if [ "$had_agent" = 0 ] && [ -n "$agent" ]; then
	kill "$agent" && echo "(the demo stopped the agent it started, pid $agent)"
fi
echo
echo "### PROCBOX_PROC=tests/fixtures/gui PROCBOX_FILES=tests/fixtures/gui-files procbox with-gui-environment -v --print-env   (the session vote, saved tree: four users pass, so it refuses)"
PROCBOX_PROC=tests/fixtures/gui PROCBOX_FILES=tests/fixtures/gui-files $PB with-gui-environment -v --print-env 2>&1 || true
echo
echo "### PROCBOX_PROC=tests/fixtures/apache procbox apache-mem   (a saved tree: Apache with mod_wsgi groups, and an idle httpd)"
PROCBOX_PROC=tests/fixtures/apache $PB apache-mem
echo
echo "### procbox proc-wait / proc-pause / proc-stop   (a little tree of our own: waited for with a timeout,"
echo "### paused for a second, then stopped)"
sh -c 'sleep 60 & sleep 60 & wait' &
pid=$!
sleep 0.2
$PB proc-wait -t 0.5 --tree $pid || echo "(proc-wait exited $? at its timeout)"
$PB proc-pause -t 1 --tree $pid
$PB proc-stop --tree -t 2 $pid
echo
echo "### PROCBOX_PROC=tests/fixtures/normal procbox proc-stop -n --tree 100   (a dry run on a saved tree)"
PROCBOX_PROC=tests/fixtures/normal $PB proc-stop -n --tree 100
echo "### PROCBOX_PROC=tests/fixtures/cron procbox cron-graceful --dry-run   (a saved tree: a cron with jobs)"
PROCBOX_PROC=tests/fixtures/cron $PB cron-graceful --dry-run
echo
echo "### procbox cron-graceful --dry-run   (this machine; changes nothing)"
$PB cron-graceful --dry-run || true
