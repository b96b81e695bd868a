/* test_policy.c: the policy language: parsing good and broken fixtures,
 * program matching, rule decisions, the folder with and without its
 * index, broken neighbours, symlinks, configuration files that are not
 * regular files, and a parse linear in the number of rules. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log.h"
#include "policy.h"
#include "policy_index.h"
#include "test.h"

static struct odm_policy load(const char *name)
{
	struct odm_policy p;
	char err[512] = "";

	if (odm_policy_parse(name, false, &p, err, sizeof err))
		printf("#   %s\n", err);
	return p;
}

static void good_file(void)
{
	struct odm_policy p = load(FIXTURE("policy/good.conf"));
	const struct odm_rule *r = p.rules;

	CHECK(p.keys.nprograms == 2 && p.keys.nnames == 0 && p.keys.nscripts == 0);
	CHECK_STR(p.keys.programs[1], "/usr/local/bin/curl");
	CHECK_STR(p.deflt.name, "default");
	CHECK(p.deflt.type == SESSION_LASTING_IPV6_ADDRESS);
	CHECK(p.deflt.on_failure == ODM_ONFAIL_LEGACY && !p.deflt.on_net);
	CHECK(p.server_bind == ODM_SERVER_ADDRESS);
	CHECK(p.log_level == ODM_LOG_INFO && p.log_target == -1);
	CHECK(p.nrules == 5);
	CHECK_STR(r[0].name, "dns");
	CHECK(r[0].line == 7 && r[0].proto == IPPROTO_UDP);
	CHECK(r[0].port_lo == 53 && r[0].port_hi == 53);
	CHECK(r[0].type == NON_PERSISTENT_IPV6_ADDRESS);
	CHECK(r[0].on_failure == ODM_ONFAIL_LEGACY); /* inherited */
	CHECK_STR(r[1].name, "intranet");
	CHECK(r[1].line == 8 && r[1].has_dest && r[1].dest_len == 48);
	CHECK(r[1].on_failure == ODM_ONFAIL_FAIL); /* its own */
	CHECK(r[2].port_lo == 8000 && r[2].port_hi == 8100 && r[2].on_net);
	CHECK(r[2].type == GRACEFUL_REPLACEMENT_IPV6_ADDRESS);
	CHECK(r[3].role == ODM_ROLE_SERVER && r[3].type == FIXED_IPV6_ADDRESS);
	CHECK(r[4].type == ODM_TYPE_LEGACY);
	odm_policy_free(&p);
}

static void broken(const char *name, int line, const char *word)
{
	struct odm_policy p;
	char path[512], err[512];

	snprintf(path, sizeof path, "%s%s", FIXTURE("policy/"), name);
	CHECK(odm_policy_parse(path, false, &p, err, sizeof err) == -1);
	CHECK_ERROR_AT(err, path, line, word);
	CHECK(p.nrules == 0 && p.rules == NULL);
	odm_policy_free(&p);
}

static void broken_files(void)
{
	broken("bad-type.conf", 4, "permanent");
	broken("bad-port.conf", 2, "70000");
	broken("bad-range.conf", 3, "90-80");
	broken("bad-destination.conf", 2, "cafe");
	broken("unknown-key.conf", 2, "colour");
	broken("rule-without-type.conf", 2, "no type");
	broken("dup-rule.conf", 3, "rule a is defined twice (first at line 2)");
	broken("no-matcher.conf", 0, "governs nothing");
	broken("relative-program.conf", 2, "absolute path");
	broken("missing.conf", 0, "No such file");
}

static void program_matching(void)
{
	struct odm_policy good = load(FIXTURE("policy/good.conf"));
	struct odm_policy names = load(FIXTURE("policy/names.conf"));
	struct odm_policy script = load(FIXTURE("policy/script.conf"));
	struct odm_progid curl = { .exe = "/usr/bin/curl", .argv0 = "curl" };
	struct odm_progid py = { .exe = "/usr/bin/python3.11", .argv0 = "python3",
				 .script = "/opt/app/run.py", .script_done = true };
	struct odm_progid pypy = { .exe = "/opt/pypy/bin/pypy3",
				   .argv0 = "/usr/bin/pypy" };

	CHECK(odm_policy_matches(&good, &curl) == ODM_MATCH_PROGRAM);
	CHECK(odm_policy_matches(&good, &py) == ODM_MATCH_NONE);
	CHECK(odm_policy_matches(&names, &py) == ODM_MATCH_NAME);
	CHECK(odm_policy_matches(&names, &pypy) == ODM_MATCH_NAME); /* argv0 */
	CHECK(odm_policy_matches(&names, &curl) == ODM_MATCH_NONE);
	CHECK(odm_policy_matches(&script, &py) == ODM_MATCH_SCRIPT);
	odm_policy_free(&good);
	odm_policy_free(&names);
	odm_policy_free(&script);
}

