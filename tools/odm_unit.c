/* odm_unit.c: `odm enable`, `odm disable` and `odm show`: a systemd
 * service runs under libodm through a drop-in of odm's own,
 * /etc/systemd/system/UNIT.d/zz-odm.conf, which appends the shim to the
 * LD_PRELOAD the unit already sets (as mptcpize enable does), or with
 * --cgroup has odm type the service's own cgroup through the BPF path
 * (for static and Go programs). --root DIR works on an image or a scratch
 * tree, as systemctl's --root does. */
#include <dirent.h>
#include <err.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>
#include "odmtool.h"

/* Last in name order among all of a unit's drop-ins (systemctl edit's
 * override.conf included), so that its LD_PRELOAD is the one in force. */
#define DROPIN_NAME "zz-odm.conf"
#define DROPIN_MARK "# Written by odm enable (odm(1)); odm disable removes it."

/* systemd's system unit path, highest priority first. */
static const char *const unit_dirs[] = {
	"/etc/systemd/system", "/run/systemd/system",
	"/usr/local/lib/systemd/system", "/lib/systemd/system",
	"/usr/lib/systemd/system",
};
#define NDIRS (sizeof unit_dirs / sizeof unit_dirs[0])

struct unitctx {
	const char *root;   /* "" for the running system */
	char name[256];     /* foo.service */
	char tmpl[256];     /* foo@.service for an instance, else "" */
	bool cgroup;        /* enable --cgroup: the BPF path, not LD_PRELOAD */
};

/* A unit name as systemd spells it; ".service" added when it has no type. */
static int unit_name(const char *arg, struct unitctx *u)
{
	const char *dot = strrchr(arg, '.'), *at;
	size_t len = strlen(arg);

	if (!len || len > 200 || strchr(arg, '/') ||
	    strspn(arg, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
			"0123456789:-_.@\\") != len) {
		warnx("\"%s\" is not a unit name", arg);
		return -1;
	}
	if (dot && strcmp(dot, ".service")) {
		warnx("%s: only services run programs (a .service unit)", arg);
		return -1;
	}
	snprintf(u->name, sizeof u->name, "%s%s", arg, dot ? "" : ".service");
	u->tmpl[0] = '\0';
	at = strchr(u->name, '@');
	if (at && at[1] != '.')
		snprintf(u->tmpl, sizeof u->tmpl, "%.*s%s", (int)(at - u->name + 1),
			 u->name, strrchr(u->name, '.'));
	return 0;
}

/* The unit's file, the first found in unit_dirs (the instance's, then the
 * template's). 0 with its path, or -1. */
static int unit_file(const struct unitctx *u, char *out, size_t len)
{
	struct stat st;

	for (int t = 0; t < 2; t++) {
		const char *n = t ? u->tmpl : u->name;

		for (size_t i = 0; n[0] && i < NDIRS; i++) {
			snprintf(out, len, "%s%s/%s", u->root, unit_dirs[i], n);
			if (stat(out, &st) == 0)
				return 0;
		}
	}
	return -1;
}

static void dropin_path(const struct unitctx *u, char *out, size_t len)
{
	snprintf(out, len, "%s/etc/systemd/system/%s.d/" DROPIN_NAME, u->root,
		 u->name);
}

/* One word of a systemd Environment= value at *p (quotes and C escapes as
 * systemd reads them); advances *p. false at the end. */
static bool env_word(const char **p, char *out, size_t len)
{
	const char *s = *p;
	size_t n = 0;
	char q = 0;

	while (*s == ' ' || *s == '\t')
		s++;
	if (!*s)
		return false;
	for (; *s && (q || (*s != ' ' && *s != '\t')); s++) {
		char c = *s;

		if (!q && (c == '"' || c == '\'')) {
			q = c;
			continue;
		}
		if (q && c == q) {
			q = 0;
			continue;
		}
		if (c == '\\' && s[1] && q != '\'')
			c = *++s;
		if (n + 1 < len)
			out[n++] = c;
	}
	out[n] = '\0';
	*p = s;
	return true;
}

/* What odm reads of a unit: the LD_PRELOAD it sets and the program its
 * (last) ExecStart= runs. */
struct unitread {
	char preload[4096];
	char exec[PATH_MAX];
	char toolong[PATH_MAX]; /* a file with a line odm cannot read whole */
};

/* Reads one unit file or drop-in into *r: an Environment= in [Service]
 * that sets LD_PRELOAD replaces r->preload, an empty one clears it; an
 * ExecStart= gives r->exec its program (its prefixes @-:+! dropped), an
 * empty one clears it. */
