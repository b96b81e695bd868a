/* odmtool.h: what the verbs of the odm command share: their entry
 * points, the usage error, and where the library finds its policies.
 * Not include/odm.h, the public API: it has its own guard, and the tools
 * reach the public one through sctype.h and policy.h, whose "odm.h" is
 * looked up in include/ before -Itools. */
#ifndef ODM_TOOL_H
#define ODM_TOOL_H

#include <netinet/in.h>
#include <stdbool.h>
#include "policy.h"

/* Where the Makefile installs (its -D flags; these are the defaults). */
#ifndef ODM_PKGLIBDIR
#define ODM_PKGLIBDIR "/usr/local/lib/odm"  /* the shim's private folder */
#endif
#ifndef ODM_MULTIARCH
#define ODM_MULTIARCH ""                    /* x86_64-linux-gnu, say */
#endif
#ifndef ODM_BINDIR
#define ODM_BINDIR "/usr/local/bin"         /* odm itself */
#endif

#define ODM_EX_FAIL  1   /* the verb ran and found a failure */
#define ODM_EX_USAGE 64  /* EX_USAGE: bad command line */

/* Each verb gets argv[0] = its own name, like a main(). */
int odm_cmd_run(int argc, char **argv);
int odm_cmd_explain(int argc, char **argv);
int odm_cmd_check(int argc, char **argv);
int odm_cmd_help(int argc, char **argv);
int odm_cmd_status(int argc, char **argv);
int odm_cmd_move(int argc, char **argv);
int odm_cmd_release(int argc, char **argv);
int odm_cmd_enable(int argc, char **argv);
int odm_cmd_disable(int argc, char **argv);
int odm_cmd_show(int argc, char **argv);
int odm_cmd_cgroup(int argc, char **argv);

/* The preload shim: $ODM_LIB; else found from odm's own path, in the
 * source tree (tools/odm -> preload/libodm.so) or an installation under
 * any prefix (PREFIX/bin/odm -> PREFIX/lib/[TRIPLET/]odm/libodm.so); else
 * the PKGLIBDIR odm was built for. 0 with its path in out (PATH_MAX), or
 * -1 with a message. */
int odm_find_shim(char *out);

/* VERB --help: its usage on stdout; returns 0. */
int odm_help_verb(const char *verb);

/* Prints "usage: odm VERB ..." to stderr; returns ODM_EX_USAGE. */
int odm_usage(const char *verb);

/* The policy folder the library reads: $ODM_POLICY_DIR or the default. */
const char *odm_tool_policy_dir(void);

/* $ODM_POLICY_FILE when set and not empty (one file governs every
 * program), else NULL. */
const char *odm_tool_policy_file(void);

/* The paths of dir's *.conf files (regular files, not hidden), in the name
 * order the library reads them. Returns how many (*paths malloc'ed, free it
 * with odm_conf_list_free), or -1 with errno set (ENOENT: no folder). */
int odm_conf_list(const char *dir, char ***paths);
void odm_conf_list_free(char **paths, int n);

/* One socket `odm explain` asks about: si.dest points to dest (client)
 * or is NULL (server, si.port is the local port). */
struct odm_query {
	struct odm_sockinfo si;
	struct in6_addr dest;
};

/* One line of explain's output: the label in a column, then the text. */
void odm_out(const char *label, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* The rest of a decision block, from the "policy" line on, when policy p
 * governs (how says why it does): the library's own choice of rule, type
 * and address, and what the socket call then does. */
void odm_explain_policy(const struct odm_policy *p, const char *how,
			const struct odm_query *q);

/* The same when no policy governs; what says why. */
void odm_explain_none(const char *what, const struct odm_query *q);

/* What kind of executable path is (odm run): LD_PRELOAD reaches only the
 * dynamic ones that call libc; Go makes its system calls itself. */
enum odm_exe_kind { ODM_EXE_OTHER = 0, ODM_EXE_DYNAMIC, ODM_EXE_STATIC,
		    ODM_EXE_GO, ODM_EXE_GO_DYNAMIC };
int odm_exe_kind(const char *path);

/* odm run's cgroup mode (odm_cgroup.c): runs path with argv in a cgroup of
 * its own under policy p, LD_PRELOAD staying set when preload; mode names
 * why, for the line it prints. The program's exit status, or -1 when the
 * BPF path cannot be had (said in one line; the caller goes on without). */
int odm_cgroup_run(const char *path, char **argv, const struct odm_policy *p,
		   const char *mode, bool preload);

/* odm cgroup (odm_cgroup.c): the BPF path for the cgroup this process is
 * in (a service's, from its ExecStartPre=+), by policy p of the program at
 * path; or, with detach, its entry in odmd's map removed (ExecStopPost=+).
 * The verb's exit status. */
int odm_cgroup_self(const char *path, const struct odm_policy *p, bool detach);

/* Frees the address list the explanations read once. */
void odm_explain_done(void);

#endif
