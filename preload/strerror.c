/* strerror.c: odm_strerror(), the text of a setsc() status. */
#include <errno.h>
#include <string.h>
#include "odm.h"

__attribute__((visibility("default")))
const char *odm_strerror(int status)
{
	switch (status) {
	case 0:
		return "success";
	case EAI_REQUIREDIPNOTSUPPORTED:
		return "the required address type is not supported";
	case EAI_REQUIREDIPFAILED:
		return "no address of the required type could be had";
	case -1:
		return strerror(errno);
	default:
		return "unknown setsc() status";
	}
}
