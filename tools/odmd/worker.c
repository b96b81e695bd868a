/* worker.c: odmd's unprivileged worker: the event loop (one epoll, one
 * timer heap), and the start: links, the journal and the kernel's
 * addresses reconciled into the lease table, attach. */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <net/if.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/epoll.h>
#include <sys/ioctl.h>
#include <sys/signalfd.h>
#include <time.h>
#include <unistd.h>
#include "backend.h"
#include "clients.h"
#include "dlog.h"
#include "journal.h"
#include "kevents.h"
#include "lease.h"
#include "life.h"
#include "nl.h"
#include "psclient.h"
#include "usage.h"
#include "genpage.h"
#include "iid.h"
#include "sdnotify.h"
#include "worker.h"

struct worker W;
int worker_ready_fd = -1;

static void ready(void *arg)
{
	(void)arg;
	dlog_info("ready on %s, backend %s, interface %s", W.hc->agent.socket,
		  W.backend->name, W.hc->net.ifname);
	sd_notify_ready(getppid()); /* the parent is the unit's main process */
	if (worker_ready_fd >= 0) {
		ssize_t w = write(worker_ready_fd, "r", 1);

		(void)w;
		close(worker_ready_fd);
		worker_ready_fd = -1;
	}
}

uint64_t odmd_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static int watch_ctl(int op, struct watch *w, bool out)
{
	struct epoll_event ev = { .events = EPOLLIN | (out ? EPOLLOUT : 0),
				  .data.ptr = w };

	return epoll_ctl(W.epfd, op, w->fd, &ev);
}

int watch_add(struct watch *w, bool out)
{
	return watch_ctl(EPOLL_CTL_ADD, w, out);
}

int watch_mod(struct watch *w, bool out)
{
	return watch_ctl(EPOLL_CTL_MOD, w, out);
}

void watch_del(struct watch *w)
{
	epoll_ctl(W.epfd, EPOLL_CTL_DEL, w->fd, NULL);
}

struct wlink *wlink_by_index(int ifindex)
{
	for (unsigned i = 0; i < W.nlinks; i++)
		if (ifindex > 0 && W.links[i].ifindex == ifindex)
			return &W.links[i];
	return NULL;
}

struct wlink *wlink_by_name(const char *name)
{
	if (!name || !name[0])
		return &W.links[0];
	for (unsigned i = 0; i < W.nlinks; i++)
		if (strcmp(W.links[i].name, name) == 0)
			return &W.links[i];
	return NULL;
}

static bool link_is_up(const char *name)
{
	struct ifreq ifr;
	int fd = socket(AF_INET6, SOCK_DGRAM | SOCK_CLOEXEC, 0);
	bool up = false;

	memset(&ifr, 0, sizeof ifr);
	snprintf(ifr.ifr_name, sizeof ifr.ifr_name, "%s", name);
	if (fd >= 0 && ioctl(fd, SIOCGIFFLAGS, &ifr) == 0)
		up = ifr.ifr_flags & IFF_UP;
	if (fd >= 0)
		close(fd);
	return up;
}

static void add_link(const char *name, unsigned table,
		     const struct in6_addr *gw)
{
	struct wlink *l = W.nlinks ? wlink_by_name(name) : NULL;

	if (!name[0])
		return;
	if (!l) {
		if (W.nlinks == MAX_LINKS)
			return;
		l = &W.links[W.nlinks++];
		snprintf(l->name, sizeof l->name, "%s", name);
		l->ifindex = (int)if_nametoindex(name);
		l->up = l->ifindex && link_is_up(name);
	}
	if (table) {
		l->table = table;
		l->gateway = *gw;
	}
}

static void setup_links(void)
{
	const struct odm_hc_network *net = &W.hc->net;
	static const struct in6_addr any = IN6ADDR_ANY_INIT;

	add_link(net->ifname, 0, &any);
	for (size_t i = 0; i < net->nlinks; i++)
		add_link(net->links[i].name, net->links[i].table,
			 &net->links[i].gateway);
	for (size_t i = 0; i < net->npools; i++)
		add_link(net->pools[i].link, 0, &any);
	for (unsigned i = 0; i < W.nlinks; i++) {
		if (!W.links[i].ifindex)
			dlog_warn("link %s does not exist (yet)", W.links[i].name);
		kevents_link_routes(&W.links[i]);
	}
}

/* --- the start: journal and kernel into the lease table ------------------ */

