/* parent.c: odmd's privileged parent (parent.h). Every request is checked
 * before it is carried out: addresses only with odmd's marks, on odmd's
 * links, and changed or removed only when odmd holds them; rules and
 * routes only in the tables odm.conf gives its links. */
#include <errno.h>
#include <fcntl.h>
#include <linux/rtnetlink.h>
#include <net/if.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/inotify.h>
#include <sys/signalfd.h>
#include <sys/socket.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "defaults.h"
#include "bpfhost.h"
#include "dlog.h"
#include "nl.h"
#include "parent.h"
#include "policy_index.h"
#include "privsep.h"
#include "proto.h"
#include "uth.h"

struct held_addr {
	struct in6_addr addr;
	UT_hash_handle hh;
};

static const struct odm_hostconf *hc;
static struct held_addr *held;
static pid_t worker_pid, backend_pid;
static int nl = -1, ch = -1;

static void hold(const struct in6_addr *a)
{
	struct held_addr *h;

	HASH_FIND(hh, held, a, sizeof *a, h);
	if (h || !(h = calloc(1, sizeof *h)))
		return;
	h->addr = *a;
	if (!UTH_ADDED(HASH_ADD(hh, held, addr, sizeof h->addr, h)))
		free(h);
}

static bool holds(const struct in6_addr *a)
{
	struct held_addr *h;

	HASH_FIND(hh, held, a, sizeof *a, h);
	return h != NULL;
}

static void unhold(const struct in6_addr *a)
{
	struct held_addr *h;

	HASH_FIND(hh, held, a, sizeof *a, h);
	if (h) {
		HASH_DEL(held, h);
		free(h);
	}
}

/* The addresses odmd configured before it (re)started are its own. */
static void adopt_held(void)
{
	struct odm_nladdr *v;
	size_t n;

	if (odm_nl_dump_addrs(&odm_nl_libc, &v, &n))
		return;
	for (size_t i = 0; i < n; i++)
		if (odmd_type_of_proto(v[i].proto))
			hold(&v[i].addr);
	free(v);
}

/* The links odm.conf gives odmd, by name, and their indexes as last
 * seen (a link made again gets a new one: looked up again on a miss). */
#define MAX_NAMES 64
static struct {
	const char *name;
	const struct odm_hc_link *conf; /* its link section, or NULL */
	int ifindex;
} names[MAX_NAMES];
static unsigned nnames;

static void add_name(const char *name, const struct odm_hc_link *conf)
{
	for (unsigned i = 0; i < nnames; i++)
		if (strcmp(names[i].name, name) == 0) {
			if (conf)
				names[i].conf = conf;
			return;
		}
	if (name[0] && nnames < MAX_NAMES)
		names[nnames++] = (typeof(names[0])){ name, conf, 0 };
}

static void resolve_names(void)
{
	for (unsigned i = 0; i < nnames; i++)
		names[i].ifindex = (int)if_nametoindex(names[i].name);
}

/* The entry of one of odmd's links, or NULL when ifindex is none of them. */
static typeof(names[0]) *our_link_entry(int ifindex)
{
	for (int pass = 0; ifindex > 0 && pass < 2; pass++) {
		for (unsigned i = 0; i < nnames; i++)
			if (names[i].ifindex == ifindex)
				return &names[i];
		resolve_names();
	}
	return NULL;
}

static bool our_link(int ifindex)
{
	return our_link_entry(ifindex) != NULL;
}

/* The link section of ifindex, or NULL. */
static const struct odm_hc_link *link_conf(int ifindex)
{
	typeof(names[0]) *e = our_link_entry(ifindex);

	return e ? e->conf : NULL;
}

static bool our_table(unsigned table)
{
	for (size_t i = 0; i < hc->net.nlinks; i++)
		if (table && hc->net.links[i].table == table)
			return true;
	return false;
}

static bool global_unicast(const struct in6_addr *a)
{
	return !IN6_IS_ADDR_UNSPECIFIED(a) && !IN6_IS_ADDR_LOOPBACK(a) &&
	       !IN6_IS_ADDR_LINKLOCAL(a) && !IN6_IS_ADDR_MULTICAST(a) &&
	       !IN6_IS_ADDR_V4MAPPED(a) && !IN6_IS_ADDR_SITELOCAL(a);
}

static int talk(struct nlmsghdr *h)
{
	int rc;

	if (nl < 0 && (nl = odm_nl_open(&odm_nl_libc, NETLINK_ROUTE, 0,
					ODM_NL_TIMEOUT_MS, false)) < 0) {
		rc = nl;
		nl = -1;
		return rc;
	}
	rc = odm_nl_talk(&odm_nl_libc, nl, h, NULL, NULL);
	if (rc == -ETIMEDOUT || rc == -EPROTO) { /* a fresh socket next time */
		close(nl);
		nl = -1;
	}
	return rc;
}

