/* init.c: once per process: real symbols, logging, and the policy that
 * governs this program. Runs from the constructor, or from the first hook
 * if that comes earlier; hooks reached from inside init pass through. */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <sys/auxv.h>
#include <unistd.h>
#include "defaults.h"
#include "init.h"
#include "log.h"
#include "progid.h"
#include "real.h"

struct odm_process odm_proc;
int odm_init_done;

static pthread_once_t init_once = PTHREAD_ONCE_INIT;
static __thread int init_running;
static struct odm_policy policy;

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
	const char *file = secure_getenv(ODM_ENV_POLICY_FILE);
	char err[512];
	int rc;

	odm_progid_self(&buf, &id);
	if (file && file[0])
		rc = odm_policy_parse(file, &policy, err, sizeof err) ? -1 : 1;
	else
		rc = odm_policy_find(policy_dir(), &id, odm_proc.strict,
				     &policy, err, sizeof err, warn_policy);
	if (rc < 0) {
		odm_log(ODM_LOG_ERROR, "%s; running in legacy mode", err);
		return;
	}
	if (rc == 0)
		return;
	odm_log_configure(policy.log_level, policy.log_target);
	odm_log(ODM_LOG_INFO, "policy %s governs %s", policy.path,
		id.exe ? id.exe : "this program");
	odm_proc.policy = &policy;
}

static void init_process(void)
{
	init_running = 1;
	odm_real_init();
	odm_log_init();
	odm_proc.strict = geteuid() == 0 || getauxval(AT_SECURE);
	load_policy();
	__atomic_store_n(&odm_init_done, 1, __ATOMIC_RELEASE);
	init_running = 0;
}

void odm_init_slow(void)
{
	int saved = errno;

	odm_real_init(); /* even a nested call must reach libc */
	if (!init_running)
		pthread_once(&init_once, init_process);
	errno = saved;
}

__attribute__((constructor)) static void odm_constructor(void)
{
	odm_init();
}
