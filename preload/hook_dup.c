/* hook_dup.c: dup(), dup2(), dup3(), fcntl(F_DUPFD*): the new fd shares the
 * socket, so it shares its state. */
#include <fcntl.h>
#include <stdarg.h>
#include <unistd.h>
#include "hook.h"

static int copied(int from, int to)
{
	if (to >= 0 && odm_fdtab_any())
		odm_fdtab_copy(from, to);
	return to;
}

ODM_EXPORT int dup(int fd)
{
	odm_init();
	return copied(fd, odm_real.dup(fd));
}

ODM_EXPORT int dup2(int fd, int fd2)
{
	odm_init();
	if (fd == fd2)
		return odm_real.dup2(fd, fd2);
	return copied(fd, odm_real.dup2(fd, fd2));
}

ODM_EXPORT int dup3(int fd, int fd2, int flags)
{
	odm_init();
	return copied(fd, odm_real.dup3(fd, fd2, flags));
}

/* fcntl's third argument is an int or a pointer: both travel as a long in
 * the ABIs glibc supports, so it is passed on as one. */
static int fcntl_common(int (*real)(int, int, ...), int fd, int cmd,
			unsigned long arg)
{
	int rc = real(fd, cmd, arg);

	if (cmd == F_DUPFD || cmd == F_DUPFD_CLOEXEC)
		return copied(fd, rc);
	return rc;
}

ODM_EXPORT int fcntl(int fd, int cmd, ...)
{
	va_list ap;
	unsigned long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	odm_init();
	return fcntl_common(odm_real.fcntl, fd, cmd, arg);
}

ODM_EXPORT int fcntl64(int fd, int cmd, ...)
{
	va_list ap;
	unsigned long arg;

	va_start(ap, cmd);
	arg = va_arg(ap, unsigned long);
	va_end(ap);
	odm_init();
	return fcntl_common(odm_real.fcntl64, fd, cmd, arg);
}
