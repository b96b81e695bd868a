/* hostconf.c: odm.conf, the host's typed prefixes and interfaces, read
 * with libconfuse; and the prefix helpers the policy language shares. */
#include <arpa/inet.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cfgutil.h"
#include "defaults.h"
#include "hostconf.h"

#define TYPE_CHOICES "fixed, session-lasting, nonpersistent or graceful-replacement"

int odm_prefix_parse(const char *text, struct in6_addr *net, unsigned *len)
{
	char buf[INET6_ADDRSTRLEN + 8], *slash, *end;
	unsigned long l;

	if (!text || strlen(text) >= sizeof buf)
		return -1;
	strcpy(buf, text);
	slash = strchr(buf, '/');
	if (!slash || !slash[1])
		return -1;
	*slash = '\0';
	l = strtoul(slash + 1, &end, 10);
	if (*end || l > 128 || slash[1] < '0' || slash[1] > '9' ||
	    inet_pton(AF_INET6, buf, net) != 1)
		return -1;
	*len = (unsigned)l;
	for (unsigned i = 0; i < 16; i++) {
		unsigned keep = *len > i * 8 ? *len - i * 8 : 0;

		if (keep < 8)
			net->s6_addr[i] &= (uint8_t)(0xff00u >> keep);
	}
	return 0;
}

int odm_prefix_contains(const struct in6_addr *net, unsigned len,
			const struct in6_addr *addr)
{
	unsigned bytes = len / 8, bits = len % 8;

	if (len > 128 || memcmp(net->s6_addr, addr->s6_addr, bytes) != 0)
		return 0;
	if (!bits)
		return 1;
	return ((net->s6_addr[bytes] ^ addr->s6_addr[bytes]) &
		(uint8_t)(0xff00u >> bits)) == 0;
}

const char *odm_hostconf_path(void)
{
	const char *p = secure_getenv(ODM_ENV_CONF);

	return p && p[0] ? p : ODM_DEFAULT_CONF;
}

/* libconfuse callbacks: each error names the value and the line. */
static int parse_type(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		      void *result)
{
	static const char *const names[] = {
		"", "fixed", "session-lasting", "nonpersistent",
		"graceful-replacement", NULL };

	return odm_cfg_keyword(cfg, opt, value, result, names, TYPE_CHOICES);
}

/* A section must say its type; a prefix must parse; a name must fit. */
static int check_section(cfg_t *cfg, cfg_opt_t *opt)
{
	cfg_t *sec = cfg_opt_getnsec(opt, cfg_opt_size(opt) - 1);
	struct in6_addr net;
	unsigned len;

	if (!sec)
		return 0;
	if (cfg_size(sec, "type") == 0) {
		cfg->line = odm_cfg_section_line(cfg, opt->name, cfg_title(sec));
		cfg_error(cfg, "%s \"%s\" has no type (expected " TYPE_CHOICES ")",
			  opt->name, cfg_title(sec));
		return -1;
	}
	if (strcmp(opt->name, "prefix") == 0 &&
	    odm_prefix_parse(cfg_title(sec), &net, &len)) {
		cfg->line = odm_cfg_section_line(cfg, opt->name, cfg_title(sec));
		cfg_error(cfg, "bad prefix \"%s\" (expected an IPv6 prefix "
			  "such as 2001:db8::/64)", cfg_title(sec));
		return -1;
	}
	if (strcmp(opt->name, "interface") == 0 &&
	    (!cfg_title(sec)[0] || strlen(cfg_title(sec)) >= IF_NAMESIZE)) {
		cfg->line = odm_cfg_section_line(cfg, opt->name, cfg_title(sec));
		cfg_error(cfg, "bad interface name \"%s\" (1 to %d characters)",
			  cfg_title(sec), IF_NAMESIZE - 1);
		return -1;
	}
	return 0;
}

static cfg_opt_t typed_opts[] = {
	CFG_INT_CB("type", 0, CFGF_NODEFAULT, parse_type),
	CFG_END()
};

static int parse_backend(cfg_t *cfg, cfg_opt_t *opt, const char *value,
			 void *result)
{
	static const char *const names[] = { "sim", "exec", NULL };

	return odm_cfg_keyword(cfg, opt, value, result, names, "sim or exec");
}

/* A list of type names, stored as a string list after the check. */
static int parse_type_item(cfg_t *cfg, cfg_opt_t *opt, const char *value,
			   void *result)
{
	long t;

	if (parse_type(cfg, opt, value, &t))
		return -1;
	*(const char **)result = value;
	return 0;
}