static const char *decide(const struct odm_policy *p, const char *dest,
			  unsigned port, int proto, int role)
{
	struct in6_addr a;
	struct odm_sockinfo s = { dest ? &a : NULL, (uint16_t)port, proto, role };

	if (dest)
		inet_pton(AF_INET6, dest, &a);
	return odm_policy_decide(p, &s)->name;
}

static void decisions(void)
{
	struct odm_policy p = load(FIXTURE("policy/good.conf"));
	const int C = ODM_ROLE_CLIENT, S = ODM_ROLE_SERVER;
	const int T = IPPROTO_TCP, U = IPPROTO_UDP;

	CHECK_STR(decide(&p, "2001:db8:1::1", 53, U, C), "dns");
	CHECK_STR(decide(&p, "2001:db8:1::1", 53, T, C), "default"); /* proto */
	CHECK_STR(decide(&p, "2001:db8:cafe:5::1", 443, T, C), "intranet");
	/* first match wins: the /64 legacy rule comes after the /48 one */
	CHECK_STR(decide(&p, "2001:db8:cafe:1::1", 443, T, C), "intranet");
	CHECK_STR(decide(&p, "2001:db8:cafe::1", 53, U, C), "dns");
	CHECK_STR(decide(&p, "2001:db8:1::1", 8000, T, C), "web");
	CHECK_STR(decide(&p, "2001:db8:1::1", 8100, T, C), "web");
	CHECK_STR(decide(&p, "2001:db8:1::1", 8101, T, C), "default");
	CHECK_STR(decide(&p, "2001:db8:1::1", 7999, T, C), "default");
	CHECK_STR(decide(&p, "2001:db8:1::1", 8050, U, C), "default");
	CHECK_STR(decide(&p, NULL, 8080, T, S), "web"); /* port + proto match */
	CHECK_STR(decide(&p, NULL, 22, T, S), "serve");
	/* a destination rule never matches a server socket */
	CHECK_STR(decide(&p, NULL, 443, T, S), "serve");
	odm_policy_free(&p);
}

static void folder_scan(void)
{
	struct odm_policy p;
	struct odm_progid curl = { .exe = "/usr/bin/curl", .argv0 = "curl" };
	struct odm_progid other = { .exe = "/usr/bin/wget", .argv0 = "wget" };
	struct odm_progid ok = { .exe = "/usr/bin/ok", .argv0 = "ok" };
	struct odm_progid x = { .exe = "/usr/bin/x", .argv0 = "x" };
	char err[512];

	CHECK(odm_policy_find(FIXTURE("policy/dir-overlap"), &curl, false, &p,
			      err, sizeof err, NULL) == 1);
	/* program beats name; of two program matches the first by name */
	CHECK_HAS(p.path, "20-by-program.conf");
	CHECK(p.deflt.type == FIXED_IPV6_ADDRESS);
	odm_policy_free(&p);
	CHECK(odm_policy_find(FIXTURE("policy/dir-overlap"), &other, false, &p,
			      err, sizeof err, NULL) == 0);
	CHECK(odm_policy_find(FIXTURE("policy/no-such-dir"), &curl, false, &p,
			      err, sizeof err, NULL) == 0);
	/* A broken file matters only to the program it names. */
	CHECK(odm_policy_find(FIXTURE("policy/dir-broken"), &ok, false, &p,
			      err, sizeof err, NULL) == 1);
	CHECK_HAS(p.path, "10-ok.conf");
	odm_policy_free(&p);
	CHECK(odm_policy_find(FIXTURE("policy/dir-broken"), &x, false, &p,
			      err, sizeof err, NULL) == -1);
	CHECK_HAS(err, "20-broken.conf:2: ");
	CHECK_HAS(err, "sometimes");
}

