/* odm.h: the public API of libodm, on-demand mobility for IPv6 sockets
 * (RFC 8653; setsc() and IPV6_REQUIRE_SRC_ON_NET from
 * draft-ietf-dmm-ondemand-mobility-16 section 6). Link with -lodm, or reach
 * the same functions through LD_PRELOAD=libodm.so. */
#ifndef ODM_H
#define ODM_H

#include <stdint.h>
#include <netinet/in.h>

#ifdef __cplusplus
extern "C" {
#endif

/* The session-continuity type of a source address (RFC 8653 3.2).
 * An 8-bit carrier of the draft's 3-bit field: 0 and 5-7 are reserved. */
typedef uint8_t sc_type;

#define FIXED_IPV6_ADDRESS                 ((sc_type)1)
#define SESSION_LASTING_IPV6_ADDRESS       ((sc_type)2)
#define NON_PERSISTENT_IPV6_ADDRESS        ((sc_type)3)
#define GRACEFUL_REPLACEMENT_IPV6_ADDRESS  ((sc_type)4)

/* The names used by the draft's section 4.1 pseudo-code. */
#define IPV6_REQUIRE_FIXED_IP                 FIXED_IPV6_ADDRESS
#define IPV6_REQUIRE_SESSION_LASTING_IP       SESSION_LASTING_IPV6_ADDRESS
#define IPV6_REQUIRE_NON_PERSISTENT_IP        NON_PERSISTENT_IPV6_ADDRESS
#define IPV6_REQUIRE_GRACEFUL_REPLACEMENT_IP  GRACEFUL_REPLACEMENT_IPV6_ADDRESS

/* setsc() statuses. Negative like getaddrinfo()'s EAI_* codes, and outside
 * every range glibc uses (-1..-12, -100..-105). */
#define EAI_REQUIREDIPNOTSUPPORTED  (-150) /* the host cannot get this type */
#define EAI_REQUIREDIPFAILED        (-151) /* supported, but none to be had now */

/* RFC 5014 IPV6_ADDR_PREFERENCES (IPPROTO_IPV6 level), in case the libc
 * headers lack it, and the draft's new flag. The kernel never sees
 * IPV6_REQUIRE_SRC_ON_NET: libodm keeps it per socket. */
#ifndef IPV6_ADDR_PREFERENCES
#define IPV6_ADDR_PREFERENCES 72
#endif
#ifndef IPV6_PREFER_SRC_TMP
#define IPV6_PREFER_SRC_TMP    0x0001
#define IPV6_PREFER_SRC_PUBLIC 0x0002
#endif
#define IPV6_REQUIRE_SRC_ON_NET 0x10000u

/* Finds or obtains a source address of type addressType for socket sockfd
 * and writes it to *sourceAddress; does not bind. Returns 0,
 * EAI_REQUIREDIPNOTSUPPORTED or EAI_REQUIREDIPFAILED; returns -1 with errno
 * set for a bad argument (EBADF, ENOTSOCK, EAFNOSUPPORT, EFAULT, EINVAL).
 * See setsc(3). */
int setsc(int sockfd, struct in6_addr *sourceAddress, sc_type addressType);

/* A readable text for a setsc() status (0, the two EAI_REQUIREDIP* codes,
 * or -1, read from errno). Never NULL. */
const char *odm_strerror(int status);

#ifdef __cplusplus
}
#endif
#endif
