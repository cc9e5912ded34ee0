// SPDX-License-Identifier: GPL-2.0
/* See pkt.h. */
#define _GNU_SOURCE
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_packet.h>
#include <net/ethernet.h>
#include <net/if.h>
#include <netinet/ip.h>
#include <netinet/ip6.h>
#include <poll.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "pkt.h"

uint64_t now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return ts.tv_sec * 1000000000ull + ts.tv_nsec;
}

void msleep(int ms)
{
	struct timespec ts = { ms / 1000, (ms % 1000) * 1000000L };

	while (nanosleep(&ts, &ts) && errno == EINTR)
		;
}

int ns_socket(int netns, int family, int type, int proto)
{
	int home, fd, err;

	if (netns < 0)
		return socket(family, type, proto);
	home = open("/proc/self/ns/net", O_RDONLY | O_CLOEXEC);
	if (home < 0)
		return -1;
	if (setns(netns, CLONE_NEWNET)) {
		close(home);
		return -1;
	}
	fd = socket(family, type, proto);
	err = errno;
	if (setns(home, CLONE_NEWNET)) {
		if (fd >= 0)
			close(fd);
		fd = -1;
		err = errno;
	}
	close(home);
	errno = err;
	return fd;
}

/* ---- checksums --------------------------------------------------------- */

static uint32_t csum_add(uint32_t sum, const void *data, size_t len)
{
	const uint8_t *p = data;

	while (len > 1) {
		sum += (p[0] << 8) | p[1];
		p += 2;
		len -= 2;
	}
	if (len)
		sum += p[0] << 8;
	return sum;
}

static uint16_t csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return ~sum & 0xffff;
}

/*
 * A checksum over the pseudo-header (RFC 793, RFC 8200 §8.1) and @seg of
 * protocol @proto (checksum field as is): TCP's, ICMPv6's.
 */
static uint16_t l4_csum(int family, uint8_t proto, const uint8_t *src,
			const uint8_t *dst, const uint8_t *seg, size_t len)
{
	uint32_t sum = 0;
	uint8_t ph[8];

	if (family == AF_INET) {
		sum = csum_add(sum, src, 4);
		sum = csum_add(sum, dst, 4);
		sum += proto + len;
	} else {
		sum = csum_add(sum, src, 16);
		sum = csum_add(sum, dst, 16);
		ph[0] = len >> 24;
		ph[1] = len >> 16;
		ph[2] = len >> 8;
		ph[3] = len;
		ph[4] = ph[5] = ph[6] = 0;
		ph[7] = proto;
		sum = csum_add(sum, ph, 8);
	}
	sum = csum_add(sum, seg, len);
	return csum_fold(sum);
}

static uint16_t tcp_csum(int family, const uint8_t *src, const uint8_t *dst,
			 const uint8_t *seg, size_t len)
{
	return l4_csum(family, IPPROTO_TCP, src, dst, seg, len);
}

/* ---- endpoints --------------------------------------------------------- */

static void ep_from_sa(struct tcp_ep *ep, const struct sockaddr_storage *ss)
{
	const struct sockaddr_in6 *s6 = (const void *)ss;
	const struct sockaddr_in *s4 = (const void *)ss;

	memset(ep, 0, sizeof(*ep));
	if (ss->ss_family == AF_INET) {
		ep->family = AF_INET;
		memcpy(ep->addr, &s4->sin_addr, 4);
		ep->port = ntohs(s4->sin_port);
	} else if (IN6_IS_ADDR_V4MAPPED(&s6->sin6_addr)) {
		ep->family = AF_INET;
		memcpy(ep->addr, &s6->sin6_addr.s6_addr[12], 4);
		ep->port = ntohs(s6->sin6_port);
	} else {
		ep->family = AF_INET6;
		memcpy(ep->addr, &s6->sin6_addr, 16);
		ep->port = ntohs(s6->sin6_port);
	}
}

