/* odm_explain.c: `odm explain`: which policy a program would find and, for
 * one socket, the decision libodm would make right now (odm_decide.c prints
 * the decision). Without --program, every policy file of the folder is
 * shown as if it matched. */
#include <arpa/inet.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "defaults.h"
#include "engine.h"
#include "log.h"
#include "real.h"
#include "odmtool.h"

#define EVERY_PROGRAM "$" ODM_ENV_POLICY_FILE ": it governs every program"

/* DEST [PORT] [tcp|udp] [client|server]; DEST "-" means a server. */
static int parse_query(int argc, char **argv, struct odm_query *q)
{
	char text[INET6_ADDRSTRLEN + 2], *end;
	const char *dest = argv[0];
	struct in_addr v4;
	unsigned long port;
	size_t len;

	q->si = (struct odm_sockinfo){ &q->dest, 0, IPPROTO_TCP,
				       ODM_ROLE_CLIENT };
	for (int i = 1; i < argc; i++) {
		const char *w = argv[i];

		port = strtoul(w, &end, 10);
		if (i == 1 && w[0] >= '0' && w[0] <= '9' && !*end &&
		    port <= 65535)
			q->si.port = (uint16_t)port;
		else if (strcmp(w, "tcp") == 0 || strcmp(w, "udp") == 0)
			q->si.proto = w[0] == 't' ? IPPROTO_TCP : IPPROTO_UDP;
		else if (strcmp(w, "server") == 0 || strcmp(w, "client") == 0)
			q->si.role = w[0] == 's' ? ODM_ROLE_SERVER
						 : ODM_ROLE_CLIENT;
		else
			return warnx("explain: %s: not a port, tcp, udp, "
				     "client or server", w), -1;
	}
	if (strcmp(dest, "-") == 0) {
		dest = "::";
		q->si.role = ODM_ROLE_SERVER;
	}
	len = strlen(dest);
	if (len > 2 && dest[0] == '[' && dest[len - 1] == ']' &&
	    len < sizeof text) {
		snprintf(text, sizeof text, "%.*s", (int)len - 2, dest + 1);
		dest = text;
	}
	if (inet_pton(AF_INET, dest, &v4) == 1) { /* as an IPv6 socket sees it */
		memset(&q->dest, 0, sizeof q->dest);
		q->dest.s6_addr[10] = q->dest.s6_addr[11] = 0xff;
		memcpy(&q->dest.s6_addr[12], &v4, sizeof v4);
	} else if (inet_pton(AF_INET6, dest, &q->dest) != 1) {
		return warnx("explain: %s: not an IPv6 address", argv[0]), -1;
	}
	if (q->si.role == ODM_ROLE_SERVER) {
		if (!IN6_IS_ADDR_UNSPECIFIED(&q->dest))
			return warnx("explain: a server socket has no "
				     "destination: give - or ::"), -1;
		q->si.dest = NULL;
	}
	return 0;
}

static void skipped(const char *msg)
{
	odm_out("skipped", "%s", msg);
}

static const char *const match_how[] = {
	[ODM_MATCH_NONE] = "matched",
	[ODM_MATCH_NAME] = "matched by name glob",
	[ODM_MATCH_SCRIPT] = "matched by script",
	[ODM_MATCH_PROGRAM] = "matched by program path",
};

/* A bare name is looked up in $PATH, as execvp() does. */
static const char *which(const char *name, char *buf, size_t len)
{
	const char *path = getenv("PATH");
	char *dirs = strdup(path && path[0] ? path : "/usr/bin:/bin");
	char *d, *save = NULL;
	const char *found = NULL;
	struct stat st;

	for (d = dirs ? strtok_r(dirs, ":", &save) : NULL; d && !found;
	     d = strtok_r(NULL, ":", &save)) {
		snprintf(buf, len, "%s/%s", d, name);
		if (stat(buf, &st) == 0 && S_ISREG(st.st_mode) &&
		    access(buf, X_OK) == 0)
			found = buf;
	}
	free(dirs);
	return found;
}

