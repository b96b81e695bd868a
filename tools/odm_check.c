/* odm_check.c: `odm check`: validates the host config and policy files with
 * the library's own parsers, and warns about what parses but will surprise:
 * files that compete for one program, rules whose type the host config does
 * not declare. */
#include <err.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "defaults.h"
#include "hostconf.h"
#include "policy.h"
#include "odmtool.h"

struct pfile {
	char *path;
	bool ok;
	struct odm_policy p;
};

static bool quiet;
static int nerrors;
static struct pfile *files;
static size_t nfiles, cap;

static void error_line(const char *line)
{
	printf("%s\n", line);
	nerrors++;
}

static void add_file(const char *path)
{
	for (size_t i = 0; i < nfiles; i++)
		if (strcmp(files[i].path, path) == 0)
			return;
	if (nfiles == cap) {
		cap = cap ? 2 * cap : 16;
		files = realloc(files, cap * sizeof *files);
		if (!files)
			err(ODM_EX_FAIL, "check");
	}
	files[nfiles].path = strdup(path);
	if (!files[nfiles].path)
		err(ODM_EX_FAIL, "check");
	files[nfiles++].ok = false;
}

/* A FILE argument, or a folder's *.conf. */
static void add_arg(const char *arg, bool is_default)
{
	char abs[PATH_MAX], **list, line[PATH_MAX + 64];
	struct stat st;
	int n;

	if (!realpath(arg, abs) || stat(abs, &st) != 0) {
		if (is_default && errno == ENOENT) {
			if (!quiet)
				printf("ok %s (no folder: no program has a "
				       "policy)\n", arg);
			return;
		}
		snprintf(line, sizeof line, "%s: %s", arg, strerror(errno));
		error_line(line);
		return;
	}
	if (!S_ISDIR(st.st_mode)) {
		add_file(abs);
		return;
	}
	n = odm_conf_list(abs, &list);
	if (n < 0) {
		snprintf(line, sizeof line, "%s: %s", abs, strerror(errno));
		error_line(line);
		return;
	}
	if (n == 0 && !quiet)
		printf("ok %s (no *.conf file)\n", abs);
	for (int i = 0; i < n; i++)
		add_file(list[i]);
	odm_conf_list_free(list, n);
}

/* 0 when the host config can be used, with *hc loaded (empty when the
 * default file is missing). */
static int check_hostconf(struct odm_hostconf *hc)
{
	const char *path = odm_hostconf_path();
	char err[PATH_MAX + 256];
	bool first = true;

	memset(hc, 0, sizeof *hc);
	if (strcmp(path, ODM_DEFAULT_CONF) == 0 && access(path, F_OK) != 0 &&
	    errno == ENOENT) {
		if (!quiet)
			printf("ok %s (missing: the host declares no typed "
			       "prefix)\n", path);
		return 0;
	}
	if (odm_hostconf_load(path, hc, err, sizeof err)) {
		error_line(err);
		return -1;
	}
	if (quiet)
		return 0;
	printf("ok %s (types:", path);
	for (unsigned t = ODM_TYPE_MIN; t <= ODM_TYPE_MAX; t++)
		if (hc->types_declared & (1u << t)) {
			printf("%s %s", first ? "" : ",", odm_type_name(t));
			first = false;
		}
	printf("%s)\n", first ? " none" : "");
	return 0;
}

/* Which of two files the library tries first: name order. */
static const struct pfile *first_by_name(const struct pfile *a,
					 const struct pfile *b)
{
	const char *na = strrchr(a->path, '/'), *nb = strrchr(b->path, '/');

	return strcmp(na ? na + 1 : a->path, nb ? nb + 1 : b->path) <= 0 ? a
									: b;
}

