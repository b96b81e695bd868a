/* policy_scan.c: how a policy file names its programs, read without
 * libconfuse: a small lexer for the top level of libconfuse's syntax
 * (comments, strings, lists, sections skipped by their braces), looking
 * only for `program`, `name` and `script`. Linear in the file's size. */
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include "cfgutil.h"
#include "policy.h"

enum tok { T_END, T_WORD, T_STRING, T_EQ, T_OPEN, T_CLOSE, T_COMMA, T_OTHER };

struct lexer {
	const char *p, *end;
	char text[PATH_MAX];   /* the last word or string */
	bool bad;              /* an unterminated string or comment */
};

static void skip_blanks(struct lexer *l)
{
	for (;;) {
		while (l->p < l->end && isspace((unsigned char)*l->p))
			l->p++;
		if (l->p < l->end && (*l->p == '#' ||
				      (*l->p == '/' && l->p + 1 < l->end &&
				       l->p[1] == '/'))) {
			while (l->p < l->end && *l->p != '\n')
				l->p++;
		} else if (l->p + 1 < l->end && l->p[0] == '/' && l->p[1] == '*') {
			const char *e = NULL;

			for (const char *q = l->p + 2; q + 1 < l->end; q++)
				if (q[0] == '*' && q[1] == '/') {
					e = q + 2;
					break;
				}
			if (!e) {
				l->bad = true;
				l->p = l->end;
				return;
			}
			l->p = e;
		} else {
			return;
		}
	}
}

static enum tok next(struct lexer *l)
{
	size_t n = 0;

	skip_blanks(l);
	if (l->p >= l->end)
		return T_END;
	switch (*l->p) {
	case '=': l->p++; return T_EQ;
	case '{': l->p++; return T_OPEN;
	case '}': l->p++; return T_CLOSE;
	case ',': l->p++; return T_COMMA;
	case '"':
		for (l->p++; l->p < l->end && *l->p != '"'; l->p++) {
			char c = *l->p;

			if (c == '\\' && l->p + 1 < l->end)
				c = *++l->p;
			if (n < sizeof l->text - 1)
				l->text[n++] = c;
		}
		if (l->p >= l->end) {
			l->bad = true;
			return T_END;
		}
		l->p++;
		l->text[n] = '\0';
		return T_STRING;
	}
	if (isalnum((unsigned char)*l->p) || strchr("-_./*?[]", *l->p)) {
		while (l->p < l->end && (isalnum((unsigned char)*l->p) ||
					 strchr("-_./*?[]:", *l->p))) {
			if (n < sizeof l->text - 1)
				l->text[n++] = *l->p;
			l->p++;
		}
		l->text[n] = '\0';
		return T_WORD;
	}
	l->p++;
	return T_OTHER;
}

static int add(char ***v, size_t *n, const char *s, bool resolve)
{
	char real[PATH_MAX], **bigger = realloc(*v, (*n + 1) * sizeof **v);

	if (!bigger)
		return -1;
	*v = bigger;
	if (resolve && realpath(s, real))
		s = real;
	if (!((*v)[*n] = strdup(s)))
		return -1;
	(*n)++;
	return 0;
}

/* The value after `key =`: a string, a word, or a list of them. */
static int value(struct lexer *l, char ***v, size_t *n, bool resolve)
{
	enum tok t = next(l);

	if (t == T_STRING || t == T_WORD)
		return add(v, n, l->text, resolve);
	if (t != T_OPEN)
		return -1;
	while ((t = next(l)) != T_CLOSE) {
		if ((t != T_STRING && t != T_WORD) || add(v, n, l->text, resolve))
			return -1;
		if ((t = next(l)) == T_CLOSE)
			break;
		if (t != T_COMMA)
			return -1;
	}
	return 0;
}

static int scan(struct lexer *l, struct odm_policy_keys *k)
{
	int depth = 0;
	enum tok t;

	while ((t = next(l)) != T_END) {
		if (t == T_OPEN) {
			depth++;
		} else if (t == T_CLOSE) {
			if (--depth < 0)
				return -1;
		} else if (t == T_WORD && depth == 0) {
			char word[8];

			if (strlen(l->text) >= sizeof word)
				continue;
			memcpy(word, l->text, strlen(l->text) + 1);
			if (strcmp(word, "program") && strcmp(word, "name") &&
			    strcmp(word, "script"))
				continue;
			if (next(l) != T_EQ)
				return -1;
			if (word[0] == 'p' &&
			    value(l, &k->programs, &k->nprograms, true))
				return -1;
			if (word[0] == 'n' && value(l, &k->names, &k->nnames, false))
				return -1;
			if (word[0] == 's' &&
			    value(l, &k->scripts, &k->nscripts, true))
				return -1;
		}
	}
	return l->bad || depth ? -1 : 0;
}

int odm_policy_scan(const char *path, bool strict, struct odm_policy_keys *k,
		    char *err, size_t errlen)
{
	FILE *f = odm_cfg_open(path, strict, err, errlen);
	struct lexer l;
	char *buf = NULL;
	size_t len = 0;
	int rc;

	memset(k, 0, sizeof *k);
	if (!f)
		return -1;
	if (getdelim(&buf, &len, '\0', f) < 0 && ferror(f)) {
		snprintf(err, errlen, "%s: cannot read it", path);
		fclose(f);
		free(buf);
		return -1;
	}
	l.p = buf ? buf : "";
	l.end = l.p + (buf ? strlen(buf) : 0);
	l.bad = false;
	rc = scan(&l, k);
	fclose(f);
	free(buf);
	if (rc == 0 && !k->nprograms && !k->nnames && !k->nscripts)
		rc = -1;
	if (rc) {
		snprintf(err, errlen, "%s: which programs it names cannot be "
			 "made out", path);
		odm_policy_keys_free(k);
	}
	return rc;
}