int sock_eps(int fd, struct tcp_ep *local, struct tcp_ep *remote)
{
	struct sockaddr_storage ss;
	socklen_t len = sizeof(ss);

	if (getsockname(fd, (struct sockaddr *)&ss, &len))
		return -1;
	ep_from_sa(local, &ss);
	len = sizeof(ss);
	if (getpeername(fd, (struct sockaddr *)&ss, &len))
		return -1;
	ep_from_sa(remote, &ss);
	return 0;
}

int ep_parse(struct tcp_ep *ep, const char *ip, int port)
{
	memset(ep, 0, sizeof(*ep));
	ep->port = port;
	if (inet_pton(AF_INET, ip, ep->addr) == 1) {
		ep->family = AF_INET;
		return 0;
	}
	if (inet_pton(AF_INET6, ip, ep->addr) == 1) {
		ep->family = AF_INET6;
		return 0;
	}
	return -1;
}

const char *ep_str(const struct tcp_ep *ep, char *buf, size_t len)
{
	char a[INET6_ADDRSTRLEN];

	inet_ntop(ep->family, ep->addr, a, sizeof(a));
	snprintf(buf, len, ep->family == AF_INET6 ? "[%s]:%u" : "%s:%u", a, ep->port);
	return buf;
}

bool ep_eq(const struct tcp_ep *a, const struct tcp_ep *b)
{
	return a->family == b->family && a->port == b->port &&
	       !memcmp(a->addr, b->addr, a->family == AF_INET ? 4 : 16);
}

bool pkt_on(const struct pkt *p, const struct tcp_ep *a, const struct tcp_ep *b)
{
	return (ep_eq(&p->src, a) && ep_eq(&p->dst, b)) ||
	       (ep_eq(&p->src, b) && ep_eq(&p->dst, a));
}

bool pkt_from(const struct pkt *p, const struct tcp_ep *ep)
{
	return ep_eq(&p->src, ep);
}

const char *pkt_flags_str(uint8_t flags, char *buf)
{
	static const char names[] = "FSRPAUEC";
	int i, n = 0;

	for (i = 0; i < 8; i++)
		if (flags & (1 << i))
			buf[n++] = names[i];
	if (!n)
		buf[n++] = '-';
	buf[n] = 0;
	return buf;
}

void pkt_print(const struct pkt *p, uint64_t t0, char *buf, size_t len)
{
	char s[64], d[64], f[10], ts[48] = "";

	if (p->has_ts)
		snprintf(ts, sizeof(ts), " TS %u/%u", p->tsval, p->tsecr);
	snprintf(buf, len, "%+9.3f %s > %s [%s] seq %u ack %u win %u len %u%s%s%s",
		 ((int64_t)(p->ns - t0)) / 1e6, ep_str(&p->src, s, sizeof(s)),
		 ep_str(&p->dst, d, sizeof(d)), pkt_flags_str(p->flags, f),
		 p->seq, p->ack, p->win, p->len, ts,
		 p->csum_known && !p->csum_ok ? " BAD-CSUM" : "",
		 p->out ? " (out)" : "");
}

/* ---- capture ----------------------------------------------------------- */

int cap_open(struct cap *c, int netns, const char *ifname)
{
	struct sockaddr_ll sll = { 0 };
	struct ifreq ifr = { 0 };
	int one = 1, size = 16 << 20;

	c->fd = ns_socket(netns, AF_PACKET, SOCK_RAW, htons(ETH_P_ALL));
	if (c->fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(c->fd, SIOCGIFINDEX, &ifr))
		goto fail;
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(ETH_P_ALL);
	sll.sll_ifindex = ifr.ifr_ifindex;
	if (setsockopt(c->fd, SOL_SOCKET, SO_RCVBUFFORCE, &size, sizeof(size)) &&
	    setsockopt(c->fd, SOL_SOCKET, SO_RCVBUF, &size, sizeof(size)))
		goto fail;
	if (setsockopt(c->fd, SOL_SOCKET, SO_TIMESTAMPNS, &one, sizeof(one)) ||
	    setsockopt(c->fd, SOL_PACKET, PACKET_AUXDATA, &one, sizeof(one)) ||
	    bind(c->fd, (struct sockaddr *)&sll, sizeof(sll)))
		goto fail;
	return 0;
fail:
	close(c->fd);
	c->fd = -1;
	return -1;
}

