/* odmd.c: the host's network agent (odmd(8)). One per host (per network
 * namespace): listens on the Unix socket odm.conf names, obtains typed
 * prefixes from its backend for the engines that ask, configures the
 * addresses itself over rtnetlink (marked with their type in IFA_PROTO, so
 * engines and a restarted odmd read the type from the kernel), answers
 * `odm status`, and plays moves in the simulator (`odm move`). */
#include <arpa/inet.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <net/if.h>
#include <poll.h>
#include <pwd.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>
#include "auth.h"
#include "defaults.h"
#include "backend.h"
#include "kaddr.h"
#include "proto.h"

#define MAX_CLIENTS 64

enum held_state { HELD_ACTIVE, HELD_DEPRECATED, HELD_RELEASING };

/* An address odmd configured and answers for. */
struct held {
	struct in6_addr addr;
	unsigned plen;
	sc_type type;
	long uid;            /* who asked; -1: attach, move or adopted */
	int state;           /* enum held_state */
	time_t until;        /* HELD_DEPRECATED: the kernel drops it then */
};

struct client {
	int fd;
	struct ucred cred;
	uint8_t buf[ODMD_MSG_MAX];
	size_t have;
};

static struct odm_hostconf hc;
static struct odmd_backend backend;
static int ifindex;
static struct held *held;
static size_t nheld;
static struct client clients[MAX_CLIENTS];
static volatile sig_atomic_t stopping;

