/* clients.c: accepting, reading, writing and timing out connections
 * (clients.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "auth.h"
#include "clients.h"
#include "dlog.h"
#include "serve.h"

#ifndef SO_PEERPIDFD
#define SO_PEERPIDFD 77
#endif

struct uid_count {
	uid_t uid;
	unsigned n;
	double tokens;        /* STATUS answers it may still have now */
	uint64_t refilled;    /* ms */
	UT_hash_handle hh;
};

#define STATUS_RATE  10.0 /* STATUS answers a second, per user but root */
#define STATUS_BURST 20.0

static struct watch lw;
static struct client *clients;
static struct uid_count *per_uid;
static unsigned nclients;
static uint64_t next_id;
static uint64_t refused_logged; /* ms: refusals are logged once a second */


struct client *client_find(uint64_t id)
{
	struct client *c;

	HASH_FIND(hh, clients, &id, sizeof id, c);
	return c;
}

unsigned clients_count(void)
{
	return nclients;
}

static struct uid_count *uid_slot(uid_t uid, bool make)
{
	struct uid_count *u;

	HASH_FIND(hh, per_uid, &uid, sizeof uid, u);
	if (u || !make || !(u = calloc(1, sizeof *u)))
		return u;
	u->uid = uid;
	u->tokens = STATUS_BURST;
	u->refilled = W.now;
	if (!UTH_ADDED(HASH_ADD(hh, per_uid, uid, sizeof u->uid, u))) {
		free(u);
		return NULL;
	}
	return u;
}

bool client_may_status(struct client *c)
{
	struct uid_count *u = uid_slot(c->cred.uid, false);

	if (c->cred.uid == 0 || !u)
		return true;
	u->tokens += (W.now - u->refilled) * STATUS_RATE / 1000.0;
	if (u->tokens > STATUS_BURST)
		u->tokens = STATUS_BURST;
	u->refilled = W.now;
	if (u->tokens < 1.0)
		return false;
	u->tokens -= 1.0;
	return true;
}

/* The client's next deadline: the rest of a message, or idleness. */
static void schedule(struct client *c)
{
	const struct odm_hc_agent *ag = &W.hc->agent;
	uint64_t due;

	if (c->have)
		due = c->partial_since + ag->read_timeout_ms;
	else if (c->busy)
		due = NEVER;
	else
		due = c->active + (uint64_t)ag->idle_timeout_s * 1000;
	if (due == NEVER)
		heap_del(&W.heap, &c->timer);
	else
		heap_set(&W.heap, &c->timer, due);
}

/* Closed clients, freed at the end of the loop's turn: whoever is still
 * on the stack with one may look at it (c->dead), never at freed memory. */
static struct client *graveyard;

void clients_reap(void)
{
	struct client *c, *next;

	for (c = graveyard, graveyard = NULL; c; c = next) {
		next = c->next_dead;
		free(c->exe);
		free(c->out);
		free(c);
	}
}

void client_close(struct client *c, const char *why)
{
	struct uid_count *u = uid_slot(c->cred.uid, false);

	if (c->dead)
		return;
	c->dead = true;
	if (why)
		dlog_debug("client pid %d uid %u: %s: closed", (int)c->cred.pid,
			   (unsigned)c->cred.uid, why);
	serve_forget(c);
	heap_del(&W.heap, &c->timer);
	watch_del(&c->w);
	close(c->w.fd);
	if (c->pidfd >= 0)
		close(c->pidfd);
	/* The entry stays: its STATUS allowance must outlive a reconnect. */
	if (u)
		u->n--;
	HASH_DEL(clients, c);
	nclients--;
	c->next_dead = graveyard;
	graveyard = c;
}

/* Reads while it has few requests under way; writes while answers wait. */
static void set_reading(struct client *c)
{
	uint32_t ev = (c->busy < CLIENT_MAX_BUSY ? EPOLLIN : 0) |
		      (c->outlen > c->outoff ? EPOLLOUT : 0);

	c->reading = ev & EPOLLIN;
	if (ev != c->events) {
		struct epoll_event e = { .events = ev, .data.ptr = &c->w };

		c->events = ev;
		epoll_ctl(W.epfd, EPOLL_CTL_MOD, c->w.fd, &e);
	}
}

