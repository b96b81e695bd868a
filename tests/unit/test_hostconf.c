/* test_hostconf.c: odm.conf against good and broken fixture files, the
 * type of an address, and the prefix helpers. */
#include <arpa/inet.h>
#include "hostconf.h"
#include "log.h"
#include "test.h"

static struct in6_addr a6(const char *text)
{
	struct in6_addr a;

	inet_pton(AF_INET6, text, &a);
	return a;
}

static const char *net_text(const struct odm_hc_prefix *p)
{
	static char buf[INET6_ADDRSTRLEN];

	return inet_ntop(AF_INET6, &p->net, buf, sizeof buf);
}

static void good_file(void)
{
	struct odm_hostconf hc;
	char err[512] = "";

	CHECK(odm_hostconf_load(FIXTURE("hostconf/good.conf"), false, &hc, err,
				sizeof err) == 0);
	CHECK_STR(err, "");
	CHECK(hc.nprefixes == 4 && hc.nifaces == 1);
	CHECK_STR(net_text(&hc.prefixes[0]), "2001:db8:f::");
	CHECK(hc.prefixes[0].len == 64 && hc.prefixes[0].type == FIXED_IPV6_ADDRESS);
	CHECK_STR(net_text(&hc.prefixes[2]), "2001:db8:9::"); /* bits cleared */
	CHECK(hc.prefixes[2].len == 48);
	CHECK(hc.prefixes[2].type == GRACEFUL_REPLACEMENT_IPV6_ADDRESS);
	CHECK_STR(hc.ifaces[0].name, "wwan1");
	CHECK(hc.ifaces[0].type == NON_PERSISTENT_IPV6_ADDRESS);
	CHECK(hc.types_declared == (1u << 1 | 1u << 2 | 1u << 3 | 1u << 4));
	CHECK(hc.log_level == ODM_LOG_DEBUG && hc.log_target == ODM_LOG_SYSLOG);
	odm_hostconf_free(&hc);
}

static void empty_file(void)
{
	struct odm_hostconf hc;
	char err[512];

	CHECK(odm_hostconf_load(FIXTURE("hostconf/empty.conf"), false, &hc, err,
				sizeof err) == 0);
	CHECK(hc.nprefixes == 0 && hc.nifaces == 0 && hc.types_declared == 0);
	CHECK(hc.log_level == -1 && hc.log_target == -1);
	odm_hostconf_free(&hc);
}

/* The file fails with "PATH:LINE: ..." and the message contains word. */
static void broken(const char *name, int line, const char *word)
{
	struct odm_hostconf hc;
	char path[512], err[512];

	snprintf(path, sizeof path, "%s", FIXTURE("hostconf/") );
	snprintf(path + strlen(path), sizeof path - strlen(path), "%s", name);
	CHECK(odm_hostconf_load(path, false, &hc, err, sizeof err) == -1);
	CHECK_ERROR_AT(err, path, line, word);
	CHECK(hc.nprefixes == 0 && hc.prefixes == NULL && hc.types_declared == 0);
	odm_hostconf_free(&hc);
}

static void broken_files(void)
{
	broken("bad-type.conf", 3, "sesion-lasting");
	broken("bad-prefix.conf", 2, "2001:db8:zz::/64");
	broken("prefix-too-long.conf", 3, "/129");
	broken("unknown-key.conf", 2, "prefixes");
	broken("missing-type.conf", 1, "no type");
	broken("dup-prefix.conf", 0, "declared twice");
	broken("long-ifname.conf", 2, "a-name-far-too-long-for-linux");
	broken("syntax.conf", 2, "");
	broken("no-such-file.conf", 0, "No such file");
}

static void type_of_address(void)
{
	struct odm_hostconf hc;
	char err[512];
	struct in6_addr a;

	CHECK(odm_hostconf_load(FIXTURE("hostconf/good.conf"), false, &hc, err,
				sizeof err) == 0);
	a = a6("2001:db8:5::10");
	CHECK(odm_hostconf_type_of(&hc, &a, "eth0") == SESSION_LASTING_IPV6_ADDRESS);
	a = a6("2001:db8:5:1::10"); /* the /80 inside the /64: longest wins */
	CHECK(odm_hostconf_type_of(&hc, &a, "eth0") == NON_PERSISTENT_IPV6_ADDRESS);
	a = a6("2001:db8:9:77::1"); /* inside the /48 */
	CHECK(odm_hostconf_type_of(&hc, &a, NULL) == GRACEFUL_REPLACEMENT_IPV6_ADDRESS);
	a = a6("2001:db9::1");
	CHECK(odm_hostconf_type_of(&hc, &a, "wwan1") == NON_PERSISTENT_IPV6_ADDRESS);
	CHECK(odm_hostconf_type_of(&hc, &a, "eth0") == 0);
	CHECK(odm_hostconf_type_of(&hc, &a, NULL) == 0);
	odm_hostconf_free(&hc);
}

