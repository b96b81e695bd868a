/* nladdr.c: the host's IPv6 addresses from rtnetlink, and the monitor
 * thread whose generation counter tells the engine its view is current. */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>
#include "defaults.h"
#include "nladdr.h"
#include "proto.h"
#include "real.h"

/* A netlink socket of the route family, close-on-exec, with a bounded
 * receive; groups to join (0 for a dump socket). Returns fd or -errno. */
static int nl_open(unsigned groups, int timeout_ms)
{
	struct sockaddr_nl sa = { .nl_family = AF_NETLINK, .nl_groups = groups };
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	int fd, err;

	odm_real_init();
	fd = odm_real.socket(AF_NETLINK, SOCK_RAW | SOCK_CLOEXEC, NETLINK_ROUTE);
	if (fd < 0)
		return -errno;
	if ((timeout_ms && odm_real.setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv,
					       sizeof tv)) ||
	    odm_real.bind(fd, (struct sockaddr *)&sa, sizeof sa)) {
		err = errno;
		odm_real.close(fd);
		return -err;
	}
	return fd;
}

/* Fills a from one RTM_NEWADDR message; false if it is not IPv6. */
static bool parse_addr(struct nlmsghdr *h, struct odm_nladdr *a)
{
	struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *ifa);
	bool have = false;

	if (len < 0 || ifa->ifa_family != AF_INET6)
		return false;
	memset(a, 0, sizeof *a);
	a->plen = ifa->ifa_prefixlen;
	a->ifindex = (int)ifa->ifa_index;
	a->flags = ifa->ifa_flags;
	a->scope = ifa->ifa_scope;
	a->preferred = a->valid = ODM_LIFETIME_INFINITE;
	for (struct rtattr *rta = IFA_RTA(ifa); RTA_OK(rta, len);
	     rta = RTA_NEXT(rta, len)) {
		switch (rta->rta_type) {
		case IFA_ADDRESS:
			/* IFA_LOCAL, when present, is the address itself. */
			if (have)
				break;
			/* fall through */
		case IFA_LOCAL:
			if (RTA_PAYLOAD(rta) >= sizeof a->addr) {
				memcpy(&a->addr, RTA_DATA(rta), sizeof a->addr);
				have = true;
			}
			break;
		case IFA_FLAGS:
			if (RTA_PAYLOAD(rta) >= sizeof(uint32_t))
				memcpy(&a->flags, RTA_DATA(rta), sizeof(uint32_t));
			break;
		case ODMD_IFA_PROTO:
			if (RTA_PAYLOAD(rta) >= 1)
				a->proto = *(uint8_t *)RTA_DATA(rta);
			break;
		case IFA_CACHEINFO:
			if (RTA_PAYLOAD(rta) >= sizeof(struct ifa_cacheinfo)) {
				struct ifa_cacheinfo ci;

				memcpy(&ci, RTA_DATA(rta), sizeof ci);
				a->preferred = ci.ifa_prefered;
				a->valid = ci.ifa_valid;
				a->cstamp = ci.cstamp;
			}
			break;
		}
	}
	if (!have)
		return false;
	if (!if_indextoname((unsigned)a->ifindex, a->ifname))
		a->ifname[0] = '\0';
	return true;
}

