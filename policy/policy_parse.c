/* policy_parse.c: one policy file (odm-policy(5)) into a struct
 * odm_policy. libconfuse callbacks check each value where it is written,
 * so every error names its line. */
#include <errno.h>
#include <netinet/in.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cfgutil.h"
#include "hostconf.h"
#include "policy.h"
#include "sctype.h"

#define TYPES "fixed, session-lasting, nonpersistent, graceful-replacement or legacy"

static int cb_type(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	static const char *const names[] = {
		"legacy", "fixed", "session-lasting", "nonpersistent",
		"graceful-replacement", NULL };

	return odm_cfg_keyword(cfg, opt, value, result, names, TYPES);
}

static int cb_proto(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	static const char *const names[] = { "", "tcp", "udp", NULL };

	return odm_cfg_keyword(cfg, opt, value, result, names, "tcp or udp");
}

static int cb_role(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	static const char *const names[] = { "", "client", "server", NULL };

	return odm_cfg_keyword(cfg, opt, value, result, names, "client or server");
}

static int cb_onfail(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	static const char *const names[] = { "fail", "legacy", NULL };

	return odm_cfg_keyword(cfg, opt, value, result, names, "fail or legacy");
}

static int cb_server_bind(cfg_t *cfg, cfg_opt_t *opt, const char *value,
			  void *result)
{
	static const char *const names[] = { "wildcard", "address", NULL };

	return odm_cfg_keyword(cfg, opt, value, result, names, "wildcard or address");
}

static int cb_address(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		      void *result)
{
	static const char *const names[] = { "shared", "per-socket",
					     "per-process", NULL };

	return odm_cfg_keyword(cfg, opt, value, result, names,
			       "shared, per-socket or per-process");
}

/* A number with a unit: "90", "90s", "10m", "2h", "1d" (seconds); or
 * "500", "64k", "10M", "1G" (bytes, powers of 1024). 0 is "never". */
static int with_unit(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		     void *result, const char *units, const long *mult,
		     const char *what)
{
	unsigned long long v;
	const char *u;
	char *end;

	errno = 0;
	v = strtoull(value, &end, 10);
	u = *end ? strchr(units, *end) : NULL;
	if (end == value || value[0] == '-' || errno ||
	    (*end && (!u || end[1])) ||
	    v > (unsigned long long)(0x7fffffffffffffffLL /
				     (u ? mult[u - units] : 1))) {
		cfg_error(cfg, "bad %s '%s' (expected %s)", opt->name, value,
			  what);
		return -1;
	}
	*(long *)result = (long)(v * (u ? (unsigned long long)mult[u - units]
					 : 1));
	return 0;
}

static int cb_duration(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		       void *result)
{
	static const long mult[] = { 1, 60, 3600, 86400 };

	if (with_unit(cfg, opt, value, result, "smhd", mult,
		      "a duration such as 90, 90s, 10m, 2h or 1d"))
		return -1;
	if (*(long *)result > 0xfffffffeL) {
		cfg_error(cfg, "bad %s '%s' (longer than 136 years)", opt->name,
			  value);
		return -1;
	}
	return 0;
}

static int cb_size(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	static const long mult[] = { 1024, 1024L * 1024, 1024L * 1024 * 1024,
				     1024L * 1024 * 1024 * 1024 };

	return with_unit(cfg, opt, value, result, "kMGT", mult,
			 "a size such as 500, 64k, 10M or 1G");
}

/* "53" or "8000-8100" -> lo << 16 | hi. */
static int cb_port(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	unsigned long lo, hi;
	char *end;

	lo = strtoul(value, &end, 10);
	hi = lo;
	if (end != value && *end == '-')
		hi = strtoul(end + 1, &end, 10);
	if (!value[0] || value[0] == '-' || *end || lo < 1 || hi > 65535 ||
	    lo > hi) {
		cfg_error(cfg, "bad %s '%s' (expected a port 1-65535 or a "
			  "range such as 8000-8100)", opt->name, value);
		return -1;
	}
	*(long *)result = (long)(lo << 16 | hi);
	return 0;
}

static int cb_prefix(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	struct in6_addr net;
	unsigned len;

	if (odm_prefix_parse(value, &net, &len)) {
		cfg_error(cfg, "bad %s '%s' (expected an IPv6 prefix such as "
			  "2001:db8::/48)", opt->name, value);
		return -1;
	}
	*(const char **)result = value;
	return 0;
}

