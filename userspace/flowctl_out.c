// SPDX-License-Identifier: GPL-2.0
/*
 * Output: human numbers, a small JSON writer, and the flow table shared
 * by `flowctl flows` and `flowctl top`.
 */
#include <arpa/inet.h>
#include <net/if.h>
#include <stdlib.h>
#include <string.h>

#include "flowctl.h"

/*
 * v below 1000 as is, else with one decimal and an SI suffix: 1.2K, 3.4M.
 * Rounded to the nearest tenth without overflow, moving to the next unit
 * when the tenth rounds up to 1000.0.
 */
const char *fc_human(uint64_t v, bool exact, char buf[FC_HUMAN_LEN])
{
	static const char units[] = "KMGTPE";
	uint64_t tenth = 100, t;
	int u;

	if (exact || v < 1000) {
		snprintf(buf, FC_HUMAN_LEN, "%llu", (unsigned long long)v);
		return buf;
	}
	for (u = 0;; u++, tenth *= 1000) {
		t = v / tenth + (v % tenth >= tenth / 2);
		if (t < 10000 || !units[u + 1])
			break;
	}
	snprintf(buf, FC_HUMAN_LEN, "%llu.%llu%c", (unsigned long long)t / 10,
		 (unsigned long long)t % 10, units[u]);
	return buf;
}

int fc_format_addr(const struct fc_addr *a, bool with_port, char *buf,
		   size_t len)
{
	char s[INET6_ADDRSTRLEN];

	if (!inet_ntop(a->family, a->addr, s, sizeof(s)))
		return -1;
	if (!with_port)
		return snprintf(buf, len, "%s", s);
	if (a->family == AF_INET6)
		return snprintf(buf, len, "[%s]:%u", s, a->port);
	return snprintf(buf, len, "%s:%u", s, a->port);
}

void fc_json_init(struct fc_json *j, FILE *f)
{
	j->f = f;
	j->depth = 0;
	j->first[0] = true;
}

static void fc_json_string(FILE *f, const char *s)
{
	fputc('"', f);
	for (; *s; s++) {
		unsigned char c = *s;

		if (c == '"' || c == '\\')
			fprintf(f, "\\%c", c);
		else if (c < 0x20)
			fprintf(f, "\\u%04x", c);
		else
			fputc(c, f);
	}
	fputc('"', f);
}

static void fc_json_key(struct fc_json *j, const char *key)
{
	if (!j->first[j->depth])
		fputc(',', j->f);
	j->first[j->depth] = false;
	if (key) {
		fc_json_string(j->f, key);
		fputc(':', j->f);
	}
}

void fc_json_open(struct fc_json *j, const char *key, char bracket)
{
	fc_json_key(j, key);
	fputc(bracket, j->f);
	j->first[++j->depth] = true;
}

void fc_json_close(struct fc_json *j, char bracket)
{
	fputc(bracket, j->f);
	if (!--j->depth)
		fputc('\n', j->f);
}

void fc_json_u64(struct fc_json *j, const char *key, uint64_t v)
{
	fc_json_key(j, key);
	fprintf(j->f, "%llu", (unsigned long long)v);
}

void fc_json_int(struct fc_json *j, const char *key, long long v)
{
	fc_json_key(j, key);
	fprintf(j->f, "%lld", v);
}

void fc_json_str(struct fc_json *j, const char *key, const char *s)
{
	fc_json_key(j, key);
	fc_json_string(j->f, s);
}

void fc_json_bool(struct fc_json *j, const char *key, bool v)
{
	fc_json_key(j, key);
	fputs(v ? "true" : "false", j->f);
}

/* The flow key, in a fixed order, so flows can be sorted and merged. */
static int fc_flow_keycmp(const struct fc_flow *a, const struct fc_flow *b)
{
	int d;

	if (a->src.family != b->src.family)
		return a->src.family - b->src.family;
	d = memcmp(a->src.addr, b->src.addr, sizeof(a->src.addr));
	if (!d)
		d = memcmp(a->dst.addr, b->dst.addr, sizeof(a->dst.addr));
	if (d)
		return d;
	if (a->proto != b->proto)
		return a->proto - b->proto;
	if (a->src.port != b->src.port)
		return a->src.port - b->src.port;
	if (a->dst.port != b->dst.port)
		return a->dst.port - b->dst.port;
	if (a->in_if != b->in_if)
		return a->in_if < b->in_if ? -1 : 1;
	if (a->out_if != b->out_if)
		return a->out_if < b->out_if ? -1 : 1;
	if (a->tos != b->tos)
		return a->tos - b->tos;
	if (a->vlan != b->vlan)
		return a->vlan - b->vlan;
	if (a->flowlabel != b->flowlabel)
		return a->flowlabel < b->flowlabel ? -1 : 1;
	return a->dir - b->dir;
}

