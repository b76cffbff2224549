# procbox: one static multicall binary of /proc tools. Targets: all check demo install uninstall clean deps
# deps-build deps-release bench fuzz check-valgrind release check-release check-emulated check-reproducible
# check-deb.

VERSION    = 0.1
PREFIX     = /usr/local
DESTDIR    =
BINDIR     = $(PREFIX)/bin
MANDIR     = $(PREFIX)/share/man

# ARCH=aarch64 or ARCH=armhf cross-builds into build/ARCH/ (make deps-release installs the tools): musl-dev of
# that architecture brings musl's wrapper compiler, the plain cross gcc links, as on x86_64
ARCH       = x86_64
ifeq ($(ARCH),x86_64)
BUILD      = build
MUSLCC     = musl-gcc
MUSL_TRIPLE = x86_64-linux-musl
LINKCC     = gcc
STRIP      = strip
DEB_ARCH   = amd64
OBJDUMP    = objdump
STATIC_PIE = -static-pie
MUSL_PKG   = musl-tools gcc
DEPS_TARGET = deps-build
else ifeq ($(ARCH),aarch64)
BUILD      = build/aarch64
MUSL_TRIPLE = aarch64-linux-musl
MUSLCC     = $(MUSL_TRIPLE)-gcc
LINKCC     = aarch64-linux-gnu-gcc
STRIP      = aarch64-linux-gnu-strip
DEB_ARCH   = arm64
OBJDUMP    = aarch64-linux-gnu-objdump
STATIC_PIE = -static-pie
MUSL_PKG   = musl-dev:arm64 gcc-aarch64-linux-gnu
DEPS_TARGET = deps-release
else ifeq ($(ARCH),armhf)
BUILD      = build/armhf
MUSL_TRIPLE = arm-linux-musleabihf
MUSLCC     = $(MUSL_TRIPLE)-gcc
LINKCC     = arm-linux-gnueabihf-gcc
STRIP      = arm-linux-gnueabihf-strip
DEB_ARCH   = armhf
OBJDUMP    = arm-linux-gnueabihf-objdump
STATIC_PIE = -Wl,-static,-pie,--no-dynamic-linker,-z,text
MUSL_PKG   = musl-dev:armhf gcc-arm-linux-gnueabihf
DEPS_TARGET = deps-release
else
$(error ARCH=$(ARCH): x86_64, aarch64 or armhf)
endif
ARCHES     = x86_64 aarch64 armhf
MUSL_LIB   = /usr/lib/$(MUSL_TRIPLE)
CC         = gcc
CLANG      = clang
WARN       = -Wall -Wextra -Werror -Wshadow -Wformat=2 -Wno-format-nonliteral -Wformat-security -Wvla
CSTD       = -std=c11 -D_GNU_SOURCE -DPROCBOX_VERSION='"$(VERSION)"'
# the commit --version names: this checkout's own (not that of a repository a source tarball was unpacked in)
COMMIT    := $(shell [ "$$(git rev-parse --show-toplevel 2>/dev/null)" = "$(CURDIR)" ] && \
	       git rev-parse --short=12 HEAD 2>/dev/null || echo unknown)
# The shipped binary runs as root on what other users write: a static PIE (its own addresses randomised too),
# stack canaries in every function with an array or an address taken, code pages apart from read-only data, a
# stack that is not executable. No -z relro: musl 1.2.3's static start-up (rcrt1.o) applies the relocations but
# never write-protects the RELRO range afterwards (measured in /proc/PID/maps: the range stays rw-p), so the
# flag would only add a page of padding and a promise the binary does not keep.
# -Oz and no unwind tables (C without exceptions: they serve only debuggers) keep it small. -g makes
# build/procbox-unstripped the debug flavour; strip takes the DWARF out of the shipped binary.
# Reproducible: no build directory in the binary (-ffile-prefix-map), a build id computed from its contents
CFLAGS     = -Oz -g -fno-asynchronous-unwind-tables -fPIE -fstack-protector-strong -ffunction-sections \
	     -fdata-sections -ffile-prefix-map=$(CURDIR)=.