/* Writes what it can; false when c was dropped. */
static bool flush(struct client *c)
{
	if (c->dead)
		return false;
	while (c->outoff < c->outlen) {
		ssize_t n = send(c->w.fd, c->out + c->outoff,
				 c->outlen - c->outoff, MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			client_close(c, "the answer could not be sent");
			return false;
		}
		c->outoff += (size_t)n;
		c->active = W.now;
	}
	if (c->outoff == c->outlen)
		c->outoff = c->outlen = 0;
	set_reading(c);
	return true;
}

void client_send(struct client *c, const struct odmd_msg *m)
{
	uint8_t buf[ODMD_MSG_MAX];
	int len = odmd_encode(m, buf, sizeof buf);

	if (c->dead)
		return;
	if (len < 0) {
		dlog_err("an answer did not encode: %s", odmd_strerror(len));
		return;
	}
	if (c->outlen + (size_t)len > c->outcap) {
		size_t cap = c->outcap ? c->outcap : 4096;
		uint8_t *o;

		/* The part already sent makes room first. */
		if (c->outoff) {
			memmove(c->out, c->out + c->outoff, c->outlen - c->outoff);
			c->outlen -= c->outoff;
			c->outoff = 0;
		}
		while (cap < c->outlen + (size_t)len)
			cap *= 2;
		if (cap > CLIENT_OUT_MAX || !(o = realloc(c->out, cap))) {
			client_close(c, "it does not read its answers");
			return;
		}
		c->out = o;
		c->outcap = cap;
	}
	memcpy(c->out + c->outlen, buf, (size_t)len);
	c->outlen += (size_t)len;
	c->active = W.now;
	if (c->outlen - c->outoff == (size_t)len) /* nothing was waiting */
		flush(c);
	else
		set_reading(c);
}

void client_busy(struct client *c)
{
	c->busy++;
	c->active = W.now;
	set_reading(c);
	schedule(c);
}

void client_done(struct client *c)
{
	if (c->busy)
		c->busy--;
	c->active = W.now;
	set_reading(c);
	schedule(c);
}

void client_due(struct client *c)
{
	const struct odm_hc_agent *ag = &W.hc->agent;

	if (c->have && W.now >= c->partial_since + ag->read_timeout_ms)
		client_close(c, "a message did not arrive whole in time");
	else if (!c->have && !c->busy &&
		 W.now >= c->active + (uint64_t)ag->idle_timeout_s * 1000)
		client_close(c, "idle");
	else
		schedule(c);
}

/* Reads with the sender's credentials: a message sent by another process
 * than the one that connected (a child it handed the socket to) voids the
 * program's grants for this connection. */
static ssize_t read_some(struct client *c)
{
	union {
		char buf[CMSG_SPACE(sizeof(struct ucred))];
		struct cmsghdr align;
	} cm;
	struct iovec iov = { c->in + c->have, sizeof c->in - c->have };
	struct msghdr msg = { .msg_iov = &iov, .msg_iovlen = 1,
			      .msg_control = cm.buf,
			      .msg_controllen = sizeof cm.buf };
	ssize_t n = recvmsg(c->w.fd, &msg, MSG_DONTWAIT | MSG_CMSG_CLOEXEC);

	for (struct cmsghdr *h = n > 0 ? CMSG_FIRSTHDR(&msg) : NULL; h;
	     h = CMSG_NXTHDR(&msg, h)) {
		struct ucred cr;

		if (h->cmsg_level == SOL_SOCKET && h->cmsg_type == SCM_RIGHTS) {
			/* No descriptors are taken from clients. */
			int *fds = (int *)CMSG_DATA(h);
			size_t k = (h->cmsg_len - CMSG_LEN(0)) / sizeof(int);

			for (size_t i = 0; i < k; i++)
				close(fds[i]);
			continue;
		}
		if (h->cmsg_level != SOL_SOCKET ||
		    h->cmsg_type != SCM_CREDENTIALS ||
		    h->cmsg_len < CMSG_LEN(sizeof cr))
			continue;
		memcpy(&cr, CMSG_DATA(h), sizeof cr);
		if (cr.pid != c->cred.pid)
			c->sender_changed = true;
	}
	return n;
}

