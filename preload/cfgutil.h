/* cfgutil.h: what every libconfuse user in libodm shares: configuration
 * files opened safely (never blocking, regular files only, trusted ones
 * only for privileged programs), one lock (libconfuse's lexer keeps global
 * state), errors captured as one "FILE:LINE: message" line instead of
 * libconfuse's default print to the host's stderr, and the line of each
 * section, found in one pass (so a long file parses in linear time). */
#ifndef ODM_CFGUTIL_H
#define ODM_CFGUTIL_H

#include <confuse.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/stat.h>

/* Why a privileged program must not trust a file or folder with this
 * status ("owned by another user", "writable by group or others"), or
 * NULL when it may. */
const char *odm_cfg_untrusted(const struct stat *st);

/* Opens a configuration file for reading without blocking (a FIFO or a
 * device never hangs the program): only a regular file, and with strict
 * set only a trusted one. The stream, or NULL with err = "FILE: why". */
FILE *odm_cfg_open(const char *path, bool strict, char *err, size_t errlen);

/* Parses path (opened with odm_cfg_open) with cfg (made by cfg_init with
 * the caller's options). Returns 0, or -1 with err holding the first error
 * as "FILE:LINE: message" ("FILE: message" when the file cannot be used).
 * Absolute paths only. Sections of keyword untitle (may be NULL) lose
 * their titles on the way to libconfuse, which would compare each with all
 * the earlier ones; declare them CFGF_MULTI without CFGF_TITLE and get
 * their titles from odm_cfg_nth(). Holds the libconfuse lock until
 * odm_cfg_done(), which the caller calls once it has read what it needs
 * (whatever this returned). */
int odm_cfg_parse(cfg_t *cfg, const char *path, bool strict,
		  const char *untitle, char *err, size_t errlen);

/* The title and line of the i-th section of keyword in the file being
 * parsed: 0, or -1 when there is no such section. */
int odm_cfg_nth(const char *keyword, unsigned i, const char **title, int *line);
void odm_cfg_done(void);

/* The line where section `keyword "title"` (or `keyword title`) opens in
 * the file being parsed (between odm_cfg_parse and odm_cfg_done).
 * libconfuse has read ahead by the time a section's validation runs, so
 * its own line is off; validation callbacks set cfg->line to this before
 * cfg_error(). Sections are looked for in file order, so asking for each
 * in turn is linear in all. Falls back to cfg->line. */
int odm_cfg_section_line(cfg_t *cfg, const char *keyword, const char *title);

/* The first section of keyword whose title appears twice (in the file
 * being parsed): 1 with *title, *line (the second) and *first set, or 0.
 * O(n log n); libconfuse's own check is quadratic. */
int odm_cfg_twice(const char *keyword, const char **title, int *line,
		  int *first);

/* For libconfuse parse callbacks of keyword options: stores in *result
 * (a long) the index i of value in names (NULL-terminated; "" entries are
 * never matched), or reports "bad OPTION 'value' (expected EXPECTED)" at
 * the current line and returns -1. */
int odm_cfg_keyword(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		    void *result, const char *const *names,
		    const char *expected);

/* Parse callbacks for the log-level and log-target options that odm.conf
 * and policy files share (values of enum odm_log_level / odm_log_target). */
int odm_cfg_log_level(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		      void *result);
int odm_cfg_log_target(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		       void *result);

/* Takes and releases the libconfuse lock around fork() (init.c's one set
 * of fork handlers, which keep one order for all of libodm's locks). */
void odm_cfg_fork_prepare(void);
void odm_cfg_fork_parent(void);
void odm_cfg_fork_child(void);

#endif
