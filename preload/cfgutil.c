/* cfgutil.c: configuration files for libconfuse: opened safely, parsed
 * one at a time with errors captured, sections' lines found in one pass. */
#include <ctype.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/auxv.h>
#include <unistd.h>
#include "cfgutil.h"
#include "log.h"

#define CFG_MAX_BYTES (64u << 20) /* no configuration file is larger */

static pthread_mutex_t cfg_lock = PTHREAD_MUTEX_INITIALIZER;

/* The file being parsed (under cfg_lock). */
static char *cfg_err;
static size_t cfg_errlen;

/* Every line that may open a section: `word title` (title bare or
 * quoted), in file order. */
struct opener {
	int line;
	char *keyword, *title;
};
static struct opener *openers;
static size_t nopeners, cursor;

void odm_cfg_fork_prepare(void) { pthread_mutex_lock(&cfg_lock); }
void odm_cfg_fork_parent(void) { pthread_mutex_unlock(&cfg_lock); }
void odm_cfg_fork_child(void) { pthread_mutex_unlock(&cfg_lock); }

const char *odm_cfg_untrusted(const struct stat *st)
{
	if (st->st_uid != 0 && st->st_uid != (uid_t)getauxval(AT_EUID))
		return "owned by another user";
	if (st->st_mode & (S_IWGRP | S_IWOTH))
		return "writable by group or others";
	return NULL;
}

FILE *odm_cfg_open(const char *path, bool strict, char *err, size_t errlen)
{
	int fd = open(path, O_RDONLY | O_NONBLOCK | O_CLOEXEC | O_NOCTTY);
	const char *why = NULL, *distrust = NULL;
	struct stat st;
	FILE *f = NULL;

	if (fd < 0) {
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return NULL;
	}
	if (fstat(fd, &st))
		why = strerror(errno);
	else if (!S_ISREG(st.st_mode))
		why = "not a regular file";
	else if ((size_t)st.st_size > CFG_MAX_BYTES)
		why = "too large for a configuration file";
	else if (strict && (distrust = odm_cfg_untrusted(&st)))
		why = distrust;
	else if (!(f = fdopen(fd, "re")))
		why = strerror(errno);
	if (why) {
		snprintf(err, errlen, "%s: %s%s", path, distrust ? "refused: " : "",
			 why);
		close(fd);
		return NULL;
	}
	return f;
}

static void capture_error(cfg_t *cfg, const char *fmt, va_list ap)
{
	char msg[512];

	if (!cfg_err || cfg_err[0])
		return; /* keep the first: later ones are often its echoes */
	vsnprintf(msg, sizeof msg, fmt, ap);
	if (cfg && cfg->filename && cfg->line > 0)
		snprintf(cfg_err, cfg_errlen, "%s:%d: %s", cfg->filename,
			 cfg->line, msg);
	else if (cfg && cfg->filename)
		snprintf(cfg_err, cfg_errlen, "%s: %s", cfg->filename, msg);
	else
		snprintf(cfg_err, cfg_errlen, "%s", msg);
}

/* odm_cfg_nth()'s last answer: asked in turn (0, 1, 2...), it goes on
 * from there. */
static size_t nth_k;
static unsigned nth_i;
static const char *nth_kw;

static void free_openers(void)
{
	nth_kw = NULL;
	for (size_t i = 0; i < nopeners; i++) {
		free(openers[i].keyword);
		free(openers[i].title);
	}
	free(openers);
	openers = NULL;
	nopeners = cursor = 0;
}

/* `word title` at the start of line (blanks aside): keyword and title
 * copied out, or false. */
