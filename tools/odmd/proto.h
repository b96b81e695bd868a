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
 *   version  ODMD_PROTO_VERSION (1)
 *   kind     ODMD_K_*
 *   flags    0 (reserved)
 *   length   of the body, <= ODMD_BODY_MAX; fixed or bounded per kind
 *
 * Version 1 is frozen: every reserved field or bit must be zero and every
 * body has exactly the length its kind says, so a peer can never be
 * half-understood. Any change to the format is a new version. */
#ifndef ODMD_PROTO_H
#define ODMD_PROTO_H

#include <netinet/in.h>
#include <stddef.h>
#include <stdint.h>

#define ODMD_PROTO_VERSION 1
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
};
#define ODMD_K_MIN ODMD_K_REQUEST
#define ODMD_K_MAX ODMD_K_ERROR

/* REQUEST flags. */
#define ODMD_REQ_ON_NET 0x01u  /* a fresh prefix even if one of the type exists */

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

/* STATUS_REPLY flags. */
#define ODMD_STATUS_MORE 0x01u /* another STATUS_REPLY with the same id follows */

/* STATUS_REPLY entry flags. */
#define ODMD_ENT_DEPRECATED 0x0001u /* preferred lifetime is over */
#define ODMD_ENT_IN_USE     0x0002u /* a socket on the host uses it (sock_diag) */
#define ODMD_ENT_ODMD       0x0004u /* configured by odmd (IFA_PROTO) */
#define ODMD_ENT_ALL        0x0007u

#define ODMD_LIFETIME_INFINITE 0xffffffffu

/* Wire sizes of the bodies. */
#define ODMD_REQUEST_LEN   8   /* id, type, flags, reserved u16 */
#define ODMD_REPLY_MIN     31  /* id, status, type, addr, pref, valid, rlen */
#define ODMD_IDONLY_LEN    4   /* STATUS_REQUEST and MOVE: id */
#define ODMD_STATUS_HDR    8   /* id, count, flags, reserved u16 */
#define ODMD_ENTRY_LEN     32
#define ODMD_STATUS_MAX    ((ODMD_BODY_MAX - ODMD_STATUS_HDR) / ODMD_ENTRY_LEN) /* 15 */
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

/* The type an address protocol stands for, or 0 if it is not odmd's. */
static inline unsigned odmd_type_of_proto(unsigned proto)
{
	return proto > ODMD_ADDR_PROTO_BASE && proto <= ODMD_ADDR_PROTO_BASE + 4
		       ? proto - ODMD_ADDR_PROTO_BASE : 0;
}

static inline uint8_t odmd_proto_of_type(unsigned type)
{
	return (uint8_t)(ODMD_ADDR_PROTO_BASE + type);
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

/* One address in a STATUS_REPLY. Wire layout (32 bytes):
 *   0  addr[16]   the address
 *  16  type       1..4
 *  17  plen       prefix length, 0..128
 *  18  flags u16  ODMD_ENT_*; other bits reserved
 *  20  ifindex u32
 *  24  preferred u32   seconds left; ODMD_LIFETIME_INFINITE
 *  28  valid u32       seconds left; ODMD_LIFETIME_INFINITE */
struct odmd_entry {
	struct in6_addr addr;
	uint8_t type;
	uint8_t plen;
	uint16_t flags;
	uint32_t ifindex;
	uint32_t preferred;
	uint32_t valid;
};

/* A decoded message. Only the member of the kind is meaningful; decode
 * zeroes the rest, so two decodes of the same bytes compare equal. */
struct odmd_msg {
	uint8_t kind;           /* ODMD_K_* */
	/* REQUEST, REPLY, STATUS_REQUEST, STATUS_REPLY, MOVE: the request id
	 * the client chose; odmd copies it into its answers. Not in ERROR. */
	uint32_t id;
	union {
		/* REQUEST body (8 bytes): id u32, type u8 (1..4), flags u8
		 * (ODMD_REQ_*, other bits reserved), reserved u16. Nothing
		 * names the requester: odmd uses SO_PEERCRED. */
		struct {
			uint8_t type;
			uint8_t flags;
		} req;
		/* REPLY body (31 + rlen bytes): id u32, status u8, type u8
		 * (1..4, or 0 when no address: failures, MOVE), addr[16],
		 * preferred u32, valid u32 (seconds), rlen u8 (<= 200), then
		 * rlen bytes of printable ASCII reason (no NUL on the wire). */
		struct {
			uint8_t status;     /* ODMD_ST_* */
			uint8_t type;
			struct in6_addr addr;
			uint32_t preferred;
			uint32_t valid;
			char reason[ODMD_REASON_MAX + 1]; /* NUL-terminated */
		} rep;
		/* STATUS_REPLY body (8 + 32 * count bytes): id u32, count u8
		 * (0..15), flags u8 (ODMD_STATUS_MORE), reserved u16, count
		 * entries. STATUS_REQUEST and MOVE bodies are the id alone. */
		struct {
			uint8_t count;
			uint8_t flags;
			struct odmd_entry e[ODMD_STATUS_MAX];
		} st;
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
