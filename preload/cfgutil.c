/* cfgutil.c: serialized libconfuse parsing with errors captured. */
#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include "cfgutil.h"

static pthread_mutex_t cfg_lock = PTHREAD_MUTEX_INITIALIZER;
/* Where the running parse writes its first error; guarded by cfg_lock. */
static char *cfg_err;
static size_t cfg_errlen;

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
