/* sctype.h: the names of the four address types (RFC 8653 3.2), shared by
 * the host config, the policy language and the tools. */
#ifndef ODM_SCTYPE_H
#define ODM_SCTYPE_H

#include <stdbool.h>
#include "odm.h"

#define ODM_TYPE_MIN 1
#define ODM_TYPE_MAX 4

/* "fixed", "session-lasting", "nonpersistent", "graceful-replacement";
 * NULL for a reserved value. */
const char *odm_type_name(unsigned type);

/* The value of a type name (the four above, case-sensitive), or 0 if the
 * name is not one of them. */
sc_type odm_type_parse(const char *name);

static inline bool odm_type_valid(unsigned type)
{
	return type >= ODM_TYPE_MIN && type <= ODM_TYPE_MAX;
}

#endif
