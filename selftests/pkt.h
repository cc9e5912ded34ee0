/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The wire, as the parking tests see it:
 *  - capture: an AF_PACKET socket on one interface of a netns, each TCP
 *    segment parsed (addresses, ports, seq/ack, flags, window, options,
 *    checksum) and stamped with its capture time;
 *  - forge: IPv4/IPv6 TCP segments built byte by byte (any flags, seq,
 *    ack, window, options, payload, data offset, truncation, checksum
 *    right or deliberately wrong) and sent from a raw socket in a netns,
 *    or quoted by an ICMP/ICMPv6 error sent back to their source;
 *  - tcparkctl -j output read back (records and counters).
 */
#ifndef _TCPARK_SELFTEST_PKT_H
#define _TCPARK_SELFTEST_PKT_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#define TH_FIN	0x01
#define TH_SYN	0x02
#define TH_RST	0x04
#define TH_PSH	0x08
#define TH_ACK	0x10
#define TH_URG	0x20

/* Serial number arithmetic (RFC 1982), as the kernel's before()/after(). */
static inline bool seq_before(uint32_t a, uint32_t b)
{
	return (int32_t)(a - b) < 0;
}

static inline bool seq_after(uint32_t a, uint32_t b)
{
	return seq_before(b, a);
}

/* An address and port of either family; v4 in the first 4 bytes. */
struct tcp_ep {
	int family;
	uint8_t addr[16];
	uint16_t port;		/* host order */
};

struct pkt {
	uint64_t ns;		/* capture time, CLOCK_REALTIME */
	bool out;		/* sent by the host the capture runs on */
	struct tcp_ep src, dst;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;		/* as on the wire, unscaled */
	uint8_t doff;		/* in 32-bit words */
	uint32_t len;		/* payload bytes */
	bool csum_known;	/* false when the NIC was to finish it */
	bool csum_ok;
	bool has_ts;
	uint32_t tsval, tsecr;
	int wscale;		/* -1: no option */
	int mss;		/* -1: no option */
	bool sack_perm;
	uint8_t ttl;		/* or hop limit */
};

/* The sequence space a segment occupies: payload, SYN and FIN. */
static inline uint32_t pkt_end_seq(const struct pkt *p)
{
	return p->seq + p->len + !!(p->flags & TH_SYN) + !!(p->flags & TH_FIN);
}

const char *pkt_flags_str(uint8_t flags, char *buf);
void pkt_print(const struct pkt *p, uint64_t t0, char *buf, size_t len);

/* A socket created inside @netns (-1: the current one). */
int ns_socket(int netns, int family, int type, int proto);

/* Capture on @ifname in @netns. */
struct cap {
	int fd;
};

int cap_open(struct cap *c, int netns, const char *ifname);
void cap_close(struct cap *c);
/*
 * The next TCP segment, waiting up to @timeout_ms (0: only what is queued).
 * 1: one read, 0: none in time, -1: error.
 */
int cap_next(struct cap *c, struct pkt *p, int timeout_ms);

/* An endpoint pair from a connected socket: local and remote. */
int sock_eps(int fd, struct tcp_ep *local, struct tcp_ep *remote);
bool ep_eq(const struct tcp_ep *a, const struct tcp_ep *b);
/* @p belongs to the connection @a <-> @b (either direction). */
bool pkt_on(const struct pkt *p, const struct tcp_ep *a, const struct tcp_ep *b);
bool pkt_from(const struct pkt *p, const struct tcp_ep *ep);
int ep_parse(struct tcp_ep *ep, const char *ip, int port);
const char *ep_str(const struct tcp_ep *ep, char *buf, size_t len);

/* A segment to forge. */
struct forge {
	struct tcp_ep src, dst;
	uint32_t seq, ack;
	uint8_t flags;
	uint16_t win;
	uint16_t urp;
	bool ts;		/* NOP NOP TS(tsval, tsecr) first */
	uint32_t tsval, tsecr;
	const uint8_t *opt;	/* raw option bytes after TS, padded with EOL */
	size_t optlen;
	size_t paylen;		/* payload of 'x' bytes ... */
	const uint8_t *payload;	/* ... or of these paylen bytes */
	int doff;		/* 0: right; else this value in the header */
	bool bad_csum;
	size_t tcp_bytes;	/* 0: all; else send only this much TCP */
	size_t ip_extra;	/* bytes claimed by the IP header beyond the data */
	size_t exthdr;		/* IPv6: 8 = an 8-byte Destination Options
				 * header (one PadN: Linux drops padding
				 * longer than 7 bytes) before TCP */
};

/* A raw socket for forge_send() in @netns, for @family. */
int forge_socket(int netns, int family);
int forge_send(int fd, const struct forge *f);
int forge_send_frag6(int fd, const struct forge *f, size_t first, uint32_t id);

/*
 * An ICMP (IPv4) or ICMPv6 error about @f: @f is built as forge_send()
 * would send it (IP header, TCP checksum and all), and quoted, as much of
 * it as the RFCs let an error carry (576 bytes in all for ICMP, 1280 for
 * ICMPv6), by an error that goes the other way: from @f's destination
 * (or @src) to @f's source, hop limit 64, its checksum right (ICMPv6's
 * over the pseudo-header). Through @fd from forge_socket(@f's family).
 */
struct forge_icmp {
	uint8_t type, code;
	uint32_t info;		/* the 4 bytes after the checksum, host order:
				 * 1280 puts an MTU of 1280 both in ICMP's
				 * "fragmentation needed" and in ICMPv6's
				 * "packet too big" */
	const uint8_t *src;	/* outer source address; NULL: @f's dst */
};

int forge_send_icmp(int fd, const struct forge *f, const struct forge_icmp *ic);
/* The same through an AF_PACKET socket on @ifname, to @mac. */
int forge_l2_socket(int netns, const char *ifname, int *ifindex);
int if_mac(int netns, const char *ifname, uint8_t mac[6]);
int forge_send_l2(int fd, int ifindex, const uint8_t mac[6], const struct forge *f);

/* tcparkctl -j, run in a netns (by name or path). */
struct ctl_rec {
	uint64_t cookie;
	char state[16];		/* "parked", "active" */
	char mode[16];
	char family[8];		/* "inet", "inet6" */
	uint16_t lport, rport;
	uint32_t snd_nxt, rcv_nxt, snd_wnd, rcv_wnd, mss;
	int snd_wscale, rcv_wscale;
	bool opt_ts, opt_sack, opt_wscale;
	uint64_t ka_answered;
	bool has_seq;		/* snd_nxt...: parked transient records */
};

/* Counters of "tcparkctl -j stats" by name, e.g. "parks", "unacked". */
int ctl_stat(const char *netns, const char *name, uint64_t *val);
/* Records/sockets of "tcparkctl -j show"; returns how many, -1 error. */
int ctl_show(const char *netns, struct ctl_rec *recs, int max);
/* The parked record for local port @lport, remote port @rport. */
int ctl_find(const char *netns, uint16_t lport, uint16_t rport, struct ctl_rec *rec);
/* Run "tcparkctl -n NETNS ARGS"; its exit status. */
int ctl_run(const char *netns, const char *args);

uint64_t now_ns(void);
void msleep(int ms);

#endif