static int fc_flow_cmp_key(const void *a, const void *b)
{
	return fc_flow_keycmp(a, b);
}

static int fc_u64_desc(uint64_t a, uint64_t b)
{
	return a < b ? 1 : a > b ? -1 : 0;
}

static int fc_flow_cmp_bytes(const void *pa, const void *pb)
{
	const struct fc_flow *a = pa, *b = pb;

	return fc_u64_desc(a->bytes, b->bytes) ?:
	       fc_u64_desc(a->packets, b->packets) ?: fc_flow_keycmp(a, b);
}

static int fc_flow_cmp_packets(const void *pa, const void *pb)
{
	const struct fc_flow *a = pa, *b = pb;

	return fc_u64_desc(a->packets, b->packets) ?:
	       fc_u64_desc(a->bytes, b->bytes) ?: fc_flow_keycmp(a, b);
}

static bool fc_is_icmp(uint8_t proto)
{
	return proto == 1 || proto == 58;
}

/*
 * A biflow turned round: the other end as source, the two directions'
 * counters swapped. ICMP keeps its type and code where they are.
 */
static void fc_flow_turn(struct fc_flow *f)
{
	struct fc_addr a = f->src;
	uint64_t v;
	uint32_t i;
	uint8_t t;

	f->src = f->dst;
	f->dst = a;
	if (fc_is_icmp(f->proto)) {
		f->dst.port = f->src.port;
		f->src.port = 0;
	}
	i = f->in_if;
	f->in_if = f->out_if;
	f->out_if = i;
#define FC_SWAP(x, y) do { v = f->x; f->x = f->y; f->y = v; } while (0)
	FC_SWAP(packets, rpackets);
	FC_SWAP(bytes, rbytes);
	FC_SWAP(start_ms, rstart_ms);
	FC_SWAP(end_ms, rend_ms);
#undef FC_SWAP
	t = f->tcp_flags;
	f->tcp_flags = f->rtcp_flags;
	f->rtcp_flags = t;
}

/* Its ends in a fixed order, lower address (then port) first. */
static void fc_flow_canon(struct fc_flow *f)
{
	int d = memcmp(f->src.addr, f->dst.addr, sizeof(f->src.addr));

	if (d > 0 || (!d && !fc_is_icmp(f->proto) && f->src.port > f->dst.port))
		fc_flow_turn(f);
}

/* Add a biflow direction: y's packets to x's. */
static void fc_dir_add(uint64_t *p, uint64_t *b, uint64_t *s, uint64_t *e,
		       uint64_t yp, uint64_t yb, uint64_t ys, uint64_t ye)
{
	if (!yp)
		return;
	if (!*p || ys < *s)
		*s = ys;
	if (!*p || ye > *e)
		*e = ye;
	*p += yp;
	*b += yb;
}

static bool fc_mac_unset(const uint8_t mac[6])
{
	static const uint8_t zero[6];

	return !memcmp(mac, zero, 6);
}

/*
 * L2 fields of two CPUs' pieces of one flow (before their times are
 * added): the first packet's, of the piece that began first; the next
 * hop's MAC of either, as the kernel merges them (fm_l2_merge()).
 */
static void fc_l2_merge(struct fc_flow *m, const struct fc_flow *y)
{
	uint8_t mac[6];

	memcpy(mac, m->post_dst_mac, 6);
	if (y->start_ms < m->start_ms) {
		memcpy(m->src_mac, y->src_mac, 6);
		memcpy(m->dst_mac, y->dst_mac, 6);
		memcpy(m->post_src_mac, y->post_src_mac, 6);
		memcpy(m->post_dst_mac, y->post_dst_mac, 6);
		m->vlan_outer = y->vlan_outer;
		m->vlan_inner = y->vlan_inner;
		m->mpls = y->mpls;
		m->mpls_top = y->mpls_top;
	} else {
		memcpy(mac, y->post_dst_mac, 6);
	}
	if (fc_mac_unset(m->post_dst_mac))
		memcpy(m->post_dst_mac, mac, 6);
}

