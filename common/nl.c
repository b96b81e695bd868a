/* nl.c: netlink sockets and bounded exchanges with the kernel, and the
 * address dump, for the engine, odmd and the tools. Messages are built and
 * parsed in nl_msg.c. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>
#include "nl.h"

const struct odm_nl_io odm_nl_libc = {
	.socket = socket,
	.bind = bind,
	.setsockopt = setsockopt,
	.sendto = sendto,
	.close = close,
};

int odm_nl_open(const struct odm_nl_io *io, int protocol, unsigned groups,
		int timeout_ms, bool nonblock)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int fd, err;

	fd = io->socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC |
			(nonblock ? SOCK_NONBLOCK : 0), protocol);
	if (fd < 0)
		return -errno;
	if ((timeout_ms && io->setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
					  sizeof tv)) ||
	    io->bind(fd, (struct sockaddr *)&sa, sizeof sa)) {
		err = errno;
		io->close(fd);
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

int odm_nl_talk(const struct odm_nl_io *io, int fd, struct nlmsghdr *req,
		odm_nl_cb *cb, void *arg)
{
	static uint32_t last_seq;
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	char *buf = malloc(ODM_NL_BUF);
	struct timespec t0;
	uint32_t seq;
	int rc = MNL_CB_OK;

	if (!req) {
		free(buf);
		return -ENOSYS; /* no libmnl to build it with */
	}
	if (!buf)
		return -ENOMEM;
	seq = __atomic_add_fetch(&last_seq, 1, __ATOMIC_RELAXED);
	req->nlmsg_seq = seq ? seq : __atomic_add_fetch(&last_seq, 1,
							__ATOMIC_RELAXED);
	seq = req->nlmsg_seq;
	clock_gettime(CLOCK_MONOTONIC, &t0);
	if (io->sendto(fd, req, req->nlmsg_len, 0, (struct sockaddr *)&kernel,
		       sizeof kernel) < 0) {
		rc = -errno;
		goto out;
	}
	while (rc == MNL_CB_OK) {
		struct sockaddr_nl from = { 0 };
		socklen_t fromlen = sizeof from;
		ssize_t len = recvfrom(fd, buf, ODM_NL_BUF, MSG_TRUNC,
				       (struct sockaddr *)&from, &fromlen);

		if (len < 0 && errno == EINTR && ms_since(&t0) < 2 * ODM_NL_TIMEOUT_MS)
			continue;
		if (len < 0) {
			rc = errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT
								     : -errno;
			break;
		}
		if (len > ODM_NL_BUF) {
			rc = -EMSGSIZE;
			break;
		}
		if (ms_since(&t0) > 2 * ODM_NL_TIMEOUT_MS) {
			rc = -ETIMEDOUT;
			break;
		}
		if (from.nl_pid != 0)
			continue; /* not from the kernel */
		rc = mnl_cb_run(buf, (size_t)len, seq, 0, cb, arg);
		if (rc == MNL_CB_ERROR)
			rc = errno ? -errno : -EPROTO;
	}
out:
	free(buf);
	return rc > 0 ? 0 : rc;
}

int odm_nl_ask(const struct odm_nl_io *io, int protocol, struct nlmsghdr *req,
	       odm_nl_cb *cb, void *arg)
{
	int fd, rc;

	if (!req)
		return -ENOSYS;
	fd = odm_nl_open(io, protocol, 0, ODM_NL_TIMEOUT_MS, false);
	if (fd < 0)
		return fd;
	rc = odm_nl_talk(io, fd, req, cb, arg);
	for (int tries = 1; rc == -EINTR && tries < 3; tries++)
		rc = odm_nl_talk(io, fd, req, cb, arg);
	io->close(fd);
	return rc;
}

/* --- the address dump ---------------------------------------------------- */

struct addr_list {
	struct odm_nladdr *v;
	size_t n, cap;
};

static int keep_addr(const struct nlmsghdr *h, void *arg)
{
	struct addr_list *l = arg;

	if (h->nlmsg_type != RTM_NEWADDR)
		return MNL_CB_OK;
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct odm_nladdr *bigger = realloc(l->v, cap * sizeof *bigger);

		if (!bigger) {
			errno = ENOMEM;
			return MNL_CB_ERROR;
		}
		l->v = bigger;
		l->cap = cap;
	}
	if (odm_nl_parse_addr(h, &l->v[l->n]))
		l->n++;
	return MNL_CB_OK;
}

/* Interface names, one if_indextoname() per interface: the kernel dumps
 * the addresses of one interface together. */
static void name_interfaces(struct odm_nladdr *v, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		if (i && v[i].ifindex == v[i - 1].ifindex)
			memcpy(v[i].ifname, v[i - 1].ifname, sizeof v[i].ifname);
		else if (!if_indextoname((unsigned)v[i].ifindex, v[i].ifname))
			v[i].ifname[0] = '\0'; /* gone meanwhile */
	}
}

int odm_nl_dump_addrs(const struct odm_nl_io *io, struct odm_nladdr **out,
		      size_t *n)
{
	char req[ODM_NL_MSG_MAX];
	struct addr_list l = { 0 };
	int fd = odm_nl_open(io, NETLINK_ROUTE, 0, ODM_NL_TIMEOUT_MS, false);
	int rc = fd < 0 ? fd : -EINTR;

	for (int tries = 0; fd >= 0 && rc == -EINTR && tries < 3; tries++) {
		l.n = 0;
		rc = odm_nl_talk(io, fd, odm_nl_msg_getaddr(req), keep_addr, &l);
	}
	if (fd >= 0)
		io->close(fd);
	if (rc) {
		free(l.v);
		l = (struct addr_list){ 0 };
	}
	name_interfaces(l.v, l.n);
	*out = l.v;
	*n = l.n;
	return rc;
}
