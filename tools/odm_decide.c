/* odm_decide.c: the body of `odm explain`: for one socket and one policy,
 * the rule, type and address libodm picks and what the socket call then
 * does. The decision is the library's own (odm_choose in a dry run, which
 * never asks odmd); the host's address list is shown beside it. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "decide.h"
#include "engine.h"
#include "odmtool.h"

static struct odm_typed_addr *addrs;
static size_t naddrs;
static int list_rc = 1; /* 1: not read yet */

void odm_out(const char *label, const char *fmt, ...)
{
	va_list ap;

	printf("%-9s ", label);
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	putchar('\n');
}

static const char *ntop(const struct in6_addr *a, char *buf)
{
	return inet_ntop(AF_INET6, a, buf, INET6_ADDRSTRLEN);
}

static void print_socket(const struct odm_query *q)
{
	const char *proto = q->si.proto == IPPROTO_TCP ? "tcp" : "udp";
	bool server = q->si.role == ODM_ROLE_SERVER;
	char a[INET6_ADDRSTRLEN], port[48];

	if (q->si.port)
		snprintf(port, sizeof port, ":%u", (unsigned)q->si.port);
	else /* rules with a port never match port 0 */
		snprintf(port, sizeof port, "%s", server
			 ? ", unbound (the kernel picks the port)"
			 : ", no port given (port rules do not apply)");
	if (server)
		odm_out("socket", "%s server on [::]%s", proto, port);
	else
		odm_out("socket", "%s client to [%s]%s", proto,
			ntop(&q->dest, a), port);
}

/* Why a usable address is not the pick, in odm_pick()'s order. */
static const char *not_picked(const struct odm_nladdr *a,
			      const struct odm_nladdr *pick, sc_type type)
{
	if (a->cstamp == pick->cstamp)
		return "usable, as old as the pick but a higher address";
	return type == GRACEFUL_REPLACEMENT_IPV6_ADDRESS ? "usable, older"
							  : "usable, newer";
}

/* The host's addresses of type: the picked one, why the others are not. */
static void list_addrs(sc_type type, int picked)
{
	char a[INET6_ADDRSTRLEN], text[INET6_ADDRSTRLEN + 8];
	int w = 0, wif = 0, found = 0, n;

	for (int pass = 0; pass < 2; pass++)
		for (size_t i = 0; i < naddrs; i++) {
			const struct odm_typed_addr *t = &addrs[i];

			if (t->type != type)
				continue;
			n = snprintf(text, sizeof text, "%s/%u",
				     ntop(&t->nl.addr, a), t->nl.plen);
			if (!pass) {
				w = n > w ? n : w;
				n = (int)strlen(t->nl.ifname);
				wif = n > wif ? n : wif;
				continue;
			}
			printf("%-9s %-*s  %-*s  %s\n", found++ ? "" : "host has",
			       w, text, wif, t->nl.ifname,
			       (int)i == picked ? "usable, picked"
			       : t->unusable    ? t->unusable
			       : not_picked(&t->nl, &addrs[picked].nl, type));
		}
	if (!found)
		odm_out("host has", "no %s address", odm_type_name(type));
}

/* The host's addresses of r's type, for the reader: the engine's own
 * list (the pick itself comes from odm_choose). */
static void show_host(const struct odm_rule *r, const struct in6_addr *got,
		      int status)
{
	const char *tn = odm_type_name(r->type);
	char a[INET6_ADDRSTRLEN];
	int i;

	if (list_rc == 1)
		list_rc = odm_engine_list(&addrs, &naddrs);
	if (list_rc) {
		odm_out("host has", "? (cannot read the host's addresses: %s)",
			strerror(-list_rc));
		return;
	}
	i = odm_pick(addrs, naddrs, r->type);
	if (status == 0) {
		odm_out("address", "%s%s%s (%s usable %s address)", ntop(got, a),
			i >= 0 ? " on " : "", i >= 0 ? addrs[i].nl.ifname : "",
			r->type == GRACEFUL_REPLACEMENT_IPV6_ADDRESS ? "newest"
								     : "oldest",
			tn);
	}
	list_addrs(r->type, i);
}

/* Why the engine has no address for r (status from odm_choose). */
static void explain_none(const struct odm_rule *r, int status)
{
	const char *tn = odm_type_name(r->type), *path = odm_hostconf_path();
	bool broken;

	odm_engine_hostconf(&broken);
	if (status == ODM_ASK_ODMD && r->on_net)
		odm_out("address", "none yet: on-net asks the network for a "
			"fresh %s prefix, through odmd", tn);
	else if (status == ODM_ASK_ODMD)
		odm_out("address", "none usable here: the engine asks odmd "
			"for one");
	else if (status == EAI_REQUIREDIPNOTSUPPORTED)
		odm_out("address", "none: %s%s declares no %s prefix or "
			"interface, and no agent", path,
			broken ? " (broken: see odm check)"
			: access(path, F_OK) ? " (missing)" : "", tn);
	else if (r->on_net)
		odm_out("address", "none: on-net needs a fresh %s prefix, and "
			"no agent is configured", tn);
	else
		odm_out("address", "none usable");
}

