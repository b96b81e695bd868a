/* bestaddr.c: the streaming address dump of the engine (bestaddr.h).
 * Written with the kernel's own NLMSG and RTA macros rather than libmnl:
 * a rebuild must stay near 100 instructions per host address, and a hook
 * in a signal handler must not wait for a library to be loaded. */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <string.h>
#include <time.h>
#include "bestaddr.h"
#include "proto.h"
#include "real.h"

void odm_best_fold(struct odm_best *b, const struct odm_nladdr *a,
		   sc_type type)
{
	bool tmp = a->flags & IFA_F_TEMPORARY; /* RFC 8981 */
	struct odm_nladdr *best = tmp ? &b->tmp[type] : &b->a[type];
	bool *have = tmp ? &b->have_tmp[type] : &b->have[type];

	b->typed++;
	if (odm_addr_unusable(a))
		return;
	for (size_t i = 0; i < b->nwatch && i < 16; i++)
		if (!memcmp(&b->watch[i], &a->addr, sizeof a->addr))
			b->watch_ok[i] = true;
	if (!*have || odm_addr_better(a, best, type)) {
		*best = *a;
		*have = true;
	}
}

/* What a dump needs of odm.conf, ready to compare in a few instructions:
 * the typed prefixes as masked 64-bit halves, the typed interfaces as
 * indexes (if_nametoindex makes no allocation). */
#define MAX_PREFIXES 16
#define MAX_IFACES 8

struct typer {
	struct {
		uint64_t mask[2], net[2];
		unsigned len;
		sc_type type;
	} pfx[MAX_PREFIXES];
	size_t npfx;
	bool slow_prefixes; /* more than fit: odm_hostconf_type_of */
	int index[MAX_IFACES];
	sc_type itype[MAX_IFACES];
	size_t nif;
};

static uint64_t half(const void *p)
{
	uint64_t v;

	memcpy(&v, p, sizeof v);
	return __builtin_bswap64(v); /* host order: masks by shifting */
}

static void make_typer(const struct odm_hostconf *hc, struct typer *t)
{
	t->npfx = 0;
	t->slow_prefixes = hc->nprefixes > MAX_PREFIXES;
	for (size_t i = 0; i < hc->nprefixes && !t->slow_prefixes; i++) {
		const struct odm_hc_prefix *p = &hc->prefixes[i];
		unsigned l = p->len;

		t->pfx[i].mask[0] = l == 0 ? 0 : l >= 64 ? ~0ull : ~0ull << (64 - l);
		t->pfx[i].mask[1] = l <= 64 ? 0 : l >= 128 ? ~0ull
						: ~0ull << (128 - l);
		t->pfx[i].net[0] = half(&p->net.s6_addr[0]) & t->pfx[i].mask[0];
		t->pfx[i].net[1] = half(&p->net.s6_addr[8]) & t->pfx[i].mask[1];
		t->pfx[i].len = l;
		t->pfx[i].type = p->type;
		t->npfx++;
	}
	t->nif = 0;
	for (size_t i = 0; i < hc->nifaces && t->nif < MAX_IFACES; i++) {
		unsigned idx = if_nametoindex(hc->ifaces[i].name);

		if (idx) {
			t->index[t->nif] = (int)idx;
			t->itype[t->nif++] = hc->ifaces[i].type;
		}
	}
}

/* The type odm.conf gives addr on ifindex (longest prefix, then the
 * interface), or 0. */
static sc_type conf_type(const struct odm_hostconf *hc, const struct typer *t,
			 const void *addr, int ifindex)
{
	uint64_t hi = half(addr), lo = half((const char *)addr + 8);
	sc_type best = 0;
	unsigned best_len = 0;

	if (__builtin_expect(t->slow_prefixes, 0)) {
		struct in6_addr a;

		memcpy(&a, addr, sizeof a);
		best = odm_hostconf_type_of(hc, &a, NULL);
	}
	for (size_t i = 0; i < t->npfx; i++)
		if ((hi & t->pfx[i].mask[0]) == t->pfx[i].net[0] &&
		    (lo & t->pfx[i].mask[1]) == t->pfx[i].net[1] &&
		    (!best || t->pfx[i].len > best_len)) {
			best = t->pfx[i].type;
			best_len = t->pfx[i].len;
		}
	if (best)
		return best;
	for (size_t i = 0; i < t->nif; i++)
		if (t->index[i] == ifindex)
			return t->itype[i];
	return 0;
}

/* One RTM_NEWADDR: its type (0: untyped, or not a global IPv6 address),
 * and, only when typed, the address in *a. The attributes are only
 * located until the type is known: most of a host's addresses have none. */
