/* hook_close.c: close(), close_range(): forget the fds first, so a number
 * that another thread gets back at once starts clean. */
#include <linux/close_range.h>
#include <unistd.h>
#include "hook.h"

ODM_EXPORT int close(int fd)
{
	odm_init();
	odm_fdtab_forget(fd); /* a load when nothing was ever known */
	return odm_real.close(fd);
}

ODM_EXPORT int close_range(unsigned int lo, unsigned int hi, int flags)
{
	odm_init();
	if (odm_fdtab_any() && !(flags & CLOSE_RANGE_CLOEXEC))
		odm_fdtab_forget_range(lo, hi);
	return odm_real.close_range(lo, hi, flags);
}