int odm_nl_dump_addrs(struct odm_nladdr **out, size_t *n)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg ifa;
	} req = {
		.h = { .nlmsg_len = sizeof req, .nlmsg_type = RTM_GETADDR,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = 1 },
		.ifa = { .ifa_family = AF_INET6 },
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK };
	static __thread char buf[32768] __attribute__((aligned(4)));
	struct odm_nladdr *list = NULL, *bigger;
	size_t count = 0, cap = 0;
	int fd, rc = 0, saved = errno;
	bool done = false;

	fd = nl_open(0, 1000);
	if (fd < 0)
		return fd;
	if (odm_real.sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&kernel,
			    sizeof kernel) < 0) {
		rc = -errno;
		goto out;
	}
	while (!done) {
		struct sockaddr_nl from;
		socklen_t fromlen = sizeof from;
		ssize_t len = recvfrom(fd, buf, sizeof buf, MSG_TRUNC,
				       (struct sockaddr *)&from, &fromlen);

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0) {
			rc = errno == EAGAIN ? -ETIMEDOUT : -errno;
			goto out;
		}
		if ((size_t)len > sizeof buf) {
			rc = -EMSGSIZE;
			goto out;
		}
		if (from.nl_pid != 0)
			continue; /* not from the kernel */
		for (struct nlmsghdr *h = (struct nlmsghdr *)buf;
		     NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != req.h.nlmsg_seq)
				continue;
			if (h->nlmsg_type == NLMSG_DONE) {
				done = true;
				break;
			}
			if (h->nlmsg_type == NLMSG_ERROR) {
				struct nlmsgerr *e = NLMSG_DATA(h);

				rc = h->nlmsg_len >= NLMSG_LENGTH(sizeof *e) && e->error
					     ? e->error : -EPROTO;
				goto out;
			}
			if (h->nlmsg_type != RTM_NEWADDR)
				continue;
			if (count == cap) {
				if (cap >= ODM_MAX_ADDRS) {
					rc = -E2BIG;
					goto out;
				}
				cap = cap ? cap * 2 : 16;
				bigger = realloc(list, cap * sizeof *list);
				if (!bigger) {
					rc = -ENOMEM;
					goto out;
				}
				list = bigger;
			}
			if (parse_addr(h, &list[count]))
				count++;
		}
	}
out:
	odm_real.close(fd);
	if (rc) {
		free(list);
		list = NULL;
		count = 0;
	}
	*out = list;
	*n = count;
	errno = saved;
	return rc;
}

/* --- the monitor -------------------------------------------------------- */

#define generation odm_nl_gen
#define mon_running odm_nl_running
uint64_t odm_nl_gen;
bool odm_nl_running;
static int mon_fd = -1;          /* owned by the monitor thread */
static pthread_mutex_t mon_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t mon_once = PTHREAD_ONCE_INIT;

static void bump(void)
{
	__atomic_add_fetch(&generation, 1, __ATOMIC_RELEASE);
}

static void *monitor(void *arg)
{
	static char mbuf[16384] __attribute__((aligned(4)));
	int fd = (int)(intptr_t)arg;

	for (;;) {
		ssize_t len = recv(fd, mbuf, sizeof mbuf, 0);

		if (len < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (len < 0 && errno == ENOBUFS) {
			bump(); /* lost messages: re-read everything */
			continue;
		}
		if (len <= 0)
			break;
		for (struct nlmsghdr *h = (struct nlmsghdr *)mbuf;
		     NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len))
			if (h->nlmsg_type == RTM_NEWADDR ||
			    h->nlmsg_type == RTM_DELADDR) {
				bump();
				break;
			}
	}
	pthread_mutex_lock(&mon_lock);
	if (mon_fd == fd) {
		odm_real.close(fd);
		mon_fd = -1;
	}
	__atomic_store_n(&mon_running, false, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&mon_lock);
	bump();
	return NULL;
}

/* In a forked child the thread is gone and its socket is shared with the
 * parent's thread: the child drops it and starts afresh when asked. */
static void after_fork_child(void)
{
	if (mon_fd >= 0)
		odm_real.close(mon_fd);
	mon_fd = -1;
	__atomic_store_n(&mon_running, false, __ATOMIC_RELEASE);
	pthread_mutex_init(&mon_lock, NULL);
	bump();
}

static void register_fork_handler(void)
{
	pthread_atfork(NULL, NULL, after_fork_child);
}

int odm_nl_monitor_start(void)
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t t;
	int fd, rc = 0;

	pthread_once(&mon_once, register_fork_handler);
	if (__atomic_load_n(&mon_running, __ATOMIC_ACQUIRE))
		return 0;
	pthread_mutex_lock(&mon_lock);
	if (mon_running)
		goto out;
	fd = nl_open(1u << (RTNLGRP_IPV6_IFADDR - 1), 0);
	if (fd < 0) {
		rc = fd;
		goto out;
	}
	sigfillset(&all);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, 64 * 1024);
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&t, &attr, monitor, (void *)(intptr_t)fd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc) {
		odm_real.close(fd);
		goto out;
	}
	mon_fd = fd;
	__atomic_store_n(&mon_running, true, __ATOMIC_RELEASE);
	bump(); /* anything read before the subscription is suspect */
out:
	pthread_mutex_unlock(&mon_lock);
	return rc;
}
