/* Fuzz target: notify-send-headless's argument vector (applets/notify_send_headless.c, notify_send_command),
 * which rebuilds every notify-send option, clustered or not, as one long option: the words of the input
 * (NUL-separated) are its arguments. The vector is NULL-terminated, starts with notify-send, holds an entry
 * per option letter at most, every rebuilt entry is a long option, and ASan sees every write. */
#include "fuzz.h"
#include "../../applets/applet.c"
#include "../../applets/desktop.c"
#include "../../applets/notify_send_headless.c"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *words = malloc(size + 1), *argv[66];
	struct notify_opts o = {.d.uid = -1};
	struct argvec cmd = {0};
	size_t i, letters = 0;
	int argc = 1, r;

	REQUIRE(words);
	memcpy(words, data, size);
	words[size] = 0;
	argv[0] = "notify-send-headless";
	for (i = 0; i <= size && argc < 65; i += strlen(words + i) + 1) {
		argv[argc++] = words + i;
		letters += strlen(words + i);
	}
	argv[argc] = NULL;
	/* 0: getopt starts afresh (glibc's and musl's), clusters included; its own messages off, as main.c */
	optind = 0;
	opterr = 0;
	r = notify_send_command(argc, argv, &o, &cmd);
	if (r < 0) {
		REQUIRE(cmd.n >= 1 && cmd.v[cmd.n] == NULL);
		REQUIRE(!strcmp(cmd.v[0], "notify-send"));
		/* an option per letter, a "--", every operand */
		REQUIRE(cmd.n <= 2 + letters + (size_t)argc);
		for (i = 0; i < cmd.n; i++) {
			REQUIRE(cmd.v[i]);
			if (cmd.owned[i])
				REQUIRE(!strncmp(cmd.v[i], "--", 2) && cmd.v[i][2]);
		}
	}
	argvec_free(&cmd);
	free(words);
	return 0;
}
