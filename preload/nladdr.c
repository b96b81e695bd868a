/* nladdr.c: the host's IPv6 addresses from one rtnetlink dump, and the
 * monitor thread whose generation counter tells the engine that its view of
 * them is still current. */
#include <errno.h>
#include <linux/if_addr.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <unistd.h>
#include "defaults.h"
#include "nladdr.h"
#include "proto.h"
#include "real.h"

#define NL_BUF_SIZE      32768  /* the kernel never sends a bigger dump part */
#define NL_TIMEOUT_MS    1000   /* bound of every receive of a dump */
#define NL_DUMP_TRIES    3      /* dumps the kernel marks inconsistent */
#define MON_STACK_SIZE   (128 * 1024)

/* A NETLINK_ROUTE socket, close-on-exec, bound to groups (0 for a dump);
 * receives time out after timeout_ms (0: never). Returns fd or -errno. */
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

/* Fills a from one RTM_NEWADDR message (ifname aside); false if it holds
 * no IPv6 address. */
static bool parse_addr(const struct nlmsghdr *h, struct odm_nladdr *a)
{
	const struct ifaddrmsg *ifa = NLMSG_DATA(h);
	int len = (int)h->nlmsg_len - (int)NLMSG_LENGTH(sizeof *ifa);
	int have = 0; /* 1: IFA_ADDRESS, 2: IFA_LOCAL, which wins */

	if (len < 0 || ifa->ifa_family != AF_INET6)
		return false;
	memset(a, 0, sizeof *a);
	a->plen = ifa->ifa_prefixlen;
	a->ifindex = (int)ifa->ifa_index;
	a->flags = ifa->ifa_flags;  /* the low 8 bits, unless IFA_FLAGS */
	a->scope = ifa->ifa_scope;
	a->preferred = a->valid = ODM_LIFETIME_INFINITE;
	for (const struct rtattr *rta = IFA_RTA(ifa); RTA_OK(rta, len);
	     rta = RTA_NEXT(rta, len)) {
		const void *data = RTA_DATA(rta);
		size_t size = RTA_PAYLOAD(rta);
		struct ifa_cacheinfo ci;

		if ((rta->rta_type == IFA_LOCAL ||
		     (rta->rta_type == IFA_ADDRESS && have < 2)) &&
		    size >= sizeof a->addr) {
			memcpy(&a->addr, data, sizeof a->addr);
			have = rta->rta_type == IFA_LOCAL ? 2 : 1;
		} else if (rta->rta_type == IFA_FLAGS && size >= sizeof a->flags) {
			memcpy(&a->flags, data, sizeof a->flags);
		} else if (rta->rta_type == ODMD_IFA_PROTO && size >= 1) {
			a->proto = *(const uint8_t *)data;
		} else if (rta->rta_type == IFA_CACHEINFO && size >= sizeof ci) {
			memcpy(&ci, data, sizeof ci);
			a->preferred = ci.ifa_prefered;
			a->valid = ci.ifa_valid;
			a->cstamp = ci.cstamp;
		}
	}
	return have > 0;
}

struct addr_list {
	struct odm_nladdr *v;
	size_t n, cap;
};

static int list_add(struct addr_list *l, const struct nlmsghdr *h)
{
	if (l->n == l->cap) {
		size_t cap = l->cap ? 2 * l->cap : 16;
		struct odm_nladdr *bigger;

		if (l->n >= ODM_MAX_ADDRS)
			return -E2BIG;
		if (cap > ODM_MAX_ADDRS)
			cap = ODM_MAX_ADDRS;
		bigger = realloc(l->v, cap * sizeof *bigger);
		if (!bigger)
			return -ENOMEM;
		l->v = bigger;
		l->cap = cap;
	}
	if (parse_addr(h, &l->v[l->n]))
		l->n++;
	return 0;
}

/* The error an NLMSG_DONE or NLMSG_ERROR carries: 0 or -errno (an ACK,
 * NLMSG_ERROR with 0, cannot end a dump: -EPROTO). */
static int nl_status(const struct nlmsghdr *h)
{
	int err = 0;

	if (h->nlmsg_len >= NLMSG_LENGTH(sizeof err))
		memcpy(&err, NLMSG_DATA(h), sizeof err);
	return err ? -abs(err) : h->nlmsg_type == NLMSG_ERROR ? -EPROTO : 0;
}

