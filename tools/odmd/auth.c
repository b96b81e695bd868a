/* auth.c: the authorization decision of odmd. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "auth.h"
#include "proto.h"

/* Does grant g name this requester? */
static bool names(const struct odm_hc_grant *g, const struct odmd_requester *who)
{
	char uid[16];

	if (g->program)
		return who->exe && strcmp(g->who, who->exe) == 0;
	snprintf(uid, sizeof uid, "%u", (unsigned)who->uid);
	return strcmp(g->who, "*") == 0 || strcmp(g->who, uid) == 0 ||
	       (who->user && strcmp(g->who, who->user) == 0);
}

int odmd_authorize(const struct odm_hc_auth *auth,
		   const struct odmd_requester *who, sc_type type,
		   unsigned held, char *reason, size_t rlen)
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
	if (held >= max) {
		snprintf(reason, rlen, "uid %u holds %u addresses, its quota",
			 (unsigned)who->uid, held);
		return ODMD_ST_DENIED;
	}
	return ODMD_ST_OK;
}
