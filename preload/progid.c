/* progid.c: the identity of the running program, read from /proc/self. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "progid.h"
#include "real.h"

/* The first non-option argument after argv[0] that is a regular file. */
static void find_script(const char *args, size_t len, char *out)
{
	const char *p = args, *end = args + len;
	struct stat st;

	p += strnlen(p, (size_t)(end - p)) + 1; /* skip argv[0] */
	while (p < end) {
		size_t n = strnlen(p, (size_t)(end - p));

		if (p[0] != '-') {
			if (stat(p, &st) == 0 && S_ISREG(st.st_mode) &&
			    realpath(p, out))
				return;
			break;
		}
		p += n + 1;
	}
	out[0] = '\0';
}

void odm_progid_self(struct odm_progid_buf *buf, struct odm_progid *id)
{
	char args[4096];
	ssize_t n;
	int fd;

	memset(buf, 0, sizeof *buf);
	n = readlink("/proc/self/exe", buf->exe, sizeof buf->exe - 1);
	buf->exe[n > 0 ? n : 0] = '\0';
	n = 0;
	fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC);
	if (fd >= 0) {
		n = read(fd, args, sizeof args - 1);
		odm_real.close(fd);
	}
	if (n > 0) {
		args[n] = '\0';
		snprintf(buf->argv0, sizeof buf->argv0, "%s", args);
		find_script(args, (size_t)n, buf->script);
	}
	id->exe = buf->exe[0] ? buf->exe : NULL;
	id->argv0 = buf->argv0[0] ? buf->argv0 : NULL;
	id->script = buf->script[0] ? buf->script : NULL;
}
