/* proto.h: the wire protocol between libodm's engine (and the odm tool) and
 * odmd, over odmd's Unix stream socket. Pure encode/decode over byte
 * buffers: no I/O, no allocation, no errno, so the same code runs inside
 * odmd and inside the programs libodm is preloaded into. The full spec,
 * with byte layouts, is docs/odmd-protocol.md.
 *
 * Every message is an 8-byte header and a body; multi-byte integers are in
 * network order (big-endian):
 *
 *   0      3        4      5       6        8
 *   | "ODM" | version | kind | flags | length | body (length bytes) ...
 *
 *   magic    'O' 'D' 'M'
 *   version  1, 2 or 3 (ODMD_PROTO_VERSION)
 *   kind     ODMD_K_*
 *   flags    0 (reserved)
 *   length   of the body, <= ODMD_BODY_MAX; fixed or bounded per kind
 *
 * Each version is frozen: every reserved field or bit must be zero and
 * every body has exactly the length its kind and version say, so a peer can
 * never be half-understood. Version 2 keeps version 1's kinds and bodies,
 * except that STATUS_REQUEST grows flags and STATUS_REPLY entries carry the
 * lease; it adds RELEASE and SOCKETS_REPLY. odmd answers in the version it
 * was asked in. */
#ifndef ODMD_PROTO_H
#define ODMD_PROTO_H

#include <netinet/in.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define ODMD_PROTO_VERSION 3                      /* the newest */
#define ODMD_PROTO_V1      1
#define ODMD_PROTO_V2      2
#define ODMD_HDR_LEN       8
#define ODMD_MSG_MAX       512                        /* header + body */
#define ODMD_BODY_MAX      (ODMD_MSG_MAX - ODMD_HDR_LEN)
#define ODMD_REASON_MAX    200  /* bytes of reason text, printable ASCII */

/* Message kinds (header byte 4). "->" is the direction of the request. */
enum odmd_kind {
	ODMD_K_REQUEST = 1,        /* engine -> odmd: an address of a type */
	ODMD_K_REPLY = 2,          /* odmd -> client: answers REQUEST and MOVE */
	ODMD_K_STATUS_REQUEST = 3, /* odm status -> odmd */
	ODMD_K_STATUS_REPLY = 4,   /* odmd -> odm status, one or more */
	ODMD_K_MOVE = 5,           /* odm move -> odmd: simulate a move */
	ODMD_K_ERROR = 6,          /* either way: protocol error, then close */
	ODMD_K_RELEASE = 7,        /* v2, client -> odmd: hand an address back */
	ODMD_K_SOCKETS_REPLY = 8,  /* v2, odmd -> odm status: who uses what */
};
#define ODMD_K_MIN ODMD_K_REQUEST
#define ODMD_K_MAX ODMD_K_SOCKETS_REPLY

/* REQUEST flags. */
#define ODMD_REQ_ON_NET 0x01u  /* a fresh prefix even if one of the type exists */
#define ODMD_REQ_OWN    0x02u  /* v3: an address of the requester's own in the
				  type's current prefix, with its rotation */

/* REPLY statuses. */
enum odmd_status {
	ODMD_ST_OK = 0,            /* granted (REQUEST) or done (MOVE) */
	ODMD_ST_NOT_SUPPORTED = 1, /* the network does not offer the type: */
	                           /* setsc() -> EAI_REQUIREDIPNOTSUPPORTED */
	ODMD_ST_FAILED = 2,        /* offered, none to be had now: */
	                           /* setsc() -> EAI_REQUIREDIPFAILED */
	ODMD_ST_DENIED = 3,        /* the requester may not have it (policy, quota) */
	ODMD_ST_BAD_REQUEST = 4,   /* well-formed but meaningless here */
	ODMD_ST_BUSY = 5,          /* too many requests in progress; retry later */
};
#define ODMD_ST_MAX ODMD_ST_BUSY

/* STATUS_REQUEST flags (v2). */
#define ODMD_STQ_SOCKETS 0x01u /* also the sockets (SOCKETS_REPLY) */

/* STATUS_REPLY and SOCKETS_REPLY flags. */
#define ODMD_STATUS_MORE 0x01u /* another message of the kind with the same id follows */