/* One RTM_GETADDR dump over fd into l. Returns 0, -EAGAIN when the kernel
 * marked it inconsistent (an address changed meanwhile), or -errno. */
static int dump_once(int fd, uint32_t seq, char *buf, struct addr_list *l)
{
	struct {
		struct nlmsghdr h;
		struct ifaddrmsg ifa;
	} req = {
		.h = { .nlmsg_len = sizeof req, .nlmsg_type = RTM_GETADDR,
		       .nlmsg_flags = NLM_F_REQUEST | NLM_F_DUMP, .nlmsg_seq = seq },
		.ifa = { .ifa_family = AF_INET6 },
	};
	struct sockaddr_nl kernel = { .nl_family = AF_NETLINK }, me;
	socklen_t me_len = sizeof me;
	bool inconsistent = false;
	int rc;

	if (odm_real.getsockname(fd, (struct sockaddr *)&me, &me_len) ||
	    odm_real.sendto(fd, &req, sizeof req, 0, (struct sockaddr *)&kernel,
			    sizeof kernel) < 0)
		return -errno;
	for (;;) {
		struct sockaddr_nl from = { 0 };
		struct iovec iov = { buf, NL_BUF_SIZE };
		struct msghdr msg = { .msg_name = &from, .msg_namelen = sizeof from,
				      .msg_iov = &iov, .msg_iovlen = 1 };
		ssize_t len = recvmsg(fd, &msg, 0);

		if (len < 0 && errno == EINTR)
			continue;
		if (len < 0)
			return errno == EAGAIN || errno == EWOULDBLOCK ? -ETIMEDOUT
								       : -errno;
		if (msg.msg_flags & MSG_TRUNC)
			return -EMSGSIZE;
		if (from.nl_pid != 0)
			continue; /* not from the kernel */
		for (const struct nlmsghdr *h = (struct nlmsghdr *)buf;
		     NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len)) {
			if (h->nlmsg_seq != seq || h->nlmsg_pid != me.nl_pid)
				continue; /* not an answer to this request */
			if (h->nlmsg_flags & NLM_F_DUMP_INTR)
				inconsistent = true;
			if (h->nlmsg_type == NLMSG_DONE) {
				rc = nl_status(h);
				return rc ? rc : inconsistent ? -EAGAIN : 0;
			}
			if (h->nlmsg_type == NLMSG_ERROR)
				return nl_status(h);
			if (h->nlmsg_type == RTM_NEWADDR && (rc = list_add(l, h)))
				return rc;
		}
	}
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

int odm_nl_dump_addrs(struct odm_nladdr **out, size_t *n)
{
	static uint32_t last_seq;
	struct addr_list l = { 0 };
	char *buf = malloc(NL_BUF_SIZE);
	int saved = errno, fd, rc = -EAGAIN;

	fd = buf ? nl_open(0, NL_TIMEOUT_MS) : -ENOMEM;
	for (int try = 0; fd >= 0 && rc == -EAGAIN && try < NL_DUMP_TRIES; try++) {
		l.n = 0;
		rc = dump_once(fd, __atomic_add_fetch(&last_seq, 1, __ATOMIC_RELAXED),
			       buf, &l);
	}
	if (fd < 0)
		rc = fd;
	else
		odm_real.close(fd);
	free(buf);
	if (rc) {
		free(l.v);
		l = (struct addr_list){ 0 };
	}
	name_interfaces(l.v, l.n);
	*out = l.v;
	*n = l.n;
	errno = saved;
	return rc;
}

/* --- the monitor ------------------------------------------------------- */

uint64_t odm_nl_gen;
bool odm_nl_running;
static pthread_mutex_t mon_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t mon_once = PTHREAD_ONCE_INIT;
static int mon_atfork_rc;
static int mon_fd = -1;          /* the thread's socket; under mon_lock */
static struct stat mon_sock;     /* its identity, set before the thread */

static void bump(void)
{
	__atomic_add_fetch(&odm_nl_gen, 1, __ATOMIC_RELEASE);
}

/* False once the host closed fd behind our back (and maybe reused the
 * number): the thread must not read, let alone close, someone else's fd. */
