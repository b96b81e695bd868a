/* serve.c: the requests (serve.h). */
#include <arpa/inet.h>
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "auth.h"
#include "backend.h"
#include "dlog.h"
#include "grant.h"
#include "life.h"
#include "psclient.h"
#include "own.h"
#include "serve.h"
#include "status.h"

#define MAX_PARKED 16

/* A request waiting for something (the program's name, a grant, a move):
 * it names its client by id, which is never reused. */
struct parked {
	uint64_t client;
	struct odmd_msg m;
	char *exe_now;
	struct parked *next;
};

static void decide(struct client *c, const struct odmd_msg *m, const char *exe);
static void on_request(struct client *c, const struct odmd_msg *m);

static struct parked *park_new(const struct client *c, const struct odmd_msg *m)
{
	struct parked *p = calloc(1, sizeof *p);

	if (p) {
		p->client = c->id;
		p->m = *m;
	}
	return p;
}

static void reply(struct client *c, const struct odmd_msg *req, int status,
		  const struct lease *l, const char *reason)
{
	struct odmd_msg r;

	memset(&r, 0, sizeof r);
	r.version = req->version;
	r.kind = ODMD_K_REPLY;
	r.id = req->id;
	r.rep.status = (uint8_t)status;
	if (status == ODMD_ST_OK && l) {
		r.rep.type = (uint8_t)l->type;
		r.rep.addr = l->addr;
		r.rep.preferred = life_secs_left(l->preferred_until, 0);
		r.rep.valid = life_secs_left(l->valid_until, 1);
	}
	snprintf(r.rep.reason, sizeof r.rep.reason, "%s", reason ? reason : "");
	client_send(c, &r);
}

static void error_msg(struct client *c, int code, const char *text)
{
	struct odmd_msg r;

	memset(&r, 0, sizeof r);
	r.kind = ODMD_K_ERROR;
	r.err.code = (uint8_t)-code;
	snprintf(r.err.reason, sizeof r.err.reason, "%s", text);
	client_send(c, &r);
}

void serve_protocol_error(struct client *c, int code)
{
	if (code != ODMD_ETOOLONG)
		error_msg(c, code, odmd_strerror(code));
	dlog_info("client pid %d uid %u: %s: closed", (int)c->cred.pid,
		  (unsigned)c->cred.uid, odmd_strerror(code));
	client_close(c, NULL);
}

/* --- the program behind a connection ------------------------------------- */

bool serve_needs_program(void)
{
	static int known = -1;

	if (known < 0) {
		known = 0;
		for (sc_type t = ODM_TYPE_MIN; t <= ODM_TYPE_MAX; t++)
			known |= auth_needs_program(&W.hc->auth, t);
	}
	return known;
}

/* Asks the parent which program runs behind c now. */
static int lookup_exe(struct client *c, ps_cb *cb, void *arg)
{
	struct ps_msg m;
	int fd = c->pidfd >= 0 ? dup(c->pidfd) : -1;

	memset(&m, 0, sizeof m);
	m.kind = PS_EXE;
	m.pid = c->cred.pid;
	if (c->pidfd >= 0 && fd < 0)
		return -1;
	return ps_call(&m, fd, cb, arg);
}

static void connected_exe(void *arg, const struct ps_msg *r, int fd)
{
	struct client *c = client_find((uint64_t)(uintptr_t)arg);
	struct parked *p, *next;

	(void)fd;
	if (!c)
		return;
	if (r->rc == 0 && (c->exe = strdup(r->text)))
		c->exe_state = EXE_KNOWN;
	else
		c->exe_state = EXE_FAILED;
	p = c->parked;
	c->parked = NULL;
	for (; p; p = next) {
		next = p->next;
		client_done(c);
		on_request(c, &p->m);
		free(p);
		if (c->dead) {
			for (p = next; p; p = next) {
				next = p->next;
				free(p);
			}
			return;
		}
	}
}

void serve_connected(struct client *c)
{
	if (!serve_needs_program())
		return;
	c->exe_state = EXE_PENDING;
	if (lookup_exe(c, connected_exe, (void *)(uintptr_t)c->id))
		c->exe_state = EXE_FAILED;
}

