/* writeall.c: odm_write_all(), for the files odm and odmd write whole (the
 * policy index, odmd's journal). */
#include <errno.h>
#include <unistd.h>
#include "writeall.h"

int odm_write_all(int fd, const char *p, size_t n)
{
	while (n) {
		ssize_t w = write(fd, p, n);

		if (w < 0 && errno == EINTR)
			continue;
		if (w <= 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}