static int do_addr(const struct ps_msg *m)
{
	char buf[ODM_NL_MSG_MAX];

	if (!our_link(m->ifindex) || m->plen == 0 || m->plen > 128 ||
	    !global_unicast(&m->addr))
		return -EPERM;
	if (m->kind == PS_ADDR_DEL) {
		if (!holds(&m->addr))
			return -EPERM;
		unhold(&m->addr);
		return talk(odm_nl_msg_addr(buf, RTM_DELADDR, 0, m->ifindex,
					    &m->addr, m->plen, 0, 0, 0));
	}
	if (!odmd_type_of_proto(m->proto) || m->valid == 0 ||
	    m->preferred > m->valid)
		return -EINVAL;
	if (m->kind == PS_ADDR_CHANGE) {
		if (!holds(&m->addr))
			return -EPERM;
		/* The kernel creates what a replace names: only ours. */
		return talk(odm_nl_msg_addr(buf, RTM_NEWADDR, NLM_F_REPLACE,
					    m->ifindex, &m->addr, m->plen,
					    m->preferred, m->valid,
					    (uint8_t)m->proto));
	}
	int rc = talk(odm_nl_msg_addr(buf, RTM_NEWADDR, NLM_F_CREATE | NLM_F_EXCL,
				      m->ifindex, &m->addr, m->plen,
				      m->preferred, m->valid, (uint8_t)m->proto));
	if (rc == 0)
		hold(&m->addr);
	return rc;
}

static int do_rule(const struct ps_msg *m)
{
	char buf[ODM_NL_MSG_MAX];
	int rc;

	if (!our_table(m->table) || m->plen == 0 || m->plen > 128 ||
	    !global_unicast(&m->addr))
		return -EPERM;
	rc = talk(odm_nl_msg_rule(buf, m->kind == PS_RULE_ADD ? RTM_NEWRULE
							       : RTM_DELRULE,
				  &m->addr, m->plen, m->table,
				  hc->net.rule_priority));
	return m->kind == PS_RULE_ADD && rc == -EEXIST ? 0 : rc;
}

static int do_route(const struct ps_msg *m)
{
	const struct odm_hc_link *l = link_conf(m->ifindex);
	char buf[ODM_NL_MSG_MAX];

	if (!l || !l->table)
		return -EPERM;
	return talk(odm_nl_msg_default_route(buf, RTM_NEWROUTE, m->ifindex,
					     l->table,
					     IN6_IS_ADDR_UNSPECIFIED(&l->gateway)
						     ? NULL : &l->gateway));
}

/* The pid a pidfd stands for, from /proc/self/fdinfo; -1 if none. */
static pid_t pid_of_pidfd(int pidfd)
{
	char path[64], line[128];
	pid_t pid = -1;
	FILE *f;

	snprintf(path, sizeof path, "/proc/self/fdinfo/%d", pidfd);
	if (!(f = fopen(path, "re")))
		return -1;
	while (fgets(line, sizeof line, f))
		if (sscanf(line, "Pid: %d", &pid) == 1)
			break;
	fclose(f);
	return pid;
}

/* The executable of the process behind pidfd (or m->pid without one), as
 * the kernel says, checked afterwards to be the same living process. */
static int do_exe(struct ps_msg *m, int pidfd)
{
	char link[64];
	pid_t pid = pidfd >= 0 ? pid_of_pidfd(pidfd) : m->pid;
	ssize_t n;

	if (pid <= 0)
		return -ESRCH;
	snprintf(link, sizeof link, "/proc/%d/exe", (int)pid);
	n = readlink(link, m->text, sizeof m->text);
	if (n <= 0)
		return -errno;
	if ((size_t)n >= sizeof m->text)
		return -ENAMETOOLONG;
	m->text[n] = '\0';
	if (pidfd >= 0 && syscall(SYS_pidfd_send_signal, pidfd, 0, NULL, 0))
		return -ESRCH; /* it ended: the pid may be someone else's now */
	m->pid = pid;
	return 0;
}

/* Starts the exec backend with a clean environment, its stdin and stdout
 * one end of a socketpair; the other end goes to the worker. */
