/* odm_cgroup.c: `odm run`'s cgroup mode, the BPF path (libodm(7)): a
 * program that LD_PRELOAD cannot reach (static, Go) or that is asked for
 * with --cgroup runs in a cgroup of its own. The programs odmd pinned
 * under agent.bpf are attached to it and the program's policy is compiled
 * into odmd's map for it; odm run waits for the program, then removes
 * both. Root only: it makes cgroups and writes odmd's maps. */
#include <elf.h>
#include <err.h>
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include <bpf/bpf.h>
#include "addrpick.h"
#include "agent.h"
#include "bpf_layout.h"
#include "cgroup2.h"
#include "hostconf.h"
#include "odmtool.h"
#include "nl.h"
#include "proto.h"
#include "real.h"

int odm_exe_kind(const char *path)
{
	Elf64_Ehdr eh;
	Elf64_Phdr ph;
	Elf64_Shdr sh, strsh;
	char name[32];
	bool interp = false;
	int fd = open(path, O_RDONLY | O_CLOEXEC), kind = ODM_EXE_OTHER;

	if (fd < 0)
		return ODM_EXE_OTHER;
	if (pread(fd, &eh, sizeof eh, 0) != sizeof eh ||
	    memcmp(eh.e_ident, ELFMAG, SELFMAG) ||
	    eh.e_ident[EI_CLASS] != ELFCLASS64)
		goto out;
	for (unsigned i = 0; i < eh.e_phnum; i++)
		if (pread(fd, &ph, sizeof ph, eh.e_phoff + i * eh.e_phentsize) ==
			    sizeof ph && ph.p_type == PT_INTERP)
			interp = true;
	kind = interp ? ODM_EXE_DYNAMIC : ODM_EXE_STATIC;
	/* Go's own section: its runtime makes its system calls itself. */
	if (eh.e_shstrndx == SHN_UNDEF ||
	    pread(fd, &strsh, sizeof strsh,
		  eh.e_shoff + eh.e_shstrndx * eh.e_shentsize) != sizeof strsh)
		goto out;
	for (unsigned i = 0; i < eh.e_shnum; i++) {
		if (pread(fd, &sh, sizeof sh, eh.e_shoff + i * eh.e_shentsize) !=
			    sizeof sh ||
		    pread(fd, name, sizeof name, strsh.sh_offset + sh.sh_name) <= 0)
			continue;
		name[sizeof name - 1] = '\0';
		if (!strcmp(name, ".go.buildinfo") ||
		    !strcmp(name, ".note.go.buildid")) {
			kind = interp ? ODM_EXE_GO_DYNAMIC : ODM_EXE_GO;
			break;
		}
	}
out:
	close(fd);
	return kind;
}

/* A rule, compiled (bpf_layout.h); network order for addresses. */
static void compile_rule(const struct odm_rule *r, struct odm_bpf_rule *b)
{
	memset(b, 0, sizeof *b);
	if (r->has_dest) {
		uint8_t mask[16] = { 0 };

		for (unsigned i = 0; i < r->dest_len && i < 128; i++)
			mask[i / 8] |= (uint8_t)(0x80 >> (i % 8));
		memcpy(b->mask, mask, sizeof b->mask);
		memcpy(b->dest, &r->dest, sizeof b->dest);
		b->has_dest = 1;
	}
	b->port_lo = r->port_lo;
	b->port_hi = r->port_hi;
	b->proto = (uint8_t)r->proto;
	b->role = (uint8_t)r->role;
	b->type = (uint8_t)r->type;
	b->on_fail = r->on_failure == ODM_ONFAIL_LEGACY;
	b->on_net = r->on_net;
}

/* The premium types odm.conf grants this program by its path. */
static unsigned program_grants(const struct odm_hostconf *hc, const char *exe)
{
	unsigned types = 0;

	for (size_t i = 0; i < hc->auth.ngrants; i++)
		if (hc->auth.grants[i].program &&
		    strcmp(hc->auth.grants[i].who, exe) == 0)
			types |= hc->auth.grants[i].types;
	return types;
}

static struct odm_bpf_rule *rule_n(struct odm_bpf_policy *bp, unsigned i)
{
	return i < bp->nrules ? &bp->rules[i] : &bp->deflt;
}

static const struct odm_rule *prule_n(const struct odm_policy *p, unsigned i)
{
	return i < p->nrules ? &p->rules[i] : &p->deflt;
}

