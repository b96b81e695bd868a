/* decide.c: the decision for one socket (decide.h). */
#include "decide.h"

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