static int do_spawn(struct ps_msg *m, int *give)
{
	int sv[2];
	pid_t pid;

	if (hc->net.backend != ODM_BACKEND_EXEC)
		return -EPERM;
	if (backend_pid > 0) { /* the last one: done */
		kill(backend_pid, SIGKILL);
		backend_pid = 0;
	}
	if (socketpair(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0, sv))
		return -errno;
	pid = fork();
	if (pid < 0) {
		int e = errno;

		close(sv[0]);
		close(sv[1]);
		return -e;
	}
	if (pid == 0) {
		char *env[64 + 2];
		size_t k = 0;
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		env[k++] = "PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin";
		for (size_t i = 0; i < hc->net.nexec_env && k < 64 + 1; i++)
			env[k++] = hc->net.exec_env[i];
		env[k] = NULL;
		if (dup2(sv[1], STDIN_FILENO) < 0 || dup2(sv[1], STDOUT_FILENO) < 0)
			_exit(127);
		execle(hc->net.exec, hc->net.exec, "serve", (char *)NULL, env);
		_exit(127);
	}
	close(sv[1]);
	backend_pid = pid;
	m->pid = pid;
	*give = sv[0];
	return 0;
}

static void serve_one(struct ps_msg *m, int fd)
{
	struct ps_msg r;
	int give = -1;

	memset(&r, 0, sizeof r);
	r.kind = PS_REPLY;
	r.id = m->id;
	switch (m->kind) {
	case PS_ADDR_ADD:
	case PS_ADDR_CHANGE:
	case PS_ADDR_DEL:
		r.rc = do_addr(m);
		break;
	case PS_RULE_ADD:
	case PS_RULE_DEL:
		r.rc = do_rule(m);
		break;
	case PS_ROUTE:
		r.rc = do_route(m);
		break;
	case PS_EXE:
		r.rc = do_exe(m, fd);
		if (r.rc == 0) {
			memcpy(r.text, m->text, sizeof r.text);
			r.pid = m->pid;
		}
		break;
	case PS_SPAWN:
		r.rc = do_spawn(&r, &give);
		break;
	default:
		r.rc = -EINVAL;
	}
	if (fd >= 0)
		close(fd);
	if (r.rc && m->kind != PS_EXE)
		dlog_debug("parent: request %u refused or failed: %s", m->kind,
			   strerror(-r.rc));
	ps_send(ch, &r, give);
	if (give >= 0)
		close(give);
}

/* --- the policy folder's index ------------------------------------------ */

static int ino_fd = -1;
static const char *policy_dir;
static uint64_t index_due;   /* ms; 0: nothing to do */
static pid_t indexer;

static uint64_t now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec * 1000 + (uint64_t)t.tv_nsec / 1000000;
}

/* Compiles the folder in a child of its own: the parent parses nothing. */
static void write_index(void)
{
	pid_t pid;

	index_due = 0;
	if (indexer > 0) {
		index_due = now_ms() + 200; /* one at a time */
		return;
	}
	pid = fork();
	if (pid == 0) {
		char err[PATH_MAX + 256];
		sigset_t none;

		sigemptyset(&none);
		sigprocmask(SIG_SETMASK, &none, NULL);
		if (odm_policy_index_write(policy_dir, err, sizeof err, NULL) < 0)
			dlog_warn("policy index: %s", err);
		_exit(0);
	}
	if (pid > 0)
		indexer = pid;
}

/* Watches the policy folder: a change rewrites its index (soon, once the
 * burst of events is over). */
static void watch_policies(void)
{
	const char *env = getenv("ODM_POLICY_DIR");

	policy_dir = env && env[0] ? env : ODM_DEFAULT_POLICY_DIR;
	ino_fd = inotify_init1(IN_NONBLOCK | IN_CLOEXEC);
	if (ino_fd < 0 ||
	    inotify_add_watch(ino_fd, policy_dir, IN_CREATE | IN_DELETE |
			      IN_MOVED_TO | IN_MOVED_FROM | IN_CLOSE_WRITE |
			      IN_ATTRIB | IN_ONLYDIR) < 0) {
		dlog_info("policy folder %s: %s: its index is odm check's to "
			  "keep", policy_dir, strerror(errno));
		if (ino_fd >= 0)
			close(ino_fd);
		ino_fd = -1;
		return;
	}
	write_index();
}

static void on_policy_event(void)
{
	char buf[4096] __attribute__((aligned(__alignof__(struct inotify_event))));
	ssize_t n;

	while ((n = read(ino_fd, buf, sizeof buf)) > 0)
		for (char *p = buf; p < buf + n;) {
			struct inotify_event *e = (struct inotify_event *)p;

			/* The index's own writes do not count. */
			if (!e->len || strncmp(e->name, ODM_INDEX_NAME,
					       strlen(ODM_INDEX_NAME)))
				index_due = now_ms() + 200;
			p += sizeof *e + e->len;
		}
}

