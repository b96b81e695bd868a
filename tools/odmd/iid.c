/* iid.c: interface identifiers (iid.h). */
#include <errno.h>
#include <fcntl.h>
#include <string.h>
#include <sys/random.h>
#include <unistd.h>
#include "dlog.h"
#include "iid.h"
#include "sha256.h"

#define SECRET_FILE "iid-secret"
#define SECRET_LEN 32

static uint8_t secret[SECRET_LEN];

static bool fill_random(void *buf, size_t n)
{
	uint8_t *p = buf;

	while (n) {
		ssize_t k = getrandom(p, n, 0);

		if (k < 0 && errno == EINTR)
			continue;
		if (k <= 0)
			return false;
		p += k;
		n -= (size_t)k;
	}
	return true;
}

int iid_init(int state_fd)
{
	int fd = openat(state_fd, SECRET_FILE, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);

	if (fd >= 0) {
		ssize_t n = read(fd, secret, sizeof secret);

		close(fd);
		if (n == (ssize_t)sizeof secret)
			return 0;
		dlog_warn("%s: short: made again", SECRET_FILE);
		unlinkat(state_fd, SECRET_FILE, 0);
	}
	if (!fill_random(secret, sizeof secret)) {
		dlog_err("getrandom: %s", strerror(errno));
		return -1;
	}
	fd = openat(state_fd, SECRET_FILE,
		    O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || write(fd, secret, sizeof secret) != (ssize_t)sizeof secret ||
	    fsync(fd)) {
		dlog_warn("%s: %s: stable-privacy addresses change at each "
			  "start", SECRET_FILE, strerror(errno));
	}
	if (fd >= 0)
		close(fd);
	return 0;
}

/* RFC 5453: the subnet-router anycast (all zeros), the reserved subnet
 * anycast identifiers (fdff:ffff:ffff:ff80-ffff) and the proxy mobile
 * IPv6 range (0200:5eff:fe00:0000-5212); and ::1, the guess of everyone. */
static bool reserved(const uint8_t *iid)
{
	static const uint8_t anycast[7] = { 0xfd, 0xff, 0xff, 0xff,
					    0xff, 0xff, 0xff };
	static const uint8_t pmip[5] = { 0x02, 0x00, 0x5e, 0xff, 0xfe };
	static const uint8_t zero[8], one[8] = { 0, 0, 0, 0, 0, 0, 0, 1 };

	return !memcmp(iid, zero, 8) || !memcmp(iid, one, 8) ||
	       (!memcmp(iid, anycast, 7) && iid[7] >= 0x80) ||
	       (!memcmp(iid, pmip, 5) && iid[5] == 0x00 &&
		(iid[6] < 0x52 || (iid[6] == 0x52 && iid[7] <= 0x12)));
}

void iid_make(struct in6_addr *addr, unsigned plen, const char *link,
	      unsigned counter, bool random)
{
	uint8_t out[32], *iid = &addr->s6_addr[8];

	(void)plen; /* odmd's prefixes are /64 or shorter: the last 64 bits */
	for (unsigned salt = 0;; salt++) {
		if (random && fill_random(iid, 8)) {
			if (!reserved(iid))
				return;
			continue;
		}
		/* RFC 7217 section 5: F(Prefix, Net_Iface, Network_ID,
		 * DAD_Counter, secret_key); no Network_ID here. */
		struct odm_sha256 c;
		uint32_t n = counter + salt;

		odm_sha256_init(&c);
		odm_sha256_add(&c, addr->s6_addr, 8);
		odm_sha256_add(&c, link, strlen(link));
		odm_sha256_add(&c, &n, sizeof n);
		odm_sha256_add(&c, secret, sizeof secret);
		odm_sha256_end(&c, out);
		memcpy(iid, out, 8);
		if (!reserved(iid))
			return;
	}
}
