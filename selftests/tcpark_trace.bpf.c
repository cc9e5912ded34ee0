// SPDX-License-Identifier: GPL-2.0
/*
 * BPF programs on two tcpark tracepoints, for trace_bpf.sh (built by the
 * Makefile with clang -target bpf, loaded and attached by bpf_load):
 *   tcpark_park        counts parks per local (family, port) in "parks"
 *   tcpark_record_end  counts ends per connection cookie in "ends", with
 *                      the last event and reason seen
 * The tracepoint contexts are written out by hand as the events' tracefs
 * format files lay them out (kmod/trace.h): no vmlinux.h, no CO-RE. The
 * test compares this object's BTF of both structs with those format files
 * before it loads anything, so a changed layout fails it.
 */
#include <linux/bpf.h>
#include <linux/types.h>
#include <bpf/bpf_helpers.h>

/* The common header every trace event starts with. */
#define TCPARK_TRACE_COMMON		\
	__u16 common_type;		\
	__u8 common_flags;		\
	__u8 common_preempt_count;	\
	__s32 common_pid;

/* netns, cookie, both ends (sockaddr_in or sockaddr_in6), seqs. */
#define TCPARK_TRACE_RECORD		\
	__u64 netns;			\
	__u64 cookie;			\
	__u8 laddr[28];			\
	__u8 raddr[28];			\
	__u32 snd_nxt;			\
	__u32 rcv_nxt;

/* tcpark/tcpark_park (and every event of tcpark_record_class). */
struct tcpark_park_ctx {
	TCPARK_TRACE_COMMON
	TCPARK_TRACE_RECORD
};

/* tcpark/tcpark_record_end. */
struct tcpark_record_end_ctx {
	TCPARK_TRACE_COMMON
	TCPARK_TRACE_RECORD
	__s32 event;
	__s32 reason;
};

/* A local address's family and port (host order), from laddr. */
struct park_key {
	__u16 family;
	__u16 port;
};

struct end_val {
	__u64 count;
	__s32 event;
	__s32 reason;
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 64);
	__type(key, struct park_key);
	__type(value, __u64);
} parks SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, 1024);
	__type(key, __u64);
	__type(value, struct end_val);
} ends SEC(".maps");

SEC("tracepoint/tcpark/tcpark_park")
int tcpark_park(struct tcpark_park_ctx *ctx)
{
	struct park_key key = {
		/* sa_family (host order), then the port (network order). */
		.family = ctx->laddr[0] | ctx->laddr[1] << 8,
		.port = ctx->laddr[2] << 8 | ctx->laddr[3],
	};
	__u64 one = 1, *n;

	n = bpf_map_lookup_elem(&parks, &key);
	if (n)
		__sync_fetch_and_add(n, 1);
	else if (bpf_map_update_elem(&parks, &key, &one, BPF_NOEXIST)) {
		/* Another CPU made the entry first. */
		n = bpf_map_lookup_elem(&parks, &key);
		if (n)
			__sync_fetch_and_add(n, 1);
	}
	return 0;
}

SEC("tracepoint/tcpark/tcpark_record_end")
int tcpark_end(struct tcpark_record_end_ctx *ctx)
{
	struct end_val init = {
		.count = 1, .event = ctx->event, .reason = ctx->reason,
	};
	__u64 key = ctx->cookie;
	struct end_val *v;

	v = bpf_map_lookup_elem(&ends, &key);
	if (!v) {
		if (!bpf_map_update_elem(&ends, &key, &init, BPF_NOEXIST))
			return 0;
		v = bpf_map_lookup_elem(&ends, &key);
		if (!v)
			return 0;
	}
	__sync_fetch_and_add(&v->count, 1);
	v->event = ctx->event;
	v->reason = ctx->reason;
	return 0;
}

char LICENSE[] SEC("license") = "GPL";