/*
 * One flow seen on several CPUs is reported once per CPU: sort by key and
 * fold each run of equal keys into its first entry. Returns the new count.
 * Biflows are folded with both ends in a fixed order (each CPU's piece may
 * name another initiator), then the end that sent first is the source.
 */
size_t fc_flows_merge(struct fc_flow *f, size_t n)
{
	size_t i, out = 0;

	if (!n)
		return 0;
	for (i = 0; i < n; i++)
		if (f[i].bi)
			fc_flow_canon(&f[i]);
	qsort(f, n, sizeof(*f), fc_flow_cmp_key);
	for (i = 1; i < n; i++) {
		struct fc_flow *m = &f[out];

		if (fc_flow_keycmp(m, &f[i])) {
			f[++out] = f[i];
			continue;
		}
		if (m->l2)
			fc_l2_merge(m, &f[i]);
		if (m->bi) {
			fc_dir_add(&m->packets, &m->bytes, &m->start_ms,
				   &m->end_ms, f[i].packets, f[i].bytes,
				   f[i].start_ms, f[i].end_ms);
			fc_dir_add(&m->rpackets, &m->rbytes, &m->rstart_ms,
				   &m->rend_ms, f[i].rpackets, f[i].rbytes,
				   f[i].rstart_ms, f[i].rend_ms);
			m->rtcp_flags |= f[i].rtcp_flags;
		} else {
			m->packets += f[i].packets;
			m->bytes += f[i].bytes;
			if (f[i].start_ms < m->start_ms)
				m->start_ms = f[i].start_ms;
			if (f[i].end_ms > m->end_ms)
				m->end_ms = f[i].end_ms;
		}
		m->tcp_flags |= f[i].tcp_flags;
		if (f[i].ttl_min < m->ttl_min)
			m->ttl_min = f[i].ttl_min;
		if (f[i].ttl_max > m->ttl_max)
			m->ttl_max = f[i].ttl_max;
		if (m->cpu != f[i].cpu)
			m->cpu = -1;
		/*
		 * post-NAT fields: final ones over early ones (a piece of
		 * the first packet only), any over none
		 */
		if (f[i].nat && (!m->nat || (f[i].xfinal && !m->xfinal))) {
			m->nat = true;
			m->xfinal = f[i].xfinal;
			m->xsrc = f[i].xsrc;
			m->xdst = f[i].xdst;
		}
	}
	for (i = 0; i <= out; i++)
		if (f[i].bi && (!f[i].packets ||
				(f[i].rpackets && f[i].rstart_ms < f[i].start_ms)))
			fc_flow_turn(&f[i]);
	return out + 1;
}

void fc_flows_sort(struct fc_flow *f, size_t n, enum fc_sort by)
{
	if (by == FC_SORT_BYTES)
		qsort(f, n, sizeof(*f), fc_flow_cmp_bytes);
	else if (by == FC_SORT_PACKETS)
		qsort(f, n, sizeof(*f), fc_flow_cmp_packets);
}

/* Interface name if it exists in this netns, else its index; 0 is "-". */
static void fc_ifname(uint32_t ifindex, char buf[IF_NAMESIZE + 8])
{
	if (!ifindex)
		strcpy(buf, "-");
	else if (!if_indextoname(ifindex, buf))
		snprintf(buf, IF_NAMESIZE + 8, "%u", ifindex);
}

/* xx:xx:xx:xx:xx:xx, as ip link shows it */
static void fc_format_mac(const uint8_t mac[6], char *buf)
{
	sprintf(buf, "%02x:%02x:%02x:%02x:%02x:%02x", mac[0], mac[1], mac[2],
		mac[3], mac[4], mac[5]);
}

