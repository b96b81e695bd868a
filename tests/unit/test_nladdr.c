/* test_nladdr.c: the rtnetlink address dump and the monitor's generation
 * counter, against the kernel, in a network namespace of the test's own
 * (unshare: needs root). The veth pair has no link-local addresses
 * (addrgenmode none), so no DAD runs unless a test asks for it and the
 * monitor stays quiet between the changes the tests make. */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <linux/if_addr.h>
#include <linux/rtnetlink.h>
#include <sched.h>
#include <signal.h>
#include <stdlib.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "defaults.h"
#include "nladdr.h"
#include "real.h"
#include "test.h"

static struct odm_nladdr *list;
static size_t n;

#ifdef __SANITIZE_THREAD__
/* The fork tests start the monitor in a child of a threaded process, as a
 * preloaded program does; TSan refuses that unless told. */
__attribute__((visibility("default")))
const char *__tsan_default_options(void);
const char *__tsan_default_options(void)
{
	return "die_after_fork=0";
}
#endif

static int sh(const char *cmd)
{
	return system(cmd);
}

/* Dumps afresh; the entry for text, or NULL. */
static const struct odm_nladdr *find(const char *text)
{
	struct in6_addr a;

	free(list);
	list = NULL;
	n = 0;
	if (odm_nl_dump_addrs(&odm_nl_real_io, &list, &n) != 0 || inet_pton(AF_INET6, text, &a) != 1)
		return NULL;
	for (size_t i = 0; i < n; i++)
		if (!memcmp(&list[i].addr, &a, sizeof a))
			return &list[i];
	return NULL;
}

/* Waits (2 s at most, in 10 ms steps) for the generation to pass gen. */
static bool moved_past(uint64_t gen)
{
	struct timespec step = { 0, 10 * 1000 * 1000 };

	for (int i = 0; i < 200; i++) {
		if (odm_nl_generation() > gen)
			return true;
		nanosleep(&step, NULL);
	}
	return false;
}

/* Waits for the kernel's announcements of changes made so far to be seen:
 * until the generation stands still for 100 ms (2 s at most). */
static void settle(void)
{
	struct timespec step = { 0, 100 * 1000 * 1000 };
	uint64_t g;

	for (int i = 0; i < 20; i++) {
		g = odm_nl_generation();
		nanosleep(&step, NULL);
		if (odm_nl_generation() == g)
			return;
	}
}

static void loopback_has_host_scope(void)
{
	const struct odm_nladdr *a;

	errno = 1234;
	a = find("::1");
	CHECK(errno == 1234);
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK(a->scope == RT_SCOPE_HOST && a->plen == 128);
	CHECK_STR(a->ifname, "lo");
	CHECK(a->valid == ODM_LIFETIME_INFINITE);
	CHECK(a->preferred == ODM_LIFETIME_INFINITE);
	CHECK(a->flags & IFA_F_PERMANENT);
}

static void nodad_address_with_lifetimes(void)
{
	const struct odm_nladdr *a;

	CHECK(sh("ip -6 addr add 2001:db8:5::10/64 dev a0 nodad "
		 "preferred_lft 300 valid_lft 600") == 0);
	a = find("2001:db8:5::10");
	CHECK(a != NULL);
	if (!a)
		return;
	CHECK(a->plen == 64 && a->scope == RT_SCOPE_UNIVERSE);
	CHECK_STR(a->ifname, "a0");
	CHECK(a->ifindex > 1);
	CHECK(a->preferred <= 300 && a->preferred >= 298);
	CHECK(a->valid <= 600 && a->valid >= 598);
	CHECK(a->flags & IFA_F_NODAD);
	CHECK(!(a->flags & (IFA_F_TENTATIVE | IFA_F_DEPRECATED | IFA_F_PERMANENT)));
}

/* noprefixroute is 0x200: only the 32-bit IFA_FLAGS attribute carries it. */
static void flags_beyond_eight_bits(void)
{
	const struct odm_nladdr *a;

	CHECK(sh("ip -6 addr add 2001:db8:8::1/64 dev a0 nodad noprefixroute") == 0);
	a = find("2001:db8:8::1");
	CHECK(a && (a->flags & IFA_F_NOPREFIXROUTE) && (a->flags & IFA_F_PERMANENT));
	CHECK(sh("ip -6 addr del 2001:db8:8::1/64 dev a0") == 0);
}

static void tentative_during_dad(void)
{
	const struct odm_nladdr *a;

	CHECK(sh("ip -6 addr add 2001:db8:6::10/64 dev a0") == 0);
	a = find("2001:db8:6::10");
	CHECK(a && (a->flags & IFA_F_TENTATIVE));
	/* Gone again before its DAD ends, so no late announcement. */
	CHECK(sh("ip -6 addr del 2001:db8:6::10/64 dev a0") == 0);
	CHECK(find("::1") && !find("2001:db8:6::10"));
}