void serve_forget(struct client *c)
{
	struct parked *p, *next;

	for (p = c->parked; p; p = next) {
		next = p->next;
		free(p);
	}
	c->parked = NULL;
}

static void request_exe(void *arg, const struct ps_msg *r, int fd)
{
	struct parked *p = arg;
	struct client *c = client_find(p->client);
	const char *exe = NULL;

	(void)fd;
	if (c) {
		client_done(c);
		/* The same program as at connect time, sending itself. */
		if (r->rc == 0 && c->exe_state == EXE_KNOWN &&
		    strcmp(c->exe, r->text) == 0 && !c->sender_changed)
			exe = r->text;
		else if (r->rc == 0 && c->exe_state == EXE_KNOWN)
			dlog_warn("uid %u pid %d: the program changed from %s "
				  "to %s, or another process speaks: no "
				  "program grant", (unsigned)c->cred.uid,
				  (int)c->cred.pid, c->exe, r->text);
		decide(c, &p->m, exe);
	}
	free(p);
}

static void on_request(struct client *c, const struct odmd_msg *m)
{
	struct parked *p;

	if (!auth_needs_program(&W.hc->auth, m->req.type)) {
		decide(c, m, NULL);
		return;
	}
	if (!(p = park_new(c, m))) {
		reply(c, m, ODMD_ST_FAILED, NULL, "out of memory");
		return;
	}
	if (c->exe_state == EXE_PENDING) {
		unsigned n = 0;

		for (struct parked *q = c->parked; q; q = q->next)
			n++;
		if (n >= MAX_PARKED) {
			free(p);
			reply(c, m, ODMD_ST_BUSY, NULL, "too many requests");
			return;
		}
		p->next = c->parked; /* answered in any order: ids tell */
		c->parked = p;
		client_busy(c);
		return;
	}
	client_busy(c);
	if (lookup_exe(c, request_exe, p)) {
		client_done(c);
		free(p);
		decide(c, m, NULL);
	}
}

/* --- REQUEST ------------------------------------------------------------- */

static void granted(void *arg, int status, struct lease *l, const char *reason)
{
	struct parked *p = arg;
	struct client *c = client_find(p->client);

	if (!c) {
		/* Its requester gave up: nobody gets what it would have. */
		if (l && !(l->flags & LEASE_CURRENT))
			life_release(l, "its requester had gone");
		free(p);
		return;
	}
	if (l)
		life_hold(l); /* for its requester, until a socket binds it */
	client_done(c);
	reply(c, &p->m, status, l, reason);
	free(p);
}

/* Has the client hung up (it gave up waiting)? */
static bool gone(const struct client *c)
{
	struct pollfd pf = { .fd = c->w.fd, .events = POLLRDHUP };

	return poll(&pf, 1, 0) > 0 && (pf.revents & (POLLRDHUP | POLLHUP | POLLERR));
}

/* The current lease of the type is there: the requester's own address in
 * its prefix. */
static void own_for(struct client *c, const struct odmd_msg *m,
		    struct lease *base)
{
	struct parked *p = park_new(c, m);

	if (!p) {
		reply(c, m, ODMD_ST_FAILED, NULL, "out of memory");
		return;
	}
	client_busy(c);
	own_start(base, (uint32_t)c->cred.uid, m->req.rotate_s,
		  m->req.rotate_bytes, granted, p);
}

/* The type's current lease was granted for an OWN request: now its own
 * address. */
static void base_granted(void *arg, int status, struct lease *l,
			 const char *reason)
{
	struct parked *p = arg;
	struct client *c = client_find(p->client);

	if (!c || status != ODMD_ST_OK || !l) {
		granted(arg, status, NULL, reason);
		return;
	}
	client_done(c);
	own_for(c, &p->m, l);
	free(p);
}

