// SPDX-License-Identifier: GPL-2.0
/*
 * flowctl's parsers and flow merging. The input is NUL-separated words;
 * each goes through every parser, and what parses must print back to
 * something that parses to the same value. The input's bytes, read again
 * as flows with few distinct keys, are merged and sorted: no packet or
 * byte may be lost and the order must hold. The input is also read as a
 * configuration file: if it parses, its operations come in line order,
 * each on a line that holds a command. Aborts on any mismatch.
 */
#include <arpa/inet.h>
#include <stdlib.h>
#include <string.h>

#include "flowctl.h"

#define ASSERT(c) do {							\
	if (!(c)) {							\
		fprintf(stdout, "%s:%d: %s\n", __FILE__, __LINE__, #c);	\
		abort();						\
	}								\
} while (0)

#define MAX_WORD 128
#define MAX_FLOWS 64

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

/*
 * The parsers report every refusal on stderr: send those to /dev/null.
 * libFuzzer and the sanitizers keep writing to file descriptor 2.
 */
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc;
	(void)argv;
	stderr = fopen("/dev/null", "w");
	return 0;
}

static void check_word(const char *w)
{
	char s[MAX_WORD + 16], h[FC_HUMAN_LEN];
	struct fc_addr a, b;
	uint32_t mask;
	uint64_t v;
	uint8_t p;

	if (!fc_parse_addr_port("f", w, false, &a)) {
		ASSERT(a.family == AF_INET || a.family == AF_INET6);
		ASSERT(fc_format_addr(&a, a.port, s, sizeof(s)) > 0);
		ASSERT(!fc_parse_addr_port("f", s, a.port, &b));
		ASSERT(!memcmp(&a, &b, sizeof(a)));
	}
	if (!fc_parse_u64("f", w, 10, 100000, &v)) {
		ASSERT(v >= 10 && v <= 100000);
		snprintf(s, sizeof(s), "%llu", (unsigned long long)v);
		ASSERT(strlen(s) <= strlen(w));
	}
	if (!fc_parse_hooks(w, &mask))
		ASSERT(mask && mask < (1U << FC_NHOOKS));
	if (!fc_parse_proto(w, &p) && fc_proto_name(p)) {
		uint8_t q;

		ASSERT(!fc_parse_proto(fc_proto_name(p), &q) && q == p);
	}
	if (strlen(w) >= 8) {
		memcpy(&v, w, sizeof(v));
		fc_human(v, false, h);
		ASSERT(strlen(h) < FC_HUMAN_LEN);
		ASSERT(v < 1000 || (strchr(h, '.') && strlen(h) <= 6));
	}
}

static void check_flows(const uint8_t *data, size_t size)
{
	struct fc_flow f[MAX_FLOWS];
	uint64_t pkts = 0, bytes = 0;
	size_t n = 0, i;

	memset(f, 0, sizeof(f));
	for (; size >= 3 && n < MAX_FLOWS; data += 3, size -= 3, n++) {
		f[n].src.family = data[0] & 1 ? AF_INET6 : AF_INET;
		f[n].dst.family = f[n].src.family;
		f[n].src.addr[0] = data[0] >> 5;
		f[n].src.port = data[1] & 3;
		f[n].proto = data[1] >> 6;
		f[n].packets = data[2] + 1;
		f[n].bytes = (uint64_t)data[2] * data[1];
		f[n].cpu = data[0] >> 7;
		pkts += f[n].packets;
		bytes += f[n].bytes;
	}
	n = fc_flows_merge(f, n);
	fc_flows_sort(f, n, FC_SORT_BYTES);
	for (i = 0; i < n; i++) {
		pkts -= f[i].packets;
		bytes -= f[i].bytes;
		ASSERT(!i || f[i - 1].bytes >= f[i].bytes);
	}
	ASSERT(!pkts && !bytes);
	fc_flows_sort(f, n, FC_SORT_PACKETS);
	for (i = 1; i < n; i++)
		ASSERT(f[i - 1].packets >= f[i].packets);
}

static void check_conf(const uint8_t *data, size_t size)
{
	unsigned int lines = 1;
	struct fc_conf c;
	char *text = malloc(size + 1);
	size_t i;

	ASSERT(text);
	memcpy(text, data, size);
	text[size] = '\0';
	for (i = 0; i < size; i++)
		lines += data[i] == '\n';
	if (!fc_conf_parse(&c, "f", text, size)) {
		ASSERT(!memchr(data, '\0', size));
		for (i = 0; i < c.n; i++) {
			ASSERT(c.ops[i].line >= 1 && c.ops[i].line <= lines);
			ASSERT(!i || c.ops[i - 1].line < c.ops[i].line);
			ASSERT(c.ops[i].kind == FC_OP_SET ||
			       c.ops[i].kind == FC_OP_DEST);
		}
		fc_conf_free(&c);
	} else {
		ASSERT(!c.ops && !c.n);
	}
	free(text);
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char w[MAX_WORD + 1];
	size_t i = 0, len;

	while (i < size) {
		for (len = 0; i + len < size && data[i + len]; len++)
			;
		if (len <= MAX_WORD) {
			memcpy(w, data + i, len);
			w[len] = '\0';
			check_word(w);
		}
		i += len + 1;
	}
	check_flows(data, size);
	check_conf(data, size);
	return 0;
}
