/* backend_exec.c: odmd's `exec` backend: a long-running co-process of the
 * operator's (a modem manager's, a DHCPv6-PD client's or a 5G stack's
 * glue), started by odmd's parent with a clean environment as
 *   PROGRAM serve
 * and spoken to over its standard input and output, one line a message
 * (docs/odmd-backend.md has it all):
 *   odmd -> PROGRAM   hello 1 | request ID TYPE | renew ID PREFIX TYPE |
 *                     release ID PREFIX TYPE | adopt ID PREFIX TYPE
 *   PROGRAM -> odmd   granted ID PREFIX PREFERRED VALID [LINK] |
 *                     renewed ID PREFERRED VALID | failed ID WHY TEXT |
 *                     withdraw PREFIX | deprecate PREFIX GRACE |
 *                     lifetime PREFIX PREFERRED VALID | move | log TEXT
 * Requests run in parallel (at most EXEC_INFLIGHT at once, EXEC_QUEUE more
 * wait, the rest are answered BUSY), each answered within EXEC_TIMEOUT_MS
 * or failed. A co-process that ends or breaks the protocol is started
 * again, with a growing pause. */
#include <arpa/inet.h>
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/socket.h>
#include <unistd.h>
#include "backend.h"
#include "dlog.h"
#include "lease.h"
#include "life.h"
#include "nl.h"
#include "psclient.h"
#include "worker.h"

#define EXEC_TIMEOUT_MS 5000
#define EXEC_INFLIGHT   64
#define EXEC_QUEUE      1024
#define EXEC_LINE_MAX   1024
#define EXEC_OUT_MAX    (1u << 20)
#define EXEC_BACKOFF_MAX 30000

enum pkind { P_REQUEST, P_RENEW };

struct pend {
	uint32_t id;
	enum pkind kind;
	sc_type type;
	struct in6_addr prefix;     /* P_RENEW */
	unsigned plen;
	backend_done *done;
	void *arg;
	uint64_t deadline;
	struct pend *next;          /* in the order sent (deadline order) */
	UT_hash_handle hh;
};

enum xstate { X_DOWN, X_STARTING, X_UP };

struct exec {
	struct watch w;
	enum xstate state;
	char in[EXEC_LINE_MAX + 1];
	size_t have;
	char *out;
	size_t outlen, outcap;
	struct pend *sent;          /* by id */
	struct pend *head, *tail;   /* sent, oldest first */
	struct pend *qhead, *qtail; /* waiting for a slot or for the start */
	unsigned nsent, nqueued;
	uint32_t next_id;
	uint64_t respawn_at;
	unsigned backoff;
	const struct odm_hc_network *net;
};

static struct exec X;

static void stop(const char *why);

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	char line[256];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line - 1, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof line - 1 || X.state != X_UP)
		return;
	line[n++] = '\n';
	if (X.outlen + (size_t)n > X.outcap) {
		size_t cap = X.outcap ? 2 * X.outcap : 8192;
		char *o;

		while (cap < X.outlen + (size_t)n)
			cap *= 2;
		if (cap > EXEC_OUT_MAX || !(o = realloc(X.out, cap))) {
			stop("it does not read what odmd writes");
			return;
		}
		X.out = o;
		X.outcap = cap;
	}
	memcpy(X.out + X.outlen, line, (size_t)n);
	X.outlen += (size_t)n;
	watch_mod(&X.w, true);
}

static void flush_out(void)
{
	size_t off = 0;

	while (off < X.outlen) {
		ssize_t n = send(X.w.fd, X.out + off, X.outlen - off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0 && (errno == EAGAIN || errno == EWOULDBLOCK))
			break;
		if (n <= 0) {
			stop(strerror(errno));
			return;
		}
		off += (size_t)n;
	}
	memmove(X.out, X.out + off, X.outlen - off);
	X.outlen -= off;
	watch_mod(&X.w, X.outlen > 0);
}

