/* dlog.c: odmd's log lines: to stderr, to syslog, or to the journal when
 * stderr is the journal's stream (systemd's StandardError=journal), with
 * each line's level as the journal's "<N>" prefix. */
#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/stat.h>
#include <unistd.h>
#include "dlog.h"

enum { TO_STDERR, TO_SYSLOG, TO_JOURNAL };
static int target = TO_STDERR;
static int threshold = ODM_LOG_INFO;
static const char *who = "";

/* Is fd 2 the stream systemd named in $JOURNAL_STREAM ("DEV:INODE")? */
static bool stderr_is_journal(void)
{
	const char *js = getenv("JOURNAL_STREAM");
	unsigned long long dev, ino;
	struct stat st;

	return js && sscanf(js, "%llu:%llu", &dev, &ino) == 2 &&
	       fstat(STDERR_FILENO, &st) == 0 && st.st_dev == dev &&
	       st.st_ino == ino;
}

void dlog_init(bool to_stderr, int level)
{
	static bool opened;

	threshold = level;
	if (stderr_is_journal())
		target = TO_JOURNAL;
	else if (to_stderr)
		target = TO_STDERR;
	else {
		target = TO_SYSLOG;
		if (!opened)
			openlog("odmd", LOG_PID | LOG_NDELAY, LOG_DAEMON);
		opened = true;
	}
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
	if (target == TO_STDERR)
		fprintf(stderr, "odmd: %s%s\n", tag[level], line);
	else if (target == TO_JOURNAL)
		fprintf(stderr, "<%d>%s%s%s\n", prio[level], who[0] ? who : "",
			who[0] ? ": " : "", line);
	else
		syslog(prio[level], "%s%s%s", who[0] ? who : "", who[0] ? ": " : "",
		       line);
	errno = saved;
}
