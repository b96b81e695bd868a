/* odm_decide.c: the body of `odm explain`: for one socket and one policy,
 * the rule, type and address libodm picks and what the socket call then
 * does. It calls the library's own code (odm_policy_decide, the engine's
 * typed address list, odm_pick) and mirrors preload/interpose.c and
 * odm_engine_pick() for the rest, so it agrees with what a program gets. */
#include <arpa/inet.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
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

/* Why libodm never types a client socket to this destination, or NULL. */
static const char *never_typed(const struct odm_query *q)
{
	const struct in6_addr *a = &q->dest;

	if (q->si.role == ODM_ROLE_SERVER)
		return NULL;
	if (IN6_IS_ADDR_V4MAPPED(a))
		return "an IPv4 (v4-mapped) destination";
	if (IN6_IS_ADDR_LOOPBACK(a))
		return "a loopback destination";
	if (IN6_IS_ADDR_LINKLOCAL(a))
		return "a link-local destination";
	if (IN6_IS_ADDR_MULTICAST(a))
		return "a multicast destination";
	if (IN6_IS_ADDR_UNSPECIFIED(a))
		return "the unspecified destination";
	return NULL;
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

/* What odm_engine_pick() answers for the rule: 0 with *got set, 1 when
 * the engine would ask odmd, or its status, in the same order of checks. */
static int explain_pick(const struct odm_rule *r, struct in6_addr *got)
{
	const char *tn = odm_type_name(r->type), *path = odm_hostconf_path();
	const struct odm_hostconf *hc;
	char a[INET6_ADDRSTRLEN];
	bool broken;
	int i;

	hc = odm_engine_hostconf(&broken);
	if (!(hc->types_declared & (1u << r->type)) && !hc->agent.configured) {
		odm_out("address", "none: %s%s declares no %s prefix or "
			"interface, and no agent", path,
			broken ? " (broken: see odm check)"
			: access(path, F_OK) ? " (missing)" : "", tn);
		return EAI_REQUIREDIPNOTSUPPORTED;
	}
	if (r->on_net) {
		odm_out("address", "none yet: on-net asks the network for a "
			"fresh %s prefix%s", tn, hc->agent.configured
			? ", through odmd" : ", and no agent is configured");
		return hc->agent.configured ? 1 : EAI_REQUIREDIPFAILED;
	}
	if (list_rc == 1)
		list_rc = odm_engine_list(&addrs, &naddrs);
	if (list_rc) {
		odm_out("address", "none: cannot read the host's addresses: "
			"%s", strerror(-list_rc));
		return EAI_REQUIREDIPFAILED;
	}
	i = odm_pick(addrs, naddrs, r->type);
	if (i >= 0) {
		*got = addrs[i].nl.addr;
		odm_out("address", "%s on %s (%s usable %s address)",
			ntop(got, a), addrs[i].nl.ifname,
			r->type == GRACEFUL_REPLACEMENT_IPV6_ADDRESS ? "newest"
								     : "oldest",
			tn);
	} else {
		odm_out("address", "none usable%s", hc->agent.configured
			? ": the engine asks odmd for one" : "");
	}
	list_addrs(r->type, i);
	if (i < 0 && hc->agent.configured)
		return 1; /* odmd decides */
	return i >= 0 ? 0 : EAI_REQUIREDIPFAILED;
}

/* The call that gets the type, as interpose.c places it. */
static const char *deciding_call(const struct odm_policy *p,
				 const struct odm_query *q)
{
	bool udp = q->si.proto == IPPROTO_UDP;

	if (q->si.role != ODM_ROLE_SERVER)
		return udp ? "connect() or the first sendto()" : "connect()";
	if (udp || (p->server_bind == ODM_SERVER_ADDRESS && q->si.port))
		return "bind()";
	return "listen()";
}

static void explain_rule(const struct odm_policy *p, const struct odm_query *q)
{
	const struct odm_rule *r = odm_policy_decide(p, &q->si);
	const char *tn = odm_type_name(r->type), *call = deciding_call(p, q);
	char a[INET6_ADDRSTRLEN];
	struct in6_addr got;
	int status;

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
	status = explain_pick(r, &got);
	if (status == 1) {
		odm_out("result", "%s waits (at most the agent timeout) for "
			"odmd's answer: an address, or a failure handled as "
			"on-failure %s says", call,
			r->on_failure == ODM_ONFAIL_LEGACY ? "legacy" : "fail");
	} else if (status) {
		odm_out("status", "%s: %s",
			status == EAI_REQUIREDIPNOTSUPPORTED
				? "EAI_REQUIREDIPNOTSUPPORTED"
				: "EAI_REQUIREDIPFAILED",
			odm_strerror(status));
		if (r->on_failure == ODM_ONFAIL_LEGACY)
			odm_out("result", "falls back to legacy: the kernel "
				"chooses");
		else
			odm_out("result", "%s fails with EADDRNOTAVAIL", call);
	} else if (q->si.role != ODM_ROLE_SERVER) {
		odm_out("result", "libodm binds the socket to %s before %s",
			ntop(&got, a), call);
	} else if (p->server_bind == ODM_SERVER_ADDRESS) {
		odm_out("result", "libodm binds the socket to %s instead of "
			"[::] at %s (server-bind address)", ntop(&got, a), call);
	} else {
		odm_out("result", "stays on [::] (server-bind wildcard); %s "
			"checks that a %s address exists", call, tn);
	}
}

void odm_explain_policy(const struct odm_policy *p, const char *how,
			const struct odm_query *q)
{
	const char *why = never_typed(q);

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
