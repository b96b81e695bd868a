/* lazy_confuse.c: libconfuse for the shim, loaded on first use (lazy.h). */
#include <confuse.h>
#include <stdarg.h>
#include "lazy.h"

#ifndef ODM_CONFUSE_SONAME
#define ODM_CONFUSE_SONAME "libconfuse.so.2"
#endif

/* Every libconfuse function libodm calls but cfg_init, which loads the
 * library (it starts every parse): return type, name, parameters,
 * arguments. */
#define CONFUSE_REST(X)                                                         \
	X(int, cfg_parse_fp, (cfg_t *a, FILE *b), (a, b))                        \
	X(int, cfg_free, (cfg_t *a), (a))                                        \
	X(cfg_errfunc_t, cfg_set_error_function, (cfg_t *a, cfg_errfunc_t b), (a, b)) \
	X(cfg_validate_callback_t, cfg_set_validate_func,                        \
	  (cfg_t *a, const char *b, cfg_validate_callback_t c), (a, b, c))      \
	X(long int, cfg_getint, (cfg_t *a, const char *b), (a, b))               \
	X(char *, cfg_getstr, (cfg_t *a, const char *b), (a, b))                 \
	X(char *, cfg_getnstr, (cfg_t *a, const char *b, unsigned int c), (a, b, c)) \
	X(cfg_bool_t, cfg_getbool, (cfg_t *a, const char *b), (a, b))            \
	X(cfg_t *, cfg_getsec, (cfg_t *a, const char *b), (a, b))                \
	X(cfg_t *, cfg_getnsec, (cfg_t *a, const char *b, unsigned int c), (a, b, c)) \
	X(cfg_t *, cfg_opt_getnsec, (cfg_opt_t *a, unsigned int b), (a, b))      \
	X(unsigned int, cfg_opt_size, (cfg_opt_t *a), (a))                       \
	X(unsigned int, cfg_size, (cfg_t *a, const char *b), (a, b))             \
	X(const char *, cfg_title, (cfg_t *a), (a))
#define CONFUSE_FUNCS(X) \
	X(cfg_t *, cfg_init, (cfg_opt_t *a, cfg_flag_t b), (a, b)) CONFUSE_REST(X)

#define NAME(ret, name, params, args) #name,
#define FIELD(ret, name, params, args) ret (*name) params;
#define COUNT(ret, name, params, args) +1
#define WRAP(ret, name, params, args) \
	ret name params { return L.f.name args; }

static const char *const names[] = { CONFUSE_FUNCS(NAME) };
static union {
	struct { CONFUSE_FUNCS(FIELD) } f;
	void *p[0 CONFUSE_FUNCS(COUNT)];
} L;
static int state;

cfg_t *cfg_init(cfg_opt_t *opts, cfg_flag_t flags)
{
	if (!odm_lazy_load(ODM_CONFUSE_SONAME, names, L.p,
			   sizeof names / sizeof names[0], &state))
		return NULL;
	return L.f.cfg_init(opts, flags);
}

CONFUSE_REST(WRAP)

/* libodm always sets an error function (cfgutil.c): cfg_error is a call
 * of it. */
void cfg_error(cfg_t *cfg, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	if (cfg && cfg->errfunc)
		cfg->errfunc(cfg, fmt, ap);
	va_end(ap);
}