static void say(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void say(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fputs("odmd: ", stderr);
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
}

static const char *ntop(const struct in6_addr *a)
{
	static char buf[4][INET6_ADDRSTRLEN];
	static int i;

	i = (i + 1) % 4;
	return inet_ntop(AF_INET6, a, buf[i], sizeof buf[i]);
}

static struct held *hold(const struct in6_addr *a, unsigned plen, sc_type t,
			 long uid)
{
	struct held *h = realloc(held, (nheld + 1) * sizeof *held);

	if (!h)
		return NULL;
	held = h;
	h = &held[nheld++];
	*h = (struct held){ .addr = *a, .plen = plen, .type = t, .uid = uid };
	return h;
}

static void unhold(size_t i)
{
	held[i] = held[--nheld];
}

/* Asks the network for a prefix of type and configures prefix::1 on the
 * interface. An ODMD_ST_* status; *out the address. */
static int obtain(sc_type type, long uid, struct in6_addr *out, char *reason,
		  size_t rlen)
{
	struct odmd_grant g;
	int rc, tries = 0;

	do { /* a prefix whose address is already there (adopted): next */
		rc = backend.request(&backend, type, &g, reason, rlen);
		if (rc != ODMD_ST_OK)
			return rc;
		*out = g.prefix;
		out->s6_addr[15] |= 1;
		rc = odmd_kaddr_add(ifindex, out, g.plen, g.preferred, g.valid,
				    odmd_proto_of_type(type));
	} while (rc == -EEXIST && ++tries < 64);
	if (rc) {
		snprintf(reason, rlen, "cannot configure %s: %s", ntop(out),
			 strerror(-rc));
		return ODMD_ST_FAILED;
	}
	if (!hold(out, g.plen, type, uid)) {
		snprintf(reason, rlen, "out of memory");
		return ODMD_ST_FAILED;
	}
	say("granted %s %s/%u (uid %ld)", odm_type_name(type), ntop(out),
	    g.plen, uid);
	return ODMD_ST_OK;
}

static unsigned held_by(long uid)
{
	unsigned n = 0;

	for (size_t i = 0; i < nheld; i++)
		n += held[i].uid == uid && held[i].state == HELD_ACTIVE;
	return n;
}

/* An address of type that new sockets may still get: an active one, or a
 * Session-Lasting one kept after a move while sockets use it (the network
 * keeps it valid: draft-16 section 4.2 hands IPsl1 out again). */
static struct held *active_of(sc_type type)
{
	for (size_t i = 0; i < nheld; i++)
		if (held[i].type == type && held[i].state != HELD_DEPRECATED)
			return &held[i];
	return NULL;
}

/* The executable behind pid, from the kernel. */
static const char *exe_of(pid_t pid, char *buf, size_t cap)
{
	char link[64];
	ssize_t n;

	snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
	n = readlink(link, buf, cap - 1);
	if (n <= 0)
		return NULL;
	buf[n] = '\0';
	return buf;
}

static void handle_request(struct client *c, const struct odmd_msg *m,
			   struct odmd_msg *r)
{
	char exe[PATH_MAX];
	struct passwd *pw = getpwuid(c->cred.uid);
	struct odmd_requester who = {
		.uid = c->cred.uid, .pid = c->cred.pid,
		.user = pw ? pw->pw_name : NULL,
		.exe = exe_of(c->cred.pid, exe, sizeof exe),
	};
	sc_type type = m->req.type;
	struct held *h = active_of(type);
	int st;

	r->rep.type = type;
	if (h && !(m->req.flags & ODMD_REQ_ON_NET)) {
		r->rep.status = ODMD_ST_OK; /* one the host has serves again */
		r->rep.addr = h->addr;
		return;
	}
	st = odmd_authorize(&hc.auth, &who, type, held_by(who.uid),
			    r->rep.reason, sizeof r->rep.reason);
	if (st == ODMD_ST_OK)
		st = obtain(type, who.uid, &r->rep.addr, r->rep.reason,
			    sizeof r->rep.reason);
	else
		say("refused %s to uid %u pid %d (%s): %s", odm_type_name(type),
		    (unsigned)who.uid, (int)who.pid, who.exe ? who.exe : "?",
		    r->rep.reason);
	r->rep.status = (uint8_t)st;
	if (st != ODMD_ST_OK)
		r->rep.type = 0;
	r->rep.preferred = r->rep.valid = hc.net.lifetime_s;
}

/* A move to a new point of attachment (draft-16 section 4.2). */
static void move(void)
{
	bool had_np = false, had_gr = false;
	struct in6_addr a;
	char reason[ODMD_REASON_MAX + 1];

	say("move to a new point of attachment");
	for (size_t i = nheld; i-- > 0;) {
		struct held *h = &held[i];

		if (h->state != HELD_ACTIVE)
			continue;
		if (h->type == NON_PERSISTENT_IPV6_ADDRESS) {
			had_np = true;
			odmd_kaddr_del(ifindex, &h->addr, h->plen);
			say("withdrew nonpersistent %s", ntop(&h->addr));
			unhold(i);
		} else if (h->type == GRACEFUL_REPLACEMENT_IPV6_ADDRESS) {
			had_gr = true;
			odmd_kaddr_change_lifetimes(ifindex, &h->addr, h->plen, 0,
						    hc.net.grace_s,
						    odmd_proto_of_type(h->type));
			h->state = HELD_DEPRECATED;
			h->until = time(NULL) + hc.net.grace_s;
			say("deprecated graceful-replacement %s for %us",
			    ntop(&h->addr), hc.net.grace_s);
		} else if (h->type == SESSION_LASTING_IPV6_ADDRESS) {
			h->state = HELD_RELEASING; /* kept while sockets use it */
		}
		/* Fixed addresses stay, used or not. */
	}
	for (sc_type t = ODM_TYPE_MIN; t <= ODM_TYPE_MAX; t++) {
		bool renew = (t == NON_PERSISTENT_IPV6_ADDRESS && had_np) ||
			     (t == GRACEFUL_REPLACEMENT_IPV6_ADDRESS && had_gr) ||
			     (hc.net.attach & (1u << t));
		if (renew && !active_of(t) &&
		    obtain(t, -1, &a, reason, sizeof reason) != ODMD_ST_OK)
			say("no new %s prefix: %s", odm_type_name(t), reason);
	}
}

/* Once a second: release what no socket uses any more, forget what the
 * kernel dropped at the end of its grace. */
static void tick(void)
{
	time_t now = time(NULL);

	for (size_t i = nheld; i-- > 0;) {
		struct held *h = &held[i];

		if (h->state == HELD_DEPRECATED && now >= h->until) {
			unhold(i);
		} else if (h->state == HELD_RELEASING &&
			   odmd_kaddr_in_use(&h->addr) == 0) {
			odmd_kaddr_del(ifindex, &h->addr, h->plen);
			say("released %s %s: no socket uses it",
			    odm_type_name(h->type), ntop(&h->addr));
			unhold(i);
		}
	}
}

static int send_msg(int fd, const struct odmd_msg *m)
{
	uint8_t buf[ODMD_MSG_MAX];
	int len = odmd_encode(m, buf, sizeof buf);

	if (len < 0)
		return -1;
	return send(fd, buf, (size_t)len, MSG_NOSIGNAL | MSG_DONTWAIT) == len
		       ? 0 : -1;
}

static int send_status(int fd, uint32_t id)
{
	struct odmd_kaddr *k = NULL;
	struct odmd_msg r = { .kind = ODMD_K_STATUS_REPLY, .id = id };
	size_t n = 0, i = 0;

	odmd_kaddr_list_mine(&k, &n);
	do {
		memset(&r.st, 0, sizeof r.st);
		for (; i < n && r.st.count < ODMD_STATUS_MAX; i++) {
			struct odmd_entry *e = &r.st.e[r.st.count++];

			e->addr = k[i].addr;
			e->type = k[i].type;
			e->plen = k[i].plen;
			e->ifindex = (uint32_t)k[i].ifindex;
			e->preferred = k[i].preferred;
			e->valid = k[i].valid;
			e->flags = ODMD_ENT_ODMD |
				   (k[i].preferred == 0 ? ODMD_ENT_DEPRECATED : 0) |
				   (odmd_kaddr_in_use(&k[i].addr) == 1
					    ? ODMD_ENT_IN_USE : 0);
		}
		r.st.flags = i < n ? ODMD_STATUS_MORE : 0;
		if (send_msg(fd, &r)) {
			free(k);
			return -1;
		}
	} while (i < n);
	free(k);
	return 0;
}

/* Answers every complete message in c's buffer; -1 to close it. */
static int serve(struct client *c)
{
	struct odmd_msg m, r;
	int used;

	while ((used = odmd_decode(c->buf, c->have, &m)) > 0) {
		memmove(c->buf, c->buf + used, c->have - (size_t)used);
		c->have -= (size_t)used;
		memset(&r, 0, sizeof r);
		r.kind = ODMD_K_REPLY;
		r.id = m.id;
		if (m.kind == ODMD_K_REQUEST) {
			handle_request(c, &m, &r);
		} else if (m.kind == ODMD_K_STATUS_REQUEST) {
			if (send_status(c->fd, m.id))
				return -1;
			continue;
		} else if (m.kind == ODMD_K_MOVE && c->cred.uid == 0 &&
			   hc.net.backend == ODM_BACKEND_SIM) {
			move();
			r.rep.status = ODMD_ST_OK;
		} else if (m.kind == ODMD_K_MOVE) {
			r.rep.status = ODMD_ST_DENIED;
			snprintf(r.rep.reason, sizeof r.rep.reason,
				 "moves are for root, in the simulator");
		} else {
			r = (struct odmd_msg){ .kind = ODMD_K_ERROR };
			r.err.code = (uint8_t)-ODMD_EKIND;
			snprintf(r.err.reason, sizeof r.err.reason,
				 "odmd does not take that kind of message");
			send_msg(c->fd, &r);
			return -1;
		}
		if (send_msg(c->fd, &r))
			return -1;
	}
	if (used < 0) {
		if (used != ODMD_ETOOLONG) {
			r = (struct odmd_msg){ .kind = ODMD_K_ERROR };
			r.err.code = (uint8_t)-used;
			snprintf(r.err.reason, sizeof r.err.reason, "%s",
				 odmd_strerror(used));
			send_msg(c->fd, &r);
		}
		say("client pid %d: %s: closed", (int)c->cred.pid,
		    odmd_strerror(used));
		return -1;
	}
	return c->have == sizeof c->buf ? -1 : 0;
}

static int listen_on(const char *path)
{
	struct sockaddr_un sun = { .sun_family = AF_UNIX };
	char dir[sizeof sun.sun_path], *slash;
	int fd;

	snprintf(sun.sun_path, sizeof sun.sun_path, "%s", path);
	snprintf(dir, sizeof dir, "%s", path);
	slash = strrchr(dir, '/');
	if (slash && slash != dir) {
		*slash = '\0';
		mkdir(dir, 0755);
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0)
		return -1;
	if (connect(fd, (struct sockaddr *)&sun, sizeof sun) == 0) {
		say("%s: another odmd answers there", path);
		close(fd);
		return -1;
	}
	unlink(path); /* a stale socket of an odmd that died */
	if (bind(fd, (struct sockaddr *)&sun, sizeof sun) || chmod(path, 0666) ||
	    listen(fd, 64)) {
		say("%s: %s", path, strerror(errno));
		close(fd);
		return -1;
	}
	return fd;
}

/* A restarted odmd takes back the addresses it had configured. */
static void adopt(void)
{
	struct odmd_kaddr *k = NULL;
	size_t n = 0;

	if (odmd_kaddr_list_mine(&k, &n))
		return;
	for (size_t i = 0; i < n; i++) {
		struct held *h = hold(&k[i].addr, k[i].plen, k[i].type, -1);

		if (h && k[i].preferred == 0) {
			h->state = HELD_DEPRECATED;
			h->until = time(NULL) + (time_t)k[i].valid;
		}
		say("adopted %s %s", odm_type_name(k[i].type), ntop(&k[i].addr));
	}
	free(k);
}

static void attach(void)
{
	char reason[ODMD_REASON_MAX + 1];
	struct in6_addr a;

	for (sc_type t = ODM_TYPE_MIN; t <= ODM_TYPE_MAX; t++)
		if ((hc.net.attach & (1u << t)) && !active_of(t) &&
		    obtain(t, -1, &a, reason, sizeof reason) != ODMD_ST_OK)
			say("attach: no %s prefix: %s", odm_type_name(t), reason);
}

static void on_signal(int sig)
{
	(void)sig;
	stopping = 1;
}

static void accept_client(int lfd)
{
	socklen_t len = sizeof(struct ucred);
	int fd = accept4(lfd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	for (int i = 0; i < MAX_CLIENTS; i++)
		if (clients[i].fd < 0) {
			clients[i] = (struct client){ .fd = fd };
			if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED,
				       &clients[i].cred, &len) == 0)
				return;
			clients[i].fd = -1;
			break;
		}
	close(fd); /* full, or no credentials: no service */
}

