/* test.h: a tiny TAP harness for the C unit tests. Each test is a function;
 * CHECK records a failure with file:line and goes on. The binary prints
 * "ok N - name" / "not ok N - name", then "1..N", and exits 1 on failure. */
#ifndef ODM_TEST_H
#define ODM_TEST_H

#include <stdio.h>
#include <string.h>

static int t_count, t_failed, t_cur_failed;

#define CHECK(cond)                                                        \
	do {                                                               \
		if (!(cond)) {                                             \
			printf("#   %s:%d: CHECK(%s) failed\n", __FILE__,  \
			       __LINE__, #cond);                           \
			t_cur_failed = 1;                                  \
		}                                                          \
	} while (0)

#define CHECK_STR(a, b)                                                    \
	do {                                                               \
		const char *a_ = (a), *b_ = (b);                           \
		if (!a_ || !b_ || strcmp(a_, b_) != 0) {                   \
			printf("#   %s:%d: \"%s\" != \"%s\"\n", __FILE__,  \
			       __LINE__, a_ ? a_ : "(null)",               \
			       b_ ? b_ : "(null)");                        \
			t_cur_failed = 1;                                  \
		}                                                          \
	} while (0)

/* CHECK that haystack contains needle. */
#define CHECK_HAS(haystack, needle)                                        \
	do {                                                               \
		const char *h_ = (haystack), *n_ = (needle);               \
		if (!h_ || !strstr(h_, n_)) {                              \
			printf("#   %s:%d: \"%s\" lacks \"%s\"\n",         \
			       __FILE__, __LINE__, h_ ? h_ : "(null)",     \
			       n_);                                        \
			t_cur_failed = 1;                                  \
		}                                                          \
	} while (0)

#define RUN(fn)                                                            \
	do {                                                               \
		t_cur_failed = 0;                                          \
		fn();                                                      \
		t_count++;                                                 \
		t_failed += t_cur_failed;                                  \
		printf("%sok %d - %s\n", t_cur_failed ? "not " : "",       \
		       t_count, #fn);                                      \
		fflush(stdout);                                            \
	} while (0)

#define TEST_DONE()                                                        \
	(printf("1..%d\n", t_count), t_failed ? 1 : 0)

/* CHECK that err is one line starting "PATH:LINE: " ("PATH: " for line 0)
 * that contains word: how every config error must read. */
#define CHECK_ERROR_AT(err, path, line, word)                              \
	do {                                                               \
		char where_[1024];                                         \
		if (line)                                                  \
			snprintf(where_, sizeof where_, "%s:%d: ", path,   \
				 (int)(line));                             \
		else                                                       \
			snprintf(where_, sizeof where_, "%s: ", path);     \
		CHECK(strncmp(err, where_, strlen(where_)) == 0);          \
		CHECK_HAS(err, where_);                                    \
		CHECK_HAS(err, word);                                      \
		CHECK(!strchr(err, '\n'));                                 \
	} while (0)

/* Fixture files live in tests/fixtures; tests run from the top folder. */
#define FIXTURE(name) (ODM_TOP "/tests/fixtures/" name)

#endif
