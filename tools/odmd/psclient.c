/* psclient.c: requests to the parent, queued while its channel is full,
 * answered in order. */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <unistd.h>
#include "dlog.h"
#include "psclient.h"
#include "worker.h"

struct call {
	struct ps_msg m;
	int fd;                 /* to send with it; -1 */
	bool sent;
	ps_cb *cb;
	void *arg;
	struct call *next;
};

static struct watch chw;
static struct call *head, *tail;  /* in order: sent ones first */
static struct call *unsent;        /* the first not yet sent */
static uint32_t next_id;
static unsigned npending;

static void flush(void)
{
	while (unsent) {
		int rc = ps_send(chw.fd, &unsent->m, unsent->fd);

		if (rc == -EAGAIN || rc == -EWOULDBLOCK || rc == -ENOBUFS)
			break;
		if (rc) {
			dlog_err("parent channel: %s", strerror(-rc));
			W.stopping = true;
			return;
		}
		if (unsent->fd >= 0) {
			close(unsent->fd);
			unsent->fd = -1;
		}
		unsent->sent = true;
		unsent = unsent->next;
	}
	watch_mod(&chw, unsent != NULL);
}

static void on_channel(struct watch *w, uint32_t events)
{
	(void)w;
	if (events & EPOLLOUT)
		flush();
	if (!(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	for (int i = 0; i < 256; i++) {
		struct ps_msg r;
		struct call *c;
		int fd, rc = ps_recv(chw.fd, &r, &fd);

		if (rc == -EAGAIN || rc == -EWOULDBLOCK)
			return;
		if (rc <= 0) {
			dlog_err("the parent is gone (%s): the worker stops",
				 rc ? strerror(-rc) : "end of channel");
			W.stopping = true;
			return;
		}
		c = head;
		if (r.kind != PS_REPLY || !c || !c->sent || c->m.id != r.id) {
			dlog_err("parent channel: an answer out of order");
			if (fd >= 0)
				close(fd);
			W.stopping = true;
			return;
		}
		head = c->next;
		if (!head)
			tail = NULL;
		npending--;
		if (c->cb)
			c->cb(c->arg, &r, fd);
		else if (fd >= 0)
			close(fd);
		free(c);
	}
}

void ps_client_init(int ch)
{
	chw.fd = ch;
	chw.on_event = on_channel;
	watch_add(&chw, false);
}

int ps_call(struct ps_msg *m, int fd, ps_cb *cb, void *arg)
{
	struct call *c = calloc(1, sizeof *c);

	if (!c) {
		if (fd >= 0)
			close(fd);
		return -1;
	}
	m->id = ++next_id;
	c->m = *m;
	c->fd = fd;
	c->cb = cb;
	c->arg = arg;
	if (tail)
		tail->next = c;
	else
		head = c;
	tail = c;
	if (!unsent)
		unsent = c;
	npending++;
	flush();
	return 0;
}

int ps_addr(unsigned kind, int ifindex, const struct in6_addr *addr,
	    unsigned plen, uint32_t preferred, uint32_t valid, uint8_t proto,
	    ps_cb *cb, void *arg)
{
	struct ps_msg m;

	memset(&m, 0, sizeof m);
	m.kind = kind;
	m.ifindex = ifindex;
	m.addr = *addr;
	m.plen = plen;
	m.preferred = preferred;
	m.valid = valid;
	m.proto = proto;
	return ps_call(&m, -1, cb, arg);
}

int ps_rule(unsigned kind, const struct in6_addr *prefix, unsigned plen,
	    unsigned table, ps_cb *cb, void *arg)
{
	struct ps_msg m;

	memset(&m, 0, sizeof m);
	m.kind = kind;
	m.addr = *prefix;
	m.plen = plen;
	m.table = table;
	return ps_call(&m, -1, cb, arg);
}

unsigned ps_pending(void)
{
	return npending;
}