static bool opener_of(const char *line, char **keyword, char **title)
{
	const char *k, *t;
	size_t kl, tl;

	while (isspace((unsigned char)*line))
		line++;
	for (k = line; isalnum((unsigned char)*line) || *line == '-' ||
		       *line == '_'; line++)
		;
	kl = (size_t)(line - k);
	if (!kl || !isspace((unsigned char)*line))
		return false;
	while (isspace((unsigned char)*line))
		line++;
	if (*line == '"') {
		t = ++line;
		while (*line && *line != '"')
			line++;
		if (*line != '"')
			return false;
	} else {
		for (t = line; *line && !isspace((unsigned char)*line) &&
			       *line != '{' && *line != '='; line++)
			;
	}
	tl = (size_t)(line - t);
	if (!tl && *t != '"' && t[-1] != '"')
		return false;
	*keyword = strndup(k, kl);
	*title = strndup(t, tl);
	if (!*keyword || !*title) {
		free(*keyword);
		free(*title);
		return false;
	}
	return true;
}

/* One pass over the text for the lines that may open sections; the
 * titles of untitle's sections are blanked out of it (libconfuse then
 * keeps them as untitled sections: it compares every titled section with
 * all the earlier ones, which is quadratic). -1 with err when one of
 * untitle's sections has no title. */
static int find_openers(char *text, const char *path, const char *untitle,
			char *err, size_t errlen)
{
	size_t room = 0;
	int n = 0;

	for (char *line = text; *line;) {
		char *nl = strchr(line, '\n'), *k;
		struct opener o;

		n++;
		if (nl)
			*nl = '\0';
		if (opener_of(line, &o.keyword, &o.title)) {
			if (nopeners == room) {
				size_t r = room ? 2 * room : 64;
				struct opener *v = realloc(openers, r * sizeof *v);

				if (!v) {
					free(o.keyword);
					free(o.title);
					snprintf(err, errlen, "%s: out of memory", path);
					return -1;
				}
				openers = v;
				room = r;
			}
			o.line = n;
			openers[nopeners++] = o;
			if (untitle && strcmp(o.keyword, untitle) == 0) {
				/* Blank the title (quotes too), keep the rest. */
				k = strstr(line, o.keyword) + strlen(o.keyword);
				while (isspace((unsigned char)*k))
					k++;
				if (*k == '"')
					*k++ = ' ';
				memset(k, ' ', strlen(o.title));
				k += strlen(o.title);
				if (*k == '"')
					*k = ' ';
			}
		} else if (untitle) {
			k = line;
			while (isspace((unsigned char)*k))
				k++;
			size_t ul = strlen(untitle);

			if (strncmp(k, untitle, ul) == 0) {
				k += ul;
				while (isspace((unsigned char)*k))
					k++;
				if (*k == '{' || !*k) {
					snprintf(err, errlen, "%s:%d: a %s needs a "
						 "name (%s NAME { ... })", path, n,
						 untitle, untitle);
					return -1;
				}
			}
		}
		if (!nl)
			break;
		*nl = '\n';
		line = nl + 1;
	}
	return 0;
}

int odm_cfg_parse(cfg_t *cfg, const char *path, bool strict,
		  const char *untitle, char *err, size_t errlen)
{
	char scratch[512], *text = NULL;
	size_t len = 0;
	int saved = errno, rc = CFG_FILE_ERROR;
	FILE *f;

	if (!err || errlen == 0) {
		err = scratch;
		errlen = sizeof scratch;
	}
	err[0] = '\0';
	pthread_mutex_lock(&cfg_lock);
	free_openers();
	if (!path || path[0] != '/') {
		snprintf(err, errlen, "%s: not an absolute path",
			 path ? path : "(null)");
		return -1;
	}
	if (!(f = odm_cfg_open(path, strict, err, errlen)))
		return -1;
	if (getdelim(&text, &len, '\0', f) < 0) {
		if (ferror(f)) {
			snprintf(err, errlen, "%s: %s", path, strerror(errno));
			fclose(f);
			free(text);
			return -1;
		}
		free(text); /* an empty file */
		text = NULL;
	}
	fclose(f);
	if (!text && !(text = strdup(""))) {
		snprintf(err, errlen, "%s: out of memory", path);
		return -1;
	}
	if (find_openers(text, path, untitle, err, errlen)) {
		free(text);
		return -1;
	}
	free(cfg->filename);
	cfg->filename = strdup(path);
	cfg_err = err;
	cfg_errlen = errlen;
	cfg_set_error_function(cfg, capture_error);
	/* From memory, under the file's own name. */
	if (!text[0]) { /* fmemopen wants a byte at least */
		free(text);
		text = strdup("\n");
	}
	if (cfg->filename && text && (f = fmemopen(text, strlen(text), "r"))) {
		rc = cfg_parse_fp(cfg, f);
		fclose(f);
	}
	if (rc != CFG_SUCCESS && !err[0])
		snprintf(err, errlen, "%s: %s", path, rc == CFG_FILE_ERROR
			 ? strerror(errno ? errno : ENOMEM) : "parse error");
	cfg_err = NULL;
	free(text);
	errno = saved;
	return rc == CFG_SUCCESS ? 0 : -1;
}