static void on_client(struct watch *w, uint32_t events)
{
	struct client *c = (struct client *)((char *)w -
					     __builtin_offsetof(struct client, w));

	if ((events & EPOLLOUT) && !flush(c))
		return;
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)) || !c->reading)
		return;
	for (;;) {
		ssize_t n = read_some(c);
		int used;

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			client_close(c, n ? strerror(errno) : "end of connection");
			return;
		}
		if (!c->have)
			c->partial_since = W.now;
		c->have += (size_t)n;
		c->active = W.now;
		while (c->have) {
			struct odmd_msg m;

			used = odmd_decode(c->in, c->have, &m);
			if (used == 0)
				break;
			if (used < 0) {
				serve_protocol_error(c, used);
				return;
			}
			memmove(c->in, c->in + used, c->have - (size_t)used);
			c->have -= (size_t)used;
			c->partial_since = W.now;
			serve_msg(c, &m);
			if (c->dead)
				return; /* serving it closed it */
		}
		if (c->busy >= CLIENT_MAX_BUSY)
			break;
	}
	set_reading(c);
	schedule(c);
}

/* The per-uid cap: root is never counted against it. */
static bool over_cap(const struct ucred *cr)
{
	struct uid_count *u;

	if (nclients >= W.hc->agent.max_clients)
		return true;
	if (cr->uid == 0)
		return false;
	u = uid_slot(cr->uid, false);
	return u && u->n >= W.hc->agent.max_clients_user;
}

static void refuse(int fd, const struct ucred *cr, const char *why)
{
	if (W.now >= refused_logged + 1000) {
		refused_logged = W.now;
		dlog_warn("connection of uid %u pid %d refused: %s",
			  (unsigned)cr->uid, (int)cr->pid, why);
	}
	close(fd);
}

static void accept_one(int fd)
{
	struct ucred cr;
	socklen_t len = sizeof cr;
	struct client *c;
	struct uid_count *u;
	int one = 1, pidfd = -1;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, &cr, &len)) {
		close(fd);
		return;
	}
	if (over_cap(&cr)) {
		refuse(fd, &cr, nclients >= W.hc->agent.max_clients
				       ? "odmd serves as many as it may"
				       : "that user has as many connections "
					 "as it may");
		return;
	}
	/* Who runs behind it, and who sends on it, only matter where a
	 * program may be granted something. */
	if (serve_needs_program()) {
		len = sizeof pidfd;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERPIDFD, &pidfd, &len))
			pidfd = -1;
		setsockopt(fd, SOL_SOCKET, SO_PASSCRED, &one, sizeof one);
	}
	if (!(c = calloc(1, sizeof *c)) || !(u = uid_slot(cr.uid, true))) {
		free(c);
		if (pidfd >= 0)
			close(pidfd);
		refuse(fd, &cr, "out of memory");
		return;
	}
	c->id = ++next_id;
	c->cred = cr;
	c->pidfd = pidfd;
	c->w.fd = fd;
	c->w.on_event = on_client;
	c->active = W.now;
	c->reading = true;
	c->events = EPOLLIN;
	timer_init(&c->timer, TIMER_CLIENT);
	if (!UTH_ADDED(HASH_ADD(hh, clients, id, sizeof c->id, c))) {
		if (pidfd >= 0)
			close(pidfd);
		free(c);
		refuse(fd, &cr, "out of memory");
		return;
	}
	u->n++;
	nclients++;
	if (watch_add(&c->w, false)) {
		client_close(c, "cannot watch it");
		return;
	}
	schedule(c);
	serve_connected(c);
}

static void on_listen(struct watch *w, uint32_t events)
{
	(void)events;
	/* A bounded batch: a flood of connections cannot starve the rest. */
	for (int i = 0; i < 256; i++) {
		int fd = accept4(w->fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

		if (fd < 0) {
			if (errno == EMFILE || errno == ENFILE)
				dlog_warn("accept: %s", strerror(errno));
			return;
		}
		accept_one(fd);
	}
}

int clients_init(int listen_fd)
{
	lw.fd = listen_fd;
	lw.on_event = on_listen;
	return watch_add(&lw, false);
}