/* An address of the program's own for rule i (address = per-process or
 * per-socket, rotate, rotate-bytes: the kernel's path cannot ask odmd per
 * socket, so per-socket is per-process here). */
static void own_for(const struct odm_hostconf *hc, const struct odm_policy *p,
		    struct odm_bpf_policy *bp, unsigned i)
{
	const struct odm_rule *r = prule_n(p, i);
	struct odm_bpf_rule *b = rule_n(bp, i);
	struct in6_addr a;
	char reason[128];

	b->has_own = 0;
	if (odm_agent_own(&hc->agent, r->type, ODMD_REQ_OWN, r->rotate_s,
			  r->rotate_bytes, &a, reason, sizeof reason) ==
	    ODMD_ST_OK) {
		memcpy(b->own, &a, sizeof b->own);
		b->has_own = 1;
	}
}

static bool wants_own(const struct odm_rule *r)
{
	return r->type && (r->address != ODM_ADDR_SHARED || r->rotate_s ||
			   r->rotate_bytes);
}

/* odmd provisions now the types the policy names, and the addresses of
 * its own it asks for: the kernel's path cannot wait for odmd later
 * (on-failure decides then). */
static void provision(const struct odm_hostconf *hc, const struct odm_policy *p,
		      struct odm_bpf_policy *bp)
{
	unsigned asked = 0;

	if (!hc->agent.configured)
		return;
	odm_real_init();
	for (unsigned i = 0; i <= bp->nrules; i++) {
		const struct odm_bpf_rule *r = rule_n(bp, i);
		struct in6_addr a;
		char reason[128];

		if (!r->type || r->on_net || r->role == ODM_ROLE_SERVER)
			continue;
		if (wants_own(prule_n(p, i))) {
			own_for(hc, p, bp, i);
			continue;
		}
		if (asked & (1u << r->type))
			continue;
		asked |= 1u << r->type;
		odm_agent_request(&hc->agent, (sc_type)r->type, false, &a,
				  reason, sizeof reason);
	}
}

/* While the program runs: an own address odmd rotated (its drain mark) or
 * that went is replaced in the map, so new sockets get a new one. */
static void rotate_owns(const struct odm_hostconf *hc,
			const struct odm_policy *p, struct odm_bpf_policy *bp,
			int map_fd, __u64 cgid)
{
	struct odm_nladdr *all;
	size_t n;
	bool changed = false, any = false;

	for (unsigned i = 0; i <= bp->nrules; i++)
		any |= rule_n(bp, i)->has_own;
	if (!any || odm_nl_dump_addrs(&odm_nl_libc, &all, &n))
		return;
	for (unsigned i = 0; i <= bp->nrules; i++) {
		struct odm_bpf_rule *b = rule_n(bp, i);
		bool ok = false;

		if (!b->has_own)
			continue;
		for (size_t k = 0; k < n && !ok; k++)
			ok = !memcmp(&all[k].addr, b->own, sizeof b->own) &&
			     !odm_addr_unusable(&all[k]);
		if (!ok) {
			own_for(hc, p, bp, i);
			changed = true;
		}
	}
	free(all);
	if (changed)
		bpf_map_update_elem(map_fd, &cgid, bp, BPF_ANY);
}

static pid_t child;

static void forward(int sig)
{
	if (child > 0)
		kill(child, sig);
}

/* Why the BPF path cannot be used here, or NULL (fills what it needs). */
static const char *unavailable(const struct odm_hostconf *hc, char *cgroot,
			       size_t len, int *map_fd, int *prog_fd)
{
	char path[PATH_MAX + 64];

	if (geteuid() != 0)
		return "it needs root";
	if (!hc->agent.bpf[0])
		return "agent.bpf is off in odm.conf";
	snprintf(path, sizeof path, "%s/%s", hc->agent.bpf, ODM_BPF_PIN_POLICY);
	if ((*map_fd = bpf_obj_get(path)) < 0)
		return "odmd has not pinned its BPF programs (is it running?)";
	snprintf(path, sizeof path, "%s/%s", hc->agent.bpf, ODM_BPF_PIN_CONNECT);
	prog_fd[0] = bpf_obj_get(path);
	snprintf(path, sizeof path, "%s/%s", hc->agent.bpf, ODM_BPF_PIN_SENDMSG);
	prog_fd[1] = bpf_obj_get(path);
	if (prog_fd[0] < 0 || prog_fd[1] < 0)
		return "odmd has not pinned its BPF programs (is it running?)";
	if (odm_cgroup2_root(cgroot, len))
		return "no cgroup2 hierarchy is mounted";
	return NULL;
}