static void scan_file(const char *path, struct unitread *r)
{
	char *preload = r->preload;
	size_t len = sizeof r->preload;
	FILE *f = fopen(path, "re");
	char line[4096], word[4096];
	bool service = false;

	if (!f)
		return;
	while (fgets(line, sizeof line, f)) {
		const char *p;
		size_t n = strlen(line);

		/* A line longer than the buffer, or one continued with a
		 * backslash: odm would misread it, so enable refuses. */
		if ((n == sizeof line - 1 && line[n - 1] != '\n') ||
		    (n >= 2 && line[n - 2] == '\\' && line[n - 1] == '\n')) {
			snprintf(r->toolong, sizeof r->toolong, "%s", path);
			break;
		}
		line[strcspn(line, "\r\n")] = '\0';
		if (line[0] == '[') {
			service = strcmp(line, "[Service]") == 0;
			continue;
		}
		if (service && strncmp(line, "ExecStart=", 10) == 0) {
			p = line + 10 + strspn(line + 10, "@-:+! \t");
			if (!env_word(&p, r->exec, sizeof r->exec))
				r->exec[0] = '\0';
			continue;
		}
		if (!service || strncmp(line, "Environment=", 12))
			continue;
		p = line + 12;
		if (!p[strspn(p, " \t")])
			preload[0] = '\0';
		while (env_word(&p, word, sizeof word))
			if (strncmp(word, "LD_PRELOAD=", 11) == 0)
				snprintf(preload, len, "%s", word + 11);
	}
	fclose(f);
}

static int dropin_filter(const struct dirent *d)
{
	size_t n = strlen(d->d_name);

	return n > 5 && strcmp(d->d_name + n - 5, ".conf") == 0 &&
	       strcmp(d->d_name, DROPIN_NAME) != 0;
}

/* What the unit says without odm's drop-in: its file, then the other
 * drop-ins in name order (a name in a higher directory hides the same
 * name lower down). */
static void unit_read(const struct unitctx *u, const char *file,
		      struct unitread *r)
{
	char (*names)[PATH_MAX] = malloc(64 * sizeof *names), path[PATH_MAX];
	size_t nnames = 0;

	r->preload[0] = r->exec[0] = r->toolong[0] = '\0';
	if (!names)
		return;
	scan_file(file, r);
	/* Collect the drop-ins' names, then read them in name order. */
	for (int t = 1; t >= 0; t--) {
		const char *n = t ? u->tmpl : u->name;

		for (size_t i = 0; n[0] && i < NDIRS; i++) {
			struct dirent **ents;
			int k;

			if ((size_t)snprintf(path, sizeof path, "%s%s/%s.d", u->root,
					     unit_dirs[i], n) >= sizeof path)
				continue;
			k = scandir(path, &ents, dropin_filter, alphasort);
			for (int j = 0; j < k; j++) {
				bool dup = false;

				for (size_t m = 0; m < nnames && !dup; m++)
					dup = strcmp(strrchr(names[m], '/') + 1,
						     ents[j]->d_name) == 0;
				if (!dup && nnames < 64 &&
				    strlen(path) + strlen(ents[j]->d_name) + 2 <=
					    sizeof names[0])
					sprintf(names[nnames++], "%s/%s", path,
						ents[j]->d_name);
				free(ents[j]);
			}
			if (k >= 0)
				free(ents);
		}
	}
	for (size_t i = 0; i < nnames; i++)
		for (size_t j = i + 1; j < nnames; j++)
			if (strcmp(strrchr(names[j], '/'), strrchr(names[i], '/')) < 0) {
				memcpy(path, names[i], sizeof path);
				memcpy(names[i], names[j], sizeof path);
				memcpy(names[j], path, sizeof path);
			}
	for (size_t i = 0; i < nnames; i++)
		scan_file(names[i], r);
	free(names);
}

/* Is lib one of the words of an LD_PRELOAD value? */
static bool preload_has(const char *preload, const char *lib)
{
	size_t n = strlen(lib);

	for (const char *p = preload; (p = strstr(p, lib)); p += n)
		if ((p == preload || p[-1] == ' ' || p[-1] == ':') &&
		    (!p[n] || p[n] == ' ' || p[n] == ':'))
			return true;
	return false;
}

/* The shim's path as the unit will see it: for --root, the first of the
 * usual installed places that the tree has (odm's own PKGLIBDIR first),
 * else wherever odm run finds it. */
