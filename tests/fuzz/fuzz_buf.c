/* Fuzz target: the escapers pb_buf_json_str, pb_buf_text_str, pb_buf_shell_str and the number writers.
 * Each output is checked for what it may contain and decoded back to the input where the escaping is lossless. */
#include <errno.h>
#include <limits.h>

#include "fuzz.h"

#define PREFIX "pre\"fix"

static int hex_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : c >= 'a' && c <= 'f' ? c - 'a' + 10 : -1;
}

/* A JSON string holding only the escapes the escaper may write, and valid UTF-8; decoded, it is the input. */
static void check_json(const char *in, size_t n)
{
	struct pb_buf b;
	const char *s;
	char *decoded;
	size_t len, i, k, out = 0;
	int hi, lo;

	pb_buf_init(&b);
	pb_buf_adds(&b, PREFIX);
	pb_buf_json_str(&b, in, n);
	REQUIRE(!b.failed && !memcmp(b.data, PREFIX, sizeof PREFIX - 1) && b.data[b.len] == 0);
	s = b.data + sizeof PREFIX - 1;
	len = b.len - (sizeof PREFIX - 1);
	REQUIRE(len >= 2 && s[0] == '"' && s[len - 1] == '"');
	REQUIRE(fuzz_valid_utf8(s, len));
	decoded = malloc(n + 1);
	REQUIRE(decoded);
	for (i = 1; i < len - 1;) {
		unsigned char c = (unsigned char)s[i];
		/* nothing raw that a JSON parser refuses or a terminal obeys; no quote but the closing one */
		REQUIRE(c >= 0x20 && c != 0x7f && c != '"');
		if (c != '\\') {
			k = fuzz_utf8_len((const unsigned char *)s + i, len - 1 - i);
			REQUIRE(k);
			/* no raw C1 control: a terminal would obey it */
			REQUIRE(!(k == 2 && c == 0xc2 && (unsigned char)s[i + 1] < 0xa0));
			REQUIRE(out + k <= n);
			memcpy(decoded + out, s + i, k);
			out += k;
			i += k;
			continue;
		}
		REQUIRE(i + 1 < len - 1);
		switch (s[i + 1]) {
		case '"': decoded[out++] = '"'; i += 2; break;
		case '\\': decoded[out++] = '\\'; i += 2; break;
		case 'n': decoded[out++] = '\n'; i += 2; break;
		case 't': decoded[out++] = '\t'; i += 2; break;
		case 'r': decoded[out++] = '\r'; i += 2; break;
		case 'u':
			/* \u00XX for one byte: a control character, DEL, or a byte that is not UTF-8 */
			REQUIRE(i + 6 <= len - 1 && s[i + 2] == '0' && s[i + 3] == '0');
			hi = hex_digit(s[i + 4]);
			lo = hex_digit(s[i + 5]);
			REQUIRE(hi >= 0 && lo >= 0);
			c = (unsigned char)(hi << 4 | lo);
			REQUIRE(c < 0x20 || c >= 0x7f);
			REQUIRE(c != '\n' && c != '\t' && c != '\r');
			REQUIRE(out < n);
			/* valid UTF-8 is never escaped, but for C1 controls (U+0080..U+009F), escaped byte by byte */
			if (c >= 0x80) {
				k = fuzz_utf8_len((const unsigned char *)in + out, n - out);
				REQUIRE(k == 0 || (k == 2 && c == 0xc2 && (unsigned char)in[out + 1] < 0xa0));
			}
			decoded[out++] = (char)c;
			i += 6;
			break;
		default: REQUIRE(!"an escape JSON does not have, or one the escaper never writes");
		}
		REQUIRE(out <= n);
	}
	REQUIRE(out == n && !memcmp(decoded, in, n));
	free(decoded);
	pb_buf_free(&b);
}

/* Terminal text: the same length, each byte kept or replaced by '?', no control character, valid UTF-8. */
static void check_text(const char *in, size_t n)
{
	struct pb_buf b;
	const unsigned char *s;
	size_t i;

	pb_buf_init(&b);
	pb_buf_adds(&b, PREFIX);
	pb_buf_text_str(&b, in, n);
	REQUIRE(!b.failed && !memcmp(b.data, PREFIX, sizeof PREFIX - 1));
	s = (const unsigned char *)b.data + sizeof PREFIX - 1;
	REQUIRE(b.len - (sizeof PREFIX - 1) == n);
	for (i = 0; i < n; i++) {
		REQUIRE(s[i] == (unsigned char)in[i] || s[i] == '?');
		REQUIRE(s[i] >= 0x20 && s[i] != 0x7f);
		/* printable ASCII is never replaced */
		if ((unsigned char)in[i] >= 0x20 && (unsigned char)in[i] < 0x7f)
			REQUIRE(s[i] == (unsigned char)in[i]);
		/* C1 controls written as UTF-8 (U+0080..U+009F) are terminal escapes too */
		if (s[i] == 0xc2 && i + 1 < n)
			REQUIRE(s[i + 1] >= 0xa0);
	}
	REQUIRE(fuzz_valid_utf8((const char *)s, n));
	pb_buf_free(&b);
}

/* A POSIX shell single-quoted word: '...' pieces joined by \' ; read back, it is the input. */
static void check_shell(const char *in, size_t n)
{
	struct pb_buf b;
	const char *s;
	char *decoded;
	size_t len, i, out = 0;
	int quoted = 0;

	pb_buf_init(&b);
	pb_buf_adds(&b, PREFIX);
	pb_buf_shell_str(&b, in, n);
	REQUIRE(!b.failed && !memcmp(b.data, PREFIX, sizeof PREFIX - 1));
	s = b.data + sizeof PREFIX - 1;
	len = b.len - (sizeof PREFIX - 1);
	REQUIRE(len >= 2 && s[0] == '\'');
	decoded = malloc(n + 1);
	REQUIRE(decoded);
	for (i = 0; i < len; i++) {
		if (quoted) {
			if (s[i] == '\'')
				quoted = 0;
			else
				decoded[out++] = s[i];
		} else if (s[i] == '\'') {
			quoted = 1;
		} else {
			/* outside quotes only an escaped quote may stand */
			REQUIRE(s[i] == '\\' && i + 1 < len && s[i + 1] == '\'');
			decoded[out++] = '\'';
			i++;
		}
		REQUIRE(out <= n);
	}
	REQUIRE(!quoted && s[len - 1] == '\'');
	REQUIRE(out == n && !memcmp(decoded, in, n));
	free(decoded);
	pb_buf_free(&b);
}

static void check_numbers(const uint8_t *data, size_t size)
{
	unsigned long long u = 0;
	long long i;
	struct pb_buf b;
	char *end;
	size_t k;

	for (k = 0; k < 8 && k < size; k++)
		u = u << 8 | data[k];
	memcpy(&i, &u, sizeof i);
	pb_buf_init(&b);
	pb_buf_addu(&b, u);
	errno = 0;
	REQUIRE(strtoull(b.data, &end, 10) == u && *end == 0 && errno == 0 && b.data[0] != '-');
	b.len = 0;
	pb_buf_addi(&b, i);
	REQUIRE(strtoll(b.data, &end, 10) == i && *end == 0 && errno == 0);
	b.len = 0;
	pb_buf_addi(&b, LLONG_MIN);
	REQUIRE(!strcmp(b.data, "-9223372036854775808"));
	pb_buf_free(&b);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *in = malloc(size ? size : 1);

	if (!in)
		return 0;
	memcpy(in, data, size);
	check_json(in, size);
	check_text(in, size);
	check_shell(in, size);
	check_numbers(data, size);
	free(in);
	return 0;
}