# musl-gcc's specs file makes a dynamic PIE (with an interpreter) of -pie; a static PIE is linked by hand over
# musl's self-relocating start file rcrt1.o
# -z separate-code: the default of x86_64's linker, not of arm's; gcc for armhf does not take -static-pie, so
# it gets what gcc makes of it elsewhere: the linker's -static -pie --no-dynamic-linker -z text
LDFLAGS    = $(STATIC_PIE) -nostdlib -nostartfiles -Wl,--gc-sections -Wl,-z,noexecstack -Wl,-z,norelro \
	     -Wl,-z,separate-code -Wl,--build-id=sha1
LDSTART    = $(MUSL_LIB)/rcrt1.o $(MUSL_LIB)/crti.o $$($(MUSLCC) -print-file-name=crtbeginS.o)
# libc again after libgcc: arm's division by zero in libgcc raises SIGFPE through musl's raise()
LDEND      = -L$(MUSL_LIB) -Wl,--start-group -lc $$($(MUSLCC) -print-libgcc-file-name) -Wl,--end-group \
	     $$($(MUSLCC) -print-file-name=crtendS.o) $(MUSL_LIB)/crtn.o
TESTCFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=address,undefined -fno-sanitize-recover=all
CHECKLIBS  = $$(pkg-config --libs check 2>/dev/null || echo -lcheck -lsubunit -lm -lrt) -pthread

CORE_SRC = \
	core/apache.c \
	core/buf.c \
	core/guardian.c \
	core/identity.c \
	core/number.c \
	core/parse_cgroup.c \
	core/parse_net_unix.c \
	core/parse_smaps.c \
	core/parse_stat.c \
	core/parse_status.c \
	core/parse_vec.c \
	core/path.c \
	core/root.c \
	core/select.c \
	core/session.c \
	core/signal.c \
	core/sockets.c \
	core/stats.c \
	core/table.c \
	core/users.c \
	core/visibility.c

APPLET_SRC = \
	applets/apache_mem.c \
	applets/applet.c \
	applets/cron_graceful.c \
	applets/desktop.c \
	applets/main.c \
	applets/notify_send_headless.c \
	applets/proc_pause.c \
	applets/proc_resume.c \
	applets/proc_stop.c \
	applets/proc_tree.c \
	applets/proc_wait.c \
	applets/targets.c \
	applets/with_gpg_agent.c \
	applets/with_gui_environment.c

UNIT_TESTS = \
	check_apache \
	check_applets \
	check_buf \
	check_guardian \
	check_gui_args \
	check_ident \
	check_number \
	check_parse \
	check_race \
	check_select \
	check_session \
	check_signal \
	check_soak \
	check_sockets \
	check_stats \
	check_table \
	check_users \
	check_visibility

# libFuzzer targets (tests/fuzz/NAME.c), one per parser; make fuzz runs each FUZZ_SECONDS, make check 5 s each
FUZZ_TARGETS = \
	fuzz_buf \
	fuzz_bus \
	fuzz_cgroup \
	fuzz_mountinfo \
	fuzz_net_unix \
	fuzz_notify_args \
	fuzz_session \
	fuzz_smaps \
	fuzz_stat \
	fuzz_status \
	fuzz_vec
FUZZ_SECONDS = 60
FUZZ_CHECK_SECONDS = 5
FUZZCFLAGS = -O1 -g -fno-omit-frame-pointer -fsanitize=fuzzer,address,undefined -fno-sanitize-recover=all

MAN_PAGES = \
	man/procbox.1 \
	man/apache-mem.8 \
	man/cron-graceful.8 \
	man/notify-send-headless.1 \
	man/proc-pause.1 \
	man/proc-resume.1 \
	man/proc-stop.1 \
	man/proc-tree.1 \
	man/proc-wait.1 \
	man/with-gpg-agent.1 \
	man/with-gui-environment.1

HDRS = core/procbox.h applets/applet.h applets/applets.h

