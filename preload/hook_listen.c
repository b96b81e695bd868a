/* hook_listen.c: listen(): a server socket gets (or checks) its type. */
#include "hook.h"

ODM_EXPORT int listen(int fd, int backlog)
{
	odm_init();
	if (odm_active() && odm_before_listen(fd))
		return -1;
	return odm_real.listen(fd, backlog);
}