int odm_cfg_nth(const char *keyword, unsigned i, const char **title, int *line)
{
	size_t k = 0;
	unsigned skip = i;

	if (nth_kw && !strcmp(nth_kw, keyword) && i > nth_i) {
		k = nth_k + 1;
		skip = i - nth_i - 1;
	}
	for (; k < nopeners; k++)
		if (strcmp(openers[k].keyword, keyword) == 0 && skip-- == 0) {
			*title = openers[k].title;
			*line = openers[k].line;
			nth_kw = openers[k].keyword;
			nth_k = k;
			nth_i = i;
			return 0;
		}
	return -1;
}

void odm_cfg_done(void)
{
	free_openers();
	pthread_mutex_unlock(&cfg_lock);
}

int odm_cfg_section_line(cfg_t *cfg, const char *keyword, const char *title)
{
	if (!title)
		return cfg ? cfg->line : 0;
	for (size_t k = 0; k < nopeners; k++) {
		size_t i = (cursor + k) % nopeners;

		if (strcmp(openers[i].keyword, keyword) == 0 &&
		    strcmp(openers[i].title, title) == 0) {
			cursor = i + 1;
			return openers[i].line;
		}
	}
	return cfg ? cfg->line : 0;
}

static int by_title(const void *a, const void *b)
{
	const struct opener *x = *(struct opener *const *)a;
	const struct opener *y = *(struct opener *const *)b;
	int c = strcmp(x->title, y->title);

	return c ? c : x->line - y->line;
}

int odm_cfg_twice(const char *keyword, const char **title, int *line,
		  int *first)
{
	struct opener **v = malloc((nopeners ? nopeners : 1) * sizeof *v);
	size_t n = 0;
	int found = 0;

	if (!v)
		return 0;
	for (size_t i = 0; i < nopeners; i++)
		if (strcmp(openers[i].keyword, keyword) == 0)
			v[n++] = &openers[i];
	qsort(v, n, sizeof *v, by_title);
	for (size_t i = 1; i < n; i++)
		if (strcmp(v[i]->title, v[i - 1]->title) == 0 &&
		    (!found || v[i]->line < *line)) {
			*title = v[i]->title;
			*line = v[i]->line;
			*first = v[i - 1]->line;
			found = 1;
		}
	free(v);
	return found;
}

int odm_cfg_keyword(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		    void *result, const char *const *names,
		    const char *expected)
{
	for (long i = 0; names[i]; i++)
		if (names[i][0] && strcmp(value, names[i]) == 0) {
			*(long *)result = i;
			return 0;
		}
	cfg_error(cfg, "bad %s '%s' (expected %s)", opt->name, value, expected);
	return -1;
}

/* A value parsed by log.c's own parser, or an error naming the choices. */
static int log_option(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		      void *result, int v, const char *expected)
{
	if (v < 0) {
		cfg_error(cfg, "bad %s '%s' (expected %s)", opt->name, value,
			  expected);
		return -1;
	}
	*(long *)result = v;
	return 0;
}

int odm_cfg_log_level(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		      void *result)
{
	return log_option(cfg, opt, value, result, odm_log_level_parse(value),
			  "none, error, warn, info or debug");
}

int odm_cfg_log_target(cfg_t *cfg, cfg_opt_t *opt, const char *value,
		       void *result)
{
	return log_option(cfg, opt, value, result, odm_log_target_parse(value),
			  "stderr or syslog");
}
