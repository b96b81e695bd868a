/* auth.c: the authorization decision of odmd. */
#include <pwd.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "auth.h"
#include "dlog.h"
#include "proto.h"

void auth_resolve(struct odm_hc_auth *auth)
{
	for (size_t i = 0; i < auth->ngrants; i++) {
		struct odm_hc_grant *g = &auth->grants[i];
		struct passwd *pw;
		char *end;
		unsigned long v;

		g->uid = -1;
		if (g->program || strcmp(g->who, "*") == 0)
			continue;
		v = strtoul(g->who, &end, 10);
		if (g->who[0] && !*end && v < 0xffffffffUL) {
			g->uid = (long)v;
			continue;
		}
		if ((pw = getpwnam(g->who)))
			g->uid = (long)pw->pw_uid;
		else
			dlog_warn("authorize: no user \"%s\": its grant applies "
				  "to nobody", g->who);
	}
}

bool auth_needs_program(const struct odm_hc_auth *auth, sc_type type)
{
	if (!(auth->premium & (1u << type)))
		return false;
	for (size_t i = 0; i < auth->ngrants; i++)
		if (auth->grants[i].program &&
		    (auth->grants[i].types & (1u << type)))
			return true;
	return false;
}

/* Does grant g name this requester? */
static bool names(const struct odm_hc_grant *g, const struct odmd_requester *who)
{
	if (g->program)
		return who->exe && strcmp(g->who, who->exe) == 0;
	return strcmp(g->who, "*") == 0 || (g->uid >= 0 && (uid_t)g->uid == who->uid);
}

int odmd_authorize(const struct odm_hc_auth *auth,
		   const struct odmd_requester *who, sc_type type, long owned,
		   char *reason, size_t rlen)
{
	bool premium = auth->premium & (1u << type), granted = !premium;
	unsigned max = auth->max_addresses;

	for (size_t i = 0; i < auth->ngrants; i++) {
		const struct odm_hc_grant *g = &auth->grants[i];

		if (!names(g, who))
			continue;
		granted |= (g->types & (1u << type)) != 0;
		if (!g->program && g->max_addresses >= 0)
			max = (unsigned)g->max_addresses;
	}
	if (!granted) {
		snprintf(reason, rlen, "%s addresses are premium: uid %u (%s) "
			 "is not granted them", odm_type_name(type),
			 (unsigned)who->uid, who->exe ? who->exe : "?");
		return ODMD_ST_DENIED;
	}
	if (owned >= 0 && (unsigned long)owned >= max) {
		snprintf(reason, rlen, "uid %u holds %ld addresses, its quota",
			 (unsigned)who->uid, owned);
		return ODMD_ST_DENIED;
	}
	return ODMD_ST_OK;
}
