/* odm_run.c: `odm run`: execute a program with libodm preloaded, appended
 * to any LD_PRELOAD already set (as mptcpize run does), optionally with
 * debug logging and a policy of the caller's choosing. A static or Go
 * program, which LD_PRELOAD cannot reach, or any program with --cgroup,
 * runs in a cgroup of its own where the BPF path types its sockets
 * (odm_cgroup.c). */
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "defaults.h"
#include "policy.h"
#include "odmtool.h"

int odm_find_shim(char *out)
{
	/* Relative to odm itself: the source tree (tools/odm), then an
	 * installation under any prefix (PREFIX/bin/odm), multiarch or not. */
	static const char *const rel[] = {
		"../preload/libodm.so", "../lib/" ODM_MULTIARCH "/odm/libodm.so",
		"../lib/odm/libodm.so", "../lib64/odm/libodm.so",
	};
	const char *env = getenv(ODM_ENV_LIB);
	char dir[PATH_MAX], cand[PATH_MAX + 64], *slash;
	ssize_t n;

	if (env && env[0]) {
		if (!realpath(env, out))
			snprintf(out, PATH_MAX, "%s", env);
	} else {
		n = readlink("/proc/self/exe", dir, sizeof dir - 1);
		dir[n > 0 ? n : 0] = '\0';
		slash = strrchr(dir, '/');
		if (slash)
			*slash = '\0';
		for (size_t i = 0; slash && i < sizeof rel / sizeof rel[0]; i++) {
			snprintf(cand, sizeof cand, "%s/%s", dir, rel[i]);
			if (realpath(cand, out) && access(out, R_OK) == 0)
				return 0;
		}
		snprintf(out, PATH_MAX, "%s/libodm.so", ODM_PKGLIBDIR);
	}
	if (access(out, R_OK) == 0)
		return 0;
	warn("the preload library %s", out);
	return -1;
}

static bool same_file(const char *a, const char *b)
{
	struct stat sa, sb;

	if (strcmp(a, b) == 0)
		return true;
	return stat(a, &sa) == 0 && stat(b, &sb) == 0 &&
	       sa.st_dev == sb.st_dev && sa.st_ino == sb.st_ino;
}

/* Appends lib to LD_PRELOAD (ld.so splits it at spaces and colons) unless
 * it is there already. */
static int preload_add(const char *lib)
{
	const char *old = getenv("LD_PRELOAD");
	char *copy, *tok, *save = NULL, *val;
	bool have = false, empty = true;
	int rc;

	if (old && old[0]) {
		copy = strdup(old);
		if (!copy)
			return -1;
		for (tok = strtok_r(copy, " :", &save); tok && !have;
		     tok = strtok_r(NULL, " :", &save)) {
			empty = false;
			have = same_file(tok, lib);
		}
		free(copy);
	}
	if (have)
		return 0;
	if (empty)
		return setenv("LD_PRELOAD", lib, 1);
	if (asprintf(&val, "%s %s", old, lib) < 0)
		return -1;
	rc = setenv("LD_PRELOAD", val, 1);
	free(val);
	return rc;
}

static int validate(const char *path)
{
	struct odm_policy p;
	char err[PATH_MAX + 256];

	if (odm_policy_parse(path, false, &p, err, sizeof err) != 0) {
		warnx("run: %s", err);
		return -1;
	}
	odm_policy_free(&p);
	return 0;
}

/* -p POLICY: a folder becomes ODM_POLICY_DIR, a file ODM_POLICY_FILE, each
 * as an absolute path (libconfuse reads only those), once it parses. */
static int use_policy(const char *arg)
{
	char abs[PATH_MAX], **files;
	struct stat st;
	int n, rc = 0;

	if (!realpath(arg, abs) || stat(abs, &st) != 0) {
		warn("run: %s", arg);
		return -1;
	}
	if (!S_ISDIR(st.st_mode)) {
		if (validate(abs))
			return -1;
		return setenv(ODM_ENV_POLICY_FILE, abs, 1);
	}
	n = odm_conf_list(abs, &files);
	if (n < 0) {
		warn("run: %s", abs);
		return -1;
	}
	for (int i = 0; i < n; i++)
		rc |= validate(files[i]);
	odm_conf_list_free(files, n);
	if (rc)
		return -1;
	unsetenv(ODM_ENV_POLICY_FILE); /* it would win over the folder */
	return setenv(ODM_ENV_POLICY_DIR, abs, 1);
}

