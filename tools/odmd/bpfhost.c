/* bpfhost.c: odmd's side of the cgroup BPF path (bpfhost.h). */
#include <errno.h>
#include <fcntl.h>
#include <libmnl/libmnl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/vfs.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>
#include "addrpick.h"
#include "bpf_layout.h"
#include "bpfhost.h"
#include "cgroup2.h"
#include "dlog.h"
#include "nl.h"
#include "odm_bpf.skel.h"
#include "uth.h"

#ifndef BPF_FS_MAGIC
#define BPF_FS_MAGIC 0xcafe4a11
#endif

static const struct odm_hostconf *hc;
static struct odm_bpf *skel;
static struct bpf_link *guard[3];
static int nl_fd = -1;
static char dir[PATH_MAX];

static int print_libbpf(enum libbpf_print_level level, const char *fmt,
			va_list ap)
{
	char line[512];

	if (level == LIBBPF_DEBUG)
		return 0;
	vsnprintf(line, sizeof line, fmt, ap);
	line[strcspn(line, "\n")] = '\0';
	dlog_info("libbpf: %s", line);
	return 0;
}

/* dir's parent is a BPF file system (mounted here if it is not yet). */
static int bpffs(void)
{
	char parent[PATH_MAX], *slash;
	struct statfs fs;

	snprintf(parent, sizeof parent, "%s", dir);
	slash = strrchr(parent, '/');
	if (slash && slash != parent)
		*slash = '\0';
	if (statfs(parent, &fs) == 0 && fs.f_type == BPF_FS_MAGIC)
		return 0;
	if (mount("bpf", parent, "bpf", 0, "mode=0700")) {
		dlog_warn("BPF path off: %s is no BPF file system and cannot "
			  "be made one: %s", parent, strerror(errno));
		return -1;
	}
	return 0;
}

static int pin(struct bpf_program *p, const char *name)
{
	char path[PATH_MAX + 64];

	snprintf(path, sizeof path, "%s/%s", dir, name);
	unlink(path); /* an earlier odmd's */
	return bpf_program__pin(p, path);
}

/* The host's grants of premium types (uids and "*"; program grants go to
 * the cgroups odm run makes). */
static void fill_conf(void)
{
	struct odm_bpf_conf conf = { .premium = hc->auth.premium };
	__u32 zero = 0;

	bpf_map__update_elem(skel->maps.odm_conf, &zero, sizeof zero, &conf,
			     sizeof conf, BPF_ANY);
	for (size_t i = 0; i < hc->auth.ngrants; i++) {
		const struct odm_hc_grant *g = &hc->auth.grants[i];
		__u32 uid, types = g->types, old;

		if (g->program)
			continue;
		if (strcmp(g->who, "*") == 0)
			uid = ODM_BPF_ANY_UID;
		else if (g->uid >= 0)
			uid = (__u32)g->uid;
		else
			continue;
		if (bpf_map__lookup_elem(skel->maps.odm_grant, &uid, sizeof uid,
					 &old, sizeof old, 0) == 0)
			types |= old;
		bpf_map__update_elem(skel->maps.odm_grant, &uid, sizeof uid,
				     &types, sizeof types, BPF_ANY);
	}
}

/* The host's typed addresses, as the maps have them, and per type the
 * one a new socket gets (addrpick.h's choice, as the shim's engine makes
 * it), kept as events come: a full pass only when the chosen one goes. */
struct typed {
	struct odm_typed_addr t;
	unsigned seen;           /* the resync that last saw it */
	UT_hash_handle hh;
};
static unsigned resyncs;
static struct typed *typed;
static struct odm_nladdr best[5];
static bool have[5], changed[5], again[5];

static void forget_all(void)
{
	struct typed *e, *tmp;

	HASH_ITER(hh, typed, e, tmp) {
		HASH_DEL(typed, e);
		free(e);
	}
	memset(have, 0, sizeof have);
	memset(again, 1, sizeof again);
}

static bool is_best(const struct odm_typed_addr *t)
{
	return t->type >= 1 && t->type <= 4 && have[t->type] &&
	       !memcmp(&best[t->type].addr, &t->nl.addr, sizeof t->nl.addr);
}

/* t, usable, may beat the chosen address of its type. */
static void offer(const struct odm_typed_addr *t)
{
	sc_type ty = t->type;

	if (ty < 1 || ty > 4 || t->unusable || again[ty])
		return;
	if (!have[ty] || odm_addr_better(&t->nl, &best[ty], ty)) {
		best[ty] = t->nl;
		have[ty] = changed[ty] = true;
	}
}

