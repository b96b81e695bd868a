/* kaddr.c: odmd's typed addresses in the kernel (rtnetlink RTM_*ADDR with
 * IFA_PROTO) and the kernel's view of which addresses sockets use
 * (NETLINK_SOCK_DIAG with an inet_diag bytecode filter). The netlink style
 * follows preload/nladdr.c; odmd is no preloaded program, so it calls libc
 * directly. */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/inet_diag.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <linux/sock_diag.h>
#include <netinet/tcp.h>
#include <stdbool.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "defaults.h"
#include "kaddr.h"

enum { NL_BUF = 32768 };

/* A netlink socket of the given family with a bounded receive; fd or
 * -errno. */
static int nl_open(int protocol)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK };
	struct timeval tv = { ODMD_NL_TIMEOUT_MS / 1000,
			      (ODMD_NL_TIMEOUT_MS % 1000) * 1000 };
	int fd = socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, protocol), err;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv) ||
	    bind(fd, (struct sockaddr *)&sa, sizeof sa)) {
		err = errno;
		close(fd);
		return -err;
	}
	return fd;
}

static long ms_since(const struct timespec *t0)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (t.tv_sec - t0->tv_sec) * 1000 + (t.tv_nsec - t0->tv_nsec) / 1000000;
}

/* Called for each answer message that is not DONE or ERROR: 0 to go on,
 * > 0 to stop with that result, < 0 to fail. */
typedef int nl_each(struct nlmsghdr *h, void *arg);

/* Sends req over a fresh socket of protocol and reads the answer until
 * NLMSG_DONE or the ACK. Returns 0, each's stop value, -errno, or -EINTR
 * when the kernel flagged a dump as interrupted by a change (retry). */
static int nl_talk(int protocol, struct nlmsghdr *req, nl_each *each, void *arg)
{
	static uint32_t seq;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char *buf = malloc(NL_BUF);
	struct timespec t0;
	int fd, rc = 0, intr = 0;
	bool done = false;

	if (!buf)
		return -ENOMEM;
	fd = nl_open(protocol);
	if (fd < 0) {
		free(buf);
		return fd;
	}
	req->nlmsg_seq = __atomic_add_fetch(&seq, 1, __ATOMIC_RELAXED);
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&kernel,
		   sizeof kernel) < 0) {
		rc = -errno;
		done = true;
	}
	while (!done) {
		struct sockaddr_nl from;
		socklen_t fromlen = sizeof from;
		ssize_t len = recvfrom(fd, buf, NL_BUF, MSG_TRUNC,
				       (struct sockaddr *)&from, &fromlen);

		if (len < 0 && errno != EINTR) {
			rc = errno == EAGAIN ? -ETIMEDOUT : -errno;
			break;
		}
		if (ms_since(&t0) > 2 * ODMD_NL_TIMEOUT_MS) {
			rc = -ETIMEDOUT;
			break;
		}
		if (len < 0 || from.nl_pid != 0)
			continue;
		if (len > NL_BUF) {
			rc = -EMSGSIZE;
			break;
		}
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf;
		     !done && NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
			int *err = NLMSG_DATA(h);
			bool has_err = h->nlmsg_len >= NLMSG_LENGTH(sizeof *err);

			if (h->nlmsg_seq != req->nlmsg_seq)
				continue;
			intr |= h->nlmsg_flags & NLM_F_DUMP_INTR;
			if (h->nlmsg_type == NLMSG_DONE) {
				rc = has_err && *err < 0 ? *err : 0;
				done = true;
			} else if (h->nlmsg_type == NLMSG_ERROR) {
				rc = has_err ? *err : -EPROTO; /* 0: the ACK */
				done = true;
			} else if (each && (rc = each(h, arg)) != 0) {
				done = true;
			}
		}
	}
	close(fd);
	free(buf);
	return rc == 0 && intr ? -EINTR : rc;
}

/* Appends attribute type with len bytes of data to the message in h. */
static void nl_put(struct nlmsghdr *h, unsigned short type, const void *data,
		   size_t len)
{
	struct rtattr *rta = (struct rtattr *)((char *)h + NLMSG_ALIGN(h->nlmsg_len));

	rta->rta_type = type;
	rta->rta_len = (unsigned short)RTA_LENGTH(len);
	memcpy(RTA_DATA(rta), data, len);
	h->nlmsg_len = NLMSG_ALIGN(h->nlmsg_len) + RTA_ALIGN(rta->rta_len);
}