/* --program PATH: the policy that program would find, and its decision. */
static int for_program(const char *path, const char *file,
		       const struct odm_query *q)
{
	char exe[PATH_MAX], cand[PATH_MAX], err[PATH_MAX + 256];
	const char *dir = odm_tool_policy_dir(), *found = path;
	struct odm_progid id = { .exe = exe, .argv0 = path };
	struct odm_policy p;
	struct stat st;
	bool strict;
	int rc;

	if (!strchr(path, '/') && !(found = which(path, cand, sizeof cand)))
		return warnx("explain: %s: not found in $PATH", path),
		       ODM_EX_FAIL;
	if (!realpath(found, exe) || stat(exe, &st) != 0)
		return warn("explain: %s", path), ODM_EX_FAIL;
	/* Root and set-ID programs read their policies strictly. */
	strict = geteuid() == 0 || (st.st_mode & (S_ISUID | S_ISGID));
	odm_out("program", "%s", exe);
	if (file)
		rc = odm_policy_parse(file, false, &p, err, sizeof err) ? -1 : 1;
	else
		rc = odm_policy_find(dir, &id, strict, &p, err, sizeof err,
				     skipped);
	if (rc < 0) {
		odm_out("policy", "%s", err);
		odm_out("result", "broken policy: legacy mode, the kernel "
			"chooses");
	} else if (rc == 0) {
		snprintf(err, sizeof err, "none in %s matches", dir);
		odm_explain_none(err, q);
	} else {
		rc = odm_policy_matches(&p, &id);
		odm_explain_policy(&p, file ? EVERY_PROGRAM
				   : match_how[rc > 0 && rc <= ODM_MATCH_PROGRAM
						       ? rc : 0], q);
		odm_policy_free(&p);
	}
	return 0;
}

/* No program: every file of the folder, as if it matched. 0 when at least
 * one decision was printed. */
static int for_each_file(const char *file, const struct odm_query *q)
{
	char **files = NULL, err[PATH_MAX + 256], *single[1];
	const char *dir = odm_tool_policy_dir();
	struct odm_policy p;
	int n, decided = 0;

	if (file) {
		single[0] = (char *)file;
		files = single;
		n = 1;
	} else if ((n = odm_conf_list(dir, &files)) <= 0) {
		snprintf(err, sizeof err, "none: %s: %s", dir,
			 n < 0 ? strerror(errno) : "no *.conf file");
		odm_explain_none(err, q);
		return 0;
	}
	for (int i = 0; i < n; i++) {
		if (i)
			putchar('\n');
		if (odm_policy_parse(files[i], false, &p, err, sizeof err)) {
			odm_out("policy", "%s", err);
			odm_out("result", "broken: libodm does not use it");
			continue;
		}
		odm_explain_policy(&p, file ? EVERY_PROGRAM
					    : "as if it matched", q);
		odm_policy_free(&p);
		decided++;
	}
	if (!file)
		odm_conf_list_free(files, n);
	return decided ? 0 : ODM_EX_FAIL;
}

int odm_cmd_explain(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "program", required_argument, NULL, 'p' },
		{ NULL, 0, NULL, 0 },
	};
	const char *prog = NULL;
	struct odm_query q;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+p:", opts, NULL)) != -1) {
		if (c != 'p')
			return warnx("explain: %s: %s", argv[optind - 1],
				     optopt == 'p' ? "needs a PATH" : "unknown option"),
			       odm_usage("explain");
		prog = optarg;
	}
	if (argc - optind < 1 || argc - optind > 4 ||
	    parse_query(argc - optind, argv + optind, &q))
		return odm_usage("explain");
	/* The tool reports on the library: the library's own log is quiet,
	 * also if the host config asks for more. */
	odm_log_configure(ODM_LOG_NONE, -1);
	odm_real_init();
	odm_engine_hostconf(NULL);
	odm_log_configure(ODM_LOG_NONE, -1);
	if (prog)
		rc = for_program(prog, odm_tool_policy_file(), &q);
	else
		rc = for_each_file(odm_tool_policy_file(), &q);
	odm_explain_done();
	return rc;
}
