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
/* Which sockets share an address (RFC 8653 section 5): all of a type (the
 * host's address of it), each its own, or each process its own. */
enum odm_address { ODM_ADDR_SHARED = 0, ODM_ADDR_PER_SOCKET,
		   ODM_ADDR_PER_PROCESS };
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
	int address;            /* enum odm_address */
	uint32_t rotate_s;      /* a new address after this long; 0 never */
	uint64_t rotate_bytes;  /* or after this many bytes; 0 never */
};

/* How a policy file names the programs it governs. */
struct odm_policy_keys {
	char **programs;        /* exact executable paths (through symlinks) */
	size_t nprograms;
	char **names;           /* fnmatch globs on the program's name */
	size_t nnames;
	char **scripts;         /* scripts run by an interpreter (through symlinks) */
	size_t nscripts;
};

struct odm_policy {
	char path[PATH_MAX];
	struct odm_policy_keys keys;
	struct odm_rule deflt;  /* file-level type/on-net/on-failure */
	struct odm_rule *rules; /* in file order; first match wins */
	size_t nrules;
	int server_bind;        /* enum odm_server_bind */
	int log_level;          /* -1 unset, else enum odm_log_level */
	int log_target;         /* -1 unset, else enum odm_log_target */
};

/* Who is running: filled by the preload. */
struct odm_progid {
	const char *exe;        /* the executable, through symlinks */
	const char *argv0;      /* argv[0] as given, may be NULL */
	const char *script_arg; /* the first argument after argv[0] that is
				   not an option (the script an interpreter
				   runs?), as given; may be NULL */
	const char *script;     /* it, through symlinks, when it is a regular
				   file: set on first use (odm_progid_script) */
	bool script_done;
	char script_buf[PATH_MAX];
};

/* The script of id (see above), resolved on first use: a stat and a
 * realpath, only for the policies that name scripts. NULL if none. */
const char *odm_progid_script(struct odm_progid *id);

/* One socket to decide for. dest is NULL for a server socket. */
struct odm_sockinfo {
	const struct in6_addr *dest;
	uint16_t port;       /* destination port (client) or local port (server) */
	int proto;           /* IPPROTO_TCP or IPPROTO_UDP */
	int role;            /* ODM_ROLE_CLIENT or ODM_ROLE_SERVER */
};

/* Parses one file (opened as odm_cfg_open does: with strict, a file
 * another user or a group may write is refused). 0, or -1 with err =
 * "FILE:LINE: what is wrong". Program and script paths are resolved
 * through their symlinks. Linear in the size of the file. */
int odm_policy_parse(const char *path, bool strict, struct odm_policy *out,
		     char *err, size_t errlen);
void odm_policy_free(struct odm_policy *p);

/* Reads only how a file names its programs (top-level program, name and
 * script lines), without libconfuse and whether or not the rest of the
 * file is right: what the index keeps of a broken file, and what a lookup
 * without an index reads of every file. 0, or -1 with err when the file
 * cannot be read or its names cannot be made out. */
int odm_policy_scan(const char *path, bool strict, struct odm_policy_keys *k,
		    char *err, size_t errlen);
void odm_policy_keys_free(struct odm_policy_keys *k);

/* How keys match the program (enum odm_match). */
int odm_policy_keys_match(const struct odm_policy_keys *k,
			  struct odm_progid *id);

/* How p matches the program (enum odm_match). */
static inline int odm_policy_matches(const struct odm_policy *p,
				     struct odm_progid *id)
{
	return odm_policy_keys_match(&p->keys, id);
}

/* The first rule that matches s, or &p->deflt. Never NULL. */
const struct odm_rule *odm_policy_decide(const struct odm_policy *p,
					 const struct odm_sockinfo *s);

/* The policy in dir that names id best (highest enum odm_match; on a tie
 * the first by file name): from the folder's index when it is current,
 * else by reading how each file names its programs and parsing only the
 * best. With strict set (root or secure-execution), files or a dir that a
 * user other than root (or the euid) or a group/other can write are
 * skipped with a warning through warn(). Returns 1 found, 0 none matches
 * (or no dir), -1 when the file that names id is broken (err =
 * "FILE:LINE: ..."): the caller then runs in legacy mode; a broken file
 * that does not name id does not matter. warn may be NULL. */
int odm_policy_find(const char *dir, struct odm_progid *id, bool strict,
		    struct odm_policy *out, char *err, size_t errlen,
		    void (*warn)(const char *msg));

#endif
