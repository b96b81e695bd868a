/* cfgutil.c: serialized libconfuse parsing with errors captured. */
#include <errno.h>
#include <stdbool.h>
#include <pthread.h>
#include <stdio.h>
#include <ctype.h>
#include <string.h>
#include "cfgutil.h"
#include "log.h"

static pthread_mutex_t cfg_lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_once_t cfg_once = PTHREAD_ONCE_INIT;
/* Where the running parse writes its first error; guarded by cfg_lock. */
static char *cfg_err;
static size_t cfg_errlen;

/* Held across fork(), so a child never inherits it locked mid-parse. */
static void lock_for_fork(void) { pthread_mutex_lock(&cfg_lock); }
static void unlock_after_fork(void) { pthread_mutex_unlock(&cfg_lock); }

static void register_fork_handlers(void)
{
	pthread_atfork(lock_for_fork, unlock_after_fork, unlock_after_fork);
}

static void capture_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[512];

	if (!cfg_err || cfg_err[0])
		return; /* keep the first: later ones are often its echoes */
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (cfg && cfg->filename && cfg->line > 0)
		snprintf(cfg_err, cfg_errlen, "%s:%d: %s", cfg->filename,
			 cfg->line, msg);
	else if (cfg && cfg->filename)
		snprintf(cfg_err, cfg_errlen, "%s: %s", cfg->filename, msg);
	else
		snprintf(cfg_err, cfg_errlen, "%s", msg);
}

int odm_cfg_parse(cfg_t *cfg, const char *path, char *err, size_t errlen)
{
	char scratch[512];
	int saved = errno, rc;

	if (!err || errlen == 0) {
		err = scratch;
		errlen = sizeof scratch;
	}
	err[0] = '\0';
	if (!path || path[0] != '/') {
		snprintf(err, errlen, "%s: not an absolute path",
			 path ? path : "(null)");
		return -1;
	}
	pthread_once(&cfg_once, register_fork_handlers);
	pthread_mutex_lock(&cfg_lock);
	cfg_err = err;
	cfg_errlen = errlen;
	cfg_set_error_function(cfg, capture_error);
	errno = 0;
	rc = cfg_parse(cfg, path);
	if (rc == CFG_FILE_ERROR)
		snprintf(err, errlen, "%s: %s", path,
			 strerror(errno ? errno : ENOENT));
	else if (rc != CFG_SUCCESS && !err[0])
		snprintf(err, errlen, "%s: parse error", path);
	cfg_err = NULL;
	pthread_mutex_unlock(&cfg_lock);
	errno = saved;
	return rc == CFG_SUCCESS ? 0 : -1;
}

/* Does line open section keyword title? Blanks may precede each word; the
 * title may be quoted. */
static bool opens(const char *line, const char *keyword, const char *title)
{
	size_t k = strlen(keyword), t = strlen(title);

	while (isspace((unsigned char)*line))
		line++;
	if (strncmp(line, keyword, k) != 0 || !isspace((unsigned char)line[k]))
		return false;
	line += k;
	while (isspace((unsigned char)*line))
		line++;
	if (*line == '"')
		return strncmp(line + 1, title, t) == 0 && line[t + 1] == '"';
	return strncmp(line, title, t) == 0 &&
	       (!line[t] || isspace((unsigned char)line[t]) || line[t] == '{');
}

int odm_cfg_section_line(cfg_t *cfg, const char *keyword, const char *title)
{
	char buf[1024];
	int n = 0, found = 0;
	FILE *f;

	if (!cfg || !cfg->filename || !title)
		return cfg ? cfg->line : 0;
	f = fopen(cfg->filename, "re");
	if (!f)
		return cfg->line;
	while (!found && fgets(buf, sizeof buf, f)) {
		n++;
		if (opens(buf, keyword, title))
			found = n;
	}
	fclose(f);
	return found ? found : cfg->line;
}

int odm_cfg_keyword(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		    void *result, const char *const *names,
		    const char *expected)
{
	for (long i = 0; names[i]; i++)
		if (names[i][0] && strcmp(value, names[i]) == 0) {
			*(long *)result = i;
			return 0;
		}
	cfg_error(cfg, "bad %s '%s' (expected %s)", opt->name, value, expected);
	return -1;
}

/* A value parsed by log.c's own parser, or an error naming the choices. */
static int log_option(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		      void *result, int v, const char *expected)
{
	if (v < 0) {
		cfg_error(cfg, "bad %s '%s' (expected %s)", opt->name, value,
			  expected);
		return -1;
	}
	*(long *)result = v;
	return 0;
}

int odm_cfg_log_level(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		      void *result)
{
	return log_option(cfg, opt, value, result, odm_log_level_parse(value),
			  "none, error, warn, info or debug");
}

int odm_cfg_log_target(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		       void *result)
{
	return log_option(cfg, opt, value, result, odm_log_target_parse(value),
			  "stderr or syslog");
}
