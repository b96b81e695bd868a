/* odm_check.c: `odm check`: validates the host config and policy files with
 * the library's own parsers, and warns about what parses but will surprise:
 * files that compete for one program, programs that do not exist, rules
 * whose type the host config does not declare. Errors and warnings go to
 * standard error, "ok" lines to standard output. Checking a folder also
 * compiles it into its index (policy_index.h), where it may write. */
#include <err.h>
#include <errno.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include "defaults.h"
#include "hostconf.h"
#include "policy.h"
#include "policy_index.h"
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
	fflush(stdout);
	fprintf(stderr, "%s\n", line);
	nerrors++;
}

static void warning(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
static void warning(const char *fmt, ...)
{
	va_list ap;

	fflush(stdout);
	fputs("warning: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
}

/* The folders whose files were checked: each gets its index written. */
static char *folders[16];
static size_t nfolders;

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
	if (nfolders < sizeof folders / sizeof folders[0] &&
	    (folders[nfolders] = strdup(abs)))
		nfolders++;
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
	if (odm_hostconf_load(path, false, hc, err, sizeof err)) {
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
				warning("%s and %s both give %s %s: %s wins "
					"(file name order)", a->path, b->path,
					what, x[i], first_by_name(a, b)->path);
}

/* a's program paths whose name b's globs match: a wins. */
static void glob_hits(const struct pfile *a, const struct pfile *b)
{
	for (size_t i = 0; i < a->p.keys.nprograms; i++) {
		const char *prog = a->p.keys.programs[i];
		const char *base = strrchr(prog, '/');

		base = base ? base + 1 : prog;
		for (size_t j = 0; j < b->p.keys.nnames; j++)
			if (fnmatch(b->p.keys.names[j], base, 0) == 0)
				warning("program %s of %s also matches name "
					"\"%s\" of %s: %s wins (program path "
					"beats name glob)", prog, a->path,
					b->p.keys.names[j], b->path, a->path);
	}
}

static void overlaps(const struct pfile *a, const struct pfile *b)
{
	same(a, b, a->p.keys.programs, a->p.keys.nprograms, b->p.keys.programs,
	     b->p.keys.nprograms, "program");
	same(a, b, a->p.keys.scripts, a->p.keys.nscripts, b->p.keys.scripts, b->p.keys.nscripts,
	     "script");
	same(a, b, a->p.keys.names, a->p.keys.nnames, b->p.keys.names, b->p.keys.nnames,
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
	char where[PATH_MAX + 96];

	if (r->line)
		snprintf(where, sizeof where, "%s:%d: rule %s", f->path, r->line,
			 r->name);
	else
		snprintf(where, sizeof where, "%s: default", f->path);
	warning("%s: %s declares no %s prefix or interface: its sockets %s",
		where, hc->path[0] ? hc->path : odm_hostconf_path(),
		odm_type_name(r->type),
		r->on_failure == ODM_ONFAIL_LEGACY ? "fall back to legacy"
						    : "fail with EADDRNOTAVAIL");
}

/* A program path or script that is not there (yet): the file governs
 * nothing until it is. */
static void check_exists(const struct pfile *f)
{
	char *const *v[2] = { f->p.keys.programs, f->p.keys.scripts };
	size_t n[2] = { f->p.keys.nprograms, f->p.keys.nscripts };

	for (int k = 0; k < 2; k++)
		for (size_t i = 0; i < n[k]; i++)
			if (access(v[k][i], F_OK) != 0)
				warning("%s: %s %s does not exist: this file "
					"governs it once it does", f->path,
					k ? "script" : "program", v[k][i]);
}

/* Compiles each folder checked into its index, where this user may. */
static void write_indexes(void)
{
	char err[PATH_MAX + 256];

	for (size_t i = 0; i < nfolders; i++) {
		int n = odm_policy_index_write(folders[i], err, sizeof err, NULL);

		if (n >= 0 && !quiet)
			printf("ok %s/" ODM_INDEX_NAME " (%d files indexed)\n",
			       folders[i], n);
		else if (n < 0)
			warning("%s (libodm reads every file's header "
				"without it: slower, but the same)", err);
		free(folders[i]);
	}
}

int odm_cmd_check(int argc, char **argv)
{
	struct odm_hostconf hc;
	char err[PATH_MAX + 256];
	bool hc_ok;
	int c;

	opterr = 0;
	optind = 1;
	while ((c = getopt(argc, argv, "+qh")) != -1) {
		if (c == 'h')
			return odm_help_verb("check");
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
		files[i].ok = odm_policy_parse(files[i].path, false, &files[i].p,
					       err, sizeof err) == 0;
		if (!files[i].ok)
			error_line(err);
		else if (!quiet)
			printf("ok %s\n", files[i].path);
		if (files[i].ok)
			check_exists(&files[i]);
	}
	for (size_t i = 0; i < nfiles; i++) {
		for (size_t j = i + 1; j < nfiles && files[i].ok; j++)
			if (files[j].ok)
				overlaps(&files[i], &files[j]);
		for (size_t k = 0; hc_ok && files[i].ok && k <= files[i].p.nrules; k++)
			check_type(&files[i], k ? &files[i].p.rules[k - 1]
						: &files[i].p.deflt, &hc);
	}
	write_indexes();
	for (size_t i = 0; i < nfiles; i++) {
		if (files[i].ok)
			odm_policy_free(&files[i].p);
		free(files[i].path);
	}
	free(files);
	odm_hostconf_free(&hc);
	return nerrors ? ODM_EX_FAIL : 0;
}
