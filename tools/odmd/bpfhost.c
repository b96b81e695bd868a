/* bpfhost.c: odmd's side of the cgroup BPF path (bpfhost.h). */
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
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

/* The maps follow the host's addresses: per type the one a new socket
 * gets (addrpick.h's choice, as the shim's), and every typed address for
 * the guard. */
static void refresh(void)
{
	struct odm_nladdr *all = NULL;
	struct odm_typed_addr *t;
	size_t n = 0, k;
	__u32 key[4], next[4], type;
	int fd = bpf_map__fd(skel->maps.odm_typed);

	if (odm_nl_dump_addrs(&odm_nl_libc, &all, &n) ||
	    !(t = calloc(n ? n : 1, sizeof *t))) {
		free(all);
		dlog_warn("BPF path: cannot read the host's addresses");
		return;
	}
	k = odm_classify(hc, all, n, t);
	for (type = 1; type <= 4; type++) {
		struct odm_bpf_addr a = { 0 };
		int i = odm_pick(t, k, (sc_type)type);

		if (i >= 0) {
			a.have = 1;
			memcpy(a.addr, &t[i].nl.addr, sizeof a.addr);
		}
		bpf_map__update_elem(skel->maps.odm_addr, &type, sizeof type,
				     &a, sizeof a, BPF_ANY);
	}
	/* Typed addresses gone: out of the guard's map. */
	for (int more = bpf_map_get_next_key(fd, NULL, next) == 0; more;) {
		bool keep = false;

		memcpy(key, next, sizeof key);
		more = bpf_map_get_next_key(fd, key, next) == 0;
		for (size_t i = 0; i < k && !keep; i++)
			keep = !memcmp(&t[i].nl.addr, key, sizeof key);
		if (!keep)
			bpf_map_delete_elem(fd, key);
	}
	for (size_t i = 0; i < k; i++) {
		type = (__u32)t[i].type;
		bpf_map_update_elem(fd, &t[i].nl.addr, &type, BPF_ANY);
	}
	free(t);
	free(all);
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
	refresh();
	dlog_info("BPF path: programs and maps under %s, the guard on %s", dir,
		  cg);
	return nl_fd;
fail:
	odm_bpf__destroy(skel);
	skel = NULL;
	return -1;
}

void bpfhost_on_event(void)
{
	char buf[8192];
	bool lost = false, seen = false;
	ssize_t n;

	while ((n = recv(nl_fd, buf, sizeof buf, 0)) > 0 ||
	       (n < 0 && errno == ENOBUFS)) {
		lost |= n < 0;
		seen = true;
	}
	if (skel && (seen || lost))
		refresh();
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
	skel = NULL;
	rmdir(dir);
	if (nl_fd >= 0)
		close(nl_fd);
	nl_fd = -1;
}