static const char *pfx(const struct in6_addr *p, unsigned plen, char *buf,
		       size_t cap)
{
	char a[INET6_ADDRSTRLEN];

	snprintf(buf, cap, "%s/%u", inet_ntop(AF_INET6, p, a, sizeof a), plen);
	return buf;
}

static void send_pend(struct pend *p)
{
	char b[64];

	p->id = ++X.next_id;
	p->deadline = W.now + EXEC_TIMEOUT_MS;
	p->next = NULL;
	if (!UTH_ADDED(HASH_ADD(hh, X.sent, id, sizeof p->id, p))) {
		p->done(p->arg, ODMD_ST_FAILED, NULL, "out of memory");
		free(p);
		return;
	}
	if (X.tail)
		X.tail->next = p;
	else
		X.head = p;
	X.tail = p;
	X.nsent++;
	if (p->kind == P_REQUEST)
		say("request %u %s", p->id, odm_type_name(p->type));
	else
		say("renew %u %s %s", p->id, pfx(&p->prefix, p->plen, b, sizeof b),
		    odm_type_name(p->type));
}

/* Sends what waits, as slots free up. */
static void pump(void)
{
	while (X.state == X_UP && X.qhead && X.nsent < EXEC_INFLIGHT) {
		struct pend *p = X.qhead;

		X.qhead = p->next;
		if (!X.qhead)
			X.qtail = NULL;
		X.nqueued--;
		send_pend(p);
	}
}

static void submit(struct pend *p)
{
	if (X.state == X_DOWN) {
		p->done(p->arg, ODMD_ST_FAILED, NULL, "the exec backend is not "
			"running");
		free(p);
		return;
	}
	if (X.nqueued >= EXEC_QUEUE) {
		p->done(p->arg, ODMD_ST_BUSY, NULL, "the exec backend has too "
			"many requests");
		free(p);
		return;
	}
	p->deadline = W.now + EXEC_TIMEOUT_MS; /* waiting counts too */
	p->next = NULL;
	if (X.qtail)
		X.qtail->next = p;
	else
		X.qhead = p;
	X.qtail = p;
	X.nqueued++;
	pump();
}

/* Takes a sent request out by id (NULL: no such one). */
static struct pend *take(uint32_t id)
{
	struct pend *p, **pp;

	HASH_FIND(hh, X.sent, &id, sizeof id, p);
	if (!p)
		return NULL;
	HASH_DEL(X.sent, p);
	for (pp = &X.head; *pp; pp = &(*pp)->next)
		if (*pp == p) {
			*pp = p->next;
			break;
		}
	if (X.tail == p) {
		X.tail = NULL;
		for (struct pend *q = X.head; q; q = q->next)
			X.tail = q;
	}
	X.nsent--;
	return p;
}

static void fail_all(const char *why)
{
	struct pend *p, *next;

	HASH_CLEAR(hh, X.sent);
	for (p = X.head, X.head = X.tail = NULL; p; p = next) {
		next = p->next;
		p->done(p->arg, ODMD_ST_FAILED, NULL, why);
		free(p);
	}
	X.nsent = 0;
	if (X.state != X_DOWN)
		return;
	for (p = X.qhead, X.qhead = X.qtail = NULL; p; p = next) {
		next = p->next;
		p->done(p->arg, ODMD_ST_FAILED, NULL, why);
		free(p);
	}
	X.nqueued = 0;
}

static void stop(const char *why)
{
	if (X.state == X_DOWN)
		return;
	dlog_warn("exec backend %s: %s: starting it again in %u s", X.net->exec,
		  why, (X.backoff ? X.backoff : 1000) / 1000);
	watch_del(&X.w);
	close(X.w.fd);
	X.w.fd = -1;
	X.state = X_DOWN;
	X.have = X.outlen = 0;
	X.backoff = X.backoff ? (X.backoff * 2 > EXEC_BACKOFF_MAX
					 ? EXEC_BACKOFF_MAX : X.backoff * 2)
			      : 1000;
	X.respawn_at = W.now + X.backoff;
	fail_all("the exec backend ended");
}

