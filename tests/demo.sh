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
echo "### PROCBOX_PROC=tests/fixtures/cron procbox cron-graceful --dry-run   (a saved tree: a cron with jobs)"
PROCBOX_PROC=tests/fixtures/cron $PB cron-graceful --dry-run
echo
echo "### procbox cron-graceful --dry-run   (this machine; changes nothing)"
$PB cron-graceful --dry-run || true