static void decide(struct client *c, const struct odmd_msg *m, const char *exe)
{
	struct odmd_requester who = { c->cred.uid, c->cred.pid, exe };
	sc_type type = m->req.type;
	bool on_net = m->req.flags & ODMD_REQ_ON_NET,
	     own = m->req.flags & ODMD_REQ_OWN;
	struct lease *cur = on_net ? NULL : lease_current(type);
	char reason[ODMD_REASON_MAX + 1] = "";
	struct parked *p;
	int st;

	st = odmd_authorize(&W.hc->auth, &who, type,
			    on_net || own ? (long)lease_count_owned(c->cred.uid)
					  : -1,
			    reason, sizeof reason);
	if (st != ODMD_ST_OK) {
		dlog_info("refused %s to uid %u pid %d (%s): %s",
			  odm_type_name(type), (unsigned)c->cred.uid,
			  (int)c->cred.pid, exe ? exe : c->exe ? c->exe : "?",
			  reason);
		reply(c, m, st, NULL, reason);
		return;
	}
	if (cur && life_answerable(cur) && own) {
		own_for(c, m, cur);
		return;
	}
	if (cur && life_answerable(cur)) {
		life_hold(cur);
		reply(c, m, ODMD_ST_OK, cur, "");
		return;
	}
	if (cur && cur->state == ODMD_LEASE_ABSENT) {
		reply(c, m, ODMD_ST_FAILED, NULL, "the host's address of that "
		      "type is being restored");
		return;
	}
	if (gone(c)) {
		client_close(c, "it gave up before its grant");
		return;
	}
	if (!(p = park_new(c, m))) {
		reply(c, m, ODMD_ST_FAILED, NULL, "out of memory");
		return;
	}
	client_busy(c);
	grant_start(type, on_net ? (uint32_t)c->cred.uid : ODMD_NO_OWNER,
		    on_net ? LEASE_RELEASABLE : LEASE_CURRENT,
		    own && !on_net ? base_granted : granted, p);
}

/* --- MOVE and RELEASE ---------------------------------------------------- */

static void moved(void *arg)
{
	struct parked *p = arg;
	struct client *c = client_find(p->client);

	if (c) {
		client_done(c);
		reply(c, &p->m, ODMD_ST_OK, NULL, "");
	}
	free(p);
}

static void on_move(struct client *c, const struct odmd_msg *m)
{
	struct parked *p;

	if (c->cred.uid != 0) {
		reply(c, m, ODMD_ST_DENIED, NULL, "moves are for root");
		return;
	}
	if (W.backend->move(W.backend)) {
		reply(c, m, ODMD_ST_BAD_REQUEST, NULL, "this backend's network "
		      "moves by itself");
		return;
	}
	if (!(p = park_new(c, m))) {
		reply(c, m, ODMD_ST_OK, NULL, "");
		return;
	}
	client_busy(c);
	life_after_move(moved, p);
}

static void on_release(struct client *c, const struct odmd_msg *m)
{
	struct lease *l = lease_find(&m->rel.addr);
	char why[64];

	if (!l) {
		reply(c, m, ODMD_ST_BAD_REQUEST, NULL, "odmd holds no such address");
		return;
	}
	if (c->cred.uid != 0 && l->owner != (uint32_t)c->cred.uid) {
		reply(c, m, ODMD_ST_DENIED, NULL, "only its owner or root may "
		      "release it");
		return;
	}
	snprintf(why, sizeof why, "released by uid %u", (unsigned)c->cred.uid);
	life_release(l, why);
	reply(c, m, ODMD_ST_OK, NULL, "");
}

void serve_msg(struct client *c, const struct odmd_msg *m)
{
	switch (m->kind) {
	case ODMD_K_REQUEST:
		on_request(c, m);
		break;
	case ODMD_K_STATUS_REQUEST:
		if (!client_may_status(c)) {
			error_msg(c, 0, "at most 10 STATUS requests a second");
			client_close(c, "too many STATUS requests");
			break;
		}
		status_send(c, m);
		break;
	case ODMD_K_MOVE:
		on_move(c, m);
		break;
	case ODMD_K_RELEASE:
		on_release(c, m);
		break;
	default:
		error_msg(c, ODMD_EKIND, "odmd does not take that kind of message");
		client_close(c, "a message odmd does not take");
	}
}