/* The BPF path for the cgroup directory cg: policy p of the program at
 * path compiled into odmd's map under the cgroup's id, odmd's programs
 * attached to it, the policy's types provisioned. 0, or -1 after saying
 * why in one line, "odm MODE: no BPF path here (WHY)FALLBACK". */
static int attach(const struct odm_hostconf *hc, const char *path,
		  const struct odm_policy *p, const char *cg, const char *mode,
		  const char *fallback, int *map_fd, __u64 *cgid,
		  struct odm_bpf_policy *bp)
{
	char cgroot[PATH_MAX], exe[PATH_MAX];
	int prog_fd[2] = { -1, -1 }, cgfd = -1, rc = -1;
	const char *why;
	struct stat st;

	*map_fd = -1;
	if (p->nrules > ODM_BPF_MAX_RULES)
		why = "the policy has more rules than the BPF path takes (32)";
	else
		why = unavailable(hc, cgroot, sizeof cgroot, map_fd, prog_fd);
	if (why) {
		fprintf(stderr, "odm %s: no BPF path here (%s)%s\n", mode, why,
			fallback);
		goto out;
	}
	memset(bp, 0, sizeof *bp);
	bp->nrules = (__u32)p->nrules;
	for (size_t i = 0; i < p->nrules; i++)
		compile_rule(&p->rules[i], &bp->rules[i]);
	compile_rule(&p->deflt, &bp->deflt);
	bp->granted = program_grants(hc, realpath(path, exe) ? exe : path);
	if (stat(cg, &st) ||
	    (cgfd = open(cg, O_RDONLY | O_DIRECTORY | O_CLOEXEC)) < 0) {
		warn("%s", cg);
		goto out;
	}
	*cgid = st.st_ino; /* a cgroup2 directory's inode is its id */
	if (bpf_map_update_elem(*map_fd, cgid, bp, BPF_ANY) ||
	    bpf_prog_attach(prog_fd[0], cgfd, BPF_CGROUP_INET6_CONNECT,
			    BPF_F_ALLOW_MULTI) ||
	    bpf_prog_attach(prog_fd[1], cgfd, BPF_CGROUP_UDP6_SENDMSG,
			    BPF_F_ALLOW_MULTI)) {
		warn("attaching the BPF path to %s", cg);
		bpf_map_delete_elem(*map_fd, cgid);
		goto out;
	}
	provision(hc, p, bp);
	bpf_map_update_elem(*map_fd, cgid, bp, BPF_ANY);
	rc = 0;
out:
	if (cgfd >= 0)
		close(cgfd);
	for (int i = 0; i < 2; i++)
		if (prog_fd[i] >= 0)
			close(prog_fd[i]);
	if (rc && *map_fd >= 0) {
		close(*map_fd);
		*map_fd = -1;
	}
	return rc;
}