# Debian packages in tiers. BUILD_DEPS: what `make` and `make demo` need. CHECK_DEPS: the unit, fuzz, man and
# hardening checks. E2E_DEPS: what the end-to-end tests run, the real daemons among them (systemd for busctl,
# which `dunstctl history` calls though dunst does not depend on it: a container may have no systemd).
# CROSS_DEPS: the aarch64 and armhf builds and their emulator; musl's cross wrappers come with musl-dev of the
# other architecture (never musl-tools:arm64 or :armhf: apt would remove the host's musl-tools for it).
# RELEASE_DEPS: the release's archives, packages and checksums.
BUILD_DEPS   = make gcc libc6-dev musl-tools file
CHECK_DEPS   = check pkg-config mandoc clang libclang-rt-14-dev valgrind jq python3-jsonschema binutils
E2E_DEPS     = procps util-linux strace gnupg gpg-agent gpgconf openssh-client passwd xvfb xauth dbus-daemon \
	dbus-bin dbus-x11 dunst libnotify-bin systemd apache2 libapache2-mod-wsgi-py3 curl prometheus bsdutils cron \
	busybox-static tzdata
CROSS_DEPS   = gcc-aarch64-linux-gnu gcc-arm-linux-gnueabihf musl-dev:arm64 musl-dev:armhf qemu-user-static
RELEASE_DEPS = dpkg-dev coreutils gzip tar git lintian man-db

all: $(BUILD)/procbox

# compiled against musl's headers, linked by the plain driver (see LDFLAGS)
MUSL_OBJ = $(patsubst %.c,$(BUILD)/musl/%.o,$(CORE_SRC) $(APPLET_SRC))

# a missing compiler is named with the package that brings it, not as make's "command not found"
toolchain:
	@for c in $(MUSLCC) $(LINKCC); do command -v $$c >/dev/null || \
		{ echo "procbox: $$c is missing: apt-get install $(MUSL_PKG) (or: make $(DEPS_TARGET))" >&2; exit 1; }; done

$(BUILD)/musl/%.o: %.c $(HDRS) Makefile | toolchain
	@mkdir -p $(dir $@)
	$(MUSLCC) $(CSTD) $(WARN) $(CFLAGS) -c -o $@ $<

# main.o alone holds the commit, and is compiled again when the commit changes
$(BUILD)/musl/applets/main.o: CSTD += -DPROCBOX_COMMIT='"$(COMMIT)"'
$(BUILD)/musl/applets/main.o: $(BUILD)/commit
$(BUILD)/commit: FORCE
	@mkdir -p $(dir $@)
	@echo $(COMMIT) | cmp -s - $@ || echo $(COMMIT) >$@
FORCE:

# $(BUILD)/procbox-unstripped keeps the symbols (for gdb, and for check-hardening to see the canaries' handler)
$(BUILD)/procbox-unstripped: $(MUSL_OBJ)
	$(LINKCC) -o $@ $(LDSTART) $(MUSL_OBJ) $(LDFLAGS) $(LDEND)

$(BUILD)/procbox: $(BUILD)/procbox-unstripped
	$(STRIP) -o $@ $<

# the same binary against glibc, for valgrind (which does not follow musl's static start-up as well)
build/procbox-glibc: $(CORE_SRC) $(APPLET_SRC) $(HDRS) Makefile
	@mkdir -p build
	$(CC) $(CSTD) $(WARN) -O1 -g -o $@ $(CORE_SRC) $(APPLET_SRC)

# check_gui_args and fuzz_notify_args include notify-send-headless's argument vector (and applet.c, desktop.c)
build/unit/check_gui_args build/fuzz/fuzz_notify_args: applets/applet.c applets/desktop.c \
	applets/notify_send_headless.c
# check_applets includes applet.c (the run times)
build/unit/check_applets: applets/applet.c

# Each flavour's core is compiled once and linked into all that use it: the unit suites' (gcc, ASan and UBSan)
# in build/asan/, the fuzz targets' (clang, libFuzzer's coverage, ASan and UBSan) in build/fuzz-obj/
ASAN_CORE = $(patsubst %.c,build/asan/%.o,$(CORE_SRC))
FUZZ_CORE = $(patsubst %.c,build/fuzz-obj/%.o,$(CORE_SRC))
.SECONDARY: $(ASAN_CORE) $(FUZZ_CORE)