static int cb_path(cfg_t *cfg, cfg_opt_t *opt, const char *value, void *result)
{
	if (value[0] != '/') {
		cfg_error(cfg, "bad %s '%s' (expected an absolute path)",
			  opt->name, value);
		return -1;
	}
	*(const char **)result = value;
	return 0;
}

static int check_rule(cfg_t *cfg, cfg_opt_t *opt)
{
	unsigned i = cfg_opt_size(opt) - 1;
	cfg_t *sec = cfg_opt_getnsec(opt, i);
	const char *title = "?";
	int line = cfg->line;

	if (sec && cfg_size(sec, "type") == 0) {
		odm_cfg_nth("rule", i, &title, &line);
		cfg->line = line;
		cfg_error(cfg, "rule %s has no type (expected " TYPES ")", title);
		return -1;
	}
	return 0;
}

static cfg_opt_t rule_opts[] = {
	CFG_STR_CB("destination", NULL, CFGF_NODEFAULT, cb_prefix),
	CFG_INT_CB("port", 0, CFGF_NODEFAULT, cb_port),
	CFG_INT_CB("protocol", 0, CFGF_NODEFAULT, cb_proto),
	CFG_INT_CB("role", 0, CFGF_NODEFAULT, cb_role),
	CFG_INT_CB("type", 0, CFGF_NODEFAULT, cb_type),
	CFG_BOOL("on-net", cfg_false, CFGF_NODEFAULT),
	CFG_INT_CB("on-failure", 0, CFGF_NODEFAULT, cb_onfail),
	CFG_INT_CB("address", 0, CFGF_NODEFAULT, cb_address),
	CFG_INT_CB("rotate", 0, CFGF_NODEFAULT, cb_duration),
	CFG_INT_CB("rotate-bytes", 0, CFGF_NODEFAULT, cb_size),
	CFG_END()
};