/* A copy of a fixture folder in a fresh one (the index is written in it). */
static void copy_dir(const char *from, char *to)
{
	char cmd[1024];

	strcpy(to, "/tmp/odm-index-XXXXXX");
	CHECK(mkdtemp(to) != NULL);
	snprintf(cmd, sizeof cmd, "cp %s/*.conf %s/ && chmod 0755 %s && "
		 "chmod 0644 %s/*.conf", from, to, to, to);
	CHECK(system(cmd) == 0);
}

static void rm_dir(const char *dir)
{
	char cmd[600];

	snprintf(cmd, sizeof cmd, "rm -rf %s", dir);
	CHECK(system(cmd) == 0);
}

/* The same answers from the index as from the files, and the files again
 * once the folder changed behind it. */
static void the_index(void)
{
	struct odm_progid curl = { .exe = "/usr/bin/curl", .argv0 = "curl" };
	struct odm_progid other = { .exe = "/usr/bin/wget", .argv0 = "wget" };
	struct odm_progid ok = { .exe = "/usr/bin/ok", .argv0 = "ok" };
	struct odm_progid x = { .exe = "/usr/bin/x", .argv0 = "x" };
	char dir[64], dir2[64], err[512], path[600];
	struct odm_policy p;
	struct stat st;
	FILE *f;

	copy_dir(FIXTURE("policy/dir-overlap"), dir);
	CHECK(odm_policy_index_write(dir, err, sizeof err, NULL) == 3);
	CHECK(stat(dir, &st) == 0);
	CHECK(odm_policy_index_find(dir, &st, &curl, false, &p, err,
				    sizeof err, NULL) == ODM_INDEX_FOUND);
	CHECK_HAS(p.path, "20-by-program.conf");
	CHECK(p.deflt.type == FIXED_IPV6_ADDRESS);
	odm_policy_free(&p);
	CHECK(odm_policy_index_find(dir, &st, &other, false, &p, err,
				    sizeof err, NULL) == ODM_INDEX_NONE);
	/* A new file: the index is stale, the files say. */
	snprintf(path, sizeof path, "%s/05-wget.conf", dir);
	f = fopen(path, "w");
	fputs("program = \"/usr/bin/wget\"\ntype = nonpersistent\n", f);
	fclose(f);
	CHECK(stat(dir, &st) == 0);
	CHECK(odm_policy_index_find(dir, &st, &other, false, &p, err,
				    sizeof err, NULL) == ODM_INDEX_STALE);
	CHECK(odm_policy_find(dir, &other, false, &p, err, sizeof err, NULL) == 1);
	CHECK(p.deflt.type == NON_PERSISTENT_IPV6_ADDRESS);
	odm_policy_free(&p);
	CHECK(odm_policy_index_write(dir, err, sizeof err, NULL) == 4);
	CHECK(odm_policy_find(dir, &other, false, &p, err, sizeof err, NULL) == 1);
	CHECK_HAS(p.path, "05-wget.conf");
	odm_policy_free(&p);
	rm_dir(dir);
	/* Broken files: in the index with the programs they name. */
	copy_dir(FIXTURE("policy/dir-broken"), dir2);
	CHECK(odm_policy_index_write(dir2, err, sizeof err, NULL) == 2);
	CHECK(stat(dir2, &st) == 0);
	CHECK(odm_policy_index_find(dir2, &st, &ok, false, &p, err, sizeof err,
				    NULL) == ODM_INDEX_FOUND);
	odm_policy_free(&p);
	CHECK(odm_policy_index_find(dir2, &st, &x, false, &p, err, sizeof err,
				    NULL) == ODM_INDEX_BROKEN);
	CHECK_HAS(err, "20-broken.conf:2: ");
	rm_dir(dir2);
}