void cap_close(struct cap *c)
{
	if (c->fd >= 0)
		close(c->fd);
	c->fd = -1;
}

static void parse_opts(struct pkt *p, const uint8_t *o, int len)
{
	while (len > 0) {
		uint8_t kind = o[0], olen;

		if (kind == 0)
			return;
		if (kind == 1) {
			o++;
			len--;
			continue;
		}
		if (len < 2)
			return;
		olen = o[1];
		if (olen < 2 || olen > len)
			return;
		if (kind == 2 && olen == 4)
			p->mss = (o[2] << 8) | o[3];
		else if (kind == 3 && olen == 3)
			p->wscale = o[2];
		else if (kind == 4 && olen == 2)
			p->sack_perm = true;
		else if (kind == 8 && olen == 10) {
			p->has_ts = true;
			p->tsval = ntohl(*(uint32_t *)(o + 2));
			p->tsecr = ntohl(*(uint32_t *)(o + 6));
		}
		o += olen;
		len -= olen;
	}
}

/* 1: a TCP segment parsed into @p; 0: something else. */
static int parse_frame(struct pkt *p, const uint8_t *buf, size_t len,
		       bool csum_ready)
{
	const uint8_t *l3 = buf + ETH_HLEN, *th, *src, *dst;
	uint16_t proto;
	size_t l4len;
	int family;

	if (len < ETH_HLEN)
		return 0;
	proto = (buf[12] << 8) | buf[13];
	len -= ETH_HLEN;
	if (proto == ETH_P_IP) {
		const struct iphdr *iph = (const void *)l3;
		size_t ihl, tot;

		if (len < sizeof(*iph) || iph->version != 4 || iph->protocol != IPPROTO_TCP)
			return 0;
		ihl = iph->ihl * 4;
		tot = ntohs(iph->tot_len);
		if (ihl < 20 || tot < ihl || tot > len || (ntohs(iph->frag_off) & 0x3fff))
			return 0;
		family = AF_INET;
		th = l3 + ihl;
		l4len = tot - ihl;
		src = (const uint8_t *)&iph->saddr;
		dst = (const uint8_t *)&iph->daddr;
		p->ttl = iph->ttl;
	} else if (proto == ETH_P_IPV6) {
		const struct ip6_hdr *ip6 = (const void *)l3;
		size_t plen;

		if (len < sizeof(*ip6) || ip6->ip6_nxt != IPPROTO_TCP)
			return 0;
		plen = ntohs(ip6->ip6_plen);
		if (plen + sizeof(*ip6) > len)
			return 0;
		family = AF_INET6;
		th = l3 + sizeof(*ip6);
		l4len = plen;
		src = (const uint8_t *)&ip6->ip6_src;
		dst = (const uint8_t *)&ip6->ip6_dst;
		p->ttl = ip6->ip6_hlim;
	} else {
		return 0;
	}
	if (l4len < 20)
		return 0;
	memset(&p->src, 0, sizeof(p->src));
	memset(&p->dst, 0, sizeof(p->dst));
	p->src.family = p->dst.family = family;
	memcpy(p->src.addr, src, family == AF_INET ? 4 : 16);
	memcpy(p->dst.addr, dst, family == AF_INET ? 4 : 16);
	p->src.port = (th[0] << 8) | th[1];
	p->dst.port = (th[2] << 8) | th[3];
	p->seq = ntohl(*(const uint32_t *)(th + 4));
	p->ack = ntohl(*(const uint32_t *)(th + 8));
	p->doff = th[12] >> 4;
	p->flags = th[13];
	p->win = (th[14] << 8) | th[15];
	p->has_ts = false;
	p->wscale = p->mss = -1;
	p->sack_perm = false;
	if (p->doff < 5 || p->doff * 4u > l4len) {
		p->len = 0;
	} else {
		p->len = l4len - p->doff * 4;
		parse_opts(p, th + 20, p->doff * 4 - 20);
	}
	p->csum_known = csum_ready;
	p->csum_ok = csum_ready && tcp_csum(family, src, dst, th, l4len) == 0;
	return 1;
}