static sc_type scan(const struct nlmsghdr *h, const struct odm_hostconf *hc,
		    const struct typer *t, struct odm_nladdr *a)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof *ifa);
	const void *addr = NULL, *local = NULL, *ci = NULL, *flags = NULL;
	uint8_t proto = 0;
	sc_type type;

	if (len < 0 || ifa->ifa_family != AF_INET6 ||
	    ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return 0;
	for (const struct rtattr *at = IFA_RTA(ifa); RTA_OK(at, len);
	     at = RTA_NEXT(at, len)) {
		size_t n = RTA_PAYLOAD(at);

		switch (at->rta_type) {
		case IFA_ADDRESS:
			if (n >= 16)
				addr = RTA_DATA(at);
			break;
		case IFA_LOCAL:
			if (n >= 16)
				local = RTA_DATA(at);
			break;
		case IFA_CACHEINFO:
			if (n >= sizeof(struct ifa_cacheinfo))
				ci = RTA_DATA(at);
			break;
		case IFA_FLAGS:
			if (n >= 4)
				flags = RTA_DATA(at);
			break;
		case ODMD_IFA_PROTO:
			if (n >= 1)
				proto = *(const uint8_t *)RTA_DATA(at);
			break;
		}
	}
	if (local)
		addr = local;
	if (!addr)
		return 0;
	type = (sc_type)odmd_type_of_proto(proto);
	if (!type && !(type = conf_type(hc, t, addr, (int)ifa->ifa_index)))
		return 0;
	memcpy(&a->addr, addr, sizeof a->addr);
	a->plen = ifa->ifa_prefixlen;
	a->ifindex = (int)ifa->ifa_index;
	a->flags = ifa->ifa_flags;
	if (flags)
		memcpy(&a->flags, flags, sizeof a->flags);
	a->scope = ifa->ifa_scope;
	a->preferred = a->valid = ODM_LIFETIME_INFINITE;
	a->cstamp = 0;
	if (ci) {
		struct ifa_cacheinfo c;

		memcpy(&c, ci, sizeof c);
		a->preferred = c.ifa_prefered;
		a->valid = c.ifa_valid;
		a->cstamp = c.cstamp;
	}
	a->proto = proto;
	a->ifname[0] = '\0';
	return type;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 +
	       (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* One dump over fd: 0, -EINTR when the kernel says it was interrupted by
 * a change, or -errno. */
static int dump_once(int fd, uint32_t seq, const struct odm_hostconf *hc,
		     const struct typer *t, void *buf, size_t size,
		     struct odm_best *out)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg ifa;
	} req = {
		.h = { .nlmsg_len = sizeof req, .nlmsg_type = RTM_GETADDR,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP,
		       .nlmsg_seq = seq },
		.ifa = { .ifa_family = AF_INET6 },
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	struct timespec t0;
	bool intr = false;
	const struct in6_addr *watch = out->watch;
	size_t nwatch = out->nwatch;

	memset(out, 0, sizeof *out);
	out->watch = watch;
	out->nwatch = nwatch;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (odm_real.sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&kernel,
			    sizeof kernel) < 0)
		return -errno;
	for (;;) {
		ssize_t len = odm_real.recvfrom(fd, buf, size, MSG_TRUNC, NULL,
						NULL);

		if (len < 0 && errno == EINTR &&
		    ms_since(&t0) < 2 * ODM_NL_TIMEOUT_MS)
			continue;
		if (len < 0)
			return errno == EAGAIN ? -ETIMEDOUT : -errno;
		if ((size_t)len > size)
			return -EMSGSIZE;
		int left = (int)len;

		for (const struct nlmsghdr *h = buf; NLMSG_OK(h, left);
		     h = NLMSG_NEXT(h, left)) {
			struct odm_nladdr a;
			sc_type type;

			if (h->nlmsg_seq != seq)
				continue;
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				intr = true;
			if (h->nlmsg_type == NLMSG_DONE)
				return intr ? -EINTR : 0;
			if (h->nlmsg_type == NLMSG_ERROR) {
				const struct nlmsgerr *e = NLMSG_DATA(h);

				return e->error ? e->error : -EPROTO;
			}
			if (h->nlmsg_type != RTM_NEWADDR)
				continue;
			out->seen++;
			if ((type = scan(h, hc, t, &a)))
				odm_best_fold(out, &a, type);
		}
		if (ms_since(&t0) > 2 * ODM_NL_TIMEOUT_MS)
			return -ETIMEDOUT;
	}
}

int odm_best_read(const struct odm_hostconf *hc, void *buf, size_t len,
		  struct odm_best *out)
{
	static uint32_t last_seq;
	struct timeval tv = { ODM_NL_TIMEOUT_MS / 1000,
			      (ODM_NL_TIMEOUT_MS % 1000) * 1000 };
	struct typer t;
	int fd, rc = -EINTR;

	fd = odm_real.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (odm_real.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv)) {
		rc = -errno;
		odm_real.close(fd);
		return rc;
	}
	make_typer(hc, &t);
	for (int tries = 0; rc == -EINTR && tries < 3; tries++)
		rc = dump_once(fd, __atomic_add_fetch(&last_seq, 1,
						      __ATOMIC_RELAXED) | 1u << 31,
			       hc, &t, buf, len, out);
	odm_real.close(fd);
	return rc;
}
