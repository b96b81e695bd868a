/* policy.h: the per-program policy language (odm-policy(5)): which program
 * a file governs, its rules, and the decision for one socket. Parsed with
 * libconfuse; pure data and pure functions, so it is unit-tested without
 * any hook. */
#ifndef ODM_POLICY_H
#define ODM_POLICY_H

#include <limits.h>
#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include "odm.h"

enum odm_role { ODM_ROLE_ANY = 0, ODM_ROLE_CLIENT, ODM_ROLE_SERVER };
enum odm_onfail { ODM_ONFAIL_FAIL = 0, ODM_ONFAIL_LEGACY };
enum odm_server_bind { ODM_SERVER_WILDCARD = 0, ODM_SERVER_ADDRESS };
/* How a policy file matched the program; higher is more specific. */
enum odm_match { ODM_MATCH_NONE = 0, ODM_MATCH_NAME, ODM_MATCH_SCRIPT,
		 ODM_MATCH_PROGRAM };

#define ODM_TYPE_LEGACY ((sc_type)0) /* action "legacy": leave untouched */

struct odm_rule {
	char name[64];          /* "default" for the file-level rule */
	int line;               /* where it starts in the file (0: default) */
	bool has_dest;
	struct in6_addr dest;   /* prefix, host bits cleared */
	unsigned dest_len;
	uint16_t port_lo, port_hi; /* 0, 0: any port */
	int proto;              /* 0 any, IPPROTO_TCP, IPPROTO_UDP */
	int role;               /* enum odm_role */
	sc_type type;           /* ODM_TYPE_LEGACY or 1..4 */
	bool on_net;
	int on_failure;         /* enum odm_onfail */
};

struct odm_policy {
	char path[PATH_MAX];
	char **programs;        /* exact executable paths (realpath) */
	size_t nprograms;
	char **names;           /* fnmatch globs on the program's name */
	size_t nnames;
	char **scripts;         /* scripts run by an interpreter (realpath) */
	size_t nscripts;
	struct odm_rule deflt;  /* file-level type/on-net/on-failure */
	struct odm_rule *rules; /* in file order; first match wins */
	size_t nrules;
	int server_bind;        /* enum odm_server_bind */
	int log_level;          /* -1 unset, else enum odm_log_level */
	int log_target;         /* -1 unset, else enum odm_log_target */
};

/* Who is running: filled by the preload from /proc/self. */
struct odm_progid {
	const char *exe;     /* realpath of /proc/self/exe */
	const char *argv0;   /* argv[0] as given, may be NULL */
	const char *script;  /* realpath of the script an interpreter runs, or NULL */
};

/* One socket to decide for. dest is NULL for a server socket. */
struct odm_sockinfo {
	const struct in6_addr *dest;
	uint16_t port;       /* destination port (client) or local port (server) */
	int proto;           /* IPPROTO_TCP or IPPROTO_UDP */
	int role;            /* ODM_ROLE_CLIENT or ODM_ROLE_SERVER */
};

/* Parses one file. 0, or -1 with err = "FILE:LINE: what is wrong". */
int odm_policy_parse(const char *path, struct odm_policy *out,
		     char *err, size_t errlen);
void odm_policy_free(struct odm_policy *p);

/* How p matches the program (enum odm_match). */
int odm_policy_matches(const struct odm_policy *p, const struct odm_progid *id);

/* The first rule that matches s, or &p->deflt. Never NULL. */
const struct odm_rule *odm_policy_decide(const struct odm_policy *p,
					 const struct odm_sockinfo *s);

/* Reads every *.conf of dir in name order and keeps in *out the one that
 * matches id best (highest enum odm_match; on a tie the first by name).
 * With strict set (root or secure-execution), files or a dir that a user
 * other than root (or the euid) or a group/other can write are skipped with
 * a warning through warn(). Returns 1 found, 0 none matches (or no dir),
 * -1 when a file is broken (err = "FILE:LINE: ..."): the caller then runs
 * in legacy mode. warn may be NULL. */
int odm_policy_find(const char *dir, const struct odm_progid *id, bool strict,
		    struct odm_policy *out, char *err, size_t errlen,
		    void (*warn)(const char *msg));

#endif
