/* hook_setsc.c: setsc(), the exported API of odm.h (the logic is
 * odm_setsc() in setsc.c). */
#include "hook.h"

ODM_EXPORT int setsc(int sockfd, struct in6_addr *sourceAddress,
		     sc_type addressType)
{
	odm_init();
	return odm_setsc(sockfd, sourceAddress, addressType);
}