/* One address as the kernel reports it now (gone: false): into the set
 * and the guard's map when typed. */
static void track(const struct odm_nladdr *a, bool present)
{
	struct odm_typed_addr t;
	struct typed *e;
	__u32 type;

	HASH_FIND(hh, typed, &a->addr, sizeof a->addr, e);
	if (e && is_best(&e->t))
		again[e->t.type] = true; /* it may have changed or gone */
	if (!present || odm_classify(hc, a, 1, &t) == 0) {
		if (e) {
			bpf_map__delete_elem(skel->maps.odm_typed, &a->addr,
					     sizeof a->addr, 0);
			HASH_DEL(typed, e);
			free(e);
		}
		return;
	}
	if (!e) {
		if (!(e = calloc(1, sizeof *e)))
			return;
		e->t = t;
		e->t.type = 0; /* not in the map yet */
		if (!UTH_ADDED(HASH_ADD(hh, typed, t.nl.addr, sizeof e->t.nl.addr,
					e))) {
			free(e);
			return;
		}
	}
	e->seen = resyncs;
	if (e->t.type != t.type) { /* the map only when its answer changes */
		type = (__u32)t.type;
		bpf_map__update_elem(skel->maps.odm_typed, &t.nl.addr,
				     sizeof t.nl.addr, &type, sizeof type,
				     BPF_ANY);
	}
	e->t = t;
	offer(&t);
}

/* The chosen addresses that changed, into the map (a type whose chosen
 * address went is chosen again from the whole set). */
static void publish(void)
{
	struct typed *e, *tmp;
	bool any = false;

	for (int ty = 1; ty <= 4; ty++)
		any |= again[ty];
	if (any) {
		for (int ty = 1; ty <= 4; ty++)
			if (again[ty]) {
				have[ty] = false;
				changed[ty] = true;
			}
		HASH_ITER(hh, typed, e, tmp) {
			sc_type ty = e->t.type;

			if (ty >= 1 && ty <= 4 && again[ty] && !e->t.unusable &&
			    (!have[ty] || odm_addr_better(&e->t.nl, &best[ty], ty))) {
				best[ty] = e->t.nl;
				have[ty] = true;
			}
		}
		memset(again, 0, sizeof again);
	}
	for (__u32 ty = 1; ty <= 4; ty++) {
		struct odm_bpf_addr a = { 0 };

		if (!changed[ty])
			continue;
		changed[ty] = false;
		if (have[ty]) {
			a.have = 1;
			memcpy(a.addr, &best[ty].addr, sizeof a.addr);
		}
		bpf_map__update_elem(skel->maps.odm_addr, &ty, sizeof ty, &a,
				     sizeof a, BPF_ANY);
	}
}

/* Everything again, from one dump (at start, and when events were lost):
 * the maps change only where the host did. */
static void resync(void)
{
	struct odm_nladdr *all = NULL;
	struct typed *e, *tmp;
	size_t n = 0;

	if (odm_nl_dump_addrs(&odm_nl_libc, &all, &n)) {
		dlog_warn("BPF path: cannot read the host's addresses");
		return;
	}
	resyncs++;
	for (size_t i = 0; i < n; i++)
		track(&all[i], true);
	free(all);
	HASH_ITER(hh, typed, e, tmp)
		if (e->seen != resyncs)
			track(&e->t.nl, false);
	memset(again, 1, sizeof again);
	publish();
}

/* A fresh start of the guard's map: what an earlier odmd left goes. */
static void clear_typed(void)
{
	int fd = bpf_map__fd(skel->maps.odm_typed);
	__u32 key[4], next[4];

	while (bpf_map_get_next_key(fd, NULL, next) == 0) {
		memcpy(key, next, sizeof key);
		bpf_map_delete_elem(fd, key);
	}
}