static bool still_ours(int fd)
{
	struct stat st;

	return fstat(fd, &st) == 0 && st.st_dev == mon_sock.st_dev &&
	       st.st_ino == mon_sock.st_ino;
}

static bool announces_change(const char *buf, ssize_t len)
{
	for (const struct nlmsghdr *h = (const struct nlmsghdr *)buf;
	     NLMSG_OK(h, (size_t)len); h = NLMSG_NEXT(h, len))
		if (h->nlmsg_type == RTM_NEWADDR || h->nlmsg_type == RTM_DELADDR)
			return true;
	return false;
}

static void *monitor(void *arg)
{
	char buf[8192] __attribute__((aligned(NLMSG_ALIGNTO)));
	int fd = (int)(intptr_t)arg;

	pthread_setname_np(pthread_self(), "odm-nlmon");
	while (still_ours(fd)) {
		ssize_t len = recv(fd, buf, sizeof buf, MSG_TRUNC);

		if (len < 0 && (errno == EINTR || errno == EAGAIN))
			continue;
		if (len < 0 && errno == ENOBUFS) {
			bump(); /* lost messages: re-read everything */
			continue;
		}
		if (len <= 0)
			break;
		if ((size_t)len > sizeof buf || announces_change(buf, len))
			bump();
	}
	pthread_mutex_lock(&mon_lock);
	if (mon_fd == fd) {
		if (still_ours(fd))
			odm_real.close(fd);
		mon_fd = -1;
	}
	__atomic_store_n(&odm_nl_running, false, __ATOMIC_RELEASE);
	pthread_mutex_unlock(&mon_lock);
	bump();
	return NULL;
}

/* fork(): the child has no monitor thread, only its socket, which it must
 * not read. It drops it, and its engine re-reads and restarts the monitor.
 * Holding mon_lock across fork() keeps the child's mon_fd consistent. */
static void fork_prepare(void) { pthread_mutex_lock(&mon_lock); }
static void fork_parent(void) { pthread_mutex_unlock(&mon_lock); }

static void fork_child(void)
{
	int saved = errno;

	if (mon_fd >= 0 && still_ours(mon_fd))
		odm_real.close(mon_fd);
	mon_fd = -1;
	__atomic_store_n(&odm_nl_running, false, __ATOMIC_RELEASE);
	bump();
	pthread_mutex_unlock(&mon_lock);
	errno = saved;
}

static void register_fork_handlers(void)
{
	mon_atfork_rc = pthread_atfork(fork_prepare, fork_parent, fork_child);
}

/* Subscribes, then starts the thread with every signal blocked. Called
 * with mon_lock held. Returns 0 or -errno. */
static int start_locked(void)
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t thread;
	int fd = nl_open(RTMGRP_IPV6_IFADDR, 0), rc;

	if (fd < 0)
		return fd;
	if (fstat(fd, &mon_sock)) {
		rc = -errno;
		odm_real.close(fd);
		return rc;
	}
	mon_fd = fd;
	sigfillset(&all);
	pthread_attr_init(&attr);
	pthread_attr_setdetachstate(&attr, PTHREAD_CREATE_DETACHED);
	pthread_attr_setstacksize(&attr, MON_STACK_SIZE); /* else the default */
	pthread_sigmask(SIG_SETMASK, &all, &old);
	rc = -pthread_create(&thread, &attr, monitor, (void *)(intptr_t)fd);
	pthread_sigmask(SIG_SETMASK, &old, NULL);
	pthread_attr_destroy(&attr);
	if (rc) {
		mon_fd = -1;
		odm_real.close(fd);
		return rc;
	}
	__atomic_store_n(&odm_nl_running, true, __ATOMIC_RELEASE);
	bump(); /* a view read before the subscription is suspect */
	return 0;
}

int odm_nl_monitor_start(void)
{
	int saved = errno, rc = 0;

	pthread_once(&mon_once, register_fork_handlers);
	if (mon_atfork_rc)
		return -mon_atfork_rc; /* a child could not tell it was forked */
	if (odm_nl_monitor_running())
		return 0;
	pthread_mutex_lock(&mon_lock);
	if (!odm_nl_monitor_running())
		rc = start_locked();
	pthread_mutex_unlock(&mon_lock);
	errno = saved;
	return rc;
}