static cfg_opt_t agent_opts[] = {
	CFG_STR("socket", ODM_DEFAULT_AGENT_SOCKET, CFGF_NONE),
	CFG_INT("timeout", ODM_DEFAULT_AGENT_TIMEOUT, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t network_opts[] = {
	CFG_INT_CB("backend", ODM_BACKEND_SIM, CFGF_NONE, parse_backend),
	CFG_STR("interface", NULL, CFGF_NODEFAULT),
	CFG_STR("exec", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST_CB("offer", NULL, CFGF_NODEFAULT, parse_type_item),
	CFG_STR_LIST_CB("attach", NULL, CFGF_NODEFAULT, parse_type_item),
	CFG_SEC("pool", typed_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_INT("grace", ODM_DEFAULT_GRACE, CFGF_NONE),
	CFG_INT("lifetime", ODM_DEFAULT_LIFETIME, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t grant_opts[] = {
	CFG_STR_LIST_CB("types", NULL, CFGF_NODEFAULT, parse_type_item),
	CFG_INT("max-addresses", -1, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t authorize_opts[] = {
	CFG_STR_LIST_CB("premium", "{fixed}", CFGF_NONE, parse_type_item),
	CFG_INT("max-addresses", ODM_DEFAULT_MAX_ADDRESSES, CFGF_NONE),
	CFG_SEC("user", grant_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("program", grant_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_END()
};

static cfg_opt_t conf_opts[] = {
	CFG_SEC("prefix", typed_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("interface", typed_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_INT_CB("log-level", -1, CFGF_NONE, odm_cfg_log_level),
	CFG_INT_CB("log-target", -1, CFGF_NONE, odm_cfg_log_target),
	CFG_SEC("agent", agent_opts, CFGF_NODEFAULT),
	CFG_SEC("network", network_opts, CFGF_NODEFAULT),
	CFG_SEC("authorize", authorize_opts, CFGF_NONE),
	CFG_END()
};

/* The bits of the types a list names. */
static unsigned type_bits(cfg_t *sec, const char *name)
{
	unsigned bits = 0;

	for (unsigned i = 0; i < cfg_size(sec, name); i++)
		bits |= 1u << odm_type_parse(cfg_getnstr(sec, name, i));
	return bits;
}

/* Reads the agent, network and authorize sections; -1 on a bad value
 * (err set), 0 otherwise. */
static int load_agent_parts(cfg_t *cfg, struct odm_hostconf *out,
			    char *err, size_t errlen)
{
	cfg_t *ag = cfg_size(cfg, "agent") ? cfg_getsec(cfg, "agent") : NULL;
	cfg_t *nw = cfg_size(cfg, "network") ? cfg_getsec(cfg, "network") : NULL;
	cfg_t *au = cfg_getsec(cfg, "authorize");
	size_t n;

	out->agent.configured = ag || nw;
	snprintf(out->agent.socket, sizeof out->agent.socket, "%s",
		 ag ? cfg_getstr(ag, "socket") : ODM_DEFAULT_AGENT_SOCKET);
	out->agent.timeout_ms = ag ? (unsigned)cfg_getint(ag, "timeout")
				   : ODM_DEFAULT_AGENT_TIMEOUT;
	if (ag && (strlen(cfg_getstr(ag, "socket")) >= sizeof out->agent.socket ||
		   cfg_getstr(ag, "socket")[0] != '/' ||
		   cfg_getint(ag, "timeout") < 1 ||
		   cfg_getint(ag, "timeout") > 600000)) {
		snprintf(err, errlen, "%s: agent: socket must be an absolute "
			 "path under 108 bytes, timeout 1-600000 ms", out->path);
		return -1;
	}
	if (nw) {
		out->net.backend = (int)cfg_getint(nw, "backend");
		if (cfg_size(nw, "interface"))
			snprintf(out->net.ifname, sizeof out->net.ifname, "%s",
				 cfg_getstr(nw, "interface"));
		if (cfg_size(nw, "exec"))
			snprintf(out->net.exec, sizeof out->net.exec, "%s",
				 cfg_getstr(nw, "exec"));
		out->net.offer = type_bits(nw, "offer");
		out->net.attach = type_bits(nw, "attach");
		out->net.grace_s = (unsigned)cfg_getint(nw, "grace");
		out->net.lifetime_s = (unsigned)cfg_getint(nw, "lifetime");
		n = cfg_size(nw, "pool");
		out->net.pools = calloc(n ? n : 1, sizeof *out->net.pools);
		if (!out->net.pools)
			return -1;
		for (size_t i = 0; i < n; i++) {
			cfg_t *sec = cfg_getnsec(nw, "pool", (unsigned)i);
			struct odm_hc_prefix *p = &out->net.pools[i];

			if (odm_prefix_parse(cfg_title(sec), &p->net, &p->len) ||
			    p->len > 64) {
				snprintf(err, errlen, "%s:%d: bad pool \"%s\" "
					 "(expected an IPv6 prefix of /64 or "
					 "shorter)", out->path,
					 odm_cfg_section_line(cfg, "pool",
							      cfg_title(sec)),
					 cfg_title(sec));
				return -1;
			}
			p->type = (sc_type)cfg_getint(sec, "type");
		}
		out->net.npools = n;
	}
	out->auth.premium = type_bits(au, "premium");
	out->auth.max_addresses = (unsigned)cfg_getint(au, "max-addresses");
	n = cfg_size(au, "user") + cfg_size(au, "program");
	out->auth.grants = calloc(n ? n : 1, sizeof *out->auth.grants);
	if (!out->auth.grants)
		return -1;
	for (size_t i = 0; i < n; i++) {
		size_t nu = cfg_size(au, "user");
		bool prog = i >= nu;
		cfg_t *sec = cfg_getnsec(au, prog ? "program" : "user",
					 (unsigned)(prog ? i - nu : i));
		struct odm_hc_grant *g = &out->auth.grants[i];

		snprintf(g->who, sizeof g->who, "%s", cfg_title(sec));
		g->program = prog;
		g->types = type_bits(sec, "types");
		g->max_addresses = (int)cfg_getint(sec, "max-addresses");
	}
	out->auth.ngrants = n;
	return 0;
}

/* Two texts for one prefix ("2001:db8::/64", "2001:db8:0::/64") are the
 * same prefix: refuse the second, naming it. */
static int same_prefix_twice(const struct odm_hostconf *hc, size_t n,
			     char *err, size_t errlen, const char *path)
{
	for (size_t i = 0; i < n; i++)
		for (size_t j = i + 1; j < n; j++)
			if (hc->prefixes[i].len == hc->prefixes[j].len &&
			    !memcmp(&hc->prefixes[i].net, &hc->prefixes[j].net,
				    sizeof hc->prefixes[i].net)) {
				char t[INET6_ADDRSTRLEN];

				inet_ntop(AF_INET6, &hc->prefixes[j].net, t, sizeof t);
				snprintf(err, errlen, "%s: prefix %s/%u declared twice",
					 path, t, hc->prefixes[j].len);
				return -1;
			}
	return 0;
}

int odm_hostconf_load(const char *path, struct odm_hostconf *out,
		      char *err, size_t errlen)
{
	cfg_t *cfg;
	size_t np, ni;
	int rc = -1;

	memset(out, 0, sizeof *out);
	out->log_level = out->log_target = -1;
	cfg = cfg_init(conf_opts, CFGF_NONE);
	if (!cfg) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	cfg_set_validate_func(cfg, "prefix", check_section);
	cfg_set_validate_func(cfg, "interface", check_section);
	cfg_set_validate_func(cfg, "network|pool", check_section);
	if (odm_cfg_parse(cfg, path, err, errlen))
		goto out;
	np = cfg_size(cfg, "prefix");
	ni = cfg_size(cfg, "interface");
	out->prefixes = calloc(np ? np : 1, sizeof *out->prefixes);
	out->ifaces = calloc(ni ? ni : 1, sizeof *out->ifaces);
	if (!out->prefixes || !out->ifaces) {
		snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	for (size_t i = 0; i < np; i++) {
		cfg_t *sec = cfg_getnsec(cfg, "prefix", (unsigned)i);
		struct odm_hc_prefix *p = &out->prefixes[i];

		odm_prefix_parse(cfg_title(sec), &p->net, &p->len);
		p->type = (sc_type)cfg_getint(sec, "type");
		out->types_declared |= 1u << p->type;
	}
	for (size_t i = 0; i < ni; i++) {
		cfg_t *sec = cfg_getnsec(cfg, "interface", (unsigned)i);
		struct odm_hc_iface *f = &out->ifaces[i];

		snprintf(f->name, sizeof f->name, "%s", cfg_title(sec));
		f->type = (sc_type)cfg_getint(sec, "type");
		out->types_declared |= 1u << f->type;
	}
	out->nprefixes = np;
	out->nifaces = ni;
	if (same_prefix_twice(out, np, err, errlen, path))
		goto out;
	out->log_level = (int)cfg_getint(cfg, "log-level");
	out->log_target = (int)cfg_getint(cfg, "log-target");
	snprintf(out->path, sizeof out->path, "%s", path);
	if (load_agent_parts(cfg, out, err, errlen)) {
		if (!err[0])
			snprintf(err, errlen, "%s: out of memory", path);
		goto out;
	}
	rc = 0;
out:
	cfg_free(cfg);
	if (rc)
		odm_hostconf_free(out);
	return rc;
}

void odm_hostconf_free(struct odm_hostconf *hc)
{
	free(hc->prefixes);
	free(hc->ifaces);
	free(hc->net.pools);
	free(hc->auth.grants);
	memset(hc, 0, sizeof *hc);
	hc->log_level = hc->log_target = -1;
}

sc_type odm_hostconf_type_of(const struct odm_hostconf *hc,
			     const struct in6_addr *addr, const char *ifname)
{
	const struct odm_hc_prefix *best = NULL;

	for (size_t i = 0; i < hc->nprefixes; i++) {
		const struct odm_hc_prefix *p = &hc->prefixes[i];

		if (odm_prefix_contains(&p->net, p->len, addr) &&
		    (!best || p->len > best->len))
			best = p;
	}
	if (best)
		return best->type;
	for (size_t i = 0; ifname && i < hc->nifaces; i++)
		if (strcmp(hc->ifaces[i].name, ifname) == 0)
			return hc->ifaces[i].type;
	return 0;
}
