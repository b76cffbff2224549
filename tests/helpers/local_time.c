/* Test helper: prints "%Y-%m-%d %H:%M:%S" of each epoch second given, in the zone of TZ, as the C library it is
 * built with (musl, like procbox) computes it: the reference for procbox's own time output. */
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

int main(int argc, char **argv)
{
	struct tm tm;
	char text[64];
	time_t t;
	int i;

	for (i = 1; i < argc; i++) {
		t = (time_t)strtoll(argv[i], NULL, 10);
		if (!localtime_r(&t, &tm) || !strftime(text, sizeof text, "%Y-%m-%d %H:%M:%S", &tm))
			return 1;
		puts(text);
	}
	return 0;
}
