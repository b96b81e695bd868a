/* auth.h: who may have which type from odmd (RFC 8653 section 5): premium
 * types (Fixed by default) only for the users and programs odm.conf
 * grants them to, and at most so many addresses of their own per user.
 * The requester is who the kernel says (SO_PEERCRED, and the program
 * behind the connection's pidfd), never what a client claims. User names
 * are resolved to uids once, at start (auth_resolve), never per request. */
#ifndef ODMD_AUTH_H
#define ODMD_AUTH_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/types.h>
#include "hostconf.h"

struct odmd_requester {
	uid_t uid;
	pid_t pid;
	const char *exe;    /* the program, when it matters and is sure; NULL */
};

/* Resolves the user names of the grants to uids (getpwnam); warns about
 * the unknown ones. Called once, before the worker starts. */
void auth_resolve(struct odm_hc_auth *auth);

/* Could the program behind a request change the answer for type? (Only
 * then does odmd look it up.) */
bool auth_needs_program(const struct odm_hc_auth *auth, sc_type type);

/* ODMD_ST_OK, or ODMD_ST_DENIED with reason saying why. owned: how many
 * addresses of its own the uid holds now, or -1 when the answer gives it
 * none (no quota applies). */
int odmd_authorize(const struct odm_hc_auth *auth,
		   const struct odmd_requester *who, sc_type type, long owned,
		   char *reason, size_t rlen);

#endif
