// SPDX-License-Identifier: GPL-2.0
/*
 * The packet path and the IPFIX encoder in userspace, built from the
 * module's own sources (parse.c, cache_hot.h, ipfix.c), for callgrind:
 * each phase runs between CALLGRIND_ZERO_STATS and CALLGRIND_DUMP_STATS_AT,
 * so its dump holds only that phase's instructions; userspace/bench/run
 * divides them by the packets or records the phase printed. Run natively
 * it is a correctness check, in the unit lane: every count is verified,
 * exit status 1 if one is wrong.
 *
 * A packet here is what fm_meter() + fm_cache_update() do for it, minus
 * the kernel's per-CPU and statistics bookkeeping: parse the IP header,
 * complete the key, hash, look up the chain, start an entry on a miss
 * (from a free list, as a slab fast path would), count. Everything but
 * the harness's own loop comes from the module's files.
 */
#include <stdio.h>
#include <stdlib.h>
#include <valgrind/callgrind.h>

#include "cache_hot.h"
#include "enc.h"

#define NBUCKETS	(1U << 18)
#define HIT_FLOWS	1024
#define PKTS		200000
#define BATCH		256	/* records per export batch */
#define RECORDS		(400 * BATCH)

static struct fm_entry __rcu *buckets[NBUCKETS];
static struct fm_entry *pool;
static unsigned int pool_used, pool_size, count;
static const struct fm_hkey hkey = { 0x5eed1234, 0x0123456789abcdefULL };
static int failures;

#define CHECK(c) do { if (!(c)) { \
	fprintf(stderr, "hotpath: %s:%d: %s\n", __FILE__, __LINE__, #c); \
	failures++; } } while (0)

static struct fm_entry *entry_alloc(void)
{
	return pool_used < pool_size ? &pool[pool_used++] : NULL;
}

static void table_reset(void)
{
	memset(buckets, 0, sizeof(buckets));
	pool_used = 0;
	count = 0;
}

/* The packet path for one packet; noinline so it is one unit of cost. */
static __attribute__((noinline)) void packet(const fm_pkt_t *pkt, u8 family,
					     u32 now)
{
	struct fm_pktinfo pi = { 0 };
	struct fm_entry __rcu **head, **pprev;
	struct fm_entry *e;
	struct fm_key key;
	unsigned int len;
	u32 hash;

	if (fm_parse(pkt, 0, family, 0, &key, &pi))
		return;
	key.in_if = 2;
	key.out_if = 3;
	key.vlan = 0;
	key.dir = FM_DIR_INGRESS;

	hash = fm_key_hash(&key, &hkey);
	head = &buckets[hash & (NBUCKETS - 1)];
	pprev = fm_chain_find(head, &key, &len);
	e = fm_entry_deref(pprev);
	if (!e) {
		e = entry_alloc();
		if (!e)
			return;
		fm_entry_start(e, &key, now, 0, head);
		count++;
	}
	fm_entry_count(e, &pi, now);
}

/* A 64-byte frame's IP packet: IPv4 UDP (46 bytes) or IPv6 UDP (66). */
static unsigned int make_pkt(u8 *b, u8 family, u32 flow)
{
	unsigned int len;

	if (family == 4) {
		len = 46;
		memset(b, 0, len);
		b[0] = 0x45;
		put_unaligned_be16(len, b + 2);
		b[8] = 64;
		b[9] = 17;
		put_unaligned_be32(0x0a010000 + (flow >> 10), b + 12);
		put_unaligned_be32(0x0a000201, b + 16);
		put_unaligned_be16(1000 + (flow & 1023), b + 20);
		put_unaligned_be16(9, b + 22);
		put_unaligned_be16(len - 20, b + 24);
	} else {
		len = 66;
		memset(b, 0, len);
		b[0] = 0x60;
		put_unaligned_be16(len - 40, b + 4);
		b[6] = 17;
		b[7] = 64;
		b[8] = 0xfd;
		b[9] = 0x01;
		put_unaligned_be32(flow >> 10, b + 20);
		b[24] = 0xfd;
		b[25] = 0x02;
		b[39] = 1;
		put_unaligned_be16(1000 + (flow & 1023), b + 40);
		put_unaligned_be16(9, b + 42);
		put_unaligned_be16(len - 40, b + 44);
	}
	return len;
}