/* --- addresses ------------------------------------------------------------ */

struct addr_req {
	struct nlmsghdr h;
	struct ifaddrmsg ifa;
	char attrs[128];
};

static void addr_req_init(struct addr_req *r, unsigned short type,
			  unsigned short flags, int ifindex,
			  const struct in6_addr *addr, unsigned plen)
{
	memset(r, 0, sizeof *r);
	r->h.nlmsg_len = NLMSG_LENGTH(sizeof r->ifa);
	r->h.nlmsg_type = type;
	r->h.nlmsg_flags = NLM_F_REQUEST | NLM_F_ACK | flags;
	r->ifa.ifa_family = AF_INET6;
	r->ifa.ifa_prefixlen = (unsigned char)plen;
	r->ifa.ifa_scope = RT_SCOPE_UNIVERSE;
	r->ifa.ifa_index = (unsigned)ifindex;
	nl_put(&r->h, IFA_LOCAL, addr, sizeof *addr);
}

/* RTM_NEWADDR with lifetimes, NODAD and the address protocol. */
static int set_addr(unsigned short flags, int ifindex,
		    const struct in6_addr *addr, unsigned plen,
		    uint32_t preferred, uint32_t valid, uint8_t proto)
{
	struct ifa_cacheinfo ci = { .ifa_prefered = preferred, .ifa_valid = valid };
	uint32_t ifa_flags = IFA_F_NODAD;
	struct addr_req r;

	if (ifindex <= 0 || plen > 128)
		return -EINVAL;
	addr_req_init(&r, RTM_NEWADDR, flags, ifindex, addr, plen);
	r.ifa.ifa_flags = IFA_F_NODAD;
	nl_put(&r.h, IFA_CACHEINFO, &ci, sizeof ci);
	nl_put(&r.h, IFA_FLAGS, &ifa_flags, sizeof ifa_flags);
	nl_put(&r.h, ODMD_IFA_PROTO, &proto, sizeof proto);
	return nl_talk(NETLINK_ROUTE, &r.h, NULL, NULL);
}

int odmd_kaddr_add(int ifindex, const struct in6_addr *addr, unsigned plen,
		   uint32_t preferred, uint32_t valid, uint8_t proto)
{
	return set_addr(NLM_F_CREATE | NLM_F_EXCL, ifindex, addr, plen,
			preferred, valid, proto);
}

int odmd_kaddr_change_lifetimes(int ifindex, const struct in6_addr *addr,
				unsigned plen, uint32_t preferred,
				uint32_t valid, uint8_t proto)
{
	return set_addr(NLM_F_REPLACE, ifindex, addr, plen, preferred, valid,
			proto);
}

int odmd_kaddr_del(int ifindex, const struct in6_addr *addr, unsigned plen)
{
	struct addr_req r;

	if (ifindex <= 0 || plen > 128)
		return -EINVAL;
	addr_req_init(&r, RTM_DELADDR, 0, ifindex, addr, plen);
	return nl_talk(NETLINK_ROUTE, &r.h, NULL, NULL);
}

struct mine {
	struct odmd_kaddr *list;
	size_t n, cap;
};

/* Keeps one RTM_NEWADDR if its IFA_PROTO is odmd's. */
static int keep_mine(struct nlmsghdr *h, void *arg)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *ifa);
	struct odmd_kaddr a = { .preferred = ODMD_LIFETIME_INFINITE,
				.valid = ODMD_LIFETIME_INFINITE };
	struct mine *m = arg;
	bool have = false;

	if (h->nlmsg_type != RTM_NEWADDR || len < 0 ||
	    ifa->ifa_family != AF_INET6)
		return 0;
	a.ifindex = (int)ifa->ifa_index;
	a.plen = ifa->ifa_prefixlen;
	a.flags = ifa->ifa_flags;
	for (struct rtattr *rta = IFA_RTA(ifa); RTA_OK(rta, len);
	     rta = RTA_NEXT(rta, len)) {
		size_t n = RTA_PAYLOAD(rta);
		struct ifa_cacheinfo ci;

		switch (rta->rta_type) {
		case IFA_ADDRESS:
			if (have)
				break; /* IFA_LOCAL, when present, wins */
			/* fall through */
		case IFA_LOCAL:
			if (n >= sizeof a.addr) {
				memcpy(&a.addr, RTA_DATA(rta), sizeof a.addr);
				have = true;
			}
			break;
		case IFA_FLAGS:
			if (n >= sizeof a.flags)
				memcpy(&a.flags, RTA_DATA(rta), sizeof a.flags);
			break;
		case IFA_CACHEINFO:
			if (n >= sizeof ci) {
				memcpy(&ci, RTA_DATA(rta), sizeof ci);
				a.preferred = ci.ifa_prefered;
				a.valid = ci.ifa_valid;
			}
			break;
		case ODMD_IFA_PROTO:
			if (n >= 1)
				a.proto = *(uint8_t *)RTA_DATA(rta);
			break;
		}
	}
	a.type = (uint8_t)odmd_type_of_proto(a.proto);
	if (!have || !a.type)
		return 0;
	if (m->n == m->cap) {
		struct odmd_kaddr *bigger;

		if (m->cap >= ODM_MAX_ADDRS)
			return -E2BIG;
		m->cap = m->cap ? 2 * m->cap : 16;
		bigger = realloc(m->list, m->cap * sizeof *bigger);
		if (!bigger)
			return -ENOMEM;
		m->list = bigger;
	}
	m->list[m->n++] = a;
	return 0;
}

