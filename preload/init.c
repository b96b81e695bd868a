/* init.c: once per process: real symbols, logging, and the policy that
 * governs this program. Runs from the constructor, or from the first hook
 * if that comes earlier; hooks reached from inside init pass through. */
#include <errno.h>
#include <limits.h>
#include <linux/futex.h>
#include <pthread.h>
#include <sched.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <sys/syscall.h>
#include <time.h>
#include <unistd.h>
#include "cfgutil.h"
#include "engine.h"
#include "lazy.h"
#include "nladdr.h"
#include "defaults.h"
#include "init.h"
#include "log.h"
#include "own.h"
#include "progid.h"
#include "real.h"

struct odm_process odm_proc;
int odm_init_done;

/* init's state: 0 not started, 1 running, 2 running and waited for, 3
 * done. No pthread_once: its wake-up costs a syscall even uncontended. */
static int init_state;
static __thread int init_running;
static struct odm_policy *policy; /* on the heap: a small .bss */

static void warn_policy(const char *msg)
{
	odm_log(ODM_LOG_WARN, "%s", msg);
}

/* The policy folder: $ODM_POLICY_DIR (not in secure-execution programs).
 * $ODM_POLICY_FILE names one file that governs every program instead. */
static const char *policy_dir(void)
{
	const char *dir = secure_getenv(ODM_ENV_POLICY_DIR);

	return dir && dir[0] ? dir : ODM_DEFAULT_POLICY_DIR;
}

static void load_policy(void)
{
	struct odm_progid_buf buf;
	struct odm_progid id;
	struct odm_policy found;
	const char *file = secure_getenv(ODM_ENV_POLICY_FILE);
	char err[512];
	int rc;

	odm_progid_self(&buf, &id);
	/* On the stack first: a program without a policy never mallocs
	 * (glibc's first malloc costs syscalls). */
	if (file && file[0])
		rc = odm_policy_parse(file, odm_proc.strict, &found, err,
				      sizeof err) ? -1 : 1;
	else
		rc = odm_policy_find(policy_dir(), &id, odm_proc.strict,
				     &found, err, sizeof err, warn_policy);
	if (rc < 0)
		odm_log(ODM_LOG_ERROR, "%s; running in legacy mode", err);
	if (rc <= 0)
		return;
	if (!(policy = malloc(sizeof *policy))) {
		odm_policy_free(&found);
		return;
	}
	*policy = found;
	odm_fork_handlers(); /* its locks are about to be used */
	odm_log_configure(policy->log_level, policy->log_target);
	odm_log(ODM_LOG_INFO, "policy %s governs %s", policy->path,
		id.exe ? id.exe : "this program");
	odm_proc.policy = policy;
}

static void init_process(void)
{
	init_running = 1;
	odm_real_init();
	odm_log_init();
	/* From the auxiliary vector: no syscall. */
	odm_proc.strict = getauxval(AT_EUID) == 0 || getauxval(AT_SECURE);
	load_policy();
	__atomic_store_n(&odm_init_done, 1, __ATOMIC_RELEASE);
	init_running = 0;
}

static void fork_prepare(void)
{
	odm_engine_fork_prepare();
	odm_nl_fork_prepare();
	odm_cfg_fork_prepare();
	odm_lazy_fork_prepare();
}

static void fork_parent(void)
{
	odm_lazy_fork_parent();
	odm_cfg_fork_parent();
	odm_nl_fork_parent();
	odm_engine_fork_parent();
}

static void fork_child(void)
{
	int s = __atomic_load_n(&init_state, __ATOMIC_ACQUIRE);

	odm_lazy_fork_child();
	odm_cfg_fork_child();
	odm_nl_fork_child();
	odm_engine_fork_child();
	odm_own_fork_child();
	/* Forked while another thread was in init: this child runs it. */
	if (s == 1 || s == 2)
		__atomic_store_n(&init_state, 0, __ATOMIC_RELEASE);
}

int odm_fork_handlers(void)
{
	static int state; /* 0 not yet, 1 registered, -1 failed */
	int s = __atomic_load_n(&state, __ATOMIC_ACQUIRE), want = 0;

	if (s)
		return s > 0 ? 0 : -1;
	if (__atomic_compare_exchange_n(&state, &want, 2, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE))
		__atomic_store_n(&state, pthread_atfork(fork_prepare, fork_parent,
							fork_child) ? -1 : 1,
				 __ATOMIC_RELEASE);
	while ((s = __atomic_load_n(&state, __ATOMIC_ACQUIRE)) == 2)
		sched_yield(); /* another thread registers, a few instructions */
	return s > 0 ? 0 : -1;
}

static long futex(int *word, int op, int val, const struct timespec *t)
{
	return odm_real.syscall(SYS_futex, word, op, val, t, NULL, 0);
}

void odm_init_slow(void)
{
	const struct timespec step = { 0, 10 * 1000 * 1000 };
	int saved = errno, s = 0;

	odm_real_init(); /* even a nested call must reach libc */
	if (init_running) {
		errno = saved; /* a hook reached from inside init: libc */
		return;
	}
	if (__atomic_compare_exchange_n(&init_state, &s, 1, false,
					__ATOMIC_ACQ_REL, __ATOMIC_ACQUIRE)) {
		init_process();
		if (__atomic_exchange_n(&init_state, 3, __ATOMIC_ACQ_REL) == 2)
			futex(&init_state, FUTEX_WAKE_PRIVATE, INT_MAX, NULL);
	} else {
		/* Another thread runs it: its work is bounded (no blocking
		 * open, no network); the wait re-checks every 10 ms. */
		while ((s = __atomic_load_n(&init_state, __ATOMIC_ACQUIRE)) != 3) {
			if (s == 1)
				__atomic_compare_exchange_n(&init_state, &s, 2, false,
							    __ATOMIC_ACQ_REL,
							    __ATOMIC_ACQUIRE);
			else if (s == 2)
				futex(&init_state, FUTEX_WAIT_PRIVATE, 2, &step);
			else
				break; /* 0: a fork reset it; init again */
		}
		if (s == 0) {
			odm_init_slow();
			return;
		}
	}
	errno = saved;
}

/* glibc gives the constructors of shared objects the program's arguments:
 * kept, so finding out who runs costs no read of /proc/self/cmdline. */
__attribute__((constructor)) static void odm_constructor(int argc, char **argv,
							 char **envp)
{
	(void)envp;
	odm_argc = argc;
	odm_argv = argv;
	odm_init();
}
