/* usage.c: the socket scan (usage.h). */
#include <errno.h>
#include <libmnl/libmnl.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>
#include "dlog.h"
#include "lease.h"
#include "life.h"
#include "nl.h"
#include "usage.h"
#include "worker.h"

#define SCAN_EVERY_MS 1000
#define SCAN_TIMEOUT_MS 5000

static struct watch uw;
static int phase;               /* 0 idle, else the protocol being read */
static uint32_t seq;
static uint64_t gen, started, last_done;

uint64_t usage_last(void)
{
	return last_done;
}

static int send_dump(uint8_t proto)
{
	char buf[ODM_NL_MSG_MAX];
	struct nlmsghdr *h = odm_nl_msg_sockdiag(buf, proto,
		proto == IPPROTO_TCP ? ODM_NL_TCP_STATES : ODM_NL_UDP_STATES,
		NULL);
	struct sockaddr_nl k = { .nl_family = AF_NETLINK };

	h->nlmsg_seq = ++seq;
	if (sendto(uw.fd, h, h->nlmsg_len, 0, (struct sockaddr *)&k, sizeof k) < 0)
		return -errno;
	phase = proto;
	return 0;
}

static int on_sock(const struct nlmsghdr *h, void *arg)
{
	struct odm_nlsock s;
	struct lease *l;

	(void)arg;
	if (!odm_nl_parse_sock(h, &s) || !(l = lease_find(&s.local)))
		return MNL_CB_OK;
	if (l->scan_gen != gen) {
		/* The last scan's sockets become the ones to compare with. */
		struct odmd_sock *v = l->prev;
		unsigned cap = l->prev_cap;

		l->prev = l->socks;
		l->prev_cap = l->socks_cap;
		l->nprev = l->nsocks;
		l->socks = v;
		l->socks_cap = cap;
		l->scan_gen = gen;
		l->sockets = 0;
		l->nsocks = 0;
	}
	l->sockets++;
	if (l->nsocks == l->socks_cap) {
		unsigned cap = l->socks_cap ? 2 * l->socks_cap : 4;
		struct odmd_sock *v = realloc(l->socks, cap * sizeof *v);

		if (!v)
			return MNL_CB_OK; /* counted, not listed */
		l->socks = v;
		l->socks_cap = cap;
	}
	l->socks[l->nsocks++] = (struct odmd_sock){
		.addr = s.local, .uid = s.uid, .inode = s.inode,
		.port = s.port, .proto = (uint8_t)phase, .bytes = s.bytes,
	};
	return MNL_CB_OK;
}

static int by_inode(const void *a, const void *b)
{
	uint32_t x = ((const struct odmd_sock *)a)->inode,
		 y = ((const struct odmd_sock *)b)->inode;

	return x < y ? -1 : x > y;
}

/* The lease's TCP bytes (the kernel's TCP_INFO): those of its sockets now,
 * and of the ones gone since the last scan, which stay counted. */
static void count_bytes(struct lease *l, bool scanned)
{
	uint64_t now = 0;

	if (!scanned) { /* none left: all of the last scan's are gone */
		for (unsigned i = 0; i < l->nsocks; i++)
			l->bytes_closed += l->socks[i].bytes;
		l->bytes = l->bytes_closed;
		return;
	}
	qsort(l->socks, l->nsocks, sizeof *l->socks, by_inode);
	for (unsigned i = 0; i < l->nprev; i++) {
		struct odmd_sock key = { .inode = l->prev[i].inode };

		if (!bsearch(&key, l->socks, l->nsocks, sizeof key, by_inode))
			l->bytes_closed += l->prev[i].bytes;
	}
	l->nprev = 0;
	for (unsigned i = 0; i < l->nsocks; i++)
		now += l->socks[i].bytes;
	l->bytes = l->bytes_closed + now;
}

static void finish(void)
{
	struct lease *l, *next;

	phase = 0;
	last_done = W.now;
	/* A prefix whose own addresses are used is used. */
	for (l = lease_first(); l; l = lease_next(l))
		l->own_busy = false;
	for (l = lease_first(); l; l = lease_next(l))
		if ((l->flags & LEASE_OWN) && l->scan_gen == gen) {
			struct lease *base = lease_find_prefix(&l->prefix, l->plen);

			if (base && !(base->flags & LEASE_OWN))
				base->own_busy = true;
		}
	for (l = lease_first(); l; l = next) {
		next = lease_next(l);
		count_bytes(l, l->scan_gen == gen);
		if (l->scan_gen != gen) {
			l->sockets = 0;
			l->nsocks = 0;
		}
		life_after_scan(l); /* may release l */
	}
}

static void abort_scan(const char *why)
{
	dlog_warn("socket scan: %s", why);
	phase = 0;
	/* Whatever is left of the dump is read and dropped. */
	for (char b[4096]; recv(uw.fd, b, sizeof b, MSG_DONTWAIT) > 0;)
		;
}

static void on_event(struct watch *w, uint32_t events)
{
	static char buf[ODM_NL_BUF] __attribute__((aligned(4)));

	(void)events;
	for (int i = 0; i < 16 && phase; i++) {
		ssize_t n = recv(w->fd, buf, sizeof buf, 0);
		int rc;

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			return;
		if (n <= 0) {
			abort_scan(n ? strerror(errno) : "closed");
			return;
		}
		rc = mnl_cb_run(buf, (size_t)n, seq, 0, on_sock, NULL);
		if (rc == MNL_CB_ERROR) {
			abort_scan(strerror(errno));
			return;
		}
		if (rc == MNL_CB_STOP) {
			if (phase == IPPROTO_TCP) {
				if ((rc = send_dump(IPPROTO_UDP))) {
					abort_scan(strerror(-rc));
					return;
				}
			} else {
				finish();
				return;
			}
		}
	}
}

void usage_tick(void)
{
	int rc;

	if (phase && W.now - started > SCAN_TIMEOUT_MS)
		abort_scan("no answer in time");
	if (phase || !lease_count() || W.now < last_done + SCAN_EVERY_MS ||
	    W.now < started + SCAN_EVERY_MS)
		return;
	gen++;
	started = W.now;
	if ((rc = send_dump(IPPROTO_TCP)))
		dlog_warn("socket scan: %s", strerror(-rc));
}

int usage_init(void)
{
	int fd = odm_nl_open(&odm_nl_libc, NETLINK_SOCK_DIAG, 0, 0, true);
	int big = 4 << 20;

	if (fd < 0)
		return fd;
	setsockopt(fd, SOL_SOCKET, SO_RCVBUF, &big, sizeof big);
	uw.fd = fd;
	uw.on_event = on_event;
	return watch_add(&uw, false) ? -EIO : 0;
}