int odmd_kaddr_list_mine(struct odmd_kaddr **out, size_t *n)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg ifa;
	} req = {
		.h = { .nlmsg_len = sizeof req, .nlmsg_type = RTM_GETADDR,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
		.ifa = { .ifa_family = AF_INET6 },
	};
	struct mine m = { 0 };
	int rc = -EINTR;

	/* A dump that an address change interrupted is read again. */
	for (int tries = 0; rc == -EINTR && tries < 3; tries++) {
		m.n = 0;
		rc = nl_talk(NETLINK_ROUTE, &req.h, keep_mine, &m);
	}
	if (rc) {
		free(m.list);
		m.list = NULL;
		m.n = 0;
	}
	*out = m.list;
	*n = m.n;
	return rc;
}

/* --- sockets -------------------------------------------------------------- */

#ifndef TCP_NEW_SYN_RECV
#define TCP_NEW_SYN_RECV 12
#endif
#ifndef TCP_BOUND_INACTIVE
#define TCP_BOUND_INACTIVE 13 /* Linux 6.10+: bound, neither listening nor connected */
#endif

/* A dumped socket counts if its local address is ours (the bytecode filter
 * did that already; checked again in case a kernel ignored it). */
static int uses(struct nlmsghdr *h, void *arg)
{
	struct inet_diag_msg *d = NLMSG_DATA(h);

	if (h->nlmsg_type != SOCK_DIAG_BY_FAMILY ||
	    h->nlmsg_len < NLMSG_LENGTH(sizeof *d))
		return 0;
	if (d->idiag_state == TCP_TIME_WAIT)
		return 0;
	return !memcmp(d->id.idiag_src, arg, 16);
}

int odmd_kaddr_in_use(const struct in6_addr *addr)
{
	/* One condition: local address == addr/128, any port. "yes" goes on
	 * to the end (accept), "no" jumps 4 bytes past it (reject). */
	struct {
		struct inet_diag_bc_op op;
		struct inet_diag_hostcond cond;
		struct in6_addr addr;
	} bc = {
		.op = { INET_DIAG_BC_S_COND, sizeof bc, sizeof bc + 4 },
		.cond = { .family = AF_INET6, .prefix_len = 128, .port = -1 },
		.addr = *addr,
	};
	static const struct { uint8_t proto; uint32_t states; } kinds[] = {
		{ IPPROTO_TCP, ~0u & ~(1u << TCP_TIME_WAIT) },
		{ IPPROTO_UDP, ~0u },
	};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof kinds / sizeof *kinds; i++) {
		struct {
			struct nlmsghdr h;
			struct inet_diag_req_v2 r;
			char attrs[64];
		} req = {
			.h = { .nlmsg_len = NLMSG_LENGTH(sizeof req.r),
			       .nlmsg_type = SOCK_DIAG_BY_FAMILY,
			       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP },
			.r = { .sdiag_family = AF_INET6,
			       .sdiag_protocol = kinds[i].proto,
			       .idiag_states = kinds[i].states },
		};

		nl_put(&req.h, INET_DIAG_REQ_BYTECODE, &bc, sizeof bc);
		rc = nl_talk(NETLINK_SOCK_DIAG, &req.h, uses, (void *)addr);
		if (rc == -EINTR) /* a changing socket table: a fresh dump */
			rc = nl_talk(NETLINK_SOCK_DIAG, &req.h, uses, (void *)addr);
	}
	return rc;
}
