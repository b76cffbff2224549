#!/bin/sh
# with-gpg-agent as root against a local attacker who forges lines of /proc/net/unix (socket paths with
# newlines) to plant his own sockets as root's SSH_AUTH_SOCK and GPG_AGENT_INFO.
. "$(dirname "$0")/lib.sh"

WGA="$PB with-gpg-agent"
STD_PATH=/usr/local/bin:/usr/bin:/bin

for tool in gpg-agent gpgconf gpg-connect-agent setpriv useradd ssh-add ssh-keygen timeout; do
	if ! command -v "$tool" >/dev/null 2>&1; then
		skip "the attack tests need $tool"
		finish
		exit
	fi
done
if [ "$(id -u)" != 0 ]; then
	skip "the attack tests create users and run root's agent: they need root"
	finish
	exit
fi
[ -x "$HELPERS/forge_net_unix" ] || { not_ok "$HELPERS/forge_net_unix is missing: make build/test-helpers/forge_net_unix"; finish; exit; }

# ---- first another agent of root's, for another GNUPGHOME: it holds other keys, and is never the answer ----
RO="$T/root-other"
mkdir -m 700 "$RO"
env -i HOME="${HOME:-/root}" PATH="$STD_PATH" GNUPGHOME="$RO" gpgconf --launch gpg-agent
PID_O=$(env -i HOME="${HOME:-/root}" PATH="$STD_PATH" GNUPGHOME="$RO" gpg-connect-agent 'GETINFO pid' /bye |
	sed -n 's/^D //p')
case "$PID_O" in "" | *[!0-9]*) not_ok "root's other agent did not start"; finish; exit ;; esac
track "$PID_O"

# ---- root's own agent, with ssh support, in a private GNUPGHOME; stopped by PID ----
RG="$T/root-gnupg"
mkdir -m 700 "$RG"
printf 'enable-ssh-support\n' >"$RG/gpg-agent.conf"
as_root() { env -i HOME="${HOME:-/root}" PATH="$STD_PATH" GNUPGHOME="$RG" "$@"; }
as_root gpgconf --launch gpg-agent
PID_R=$(as_root gpg-connect-agent 'GETINFO pid' /bye | sed -n 's/^D //p')
case "$PID_R" in "" | *[!0-9]*) not_ok "root's agent did not start"; finish; exit ;; esac
track "$PID_R"
SOCK_R=$(as_root gpgconf --list-dirs agent-socket)
SSH_R=$(as_root gpgconf --list-dirs agent-ssh-socket)
check "root's agent listens on $SSH_R" test -S "$SSH_R"

# the nognupg-like PATH of a machine with gpg-agent but without gpgconf
mkdir "$T/nogpgconf"
for p in sh printenv gpg-agent ssh-add; do ln -s "$(command -v $p)" "$T/nogpgconf/$p"; done

# ---- the attacker: an unprivileged account; net/unix is world-readable, so he knows root's inodes ----
ATK=pbatk$$
test_user "$ATK" || { not_ok "useradd $ATK"; finish; exit; }
inode_of() { run_as "$ATK" awk -v p="$1" '$NF == p && $4 == "00010000" { print $7; exit }' /proc/net/unix; }
INODE_SSH=$(inode_of "$SSH_R")
INODE_SOCK=$(inode_of "$SOCK_R")
check "the attacker reads the inodes of root's sockets ($INODE_SOCK, $INODE_SSH)" [ -n "$INODE_SSH" ] && [ -n "$INODE_SOCK" ]

# forge DIR INODE:NAME...: the attacker's forger in DIR (short: sun_path holds the forged line); 1 on failure
forge() {
	fg_dir=$1
	shift
	chown "$ATK:" "$fg_dir"
	run_as "$ATK" "$HELPERS/forge_net_unix" "$fg_dir" "${FORGE_COUNT:-64}" "$@" 2>"$T/forge.err" &
	track $!
	wait_for 20 test -e "$fg_dir/ready" || { cat "$T/forge.err"; return 1; }
}
# the forged lines of DIR/NAME claiming INODE come before the real line of INODE (the reader takes the first)
forged_first() { # INODE PATH
	awk -v i="$1" -v p="$2" '$7 == i { print ($NF == p ? "forged" : "real"); exit }' /proc/net/unix | grep -qx forged
}
# lines of the last run that name a path of the attacker's
no_attacker_path() { ! grep -q "$X1\|$X2" "$T/out"; }
# root never connected to a socket of the attacker's (the forger logs every peer)
root_never_connected() { ! cat "$X1/log" "$X2/log" 2>/dev/null | grep -q " uid=0 "; }

X1=$(mktemp -d /tmp/XXXX) X2=$(mktemp -d /tmp/XXXX)
trap 'rm -rf "$X1" "$X2"; cleanup' EXIT
chmod 755 "$X1" "$X2"