static void fc_flow_json(struct fc_json *j, const struct fc_flow *f)
{
	char s[INET6_ADDRSTRLEN + 8];

	fc_json_open(j, NULL, '{');
	fc_json_str(j, "family", f->src.family == AF_INET6 ? "inet6" : "inet");
	fc_format_addr(&f->src, false, s, sizeof(s));
	fc_json_str(j, "src", s);
	fc_format_addr(&f->dst, false, s, sizeof(s));
	fc_json_str(j, "dst", s);
	if (f->agg) {	/* masked: the addresses are prefixes */
		fc_json_u64(j, "src_prefix_len", f->splen);
		fc_json_u64(j, "dst_prefix_len", f->dplen);
	}
	fc_json_u64(j, "proto", f->proto);
	fc_json_u64(j, "sport", f->src.port);
	fc_json_u64(j, "dport", f->dst.port);
	fc_json_u64(j, "in_if", f->in_if);
	if (f->in_if && if_indextoname(f->in_if, s))
		fc_json_str(j, "in_ifname", s);
	fc_json_u64(j, "out_if", f->out_if);
	if (f->out_if && if_indextoname(f->out_if, s))
		fc_json_str(j, "out_ifname", s);
	fc_json_u64(j, "tos", f->tos);
	fc_json_u64(j, "vlan", f->vlan);
	if (f->src.family == AF_INET6)
		fc_json_u64(j, "flowlabel", f->flowlabel);
	fc_json_str(j, "direction", f->dir ? "egress" : "ingress");
	fc_json_u64(j, "packets", f->packets);
	fc_json_u64(j, "bytes", f->bytes);
	fc_json_u64(j, "start_ms", f->start_ms);
	fc_json_u64(j, "end_ms", f->end_ms);
	fc_json_u64(j, "tcp_flags", f->tcp_flags);
	fc_json_u64(j, "ttl_min", f->ttl_min);
	fc_json_u64(j, "ttl_max", f->ttl_max);
	if (f->bi) {	/* src initiated; what dst sent */
		fc_json_bool(j, "biflow", true);
		fc_json_u64(j, "rev_packets", f->rpackets);
		fc_json_u64(j, "rev_bytes", f->rbytes);
		fc_json_u64(j, "rev_start_ms", f->rstart_ms);
		fc_json_u64(j, "rev_end_ms", f->rend_ms);
		fc_json_u64(j, "rev_tcp_flags", f->rtcp_flags);
	}
	if (f->l2) {
		fc_format_mac(f->src_mac, s);
		fc_json_str(j, "src_mac", s);
		fc_format_mac(f->dst_mac, s);
		fc_json_str(j, "dst_mac", s);
		fc_json_u64(j, "vlan_outer", f->vlan_outer);
		fc_json_u64(j, "vlan_inner", f->vlan_inner);
		fc_json_u64(j, "ethertype", f->ethertype);
		fc_format_mac(f->post_src_mac, s);
		fc_json_str(j, "post_src_mac", s);
		fc_format_mac(f->post_dst_mac, s);
		fc_json_str(j, "post_dst_mac", s);
		if (f->mpls) {
			fc_json_u64(j, "mpls_label", f->mpls_top >> 4);
			fc_json_u64(j, "mpls_tc", f->mpls_top >> 1 & 7);
			fc_json_u64(j, "mpls_bos", f->mpls_top & 1);
		}
	}
	if (f->nat) {	/* after every translation of its conntrack entry */
		fc_format_addr(&f->xsrc, false, s, sizeof(s));
		fc_json_str(j, "postnat_src", s);
		fc_json_u64(j, "postnat_sport", f->xsrc.port);
		fc_format_addr(&f->xdst, false, s, sizeof(s));
		fc_json_str(j, "postnat_dst", s);
		fc_json_u64(j, "postnat_dport", f->xdst.port);
		fc_json_bool(j, "postnat_final", f->xfinal);
	}
	if (f->cpu >= 0)
		fc_json_u64(j, "cpu", f->cpu);
	if (f->route) {
		fc_format_addr(&f->nexthop, false, s, sizeof(s));
		fc_json_str(j, "nexthop", s);
		fc_json_u64(j, "src_mask", f->src_mask);
		fc_json_u64(j, "dst_mask", f->dst_mask);
		fc_json_u64(j, "src_as", f->src_as);
		fc_json_u64(j, "dst_as", f->dst_as);
	}
	fc_json_close(j, '}');
}

/*
 * The table: like Cisco's "show ip cache flow", one line per flow; with
 * biflows, what the responder sent; with routing fields, the columns of
 * "show ip cache verbose flow" after them; with L2 fields, the MACs
 * before and after forwarding, the VLAN ids (outer.inner) and the top
 * MPLS label (label/TC/S); with post-NAT fields, the translated source
 * and destination, with ports, last.
 */
enum { C_SRCIF, C_SRC, C_DSTIF, C_DST, C_PR, C_SP, C_DP, C_PKTS, C_BYTES,
       C_RPKTS, C_RBYTES, C_NH, C_SMSK, C_DMSK, C_SAS, C_DAS, C_SMAC, C_DMAC,
       C_VLANS, C_MPLS, C_PSMAC, C_PDMAC, C_XSRC, C_XDST, FC_NCOLS };
