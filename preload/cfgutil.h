/* cfgutil.h: what every libconfuse user in libodm shares: one lock (the
 * lexer keeps global state), errors captured as one "FILE:LINE: message"
 * line instead of libconfuse's default print to the host's stderr. */
#ifndef ODM_CFGUTIL_H
#define ODM_CFGUTIL_H

#include <confuse.h>
#include <stddef.h>

/* Parses path with cfg (made by cfg_init with the caller's options) under
 * the libconfuse lock. Returns 0, or -1 with err holding the first error as
 * "FILE:LINE: message" ("FILE: message" when the file cannot be read).
 * Absolute paths only: libconfuse expands "~" through getpwuid. */
int odm_cfg_parse(cfg_t *cfg, const char *path, char *err, size_t errlen);

/* The line where section `keyword "title"` (or `keyword title`) opens in
 * the file being parsed. libconfuse has read ahead by the time a section's
 * validation runs, so its own line is off; validation callbacks set
 * cfg->line to this before cfg_error(). Falls back to cfg->line. */
int odm_cfg_section_line(cfg_t *cfg, const char *keyword, const char *title);

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

/* For validation callbacks: report an error at the line being parsed. */
#define odm_cfg_error cfg_error

#endif