static cfg_opt_t file_opts[] = {
	CFG_STR_LIST_CB("program", NULL, CFGF_NODEFAULT, cb_path),
	CFG_STR_LIST("name", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST_CB("script", NULL, CFGF_NODEFAULT, cb_path),
	CFG_INT_CB("type", 0, CFGF_NONE, cb_type),
	CFG_BOOL("on-net", cfg_false, CFGF_NONE),
	CFG_INT_CB("on-failure", ODM_ONFAIL_FAIL, CFGF_NONE, cb_onfail),
	CFG_INT_CB("address", ODM_ADDR_SHARED, CFGF_NONE, cb_address),
	CFG_INT_CB("rotate", 0, CFGF_NONE, cb_duration),
	CFG_INT_CB("rotate-bytes", 0, CFGF_NONE, cb_size),
	CFG_INT_CB("server-bind", ODM_SERVER_WILDCARD, CFGF_NONE, cb_server_bind),
	CFG_INT_CB("log-level", -1, CFGF_NONE, odm_cfg_log_level),
	CFG_INT_CB("log-target", -1, CFGF_NONE, odm_cfg_log_target),
	/* Titled in the file, but given to libconfuse without their titles
	 * (odm_cfg_parse): it would compare each with all the earlier ones.
	 * Duplicates are found after the parse (odm_cfg_twice). */
	CFG_SEC("rule", rule_opts, CFGF_MULTI),
	CFG_END()
};

/* A copy of the list option name, as a NULL-free array of n strings;
 * with resolve, paths through their symlinks (as the kernel names a
 * running program), left as written when they do not exist. */
static char **copy_list(cfg_t *cfg, const char *name, size_t *n, bool resolve)
{
	char **v, real[PATH_MAX];

	*n = cfg_size(cfg, name);
	v = calloc(*n ? *n : 1, sizeof *v);
	for (size_t i = 0; v && i < *n; i++) {
		const char *s = cfg_getnstr(cfg, name, (unsigned)i);

		if (resolve && realpath(s, real))
			s = real;
		if (!(v[i] = strdup(s))) {
			while (i--)
				free(v[i]);
			free(v);
			return NULL;
		}
	}
	return v;
}

static void fill_rule(unsigned i, cfg_t *sec, const struct odm_rule *deflt,
		      struct odm_rule *r)
{
	const char *title = "?";
	long port;

	*r = *deflt;
	odm_cfg_nth("rule", i, &title, &r->line);
	snprintf(r->name, sizeof r->name, "%s", title);
	if (cfg_size(sec, "destination")) {
		r->has_dest = true;
		odm_prefix_parse(cfg_getstr(sec, "destination"), &r->dest,
				 &r->dest_len);
	}
	if (cfg_size(sec, "port")) {
		port = cfg_getint(sec, "port");
		r->port_lo = (uint16_t)(port >> 16);
		r->port_hi = (uint16_t)(port & 0xffff);
	}
	if (cfg_size(sec, "protocol"))
		r->proto = cfg_getint(sec, "protocol") == 1 ? IPPROTO_TCP
							    : IPPROTO_UDP;
	if (cfg_size(sec, "role"))
		r->role = (int)cfg_getint(sec, "role");
	r->type = (sc_type)cfg_getint(sec, "type");
	if (cfg_size(sec, "on-net"))
		r->on_net = cfg_getbool(sec, "on-net");
	if (cfg_size(sec, "on-failure"))
		r->on_failure = (int)cfg_getint(sec, "on-failure");
	if (cfg_size(sec, "address"))
		r->address = (int)cfg_getint(sec, "address");
	if (cfg_size(sec, "rotate"))
		r->rotate_s = (uint32_t)cfg_getint(sec, "rotate");
	if (cfg_size(sec, "rotate-bytes"))
		r->rotate_bytes = (uint64_t)cfg_getint(sec, "rotate-bytes");
}

int odm_policy_parse(const char *path, bool strict, struct odm_policy *out,
		     char *err, size_t errlen)
{
	const char *twice;
	int line, first;
	cfg_t *cfg;
	int rc = -1;

	memset(out, 0, sizeof *out);
	cfg = cfg_init(file_opts, CFGF_NONE);
	if (!cfg) {
		snprintf(err, errlen, "%s: out of memory (or no libconfuse)", path);
		return -1;
	}
	cfg_set_validate_func(cfg, "rule", check_rule);
	if (odm_cfg_parse(cfg, path, strict, "rule", err, errlen))
		goto out;
	if (odm_cfg_twice("rule", &twice, &line, &first)) {
		snprintf(err, errlen, "%s:%d: rule %s is defined twice (first at "
			 "line %d)", path, line, twice, first);
		goto out;
	}
	if (!cfg_size(cfg, "program") && !cfg_size(cfg, "name") &&
	    !cfg_size(cfg, "script")) {
		snprintf(err, errlen, "%s: names no program, name or script, so "
			 "it governs nothing", path);
		goto out;
	}
	snprintf(out->path, sizeof out->path, "%s", path);
	snprintf(out->deflt.name, sizeof out->deflt.name, "default");
	out->deflt.type = (sc_type)cfg_getint(cfg, "type");
	out->deflt.on_net = cfg_getbool(cfg, "on-net");
	out->deflt.on_failure = (int)cfg_getint(cfg, "on-failure");
	out->deflt.address = (int)cfg_getint(cfg, "address");
	out->deflt.rotate_s = (uint32_t)cfg_getint(cfg, "rotate");
	out->deflt.rotate_bytes = (uint64_t)cfg_getint(cfg, "rotate-bytes");
	out->server_bind = (int)cfg_getint(cfg, "server-bind");
	out->log_level = (int)cfg_getint(cfg, "log-level");
	out->log_target = (int)cfg_getint(cfg, "log-target");
	out->nrules = cfg_size(cfg, "rule");
	out->keys.programs = copy_list(cfg, "program", &out->keys.nprograms, true);
	out->keys.names = copy_list(cfg, "name", &out->keys.nnames, false);
	out->keys.scripts = copy_list(cfg, "script", &out->keys.nscripts, true);
	out->rules = calloc(out->nrules ? out->nrules : 1, sizeof *out->rules);
	if (!out->keys.programs || !out->keys.names || !out->keys.scripts ||
	    !out->rules) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	for (size_t i = 0; i < out->nrules; i++)
		fill_rule((unsigned)i, cfg_getnsec(cfg, "rule", (unsigned)i),
			  &out->deflt, &out->rules[i]);
	rc = 0;
out:
	odm_cfg_done();
	cfg_free(cfg);
	if (rc)
		odm_policy_free(out);
	return rc;
}

static void free_list(char **v, size_t n)
{
	for (size_t i = 0; v && i < n; i++)
		free(v[i]);
	free(v);
}

void odm_policy_keys_free(struct odm_policy_keys *k)
{
	free_list(k->programs, k->nprograms);
	free_list(k->names, k->nnames);
	free_list(k->scripts, k->nscripts);
	memset(k, 0, sizeof *k);
}

void odm_policy_free(struct odm_policy *p)
{
	odm_policy_keys_free(&p->keys);
	free(p->rules);
	memset(p, 0, sizeof *p);
}