#define FC_CELL (INET6_ADDRSTRLEN + 8)

static const char * const fc_col_names[FC_NCOLS] = {
	"SrcIf", "SrcIPaddress", "DstIf", "DstIPaddress", "Pr", "SrcP", "DstP",
	"Pkts", "Bytes", "RevPkts", "RevBytes", "NextHop", "SMsk", "DMsk", "SrcAS",
	"DstAS", "SrcMAC", "DstMAC", "Vlans", "MPLS", "PostSrcMAC", "PostDstMAC",
	"PostNATSrc", "PostNATDst",
};

static void fc_add_plen(char *cell, unsigned int plen)
{
	size_t n = strlen(cell);

	snprintf(cell + n, FC_CELL - n, "/%u", plen);
}

static void fc_flow_cells(const struct fc_flow *f, bool exact,
			  char c[FC_NCOLS][FC_CELL])
{
	const char *pname = fc_proto_name(f->proto);

	fc_ifname(f->in_if, c[C_SRCIF]);
	fc_format_addr(&f->src, false, c[C_SRC], FC_CELL);
	fc_ifname(f->out_if, c[C_DSTIF]);
	fc_format_addr(&f->dst, false, c[C_DST], FC_CELL);
	if (f->agg) {	/* masked: the addresses as prefixes */
		fc_add_plen(c[C_SRC], f->splen);
		fc_add_plen(c[C_DST], f->dplen);
	}
	if (pname)
		snprintf(c[C_PR], FC_CELL, "%s", pname);
	else
		snprintf(c[C_PR], FC_CELL, "%u", f->proto);
	if (fc_is_icmp(f->proto)) {	/* NetFlow: dport = type * 256 + code */
		strcpy(c[C_SP], "-");
		snprintf(c[C_DP], FC_CELL, "%u.%u", f->dst.port >> 8,
			 f->dst.port & 0xff);
	} else {
		snprintf(c[C_SP], FC_CELL, "%u", f->src.port);
		snprintf(c[C_DP], FC_CELL, "%u", f->dst.port);
	}
	fc_human(f->packets, exact, c[C_PKTS]);
	fc_human(f->bytes, exact, c[C_BYTES]);
	if (f->bi) {
		fc_human(f->rpackets, exact, c[C_RPKTS]);
		fc_human(f->rbytes, exact, c[C_RBYTES]);
	} else {
		strcpy(c[C_RPKTS], "-");
		strcpy(c[C_RBYTES], "-");
	}
	if (f->route)
		fc_format_addr(&f->nexthop, false, c[C_NH], FC_CELL);
	else
		strcpy(c[C_NH], "-");
	snprintf(c[C_SMSK], FC_CELL, "/%u", f->src_mask);
	snprintf(c[C_DMSK], FC_CELL, "/%u", f->dst_mask);
	snprintf(c[C_SAS], FC_CELL, "%u", f->src_as);
	snprintf(c[C_DAS], FC_CELL, "%u", f->dst_as);
	fc_format_mac(f->src_mac, c[C_SMAC]);
	fc_format_mac(f->dst_mac, c[C_DMAC]);
	fc_format_mac(f->post_src_mac, c[C_PSMAC]);
	fc_format_mac(f->post_dst_mac, c[C_PDMAC]);
	snprintf(c[C_VLANS], FC_CELL, "%u.%u", f->vlan_outer, f->vlan_inner);
	if (f->mpls)
		snprintf(c[C_MPLS], FC_CELL, "%u/%u/%u", f->mpls_top >> 4,
			 f->mpls_top >> 1 & 7, f->mpls_top & 1);
	else
		strcpy(c[C_MPLS], "-");
	if (f->nat) {
		fc_format_addr(&f->xsrc, true, c[C_XSRC], FC_CELL);
		fc_format_addr(&f->xdst, true, c[C_XDST], FC_CELL);
	} else {
		strcpy(c[C_XSRC], "-");
		strcpy(c[C_XDST], "-");
	}
}

/*
 * The reverse columns with biflows, the routing ones with routing fields,
 * the L2 ones with L2 fields, the post-NAT ones with post-NAT fields:
 * bits of shown, FC_SHOW_*.
 */
#define FC_SHOW_BI	1
#define FC_SHOW_ROUTE	2
#define FC_SHOW_NAT	4
#define FC_SHOW_L2	8

