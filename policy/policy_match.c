/* policy_match.c: does a policy file govern this program, and which of its
 * rules decides a socket. */
#include <fnmatch.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include "hostconf.h"
#include "policy.h"

static const char *base_name(const char *path)
{
	const char *slash = path ? strrchr(path, '/') : NULL;

	return slash ? slash + 1 : path;
}

static bool in_list(char *const *list, size_t n, const char *s)
{
	for (size_t i = 0; s && i < n; i++)
		if (strcmp(list[i], s) == 0)
			return true;
	return false;
}

static bool glob_matches(char *const *globs, size_t n, const char *s)
{
	for (size_t i = 0; s && *s && i < n; i++)
		if (fnmatch(globs[i], s, 0) == 0)
			return true;
	return false;
}

const char *odm_progid_script(struct odm_progid *id)
{
	struct stat st;

	if (!id->script_done) {
		id->script_done = true;
		if (id->script_arg && stat(id->script_arg, &st) == 0 &&
		    S_ISREG(st.st_mode) && realpath(id->script_arg, id->script_buf))
			id->script = id->script_buf;
	}
	return id->script;
}

int odm_policy_keys_match(const struct odm_policy_keys *k,
			  struct odm_progid *id)
{
	if (in_list(k->programs, k->nprograms, id->exe))
		return ODM_MATCH_PROGRAM;
	if (k->nscripts && in_list(k->scripts, k->nscripts, odm_progid_script(id)))
		return ODM_MATCH_SCRIPT;
	if (glob_matches(k->names, k->nnames, base_name(id->exe)) ||
	    glob_matches(k->names, k->nnames, base_name(id->argv0)))
		return ODM_MATCH_NAME;
	return ODM_MATCH_NONE;
}

static bool rule_matches(const struct odm_rule *r, const struct odm_sockinfo *s)
{
	if (r->has_dest &&
	    (!s->dest || !odm_prefix_contains(&r->dest, r->dest_len, s->dest)))
		return false;
	if (r->port_lo && (s->port < r->port_lo || s->port > r->port_hi))
		return false;
	if (r->proto && r->proto != s->proto)
		return false;
	return !r->role || r->role == s->role;
}

const struct odm_rule *odm_policy_decide(const struct odm_policy *p,
					 const struct odm_sockinfo *s)
{
	for (size_t i = 0; i < p->nrules; i++)
		if (rule_matches(&p->rules[i], s))
			return &p->rules[i];
	return &p->deflt;
}