/* Reaps children; false once the worker has ended. */
static bool reap(int *worker_status)
{
	int st;
	pid_t pid;

	while ((pid = waitpid(-1, &st, WNOHANG)) > 0) {
		if (pid == worker_pid) {
			*worker_status = st;
			worker_pid = 0;
		} else if (pid == indexer) {
			indexer = 0;
		} else if (pid == backend_pid) {
			backend_pid = 0;
			if (WIFSIGNALED(st) && WTERMSIG(st) != SIGKILL)
				dlog_warn("exec backend %s killed by signal %d",
					  hc->net.exec, WTERMSIG(st));
			else if (WIFEXITED(st) && WEXITSTATUS(st))
				dlog_warn("exec backend %s exited with status %d",
					  hc->net.exec, WEXITSTATUS(st));
		}
	}
	return worker_pid != 0;
}

/* Stops the worker (it saves its state) within 5 s, and the backend. */
static void stop_children(void)
{
	int st = 0;

	if (worker_pid > 0) {
		kill(worker_pid, SIGTERM);
		for (int i = 0; i < 100 && reap(&st); i++)
			usleep(50 * 1000);
		if (worker_pid > 0) {
			kill(worker_pid, SIGKILL);
			waitpid(worker_pid, NULL, 0);
		}
	}
	if (backend_pid > 0) {
		kill(backend_pid, SIGTERM);
		for (int i = 0; i < 20 && backend_pid > 0; i++) {
			usleep(50 * 1000);
			reap(&st);
		}
		if (backend_pid > 0)
			kill(backend_pid, SIGKILL);
	}
}

int parent_main(const struct odm_hostconf *conf, int channel, pid_t worker)
{
	sigset_t set;
	int sfd, status = 0, wst = 0, bpf_fd;

	hc = conf;
	ch = channel;
	worker_pid = worker;
	dlog_role("parent");
	sigemptyset(&set);
	sigaddset(&set, SIGCHLD);
	sigaddset(&set, SIGTERM);
	sigaddset(&set, SIGINT);
	sigaddset(&set, SIGHUP);
	sigprocmask(SIG_BLOCK, &set, NULL);
	sfd = signalfd(-1, &set, SFD_CLOEXEC | SFD_NONBLOCK);
	if (sfd < 0) {
		dlog_err("signalfd: %s", strerror(errno));
		stop_children();
		return 1;
	}
	add_name(hc->net.ifname, NULL);
	for (size_t i = 0; i < hc->net.nlinks; i++)
		add_name(hc->net.links[i].name, &hc->net.links[i]);
	for (size_t i = 0; i < hc->net.npools; i++)
		add_name(hc->net.pools[i].link, NULL);
	resolve_names();
	adopt_held();
	watch_policies();
	bpf_fd = bpfhost_start(hc);
	for (;;) {
		struct pollfd pf[4] = { { ch, POLLIN, 0 }, { sfd, POLLIN, 0 },
					{ ino_fd, POLLIN, 0 },
					{ bpf_fd, POLLIN, 0 } };
		int timeout = -1;

		if (index_due)
			timeout = index_due > now_ms() ? (int)(index_due - now_ms()) : 0;
		if (poll(pf, 4, timeout) < 0 && errno != EINTR)
			break;
		if (pf[2].revents)
			on_policy_event();
		if (index_due && now_ms() >= index_due)
			write_index();
		if (pf[1].revents) {
			struct signalfd_siginfo si;
			bool stop = false;

			while (read(sfd, &si, sizeof si) == sizeof si)
				stop |= si.ssi_signo == SIGTERM ||
					si.ssi_signo == SIGINT;
			if (!reap(&wst)) {
				dlog_err("the worker ended (%s %d): odmd stops",
					 WIFSIGNALED(wst) ? "signal" : "status",
					 WIFSIGNALED(wst) ? WTERMSIG(wst)
							  : WEXITSTATUS(wst));
				status = 1;
				break;
			}
			if (stop)
				break;
		}
		if (pf[0].revents) {
			/* Everything the worker queued, then back to poll. */
			for (int i = 0; i < 256; i++) {
				struct pollfd more = { ch, POLLIN, 0 };
				struct ps_msg m;
				int fd, rc;

				if (i && poll(&more, 1, 0) <= 0)
					break;
				rc = ps_recv(ch, &m, &fd);
				if (rc <= 0) {
					if (rc < 0)
						dlog_err("worker channel: %s",
							 strerror(-rc));
					status = rc < 0;
					goto out;
				}
				serve_one(&m, fd);
			}
		}
		/* After the worker's requests: the kernel's work for them. */
		if (pf[3].revents)
			bpfhost_on_event();
	}
out:
	bpfhost_stop();
	stop_children();
	close(sfd);
	return status;
}