static bool fc_col_shown(int i, unsigned int shown)
{
	if (i >= C_XSRC)
		return shown & FC_SHOW_NAT;
	if (i >= C_SMAC)
		return shown & FC_SHOW_L2;
	if (i >= C_NH)
		return shown & FC_SHOW_ROUTE;
	if (i >= C_RPKTS)
		return shown & FC_SHOW_BI;
	return true;
}

static void fc_table_row(char c[FC_NCOLS][FC_CELL], const int *w,
			 unsigned int shown)
{
	const char *sep = "";
	int i;

	for (i = 0; i < FC_NCOLS; i++) {
		if (!fc_col_shown(i, shown))
			continue;
		printf(i >= C_SP && i != C_NH && i < C_SMAC ? "%s%*s" : "%s%-*s",
		       sep, w[i], c[i]);
		sep = " ";
	}
	putchar('\n');
}

void fc_flows_print(const struct fc_flow *f, size_t n, bool json, bool exact)
{
	char c[FC_NCOLS][FC_CELL];
	int w[FC_NCOLS], i;
	unsigned int shown = 0;
	size_t k;

	if (json) {
		struct fc_json j;

		fc_json_init(&j, stdout);
		fc_json_open(&j, NULL, '[');
		for (k = 0; k < n; k++)
			fc_flow_json(&j, &f[k]);
		fc_json_close(&j, ']');
		return;
	}
	for (k = 0; k < n; k++)
		shown |= (f[k].bi ? FC_SHOW_BI : 0) |
			 (f[k].route ? FC_SHOW_ROUTE : 0) |
			 (f[k].l2 ? FC_SHOW_L2 : 0) |
			 (f[k].nat ? FC_SHOW_NAT : 0);
	for (i = 0; i < FC_NCOLS; i++)
		w[i] = strlen(fc_col_names[i]);
	for (k = 0; k < n; k++) {
		fc_flow_cells(&f[k], exact, c);
		for (i = 0; i < FC_NCOLS; i++)
			if ((int)strlen(c[i]) > w[i])
				w[i] = strlen(c[i]);
	}
	for (i = 0; i < FC_NCOLS; i++)
		snprintf(c[i], FC_CELL, "%s", fc_col_names[i]);
	fc_table_row(c, w, shown);
	for (k = 0; k < n; k++) {
		fc_flow_cells(&f[k], exact, c);
		fc_table_row(c, w, shown);
	}
}

/* Top prefixes: "PREFIX flows packets bytes", one a line. */
void fc_prefixes_print(const struct fc_prefix *p, size_t n, bool json,
		       bool exact)
{
	char a[INET6_ADDRSTRLEN + 8], pk[FC_HUMAN_LEN], by[FC_HUMAN_LEN];
	struct fc_json j;
	size_t k;
	int w = 6;

	if (json) {
		fc_json_init(&j, stdout);
		fc_json_open(&j, NULL, '[');
	}
	for (k = 0; k < n; k++) {
		fc_format_addr(&p[k].addr, false, a, sizeof(a));
		if (json) {
			fc_json_open(&j, NULL, '{');
			fc_json_str(&j, "family", p[k].addr.family == AF_INET6 ?
				    "inet6" : "inet");
			fc_json_str(&j, p[k].src ? "src" : "dst", a);
			fc_json_u64(&j, "prefix_len", p[k].plen);
			fc_json_u64(&j, "flows", p[k].flows);
			fc_json_u64(&j, "packets", p[k].packets);
			fc_json_u64(&j, "bytes", p[k].bytes);
			fc_json_u64(&j, "start_ms", p[k].start_ms);
			fc_json_u64(&j, "end_ms", p[k].end_ms);
			fc_json_close(&j, '}');
		} else {
			int len = strlen(a) + 4;

			w = len > w ? len : w;
		}
	}
	if (json) {
		fc_json_close(&j, ']');
		return;
	}
	printf("%-*s %8s %10s %10s\n", w, n && !p[0].src ? "DstPrefix" : "SrcPrefix",
	       "Flows", "Pkts", "Bytes");
	for (k = 0; k < n; k++) {
		char pfx[INET6_ADDRSTRLEN + 16];

		fc_format_addr(&p[k].addr, false, a, sizeof(a));
		snprintf(pfx, sizeof(pfx), "%s/%u", a, p[k].plen);
		printf("%-*s %8u %10s %10s\n", w, pfx, p[k].flows,
		       fc_human(p[k].packets, exact, pk),
		       fc_human(p[k].bytes, exact, by));
	}
}

