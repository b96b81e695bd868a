/* hostconf.h: the host config, odm.conf: which prefixes and which
 * interfaces carry which address type. Read with libconfuse. */
#ifndef ODM_HOSTCONF_H
#define ODM_HOSTCONF_H

#include <limits.h>
#include <net/if.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include "sctype.h"

struct odm_hc_prefix {
	struct in6_addr net;   /* host bits cleared */
	unsigned len;          /* 0..128 */
	sc_type type;
};

struct odm_hc_iface {
	char name[IF_NAMESIZE];
	sc_type type;
};

/* How engines reach odmd, and how odmd serves them (section agent;
 * present too when only a network section is). */
struct odm_hc_agent {
	bool configured;
	char socket[108];          /* sun_path; ODM_DEFAULT_AGENT_SOCKET */
	unsigned timeout_ms;       /* how long setsc() waits for odmd */
	char user[64];             /* odmd's unprivileged worker runs as this */
	char state[PATH_MAX];      /* odmd's state directory (its journal) */
	char bpf[PATH_MAX];        /* where odmd pins its cgroup BPF programs
				      and maps; "" for no BPF path */
	unsigned max_clients;      /* connections odmd serves at once */
	unsigned max_clients_user; /* of them, per uid other than root */
	unsigned idle_timeout_s;   /* a connection with nothing to do is closed */
	unsigned read_timeout_ms;  /* a message must arrive whole within this */
};

enum odm_backend { ODM_BACKEND_SIM = 0, ODM_BACKEND_EXEC };

/* How odmd makes its addresses' interface identifiers (iid.h). */
enum odm_iid { ODM_IID_STABLE = 0, ODM_IID_RANDOM };

/* A simulated network's pool of prefixes of one type (handed out as /64s). */
struct odm_hc_pool {
	struct odm_hc_prefix p;
	char link[IF_NAMESIZE];    /* where its addresses go; "" the default */
	unsigned lifetime_s;       /* valid lifetime of its grants */
	unsigned preferred_s;      /* preferred lifetime (<= lifetime) */
};

/* An uplink of odmd's besides the default interface (section link): its
 * typed sources leave by it, through a routing table of their own. */
struct odm_hc_link {
	char name[IF_NAMESIZE];
	unsigned table;            /* 0: no policy routing */
	struct in6_addr gateway;   /* next hop; :: for a point-to-point link */
};

/* The network side, for odmd (section network). */
struct odm_hc_network {
	int backend;               /* enum odm_backend */
	char ifname[IF_NAMESIZE];  /* where odmd configures granted addresses */
	char exec[PATH_MAX];       /* backend exec: the operator's co-process */
	char **exec_env;           /* its environment, "NAME=value" each */
	size_t nexec_env;
	unsigned offer;            /* sim: types the network offers (bits) */
	unsigned attach;           /* types obtained at attach and after moves */
	struct odm_hc_pool *pools; /* sim: where prefixes come from */
	size_t npools;
	struct odm_hc_link *links;
	size_t nlinks;
	unsigned rule_priority;    /* of odmd's `from PREFIX` rules */
	unsigned grace_s;          /* Graceful-Replacement grace after a move */
	unsigned lifetime_s;       /* default valid lifetime of a grant */
	unsigned hold_s;           /* a grant waits this long for its socket */
	unsigned idle_s;           /* an unused releasable grant goes after */
	unsigned drain_s;          /* last look for users before a release */
	int iid;                   /* enum odm_iid */
};

/* Who may obtain what from odmd (section authorize). */
struct odm_hc_grant {
	char who[PATH_MAX];        /* user name, uid, "*", or program path */
	bool program;
	unsigned types;            /* bits of the premium types it may have */
	int max_addresses;         /* -1: the section's default */
	long uid;                  /* odmd: the user's uid, resolved once at
				      start; -1 for "*", programs and
				      unknown names */
};

struct odm_hc_auth {
	unsigned premium;          /* types that need a grant (default fixed) */
	unsigned max_addresses;    /* per user, default ODM_DEFAULT_MAX_ADDRESSES */
	struct odm_hc_grant *grants;
	size_t ngrants;
};

struct odm_hostconf {
	char path[PATH_MAX];
	struct odm_hc_prefix *prefixes;
	size_t nprefixes;
	struct odm_hc_iface *ifaces;
	size_t nifaces;
	unsigned types_declared;   /* bit (1u << type) per declared type */
	int log_level;             /* -1 when the file does not set it */
	int log_target;            /* -1 when the file does not set it */
	struct odm_hc_agent agent;
	struct odm_hc_network net;
	struct odm_hc_auth auth;
};

/* The file to read: $ODM_CONF (ignored in secure-execution programs) or
 * ODM_DEFAULT_CONF. */
const char *odm_hostconf_path(void);

/* Parses path into *out (zeroed first). Returns 0; or -1 with err holding
 * one line "FILE:LINE: what is wrong" (or "FILE: reason" when it cannot be
 * opened: ENOENT, not a regular file, or with strict set (a privileged
 * program) not trusted), and *out left empty but valid. Thread-safe:
 * libconfuse's lexer is global, so parsing is serialized. */
int odm_hostconf_load(const char *path, bool strict, struct odm_hostconf *out,
		      char *err, size_t errlen);

void odm_hostconf_free(struct odm_hostconf *hc);

/* Type of an address on interface ifname (may be NULL): the longest declared
 * prefix containing it, else the interface's declared type, else 0. */
sc_type odm_hostconf_type_of(const struct odm_hostconf *hc,
			     const struct in6_addr *addr, const char *ifname);

/* Parses "2001:db8::/64" into net (host bits cleared) and len; -1 if bad. */
int odm_prefix_parse(const char *text, struct in6_addr *net, unsigned *len);

/* Does prefix net/len contain addr? */
int odm_prefix_contains(const struct in6_addr *net, unsigned len,
			const struct in6_addr *addr);

#endif
