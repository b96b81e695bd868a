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

static int parse_iid(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		     void *result)
{
	static const char *const names[] = { "stable-privacy", "random", NULL };

	return odm_cfg_keyword(cfg, opt, value, result, names,
			       "stable-privacy or random");
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
	CFG_STR("user", ODM_DEFAULT_ODMD_USER, CFGF_NONE),
	CFG_STR("state", ODM_DEFAULT_STATE_DIR, CFGF_NONE),
	CFG_INT("max-clients", ODM_DEFAULT_MAX_CLIENTS, CFGF_NONE),
	CFG_INT("max-clients-per-user", ODM_DEFAULT_MAX_CLIENTS_USER, CFGF_NONE),
	CFG_INT("idle-timeout", ODM_DEFAULT_IDLE_TIMEOUT, CFGF_NONE),
	CFG_INT("read-timeout", ODM_DEFAULT_READ_TIMEOUT, CFGF_NONE),
	CFG_STR("bpf", ODM_DEFAULT_BPF_DIR, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t pool_opts[] = {
	CFG_INT_CB("type", 0, CFGF_NODEFAULT, parse_type),
	CFG_STR("interface", "", CFGF_NONE),
	CFG_INT("lifetime", -1, CFGF_NONE),
	CFG_INT("preferred", -1, CFGF_NONE),
	CFG_END()
};

static cfg_opt_t link_opts[] = {
	CFG_INT("table", 0, CFGF_NONE),
	CFG_STR("gateway", "", CFGF_NONE),
	CFG_END()
};

static cfg_opt_t network_opts[] = {
	CFG_INT_CB("backend", ODM_BACKEND_SIM, CFGF_NONE, parse_backend),
	CFG_STR("interface", NULL, CFGF_NODEFAULT),
	CFG_STR("exec", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST("exec-env", NULL, CFGF_NODEFAULT),
	CFG_STR_LIST_CB("offer", NULL, CFGF_NODEFAULT, parse_type_item),
	CFG_STR_LIST_CB("attach", NULL, CFGF_NODEFAULT, parse_type_item),
	CFG_SEC("pool", pool_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("link", link_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_INT("rule-priority", ODM_DEFAULT_RULE_PRIORITY, CFGF_NONE),
	CFG_INT("grace", ODM_DEFAULT_GRACE, CFGF_NONE),
	CFG_INT("lifetime", ODM_DEFAULT_LIFETIME, CFGF_NONE),
	CFG_INT("hold", ODM_DEFAULT_HOLD, CFGF_NONE),
	CFG_INT("idle", ODM_DEFAULT_IDLE, CFGF_NONE),
	CFG_INT("drain", ODM_DEFAULT_DRAIN, CFGF_NONE),
	CFG_INT_CB("iid", ODM_IID_STABLE, CFGF_NONE, parse_iid),
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

/* "FILE:LINE: " of section keyword "title" for an error message. */
static int sec_err(char *err, size_t errlen, cfg_t *cfg, const char *path,
		   const char *keyword, const char *title, const char *what)
{
	snprintf(err, errlen, "%s:%d: %s \"%s\": %s", path,
		 odm_cfg_section_line(cfg, keyword, title), keyword, title, what);
	return -1;
}

/* An integer option within [lo, hi], or an error naming it. */
static int in_range(cfg_t *sec, const char *name, long lo, long hi,
		    const char *path, const char *where, unsigned *out,
		    char *err, size_t errlen)
{
	long v = cfg_getint(sec, name);

	if (v < lo || v > hi) {
		snprintf(err, errlen, "%s: %s: %s %ld is out of range (%ld-%ld)",
			 path, where, name, v, lo, hi);
		return -1;
	}
	*out = (unsigned)v;
	return 0;
}

static int load_agent(cfg_t *ag, struct odm_hostconf *out, char *err,
		      size_t errlen)
{
	struct odm_hc_agent *a = &out->agent;
	const char *sock = ag ? cfg_getstr(ag, "socket") : ODM_DEFAULT_AGENT_SOCKET;

	snprintf(a->socket, sizeof a->socket, "%s", sock);
	snprintf(a->user, sizeof a->user, "%s",
		 ag ? cfg_getstr(ag, "user") : ODM_DEFAULT_ODMD_USER);
	snprintf(a->state, sizeof a->state, "%s",
		 ag ? cfg_getstr(ag, "state") : ODM_DEFAULT_STATE_DIR);
	snprintf(a->bpf, sizeof a->bpf, "%s",
		 ag ? cfg_getstr(ag, "bpf") : ODM_DEFAULT_BPF_DIR);
	a->timeout_ms = ODM_DEFAULT_AGENT_TIMEOUT;
	a->max_clients = ODM_DEFAULT_MAX_CLIENTS;
	a->max_clients_user = ODM_DEFAULT_MAX_CLIENTS_USER;
	a->idle_timeout_s = ODM_DEFAULT_IDLE_TIMEOUT;
	a->read_timeout_ms = ODM_DEFAULT_READ_TIMEOUT;
	if (!ag)
		return 0;
	if (strlen(sock) >= sizeof a->socket || sock[0] != '/') {
		snprintf(err, errlen, "%s: agent: socket must be an absolute "
			 "path under 108 bytes", out->path);
		return -1;
	}
	if (a->bpf[0] && (a->bpf[0] != '/' ||
			  strlen(cfg_getstr(ag, "bpf")) >= sizeof a->bpf)) {
		snprintf(err, errlen, "%s: agent: bpf must be an absolute path "
			 "(a folder on the BPF file system) or \"\" for none",
			 out->path);
		return -1;
	}
	if (a->state[0] != '/' || !a->user[0] ||
	    strlen(cfg_getstr(ag, "user")) >= sizeof a->user) {
		snprintf(err, errlen, "%s: agent: state must be an absolute "
			 "path, user a user name", out->path);
		return -1;
	}
	return in_range(ag, "timeout", 1, 600000, out->path, "agent",
			&a->timeout_ms, err, errlen) ||
	       in_range(ag, "max-clients", 1, 65536, out->path, "agent",
			&a->max_clients, err, errlen) ||
	       in_range(ag, "max-clients-per-user", 1, 65536, out->path,
			"agent", &a->max_clients_user, err, errlen) ||
	       in_range(ag, "idle-timeout", 1, 86400, out->path, "agent",
			&a->idle_timeout_s, err, errlen) ||
	       in_range(ag, "read-timeout", 1, 600000, out->path, "agent",
			&a->read_timeout_ms, err, errlen) ? -1 : 0;
}

static int load_pools(cfg_t *cfg, cfg_t *nw, struct odm_hostconf *out,
		      char *err, size_t errlen)
{
	size_t n = cfg_size(nw, "pool");

	out->net.pools = calloc(n ? n : 1, sizeof *out->net.pools);
	if (!out->net.pools)
		return -1;
	for (size_t i = 0; i < n; i++) {
		cfg_t *sec = cfg_getnsec(nw, "pool", (unsigned)i);
		struct odm_hc_pool *p = &out->net.pools[i];
		long life = cfg_getint(sec, "lifetime");
		long pref = cfg_getint(sec, "preferred");

		if (odm_prefix_parse(cfg_title(sec), &p->p.net, &p->p.len) ||
		    p->p.len > 64)
			return sec_err(err, errlen, cfg, out->path, "pool",
				       cfg_title(sec), "expected an IPv6 prefix "
				       "of /64 or shorter");
		p->p.type = (sc_type)cfg_getint(sec, "type");
		if (strlen(cfg_getstr(sec, "interface")) >= sizeof p->link)
			return sec_err(err, errlen, cfg, out->path, "pool",
				       cfg_title(sec), "interface name too long");
		snprintf(p->link, sizeof p->link, "%s",
			 cfg_getstr(sec, "interface"));
		if (life == 0 || life < -1 || life > 0xffffffffL ||
		    pref < -1 || pref > 0xffffffffL)
			return sec_err(err, errlen, cfg, out->path, "pool",
				       cfg_title(sec), "lifetime must be 1 to "
				       "4294967295 s (4294967295: forever)");
		p->lifetime_s = life < 0 ? out->net.lifetime_s : (unsigned)life;
		p->preferred_s = pref < 0 || (unsigned)pref > p->lifetime_s
					 ? p->lifetime_s : (unsigned)pref;
		out->net.npools++;
	}
	return 0;
}

static int load_links(cfg_t *cfg, cfg_t *nw, struct odm_hostconf *out,
		      char *err, size_t errlen)
{
	size_t n = cfg_size(nw, "link");

	out->net.links = calloc(n ? n : 1, sizeof *out->net.links);
	if (!out->net.links)
		return -1;
	for (size_t i = 0; i < n; i++) {
		cfg_t *sec = cfg_getnsec(nw, "link", (unsigned)i);
		struct odm_hc_link *l = &out->net.links[i];
		const char *gw = cfg_getstr(sec, "gateway");
		long table = cfg_getint(sec, "table");

		if (!cfg_title(sec)[0] || strlen(cfg_title(sec)) >= IF_NAMESIZE)
			return sec_err(err, errlen, cfg, out->path, "link",
				       cfg_title(sec), "bad interface name");
		snprintf(l->name, sizeof l->name, "%s", cfg_title(sec));
		if (table < 0 || table > 0xfffffff0L || table == 253 ||
		    table == 254 || table == 255)
			return sec_err(err, errlen, cfg, out->path, "link",
				       cfg_title(sec), "table must be a free "
				       "routing table number (not 253-255)");
		l->table = (unsigned)table;
		if (gw[0] && inet_pton(AF_INET6, gw, &l->gateway) != 1)
			return sec_err(err, errlen, cfg, out->path, "link",
				       cfg_title(sec), "gateway must be an IPv6 "
				       "address");
		out->net.nlinks++;
	}
	return 0;
}

static int load_network(cfg_t *cfg, cfg_t *nw, struct odm_hostconf *out,
			char *err, size_t errlen)
{
	struct odm_hc_network *net = &out->net;
	size_t n;

	net->backend = (int)cfg_getint(nw, "backend");
	net->iid = (int)cfg_getint(nw, "iid");
	if (cfg_size(nw, "interface"))
		snprintf(net->ifname, sizeof net->ifname, "%s",
			 cfg_getstr(nw, "interface"));
	if (cfg_size(nw, "exec"))
		snprintf(net->exec, sizeof net->exec, "%s",
			 cfg_getstr(nw, "exec"));
	n = cfg_size(nw, "exec-env");
	net->exec_env = calloc(n + 1, sizeof *net->exec_env);
	if (!net->exec_env)
		return -1;
	for (size_t i = 0; i < n; i++) {
		const char *e = cfg_getnstr(nw, "exec-env", (unsigned)i);

		if (!strchr(e, '=') || e[0] == '=') {
			snprintf(err, errlen, "%s: network: exec-env \"%s\" is "
				 "not NAME=value", out->path, e);
			return -1;
		}
		if (!(net->exec_env[i] = strdup(e)))
			return -1;
		net->nexec_env++;
	}
	net->offer = type_bits(nw, "offer");
	net->attach = type_bits(nw, "attach");
	if (in_range(nw, "grace", 0, 0xfffffffeL, out->path, "network",
		     &net->grace_s, err, errlen) ||
	    in_range(nw, "lifetime", 1, 0xffffffffL, out->path, "network",
		     &net->lifetime_s, err, errlen) ||
	    in_range(nw, "hold", 0, 86400, out->path, "network",
		     &net->hold_s, err, errlen) ||
	    in_range(nw, "idle", 0, 0x7fffffffL, out->path, "network",
		     &net->idle_s, err, errlen) ||
	    in_range(nw, "drain", 0, 3600, out->path, "network",
		     &net->drain_s, err, errlen) ||
	    in_range(nw, "rule-priority", 1, 32765, out->path, "network",
		     &net->rule_priority, err, errlen))
		return -1;
	return load_pools(cfg, nw, out, err, errlen) ||
	       load_links(cfg, nw, out, err, errlen) ? -1 : 0;
}

static int load_authorize(cfg_t *au, struct odm_hostconf *out)
{
	size_t nu = cfg_size(au, "user"), n = nu + cfg_size(au, "program");

	out->auth.premium = type_bits(au, "premium");
	out->auth.max_addresses = (unsigned)cfg_getint(au, "max-addresses");
	out->auth.grants = calloc(n ? n : 1, sizeof *out->auth.grants);
	if (!out->auth.grants)
		return -1;
	for (size_t i = 0; i < n; i++) {
		bool prog = i >= nu;
		cfg_t *sec = cfg_getnsec(au, prog ? "program" : "user",
					 (unsigned)(prog ? i - nu : i));
		struct odm_hc_grant *g = &out->auth.grants[i];

		snprintf(g->who, sizeof g->who, "%s", cfg_title(sec));
		g->program = prog;
		g->types = type_bits(sec, "types");
		g->max_addresses = (int)cfg_getint(sec, "max-addresses");
		g->uid = -1;
	}
	out->auth.ngrants = n;
	return 0;
}

/* Reads the agent, network and authorize sections; -1 on a bad value
 * (err set; empty when out of memory), 0 otherwise. */
static int load_agent_parts(cfg_t *cfg, struct odm_hostconf *out,
			    char *err, size_t errlen)
{
	cfg_t *ag = cfg_size(cfg, "agent") ? cfg_getsec(cfg, "agent") : NULL;
	cfg_t *nw = cfg_size(cfg, "network") ? cfg_getsec(cfg, "network") : NULL;

	out->agent.configured = ag || nw;
	if (load_agent(ag, out, err, errlen))
		return -1;
	if (nw && load_network(cfg, nw, out, err, errlen))
		return -1;
	return load_authorize(cfg_getsec(cfg, "authorize"), out);
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

int odm_hostconf_load(const char *path, bool strict, struct odm_hostconf *out,
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
	if (odm_cfg_parse(cfg, path, strict, NULL, err, errlen))
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
	odm_cfg_done();
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
	free(hc->net.links);
	for (size_t i = 0; hc->net.exec_env && i < hc->net.nexec_env; i++)
		free(hc->net.exec_env[i]);
	free(hc->net.exec_env);
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
