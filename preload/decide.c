/* decide.c: the decision for one socket (decide.h). */
#include "decide.h"
#include "engine.h"

const char *odm_never_text(int why)
{
	static const char *const text[] = {
		[ODM_TYPED] = "a destination that may have a type",
		[ODM_NEVER_V4MAPPED] = "an IPv4 (v4-mapped) destination",
		[ODM_NEVER_LOOPBACK] = "a loopback destination",
		[ODM_NEVER_LINKLOCAL] = "a link-local destination",
		[ODM_NEVER_MULTICAST] = "a multicast destination",
		[ODM_NEVER_UNSPECIFIED] = "the unspecified destination",
	};

	return why >= 0 && why <= ODM_NEVER_UNSPECIFIED ? text[why] : "?";
}

void odm_choose(const struct odm_policy *p, const struct odm_sockinfo *si,
		bool on_net, bool dry, struct odm_choice *c)
{
	c->rule = odm_policy_decide(p, si);
	c->status = 0;
	if (c->rule->type == ODM_TYPE_LEGACY)
		return;
	c->status = odm_engine_pick(c->rule->type, c->rule->on_net || on_net,
				    dry, &c->addr);
}