/* Program paths match through symlinks, on both sides. */
static void symlinks(void)
{
	char dir[] = "/tmp/odm-link-XXXXXX", path[128], link[128], real[128];
	struct odm_progid id = { .argv0 = "prog" };
	struct odm_policy p;
	char err[512];
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(real, sizeof real, "%s/prog-1.2", dir);
	snprintf(link, sizeof link, "%s/prog", dir);
	f = fopen(real, "w");
	fclose(f);
	CHECK(symlink(real, link) == 0);
	snprintf(path, sizeof path, "%s/p.conf", dir);
	f = fopen(path, "w");
	fprintf(f, "program = \"%s\"\ntype = fixed\n", link);
	fclose(f);
	CHECK(odm_policy_parse(path, false, &p, err, sizeof err) == 0);
	CHECK_STR(p.keys.programs[0], real);
	id.exe = real; /* as /proc/self/exe names it */
	CHECK(odm_policy_matches(&p, &id) == ODM_MATCH_PROGRAM);
	odm_policy_free(&p);
	rm_dir(dir);
}

/* A FIFO (or a device) as a configuration file never blocks. */
static void not_regular(void)
{
	char dir[] = "/tmp/odm-fifo-XXXXXX", path[64], err[512];
	struct odm_policy p;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/p.conf", dir);
	CHECK(mkfifo(path, 0644) == 0);
	CHECK(odm_policy_parse(path, false, &p, err, sizeof err) == -1);
	CHECK_HAS(err, "not a regular file");
	CHECK(odm_policy_parse("/dev/zero", false, &p, err, sizeof err) == -1);
	CHECK_HAS(err, "not a regular file");
	unlink(path);
	rmdir(dir);
}

/* 20,000 rules: linear (it was quadratic: seconds). */
static void many_rules(void)
{
	char path[] = "/tmp/odm-big-XXXXXX", err[512];
	struct odm_policy p;
	int fd = mkstemp(path);
	FILE *f = fdopen(fd, "w");

	fprintf(f, "name = \"big\"\ntype = fixed\n");
	for (int i = 0; i < 20000; i++)
		fprintf(f, "rule r%d { port = %d type = nonpersistent }\n", i,
			1 + i % 60000);
	fprintf(f, "rule r7 { port = 1 type = fixed }\n");
	fclose(f);
	CHECK(odm_policy_parse(path, false, &p, err, sizeof err) == -1);
	CHECK_ERROR_AT(err, path, 20003, "r7 is defined twice (first at line 10)");
	truncate(path, 0);
	f = fopen(path, "w");
	fprintf(f, "name = \"big\"\ntype = fixed\n");
	for (int i = 0; i < 20000; i++)
		fprintf(f, "rule r%d { port = %d type = nonpersistent }\n", i,
			1 + i % 60000);
	fclose(f);
	CHECK(odm_policy_parse(path, false, &p, err, sizeof err) == 0);
	CHECK(p.nrules == 20000 && p.rules[19999].line == 20002);
	odm_policy_free(&p);
	unlink(path);
}

static int warnings;
static void count_warning(const char *msg)
{
	printf("#   warning: %s\n", msg);
	warnings++;
}

static void strict_permissions(void)
{
	char dir[] = "/tmp/odm-policy-XXXXXX", path[64];
	struct odm_progid curl = { .exe = "/usr/bin/curl", .argv0 = "curl" };
	struct odm_policy p;
	char err[512];
	FILE *f;

	CHECK(mkdtemp(dir) != NULL);
	snprintf(path, sizeof path, "%s/curl.conf", dir);
	f = fopen(path, "w");
	fputs("name = \"curl\"\ntype = fixed\n", f);
	fclose(f);
	chmod(path, 0664);
	warnings = 0;
	CHECK(odm_policy_find(dir, &curl, true, &p, err, sizeof err,
			      count_warning) == 0);
	CHECK(warnings == 1);
	CHECK(odm_policy_find(dir, &curl, false, &p, err, sizeof err,
			      count_warning) == 1);
	odm_policy_free(&p);
	chmod(path, 0644);
	CHECK(odm_policy_find(dir, &curl, true, &p, err, sizeof err,
			      count_warning) == 1);
	odm_policy_free(&p);
	chmod(dir, 0777);
	warnings = 0;
	CHECK(odm_policy_find(dir, &curl, true, &p, err, sizeof err,
			      count_warning) == 0);
	CHECK(warnings == 1);
	unlink(path);
	rmdir(dir);
}

int main(void)
{
	RUN(good_file);
	RUN(broken_files);
	RUN(program_matching);
	RUN(decisions);
	RUN(folder_scan);
	RUN(the_index);
	RUN(symlinks);
	RUN(not_regular);
	RUN(many_rules);
	RUN(strict_permissions);
	return TEST_DONE();
}
