/* genpage.c: the generation page odmd publishes (genpage.h). */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>
#include "dlog.h"
#include "genpage.h"
#include "genpage_layout.h"
#include "hostconf.h"
#include "proto.h"

static struct odm_genpage *page;

static uint64_t now_s(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (uint64_t)t.tv_sec;
}

int genpage_open(const char *socket_path)
{
	char path[PATH_MAX];
	struct stat st;
	void *m;
	int fd;

	if ((size_t)snprintf(path, sizeof path, "%s%s", socket_path,
			     ODM_GENPAGE_SUFFIX) >= sizeof path)
		return -1;
	fd = open(path, O_RDWR | O_CREAT | O_NOFOLLOW | O_CLOEXEC, 0644);
	if (fd >= 0 && (fstat(fd, &st) || !S_ISREG(st.st_mode) ||
			st.st_uid != 0)) {
		close(fd); /* not odmd's: made again */
		fd = unlink(path) ? -1
			: open(path, O_RDWR | O_CREAT | O_EXCL | O_NOFOLLOW |
			       O_CLOEXEC, 0644);
	}
	if (fd < 0 || fchmod(fd, 0644) || ftruncate(fd, ODM_GENPAGE_SIZE)) {
		dlog_warn("%s: %s; engines watch netlink themselves", path,
			  strerror(errno));
		if (fd >= 0)
			close(fd);
		return -1;
	}
	m = mmap(NULL, ODM_GENPAGE_SIZE, PROT_READ | PROT_WRITE, MAP_SHARED,
		 fd, 0);
	close(fd);
	if (m == MAP_FAILED) {
		dlog_warn("%s: mmap: %s", path, strerror(errno));
		return -1;
	}
	page = m;
	if (page->magic != ODM_GENPAGE_MAGIC ||
	    page->version != ODM_GENPAGE_VERSION) {
		memset(page, 0, sizeof *page);
		page->version = ODM_GENPAGE_VERSION;
		__atomic_store_n(&page->magic, ODM_GENPAGE_MAGIC, __ATOMIC_RELEASE);
	}
	page->pid = (uint32_t)getpid();
	__atomic_store_n(&page->beat, now_s(), __ATOMIC_RELEASE);
	__atomic_store_n(&page->live, 1, __ATOMIC_RELEASE);
	genpage_bump(); /* whatever engines saw before this odmd: look again */
	return 0;
}

bool genpage_typed(const struct odm_hostconf *hc, const struct odm_nladdr *a)
{
	return odmd_type_of_proto(a->proto) ||
	       odm_hostconf_type_of(hc, &a->addr, a->ifname[0] ? a->ifname
							      : NULL);
}

void genpage_bump(void)
{
	if (page)
		__atomic_add_fetch(&page->gen, 1, __ATOMIC_ACQ_REL);
}

void genpage_beat(void)
{
	uint64_t now;

	if (page && (now = now_s()) != __atomic_load_n(&page->beat,
						       __ATOMIC_RELAXED))
		__atomic_store_n(&page->beat, now, __ATOMIC_RELEASE);
}

void genpage_close(void)
{
	if (!page)
		return;
	__atomic_store_n(&page->live, 0, __ATOMIC_RELEASE);
	genpage_bump();
	munmap(page, ODM_GENPAGE_SIZE);
	page = NULL;
}
