/* sctype.c: address type names <-> values. */
#include <string.h>
#include "sctype.h"

static const char *const type_names[ODM_TYPE_MAX + 1] = {
	[FIXED_IPV6_ADDRESS] = "fixed",
	[SESSION_LASTING_IPV6_ADDRESS] = "session-lasting",
	[NON_PERSISTENT_IPV6_ADDRESS] = "nonpersistent",
	[GRACEFUL_REPLACEMENT_IPV6_ADDRESS] = "graceful-replacement",
};

const char *odm_type_name(unsigned type)
{
	return odm_type_valid(type) ? type_names[type] : NULL;
}

sc_type odm_type_parse(const char *name)
{
	for (unsigned t = ODM_TYPE_MIN; name && t <= ODM_TYPE_MAX; t++)
		if (strcmp(name, type_names[t]) == 0)
			return (sc_type)t;
	return 0;
}