int cap_next(struct cap *c, struct pkt *p, int timeout_ms)
{
	static uint8_t buf[65536 + 128];
	union {
		char cbuf[CMSG_SPACE(sizeof(struct timespec)) +
			  CMSG_SPACE(sizeof(struct tpacket_auxdata)) + 64];
		struct cmsghdr align;
	} u;
	struct sockaddr_ll sll;
	struct iovec iov = { buf, sizeof(buf) };
	struct msghdr msg = {
		.msg_name = &sll, .msg_namelen = sizeof(sll),
		.msg_iov = &iov, .msg_iovlen = 1,
	};
	uint64_t deadline = now_ns() + timeout_ms * 1000000ull;
	struct pollfd pfd = { c->fd, POLLIN, 0 };
	struct cmsghdr *cm;
	bool csum_ready;
	ssize_t n;

	for (;;) {
		msg.msg_control = u.cbuf;
		msg.msg_controllen = sizeof(u.cbuf);
		msg.msg_namelen = sizeof(sll);
		n = recvmsg(c->fd, &msg, MSG_DONTWAIT);
		if (n < 0) {
			int64_t left;

			if (errno == EINTR)
				continue;
			if (errno != EAGAIN)
				return -1;
			left = (int64_t)(deadline - now_ns()) / 1000000;
			if (left <= 0)
				return 0;
			if (poll(&pfd, 1, left) < 0 && errno != EINTR)
				return -1;
			continue;
		}
		p->ns = 0;
		csum_ready = true;
		for (cm = CMSG_FIRSTHDR(&msg); cm; cm = CMSG_NXTHDR(&msg, cm)) {
			if (cm->cmsg_level == SOL_SOCKET &&
			    cm->cmsg_type == SO_TIMESTAMPNS) {
				struct timespec ts;

				memcpy(&ts, CMSG_DATA(cm), sizeof(ts));
				p->ns = ts.tv_sec * 1000000000ull + ts.tv_nsec;
			} else if (cm->cmsg_level == SOL_PACKET &&
				   cm->cmsg_type == PACKET_AUXDATA) {
				struct tpacket_auxdata aux;

				memcpy(&aux, CMSG_DATA(cm), sizeof(aux));
				if (aux.tp_status & TP_STATUS_CSUMNOTREADY)
					csum_ready = false;
			}
		}
		if (!p->ns)
			p->ns = now_ns();
		p->out = sll.sll_pkttype == PACKET_OUTGOING;
		if (parse_frame(p, buf, n, csum_ready))
			return 1;
	}
}

/* ---- forging ----------------------------------------------------------- */

int forge_socket(int netns, int family)
{
	return ns_socket(netns, family, SOCK_RAW, IPPROTO_RAW);
}

