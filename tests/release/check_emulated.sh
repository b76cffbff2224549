#!/bin/sh
# make check-emulated: the aarch64 and armhf builds under qemu-user, against the x86_64 build.
# (a) on the fixture trees, every applet that reports prints byte for byte what x86_64 prints, in each format;
# (b) the e2e tests that start no daemon run against the emulated binary through PB_WRAP (tests/e2e/lib.sh).
# Run it under the e2e lock. Usage: check_emulated.sh ARCH...   (aarch64 armhf)
top=$(pwd)
F=$top/tests/fixtures
# the e2e tests that need no daemon (apache2, cron, gpg-agent, Xvfb, dbus, dunst) nor the x86_64 benchmark
E2E_EMULATED="attack_misc hidepid hostile identity options proc_pause proc_resume proc_stop proc_tree proc_wait
	procbox race reachable signals time_zone"
status=0
out=$(mktemp -d /tmp/pb-emulated.XXXXXX)
chmod 755 "$out"
trap 'rm -rf "$out"' EXIT
for arch in "$@"; do
	case "$arch" in
	aarch64) emu=qemu-aarch64-static comm=qemu-aarch64-st ;;
	armhf) emu=qemu-arm-static comm=qemu-arm-static ;;
	*) echo "check-emulated: unknown ARCH $arch"; exit 2 ;;
	esac
	bin=$top/build/$arch/procbox
	[ -x "$bin" ] || { echo "check-emulated: $bin is missing (make ARCH=$arch)"; status=1; continue; }
	command -v $emu >/dev/null || { echo "check-emulated: $emu is missing (make deps-release)"; status=1; continue; }
	echo "== $arch: fixture trees, against x86_64"
	fp=0 ff=0
	# TREE ARGS...: the same output and exit status from both; each run in UTC, as the e2e tests compare
	same() {
		tree=$1 applet=$2
		shift 2
		PROCBOX_PROC=$F/$tree TZ=UTC0 "$top/build/procbox" "$applet" "$@" >"$out/x86" 2>&1
		x=$?
		# called by the applet's name, as through a link (qemu's -0 sets argv[0])
		PROCBOX_PROC=$F/$tree TZ=UTC0 $emu -0 "$applet" "$bin" "$@" >"$out/emu" 2>&1
		e=$?
		set -- "$applet" "$@"
		if [ "$x" = "$e" ] && cmp -s "$out/x86" "$out/emu" && [ -s "$out/x86" ]; then
			fp=$((fp + 1)); echo "  ok   $tree: $* (exit $x, $(wc -l <"$out/x86") lines)"
		else
			ff=$((ff + 1)); echo "  FAIL $tree: $* (exit $x against $e): $(diff "$out/x86" "$out/emu" | head -n 5)"
		fi
	}
	for t in normal malformed cron apache gui sockets; do
		same $t proc-tree
		same $t proc-tree -o pid,ppid,user,state,comm,exe_name,cmdline,started
		same $t proc-tree --format json -o pid,ppid,user,state,comm,exe_name,cmdline,starttime,started
	done
	for fmt in text json prometheus; do
		same apache apache-mem -f "$fmt"
		same apache apache-mem -f "$fmt" --per-process
		same apache apache-mem -f "$fmt" -b -p 500
	done
	for fmt in text json; do
		same cron cron-graceful --list --format "$fmt"
		same normal cron-graceful --list --format "$fmt"
		same cron proc-stop -n --tree -f "$fmt" 500
		same cron proc-pause -n --tree -f "$fmt" 500
	done
	same cron cron-graceful --dry-run
	echo "$arch fixtures: $fp passed, $ff failed"
	[ "$ff" = 0 ] || status=1
	echo "== $arch: e2e tests that start no daemon, under $emu"
	PB="$bin" PB_WRAP="$emu" PB_COMM="$comm" PB_SLOWDOWN=2 PB_EMULATED="$emu" E2E_ONLY="$(echo $E2E_EMULATED)" \
		sh "$top/tests/e2e/run.sh" >"$out/e2e.$arch" 2>&1
	rc=$?
	grep -E '^  (FAIL|SKIP)' "$out/e2e.$arch"
	counts=$(tail -n 1 "$out/e2e.$arch")
	echo "$arch ${counts#e2e: }"
	[ "$rc" = 0 ] || status=1
done
exit $status
