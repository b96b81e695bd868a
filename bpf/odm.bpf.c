/* odm.bpf.c: the cgroup BPF path (libodm(7)): the same policies as the
 * shim, enforced in the kernel for what LD_PRELOAD cannot reach (static
 * and Go programs, glibc's resolver, io_uring, raw system calls).
 *
 *   odm_connect6, odm_sendmsg6: attached by `odm run` to a program's own
 *     cgroup; a socket with no source yet gets its rule's typed address
 *     (bpf_bind before connect, msg_src_ip6 for an unconnected datagram).
 *   odm_bind6, odm_guard_connect6, odm_guard_sendmsg6: attached by odmd to
 *     the root cgroup; a premium address is refused to a uid (or program
 *     cgroup) that odm.conf's authorize section does not grant it.
 *
 * Built with clang -target bpf; odmd loads it through its skeleton. */
#include <linux/bpf.h>
#include <linux/in.h>
#include <linux/in6.h>
#include <linux/socket.h>
#include <asm-generic/errno.h>
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_endian.h>
#include "bpf_layout.h"

#ifndef AF_INET6
#define AF_INET6 10
#endif

char LICENSE[] SEC("license") = "GPL";

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ODM_BPF_MAX_CGROUPS);
	__type(key, __u64);
	__type(value, struct odm_bpf_policy);
} odm_policy SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 5);
	__type(key, __u32);
	__type(value, struct odm_bpf_addr);
} odm_addr SEC(".maps");

struct in6_key {
	__u32 a[4];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ODM_BPF_MAX_TYPED);
	__type(key, struct in6_key);
	__type(value, __u32);
} odm_typed SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, ODM_BPF_MAX_GRANTS);
	__type(key, __u32);
	__type(value, __u32);
} odm_grant SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 1);
	__type(key, __u32);
	__type(value, struct odm_bpf_conf);
} odm_conf SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_PERCPU_ARRAY);
	__uint(max_entries, ODM_BPF_NCOUNTS);
	__type(key, __u32);
	__type(value, __u64);
} odm_count SEC(".maps");

static __always_inline void count(__u32 what)
{
	__u64 *n = bpf_map_lookup_elem(&odm_count, &what);

	if (n)
		*n += 1;
}

/* Destinations that never leave the host or the link: only global
 * unicast (2000::/3) can have a type, as odm_never_typed() says. */
static __always_inline int typable(const __u32 *a)
{
	return (a[0] & bpf_htonl(0xe0000000)) == bpf_htonl(0x20000000);
}

/* May the caller use an address of type? (premium types need a grant of
 * its uid, of "*", or of its program's cgroup; root needs none: it could
 * detach these programs anyway). */
static __always_inline int allowed(__u32 type, const struct odm_bpf_policy *p)
{
	__u32 zero = 0, any = ODM_BPF_ANY_UID, uid, bit = 1u << type, *g;
	struct odm_bpf_conf *c = bpf_map_lookup_elem(&odm_conf, &zero);

	if (!c || !(c->premium & bit))
		return 1;
	uid = (__u32)bpf_get_current_uid_gid();
	if (uid == 0 || (p && (p->granted & bit)))
		return 1;
	g = bpf_map_lookup_elem(&odm_grant, &uid);
	if (g && (*g & bit))
		return 1;
	g = bpf_map_lookup_elem(&odm_grant, &any);
	return g && (*g & bit);
}

/* The first rule of p for a client socket to dst:port over proto. */
static __always_inline const struct odm_bpf_rule *
decide(const struct odm_bpf_policy *p, const __u32 *dst, __u16 port,
       __u8 proto)
{
	__u32 n = p->nrules;

	for (__u32 i = 0; i < ODM_BPF_MAX_RULES; i++) {
		const struct odm_bpf_rule *r = &p->rules[i];

		if (i >= n)
			break;
		if (r->has_dest &&
		    ((dst[0] & r->mask[0]) != r->dest[0] ||
		     (dst[1] & r->mask[1]) != r->dest[1] ||
		     (dst[2] & r->mask[2]) != r->dest[2] ||
		     (dst[3] & r->mask[3]) != r->dest[3]))
			continue;
		if (r->port_lo && (port < r->port_lo || port > r->port_hi))
			continue;
		if (r->proto && r->proto != proto)
			continue;
		if (r->role == 2) /* servers: not here */
			continue;
		return r;
	}
	return &p->deflt;
}

/* The type cannot be had: on-failure legacy lets the call go on untyped,
 * fail fails it with EADDRNOTAVAIL. */
static __always_inline int refuse(const struct odm_bpf_rule *r)
{
	if (r->on_fail) {
		count(ODM_BPF_FELL_BACK);
		return 1;
	}
	count(ODM_BPF_FAILED);
	bpf_set_retval(-EADDRNOTAVAIL);
	return 0;
}

/* The rule and address for a socket of this cgroup to dst:port: 1 with
 * *src set, 0 to leave it, -1 to refuse (the rule says why: *rp). */
static __always_inline int choose(struct bpf_sock_addr *ctx, const __u32 *dst,
				  __u16 port, struct odm_bpf_addr **src,
				  const struct odm_bpf_rule **rp)
{
	__u64 cg = bpf_get_current_cgroup_id();
	const struct odm_bpf_policy *p = bpf_map_lookup_elem(&odm_policy, &cg);
	const struct odm_bpf_rule *r;
	__u32 type;

	if (!p || !typable(dst))
		return 0;
	r = decide(p, dst, port, ctx->protocol == IPPROTO_TCP ? 6 : 17);
	*rp = r;
	type = r->type;
	if (type < 1 || type > 4) {
		count(ODM_BPF_LEGACY);
		return 0;
	}
	*src = bpf_map_lookup_elem(&odm_addr, &type);
	if (r->on_net || !*src || !(*src)->have || !allowed(type, p))
		return -1;
	return 1;
}

