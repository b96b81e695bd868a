/* nladdr.c: the engine's netlink: the real-libc I/O table for the shared
 * netlink code (common/nl.c), and the monitor thread whose generation
 * counter tells the engine that its view of the addresses is still
 * current. */
#include <errno.h>
#include <linux/netlink.h>
#include <linux/rtnetlink.h>
#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>
#include "nladdr.h"
#include "init.h"
#include "real.h"

#define MON_STACK_SIZE   (128 * 1024)

/* The shared netlink code calls libc through these, never our hooks. */
static int r_socket(int d, int t, int p)
{
	odm_real_init();
	return odm_real.socket(d, t, p);
}

static int r_bind(int fd, const struct sockaddr *sa, socklen_t len)
{
	return odm_real.bind(fd, sa, len);
}

static int r_setsockopt(int fd, int level, int name, const void *v,
			socklen_t len)
{
	return odm_real.setsockopt(fd, level, name, v, len);
}

static ssize_t r_sendto(int fd, const void *buf, size_t len, int flags,
			const struct sockaddr *to, socklen_t tolen)
{
	return odm_real.sendto(fd, buf, len, flags, to, tolen);
}

static int r_close(int fd)
{
	return odm_real.close(fd);
}

const struct odm_nl_io odm_nl_real_io = {
	.socket = r_socket,
	.bind = r_bind,
	.setsockopt = r_setsockopt,
	.sendto = r_sendto,
	.close = r_close,
};

/* --- the monitor ------------------------------------------------------- */

uint64_t odm_nl_gen;
bool odm_nl_running;
static pthread_mutex_t mon_lock = PTHREAD_MUTEX_INITIALIZER;
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
void odm_nl_fork_prepare(void) { pthread_mutex_lock(&mon_lock); }
void odm_nl_fork_parent(void) { pthread_mutex_unlock(&mon_lock); }

void odm_nl_fork_child(void)
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

/* Subscribes, then starts the thread with every signal blocked. Called
 * with mon_lock held. Returns 0 or -errno. */
static int start_locked(void)
{
	sigset_t all, old;
	pthread_attr_t attr;
	pthread_t thread;
	int fd = odm_nl_open(&odm_nl_real_io, NETLINK_ROUTE,
			     RTMGRP_IPV6_IFADDR, 0, false), rc;

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

	if (odm_fork_handlers())
		return -ENOMEM; /* a child could not tell it was forked */
	if (odm_nl_monitor_running())
		return 0;
	pthread_mutex_lock(&mon_lock);
	if (!odm_nl_monitor_running())
		rc = start_locked();
	pthread_mutex_unlock(&mon_lock);
	errno = saved;
	return rc;
}
