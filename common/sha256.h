/* sha256.h: SHA-256 (FIPS 180-4), for odmd's stable-privacy interface
 * identifiers (RFC 7217 names it as the pseudorandom function). */
#ifndef ODM_SHA256_H
#define ODM_SHA256_H

#include <stddef.h>
#include <stdint.h>

struct odm_sha256 {
	uint32_t h[8];
	uint64_t len;        /* bytes so far */
	uint8_t buf[64];
	size_t used;
};

void odm_sha256_init(struct odm_sha256 *c);
void odm_sha256_add(struct odm_sha256 *c, const void *data, size_t n);
void odm_sha256_end(struct odm_sha256 *c, uint8_t out[32]);

#endif