# ---- attack 1: with gpgconf, the ssh socket of root's agent gets the attacker's path ----
forge "$X1" "$INODE_SSH:S.gpg-agent.ssh" || { not_ok "the forger did not start"; finish; exit; }
check "net/unix now shows root's ssh inode at $X1/S.gpg-agent.ssh, before its real line" \
	forged_first "$INODE_SSH" "$X1/S.gpg-agent.ssh"
run as_root $WGA --print </dev/null
expect_status 0 "root's with-gpg-agent --print"
check "SSH_AUTH_SOCK is root's own ($(grep SSH_AUTH_SOCK "$T/out"))" grep -qx "export SSH_AUTH_SOCK='$SSH_R'" "$T/out"
check "GPG_AGENT_INFO is root's own ($(grep GPG_AGENT_INFO "$T/out"))" \
	grep -qx "export GPG_AGENT_INFO='$SOCK_R:$PID_R:1'" "$T/out"
check "no path of the attacker's is exported" no_attacker_path

# ---- attack 2: without gpgconf, the agent socket too ----
forge "$X2" "$INODE_SOCK:S.gpg-agent" "$INODE_SSH:S.gpg-agent.ssh" || { not_ok "the second forger did not start"; finish; exit; }
check "net/unix now shows root's agent inode at $X2/S.gpg-agent, before its real line" \
	forged_first "$INODE_SOCK" "$X2/S.gpg-agent"
run env -i HOME="${HOME:-/root}" PATH="$T/nogpgconf" GNUPGHOME="$RG" $WGA --print </dev/null
expect_status 0 "root's with-gpg-agent --print without gpgconf"
check "GPG_AGENT_INFO is root's own ($(grep GPG_AGENT_INFO "$T/out"))" \
	grep -qx "export GPG_AGENT_INFO='$SOCK_R:$PID_R:1'" "$T/out"
check "SSH_AUTH_SOCK is root's own ($(grep SSH_AUTH_SOCK "$T/out"))" grep -qx "export SSH_AUTH_SOCK='$SSH_R'" "$T/out"
check "no path of the attacker's is exported" no_attacker_path

# ---- a command gets only root's sockets, and root's key never reaches the attacker ----
SHOW='printf "INFO=%s\nSSH=%s\n" "${GPG_AGENT_INFO-unset}" "${SSH_AUTH_SOCK-unset}"'
run as_root $WGA sh -c "$SHOW" </dev/null
check "the command's SSH_AUTH_SOCK is root's ($(grep SSH= "$T/out"))" grep -qx "SSH=$SSH_R" "$T/out"
check "the command's GPG_AGENT_INFO is root's ($(grep INFO= "$T/out"))" grep -qx "INFO=$SOCK_R:$PID_R:1" "$T/out"
run env -i HOME="${HOME:-/root}" PATH="$T/nogpgconf" GNUPGHOME="$RG" $WGA sh -c "$SHOW" </dev/null
check "without gpgconf, the command's SSH_AUTH_SOCK is root's ($(grep SSH= "$T/out"))" grep -qx "SSH=$SSH_R" "$T/out"
check "without gpgconf, the command's GPG_AGENT_INFO is root's ($(grep INFO= "$T/out"))" \
	grep -qx "INFO=$SOCK_R:$PID_R:1" "$T/out"
ssh-keygen -q -t ed25519 -N '' -C pb-attack-test -f "$T/key"
# gpg-agent would ask a pinentry for a passphrase to store the key under: there is none, so ssh-add fails;
# what matters is where the key was sent
run as_root timeout 20 $WGA ssh-add "$T/key" </dev/null
run env -i HOME="${HOME:-/root}" PATH="$T/nogpgconf" GNUPGHOME="$RG" "$(command -v timeout)" 20 $WGA ssh-add "$T/key" </dev/null
run as_root timeout 20 $WGA ssh-add -l </dev/null
key_kept() { ! cat "$X1/log" "$X2/log" 2>/dev/null | grep " uid=0 " | grep -vq " bytes=0\$"; }
check "root's key never reached the attacker: $(cat "$X1/log" "$X2/log" 2>/dev/null | grep " uid=0 " | grep -v " bytes=0\$" | head -n 1)" \
	key_kept
check "root never connected to a socket of the attacker's: $(cat "$X1/log" "$X2/log" 2>/dev/null | grep " uid=0 " | head -n 3 | tr '\n' ';')" \
	root_never_connected

kill -TERM "$PID_R" "$PID_O"
wait_for 10 sh -c "! kill -0 $PID_R 2>/dev/null && ! kill -0 $PID_O 2>/dev/null"
test_users_remove
finish
