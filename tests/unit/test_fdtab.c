/* test_fdtab.c: the per-fd state table and the type names. */
#include <arpa/inet.h>
#include "defaults.h"
#include "fdtab.h"
#include "sctype.h"
#include "test.h"

static struct odm_fdstate st_with(const char *addr, sc_type type)
{
	struct odm_fdstate st = { .bits = ODM_FD_INET6 | ODM_FD_HASADDR,
				  .type = type };

	inet_pton(AF_INET6, addr, &st.addr);
	return st;
}

static void unknown_until_put(void)
{
	struct odm_fdstate st, got;

	CHECK(!odm_fdtab_get(7, &got));
	CHECK(!odm_fdtab_get(-1, &got));
	st = st_with("2001:db8:5::10", SESSION_LASTING_IPV6_ADDRESS);
	odm_fdtab_put(7, &st);
	CHECK(odm_fdtab_get(7, &got));
	CHECK(got.bits & ODM_FD_KNOWN);
	CHECK(got.type == SESSION_LASTING_IPV6_ADDRESS);
	CHECK(memcmp(&got.addr, &st.addr, sizeof st.addr) == 0);
	odm_fdtab_forget(7);
	CHECK(!odm_fdtab_get(7, &got));
}

static void out_of_range_is_ignored(void)
{
	struct odm_fdstate st = st_with("2001:db8::1", 1), got;
	int big = ODM_FDTAB_CHUNKS << ODM_FDTAB_CHUNK_BITS;

	odm_fdtab_put(big, &st);
	CHECK(!odm_fdtab_get(big, &got));
	odm_fdtab_put(big - 1, &st);
	CHECK(odm_fdtab_get(big - 1, &got));
	odm_fdtab_forget(big - 1);
}

static void update_copy_and_range(void)
{
	struct odm_fdstate st = st_with("2001:db8:f::1", FIXED_IPV6_ADDRESS), got;

	odm_fdtab_update(20, ODM_FD_ONNET, 0); /* unknown: no effect */
	CHECK(!odm_fdtab_get(20, &got));
	odm_fdtab_put(20, &st);
	odm_fdtab_update(20, ODM_FD_ONNET, ODM_FD_HASADDR);
	CHECK(odm_fdtab_get(20, &got));
	CHECK(got.bits & ODM_FD_ONNET);
	CHECK(!(got.bits & ODM_FD_HASADDR));
	odm_fdtab_copy(20, 2000); /* into another chunk */
	CHECK(odm_fdtab_get(2000, &got) && (got.bits & ODM_FD_ONNET));
	odm_fdtab_copy(21, 2000); /* unknown source: target forgotten */
	CHECK(!odm_fdtab_get(2000, &got));
	for (int fd = 30; fd < 40; fd++)
		odm_fdtab_put(fd, &st);
	odm_fdtab_forget_range(32, 35);
	CHECK(odm_fdtab_get(31, &got) && !odm_fdtab_get(32, &got));
	CHECK(!odm_fdtab_get(35, &got) && odm_fdtab_get(36, &got));
	odm_fdtab_forget_range(0, ~0u); /* everything, without overflow */
	CHECK(!odm_fdtab_get(20, &got) && !odm_fdtab_get(39, &got));
}

static void type_names(void)
{
	CHECK_STR(odm_type_name(1), "fixed");
	CHECK_STR(odm_type_name(2), "session-lasting");
	CHECK_STR(odm_type_name(3), "nonpersistent");
	CHECK_STR(odm_type_name(4), "graceful-replacement");
	CHECK(odm_type_name(0) == NULL && odm_type_name(5) == NULL);
	CHECK(odm_type_parse("session-lasting") == 2);
	CHECK(odm_type_parse("Fixed") == 0 && odm_type_parse(NULL) == 0);
	CHECK(odm_type_parse("legacy") == 0);
}

int main(void)
{
	RUN(unknown_until_put);
	RUN(out_of_range_is_ignored);
	RUN(update_copy_and_range);
	RUN(type_names);
	return TEST_DONE();
}