/* --- what the co-process says ------------------------------------------- */

static int parse_u32(const char *s, uint32_t *v)
{
	char *end;
	unsigned long x;

	if (strcmp(s, "forever") == 0) {
		*v = ODM_LIFETIME_INFINITE;
		return 0;
	}
	if (!s[0] || s[0] == '-')
		return -1;
	x = strtoul(s, &end, 10);
	if (*end || x > 0xffffffffUL)
		return -1;
	*v = (uint32_t)x;
	return 0;
}

static int status_of(const char *why)
{
	return strcmp(why, "not-supported") == 0 ? ODMD_ST_NOT_SUPPORTED
	       : strcmp(why, "denied") == 0     ? ODMD_ST_DENIED
						: ODMD_ST_FAILED;
}

static void on_granted(char **f, int n)
{
	uint32_t id, pref, valid;
	struct grant g;
	struct pend *p;
	char b[64];

	memset(&g, 0, sizeof g);
	if (n < 5 || n > 6 || parse_u32(f[1], &id) ||
	    odm_prefix_parse(f[2], &g.prefix, &g.plen) || parse_u32(f[3], &pref) ||
	    parse_u32(f[4], &valid) || (n == 6 && strlen(f[5]) >= IF_NAMESIZE)) {
		stop("a malformed \"granted\" line");
		return;
	}
	g.preferred = pref > valid ? valid : pref;
	g.valid = valid;
	g.id = id;
	if (n == 6)
		snprintf(g.link, sizeof g.link, "%s", f[5]);
	p = take(id);
	if (!p || p->kind != P_REQUEST) {
		/* An answer nobody waits for (too late): hand it back. */
		say("release %u %s %s", id, pfx(&g.prefix, g.plen, b, sizeof b),
		    p ? odm_type_name(p->type) : "unknown");
		free(p);
		return;
	}
	p->done(p->arg, ODMD_ST_OK, &g, "");
	free(p);
}

static void on_renewed(char **f, int n)
{
	uint32_t id, pref, valid;
	struct grant g;
	struct pend *p;

	memset(&g, 0, sizeof g);
	if (n != 4 || parse_u32(f[1], &id) || parse_u32(f[2], &pref) ||
	    parse_u32(f[3], &valid)) {
		stop("a malformed \"renewed\" line");
		return;
	}
	if (!(p = take(id)))
		return;
	g.prefix = p->prefix;
	g.plen = p->plen;
	g.preferred = pref > valid ? valid : pref;
	g.valid = valid;
	p->done(p->arg, p->kind == P_RENEW ? ODMD_ST_OK : ODMD_ST_FAILED, &g,
		p->kind == P_RENEW ? "" : "\"renewed\" answers no request");
	free(p);
}

static void on_failed(char **f, int n, const char *text)
{
	uint32_t id;
	struct pend *p;
	char reason[ODMD_REASON_MAX + 1];

	if (n < 3 || parse_u32(f[1], &id)) {
		stop("a malformed \"failed\" line");
		return;
	}
	if (!(p = take(id)))
		return;
	/* Only printable text goes on to clients. */
	snprintf(reason, sizeof reason, "%s", text ? text : f[2]);
	for (char *c = reason; *c; c++)
		if (*c < 0x20 || *c > 0x7e)
			*c = '?';
	p->done(p->arg, status_of(f[2]), NULL, reason);
	free(p);
}

