/* test_nextsym.c: odm_nextsym() answers what dlsym(RTLD_NEXT) answers, for
 * the functions libodm hooks and for others, and NULL for what it cannot
 * resolve itself (no such name; an IFUNC, which real.c asks dlsym for). */
#include <dlfcn.h>
#include <elf.h>
#include <link.h>
#include <stdbool.h>
#include "nextsym.h"
#include "real.h"
#include "test.h"

static const char *const names[] = {
#define NAME(f) #f,
	ODM_REAL_FUNCS(NAME)
#undef NAME
	"printf", "malloc", "pthread_create", "getaddrinfo", "mnl_socket_open",
	"cfg_init", "no_such_function_anywhere", "memcpy", "strlen",
};
#define N (sizeof names / sizeof names[0])

static bool is_ifunc(const char *name)
{
	return !strcmp(name, "memcpy") || !strcmp(name, "strlen");
}

static void agrees_with_dlsym(void)
{
	void *got[N];

	odm_nextsym((const void *)agrees_with_dlsym, names, got, N);
	for (size_t i = 0; i < N; i++) {
		void *want = dlsym(RTLD_NEXT, names[i]);

		if (is_ifunc(names[i]))
			CHECK(got[i] == NULL || got[i] == want);
		else if (got[i] != want)
			printf("#   %s: nextsym %p, dlsym %p\n", names[i],
			       got[i], want);
		if (!is_ifunc(names[i]))
			CHECK(got[i] == want);
	}
	CHECK(got[N - 3] == NULL); /* no such function */
}

static void every_hooked_function_found(void)
{
	void *got[N];

	odm_nextsym((const void *)every_hooked_function_found, names, got, N);
	for (size_t i = 0; i < sizeof(struct odm_real) / sizeof(void *); i++)
		CHECK(got[i] != NULL);
}

int main(void)
{
	RUN(agrees_with_dlsym);
	RUN(every_hooked_function_found);
	return TEST_DONE();
}