static int shim_path(const struct unitctx *u, char *out)
{
	static const char *const dirs[] = {
		ODM_PKGLIBDIR, "/usr/lib/" ODM_MULTIARCH "/odm", "/usr/lib/odm",
		"/usr/local/lib/odm",
	};
	char inroot[2 * PATH_MAX];

	if (!u->root[0])
		return odm_find_shim(out);
	for (size_t i = 0; i < sizeof dirs / sizeof dirs[0]; i++) {
		snprintf(inroot, sizeof inroot, "%s%s/libodm.so", u->root, dirs[i]);
		if (access(inroot, R_OK) == 0) {
			snprintf(out, PATH_MAX, "%s/libodm.so", dirs[i]);
			return 0;
		}
	}
	snprintf(out, PATH_MAX, "%s/libodm.so", ODM_PKGLIBDIR);
	warnx("note: %s is not in %s yet", out, u->root);
	return 0;
}

/* Writes s as a systemd quoted string: \ and " escaped; % doubled when
 * s is a plain path (pct), kept as it is in what a unit file says (its
 * specifiers, %% included, are systemd's to expand). */
static void put_quoted(FILE *f, const char *s, bool pct)
{
	for (; *s; s++) {
		if (*s == '\\' || *s == '"')
			fputc('\\', f);
		if (*s == '%' && pct)
			fputc('%', f);
		fputc(*s, f);
	}
}

static int mkdirs(const char *path)
{
	char p[2 * PATH_MAX];

	snprintf(p, sizeof p, "%s", path);
	for (char *s = p + 1; *s; s++)
		if (*s == '/') {
			*s = '\0';
			if (mkdir(p, 0755) && errno != EEXIST)
				return -1;
			*s = '/';
		}
	return mkdir(p, 0755) && errno != EEXIST ? -1 : 0;
}

/* Without --root, on a host systemd runs: systemctl daemon-reload. */
static void reload(const struct unitctx *u)
{
	pid_t pid;
	int st;

	if (u->root[0] || access("/run/systemd/system", F_OK))
		return;
	pid = fork();
	if (pid == 0) {
		execlp("systemctl", "systemctl", "daemon-reload", (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &st, 0) < 0 || !WIFEXITED(st) ||
	    WEXITSTATUS(st))
		warnx("note: systemctl daemon-reload failed; run it yourself");
}

/* Common options: --root DIR and the unit. */
static int parse(int argc, char **argv, const char *verb, struct unitctx *u,
		 char *rootbuf)
{
	static const struct option longs[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "cgroup", no_argument, NULL, 'c' },
		{ NULL, 0, NULL, 0 },
	};
	int opt;

	u->root = "";
	u->cgroup = false;
	optind = 1;
	while ((opt = getopt_long(argc, argv, "+r:", longs, NULL)) != -1) {
		if (opt == 'c' && strcmp(verb, "enable") == 0) {
			u->cgroup = true;
			continue;
		}
		if (opt != 'r')
			return odm_usage(verb);
		if (!realpath(optarg, rootbuf)) {
			warn("%s: --root %s", verb, optarg);
			return ODM_EX_FAIL;
		}
		u->root = strcmp(rootbuf, "/") ? rootbuf : "";
	}
	if (optind != argc - 1)
		return odm_usage(verb);
	return unit_name(argv[optind], u) ? ODM_EX_USAGE : 0;
}

/* odm's own path as the unit will see it. */
static void odm_path(const struct unitctx *u, char *out)
{
	if (u->root[0] || !realpath("/proc/self/exe", out))
		snprintf(out, PATH_MAX, "%s/odm", ODM_BINDIR);
}

/* The drop-in's [Service] lines: 0, or -1 with a message. */
static int write_service(FILE *f, const struct unitctx *u,
			 const struct unitread *r)
{
	char lib[PATH_MAX], odm[PATH_MAX];
	bool has;

	if (u->cgroup) {
		if (r->exec[0] != '/') {
			warnx("enable: %s: no ExecStart= with an absolute path; "
			      "--cgroup needs the program to find its policy",
			      u->name);
			return -1;
		}
		/* "-": the service starts even where there is no BPF path
		 * (untyped, as a program with no policy); "+": as root. */
		odm_path(u, odm);
		fputs("ExecStartPre=-+", f);
		put_quoted(f, odm, true);
		fputs(" cgroup ", f);
		put_quoted(f, r->exec, false);
		fputs("\nExecStopPost=-+", f);
		put_quoted(f, odm, true);
		fputs(" cgroup --detach\n", f);
		return 0;
	}
	if (shim_path(u, lib))
		return -1;
	has = preload_has(r->preload, lib);
	fputs("Environment=\"LD_PRELOAD=", f);
	if (!has) {
		put_quoted(f, r->preload, false);
		if (r->preload[0])
			fputc(' ', f);
	}
	put_quoted(f, has ? r->preload : lib, !has);
	fputs("\"\n", f);
	return 0;
}

