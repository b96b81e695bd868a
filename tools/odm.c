/* odm.c: the odm command line: one binary, many verbs. The verb is the
 * first argument, matched exactly or by an unambiguous prefix (as iproute2's
 * ip and OpenSMTPD's smtpctl do). */
#include <dirent.h>
#include <errno.h>
#include <fnmatch.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "defaults.h"
#include "odmtool.h"

struct verb {
	const char *name;
	int (*fn)(int argc, char **argv);
	const char *usage;
	const char *what;
};

static const struct verb verbs[] = {
	{ "run", odm_cmd_run, "[-v] [-p POLICY] -- PROG [ARGS...]",
	  "run PROG with libodm preloaded" },
	{ "explain", odm_cmd_explain,
	  "[--program PATH] DEST [PORT] [tcp|udp] [client|server]",
	  "the address type a socket would get now, and why" },
	{ "check", odm_cmd_check, "[-q] [FILE|DIR...]",
	  "validate the host config and policy files" },
	{ "status", odm_cmd_status, "[--json]",
	  "the host's typed addresses from odmd, and the sockets using them" },
	{ "move", odm_cmd_move, "",
	  "simulate a move to a new point of attachment (odmd's sim backend)" },
	{ "release", odm_cmd_release, "ADDRESS",
	  "hand a lease of yours (any, for root) back to the network" },
	{ "enable", odm_cmd_enable, "[--root DIR] [--cgroup] UNIT",
	  "run a systemd service under libodm (a drop-in appending to its "
	  "LD_PRELOAD, or typing its cgroup)" },
	{ "disable", odm_cmd_disable, "[--root DIR] UNIT",
	  "remove what odm enable wrote" },
	{ "show", odm_cmd_show, "[--root DIR] UNIT",
	  "whether a service runs under libodm, and its drop-in" },
	{ "cgroup", odm_cmd_cgroup, "[--detach] PROGRAM",
	  "type the sockets of odm's own cgroup (a service's) by PROGRAM's "
	  "policy, in the kernel" },
	{ "help", odm_cmd_help, "[VERB]", "this text" },
};

#define NVERBS (sizeof verbs / sizeof verbs[0])

/* The verb named name or by an unambiguous prefix of it; NULL (with a
 * message) when none or several match. */
static const struct verb *find_verb(const char *name)
{
	const struct verb *hit = NULL;
	size_t len = strlen(name);
	int nhits = 0;

	for (size_t i = 0; i < NVERBS; i++) {
		if (strcmp(verbs[i].name, name) == 0)
			return &verbs[i];
		if (len && strncmp(verbs[i].name, name, len) == 0) {
			hit = &verbs[i];
			nhits++;
		}
	}
	if (nhits == 1)
		return hit;
	fprintf(stderr, "odm: %s command \"%s\"; try \"odm help\"\n",
		nhits ? "ambiguous" : "unknown", name);
	return NULL;
}

static void print_usage(FILE *f, const struct verb *v)
{
	fprintf(f, "usage: odm %s %s\n", v->name, v->usage);
}

static void print_all(FILE *f)
{
	fprintf(f, "usage: odm VERB [ARGS...]   (any unambiguous prefix of "
		   "VERB will do)\n\n");
	for (size_t i = 0; i < NVERBS; i++)
		fprintf(f, "  %-8s %s\n  %-8s   %s\n", verbs[i].name,
			verbs[i].usage, "", verbs[i].what);
	fprintf(f, "\n  odm --version   the version\n");
	fprintf(f, "\nenvironment: %s, %s, %s, %s, ODM_LIB\n", ODM_ENV_CONF,
		ODM_ENV_POLICY_DIR, ODM_ENV_POLICY_FILE, ODM_ENV_LOG);
}

int odm_usage(const char *verb)
{
	for (size_t i = 0; i < NVERBS; i++)
		if (strcmp(verbs[i].name, verb) == 0)
			print_usage(stderr, &verbs[i]);
	return ODM_EX_USAGE;
}

int odm_help_verb(const char *verb)
{
	for (size_t i = 0; i < NVERBS; i++)
		if (strcmp(verbs[i].name, verb) == 0) {
			print_usage(stdout, &verbs[i]);
			printf("  %s\n", verbs[i].what);
		}
	return 0;
}

int odm_cmd_help(int argc, char **argv)
{
	const struct verb *v;

	if (argc < 2) {
		print_all(stdout);
		return 0;
	}
	if (argc > 2)
		return odm_usage("help");
	v = find_verb(argv[1]);
	if (!v)
		return ODM_EX_USAGE;
	print_usage(stdout, v);
	printf("  %s\n", v->what);
	return 0;
}

const char *odm_tool_policy_dir(void)
{
	const char *dir = getenv(ODM_ENV_POLICY_DIR);

	return dir && dir[0] ? dir : ODM_DEFAULT_POLICY_DIR;
}

const char *odm_tool_policy_file(void)
{
	const char *file = getenv(ODM_ENV_POLICY_FILE);

	return file && file[0] ? file : NULL;
}

static int conf_filter(const struct dirent *d)
{
	return fnmatch("*.conf", d->d_name, FNM_PERIOD) == 0;
}

int odm_conf_list(const char *dir, char ***paths)
{
	struct dirent **ents;
	struct stat st;
	int n, k = 0;

	*paths = NULL;
	n = scandir(dir, &ents, conf_filter, alphasort);
	if (n < 0)
		return -1;
	*paths = calloc((size_t)n + 1, sizeof **paths);
	for (int i = 0; i < n; i++) {
		char *p = NULL;

		if (*paths && asprintf(&p, "%s/%s", dir, ents[i]->d_name) > 0 &&
		    stat(p, &st) == 0 && S_ISREG(st.st_mode))
			(*paths)[k++] = p;
		else
			free(p);
		free(ents[i]);
	}
	free(ents);
	if (!*paths) {
		errno = ENOMEM;
		return -1;
	}
	return k;
}

void odm_conf_list_free(char **paths, int n)
{
	for (int i = 0; i < n; i++)
		free(paths[i]);
	free(paths);
}

int main(int argc, char **argv)
{
	const struct verb *v;

	if (argc < 2) {
		print_all(stderr);
		return ODM_EX_USAGE;
	}
	if (strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0)
		return odm_cmd_help(1, argv + 1);
	if (strcmp(argv[1], "-V") == 0 || strcmp(argv[1], "--version") == 0) {
		printf("odm %s\n", ODM_VERSION);
		return 0;
	}
	v = find_verb(argv[1]);
	if (!v)
		return ODM_EX_USAGE;
	argv[1] = (char *)v->name; /* messages name the verb in full */
	/* VERB --help, for every verb. */
	for (int i = 2; i < argc && strcmp(argv[i], "--"); i++)
		if (strcmp(argv[i], "--help") == 0 || strcmp(argv[i], "-h") == 0)
			return odm_help_verb(v->name);
	return v->fn(argc - 1, argv + 1);
}