int odm_cgroup_run(const char *path, char **argv, const struct odm_policy *p,
		   const char *mode, bool preload)
{
	struct odm_hostconf hc;
	struct odm_bpf_policy bp;
	char cgroot[PATH_MAX], cg[PATH_MAX + 64], procs[PATH_MAX + 80],
		msg[512];
	int map_fd = -1, status = 0;
	__u64 cgid;

	if (odm_hostconf_load(odm_hostconf_path(), true, &hc, msg, sizeof msg)) {
		warnx("run: %s", msg);
		return -1;
	}
	if (geteuid() != 0 || odm_cgroup2_root(cgroot, sizeof cgroot)) {
		fprintf(stderr, "odm run: %s: no BPF path here (%s)%s\n", mode,
			geteuid() ? "it needs root" : "no cgroup2 hierarchy is mounted",
			preload ? "; LD_PRELOAD alone" : "; its sockets stay untyped");
		status = -1;
		goto out;
	}
	snprintf(cg, sizeof cg, "%s/odm", cgroot);
	mkdir(cg, 0755);
	snprintf(cg, sizeof cg, "%s/odm/run-%d", cgroot, (int)getpid());
	if (mkdir(cg, 0755) && errno != EEXIST) {
		warn("run: %s", cg);
		status = -1;
		goto out;
	}
	snprintf(msg, sizeof msg, "run: %s", mode);
	if (attach(&hc, path, p, cg, msg, preload ? "; LD_PRELOAD alone"
			: "; its sockets stay untyped", &map_fd, &cgid, &bp)) {
		rmdir(cg);
		status = -1;
		goto out;
	}
	fprintf(stderr, "odm run: %s: cgroup mode, %s\n", mode, preload
		? "its sockets are typed by LD_PRELOAD and, where it cannot "
		  "reach, in the kernel"
		: "its sockets are typed in the kernel");
	fflush(stderr);
	snprintf(procs, sizeof procs, "%s/cgroup.procs", cg);
	child = fork();
	if (child == 0) {
		int fd = open(procs, O_WRONLY | O_CLOEXEC);

		if (fd < 0 || write(fd, "0", 1) != 1)
			err(126, "run: %s", procs);
		close(fd);
		execv(path, argv);
		err(127, "run: %s", path);
	}
	if (child < 0) {
		warn("run: fork");
		status = -1;
		goto cleanup;
	}
	signal(SIGINT, forward);
	signal(SIGTERM, forward);
	signal(SIGHUP, forward);
	signal(SIGQUIT, forward);
	for (bool first = true;; first = false) {
		pid_t w = waitpid(child, &status, WNOHANG);
		struct timespec tick = { 0, 200 * 1000 * 1000 };

		if (w == child || (w < 0 && errno != EINTR))
			break;
		if (!first)
			rotate_owns(&hc, p, &bp, map_fd, cgid);
		nanosleep(&tick, NULL); /* a signal cuts it short: fine */
	}
	status = WIFEXITED(status) ? WEXITSTATUS(status)
				   : 128 + WTERMSIG(status);
cleanup:
	bpf_map_delete_elem(map_fd, &cgid);
	/* Processes it left behind keep the cgroup (and their last view). */
	for (int i = 0; i < 50 && rmdir(cg) && errno == EBUSY; i++)
		usleep(20000);
out:
	if (map_fd >= 0)
		close(map_fd);
	odm_hostconf_free(&hc);
	return status;
}

/* The cgroup this process is in (cgroup2's "0::PATH" line), as a
 * directory under the hierarchy's mount point. 0, or -1 with a message. */
static int own_cgroup(char *out, size_t len)
{
	char root[PATH_MAX], line[PATH_MAX + 8];
	FILE *f = fopen("/proc/self/cgroup", "re");
	bool found = false;

	while (f && !found && fgets(line, sizeof line, f))
		found = strncmp(line, "0::", 3) == 0;
	if (f)
		fclose(f);
	if (!found || odm_cgroup2_root(root, sizeof root)) {
		warnx("cgroup: this process is in no cgroup2 group");
		return -1;
	}
	line[strcspn(line, "\n")] = '\0';
	if ((size_t)snprintf(out, len, "%s%s", root, line + 3) >= len)
		return -1;
	return 0;
}

int odm_cgroup_self(const char *path, const struct odm_policy *p, bool detach)
{
	struct odm_hostconf hc;
	struct odm_bpf_policy bp;
	char cg[PATH_MAX], msg[512], pin[PATH_MAX + 64];
	struct stat st;
	int map_fd = -1, rc = 1;
	__u64 cgid;

	if (odm_hostconf_load(odm_hostconf_path(), true, &hc, msg, sizeof msg)) {
		warnx("cgroup: %s", msg);
		return 1;
	}
	if (own_cgroup(cg, sizeof cg))
		goto out;
	if (detach) {
		/* The group's entry goes from odmd's map; its attachments go
		 * with the group itself. */
		snprintf(pin, sizeof pin, "%s/%s", hc.agent.bpf, ODM_BPF_PIN_POLICY);
		cgid = stat(cg, &st) ? 0 : st.st_ino;
		if (!hc.agent.bpf[0] || (map_fd = bpf_obj_get(pin)) < 0) {
			warnx("cgroup: odmd's BPF map is not there (%s)", pin);
			goto out;
		}
		if (bpf_map_delete_elem(map_fd, &cgid) && errno != ENOENT) {
			warn("cgroup: %s", cg);
			goto out;
		}
		printf("%s: detached\n", cg);
		rc = 0;
		goto out;
	}
	snprintf(msg, sizeof msg, "cgroup: %.400s", cg);
	if (attach(&hc, path, p, cg, msg, "; its sockets stay untyped", &map_fd,
		   &cgid, &bp) == 0) {
		printf("%s: typed by the BPF path (the policy of %s)\n", cg, path);
		rc = 0;
	}
out:
	if (map_fd >= 0)
		close(map_fd);
	odm_hostconf_free(&hc);
	return rc;
}
