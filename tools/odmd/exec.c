/* exec.c: odmd's `exec` backend. For each request it runs the operator's
 * program as  PROGRAM request TYPE  (TYPE a type name) with a 5 s limit and
 * reads its standard output, one "key value" a line:
 *     prefix 2001:db8:77::/64      (required on success)
 *     preferred 3600               (seconds; default: valid)
 *     valid 7200                   (seconds; default: network lifetime)
 *     error not-supported|failed TEXT   (instead of prefix)
 * Anything else, a non-zero exit or no answer in time is a failure. This is
 * the hook for a real network: DHCPv6-PD, a modem's PDU sessions, a tunnel
 * broker. tools/odmd/hooks/example is one. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>
#include "backend.h"
#include "proto.h"

#define EXEC_TIMEOUT_MS 5000

/* Runs the hook; its output into out (NUL-terminated). 0 or -1. */
static int run_hook(const char *prog, sc_type type, char *out, size_t cap)
{
	int p[2], status;
	size_t have = 0;
	pid_t pid;
	struct timespec start, now;

	if (pipe2(p, O_CLOEXEC))
		return -1;
	pid = fork();
	if (pid < 0) {
		close(p[0]);
		close(p[1]);
		return -1;
	}
	if (pid == 0) {
		dup2(p[1], STDOUT_FILENO);
		execl(prog, prog, "request", odm_type_name(type), (char *)NULL);
		_exit(127);
	}
	close(p[1]);
	clock_gettime(CLOCK_MONOTONIC, &start);
	for (;;) {
		struct pollfd pf = { .fd = p[0], .events = POLLIN };
		long spent;
		ssize_t n;

		clock_gettime(CLOCK_MONOTONIC, &now);
		spent = (now.tv_sec - start.tv_sec) * 1000 +
			(now.tv_nsec - start.tv_nsec) / 1000000;
		if (spent >= EXEC_TIMEOUT_MS ||
		    poll(&pf, 1, (int)(EXEC_TIMEOUT_MS - spent)) == 0) {
			kill(pid, SIGKILL);
			break;
		}
		n = read(p[0], out + have, cap - 1 - have);
		if (n <= 0 && errno != EINTR)
			break;
		if (n > 0)
			have += (size_t)n;
		if (have == cap - 1)
			break;
	}
	out[have] = '\0';
	close(p[0]);
	if (waitpid(pid, &status, 0) < 0)
		return -1;
	return WIFEXITED(status) && WEXITSTATUS(status) == 0 ? 0 : -1;
}

int odmd_exec_request(struct odmd_backend *b, sc_type type,
		      struct odmd_grant *g, char *reason, size_t rlen)
{
	char out[2048], *line, *save = NULL;
	bool have_prefix = false, have_pref = false;
	int status = ODMD_ST_FAILED;

	memset(g, 0, sizeof *g);
	g->valid = b->net->lifetime_s;
	snprintf(reason, rlen, "%s gave no prefix", b->net->exec);
	if (run_hook(b->net->exec, type, out, sizeof out)) {
		snprintf(reason, rlen, "%s failed or timed out", b->net->exec);
		return ODMD_ST_FAILED;
	}
	for (line = strtok_r(out, "\n", &save); line;
	     line = strtok_r(NULL, "\n", &save)) {
		char key[16], val[256];

		if (sscanf(line, "%15s %255[^\n]", key, val) != 2)
			continue;
		if (strcmp(key, "prefix") == 0)
			have_prefix = odm_prefix_parse(val, &g->prefix, &g->plen) == 0;
		else if (strcmp(key, "preferred") == 0)
			g->preferred = (uint32_t)strtoul(val, NULL, 10), have_pref = true;
		else if (strcmp(key, "valid") == 0)
			g->valid = (uint32_t)strtoul(val, NULL, 10);
		else if (strcmp(key, "error") == 0) {
			status = strncmp(val, "not-supported", 13) == 0
					 ? ODMD_ST_NOT_SUPPORTED : ODMD_ST_FAILED;
			snprintf(reason, rlen, "%s", val);
			return status;
		}
	}
	if (!have_prefix || g->plen > 64 || g->valid == 0)
		return ODMD_ST_FAILED;
	if (!have_pref || g->preferred > g->valid)
		g->preferred = g->valid;
	return ODMD_ST_OK;
}