static void deprecated_by_change(void)
{
	const struct odm_nladdr *a;

	CHECK(sh("ip -6 addr change 2001:db8:5::10/64 dev a0 preferred_lft 0 "
		 "valid_lft 600") == 0);
	a = find("2001:db8:5::10");
	CHECK(a != NULL);
	CHECK(a && a->preferred == 0 && (a->flags & IFA_F_DEPRECATED));
	CHECK(a && a->valid <= 600 && a->valid >= 598);
}

static void creation_stamps_ordered(void)
{
	const struct odm_nladdr *a;
	uint32_t first;

	CHECK(sh("ip -6 addr add 2001:db8:9::1/64 dev a0 nodad") == 0);
	a = find("2001:db8:9::1");
	CHECK(a != NULL);
	first = a ? a->cstamp : 0;
	CHECK(first > 0);
	usleep(30000);
	CHECK(sh("ip -6 addr add 2001:db8:9::2/64 dev a0 nodad") == 0);
	a = find("2001:db8:9::2");
	CHECK(a && a->cstamp >= first);
}

static void monitor_counts_changes(void)
{
	uint64_t g;

	errno = 1234;
	CHECK(odm_nl_monitor_start() == 0);
	CHECK(errno == 1234);
	CHECK(odm_nl_monitor_running());
	CHECK(odm_nl_monitor_start() == 0); /* once per process */
	settle();
	g = odm_nl_generation();
	CHECK(sh("ip -6 addr add 2001:db8:7::1/64 dev a0 nodad") == 0);
	CHECK(moved_past(g));
	settle();
	g = odm_nl_generation();
	CHECK(sh("ip -6 addr change 2001:db8:7::1/64 dev a0 nodad "
		 "preferred_lft 0 valid_lft 100") == 0);
	CHECK(moved_past(g));
	settle();
	g = odm_nl_generation();
	CHECK(sh("ip -6 addr del 2001:db8:7::1/64 dev a0") == 0);
	CHECK(moved_past(g));
	settle();
	g = odm_nl_generation();
	CHECK(sh("ip link set a1 mtu 1400") == 0); /* no address change */
	usleep(200000);
	CHECK(odm_nl_generation() == g);
	CHECK(odm_nl_monitor_running());
}

/* The mask of the thread named odm-nlmon, from /proc; 0 if none. */
static unsigned long long monitor_sigblk(void)
{
	unsigned long long mask = 0;
	char path[300], line[256];
	struct dirent *e;
	DIR *d = opendir("/proc/self/task");
	FILE *f;

	while (d && (e = readdir(d)) && !mask) {
		snprintf(path, sizeof path, "/proc/self/task/%s/comm", e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		if (!fgets(line, sizeof line, f) || strcmp(line, "odm-nlmon\n")) {
			fclose(f);
			continue;
		}
		fclose(f);
		snprintf(path, sizeof path, "/proc/self/task/%s/status", e->d_name);
		if (!(f = fopen(path, "r")))
			continue;
		while (fgets(line, sizeof line, f))
			if (sscanf(line, "SigBlk: %llx", &mask) == 1)
				break;
		fclose(f);
	}
	if (d)
		closedir(d);
	return mask;
}

static bool blocks(unsigned long long mask, int sig)
{
	return mask & (1ull << (sig - 1));
}

/* Runs after monitor_counts_changes: the thread exists by now. */
static void monitor_blocks_signals(void)
{
	unsigned long long mask = monitor_sigblk();
	sigset_t only_usr2, now;

	int status = -1;
	pid_t pid;

	CHECK(blocks(mask, SIGINT) && blocks(mask, SIGTERM) &&
	      blocks(mask, SIGALRM) && blocks(mask, SIGUSR1) &&
	      blocks(mask, SIGCHLD) && blocks(mask, SIGPIPE));
	/* The starter's own mask is left as it was (in a child, where the
	 * monitor starts afresh). */
	sigemptyset(&only_usr2);
	sigaddset(&only_usr2, SIGUSR2);
	pid = fork();
	if (pid == 0) {
		sigprocmask(SIG_SETMASK, &only_usr2, NULL);
		if (odm_nl_monitor_start() != 0)
			_exit(1);
		sigprocmask(SIG_SETMASK, NULL, &now);
		_exit(sigismember(&now, SIGUSR2) && !sigismember(&now, SIGUSR1) &&
		      !sigismember(&now, SIGTERM) ? 0 : 2);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status) && WEXITSTATUS(status) == 0);
}

/* A forked child has no monitor thread: it must say so, bump the
 * generation, and start its own monitor, which then counts changes. */
