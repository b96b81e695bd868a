/* progid.c: the identity of the running program (progid.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include "progid.h"
#include "real.h"

int odm_argc;
char **odm_argv;

/* The first argument after argv[0] that is not an option. */
static const char *first_operand(int argc, char **argv)
{
	for (int i = 1; i < argc && argv[i]; i++)
		if (argv[i][0] != '-')
			return argv[i];
	return NULL;
}

/* Without the constructor's arguments: /proc/self/cmdline, split. */
static void from_cmdline(struct odm_progid_buf *buf, struct odm_progid *id)
{
	char *v[64], *p, *end;
	ssize_t n = 0;
	int fd = open("/proc/self/cmdline", O_RDONLY | O_CLOEXEC), c = 0;

	if (fd >= 0) {
		n = read(fd, buf->args, sizeof buf->args - 1);
		odm_real.close(fd);
	}
	if (n <= 0)
		return;
	buf->args[n] = '\0';
	for (p = buf->args, end = buf->args + n; p < end && c < 64;
	     p += strlen(p) + 1)
		v[c++] = p;
	id->argv0 = c ? v[0] : NULL;
	id->script_arg = first_operand(c, v);
}

void odm_progid_self(struct odm_progid_buf *buf, struct odm_progid *id)
{
	ssize_t n;
	int saved = errno;

	memset(id, 0, sizeof *id);
	n = readlink("/proc/self/exe", buf->exe, sizeof buf->exe - 1);
	buf->exe[n > 0 ? n : 0] = '\0';
	id->exe = buf->exe[0] ? buf->exe : NULL;
	if (odm_argv) {
		id->argv0 = odm_argv[0];
		id->script_arg = first_operand(odm_argc, odm_argv);
	} else {
		from_cmdline(buf, id);
	}
	errno = saved;
}