/* One phase: PKTS packets over nflows flows (first pass starts them). */
static void run_packets(const char *name, u8 family, unsigned int nflows,
			bool warm)
{
	static u8 data[HIT_FLOWS][80];
	static u8 (*fresh)[80];
	fm_pkt_t pkt;
	unsigned int i, f, created;
	u64 total = 0;

	table_reset();
	for (f = 0; f < HIT_FLOWS; f++)
		make_pkt(data[f], family, f);
	if (warm) {
		for (f = 0; f < nflows; f++) {
			pkt.data = data[f];
			pkt.len = family == 4 ? 46 : 66;
			packet(&pkt, family, 1);
		}
	}
	if (!warm) {
		if (!fresh)
			fresh = calloc(PKTS, sizeof(*fresh));
		if (!fresh)
			exit(2);
		for (i = 0; i < PKTS; i++)
			make_pkt(fresh[i], family, HIT_FLOWS + i);
	}
	created = count;
	CALLGRIND_ZERO_STATS;
	for (i = 0; i < PKTS; i++) {
		if (warm) {
			pkt.data = data[i % nflows];
			pkt.len = family == 4 ? 46 : 66;
		} else {
			/* every packet a new flow */
			pkt.data = fresh[i];
			pkt.len = family == 4 ? 46 : 66;
		}
		packet(&pkt, family, 2);
	}
	CALLGRIND_DUMP_STATS_AT(name);
	printf("phase %s units %u\n", name, PKTS);

	/* every packet counted in the right entry */
	for (i = 0; i < NBUCKETS; i++) {
		const struct fm_entry *e;

		for (e = buckets[i]; e; e = e->next) {
			total += e->packets;
			CHECK(e->bytes == e->packets * (family == 4 ? 46 : 66));
			CHECK(e->ttl_min == 64 && e->ttl_max == 64);
			CHECK(e->key.proto == 17 && e->key.dport == htons(9));
		}
	}
	if (warm) {
		CHECK(created == nflows && count == nflows);
		CHECK(total == (u64)PKTS + nflows);
		CHECK(pool[0].packets == 1 + (PKTS + nflows - 1) / nflows);
	} else {
		CHECK(count == PKTS);
		CHECK(total == PKTS);
	}
}

/*
 * The exporter's loop (fm_dest_export() in export.c) over batches of
 * BATCH records: the batch call, a new message when it says the message
 * is full.
 */

static void run_ipfix(void)
{
	static const struct fm_enc_clock clk = {
		.unix_sec = 1700000100,
		.uptime_ms = 100000,
		.boot_ms = 1700000000000ULL,
	};
	static struct fm_record recs[BATCH];
	static u8 buf[1472];
	struct fm_enc_session s;
	struct fm_enc_msg m;
	unsigned int i, k, done, msgs = 0;
	u64 bytes = 0;
	int ret;

	memset(recs, 0, sizeof(recs));
	for (i = 0; i < BATCH; i++) {
		struct fm_record *r = &recs[i];

		r->key.in_if = 2;
		r->key.out_if = 3;
		r->key.proto = 17;
		r->key.sport = htons(1000 + i);
		r->key.dport = htons(9);
		r->key.addr.v4.saddr = htonl(0x0a010001);
		r->key.addr.v4.daddr = htonl(0x0a000201);
		r->packets = 10;
		r->bytes = 460;
		r->start_ms = 1700000050000ULL;
		r->end_ms = 1700000090000ULL;
		r->ttl_min = r->ttl_max = 64;
		r->end_reason = FM_END_IDLE;
	}

	fm_enc_session_init(&s, FM_ENC_IPFIX, 1);
	CALLGRIND_ZERO_STATS;
	CHECK(fm_enc_begin(&m, &s, buf, sizeof(buf), &clk) == FM_ENC_OK);
	for (done = 0; done < RECORDS; done += BATCH) {
		i = 0;
		while (i < BATCH) {
			k = fm_enc_add_flows(&m, &recs[i], BATCH - i);
			i += k;
			if (i == BATCH)
				break;
			if (m.full) {	/* the next message takes recs[i] */
				bytes += fm_enc_finish(&m);
				msgs++;
				CHECK(fm_enc_begin(&m, &s, buf, sizeof(buf),
						   &clk) == FM_ENC_OK);
				continue;
			}
			ret = fm_enc_add_flow(&m, &recs[i]);
			if (ret == FM_ENC_FULL) {
				bytes += fm_enc_finish(&m);
				msgs++;
				CHECK(fm_enc_begin(&m, &s, buf, sizeof(buf),
						   &clk) == FM_ENC_OK);
				ret = fm_enc_add_flow(&m, &recs[i]);
			}
			CHECK(ret == FM_ENC_OK);
			i++;
		}
	}
	bytes += fm_enc_finish(&m);
	msgs++;
	CALLGRIND_DUMP_STATS_AT("ipfix_v4_record");
	printf("phase ipfix_v4_record units %u\n", done);
	printf("# ipfix: %u records in %u messages, %llu bytes\n", done,
	       msgs, (unsigned long long)bytes);
	CHECK(msgs > done / 40 && msgs < done / 10);
	CHECK(s.seq == done);
}

int main(void)
{
	pool_size = PKTS + HIT_FLOWS;
	pool = calloc(pool_size, sizeof(*pool));
	if (!pool)
		return 2;
	run_packets("v4_hit", 4, HIT_FLOWS, true);
	run_packets("v4_miss", 4, 0, false);
	run_packets("v6_hit", 6, HIT_FLOWS, true);
	run_packets("v6_miss", 6, 0, false);
	run_ipfix();
	free(pool);
	/* KTAP-style, for the unit lane's smoke test */
	printf("%s - hotpath: every packet and record counted\n",
	       failures ? "not ok" : "ok");
	return failures ? 1 : 0;
}