/* The whole IP packet for @f into @pkt; its length, or -1. */
static int forge_build(const struct forge *f, uint8_t *pkt, size_t size)
{
	size_t iplen = f->src.family == AF_INET ? 20 : 40 + f->exthdr, optlen, thlen, len;
	uint16_t sum;
	uint8_t *th, *o;

	optlen = (f->ts ? 12 : 0) + f->optlen;
	optlen = (optlen + 3) & ~3u;
	thlen = 20 + optlen;
	if (thlen > 60 || iplen + thlen + f->paylen > size) {
		errno = EMSGSIZE;
		return -1;
	}
	memset(pkt, 0, iplen + thlen);
	th = pkt + iplen;
	th[0] = f->src.port >> 8;
	th[1] = f->src.port;
	th[2] = f->dst.port >> 8;
	th[3] = f->dst.port;
	*(uint32_t *)(th + 4) = htonl(f->seq);
	*(uint32_t *)(th + 8) = htonl(f->ack);
	th[12] = (f->doff ? (unsigned int)f->doff : thlen / 4) << 4;
	th[13] = f->flags;
	th[14] = f->win >> 8;
	th[15] = f->win;
	th[18] = f->urp >> 8;
	th[19] = f->urp;
	o = th + 20;
	if (f->ts) {
		o[0] = 1;
		o[1] = 1;
		o[2] = 8;
		o[3] = 10;
		*(uint32_t *)(o + 4) = htonl(f->tsval);
		*(uint32_t *)(o + 8) = htonl(f->tsecr);
		o += 12;
	}
	if (f->optlen)
		memcpy(o, f->opt, f->optlen);
	if (f->payload)
		memcpy(th + thlen, f->payload, f->paylen);
	else
		memset(th + thlen, 'x', f->paylen);
	len = thlen + f->paylen;
	if (f->tcp_bytes && f->tcp_bytes < len)
		len = f->tcp_bytes;
	sum = tcp_csum(f->src.family, f->src.addr, f->dst.addr, th, len);
	if (f->bad_csum)
		sum ^= 0x5a5a;
	if (len >= 18) {
		th[16] = sum >> 8;
		th[17] = sum;
	}

	if (f->src.family == AF_INET) {
		struct iphdr *iph = (void *)pkt;

		iph->version = 4;
		iph->ihl = 5;
		iph->tot_len = htons(iplen + len + f->ip_extra);
		iph->frag_off = htons(IP_DF);
		iph->ttl = 64;
		iph->protocol = IPPROTO_TCP;
		memcpy(&iph->saddr, f->src.addr, 4);
		memcpy(&iph->daddr, f->dst.addr, 4);
		iph->check = htons(csum_fold(csum_add(0, iph, 20)));
	} else {
		struct ip6_hdr *ip6 = (void *)pkt;

		ip6->ip6_flow = htonl(6 << 28);
		ip6->ip6_plen = htons(f->exthdr + len + f->ip_extra);
		ip6->ip6_nxt = IPPROTO_TCP;
		if (f->exthdr >= 8) {
			uint8_t *ext = pkt + 40;

			ip6->ip6_nxt = IPPROTO_DSTOPTS;
			ext[0] = IPPROTO_TCP;
			ext[1] = f->exthdr / 8 - 1;
			ext[2] = 1;			/* PadN */
			ext[3] = f->exthdr - 4;
		}
		ip6->ip6_hlim = 64;
		memcpy(&ip6->ip6_src, f->src.addr, 16);
		memcpy(&ip6->ip6_dst, f->dst.addr, 16);
	}
	return iplen + len;
}

/* @pkt, a whole IP packet of @family, to @dst through a raw IP socket. */
static int raw_send(int fd, int family, const uint8_t *dst, const uint8_t *pkt,
		    size_t len)
{
	struct sockaddr_storage ss = { 0 };
	socklen_t sslen;

	if (family == AF_INET) {
		struct sockaddr_in *sin = (void *)&ss;

		sin->sin_family = AF_INET;
		memcpy(&sin->sin_addr, dst, 4);
		sslen = sizeof(*sin);
	} else {
		struct sockaddr_in6 *sin6 = (void *)&ss;

		sin6->sin6_family = AF_INET6;
		memcpy(&sin6->sin6_addr, dst, 16);
		sslen = sizeof(*sin6);
	}
	if (sendto(fd, pkt, len, 0, (struct sockaddr *)&ss, sslen) < 0)
		return -1;
	return 0;
}

/*
 * Through a raw IP socket. (For IPv4 the kernel rewrites the total
 * length: use forge_send_l2() for a lying IP header.)
 */
