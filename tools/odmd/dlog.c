/* dlog.c: odmd's log lines. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <syslog.h>
#include <unistd.h>
#include "dlog.h"

static bool use_stderr = true;
static int threshold = ODM_LOG_INFO;
static const char *who = "";

void dlog_init(bool to_stderr, int level)
{
	use_stderr = to_stderr;
	threshold = level;
	if (!to_stderr)
		openlog("odmd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
}

void dlog_role(const char *role)
{
	who = role;
}

bool dlog_enabled(int level)
{
	return level <= threshold;
}

void dlog(int level, const char *fmt, ...)
{
	static const int prio[] = { LOG_ERR, LOG_ERR, LOG_WARNING, LOG_INFO,
				    LOG_DEBUG };
	static const char *const tag[] = { "", "error: ", "warning: ", "", "debug: " };
	char line[1024];
	int saved = errno, n;
	va_list ap;

	if (level < ODM_LOG_ERROR || level > ODM_LOG_DEBUG)
		level = ODM_LOG_ERROR;
	if (level > threshold)
		return;
	va_start(ap, fmt);
	n = vsnprintf(line, sizeof line, fmt, ap);
	va_end(ap);
	if (n < 0)
		line[0] = '\0';
	if (use_stderr)
		fprintf(stderr, "odmd: %s%s\n", tag[level], line);
	else
		syslog(prio[level], "%s%s%s", who[0] ? who : "", who[0] ? ": " : "",
		       line);
	errno = saved;
}