static void on_event(char **f, int n)
{
	struct in6_addr prefix;
	unsigned plen;
	uint32_t a, b;

	if (strcmp(f[0], "move") == 0 && n == 1) {
		net_move();
		return;
	}
	if (n < 2 || odm_prefix_parse(f[1], &prefix, &plen)) {
		stop("a malformed event line");
		return;
	}
	if (strcmp(f[0], "withdraw") == 0 && n == 2)
		net_withdraw(&prefix, plen);
	else if (strcmp(f[0], "deprecate") == 0 && n == 3 && !parse_u32(f[2], &a))
		net_deprecate(&prefix, plen, a);
	else if (strcmp(f[0], "lifetime") == 0 && n == 4 &&
		 !parse_u32(f[2], &a) && !parse_u32(f[3], &b))
		net_lifetimes(&prefix, plen, a > b ? b : a, b);
	else
		stop("a malformed event line");
}

static void on_line(char *line)
{
	char *f[8], *save = NULL, *text = NULL, *rest;
	int n = 0;

	if (strncmp(line, "log ", 4) == 0) {
		dlog_info("exec backend: %.200s", line + 4);
		return;
	}
	/* "failed ID WHY TEXT...": the text keeps its spaces. */
	if (strncmp(line, "failed ", 7) == 0 &&
	    (rest = strchr(line + 7, ' ')) && (rest = strchr(rest + 1, ' '))) {
		*rest = '\0';
		text = rest + 1;
	}
	for (char *t = strtok_r(line, " \t", &save); t && n < 8;
	     t = strtok_r(NULL, " \t", &save))
		f[n++] = t;
	if (n == 0)
		return;
	if (strcmp(f[0], "granted") == 0)
		on_granted(f, n);
	else if (strcmp(f[0], "renewed") == 0)
		on_renewed(f, n);
	else if (strcmp(f[0], "failed") == 0)
		on_failed(f, n, text);
	else if (!strcmp(f[0], "withdraw") || !strcmp(f[0], "deprecate") ||
		 !strcmp(f[0], "lifetime") || !strcmp(f[0], "move"))
		on_event(f, n);
	else if (strcmp(f[0], "ready") != 0)
		dlog_debug("exec backend: ignored \"%.40s\"", f[0]);
}

static void on_io(struct watch *w, uint32_t events)
{
	(void)w;
	if (events & EPOLLOUT)
		flush_out();
	if (X.state != X_UP || !(events & (EPOLLIN | EPOLLHUP | EPOLLERR)))
		return;
	for (int i = 0; i < 64 && X.state == X_UP; i++) {
		ssize_t n = recv(X.w.fd, X.in + X.have, EXEC_LINE_MAX - X.have,
				 MSG_DONTWAIT);
		char *nl;

		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			break;
		if (n <= 0) {
			stop(n ? strerror(errno) : "it ended");
			return;
		}
		X.have += (size_t)n;
		while (X.state == X_UP &&
		       (nl = memchr(X.in, '\n', X.have))) {
			size_t len = (size_t)(nl - X.in) + 1;

			*nl = '\0';
			if (memchr(X.in, '\0', len - 1)) {
				stop("a line with a NUL byte");
				return;
			}
			on_line(X.in);
			if (X.state != X_UP)
				return;
			memmove(X.in, X.in + len, X.have - len);
			X.have -= len;
		}
		if (X.have == EXEC_LINE_MAX) {
			stop("a line longer than 1024 bytes");
			return;
		}
	}
	pump();
}

/* --- start, and the interface ------------------------------------------- */

static void spawned(void *arg, const struct ps_msg *r, int fd)
{
	(void)arg;
	if (r->rc || fd < 0) {
		if (fd >= 0)
			close(fd);
		X.w.fd = -1;
		dlog_err("exec backend %s: cannot start it: %s", X.net->exec,
			 strerror(r->rc ? -r->rc : EBADF));
		X.state = X_DOWN;
		X.backoff = X.backoff ? (X.backoff * 2 > EXEC_BACKOFF_MAX
						 ? EXEC_BACKOFF_MAX : X.backoff * 2)
				      : 1000;
		X.respawn_at = W.now + X.backoff;
		fail_all("the exec backend does not start");
		return;
	}
	X.w.fd = fd;
	X.w.on_event = on_io;
	X.state = X_UP;
	if (watch_add(&X.w, false)) {
		stop("cannot watch it");
		return;
	}
	dlog_info("exec backend %s started (pid %d)", X.net->exec, (int)r->pid);
	say("hello 1");
	/* It learns what odmd holds, after a restart of either. */
	for (struct lease *l = lease_first(); l; l = lease_next(l)) {
		char b[64];

		say("adopt %u %s %s", l->backend_id,
		    pfx(&l->prefix, l->plen, b, sizeof b), odm_type_name(l->type));
	}
	pump();
}