build/asan/%.o: %.c $(HDRS) Makefile
	@mkdir -p $(dir $@)
	$(CC) $(CSTD) $(WARN) $(TESTCFLAGS) -c -o $@ $<

# libFuzzer's main is linked into the targets alone: the core gets its coverage hooks only
build/fuzz-obj/%.o: %.c $(HDRS) Makefile
	@mkdir -p $(dir $@)
	$(CLANG) $(CSTD) $(WARN) $(subst fuzzer,fuzzer-no-link,$(FUZZCFLAGS)) -c -o $@ $<

build/unit/%: tests/unit/%.c tests/unit/unit.h $(ASAN_CORE) $(HDRS) Makefile
	@mkdir -p build/unit
	$(CC) $(CSTD) $(WARN) -Wno-shadow $(TESTCFLAGS) -Itests/unit -o $@ $< $(ASAN_CORE) $(CHECKLIBS)

build/fuzz/%: tests/fuzz/%.c tests/fuzz/fuzz.h $(FUZZ_CORE) $(HDRS) Makefile
	@mkdir -p build/fuzz
	$(CLANG) $(CSTD) $(WARN) $(FUZZCFLAGS) -o $@ $< $(FUZZ_CORE)

build/test-helpers/%: tests/helpers/%.c Makefile
	@mkdir -p build/test-helpers
	$(MUSLCC) $(CSTD) $(WARN) -O2 -static -o $@ $<

HELPERS = \
	build/test-helpers/chain \
	build/test-helpers/churn \
	build/test-helpers/fake_cron \
	build/test-helpers/forge_net_unix \
	build/test-helpers/leftovers \
	build/test-helpers/local_time \
	build/test-helpers/max_rss \
	build/test-helpers/pid_cycler \
	build/test-helpers/unix_listener \
	build/test-helpers/vfork_sleeper

# the benchmark (tests/bench/): the floor, the idle-process spawner and the driver, built like procbox
BENCH_BIN = build/bench/bench build/bench/empty build/bench/floor build/bench/spawn

build/bench/%: build/musl/tests/bench/%.o
	@mkdir -p build/bench
	$(LINKCC) -o $@ $(LDSTART) $< $(LDFLAGS) $(LDEND)

bench: build/procbox $(BENCH_BIN)
	@build/bench/bench

# each installs what is missing when run as root, else names what to install and fails
deps:
	@sh tests/deps.sh deps $(BUILD_DEPS) $(CHECK_DEPS) $(E2E_DEPS)

deps-build:
	@sh tests/deps.sh deps-build $(BUILD_DEPS)

deps-release:
	@sh tests/deps.sh deps-release $(BUILD_DEPS) $(CROSS_DEPS) $(RELEASE_DEPS)

check: deps
	@$(MAKE) --no-print-directory build/procbox $(addprefix build/unit/,$(UNIT_TESTS)) $(HELPERS) $(BENCH_BIN) \
		$(addprefix build/fuzz/,$(FUZZ_TARGETS))
	@# one tier after the other, even under make -j: the fuzzers' load would disturb the timing-sensitive e2e
	@for t in check-hardening check-man check-unit check-e2e check-fuzz; do \
		$(MAKE) --no-print-directory $$t || exit 1; done

check-unit: $(addprefix build/unit/,$(UNIT_TESTS))
	@sh tests/unit/run.sh $(addprefix build/unit/,$(UNIT_TESTS))

check-e2e: build/procbox $(HELPERS) $(BENCH_BIN)
	@sh tests/e2e/run.sh

# the e2e tests with every call of the binary under valgrind (glibc build): no errors, no definite leaks;
# a separate CI step (.ci/run): with every applet's e2e tests it takes several times as long as check-e2e
check-valgrind: build/procbox build/procbox-glibc $(HELPERS)
	@sh tests/valgrind.sh

# every fuzz target for a few seconds, so that CI runs them all
check-fuzz: $(addprefix build/fuzz/,$(FUZZ_TARGETS))
	@sh tests/fuzz/run.sh $(FUZZ_CHECK_SECONDS) $(addprefix build/fuzz/,$(FUZZ_TARGETS))