struct jtable {
	struct jentry {
		struct jrec r;
		UT_hash_handle hh;
	} *h;
};

static void on_jrec(const struct jrec *r, void *arg)
{
	struct jtable *t = arg;
	struct jentry *e = calloc(1, sizeof *e);

	if (!e)
		return;
	e->r = *r;
	if (!UTH_ADDED(HASH_ADD(hh, t->h, r.addr, sizeof e->r.addr, e)))
		free(e);
}

static uint64_t until_secs(uint32_t s)
{
	return s == ODM_LIFETIME_INFINITE ? NEVER : W.now + (uint64_t)s * 1000;
}

static void route_again(struct lease *l)
{
	struct wlink *link = wlink_by_index(l->ifindex);

	if (link && link->table) {
		ps_rule(PS_RULE_ADD, &l->prefix, l->plen, link->table, NULL, NULL);
		l->routed = true;
	}
}

/* A lease for an address the kernel has, as the journal remembers it (or
 * as found, with no owner, when it does not). */
static void adopt_one(const struct odm_nladdr *a, const struct jrec *r)
{
	sc_type type = (sc_type)odmd_type_of_proto(a->proto);
	struct lease *l = lease_new(&a->addr, a->plen, a->ifindex, type,
				    r ? r->owner : ODMD_NO_OWNER);
	char text[INET6_ADDRSTRLEN];

	if (!l)
		return;
	l->granted = r ? r->granted : W.now;
	l->valid_until = until_secs(a->valid);
	/* Anchored types sit in the kernel with no preferred lifetime
	 * (proto.h): theirs is the valid one. */
	l->preferred_until = odmd_type_anchored(type) ? l->valid_until
						      : until_secs(a->preferred);
	l->renew_at = l->valid_until == NEVER ? NEVER : W.now;
	l->backend_id = r ? r->backend_id : 0;
	l->state = odmd_proto_draining(a->proto) ? ODMD_LEASE_DRAINING
		   : a->preferred == 0 && !odmd_type_anchored(type)
					   ? ODMD_LEASE_DEPRECATED
					   : ODMD_LEASE_IDLE;
	l->idle_since = W.now;
	l->drain_until = W.now + (uint64_t)W.hc->net.drain_s * 1000;
	l->hold_until = W.now + (uint64_t)W.hc->net.hold_s * 1000;
	if (r) {
		l->flags = r->flags & ~LEASE_CURRENT;
		if ((r->flags & LEASE_CURRENT) && l->state == ODMD_LEASE_IDLE)
			lease_set_current(l, true);
	} else if (l->state == ODMD_LEASE_IDLE && !lease_current(type)) {
		lease_set_current(l, true);
	} else if (type != FIXED_IPV6_ADDRESS) {
		l->flags |= LEASE_RELEASABLE;
	}
	if (l->state == ODMD_LEASE_DEPRECATED)
		l->renew_at = NEVER;
	W.backend->adopt(W.backend, l);
	route_again(l);
	life_schedule(l);
	dlog_info("adopted %s %s%s", odm_type_name(type),
		  inet_ntop(AF_INET6, &a->addr, text, sizeof text),
		  r ? " (owner and times from the journal)" : "");
}

/* A lease the journal has and the kernel lacks: put back while valid. */
static void recover_one(const struct jrec *r)
{
	struct wlink *link = wlink_by_name(r->link);
	struct lease *l;
	char text[INET6_ADDRSTRLEN];

	inet_ntop(AF_INET6, &r->addr, text, sizeof text);
	if (!link || r->valid_until <= W.now + 1000 ||
	    r->state == ODMD_LEASE_DEPRECATED ||
	    !(l = lease_new(&r->addr, r->plen, link->ifindex, r->type, r->owner))) {
		dlog_info("journal: %s is gone and its lease over", text);
		return;
	}
	l->granted = r->granted;
	l->valid_until = r->valid_until;
	l->preferred_until = r->preferred_until;
	l->renew_at = l->valid_until == NEVER ? NEVER : W.now;
	l->backend_id = r->backend_id;
	l->flags = r->flags & ~LEASE_CURRENT;
	l->state = ODMD_LEASE_IDLE;
	if (r->flags & LEASE_CURRENT)
		lease_set_current(l, true);
	W.backend->adopt(W.backend, l);
	route_again(l);
	dlog_info("journal: %s %s is missing from the kernel: restoring it",
		  odm_type_name(r->type), text);
	life_absent(l);
	life_schedule(l);
}