static void loop(int lfd)
{
	struct pollfd pf[MAX_CLIENTS + 1];
	time_t last = time(NULL);

	while (!stopping) {
		int n = 0;

		pf[n++] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (int i = 0; i < MAX_CLIENTS; i++)
			pf[n++] = (struct pollfd){ .fd = clients[i].fd,
						   .events = POLLIN };
		if (poll(pf, (nfds_t)n, 1000) > 0) {
			if (pf[0].revents & POLLIN)
				accept_client(lfd);
			for (int i = 0; i < MAX_CLIENTS; i++) {
				struct client *c = &clients[i];
				ssize_t r;

				if (c->fd < 0 || !pf[i + 1].revents)
					continue;
				r = recv(c->fd, c->buf + c->have,
					 sizeof c->buf - c->have, 0);
				if (r <= 0 || (c->have += (size_t)r, serve(c))) {
					close(c->fd);
					c->fd = -1;
				}
			}
		}
		if (time(NULL) != last) {
			last = time(NULL);
			tick();
		}
	}
}

int main(int argc, char **argv)
{
	const char *conf = getenv("ODM_CONF");
	char err[512];
	int opt, lfd;

	while ((opt = getopt(argc, argv, "c:h")) != -1) {
		if (opt == 'c') {
			conf = optarg;
		} else {
			fprintf(stderr, "usage: odmd [-c CONF]\n");
			return 64;
		}
	}
	if (!conf || !conf[0])
		conf = ODM_DEFAULT_CONF;
	if (odm_hostconf_load(conf, &hc, err, sizeof err)) {
		say("%s", err);
		return 1;
	}
	if (!hc.agent.configured || !hc.net.ifname[0]) {
		say("%s: needs a network section naming its interface", conf);
		return 1;
	}
	ifindex = (int)if_nametoindex(hc.net.ifname);
	if (!ifindex) {
		say("%s: network.interface %s: %s", conf, hc.net.ifname,
		    strerror(errno));
		return 1;
	}
	if (odmd_backend_open(&backend, &hc.net, err, sizeof err)) {
		say("%s: %s", conf, err);
		return 1;
	}
	for (int i = 0; i < MAX_CLIENTS; i++)
		clients[i].fd = -1;
	signal(SIGPIPE, SIG_IGN);
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	lfd = listen_on(hc.agent.socket);
	if (lfd < 0)
		return 1;
	adopt();
	attach();
	say("ready on %s, backend %s, interface %s", hc.agent.socket,
	    backend.name, hc.net.ifname);
	loop(lfd);
	unlink(hc.agent.socket);
	say("stopped; the addresses stay configured for the next odmd");
	return 0;
}
