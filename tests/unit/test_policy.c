/* test_policy.c: the policy language: parsing good and broken fixtures,
 * program matching, rule decisions, and the folder scan. */
#include <arpa/inet.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>
#include "log.h"
#include "policy.h"
#include "test.h"

static struct odm_policy load(const char *name)
{
	struct odm_policy p;
	char err[512] = "";

	if (odm_policy_parse(name, &p, err, sizeof err))
		printf("#   %s\n", err);
	return p;
}

static void good_file(void)
{
	struct odm_policy p = load(FIXTURE("policy/good.conf"));
	const struct odm_rule *r = p.rules;

	CHECK(p.nprograms == 2 && p.nnames == 0 && p.nscripts == 0);
	CHECK_STR(p.programs[1], "/usr/local/bin/curl");
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
	CHECK(odm_policy_parse(path, &p, err, sizeof err) == -1);
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
	broken("dup-rule.conf", 3, "'a'");
	broken("no-matcher.conf", 0, "governs nothing");
	broken("relative-program.conf", 2, "absolute path");
	broken("missing.conf", 0, "No such file");
}

static void program_matching(void)
{
	struct odm_policy good = load(FIXTURE("policy/good.conf"));
	struct odm_policy names = load(FIXTURE("policy/names.conf"));
	struct odm_policy script = load(FIXTURE("policy/script.conf"));
	struct odm_progid curl = { "/usr/bin/curl", "curl", NULL };
	struct odm_progid py = { "/usr/bin/python3.11", "python3",
				 "/opt/app/run.py" };
	struct odm_progid pypy = { "/opt/pypy/bin/pypy3", "/usr/bin/pypy", NULL };

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
	struct odm_progid curl = { "/usr/bin/curl", "curl", NULL };
	struct odm_progid other = { "/usr/bin/wget", "wget", NULL };
	struct odm_progid ok = { "/usr/bin/ok", "ok", NULL };
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
	CHECK(odm_policy_find(FIXTURE("policy/dir-broken"), &ok, false, &p,
			      err, sizeof err, NULL) == -1);
	CHECK_HAS(err, "20-broken.conf:2: ");
	CHECK_HAS(err, "sometimes");
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
	struct odm_progid curl = { "/usr/bin/curl", "curl", NULL };
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
	RUN(strict_permissions);
	return TEST_DONE();
}
