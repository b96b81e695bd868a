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
	b->typed++;
	if (odm_addr_unusable(a))
		return;
	if (!b->have[type] || odm_addr_better(a, &b->a[type], type)) {
		b->a[type] = *a;
		b->have[type] = true;
	}
}

/* The interfaces odm.conf types by name, as indexes (looked up once per
 * dump: if_nametoindex makes no allocation). */
struct typed_ifaces {
	int index[8];
	sc_type type[8];
	size_t n;
};

static void map_interfaces(const struct odm_hostconf *hc, struct typed_ifaces *m)
{
	m->n = 0;
	for (size_t i = 0; i < hc->nifaces && m->n < 8; i++) {
		unsigned idx = if_nametoindex(hc->ifaces[i].name);

		if (idx) {
			m->index[m->n] = (int)idx;
			m->type[m->n++] = hc->ifaces[i].type;
		}
	}
}

static sc_type type_of(const struct odm_hostconf *hc, const struct typed_ifaces *m,
		       const struct odm_nladdr *a)
{
	sc_type t = (sc_type)odmd_type_of_proto(a->proto);

	if (t)
		return t;
	if (hc->nprefixes && (t = odm_hostconf_type_of(hc, &a->addr, NULL)))
		return t;
	for (size_t i = 0; i < m->n; i++)
		if (m->index[i] == a->ifindex)
			return m->type[i];
	return 0;
}

/* One RTM_NEWADDR into *a; false when it is not a global IPv6 address. */
static bool parse(const struct nlmsghdr *h, struct odm_nladdr *a)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - NLMSG_LENGTH(sizeof *ifa);
	bool local = false, have = false;

	if (len < 0 || ifa->ifa_family != AF_INET6 ||
	    ifa->ifa_scope != RT_SCOPE_UNIVERSE)
		return false;
	a->plen = ifa->ifa_prefixlen;
	a->ifindex = (int)ifa->ifa_index;
	a->flags = ifa->ifa_flags;
	a->scope = ifa->ifa_scope;
	a->preferred = a->valid = ODM_LIFETIME_INFINITE;
	a->cstamp = 0;
	a->proto = 0;
	a->ifname[0] = '\0';
	for (const struct rtattr *at = IFA_RTA(ifa); RTA_OK(at, len);
	     at = RTA_NEXT(at, len)) {
		size_t n = RTA_PAYLOAD(at);

		switch (at->rta_type) {
		case IFA_LOCAL:
		case IFA_ADDRESS:
			if (n >= sizeof a->addr && !local) {
				memcpy(&a->addr, RTA_DATA(at), sizeof a->addr);
				local = at->rta_type == IFA_LOCAL;
				have = true;
			}
			break;
		case IFA_FLAGS:
			if (n >= sizeof a->flags)
				memcpy(&a->flags, RTA_DATA(at), sizeof a->flags);
			break;
		case ODMD_IFA_PROTO:
			if (n >= 1)
				a->proto = *(const uint8_t *)RTA_DATA(at);
			break;
		case IFA_CACHEINFO:
			if (n >= sizeof(struct ifa_cacheinfo)) {
				struct ifa_cacheinfo ci;

				memcpy(&ci, RTA_DATA(at), sizeof ci);
				a->preferred = ci.ifa_prefered;
				a->valid = ci.ifa_valid;
				a->cstamp = ci.cstamp;
			}
			break;
		}
	}
	return have;
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
		     const struct typed_ifaces *m, void *buf, size_t size,
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

	memset(out, 0, sizeof *out);
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
			sc_type t;

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
			if (parse(h, &a) && (t = type_of(hc, m, &a)))
				odm_best_fold(out, &a, t);
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
	struct typed_ifaces m;
	int fd, rc = -EINTR;

	fd = odm_real.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if (odm_real.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv)) {
		rc = -errno;
		odm_real.close(fd);
		return rc;
	}
	map_interfaces(hc, &m);
	for (int tries = 0; rc == -EINTR && tries < 3; tries++)
		rc = dump_once(fd, __atomic_add_fetch(&last_seq, 1,
						      __ATOMIC_RELAXED) | 1u << 31,
			       hc, &m, buf, len, out);
	odm_real.close(fd);
	return rc;
}
