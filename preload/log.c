/* log.c: one-line, errno-preserving log messages to stderr or syslog. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include "defaults.h"
#include "log.h"

int odm_log_threshold = ODM_LOG_ERROR;
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

void odm_log_write(int level, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_ERR, LOG_WARNING, LOG_INFO,
				    LOG_DEBUG };
	char line[1024];
	int saved = errno, n;
	va_list ap;

	if (level < ODM_LOG_ERROR || level > ODM_LOG_DEBUG)
		level = ODM_LOG_ERROR;
	va_start(ap, fmt);
	if (log_target == ODM_LOG_SYSLOG) {
		vsnprintf(line, sizeof line, fmt, ap);
		syslog(LOG_USER | prio[level], "libodm: %s[%d]: %s",
		       program_invocation_short_name, (int)getpid(), line);
	} else {
		n = snprintf(line, sizeof line, "libodm: %s[%d]: ",
			     program_invocation_short_name, (int)getpid());
		if (n > 0 && (size_t)n < sizeof line - 1)
			n += vsnprintf(line + n, sizeof line - 1 - n, fmt, ap);
		if (n < 0)
			n = 0;
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