/* The call that gets the type, as interpose.c places it. */
static const char *deciding_call(const struct odm_policy *p,
				 const struct odm_query *q,
				 const struct odm_rule *r)
{
	bool udp = q->si.proto == IPPROTO_UDP;

	if (q->si.role != ODM_ROLE_SERVER)
		return udp ? "connect() or the first send" : "connect()";
	if (r->role == ODM_ROLE_SERVER && q->si.port)
		return "bind()";
	if (udp)
		return "its first datagram received";
	(void)p;
	return "listen()";
}

static void explain_rule(const struct odm_policy *p, const struct odm_query *q)
{
	struct odm_choice c;
	const struct odm_rule *r;
	const char *tn, *call;
	char a[INET6_ADDRSTRLEN];

	/* The library's own decision, without asking odmd. */
	odm_choose(p, &q->si, 0, true, &c);
	r = c.rule;
	tn = odm_type_name(r->type);
	call = deciding_call(p, q, r);
	if (r == &p->deflt || r->line == 0)
		odm_out("rule", "default (no rule matched)");
	else
		odm_out("rule", "%s (line %d)", r->name, r->line);
	if (r->type == ODM_TYPE_LEGACY) {
		odm_out("type", "legacy");
		odm_out("result", "legacy: libodm leaves the socket alone, "
			"the kernel chooses");
		return;
	}
	odm_out("type", "%s%s, on-failure %s", tn, r->on_net ? ", on-net" : "",
		r->on_failure == ODM_ONFAIL_LEGACY ? "legacy" : "fail");
	if (c.status)
		explain_none(r, c.status);
	if (c.status != EAI_REQUIREDIPNOTSUPPORTED && !r->on_net)
		show_host(r, &c.addr, c.status);
	if (c.status == ODM_ASK_ODMD) {
		odm_out("result", "%s waits (at most the agent timeout) for "
			"odmd's answer: an address, or a failure handled as "
			"on-failure %s says", call,
			r->on_failure == ODM_ONFAIL_LEGACY ? "legacy" : "fail");
	} else if (c.status) {
		odm_out("status", "%s: %s",
			c.status == EAI_REQUIREDIPNOTSUPPORTED
				? "EAI_REQUIREDIPNOTSUPPORTED"
				: "EAI_REQUIREDIPFAILED",
			odm_strerror(c.status));
		if (r->on_failure == ODM_ONFAIL_LEGACY)
			odm_out("result", "falls back to legacy: the kernel "
				"chooses");
		else
			odm_out("result", "%s fails with EADDRNOTAVAIL", call);
	} else if (q->si.role != ODM_ROLE_SERVER) {
		odm_out("result", "libodm binds the socket to %s before %s "
			"(a socket the program bound to [::]:PORT keeps its "
			"port: %s)", ntop(&c.addr, a), call,
			q->si.proto == IPPROTO_UDP
				? "unconnected, each datagram carries the source"
				: "the socket is replaced");
	} else if (q->si.proto == IPPROTO_UDP && r->role != ODM_ROLE_SERVER) {
		odm_out("result", "stays on [::]: a datagram server answers "
			"from the address it was asked on (a rule with role = "
			"server types it at bind())");
	} else if (p->server_bind == ODM_SERVER_ADDRESS) {
		odm_out("result", "libodm binds the socket to %s instead of "
			"[::] at %s (server-bind address)", ntop(&c.addr, a),
			call);
	} else {
		odm_out("result", "stays on [::] (server-bind wildcard); %s "
			"checks that a %s address exists", call, tn);
	}
}

void odm_explain_policy(const struct odm_policy *p, const char *how,
			const struct odm_query *q)
{
	int never = q->si.role == ODM_ROLE_SERVER ? 0
						 : odm_never_typed(&q->dest);
	const char *why = never ? odm_never_text(never) : NULL;

	odm_out("policy", "%s (%s)", p->path, how);
	print_socket(q);
	if (why)
		odm_out("result", "never typed: %s; the kernel chooses", why);
	else
		explain_rule(p, q);
}

void odm_explain_none(const char *what, const struct odm_query *q)
{
	odm_out("policy", "%s", what);
	print_socket(q);
	odm_out("result", "no policy: legacy, the kernel chooses");
}

void odm_explain_done(void)
{
	free(addrs);
	addrs = NULL;
	list_rc = 1;
}