/* STATUS_REPLY entry flags. */
#define ODMD_ENT_DEPRECATED 0x0001u /* preferred lifetime is over */
#define ODMD_ENT_IN_USE     0x0002u /* a socket on the host uses it (sock_diag) */
#define ODMD_ENT_ODMD       0x0004u /* configured by odmd (IFA_PROTO) */
#define ODMD_ENT_ALL_V1     0x0007u
#define ODMD_ENT_CURRENT    0x0008u /* v2: the host's address of its type */
#define ODMD_ENT_RELEASABLE 0x0010u /* v2: handed back once unused */
#define ODMD_ENT_ALL        0x001fu

/* Lease states (v2 STATUS_REPLY entries). */
enum odmd_lease_state {
	ODMD_LEASE_GRANTED = 1,    /* answered; held for its requester */
	ODMD_LEASE_IN_USE = 2,     /* sockets use it */
	ODMD_LEASE_IDLE = 3,       /* unused */
	ODMD_LEASE_DRAINING = 4,   /* no new sockets; released once unused */
	ODMD_LEASE_DEPRECATED = 5, /* replaced; valid until its grace ends */
	ODMD_LEASE_ABSENT = 6,     /* missing from the kernel; being restored */
};
#define ODMD_LEASE_MAX ODMD_LEASE_ABSENT

#define ODMD_NO_OWNER 0xffffffffu  /* owner of the host's shared addresses */

#define ODMD_LIFETIME_INFINITE 0xffffffffu

/* Wire sizes of the bodies. */
#define ODMD_REQUEST_LEN   8   /* id, type, flags, reserved u16 */
#define ODMD_REQUEST_OWN_LEN 20 /* v3 with ODMD_REQ_OWN: + rotate u32, bytes u64 */
#define ODMD_REPLY_MIN     31  /* id, status, type, addr, pref, valid, rlen */
#define ODMD_IDONLY_LEN    4   /* v1 STATUS_REQUEST, MOVE: id */
#define ODMD_STATUS_Q_LEN  8   /* v2 STATUS_REQUEST: id, flags, reserved */
#define ODMD_RELEASE_LEN   20  /* id, addr */
#define ODMD_STATUS_HDR    8   /* id, count, flags, reserved u16 */
#define ODMD_ENTRY_LEN_V1  32
#define ODMD_ENTRY_LEN_V2  48
#define ODMD_ENTRY_LEN     64
#define ODMD_STATUS_MAX_V1 ((ODMD_BODY_MAX - ODMD_STATUS_HDR) / ODMD_ENTRY_LEN_V1) /* 15 */
#define ODMD_STATUS_MAX_V2 ((ODMD_BODY_MAX - ODMD_STATUS_HDR) / ODMD_ENTRY_LEN_V2) /* 10 */
#define ODMD_STATUS_MAX    ((ODMD_BODY_MAX - ODMD_STATUS_HDR) / ODMD_ENTRY_LEN)    /* 7 */
#define ODMD_SOCK_LEN      28
#define ODMD_SOCKETS_MAX   ((ODMD_BODY_MAX - ODMD_STATUS_HDR) / ODMD_SOCK_LEN)     /* 17 */
#define ODMD_ERROR_MIN     2   /* code, rlen */

/* The IFA_PROTO convention (Linux 5.18+): odmd marks every address it
 * configures with the address protocol ODMD_ADDR_PROTO_BASE + type, so
 * engines learn an address's type from the kernel's own dumps, and a
 * restarted odmd re-adopts its addresses. 0xd1..0xd4; the kernel's own
 * values (IFAPROTO_KERNEL_*) are 1..3. */
#define ODMD_ADDR_PROTO_BASE 0xd0u

/* The rtnetlink attribute that carries it (IFA_PROTO, u8). linux/if_addr.h
 * names it in an enum, invisible to #ifdef, and older headers lack it; the
 * number is ABI, so it is spelt here. */
#define ODMD_IFA_PROTO 11

/* A draining address (odmd releases it once no socket uses it) is marked
 * ODMD_ADDR_PROTO_DRAIN + type (0xd9..0xdc): engines keep its type but give
 * it to no new socket. */
#define ODMD_ADDR_PROTO_DRAIN 0xd8u

/* Anchored types (Fixed, Session-Lasting): odmd configures their addresses
 * with a preferred lifetime of 0, so the kernel's default source selection
 * never picks one for a socket that did not ask (RFC 8653 section 5);
 * engines know them by their mark and use them all the same. */