int forge_send(int fd, const struct forge *f)
{
	static uint8_t pkt[65536];
	int len = forge_build(f, pkt, sizeof(pkt));

	if (len < 0)
		return -1;
	return raw_send(fd, f->src.family, f->dst.addr, pkt, len);
}

/*
 * The ICMP error of pkt.h's forge_send_icmp() into @pkt (of at least
 * 1280 bytes); its length, or -1. The quote is @f as forge_build() makes
 * it, IP header included, cut to what fits the error's size limit:
 * 576 bytes for ICMP (RFC 1812 4.3.2.3), 1280 for ICMPv6 (RFC 4443 2.4).
 */
static int forge_build_icmp(const struct forge *f, const struct forge_icmp *ic,
			    uint8_t *pkt, size_t size)
{
	static uint8_t seg[65536];
	bool v4 = f->src.family == AF_INET;
	size_t iplen = v4 ? 20 : 40, max = v4 ? 576 : 1280, qlen, icmplen;
	const uint8_t *osrc = ic->src ? ic->src : f->dst.addr;
	const uint8_t *odst = f->src.addr;
	int len = forge_build(f, seg, sizeof(seg));
	uint8_t *ih = pkt + iplen;
	uint16_t sum;

	if (len < 0)
		return -1;
	if (size < max) {
		errno = EMSGSIZE;
		return -1;
	}
	qlen = len;
	if (iplen + 8 + qlen > max)
		qlen = max - iplen - 8;
	icmplen = 8 + qlen;
	memset(pkt, 0, iplen + 8);
	ih[0] = ic->type;
	ih[1] = ic->code;
	ih[4] = ic->info >> 24;		/* unused, MTU, pointer: as given */
	ih[5] = ic->info >> 16;
	ih[6] = ic->info >> 8;
	ih[7] = ic->info;
	memcpy(ih + 8, seg, qlen);
	if (v4) {
		struct iphdr *iph = (void *)pkt;

		sum = csum_fold(csum_add(0, ih, icmplen));
		iph->version = 4;
		iph->ihl = 5;
		iph->tot_len = htons(iplen + icmplen);
		iph->ttl = 64;
		iph->protocol = IPPROTO_ICMP;
		memcpy(&iph->saddr, osrc, 4);
		memcpy(&iph->daddr, odst, 4);
		iph->check = htons(csum_fold(csum_add(0, iph, 20)));
	} else {
		struct ip6_hdr *ip6 = (void *)pkt;

		sum = l4_csum(AF_INET6, IPPROTO_ICMPV6, osrc, odst, ih, icmplen);
		ip6->ip6_flow = htonl(6 << 28);
		ip6->ip6_plen = htons(icmplen);
		ip6->ip6_nxt = IPPROTO_ICMPV6;
		ip6->ip6_hlim = 64;
		memcpy(&ip6->ip6_src, osrc, 16);
		memcpy(&ip6->ip6_dst, odst, 16);
	}
	ih[2] = sum >> 8;
	ih[3] = sum;
	return iplen + icmplen;
}

int forge_send_icmp(int fd, const struct forge *f, const struct forge_icmp *ic)
{
	static uint8_t pkt[1280];
	int len = forge_build_icmp(f, ic, pkt, sizeof(pkt));

	if (len < 0)
		return -1;
	return raw_send(fd, f->src.family, f->src.addr, pkt, len);
}

/*
 * IPv6 only: @f as two fragments (RFC 8200 §4.5), the first carrying
 * @first bytes (a multiple of 8) of the TCP segment, through @fd from
 * forge_socket(). The TCP checksum covers the whole segment, as a sender
 * that fragments computes it.
 */