/*
 * Prometheus text exposition format, version 0.0.4: per family a # HELP
 * and a # TYPE line, then its samples. Counters that differ only by a
 * reason (parse_error_*, flows_expired_*, flows_dropped_*) are one family
 * with a reason label; a counter no family knows gets one of its own.
 */
enum fc_prom_kind { FC_PROM_COUNTER, FC_PROM_GAUGE, FC_PROM_BY_REASON };

static const struct fc_prom_family {
	const char *stat;	/* its name; by reason: its name's start */
	const char *metric;
	enum fc_prom_kind kind;
	const char *help;
} fc_prom_families[] = {
	{ "packets_seen", "packets_seen_total", FC_PROM_COUNTER,
	  "Packets seen at the hooks, metered or not." },
	{ "packets_metered", "packets_metered_total", FC_PROM_COUNTER,
	  "Packets counted into a flow." },
	{ "bytes_metered", "bytes_metered_total", FC_PROM_COUNTER,
	  "IP bytes (total length) of the metered packets." },
	{ "packets_fragment", "packets_fragment_total", FC_PROM_COUNTER,
	  "Metered IP fragments, first or not." },
	{ "packets_no_l4", "packets_no_l4_total", FC_PROM_COUNTER,
	  "Metered packets without transport ports." },
	{ "packets_skipped_sampling", "packets_skipped_sampling_total",
	  FC_PROM_COUNTER, "Packets left out by sampling." },
	{ "parse_error_", "parse_errors_total", FC_PROM_BY_REASON,
	  "Packets not metered because their headers are malformed." },
	{ "flows_active", "flows_active", FC_PROM_GAUGE,
	  "Flows in the cache now." },
	{ "flows_created", "flows_created_total", FC_PROM_COUNTER,
	  "Flows started in the cache." },
	{ "flows_expired_", "flows_expired_total", FC_PROM_BY_REASON,
	  "Flows ended, by reason." },
	{ "flows_dropped_", "flows_dropped_total", FC_PROM_BY_REASON,
	  "New flows refused, by reason: no memory, or no room." },
	{ "packets_dropped", "packets_dropped_total", FC_PROM_COUNTER,
	  "Packets not metered because their new flow was refused." },
	{ "records_dropped", "records_dropped_total", FC_PROM_COUNTER,
	  "Finished flow records lost because the export queue was full." },
	{ "flows_merged", "flows_merged_total", FC_PROM_COUNTER,
	  "Partial flows of one CPU merged into the record of the same flow." },
	{ "merge_incomplete", "merge_incomplete_total", FC_PROM_COUNTER,
	  "Flow records exported before every CPU's part had joined them." },
	{ "packets_filtered", "packets_filtered_total", FC_PROM_COUNTER,
	  "Packets left out by the interface filter." },
	{ "packets_filtered_mark", "packets_filtered_mark_total",
	  FC_PROM_COUNTER, "Packets left out by the mark filter." },
	{ "memory_bytes", "memory_bytes", FC_PROM_GAUGE,
	  "Memory the flow cache holds: entries and tables." },
	{ "budget_pool", "budget_pool", FC_PROM_GAUGE,
	  "Flows of max_flows that no CPU holds." },
	{ "budget_starving", "budget_starving", FC_PROM_GAUGE,
	  "1 + the CPU waiting for flow budget, or 0." },
	{ "records_observed", "records_observed_total", FC_PROM_COUNTER,
	  "Finished flow records handed to export." },
	{ "records_selected", "records_selected_total", FC_PROM_COUNTER,
	  "Finished flow records flow sampling sent on to the destinations." },
	{ "nat_events_created", "nat_events_created_total", FC_PROM_COUNTER,
	  "NAT44 and NAT66 session create events handed to export (since switched on)." },
	{ "nat_events_deleted", "nat_events_deleted_total", FC_PROM_COUNTER,
	  "NAT44 and NAT66 session delete events handed to export (since switched on)." },
	{ "nat_events_dropped", "nat_events_dropped_total", FC_PROM_COUNTER,
	  "Conntrack events lost in the meter's full receive queue." },
	{ "nat_events_overruns", "nat_events_overruns_total", FC_PROM_COUNTER,
	  "Times the meter's conntrack event queue overflowed." },
	{ "nat_events_skipped", "nat_events_skipped_total", FC_PROM_COUNTER,
	  "Conntrack events without NAT, not logged." },
	{ "nat_events_malformed", "nat_events_malformed_total", FC_PROM_COUNTER,
	  "Conntrack event messages that did not parse, not logged." },
	{ "nat_events_sent", "nat_events_sent_total", FC_PROM_COUNTER,
	  "NAT event records sent, all destinations." },
	{ "nat_events_lost", "nat_events_lost_total", FC_PROM_COUNTER,
	  "NAT event records in failed sends, or that fit no message." },
	{ "nat_events_no_destination", "nat_events_no_destination_total",
	  FC_PROM_COUNTER, "NAT events while no IPFIX or v9 destination took them." },
	{ "nat_conntrack_events", "nat_conntrack_events", FC_PROM_GAUGE,
	  "net.netfilter.nf_conntrack_events of the netns (0: no events)." },
	{ "nat_conntrack_source", "nat_conntrack_source", FC_PROM_GAUGE,
	  "1: nf_conntrack_netlink is there to send conntrack's events (0: no NAT events)." },
};