/* path: where execvp would find name. */
static bool in_path(const char *name, char *path)
{
	const char *dirs = getenv("PATH");
	char *copy, *d, *save = NULL;
	bool found = false;

	if (strchr(name, '/'))
		return realpath(name, path) != NULL;
	copy = strdup(dirs && dirs[0] ? dirs : "/usr/local/bin:/usr/bin:/bin");
	for (d = copy ? strtok_r(copy, ":", &save) : NULL; d && !found;
	     d = strtok_r(NULL, ":", &save)) {
		char cand[PATH_MAX + 256];

		snprintf(cand, sizeof cand, "%s/%s", d, name);
		found = access(cand, X_OK) == 0 && realpath(cand, path);
	}
	free(copy);
	return found;
}

static void quiet(const char *msg)
{
	(void)msg;
}

/* The policy that governs path run with argv, as the library would find
 * it (after use_policy set the environment): 1 found, 0 none, -1 broken. */
static int policy_of(const char *path, char **argv, struct odm_policy *p)
{
	const char *file = odm_tool_policy_file();
	struct odm_progid id = { .exe = path, .argv0 = argv[0] };
	char err[PATH_MAX + 256];
	int rc;

	for (int i = 1; argv[i]; i++)
		if (argv[i][0] != '-') {
			id.script_arg = argv[i];
			break;
		}
	if (file)
		rc = odm_policy_parse(file, true, p, err, sizeof err) ? -1 : 1;
	else
		rc = odm_policy_find(odm_tool_policy_dir(), &id, true, p, err,
				     sizeof err, quiet);
	if (rc < 0)
		warnx("run: %s", err);
	return rc;
}

int odm_cmd_run(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "verbose", no_argument, NULL, 'v' },
		{ "policy", required_argument, NULL, 'p' },
		{ "cgroup", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	const char *policy = NULL, *mode = NULL;
	char lib[PATH_MAX], path[PATH_MAX];
	bool cgroup = false, verbose = false, preload = true;
	struct odm_policy p;
	int c, kind, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+vp:", opts, NULL)) != -1) {
		if (c == 'v') {
			setenv(ODM_ENV_LOG, "debug", 1);
			verbose = true;
		} else if (c == 'p') {
			policy = optarg;
		} else if (c == 'c') {
			cgroup = true;
		} else {
			warnx("run: %s: %s", argv[optind - 1],
			      optopt == 'p' ? "needs a POLICY" : "unknown option");
			return odm_usage("run");
		}
	}
	if (optind >= argc) {
		warnx("run: no program given");
		return odm_usage("run");
	}
	if ((policy && use_policy(policy)) || odm_find_shim(lib))
		return ODM_EX_FAIL;
	if (preload_add(lib)) {
		warn("run: LD_PRELOAD");
		return ODM_EX_FAIL;
	}
	kind = in_path(argv[optind], path) ? odm_exe_kind(path) : ODM_EXE_OTHER;
	if (kind == ODM_EXE_STATIC)
		mode = "a static program", preload = false;
	else if (kind == ODM_EXE_GO || kind == ODM_EXE_GO_DYNAMIC)
		mode = "a Go program", preload = kind == ODM_EXE_GO_DYNAMIC;
	else if (cgroup)
		mode = "--cgroup";
	if (mode && (rc = policy_of(path, argv + optind, &p)) > 0) {
		rc = odm_cgroup_run(path, argv + optind, &p, mode, preload);
		odm_policy_free(&p);
		if (rc >= 0)
			return rc;
	} else if (mode && rc == 0 && verbose) {
		fprintf(stderr, "odm run: %s: no policy names it\n", mode);
	} else if (!mode && verbose) {
		fprintf(stderr, "odm run: LD_PRELOAD mode\n");
	}
	execvp(argv[optind], argv + optind);
	warn("run: %s", argv[optind]);
	return 127;
}

int odm_cmd_cgroup(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "detach", no_argument, NULL, 'd' },
		{ NULL, 0, NULL, 0 },
	};
	char path[PATH_MAX], *args[2];
	bool detach = false;
	struct odm_policy p;
	int c, rc;

	opterr = 0;
	optind = 1;
	while ((c = getopt_long(argc, argv, "+", opts, NULL)) != -1) {
		if (c != 'd')
			return odm_usage("cgroup");
		detach = true;
	}
	if (detach)
		return optind == argc ? odm_cgroup_self(NULL, NULL, true)
				      : odm_usage("cgroup");
	if (optind != argc - 1)
		return odm_usage("cgroup");
	if (!in_path(argv[optind], path)) {
		warnx("cgroup: no program %s", argv[optind]);
		return ODM_EX_FAIL;
	}
	args[0] = path;
	args[1] = NULL;
	rc = policy_of(path, args, &p);
	if (rc == 0)
		warnx("cgroup: no policy names %s; its sockets stay untyped", path);
	if (rc <= 0)
		return ODM_EX_FAIL;
	rc = odm_cgroup_self(path, &p, false);
	odm_policy_free(&p);
	return rc;
}