static void agent_network_authorize(void)
{
	struct odm_hostconf hc;
	char err[512] = "";

	CHECK(odm_hostconf_load(FIXTURE("hostconf/agent.conf"), false, &hc, err,
				sizeof err) == 0);
	CHECK_STR(err, "");
	CHECK(hc.agent.configured && hc.agent.timeout_ms == 1500);
	CHECK_STR(hc.agent.socket, "/run/odm-test/odmd.sock");
	CHECK(hc.net.backend == ODM_BACKEND_SIM);
	CHECK_STR(hc.net.ifname, "odm0");
	CHECK(hc.net.offer == (1u << 2 | 1u << 3) && hc.net.attach == hc.net.offer);
	CHECK(hc.net.npools == 2 && hc.net.pools[1].p.len == 56);
	CHECK(hc.net.pools[1].p.type == NON_PERSISTENT_IPV6_ADDRESS);
	CHECK(hc.net.grace_s == 20 && hc.net.lifetime_s == 86400);
	CHECK(hc.auth.premium == 1u << 1 && hc.auth.max_addresses == 4);
	CHECK(hc.auth.ngrants == 2);
	CHECK_STR(hc.auth.grants[0].who, "alice");
	CHECK(!hc.auth.grants[0].program && hc.auth.grants[0].max_addresses == 2);
	CHECK(hc.auth.grants[1].program && hc.auth.grants[1].types == 1u << 1);
	CHECK(hc.auth.grants[1].max_addresses == -1);
	CHECK(hc.types_declared == 0);
	odm_hostconf_free(&hc);
	/* without agent or network sections: no agent, the defaults */
	CHECK(odm_hostconf_load(FIXTURE("hostconf/good.conf"), false, &hc, err,
				sizeof err) == 0);
	CHECK(!hc.agent.configured && hc.auth.premium == 1u << 1);
	odm_hostconf_free(&hc);
	broken("bad-pool.conf", 2, "/72");
	broken("bad-offer.conf", 2, "sometimes");
}

static void prefixes(void)
{
	struct in6_addr net, a;
	unsigned len;

	CHECK(odm_prefix_parse("::/0", &net, &len) == 0 && len == 0);
	a = a6("2001:db8::1");
	CHECK(odm_prefix_contains(&net, 0, &a));
	CHECK(odm_prefix_parse("2001:db8::1/128", &net, &len) == 0 && len == 128);
	CHECK(odm_prefix_contains(&net, 128, &a));
	a = a6("2001:db8::2");
	CHECK(!odm_prefix_contains(&net, 128, &a));
	CHECK(odm_prefix_parse("2001:db8:0:0:ffff::/65", &net, &len) == 0);
	CHECK(len == 65 && net.s6_addr[8] == 0x80 && net.s6_addr[9] == 0);
	a = a6("2001:db8::8000:0:0:1");
	CHECK(odm_prefix_contains(&net, 65, &a));
	a = a6("2001:db8::7fff:0:0:1");
	CHECK(!odm_prefix_contains(&net, 65, &a));
	CHECK(odm_prefix_parse("2001:db8::", &net, &len) == -1);
	CHECK(odm_prefix_parse("2001:db8::/", &net, &len) == -1);
	CHECK(odm_prefix_parse("2001:db8::/-1", &net, &len) == -1);
	CHECK(odm_prefix_parse("2001:db8::/129", &net, &len) == -1);
	CHECK(odm_prefix_parse("10.0.0.0/8", &net, &len) == -1);
	CHECK(odm_prefix_parse("2001:db8::/64x", &net, &len) == -1);
	CHECK(odm_prefix_parse(NULL, &net, &len) == -1);
}

int main(void)
{
	RUN(good_file);
	RUN(empty_file);
	RUN(broken_files);
	RUN(type_of_address);
	RUN(prefixes);
	RUN(agent_network_authorize);
	return TEST_DONE();
}
