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

/* For validation callbacks: report an error at the line being parsed. */
#define odm_cfg_error cfg_error

#endif