/* The source for rule r: its own address (odm run asked odmd for it) or
 * the type's (src). */
static __always_inline void source_of(const struct odm_bpf_rule *r,
				      const struct odm_bpf_addr *src, __u32 *a)
{
	if (r->has_own) {
		a[0] = r->own[0];
		a[1] = r->own[1];
		a[2] = r->own[2];
		a[3] = r->own[3];
	} else {
		a[0] = src->addr[0];
		a[1] = src->addr[1];
		a[2] = src->addr[2];
		a[3] = src->addr[3];
	}
}

SEC("cgroup/connect6")
int odm_connect6(struct bpf_sock_addr *ctx)
{
	const struct odm_bpf_rule *r = 0;
	struct odm_bpf_addr *src = 0;
	struct bpf_sock *sk = ctx->sk;
	struct sockaddr_in6 sa = { .sin6_family = AF_INET6 };
	__u32 dst[4];
	int rc;

	/* Bound already (by the program, or by the shim): not ours. */
	if (!sk || sk->src_ip6[0] | sk->src_ip6[1] | sk->src_ip6[2] |
		   sk->src_ip6[3] || sk->src_port)
		return 1;
	dst[0] = ctx->user_ip6[0];
	dst[1] = ctx->user_ip6[1];
	dst[2] = ctx->user_ip6[2];
	dst[3] = ctx->user_ip6[3];
	rc = choose(ctx, dst, bpf_ntohs((__u16)ctx->user_port), &src, &r);
	if (rc == 0)
		return 1;
	if (rc < 0 || !src)
		return refuse(r);
	source_of(r, src, (__u32 *)&sa.sin6_addr);
	if (bpf_bind(ctx, (struct sockaddr *)&sa, sizeof sa))
		return refuse(r);
	count(ODM_BPF_TYPED);
	return 1;
}

SEC("cgroup/sendmsg6")
int odm_sendmsg6(struct bpf_sock_addr *ctx)
{
	const struct odm_bpf_rule *r = 0;
	struct odm_bpf_addr *src = 0;
	struct bpf_sock *sk = ctx->sk;
	__u32 dst[4];
	int rc;

	/* A source of its own (bound, or IPV6_PKTINFO): not ours. */
	if (!sk || sk->src_ip6[0] | sk->src_ip6[1] | sk->src_ip6[2] |
		   sk->src_ip6[3])
		return 1;
	if (ctx->msg_src_ip6[0] | ctx->msg_src_ip6[1] | ctx->msg_src_ip6[2] |
	    ctx->msg_src_ip6[3])
		return 1;
	dst[0] = ctx->user_ip6[0];
	dst[1] = ctx->user_ip6[1];
	dst[2] = ctx->user_ip6[2];
	dst[3] = ctx->user_ip6[3];
	rc = choose(ctx, dst, bpf_ntohs((__u16)ctx->user_port), &src, &r);
	if (rc == 0)
		return 1;
	if (rc < 0 || !src)
		return refuse(r);
	source_of(r, src, dst); /* dst is spent: the source now */
	ctx->msg_src_ip6[0] = dst[0];
	ctx->msg_src_ip6[1] = dst[1];
	ctx->msg_src_ip6[2] = dst[2];
	ctx->msg_src_ip6[3] = dst[3];
	count(ODM_BPF_TYPED);
	return 1;
}

/* The guard: a source address of a premium type, for a caller without a
 * grant, is refused (EACCES). */
static __always_inline int guard(const __u32 *a)
{
	struct in6_key k = { { a[0], a[1], a[2], a[3] } };
	__u64 cg = bpf_get_current_cgroup_id();
	__u32 *type;

	if (!(k.a[0] | k.a[1] | k.a[2] | k.a[3]))
		return 1;
	type = bpf_map_lookup_elem(&odm_typed, &k);
	if (!type || *type < 1 || *type > 4 ||
	    allowed(*type, bpf_map_lookup_elem(&odm_policy, &cg)))
		return 1;
	count(ODM_BPF_REFUSED);
	bpf_set_retval(-EACCES);
	return 0;
}

SEC("cgroup/bind6")
int odm_bind6(struct bpf_sock_addr *ctx)
{
	__u32 a[4] = { ctx->user_ip6[0], ctx->user_ip6[1], ctx->user_ip6[2],
		       ctx->user_ip6[3] };

	return guard(a);
}

SEC("cgroup/connect6")
int odm_guard_connect6(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	__u32 a[4];

	if (!sk)
		return 1;
	a[0] = sk->src_ip6[0];
	a[1] = sk->src_ip6[1];
	a[2] = sk->src_ip6[2];
	a[3] = sk->src_ip6[3];
	return guard(a);
}

SEC("cgroup/sendmsg6")
int odm_guard_sendmsg6(struct bpf_sock_addr *ctx)
{
	struct bpf_sock *sk = ctx->sk;
	__u32 a[4];

	if (!sk)
		return 1;
	a[0] = ctx->msg_src_ip6[0];
	a[1] = ctx->msg_src_ip6[1];
	a[2] = ctx->msg_src_ip6[2];
	a[3] = ctx->msg_src_ip6[3];
	if (!(a[0] | a[1] | a[2] | a[3])) {
		a[0] = sk->src_ip6[0];
		a[1] = sk->src_ip6[1];
		a[2] = sk->src_ip6[2];
		a[3] = sk->src_ip6[3];
	}
	return guard(a);
}
