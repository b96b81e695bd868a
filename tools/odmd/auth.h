/* auth.h: who may obtain which type from odmd (RFC 8653 section 5):
 * premium types (Fixed by default) only for the users and programs
 * odm.conf grants them to, and at most so many addresses per user. The
 * requester is who the kernel says (SO_PEERCRED, /proc/PID/exe), never what
 * a client claims. */
#ifndef ODMD_AUTH_H
#define ODMD_AUTH_H

#include <stddef.h>
#include <sys/types.h>
#include "hostconf.h"

struct odmd_requester {
	uid_t uid;
	pid_t pid;
	const char *user;   /* name of uid, or NULL */
	const char *exe;    /* realpath of /proc/PID/exe, or NULL */
};

/* ODMD_ST_OK, or ODMD_ST_DENIED with reason saying why. held is how many
 * addresses odmd now holds for this uid. */
int odmd_authorize(const struct odm_hc_auth *auth,
		   const struct odmd_requester *who, sc_type type,
		   unsigned held, char *reason, size_t rlen);

#endif