int forge_send_frag6(int fd, const struct forge *f, size_t first, uint32_t id)
{
	static uint8_t pkt[65536], frag[65536];
	struct sockaddr_in6 sin6 = { .sin6_family = AF_INET6 };
	int len = forge_build(f, pkt, sizeof(pkt));
	size_t tcp, off, n;
	uint8_t *fh;

	if (len < 0)
		return -1;
	tcp = len - 40;
	if (f->src.family != AF_INET6 || f->exthdr || first % 8 || first >= tcp) {
		errno = EINVAL;
		return -1;
	}
	memcpy(&sin6.sin6_addr, f->dst.addr, 16);
	for (off = 0; off < tcp; off += n) {
		n = off ? tcp - off : first;
		memcpy(frag, pkt, 40);
		frag[6] = IPPROTO_FRAGMENT;
		frag[4] = (8 + n) >> 8;
		frag[5] = 8 + n;
		fh = frag + 40;
		fh[0] = IPPROTO_TCP;
		fh[1] = 0;
		fh[2] = off >> 8;	/* offset in 8-byte units, then res, M */
		fh[3] = (off & 0xf8) | (off ? 0 : 1);
		memcpy(fh + 4, &id, 4);
		memcpy(fh + 8, pkt + 40 + off, n);
		if (sendto(fd, frag, 48 + n, 0, (struct sockaddr *)&sin6, sizeof(sin6)) < 0)
			return -1;
	}
	return 0;
}

int forge_l2_socket(int netns, const char *ifname, int *ifindex)
{
	struct ifreq ifr = { 0 };
	int fd = ns_socket(netns, AF_PACKET, SOCK_DGRAM, 0);

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	if (ioctl(fd, SIOCGIFINDEX, &ifr)) {
		close(fd);
		return -1;
	}
	*ifindex = ifr.ifr_ifindex;
	return fd;
}

int if_mac(int netns, const char *ifname, uint8_t mac[6])
{
	struct ifreq ifr = { 0 };
	int fd = ns_socket(netns, AF_INET, SOCK_DGRAM, 0), ret;

	if (fd < 0)
		return -1;
	snprintf(ifr.ifr_name, sizeof(ifr.ifr_name), "%s", ifname);
	ret = ioctl(fd, SIOCGIFHWADDR, &ifr);
	close(fd);
	if (!ret)
		memcpy(mac, ifr.ifr_hwaddr.sa_data, 6);
	return ret;
}

int forge_send_l2(int fd, int ifindex, const uint8_t mac[6], const struct forge *f)
{
	struct sockaddr_ll sll = { 0 };
	static uint8_t pkt[65536];
	int len = forge_build(f, pkt, sizeof(pkt));

	if (len < 0)
		return -1;
	sll.sll_family = AF_PACKET;
	sll.sll_protocol = htons(f->src.family == AF_INET ? ETH_P_IP : ETH_P_IPV6);
	sll.sll_ifindex = ifindex;
	sll.sll_halen = 6;
	memcpy(sll.sll_addr, mac, 6);
	if (sendto(fd, pkt, len, 0, (struct sockaddr *)&sll, sizeof(sll)) < 0)
		return -1;
	return 0;
}

/* ---- tcparkctl ----------------------------------------------------------- */

static char *ctl_output(const char *netns, const char *args, int *status)
{
	char cmd[512], *out = NULL;
	size_t len = 0, cap = 0;
	FILE *f;
	int st;

	snprintf(cmd, sizeof(cmd), "tcparkctl -n %s %s 2>/dev/null", netns, args);
	f = popen(cmd, "r");
	if (!f)
		return NULL;
	for (;;) {
		size_t n;

		if (cap - len < 4096) {
			cap = cap ? cap * 2 : 65536;
			out = realloc(out, cap);
			if (!out)
				break;
		}
		n = fread(out + len, 1, cap - len - 1, f);
		if (!n)
			break;
		len += n;
	}
	st = pclose(f);
	if (status)
		*status = WIFEXITED(st) ? WEXITSTATUS(st) : -1;
	if (out)
		out[len] = 0;
	return out;
}

int ctl_run(const char *netns, const char *args)
{
	int st = -1;

	free(ctl_output(netns, args, &st));
	return st;
}