static void reconcile(int state_fd)
{
	struct jtable jt = { NULL };
	struct jentry *e, *tmp;
	struct odm_nladdr *v = NULL;
	size_t n = 0;
	int rc;

	journal_open(state_fd, on_jrec, &jt);
	if ((rc = odm_nl_dump_addrs(&odm_nl_libc, &v, &n)))
		dlog_err("cannot read the kernel's addresses: %s", strerror(-rc));
	for (size_t i = 0; i < n; i++) {
		if (!odmd_type_of_proto(v[i].proto) || !wlink_by_index(v[i].ifindex))
			continue;
		HASH_FIND(hh, jt.h, &v[i].addr, sizeof v[i].addr, e);
		adopt_one(&v[i], e ? &e->r : NULL);
		if (e) {
			HASH_DEL(jt.h, e);
			free(e);
		}
	}
	free(v);
	HASH_ITER(hh, jt.h, e, tmp) {
		recover_one(&e->r);
		HASH_DEL(jt.h, e);
		free(e);
	}
	journal_rewrite();
}

/* --- the loop ------------------------------------------------------------ */

static struct watch sigw;

static void on_signal(struct watch *w, uint32_t events)
{
	struct signalfd_siginfo si;

	(void)events;
	while (read(w->fd, &si, sizeof si) == sizeof si)
		if (si.ssi_signo == SIGTERM || si.ssi_signo == SIGINT)
			W.stopping = true;
}

static void fire_timers(void)
{
	struct timer *t;

	/* A bounded batch; what is left fires on the next turn. */
	for (int i = 0; i < 4096 && (t = heap_top(&W.heap)) && t->due <= W.now;
	     i++) {
		heap_del(&W.heap, t);
		if (t->kind == TIMER_CLIENT)
			client_due(client_of_timer(t));
		else
			life_due(lease_of_timer(t));
	}
}

static void loop(void)
{
	struct epoll_event ev[64];

	while (!W.stopping) {
		struct timer *t = heap_top(&W.heap);
		int timeout = 1000, n;

		if (t)
			timeout = t->due <= W.now ? 0
				  : t->due - W.now < 1000 ? (int)(t->due - W.now)
							  : 1000;
		journal_flush();
		n = epoll_wait(W.epfd, ev, 64, timeout);
		W.now = odmd_now_ms();
		for (int i = 0; i < n; i++) {
			struct watch *w = ev[i].data.ptr;

			w->on_event(w, ev[i].events);
		}
		W.now = odmd_now_ms();
		fire_timers();
		usage_tick();
		genpage_beat();
		W.backend->tick(W.backend);
		clients_reap();
	}
}

int worker_main(struct odm_hostconf *hc, int ps_fd, int listen_fd,
		int state_fd)
{
	char err[256];
	sigset_t set;
	int rc;

	dlog_role("worker");
	memset(&W, 0, sizeof W);
	W.hc = hc;
	W.now = odmd_now_ms();
	W.epfd = epoll_create1(EPOLL_CLOEXEC);
	sigemptyset(&set);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	signal(SIGPIPE, SIG_IGN);
	sigw.fd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	sigw.on_event = on_signal;
	fcntl(ps_fd, F_SETFL, fcntl(ps_fd, F_GETFL) | O_NONBLOCK);
	fcntl(listen_fd, F_SETFL, fcntl(listen_fd, F_GETFL) | O_NONBLOCK);
	if (W.epfd < 0 || sigw.fd < 0 || watch_add(&sigw, false)) {
		dlog_err("epoll: %s", strerror(errno));
		return 1;
	}
	ps_client_init(ps_fd);
	if ((rc = kevents_init()) || (rc = usage_init())) {
		dlog_err("netlink: %s", strerror(-rc));
		return 1;
	}
	setup_links();
	if (!(W.backend = backend_open(&hc->net, err, sizeof err))) {
		dlog_err("%s", err);
		return 1;
	}
	if (iid_init(state_fd))
		return 1;
	reconcile(state_fd);
	if (clients_init(listen_fd)) {
		dlog_err("epoll: %s", strerror(errno));
		return 1;
	}
	/* Ready once the attach grants are in: a caller then finds them. */
	life_attach();
	life_after_move(ready, NULL);
	loop();
	journal_flush();
	W.backend->close(W.backend);
	dlog_info("stopped; the addresses stay configured for the next odmd");
	return 0;
}