static inline bool odmd_type_anchored(unsigned type)
{
	return type == 1 || type == 2;
}

/* The type an address protocol stands for, or 0 if it is not odmd's. */
static inline unsigned odmd_type_of_proto(unsigned proto)
{
	if (proto > ODMD_ADDR_PROTO_BASE && proto <= ODMD_ADDR_PROTO_BASE + 4)
		return proto - ODMD_ADDR_PROTO_BASE;
	if (proto > ODMD_ADDR_PROTO_DRAIN && proto <= ODMD_ADDR_PROTO_DRAIN + 4)
		return proto - ODMD_ADDR_PROTO_DRAIN;
	return 0;
}

/* Is this odmd's mark of an address that new sockets must not get? */
static inline bool odmd_proto_draining(unsigned proto)
{
	return proto > ODMD_ADDR_PROTO_DRAIN && proto <= ODMD_ADDR_PROTO_DRAIN + 4;
}

static inline uint8_t odmd_proto_of_type(unsigned type)
{
	return (uint8_t)(ODMD_ADDR_PROTO_BASE + type);
}

static inline uint8_t odmd_proto_draining_of_type(unsigned type)
{
	return (uint8_t)(ODMD_ADDR_PROTO_DRAIN + type);
}

/* Errors of odmd_decode() and odmd_encode() (negative). Their magnitude is
 * also the code an ERROR message carries. */
enum odmd_err {
	ODMD_EMAGIC = -1,    /* not "ODM" */
	ODMD_EVERSION = -2,  /* a version this side does not speak */
	ODMD_EKIND = -3,     /* unknown kind */
	ODMD_ETOOLONG = -4,  /* body length > ODMD_BODY_MAX */
	ODMD_ELENGTH = -5,   /* body length wrong for its kind */
	ODMD_ERESERVED = -6, /* a reserved field or bit is not zero */
	ODMD_ETYPE = -7,     /* address type out of range */
	ODMD_EREASON = -8,   /* reason text too long or not printable ASCII */
	ODMD_ESTATUS = -9,   /* unknown REPLY status */
	ODMD_EVALUE = -10,   /* other field out of range (prefix length) */
	ODMD_ENOSPC = -11,   /* encode: the buffer is too small */
};
#define ODMD_E_LAST ODMD_ENOSPC

/* One address in a STATUS_REPLY. Wire layout, version 1 (32 bytes):
 *   0  addr[16]   the address
 *  16  type       1..4
 *  17  plen       prefix length, 0..128
 *  18  flags u16  ODMD_ENT_* (v1: the low three); other bits reserved
 *  20  ifindex u32
 *  24  preferred u32   seconds left; ODMD_LIFETIME_INFINITE
 *  28  valid u32       seconds left; ODMD_LIFETIME_INFINITE
 * version 2 (48 bytes) goes on with the lease:
 *  32  owner u32       uid it was granted to; ODMD_NO_OWNER
 *  36  age u32         seconds since it was granted
 *  40  renew u32       seconds until odmd renews it; ODMD_LIFETIME_INFINITE
 *  44  sockets u16     sockets using it at the last look (saturates)
 *  46  state           ODMD_LEASE_* (1..6)
 *  47  reserved (0)
 * version 3 (64 bytes) goes on with its privacy:
 *  48  bytes u64       TCP bytes sent and received from it (the kernel's
 *                      TCP_INFO, summed over its sockets; UDP not counted)
 *  56  rotate u32      seconds until it rotates (no new sockets then);
 *                      ODMD_LIFETIME_INFINITE: never
 *  60  reserved u32 (0) */
struct odmd_entry {
	struct in6_addr addr;
	uint8_t type;
	uint8_t plen;
	uint16_t flags;
	uint32_t ifindex;
	uint32_t preferred;
	uint32_t valid;
	uint32_t owner;       /* v2 */
	uint32_t age;         /* v2 */
	uint32_t renew;       /* v2 */
	uint16_t sockets;     /* v2 */
	uint8_t state;        /* v2 */
	uint64_t bytes;       /* v3 */
	uint32_t rotate;      /* v3 */
};