/* "key": value within [s, e): the value's first character, or NULL. */
static const char *json_find(const char *s, const char *e, const char *key)
{
	size_t klen = strlen(key);
	const char *p = s;

	while ((p = memmem(p, e - p, key, klen))) {
		const char *q = p + klen;

		if (p > s && p[-1] == '"' && q < e && *q == '"') {
			q++;
			while (q < e && (*q == ' ' || *q == ':'))
				q++;
			return q;
		}
		p = q;
	}
	return NULL;
}

static bool json_u64(const char *s, const char *e, const char *key, uint64_t *v)
{
	const char *p = json_find(s, e, key);

	if (!p || *p < '0' || *p > '9')
		return false;
	*v = strtoull(p, NULL, 10);
	return true;
}

static void json_str(const char *s, const char *e, const char *key, char *buf, size_t len)
{
	const char *p = json_find(s, e, key);
	size_t n = 0;

	if (p && *p == '"') {
		p++;
		while (p < e && *p != '"' && n + 1 < len)
			buf[n++] = *p++;
	}
	buf[n] = 0;
}

int ctl_stat(const char *netns, const char *name, uint64_t *val)
{
	char *out = ctl_output(netns, "-j stats", NULL);
	int ret;

	if (!out)
		return -1;
	ret = json_u64(out, out + strlen(out), name, val) ? 0 : -1;
	free(out);
	return ret;
}

int ctl_show(const char *netns, struct ctl_rec *recs, int max)
{
	char *out = ctl_output(netns, "-j show", NULL), *s, *e;
	int n = 0;

	if (!out)
		return -1;
	for (s = out; (s = strchr(s, '{')) && n < max; s = e) {
		struct ctl_rec *r = &recs[n++];
		const char *opt, *oe;
		uint64_t v = 0;

		e = strchr(s, '}');
		if (!e)
			break;
		memset(r, 0, sizeof(*r));
		r->snd_wscale = r->rcv_wscale = -1;
		json_u64(s, e, "cookie", &r->cookie);
		json_str(s, e, "state", r->state, sizeof(r->state));
		json_str(s, e, "mode", r->mode, sizeof(r->mode));
		json_str(s, e, "family", r->family, sizeof(r->family));
		if (json_u64(s, e, "local_port", &v))
			r->lport = v;
		if (json_u64(s, e, "remote_port", &v))
			r->rport = v;
		r->has_seq = json_u64(s, e, "snd_nxt", &v);
		r->snd_nxt = v;
		if (json_u64(s, e, "rcv_nxt", &v))
			r->rcv_nxt = v;
		if (json_u64(s, e, "snd_wnd", &v))
			r->snd_wnd = v;
		if (json_u64(s, e, "rcv_wnd", &v))
			r->rcv_wnd = v;
		if (json_u64(s, e, "mss", &v))
			r->mss = v;
		if (json_u64(s, e, "snd_wscale", &v))
			r->snd_wscale = v;
		if (json_u64(s, e, "rcv_wscale", &v))
			r->rcv_wscale = v;
		json_u64(s, e, "ka_answered", &r->ka_answered);
		opt = json_find(s, e, "options");
		if (opt && *opt == '[') {
			oe = memchr(opt, ']', e - opt);
			if (oe) {
				r->opt_ts = memmem(opt, oe - opt, "\"ts\"", 4);
				r->opt_sack = memmem(opt, oe - opt, "\"sack\"", 6);
				r->opt_wscale = memmem(opt, oe - opt, "\"wscale\"", 8);
			}
		}
	}
	free(out);
	return n;
}

int ctl_find(const char *netns, uint16_t lport, uint16_t rport, struct ctl_rec *rec)
{
	static struct ctl_rec recs[256];
	int i, n = ctl_show(netns, recs, 256);

	for (i = 0; i < n; i++) {
		if (recs[i].lport == lport && recs[i].rport == rport &&
		    !strcmp(recs[i].state, "parked")) {
			*rec = recs[i];
			return 0;
		}
	}
	return -1;
}