static void same(const struct pfile *a, const struct pfile *b, char **x,
		 size_t nx, char **y, size_t ny, const char *what)
{
	for (size_t i = 0; i < nx; i++)
		for (size_t j = 0; j < ny; j++)
			if (strcmp(x[i], y[j]) == 0)
				printf("warning: %s and %s both give %s %s: "
				       "%s wins (file name order)\n", a->path,
				       b->path, what, x[i],
				       first_by_name(a, b)->path);
}

/* a's program paths whose name b's globs match: a wins. */
static void glob_hits(const struct pfile *a, const struct pfile *b)
{
	for (size_t i = 0; i < a->p.nprograms; i++) {
		const char *prog = a->p.programs[i];
		const char *base = strrchr(prog, '/');

		base = base ? base + 1 : prog;
		for (size_t j = 0; j < b->p.nnames; j++)
			if (fnmatch(b->p.names[j], base, 0) == 0)
				printf("warning: program %s of %s also matches "
				       "name \"%s\" of %s: %s wins (program "
				       "path beats name glob)\n", prog, a->path,
				       b->p.names[j], b->path, a->path);
	}
}

static void overlaps(const struct pfile *a, const struct pfile *b)
{
	same(a, b, a->p.programs, a->p.nprograms, b->p.programs,
	     b->p.nprograms, "program");
	same(a, b, a->p.scripts, a->p.nscripts, b->p.scripts, b->p.nscripts,
	     "script");
	same(a, b, a->p.names, a->p.nnames, b->p.names, b->p.nnames,
	     "name glob");
	glob_hits(a, b);
	glob_hits(b, a);
}

static void check_type(const struct pfile *f, const struct odm_rule *r,
		       const struct odm_hostconf *hc)
{
	if (!odm_type_valid(r->type) || (hc->types_declared & (1u << r->type)) ||
	    hc->agent.configured)
		return; /* declared here, or odmd may obtain it */
	if (r->line)
		printf("warning: %s:%d: rule %s: ", f->path, r->line, r->name);
	else
		printf("warning: %s: default: ", f->path);
	printf("%s declares no %s prefix or interface: its sockets %s\n",
	       hc->path[0] ? hc->path : odm_hostconf_path(),
	       odm_type_name(r->type),
	       r->on_failure == ODM_ONFAIL_LEGACY ? "fall back to legacy"
						   : "fail with EADDRNOTAVAIL");
}

int odm_cmd_check(int argc, char **argv)
{
	struct odm_hostconf hc;
	char err[PATH_MAX + 256];
	bool hc_ok;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt(argc, argv, "+q")) != -1) {
		if (c != 'q')
			return warnx("check: %s: unknown option", argv[optind - 1]),
			       odm_usage("check");
		quiet = true;
	}
	hc_ok = check_hostconf(&hc) == 0;
	if (optind < argc)
		for (int i = optind; i < argc; i++)
			add_arg(argv[i], false);
	else if (odm_tool_policy_file())
		add_arg(odm_tool_policy_file(), false);
	else
		add_arg(odm_tool_policy_dir(), true);
	for (size_t i = 0; i < nfiles; i++) {
		files[i].ok = odm_policy_parse(files[i].path, &files[i].p, err,
					       sizeof err) == 0;
		if (!files[i].ok)
			error_line(err);
		else if (!quiet)
			printf("ok %s\n", files[i].path);
	}
	for (size_t i = 0; i < nfiles; i++) {
		for (size_t j = i + 1; j < nfiles && files[i].ok; j++)
			if (files[j].ok)
				overlaps(&files[i], &files[j]);
		for (size_t k = 0; hc_ok && files[i].ok && k <= files[i].p.nrules; k++)
			check_type(&files[i], k ? &files[i].p.rules[k - 1]
						: &files[i].p.deflt, &hc);
	}
	for (size_t i = 0; i < nfiles; i++) {
		if (files[i].ok)
			odm_policy_free(&files[i].p);
		free(files[i].path);
	}
	free(files);
	odm_hostconf_free(&hc);
	return nerrors ? ODM_EX_FAIL : 0;
}