int odm_cmd_enable(int argc, char **argv)
{
	struct unitctx u;
	static struct unitread r;
	char rootbuf[PATH_MAX], file[PATH_MAX + 300], drop[PATH_MAX + 300],
		tmp[PATH_MAX + 310];
	int rc = parse(argc, argv, "enable", &u, rootbuf);
	FILE *f;

	if (rc)
		return rc;
	if (unit_file(&u, file, sizeof file)) {
		warnx("enable: no unit %s%s%s", u.name, u.root[0] ? " in " : "",
		      u.root);
		return ODM_EX_FAIL;
	}
	unit_read(&u, file, &r);
	if (r.toolong[0]) {
		warnx("enable: %s: a line longer than %zu bytes or continued "
		      "with a backslash, which odm does not read; nothing "
		      "changed", r.toolong, sizeof r.preload - 1);
		return ODM_EX_FAIL;
	}
	dropin_path(&u, drop, sizeof drop);
	*strrchr(drop, '/') = '\0';
	if (mkdirs(drop)) {
		warn("enable: %s", drop);
		return ODM_EX_FAIL;
	}
	strcat(drop, "/" DROPIN_NAME);
	snprintf(tmp, sizeof tmp, "%s.tmp", drop);
	if (!(f = fopen(tmp, "we"))) {
		warn("enable: %s", tmp);
		return ODM_EX_FAIL;
	}
	fprintf(f, DROPIN_MARK "\n# %s runs under libodm (libodm(7)%s): its "
		   "sockets get the types its policy\n# names "
		   "(/etc/odm/policy.d, odm-policy(5)).\n[Service]\n", u.name,
		u.cgroup ? ", the cgroup BPF path" : "");
	if (write_service(f, &u, &r)) {
		fclose(f);
		unlink(tmp);
		return ODM_EX_FAIL;
	}
	if (fflush(f) || fsync(fileno(f)) || fclose(f) || rename(tmp, drop)) {
		warn("enable: %s", drop);
		unlink(tmp);
		return ODM_EX_FAIL;
	}
	printf("%s: enabled%s (%s)\n", u.name, u.cgroup ? ", cgroup mode" : "",
	       drop);
	reload(&u);
	if (!u.root[0])
		printf("restart it to take effect: systemctl restart %s\n",
		       u.name);
	return 0;
}

int odm_cmd_disable(int argc, char **argv)
{
	struct unitctx u;
	char rootbuf[PATH_MAX], drop[PATH_MAX + 300], line[256];
	int rc = parse(argc, argv, "disable", &u, rootbuf);
	FILE *f;

	if (rc)
		return rc;
	dropin_path(&u, drop, sizeof drop);
	if (!(f = fopen(drop, "re"))) {
		if (errno != ENOENT) {
			warn("disable: %s", drop);
			return ODM_EX_FAIL;
		}
		printf("%s: not enabled\n", u.name);
		return 0;
	}
	/* Only a file odm wrote. */
	if (!fgets(line, sizeof line, f) || strncmp(line, DROPIN_MARK,
						    strlen(DROPIN_MARK))) {
		fclose(f);
		warnx("disable: %s was not written by odm enable; left alone",
		      drop);
		return ODM_EX_FAIL;
	}
	fclose(f);
	if (unlink(drop)) {
		warn("disable: %s", drop);
		return ODM_EX_FAIL;
	}
	*strrchr(drop, '/') = '\0';
	rmdir(drop); /* if nothing else is in it */
	printf("%s: disabled\n", u.name);
	reload(&u);
	if (!u.root[0])
		printf("restart it to take effect: systemctl restart %s\n",
		       u.name);
	return 0;
}

int odm_cmd_show(int argc, char **argv)
{
	struct unitctx u;
	static struct unitread r;
	char rootbuf[PATH_MAX], file[PATH_MAX + 300], drop[PATH_MAX + 300],
		line[4096];
	int rc = parse(argc, argv, "show", &u, rootbuf);
	bool have_file, enabled;
	FILE *f;

	if (rc)
		return rc;
	have_file = unit_file(&u, file, sizeof file) == 0;
	dropin_path(&u, drop, sizeof drop);
	enabled = access(drop, F_OK) == 0;
	printf("unit: %s\nfile: %s\nlibodm: %s\n", u.name,
	       have_file ? file : "(none)", enabled ? "enabled" : "disabled");
	if (have_file) {
		unit_read(&u, file, &r);
		printf("its own LD_PRELOAD: %s\nits program: %s\n",
		       r.preload[0] ? r.preload : "(none)",
		       r.exec[0] ? r.exec : "(none)");
	}
	if (enabled && (f = fopen(drop, "re"))) {
		printf("drop-in: %s\n", drop);
		while (fgets(line, sizeof line, f))
			printf("  %s", line);
		fclose(f);
	}
	return have_file ? 0 : ODM_EX_FAIL;
}
