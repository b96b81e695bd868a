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

static cfg_opt_t conf_opts[] = {
	CFG_SEC("prefix", typed_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_SEC("interface", typed_opts, CFGF_MULTI | CFGF_TITLE | CFGF_NO_TITLE_DUPES),
	CFG_INT_CB("log-level", -1, CFGF_NONE, odm_cfg_log_level),
	CFG_INT_CB("log-target", -1, CFGF_NONE, odm_cfg_log_target),
	CFG_END()
};

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