static void forked_child_restarts(void)
{
	uint64_t before = odm_nl_generation();
	pid_t pid = fork();
	int status = -1;

	if (pid == 0) {
		int bad = 0;
		uint64_t g;

		if (odm_nl_monitor_running())
			bad |= 1;
		if (odm_nl_generation() <= before)
			bad |= 2;
		if (odm_nl_monitor_start() != 0 || !odm_nl_monitor_running())
			bad |= 4;
		g = odm_nl_generation();
		if (sh("ip -6 addr add 2001:db8:a::1/64 dev a0 nodad") != 0 ||
		    !moved_past(g))
			bad |= 8;
		_exit(bad);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	status = WEXITSTATUS(status);
	CHECK(!(status & 1)); /* not running in the child */
	CHECK(!(status & 2)); /* generation bumped in the child */
	CHECK(!(status & 4)); /* restarted in the child */
	CHECK(!(status & 8)); /* the child's monitor counts */
	CHECK(odm_nl_monitor_running()); /* the parent's is untouched */
	CHECK(moved_past(before));       /* and saw the child's change */
}

/* A program that closes the monitor's fd behind its back (and gets the
 * number again for a socket of its own) loses the monitor, not its socket:
 * the thread notices, stops without reading or closing that fd, and the
 * next start brings a new one. In a child, whose monitor's fd is known. */
static void monitor_fd_closed_by_the_program(void)
{
	pid_t pid = fork();
	int status = -1;

	if (pid == 0) {
		int bad = 0, guess = dup(0), mine;
		uint64_t g;

		close(guess); /* the lowest free number: the monitor's next */
		if (odm_nl_monitor_start() != 0)
			_exit(1);
		close(guess);
		mine = socket(AF_INET, SOCK_DGRAM | SOCK_CLOEXEC, 0);
		if (mine != guess)
			_exit(2);
		g = odm_nl_generation();
		if (sh("ip -6 addr add 2001:db8:b::1/64 dev a0 nodad") != 0)
			_exit(3);
		for (int i = 0; i < 200 && odm_nl_monitor_running(); i++)
			usleep(10000);
		if (odm_nl_monitor_running() || odm_nl_generation() <= g)
			bad |= 4;
		if (fcntl(mine, F_GETFD) < 0)
			bad |= 8; /* the program's socket was closed */
		if (odm_nl_monitor_start() != 0 || !odm_nl_monitor_running())
			bad |= 16;
		_exit(bad);
	}
	CHECK(pid > 0 && waitpid(pid, &status, 0) == pid);
	CHECK(WIFEXITED(status));
	status = WEXITSTATUS(status);
	CHECK(status != 1 && status != 2 && status != 3); /* set-up */
	CHECK(status < 4 || !(status & 4));  /* the thread stopped, said so */
	CHECK(status < 4 || !(status & 8));  /* the program's socket lives */
	CHECK(status < 4 || !(status & 16)); /* a new monitor starts */
}

/* Adds count addresses prefix::1, prefix::2, ... on lo, where adding many
 * is fast, through one "ip -batch". */
static int add_many(const char *prefix, size_t count)
{
	char path[] = "/tmp/test_nladdr.XXXXXX", cmd[64];
	int fd = mkstemp(path), rc;
	FILE *f = fd >= 0 ? fdopen(fd, "w") : NULL;

	if (!f)
		return -1;
	for (size_t i = 1; i <= count; i++)
		fprintf(f, "addr add %s::%zx/128 dev lo nodad\n", prefix, i);
	fclose(f);
	snprintf(cmd, sizeof cmd, "ip -6 -batch %s", path);
	rc = sh(cmd);
	unlink(path);
	return rc;
}

/* A host with 20,000 addresses: the dump comes in many parts and has no
 * cap. */
static void twenty_thousand_addresses(void)
{
	uint64_t g = odm_nl_generation();
	size_t before;

	CHECK(find("::1") != NULL);
	before = n;
	CHECK(add_many("2001:db8:100", 20000) == 0);
	CHECK(find("2001:db8:100::4e20") != NULL);
	CHECK(n == before + 20000);
	CHECK(moved_past(g));
}

int main(void)
{
	if (geteuid() != 0 || unshare(CLONE_NEWNET) != 0) {
		printf("ok 1 - nladdr # SKIP needs root to unshare a network "
		       "namespace\n1..1\n");
		return 0;
	}
	odm_real_init();
	if (sh("ip link set lo up && ip link add a0 type veth peer name a1 && "
	       "ip link set a0 addrgenmode none && ip link set a1 addrgenmode none && "
	       "ip link set a0 up && ip link set a1 up") != 0) {
		printf("not ok 1 - set up a veth pair\n1..1\n");
		return 1;
	}
	RUN(loopback_has_host_scope);
	RUN(nodad_address_with_lifetimes);
	RUN(flags_beyond_eight_bits);
	RUN(tentative_during_dad);
	RUN(deprecated_by_change);
	RUN(creation_stamps_ordered);
	RUN(monitor_counts_changes);
	RUN(monitor_blocks_signals);
	RUN(forked_child_restarts);
	RUN(monitor_fd_closed_by_the_program);
	RUN(twenty_thousand_addresses);
	free(list);
	return TEST_DONE();
}
