/* setsc.c: the exported API of odm.h. */
#include "engine.h"
#include "init.h"

__attribute__((visibility("default")))
int setsc(int sockfd, struct in6_addr *sourceAddress, sc_type addressType)
{
	odm_init();
	return odm_engine_setsc(sockfd, sourceAddress, addressType);
}
