/* hook_syscall.c: the ways an fd closes or is replaced behind close() and
 * dup2(): fclose() (glibc closes the stream's fd internally) and
 * syscall(SYS_close...), so a number reused afterwards starts clean. */
#include <linux/close_range.h>
#include <stdarg.h>
#include <stdio.h>
#include <sys/syscall.h>
#include <unistd.h>
#include "hook.h"

ODM_EXPORT int fclose(FILE *f)
{
	odm_init();
	if (odm_fdtab_any() && f) {
		int fd = fileno(f);

		if (fd >= 0)
			odm_fdtab_forget(fd);
	}
	return odm_real.fclose(f);
}

/* syscall() passes six words on: the ABIs glibc supports pass every
 * argument as one. */
ODM_EXPORT long syscall(long n, ...)
{
	va_list ap;
	long a[6];
	long rc;

	va_start(ap, n);
	for (int i = 0; i < 6; i++)
		a[i] = va_arg(ap, long);
	va_end(ap);
	odm_init();
	if (odm_fdtab_any()) {
		if (n == SYS_close)
			odm_fdtab_forget((int)a[0]);
		else if (n == SYS_close_range && !(a[2] & CLOSE_RANGE_CLOEXEC))
			odm_fdtab_forget_range((unsigned)a[0], (unsigned)a[1]);
	}
	rc = odm_real.syscall(n, a[0], a[1], a[2], a[3], a[4], a[5]);
	if (rc >= 0 && odm_fdtab_any() &&
	    (n == SYS_dup || n == SYS_dup2 || n == SYS_dup3) &&
	    rc != a[0])
		odm_fdtab_copy((int)a[0], (int)rc);
	return rc;
}
