/* dlog.h: odmd's log: levels, to stderr (-d), syslog, or the journal under
 * systemd, one line a message, errno kept. Both of odmd's processes use
 * it; each line says which one speaks. */
#ifndef ODMD_DLOG_H
#define ODMD_DLOG_H

#include <stdbool.h>
#include "log.h"   /* the level numbers, ODM_LOG_* */

/* to_stderr: lines on stderr ("odmd: ..."), else syslog (LOG_DAEMON,
 * ident "odmd", opened now so it survives a chroot); either way the
 * journal, with levels, when stderr is its stream ($JOURNAL_STREAM).
 * level: the highest level written. */
void dlog_init(bool to_stderr, int level);

/* Which process speaks: "parent" or "worker" (shown in syslog lines). */
void dlog_role(const char *role);

bool dlog_enabled(int level);

void dlog(int level, const char *fmt, ...) __attribute__((format(printf, 2, 3)));

#define dlog_err(...)   dlog(ODM_LOG_ERROR, __VA_ARGS__)
#define dlog_warn(...)  dlog(ODM_LOG_WARN, __VA_ARGS__)
#define dlog_info(...)  dlog(ODM_LOG_INFO, __VA_ARGS__)
#define dlog_debug(...) do { if (dlog_enabled(ODM_LOG_DEBUG)) dlog(ODM_LOG_DEBUG, __VA_ARGS__); } while (0)

#endif