fuzz: $(addprefix build/fuzz/,$(FUZZ_TARGETS))
	@sh tests/fuzz/run.sh $(FUZZ_SECONDS) $(addprefix build/fuzz/,$(FUZZ_TARGETS))

# the shipped binary is what the build promises: a static PIE, no executable stack or writable code, canaries
check-hardening: $(BUILD)/procbox $(BUILD)/procbox-unstripped
	@OBJDUMP=$(OBJDUMP) sh tests/hardening.sh $(BUILD)/procbox $(BUILD)/procbox-unstripped

check-man:
	@mandoc -Tlint -Wwarning $(MAN_PAGES) && echo "man: $(words $(MAN_PAGES)) pages lint clean"

demo: deps-build
	@$(MAKE) --no-print-directory build/procbox
	@sh tests/demo.sh

install: build/procbox
	install -d $(DESTDIR)$(BINDIR) $(DESTDIR)$(MANDIR)/man1 $(DESTDIR)$(MANDIR)/man8
	install -m 755 build/procbox $(DESTDIR)$(BINDIR)/procbox
	for a in $$(build/procbox --list); do ln -sf procbox $(DESTDIR)$(BINDIR)/$$a; done
	for m in $(MAN_PAGES); do s=$${m##*.}; install -m 644 $$m $(DESTDIR)$(MANDIR)/man$$s/; done

uninstall:
	for a in $$(build/procbox --list); do rm -f $(DESTDIR)$(BINDIR)/$$a; done
	rm -f $(DESTDIR)$(BINDIR)/procbox
	for m in $(MAN_PAGES); do s=$${m##*.}; rm -f $(DESTDIR)$(MANDIR)/man$$s/$${m##*/}; done

# The release, in dist/: per architecture the stripped binary, a tarball (binary, man pages, README, LICENSE)
# and a .deb; the sources as git archive gives them; SHA256SUMS over all. Times are the commit's.
ifeq ($(SOURCE_DATE_EPOCH),)
SOURCE_DATE_EPOCH := $(shell git log -1 --format=%ct 2>/dev/null || echo 0)
endif

release:
	@rm -rf dist
	@for a in $(ARCHES); do $(MAKE) --no-print-directory ARCH=$$a release-arch || exit 1; done
	@git archive --format=tar --prefix=procbox-$(VERSION)/ HEAD | gzip -9n >dist/procbox-$(VERSION).tar.gz
	@cd dist && LC_ALL=C ls | grep -vx SHA256SUMS | xargs sha256sum >SHA256SUMS
	@cd dist && ls -l | sed 1d

# the .deb's Maintainer: a packager who ships it names himself here
MAINTAINER = procbox authors <procbox@example.org>

release-arch: $(BUILD)/procbox
	@MAINTAINER='$(MAINTAINER)' sh tools/package.sh $(VERSION) $(ARCH) $(DEB_ARCH) $(BUILD)/procbox $(SOURCE_DATE_EPOCH) $(MAN_PAGES)

# the release's checks (see tests/release/): what dist/ holds; the arm builds under qemu against x86_64, on the
# fixture trees and in the e2e tests that start no daemon; two clean builds alike; the .deb installed and removed
# the tarball and .deb of one architecture (ARCH=...), in dist/
deb: release-arch

check-release:
	@sh tests/release/check_release.sh $(VERSION) $(COMMIT)

check-emulated: $(HELPERS)
	@for a in aarch64 armhf; do $(MAKE) --no-print-directory ARCH=$$a || exit 1; done
	@$(MAKE) --no-print-directory build/procbox
	@sh tests/release/check_emulated.sh aarch64 armhf

check-reproducible:
	@sh tests/release/check_reproducible.sh

check-deb:
	@sh tests/release/check_deb.sh $(VERSION) $(COMMIT)

clean:
	rm -rf build dist

.PHONY: all toolchain FORCE deps deps-build deps-release check check-hardening check-unit check-e2e check-fuzz check-man check-valgrind demo fuzz install uninstall clean bench release release-arch check-release check-emulated check-reproducible check-deb