static void spawn(void)
{
	struct ps_msg m;

	memset(&m, 0, sizeof m);
	m.kind = PS_SPAWN;
	X.state = X_STARTING;
	if (ps_call(&m, -1, spawned, NULL)) {
		X.state = X_DOWN;
		X.respawn_at = W.now + 1000;
	}
}

static void exec_request(struct backend *b, sc_type type, backend_done *done,
			 void *arg)
{
	struct pend *p = calloc(1, sizeof *p);

	(void)b;
	if (!p) {
		done(arg, ODMD_ST_FAILED, NULL, "out of memory");
		return;
	}
	p->kind = P_REQUEST;
	p->type = type;
	p->done = done;
	p->arg = arg;
	submit(p);
}

static void exec_renew(struct backend *b, const struct lease *l,
		       backend_done *done, void *arg)
{
	struct pend *p = calloc(1, sizeof *p);

	(void)b;
	if (!p) {
		done(arg, ODMD_ST_FAILED, NULL, "out of memory");
		return;
	}
	p->kind = P_RENEW;
	p->type = l->type;
	p->prefix = l->prefix;
	p->plen = l->plen;
	p->done = done;
	p->arg = arg;
	submit(p);
}

static void exec_release(struct backend *b, const struct lease *l)
{
	char buf[64];

	(void)b;
	say("release %u %s %s", ++X.next_id, pfx(&l->prefix, l->plen, buf,
						  sizeof buf),
	    odm_type_name(l->type));
}

static void exec_adopt(struct backend *b, const struct lease *l)
{
	(void)b;
	(void)l; /* told when the co-process starts (spawned()) */
}

static int exec_move(struct backend *b)
{
	(void)b;
	return -1;
}

static void exec_tick(struct backend *b)
{
	(void)b;
	if (X.state == X_DOWN && W.now >= X.respawn_at)
		spawn();
	/* The oldest waiting ones first: both lists are in deadline order. */
	while (X.head && W.now >= X.head->deadline) {
		struct pend *p = take(X.head->id);

		p->done(p->arg, ODMD_ST_FAILED, NULL, "the exec backend did "
			"not answer in time");
		free(p);
	}
	while (X.qhead && W.now >= X.qhead->deadline) {
		struct pend *p = X.qhead;

		X.qhead = p->next;
		if (!X.qhead)
			X.qtail = NULL;
		X.nqueued--;
		p->done(p->arg, ODMD_ST_FAILED, NULL, "the exec backend did "
			"not answer in time");
		free(p);
	}
	pump();
}

static void exec_close(struct backend *b)
{
	if (X.state == X_UP) {
		flush_out();
		watch_del(&X.w);
		close(X.w.fd);
	}
	X.state = X_DOWN;
	fail_all("odmd stops");
	free(X.out);
	free(b);
}

struct backend *backend_exec_open(const struct odm_hc_network *net, char *err,
				  size_t errlen)
{
	struct backend *b;

	/* odmd.c checked the program before the worker's chroot. */
	if (!(b = calloc(1, sizeof *b))) {
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	*b = (struct backend){
		.name = "exec", .request = exec_request, .renew = exec_renew,
		.release = exec_release, .adopt = exec_adopt, .move = exec_move,
		.tick = exec_tick, .close = exec_close, .net = net, .state = &X,
	};
	memset(&X, 0, sizeof X);
	X.w.fd = -1;
	X.net = net;
	spawn();
	return b;
}
