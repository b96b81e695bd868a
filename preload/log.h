/* log.h: libodm's logger. Never writes to stdout, keeps errno, one line per
 * message, prefixed "libodm: prog[pid]: ". */
#ifndef ODM_LOG_H
#define ODM_LOG_H

#include <stdbool.h>

enum odm_log_level {
	ODM_LOG_NONE = 0,
	ODM_LOG_ERROR,  /* broken config, refused files */
	ODM_LOG_WARN,   /* default: refusals, fallbacks to legacy (rate-limited) */
	ODM_LOG_INFO,
	ODM_LOG_DEBUG,  /* one line per decision */
};

enum odm_log_target { ODM_LOG_STDERR = 0, ODM_LOG_SYSLOG };

extern int odm_log_threshold;

/* Level from a name ("none", "error", "warn", "info", "debug") or a digit
 * 0-4; -1 if not one. */
int odm_log_level_parse(const char *name);
int odm_log_target_parse(const char *name);

/* Reads ODM_LOG and ODM_LOG_TARGET (secure_getenv). The environment wins
 * over a later odm_log_configure() from a config file. */
void odm_log_init(void);
void odm_log_configure(int level, int target);

static inline bool odm_log_enabled(int level)
{
	return level <= __atomic_load_n(&odm_log_threshold, __ATOMIC_RELAXED);
}

void odm_log_write(int level, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

#define odm_log(level, ...)                                       \
	do {                                                      \
		if (odm_log_enabled(level))                       \
			odm_log_write(level, __VA_ARGS__);        \
	} while (0)

#endif
