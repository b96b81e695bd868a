/* log.c: one-line, errno-preserving log messages to stderr or syslog.
 * When stderr is the journal's stream (a service's StandardError=journal),
 * a line carries its level as "<N>" and not the program's name and pid,
 * which the journal records itself.
 * Warnings, which a busy program may cause per socket, are rate-limited:
 * a burst of ODM_LOG_BURST, then one a second, and the next line that
 * passes says how many were left out. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "defaults.h"
#include "log.h"

int odm_log_threshold = ODM_LOG_WARN;
static int log_target = ODM_LOG_STDERR;
static int env_level = -1, env_target = -1;

static const char *const level_names[] = {
	"none", "error", "warn", "info", "debug",
};

int odm_log_level_parse(const char *name)
{
	if (!name)
		return -1;
	if (name[0] >= '0' && name[0] <= '4' && name[1] == '\0')
		return name[0] - '0';
	for (int i = 0; i <= ODM_LOG_DEBUG; i++)
		if (strcmp(name, level_names[i]) == 0)
			return i;
	return -1;
}

int odm_log_target_parse(const char *name)
{
	if (name && strcmp(name, "stderr") == 0)
		return ODM_LOG_STDERR;
	if (name && strcmp(name, "syslog") == 0)
		return ODM_LOG_SYSLOG;
	return -1;
}

void odm_log_init(void)
{
	env_level = odm_log_level_parse(secure_getenv(ODM_ENV_LOG));
	env_target = odm_log_target_parse(secure_getenv(ODM_ENV_LOG_TARGET));
	odm_log_configure(-1, -1);
}

void odm_log_configure(int level, int target)
{
	if (env_level >= 0)
		level = env_level;
	if (env_target >= 0)
		target = env_target;
	if (level >= 0)
		__atomic_store_n(&odm_log_threshold, level, __ATOMIC_RELAXED);
	if (target >= 0)
		log_target = target;
}

#define ODM_LOG_BURST 5

/* May a warning be written now? Lock-free (a hook may log from a signal
 * handler): a token bucket of ODM_LOG_BURST, one more each second. *left
 * gets how many were dropped since the last one written. */
static bool warn_allowed(unsigned *left)
{
	static long last_s;
	static int tokens = ODM_LOG_BURST;
	static unsigned dropped;
	struct timespec t;
	long last;

	clock_gettime(CLOCK_MONOTONIC_COARSE, &t);
	last = __atomic_load_n(&last_s, __ATOMIC_RELAXED);
	if (t.tv_sec != last &&
	    __atomic_compare_exchange_n(&last_s, &last, t.tv_sec, false,
					__ATOMIC_RELAXED, __ATOMIC_RELAXED)) {
		int add = t.tv_sec - last > ODM_LOG_BURST ? ODM_LOG_BURST
							  : (int)(t.tv_sec - last);
		int now = __atomic_add_fetch(&tokens, add, __ATOMIC_RELAXED);

		if (now > ODM_LOG_BURST)
			__atomic_store_n(&tokens, ODM_LOG_BURST, __ATOMIC_RELAXED);
	}
	if (__atomic_sub_fetch(&tokens, 1, __ATOMIC_RELAXED) < 0) {
		__atomic_add_fetch(&tokens, 1, __ATOMIC_RELAXED);
		__atomic_add_fetch(&dropped, 1, __ATOMIC_RELAXED);
		return false;
	}
	*left = __atomic_exchange_n(&dropped, 0, __ATOMIC_RELAXED);
	return true;
}

/* Is fd 2 the stream $JOURNAL_STREAM ("DEV:INODE") names? Asked once,
 * at the first line written (no cost for a process that logs nothing). */
static bool stderr_is_journal(void)
{
	static int known = -1;
	int k = __atomic_load_n(&known, __ATOMIC_RELAXED);

	if (k < 0) {
		const char *js = getenv("JOURNAL_STREAM");
		unsigned long long dev, ino;
		struct stat st;

		k = js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
		    fstat(STDERR_FILENO, &st) == 0 && st.st_dev == dev &&
		    st.st_ino == ino;
		__atomic_store_n(&known, k, __ATOMIC_RELAXED);
	}
	return k;
}

void odm_log_write(int level, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_ERR, LOG_WARNING, LOG_INFO,
				    LOG_DEBUG };
	char line[1024];
	int saved = errno, n;
	va_list ap;

	unsigned left = 0;

	if (level < ODM_LOG_ERROR || level > ODM_LOG_DEBUG)
		level = ODM_LOG_ERROR;
	if (level == ODM_LOG_WARN && !warn_allowed(&left)) {
		errno = saved;
		return;
	}
	va_start(ap, fmt);
	if (log_target == ODM_LOG_SYSLOG) {
		vsnprintf(line, sizeof line, fmt, ap);
		/* syslog names the program itself (and the journal its pid). */
		if (left)
			syslog(LOG_USER | prio[level], "libodm: %s (%u warnings "
			       "left out before this)", line, left);
		else
			syslog(LOG_USER | prio[level], "libodm: %s", line);
	} else {
		if (stderr_is_journal())
			n = snprintf(line, sizeof line, "<%d>libodm: ",
				     prio[level]);
		else
			n = snprintf(line, sizeof line, "libodm: %s[%d]: ",
				     program_invocation_short_name,
				     (int)getpid());
		if (n > 0 && (size_t)n < sizeof line - 1)
			n += vsnprintf(line + n, sizeof line - 1 - n, fmt, ap);
		if (n < 0)
			n = 0;
		if (left && (size_t)n < sizeof line - 1)
			n += snprintf(line + n, sizeof line - 1 - n,
				      " (%u warnings left out before this)", left);
		if ((size_t)n > sizeof line - 2)
			n = sizeof line - 2;
		line[n++] = '\n';
		/* One write: lines from several processes do not interleave. */
		ssize_t w = write(STDERR_FILENO, line, (size_t)n);
		(void)w;
	}
	va_end(ap);
	errno = saved;
}