static bool fc_prom_match(const struct fc_prom_family *fam, const char *name)
{
	if (fam->kind == FC_PROM_BY_REASON)
		return !strncmp(name, fam->stat, strlen(fam->stat)) &&
		       name[strlen(fam->stat)];
	return !strcmp(name, fam->stat);
}

static void fc_prom_head(FILE *f, const char *metric, const char *help,
			 const char *type)
{
	fprintf(f, "# HELP flowmeter_%s %s\n", metric, help);
	fprintf(f, "# TYPE flowmeter_%s %s\n", metric, type);
}

void fc_prom_print(FILE *f, const struct fc_stat *s, size_t n)
{
	const struct fc_prom_family *fam;
	bool *done = calloc(n ? n : 1, sizeof(*done));
	size_t i, k;

	for (k = 0; k < ARRAY_SIZE(fc_prom_families); k++) {
		bool head = false;

		fam = &fc_prom_families[k];
		for (i = 0; i < n; i++) {
			if (!fc_prom_match(fam, s[i].name))
				continue;
			if (!head)
				fc_prom_head(f, fam->metric, fam->help,
					     fam->kind == FC_PROM_GAUGE ?
					     "gauge" : "counter");
			head = true;
			if (done)
				done[i] = true;
			if (fam->kind == FC_PROM_BY_REASON)
				fprintf(f, "flowmeter_%s{reason=\"%s\"} %llu\n",
					fam->metric, s[i].name + strlen(fam->stat),
					(unsigned long long)s[i].v);
			else
				fprintf(f, "flowmeter_%s %llu\n", fam->metric,
					(unsigned long long)s[i].v);
		}
	}
	for (i = 0; i < n; i++) {
		char metric[96];

		if (done && done[i])
			continue;
		snprintf(metric, sizeof(metric), "%s_total", s[i].name);
		fc_prom_head(f, metric, "A flowmeter counter.", "counter");
		fprintf(f, "flowmeter_%s %llu\n", metric,
			(unsigned long long)s[i].v);
	}
	free(done);
}

/* Per destination: one family per counter, labelled by destination. */
void fc_prom_print_dests(FILE *f, const struct fc_prom_dest *d, size_t n)
{
	static const struct {
		const char *metric;
		const char *help;
	} fams[FC_DEST_NCOUNTERS] = {
		[FC_DEST_PACKETS] = { "export_packets_total",
				      "Export messages sent to the destination." },
		[FC_DEST_BYTES] = { "export_bytes_total",
				    "UDP payload bytes of those messages." },
		[FC_DEST_RECORDS] = { "export_records_total",
				      "Flow records in those messages." },
		[FC_DEST_REFUSED] = { "export_refused_total",
				      "Flow records the export version cannot carry." },
		[FC_DEST_NOT_SENT] = { "export_not_sent_total",
				       "Flow records not sent: refused, or in messages that failed." },
		[FC_DEST_ERRORS] = { "export_errors_total",
				     "Failed sends and ICMP errors from the destination." },
	};
	size_t i, k;

	if (!n)
		return;
	for (k = 0; k < FC_DEST_NCOUNTERS; k++) {
		fc_prom_head(f, fams[k].metric, fams[k].help, "counter");
		for (i = 0; i < n; i++)
			fprintf(f, "flowmeter_%s{destination=\"%s\",version=\"%s\"} %llu\n",
				fams[k].metric, d[i].name,
				fc_version_name(d[i].version),
				(unsigned long long)d[i].v[k]);
	}
}