/* One socket in a SOCKETS_REPLY (v2). Wire layout (28 bytes):
 *   0  addr[16]   its local address (one of the STATUS_REPLY entries)
 *  16  uid u32    its owner
 *  20  inode u32  the socket's inode (socket:[N] in /proc/PID/fd)
 *  24  port u16   its local port
 *  26  proto      6 (TCP) or 17 (UDP)
 *  27  reserved (0) */
struct odmd_sock {
	struct in6_addr addr;
	uint32_t uid;
	uint32_t inode;
	uint16_t port;
	uint8_t proto;
	uint64_t bytes;       /* odmd's own count (TCP_INFO); not on the wire */
};

/* A decoded message. Only the member of the kind is meaningful; decode
 * zeroes the rest, so two decodes of the same bytes compare equal. */
struct odmd_msg {
	uint8_t version;        /* 1..3; encode: 0 means ODMD_PROTO_VERSION */
	uint8_t kind;           /* ODMD_K_* */
	/* Every kind but ERROR: the request id the client chose; odmd copies
	 * it into its answers. */
	uint32_t id;
	union {
		/* REQUEST body (8 bytes): id u32, type u8 (1..4), flags u8
		 * (ODMD_REQ_*, other bits reserved), reserved u16. Nothing
		 * names the requester: odmd uses SO_PEERCRED. */
		struct {
			uint8_t type;
			uint8_t flags;
			uint32_t rotate_s;     /* v3, ODMD_REQ_OWN: 0 never */
			uint64_t rotate_bytes; /* v3, ODMD_REQ_OWN: 0 never */
		} req;
		/* REPLY body (31 + rlen bytes): id u32, status u8, type u8
		 * (1..4, or 0 when no address: failures, MOVE, RELEASE),
		 * addr[16], preferred u32, valid u32 (seconds), rlen u8
		 * (<= 200), then rlen bytes of printable ASCII reason (no NUL
		 * on the wire). */
		struct {
			uint8_t status;     /* ODMD_ST_* */
			uint8_t type;
			struct in6_addr addr;
			uint32_t preferred;
			uint32_t valid;
			char reason[ODMD_REASON_MAX + 1]; /* NUL-terminated */
		} rep;
		/* STATUS_REQUEST body: v1 the id alone; v2 (8 bytes) id u32,
		 * flags u8 (ODMD_STQ_*), reserved u8[3]. MOVE: the id alone. */
		struct {
			uint8_t flags;
		} stq;
		/* RELEASE body (v2, 20 bytes): id u32, addr[16]. */
		struct {
			struct in6_addr addr;
		} rel;
		/* STATUS_REPLY body (8 + entry length * count bytes): id u32,
		 * count u8 (v1 0..15, v2 0..10), flags u8 (ODMD_STATUS_MORE),
		 * reserved u16, count entries. */
		struct {
			uint8_t count;
			uint8_t flags;
			struct odmd_entry e[ODMD_STATUS_MAX_V1];
		} st;
		/* SOCKETS_REPLY body (v2, 8 + 28 * count bytes): id u32,
		 * count u8 (0..17), flags u8 (ODMD_STATUS_MORE), reserved
		 * u16, count sockets. */
		struct {
			uint8_t count;
			uint8_t flags;
			struct odmd_sock s[ODMD_SOCKETS_MAX];
		} socks;
		/* ERROR body (2 + rlen bytes): code u8 (an ODMD_E* magnitude,
		 * 0 if none fits), rlen u8 (<= 200), reason text. */
		struct {
			uint8_t code;
			char reason[ODMD_REASON_MAX + 1];
		} err;
	};
};

/* Decodes the message at the start of buf[0..len). Returns the bytes it
 * consumed (header + body), 0 if buf holds only the start of a valid
 * message (read more, then call again with everything), or an ODMD_E*
 * code. A bad header is reported as soon as its bytes are there, and a body
 * length impossible for the kind as soon as the header is. Bytes after the
 * message are left alone (the next message). */
int odmd_decode(const void *buf, size_t len, struct odmd_msg *out);

/* Encodes m into buf[0..cap). Returns the length written, ODMD_ENOSPC if
 * it does not fit, or the ODMD_E* code odmd_decode would give the result
 * (anything encoded decodes, and every decoded message re-encodes to the
 * same bytes). Writes nothing on failure. */
int odmd_encode(const struct odmd_msg *m, void *buf, size_t cap);

/* A short text for an ODMD_E* code ("bad magic", ...); never NULL. */
const char *odmd_strerror(int code);

#endif