int bpfhost_start(const struct odm_hostconf *conf)
{
	char cg[PATH_MAX] = "no cgroup2";
	struct bpf_map *m;
	int cgfd, err;

	hc = conf;
	if (!hc->agent.bpf[0])
		return -1;
	snprintf(dir, sizeof dir, "%s", hc->agent.bpf);
	libbpf_set_print(print_libbpf);
	if (bpffs())
		return -1;
	if (mkdir(dir, 0755) && errno != EEXIST) {
		dlog_warn("BPF path off: %s: %s", dir, strerror(errno));
		return -1;
	}
	if (!(skel = odm_bpf__open())) {
		dlog_warn("BPF path off: cannot open its programs");
		return -1;
	}
	/* Maps pinned by name: a restarted odmd takes over the ones that
	 * programs already running in a cgroup use. */
	bpf_object__for_each_map(m, skel->obj) {
		char path[PATH_MAX + 64];

		if (strchr(bpf_map__name(m), '.'))
			continue; /* .rodata and the like */
		snprintf(path, sizeof path, "%s/%s", dir, bpf_map__name(m));
		bpf_map__set_pin_path(m, path);
	}
	if ((err = odm_bpf__load(skel))) {
		dlog_warn("BPF path off: the kernel refused its programs: %s",
			  strerror(-err));
		goto fail;
	}
	if (pin(skel->progs.odm_connect6, ODM_BPF_PIN_CONNECT) ||
	    pin(skel->progs.odm_sendmsg6, ODM_BPF_PIN_SENDMSG)) {
		dlog_warn("BPF path off: pinning under %s: %s", dir,
			  strerror(errno));
		goto fail;
	}
	if (odm_cgroup2_root(cg, sizeof cg) ||
	    (cgfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		dlog_warn("BPF path: no cgroup2 hierarchy: premium addresses "
			  "are not guarded");
	} else {
		guard[0] = bpf_program__attach_cgroup(skel->progs.odm_bind6, cgfd);
		guard[1] = bpf_program__attach_cgroup(skel->progs.odm_guard_connect6,
						      cgfd);
		guard[2] = bpf_program__attach_cgroup(skel->progs.odm_guard_sendmsg6,
						      cgfd);
		close(cgfd);
		for (int i = 0; i < 3; i++)
			if (libbpf_get_error(guard[i])) {
				dlog_warn("BPF path: the guard of premium "
					  "addresses cannot be attached to %s",
					  cg);
				guard[i] = NULL;
			}
	}
	fill_conf();
	nl_fd = odm_nl_open(&odm_nl_libc, NETLINK_ROUTE, RTMGRP_IPV6_IFADDR, 0,
			    true);
	if (nl_fd >= 0) { /* bursts of grants: room for their events */
		int big = 8 << 20;

		setsockopt(nl_fd, SOL_SOCKET, SO_RCVBUFFORCE, &big, sizeof big);
	}
	clear_typed();
	resync();
	dlog_info("BPF path: programs and maps under %s, the guard on %s", dir,
		  cg);
	return nl_fd;
fail:
	odm_bpf__destroy(skel);
	skel = NULL;
	return -1;
}

static int on_msg(const struct nlmsghdr *h, void *arg)
{
	struct odm_nladdr a;

	(void)arg;
	if (!odm_nl_parse_addr(h, &a))
		return MNL_CB_OK;
	if (hc->nifaces && !if_indextoname((unsigned)a.ifindex, a.ifname))
		a.ifname[0] = '\0';
	track(&a, h->nlmsg_type == RTM_NEWADDR);
	return MNL_CB_OK;
}

void bpfhost_on_event(void)
{
	char buf[ODM_NL_BUF] __attribute__((aligned(4)));
	bool lost = false;
	ssize_t n;

	for (int i = 0; i < 64; i++) {
		n = recv(nl_fd, buf, sizeof buf, 0);
		if (n < 0 && errno == ENOBUFS) {
			lost = true;
			continue;
		}
		if (n <= 0)
			break;
		if (skel)
			mnl_cb_run(buf, (size_t)n, 0, 0, on_msg, NULL);
	}
	if (skel && lost)
		resync();
	else if (skel)
		publish();
}

void bpfhost_stop(void)
{
	char path[PATH_MAX + 64];

	if (!skel)
		return;
	for (int i = 0; i < 3; i++)
		bpf_link__destroy(guard[i]);
	snprintf(path, sizeof path, "%s/%s", dir, ODM_BPF_PIN_CONNECT);
	unlink(path);
	snprintf(path, sizeof path, "%s/%s", dir, ODM_BPF_PIN_SENDMSG);
	unlink(path);
	bpf_object__unpin_maps(skel->obj, NULL);
	odm_bpf__destroy(skel);
	forget_all();
	skel = NULL;
	rmdir(dir);
	if (nl_fd >= 0)
		close(nl_fd);
	nl_fd = -1;
}
