/* test_odmd_proto.c: odmd's wire protocol codec: round trips, the wire
 * layout byte by byte, every malformed case with its own error, truncation,
 * back-to-back messages, and a fixed-seed fuzz loop whose decoded messages
 * must re-encode to the same bytes. */
#include <arpa/inet.h>
#include <stdint.h>
#include <stdlib.h>
#include "odm.h"
#include "proto.h"
#include "test.h"

static struct in6_addr ip(const char *text)
{
	struct in6_addr a;

	inet_pton(AF_INET6, text, &a);
	return a;
}

/* One valid message of each kind, in version v (1, 2 or 3). */
static struct odmd_msg sample_v(unsigned v, unsigned kind)
{
	struct odmd_msg m;

	memset(&m, 0, sizeof m); /* padding too: tests memcmp structs */
	m.version = (uint8_t)v;
	m.kind = (uint8_t)kind;
	m.id = 0x01020304;
	switch (kind) {
	case ODMD_K_REQUEST:
		m.req.type = NON_PERSISTENT_IPV6_ADDRESS;
		m.req.flags = ODMD_REQ_ON_NET;
		break;
	case ODMD_K_REPLY:
		m.rep.status = ODMD_ST_OK;
		m.rep.type = SESSION_LASTING_IPV6_ADDRESS;
		m.rep.addr = ip("2001:db8:a::1");
		m.rep.preferred = 300;
		m.rep.valid = ODMD_LIFETIME_INFINITE;
		strcpy(m.rep.reason, "granted by sim");
		break;
	case ODMD_K_STATUS_REPLY:
		m.st.count = 2;
		m.st.flags = ODMD_STATUS_MORE;
		m.st.e[0] = (struct odmd_entry){ ip("2001:db8:b::1"), 3, 64,
			ODMD_ENT_ODMD | ODMD_ENT_IN_USE, 2, 100, 200, 0, 0, 0, 0, 0,
			0, 0 };
		m.st.e[1] = (struct odmd_entry){ ip("2001:db8:c::2"), 4, 128,
			ODMD_ENT_DEPRECATED, 7, 0, 30, 0, 0, 0, 0, 0, 0, 0 };
		if (v == ODMD_PROTO_V1)
			break;
		m.st.e[0].flags |= ODMD_ENT_CURRENT;
		m.st.e[0].owner = ODMD_NO_OWNER;
		m.st.e[0].age = 12;
		m.st.e[0].renew = 88;
		m.st.e[0].sockets = 3;
		m.st.e[0].state = ODMD_LEASE_IN_USE;
		m.st.e[1].owner = 1000;
		m.st.e[1].renew = ODMD_LIFETIME_INFINITE;
		m.st.e[1].state = ODMD_LEASE_DEPRECATED;
		if (v == ODMD_PROTO_V2)
			break;
		m.st.e[0].bytes = 123456789012ull;
		m.st.e[0].rotate = 42;
		m.st.e[1].rotate = ODMD_LIFETIME_INFINITE;
		break;
	case ODMD_K_STATUS_REQUEST:
		m.stq.flags = v == ODMD_PROTO_V1 ? 0 : ODMD_STQ_SOCKETS;
		break;
	case ODMD_K_RELEASE:
		m.rel.addr = ip("2001:db8:d::1");
		break;
	case ODMD_K_SOCKETS_REPLY:
		m.socks.count = 2;
		m.socks.s[0] = (struct odmd_sock){ ip("2001:db8:b::1"), 1000,
						   424242, 5353, IPPROTO_UDP, 0 };
		m.socks.s[1] = (struct odmd_sock){ ip("2001:db8:b::1"), 0,
						   7, 443, IPPROTO_TCP, 0 };
		break;
	case ODMD_K_ERROR:
		m.id = 0;
		m.err.code = (uint8_t)-ODMD_EMAGIC;
		strcpy(m.err.reason, "bad magic");
		break;
	}
	return m;
}

static struct odmd_msg sample(unsigned kind)
{
	return sample_v(ODMD_PROTO_VERSION, kind);
}

/* Does version 1 have this kind? */
static bool v1_kind(unsigned kind)
{
	return kind != ODMD_K_RELEASE && kind != ODMD_K_SOCKETS_REPLY;
}

/* Encodes m, decodes it back: the same struct, the whole length. */
static void round_trip(unsigned v, unsigned kind)
{
	struct odmd_msg m = sample_v(v, kind), back;
	uint8_t buf[ODMD_MSG_MAX], again[ODMD_MSG_MAX];
	int len = odmd_encode(&m, buf, sizeof buf);

	CHECK(len >= ODMD_HDR_LEN);
	CHECK(odmd_decode(buf, (size_t)len, &back) == len);
	CHECK(!memcmp(&m, &back, sizeof m));
	CHECK(odmd_encode(&back, again, sizeof again) == len);
	CHECK(!memcmp(buf, again, (size_t)len));
}

static void round_trips(void)
{
	for (unsigned k = ODMD_K_MIN; k <= ODMD_K_MAX; k++) {
		round_trip(ODMD_PROTO_VERSION, k);
		round_trip(ODMD_PROTO_V2, k);
		if (v1_kind(k))
			round_trip(ODMD_PROTO_V1, k);
	}
}

/* Version 3: an address of the requester's own, with its rotation (20
 * bytes of body, only with the flag, only in v3); entries of 64 bytes. */
static void own_requests(void)
{
	struct odmd_msg m = sample(ODMD_K_REQUEST), back;
	uint8_t buf[ODMD_MSG_MAX];
	int len;

	m.req.flags = ODMD_REQ_OWN;
	m.req.rotate_s = 600;
	m.req.rotate_bytes = 10ull << 30;
	len = odmd_encode(&m, buf, sizeof buf);
	CHECK(len == 8 + 20);
	CHECK(buf[7] == 20 && buf[13] == ODMD_REQ_OWN);
	CHECK(buf[16] == 0 && buf[17] == 0 && buf[18] == 0x02 && buf[19] == 0x58);
	CHECK(buf[23] == 0x02); /* 10 GiB = 0x2_8000_0000 */
	CHECK(odmd_decode(buf, (size_t)len, &back) == len);
	CHECK(back.req.rotate_s == 600 && back.req.rotate_bytes == 10ull << 30);
	buf[7] = 8; /* the flag without the rotation */
	CHECK(odmd_decode(buf, 16, &back) == ODMD_ELENGTH);
	buf[7] = 20;
	buf[13] = 0; /* the rotation without the flag */
	CHECK(odmd_decode(buf, (size_t)len, &back) == ODMD_ELENGTH);
	m.version = ODMD_PROTO_V2;
	CHECK(odmd_encode(&m, buf, sizeof buf) == ODMD_ERESERVED);
	m = sample(ODMD_K_REQUEST);
	m.req.rotate_s = 1;
	CHECK(odmd_encode(&m, buf, sizeof buf) == ODMD_ERESERVED);
	m = sample(ODMD_K_STATUS_REPLY);
	len = odmd_encode(&m, buf, sizeof buf);
	CHECK(len == 8 + 8 + 2 * 64);
	CHECK(buf[16 + 48 + 3] == 0x1c && buf[16 + 48 + 7] == 0x14); /* bytes */
	CHECK(buf[16 + 59] == 42);
	m = sample_v(ODMD_PROTO_V2, ODMD_K_STATUS_REPLY);
	m.st.e[0].bytes = 1;
	CHECK(odmd_encode(&m, buf, sizeof buf) == ODMD_ERESERVED);
}

/* Version 1 speakers (engines of an older libodm) are understood, and
 * version 2 kinds do not exist in version 1. */
static void versions(void)
{
	struct odmd_msg m = sample_v(ODMD_PROTO_V1, ODMD_K_REQUEST), out;
	uint8_t buf[ODMD_MSG_MAX];
	int len = odmd_encode(&m, buf, sizeof buf);

	CHECK(len == 16 && buf[3] == 1);
	CHECK(odmd_decode(buf, (size_t)len, &out) == len && out.version == 1);
	m = sample_v(ODMD_PROTO_V1, ODMD_K_RELEASE);
	CHECK(odmd_encode(&m, buf, sizeof buf) == ODMD_EKIND);
	m = sample(ODMD_K_RELEASE);
	len = odmd_encode(&m, buf, sizeof buf);
	buf[3] = 1;
	CHECK(odmd_decode(buf, (size_t)len, &out) == ODMD_EKIND);
	/* v1 STATUS_REQUEST is the id alone; v2 carries flags */
	m = sample_v(ODMD_PROTO_V1, ODMD_K_STATUS_REQUEST);
	CHECK(odmd_encode(&m, buf, sizeof buf) == 8 + 4);
	m.stq.flags = ODMD_STQ_SOCKETS;
	CHECK(odmd_encode(&m, buf, sizeof buf) == ODMD_ERESERVED);
	m = sample(ODMD_K_STATUS_REQUEST);
	CHECK(odmd_encode(&m, buf, sizeof buf) == 8 + 8);
	/* a v1 entry has no lease fields, a v2 one a state */
	m = sample_v(ODMD_PROTO_V1, ODMD_K_STATUS_REPLY);
	m.st.e[0].sockets = 1;
	CHECK(odmd_encode(&m, buf, sizeof buf) == ODMD_ERESERVED);
	m = sample_v(ODMD_PROTO_V2, ODMD_K_STATUS_REPLY);
	CHECK(odmd_encode(&m, buf, sizeof buf) == 8 + 8 + 2 * 48);
	m.st.e[1].state = 0;
	CHECK(odmd_encode(&m, buf, sizeof buf) == ODMD_EVALUE);
	m.st.e[1].state = ODMD_LEASE_MAX + 1;
	CHECK(odmd_encode(&m, buf, sizeof buf) == ODMD_EVALUE);
	m = sample(ODMD_K_SOCKETS_REPLY);
	m.socks.s[1].proto = 1;
	CHECK(odmd_encode(&m, buf, sizeof buf) == ODMD_EVALUE);
}

/* The bytes of docs/odmd-protocol.md's example. */
static void wire_layout(void)
{
	static const uint8_t request[] = {
		'O', 'D', 'M', 1, ODMD_K_REQUEST, 0, 0, 8,
		0x01, 0x02, 0x03, 0x04, 3, 1, 0, 0,
	};
	struct odmd_msg m = sample_v(1, ODMD_K_REQUEST), r = sample(ODMD_K_REPLY);
	struct odmd_msg st = sample_v(ODMD_PROTO_V2, ODMD_K_STATUS_REPLY);
	uint8_t buf[ODMD_MSG_MAX];

	CHECK(odmd_encode(&m, buf, sizeof buf) == (int)sizeof request);
	CHECK(!memcmp(buf, request, sizeof request));
	CHECK(odmd_encode(&r, buf, sizeof buf) == 8 + 31 + 14);
	CHECK(buf[6] == 0 && buf[7] == 31 + 14);
	CHECK(buf[12] == ODMD_ST_OK && buf[13] == 2);
	CHECK(buf[14] == 0x20 && buf[15] == 0x01);          /* 2001:db8:a::1 */
	CHECK(buf[30] == 0 && buf[33] == 44);                /* preferred 300 */
	CHECK(!memcmp(buf + 34, "\xff\xff\xff\xff", 4));     /* valid */
	CHECK(buf[38] == 14 && !memcmp(buf + 39, "granted by sim", 14));
	CHECK(ODMD_STATUS_MAX_V1 == 15 && ODMD_STATUS_MAX_V2 == 10 &&
	      ODMD_STATUS_MAX == 7);
	CHECK(ODMD_SOCKETS_MAX == 17);
	/* a v2 entry: the v1 part, then owner, age, renew, sockets, state */
	CHECK(odmd_encode(&st, buf, sizeof buf) == 8 + 8 + 2 * 48);
	CHECK(buf[3] == 2);
	CHECK(!memcmp(buf + 16 + 32, "\xff\xff\xff\xff", 4)); /* no owner */
	CHECK(buf[16 + 39] == 12 && buf[16 + 43] == 88);
	CHECK(buf[16 + 45] == 3 && buf[16 + 46] == ODMD_LEASE_IN_USE);
	CHECK(buf[16 + 47] == 0);
	CHECK(buf[16 + 48 + 34] == 0x03 && buf[16 + 48 + 35] == 0xe8); /* 1000 */
}

/* Encodes the sample of kind (version 1 where it has the kind, for the
 * byte offsets below), lets fix() damage the bytes, and checks that
 * decoding gives want. */
static int damaged(unsigned kind, void (*fix)(uint8_t *, int *), int want)
{
	struct odmd_msg m = sample_v(v1_kind(kind) ? 1 : 2, kind), out;
	uint8_t buf[ODMD_MSG_MAX + 64] = { 0 };
	int len = odmd_encode(&m, buf, sizeof buf), rc;

	fix(buf, &len);
	rc = odmd_decode(buf, (size_t)len, &out);
	if (rc != want)
		printf("#   kind %u: got %d (%s), want %d (%s)\n", kind, rc,
		       odmd_strerror(rc), want, odmd_strerror(want));
	return rc == want;
}

static void set_len(uint8_t *b, int *len, int body)
{
	b[6] = (uint8_t)(body >> 8);
	b[7] = (uint8_t)body;
	*len = ODMD_HDR_LEN + body;
}

static void f_magic(uint8_t *b, int *l) { (void)l; b[1] = 'X'; }
static void f_version(uint8_t *b, int *l) { (void)l; b[3] = 4; }
static void f_version0(uint8_t *b, int *l) { (void)l; b[3] = 0; }
static void f_kind0(uint8_t *b, int *l) { (void)l; b[4] = 0; }
static void f_kind9(uint8_t *b, int *l) { (void)l; b[4] = 9; }
static void f_hflags(uint8_t *b, int *l) { (void)l; b[5] = 0x80; }
static void f_toolong(uint8_t *b, int *l) { set_len(b, l, ODMD_BODY_MAX + 1); }
static void f_huge(uint8_t *b, int *l) { (void)l; b[6] = b[7] = 0xff; }
static void f_short(uint8_t *b, int *l) { set_len(b, l, 7); }
static void f_long(uint8_t *b, int *l) { set_len(b, l, 9); }
static void f_empty(uint8_t *b, int *l) { set_len(b, l, 0); }
static void f_rsvd16(uint8_t *b, int *l) { (void)l; b[15] = 1; }
static void f_rflags(uint8_t *b, int *l) { (void)l; b[13] = 0x04; }
static void f_type0(uint8_t *b, int *l) { (void)l; b[12] = 0; }
static void f_type5(uint8_t *b, int *l) { (void)l; b[12] = 5; }
static void f_status(uint8_t *b, int *l) { (void)l; b[12] = ODMD_ST_MAX + 1; }
static void f_rtype(uint8_t *b, int *l) { (void)l; b[13] = 5; }
static void f_rtype0(uint8_t *b, int *l) { (void)l; b[13] = 0; }
static void f_rlen(uint8_t *b, int *l) { (void)l; b[38] = 13; }
static void f_rnul(uint8_t *b, int *l) { (void)l; b[40] = 0; }
static void f_rctl(uint8_t *b, int *l) { (void)l; b[40] = '\n'; }
static void f_rhigh(uint8_t *b, int *l) { (void)l; b[40] = (uint8_t)0xc3; }
static void f_rdel(uint8_t *b, int *l) { (void)l; b[52] = 0x7f; }
static void f_rmax(uint8_t *b, int *l)
{
	set_len(b, l, ODMD_REPLY_MIN + ODMD_REASON_MAX + 1);
	b[38] = ODMD_REASON_MAX + 1;
	memset(b + 39, 'a', ODMD_REASON_MAX + 1);
}
static void f_count(uint8_t *b, int *l) { (void)l; b[12] = 3; }
static void f_count1(uint8_t *b, int *l) { (void)l; b[12] = 1; }
static void f_sflags(uint8_t *b, int *l) { (void)l; b[13] = 0x02; }
static void f_srsvd(uint8_t *b, int *l) { (void)l; b[14] = 0x10; }
static void f_etype(uint8_t *b, int *l) { (void)l; b[16 + 32 + 16] = 9; }
static void f_eplen(uint8_t *b, int *l) { (void)l; b[16 + 17] = 129; }
static void f_eflags(uint8_t *b, int *l) { (void)l; b[16 + 18] = 0x80; }
static void f_elen(uint8_t *b, int *l) { (void)l; b[9] = 8; }
static void f_ectl(uint8_t *b, int *l) { (void)l; b[12] = 0x1b; }
static void f_idlen(uint8_t *b, int *l) { set_len(b, l, 5); }
static void f_sockrsvd(uint8_t *b, int *l) { (void)l; b[16 + 27] = 1; }
static void f_sockcount(uint8_t *b, int *l) { (void)l; b[12] = 1; }
static void f_rellen(uint8_t *b, int *l) { set_len(b, l, 19); }

static void malformed(void)
{
	/* header, any kind */
	for (unsigned k = ODMD_K_MIN; k <= ODMD_K_MAX; k++) {
		CHECK(damaged(k, f_magic, ODMD_EMAGIC));
		CHECK(damaged(k, f_version, ODMD_EVERSION));
		CHECK(damaged(k, f_version0, ODMD_EVERSION));
		CHECK(damaged(k, f_kind0, ODMD_EKIND));
		CHECK(damaged(k, f_kind9, ODMD_EKIND));
		CHECK(damaged(k, f_hflags, ODMD_ERESERVED));
		CHECK(damaged(k, f_toolong, ODMD_ETOOLONG));
		CHECK(damaged(k, f_huge, ODMD_ETOOLONG));
		CHECK(damaged(k, f_empty, ODMD_ELENGTH));
	}
	/* REQUEST */
	CHECK(damaged(ODMD_K_REQUEST, f_short, ODMD_ELENGTH));
	CHECK(damaged(ODMD_K_REQUEST, f_long, ODMD_ELENGTH));
	CHECK(damaged(ODMD_K_REQUEST, f_rsvd16, ODMD_ERESERVED));
	CHECK(damaged(ODMD_K_REQUEST, f_rflags, ODMD_ERESERVED));
	CHECK(damaged(ODMD_K_REQUEST, f_type0, ODMD_ETYPE));
	CHECK(damaged(ODMD_K_REQUEST, f_type5, ODMD_ETYPE));
	/* REPLY */
	CHECK(damaged(ODMD_K_REPLY, f_status, ODMD_ESTATUS));
	CHECK(damaged(ODMD_K_REPLY, f_rtype, ODMD_ETYPE));
	CHECK(damaged(ODMD_K_REPLY, f_rtype0, 8 + 31 + 14)); /* no address */
	CHECK(damaged(ODMD_K_REPLY, f_rlen, ODMD_ELENGTH));
	CHECK(damaged(ODMD_K_REPLY, f_rmax, ODMD_ELENGTH));
	CHECK(damaged(ODMD_K_REPLY, f_rnul, ODMD_EREASON));
	CHECK(damaged(ODMD_K_REPLY, f_rctl, ODMD_EREASON));
	CHECK(damaged(ODMD_K_REPLY, f_rhigh, ODMD_EREASON));
	CHECK(damaged(ODMD_K_REPLY, f_rdel, ODMD_EREASON));
	/* STATUS_REPLY */
	CHECK(damaged(ODMD_K_STATUS_REPLY, f_count, ODMD_ELENGTH));
	CHECK(damaged(ODMD_K_STATUS_REPLY, f_count1, ODMD_ELENGTH));
	CHECK(damaged(ODMD_K_STATUS_REPLY, f_sflags, ODMD_ERESERVED));
	CHECK(damaged(ODMD_K_STATUS_REPLY, f_srsvd, ODMD_ERESERVED));
	CHECK(damaged(ODMD_K_STATUS_REPLY, f_etype, ODMD_ETYPE));
	CHECK(damaged(ODMD_K_STATUS_REPLY, f_eplen, ODMD_EVALUE));
	CHECK(damaged(ODMD_K_STATUS_REPLY, f_eflags, ODMD_ERESERVED));
	/* ERROR */
	CHECK(damaged(ODMD_K_ERROR, f_elen, ODMD_ELENGTH));
	CHECK(damaged(ODMD_K_ERROR, f_ectl, ODMD_EREASON));
	/* STATUS_REQUEST, MOVE */
	CHECK(damaged(ODMD_K_STATUS_REQUEST, f_idlen, ODMD_ELENGTH));
	CHECK(damaged(ODMD_K_MOVE, f_idlen, ODMD_ELENGTH));
	/* SOCKETS_REPLY, RELEASE (version 2) */
	CHECK(damaged(ODMD_K_SOCKETS_REPLY, f_sockrsvd, ODMD_ERESERVED));
	CHECK(damaged(ODMD_K_SOCKETS_REPLY, f_sockcount, ODMD_ELENGTH));
	CHECK(damaged(ODMD_K_RELEASE, f_rellen, ODMD_ELENGTH));
}

/* A bad header is refused from its first wrong byte, before the rest. */
static void early_rejection(void)
{
	struct odmd_msg out;
	static const uint8_t big[] = { 'O', 'D', 'M', 1, 1, 0, 0x02, 0x00 };

	CHECK(odmd_decode("X", 1, &out) == ODMD_EMAGIC);
	CHECK(odmd_decode("OD", 2, &out) == 0);
	CHECK(odmd_decode("ODM\x04", 4, &out) == ODMD_EVERSION);
	CHECK(odmd_decode("ODM\x01\x09", 5, &out) == ODMD_EKIND);
	CHECK(odmd_decode(big, sizeof big, &out) == ODMD_ETOOLONG);
	CHECK(odmd_decode("", 0, &out) == 0);
}

static void truncation(void)
{
	for (unsigned k = ODMD_K_MIN; k <= ODMD_K_MAX; k++) {
		struct odmd_msg m = sample(k), out;
		uint8_t buf[ODMD_MSG_MAX];
		int len = odmd_encode(&m, buf, sizeof buf), bad = 0;

		for (int cut = 0; cut < len; cut++) {
			/* an exact-size copy, so ASan sees any overread */
			uint8_t *c = malloc((size_t)cut + 1);

			memcpy(c, buf, (size_t)cut);
			if (odmd_decode(c, (size_t)cut, &out) != 0)
				bad++;
			free(c);
		}
		CHECK(bad == 0);
	}
}

static void back_to_back(void)
{
	struct odmd_msg a = sample(ODMD_K_REPLY), b = sample(ODMD_K_MOVE), out;
	uint8_t buf[2 * ODMD_MSG_MAX];
	int la = odmd_encode(&a, buf, sizeof buf);
	int lb = odmd_encode(&b, buf + la, sizeof buf - (size_t)la);

	CHECK(la > 0 && lb > 0);
	CHECK(odmd_decode(buf, (size_t)(la + lb), &out) == la);
	CHECK(out.kind == ODMD_K_REPLY && !memcmp(&out, &a, sizeof a));
	CHECK(odmd_decode(buf + la, (size_t)lb, &out) == lb);
	CHECK(out.kind == ODMD_K_MOVE && out.id == b.id);
	CHECK(odmd_decode(buf + la, (size_t)lb - 1, &out) == 0);
}

static void encode_limits(void)
{
	struct odmd_msg m = sample(ODMD_K_REPLY);
	uint8_t buf[ODMD_MSG_MAX];
	int len = odmd_encode(&m, buf, sizeof buf);

	memset(buf, 0xaa, sizeof buf);
	CHECK(odmd_encode(&m, buf, (size_t)len - 1) == ODMD_ENOSPC);
	CHECK(buf[0] == 0xaa); /* nothing written */
	CHECK(odmd_encode(&m, buf, (size_t)len) == len);
	memset(m.rep.reason, 'x', ODMD_REASON_MAX);
	m.rep.reason[ODMD_REASON_MAX] = '\0';
	CHECK(odmd_encode(&m, buf, sizeof buf) == 8 + 31 + ODMD_REASON_MAX);
	m.rep.reason[ODMD_REASON_MAX] = 'x'; /* no NUL within 201 bytes */
	CHECK(odmd_encode(&m, buf, sizeof buf) == ODMD_EREASON);
	strcpy(m.rep.reason, "tab\there");
	CHECK(odmd_encode(&m, buf, sizeof buf) == ODMD_EREASON);
	m = sample_v(1, ODMD_K_STATUS_REPLY);
	m.st.count = ODMD_STATUS_MAX_V1;
	for (int i = 0; i < ODMD_STATUS_MAX_V1; i++)
		m.st.e[i] = m.st.e[0];
	CHECK(odmd_encode(&m, buf, sizeof buf) == 8 + 8 + 15 * 32);
	m.st.count = ODMD_STATUS_MAX_V1 + 1;
	CHECK(odmd_encode(&m, buf, sizeof buf) == ODMD_ELENGTH);
	m = sample(ODMD_K_STATUS_REPLY);
	m.st.count = ODMD_STATUS_MAX;
	for (int i = 0; i < ODMD_STATUS_MAX; i++)
		m.st.e[i] = m.st.e[0];
	CHECK(odmd_encode(&m, buf, sizeof buf) == 8 + 8 + 7 * 64);
	m.st.count = ODMD_STATUS_MAX + 1;
	CHECK(odmd_encode(&m, buf, sizeof buf) == ODMD_ELENGTH);
	m = sample(ODMD_K_SOCKETS_REPLY);
	m.socks.count = ODMD_SOCKETS_MAX;
	for (int i = 0; i < ODMD_SOCKETS_MAX; i++)
		m.socks.s[i] = m.socks.s[0];
	CHECK(odmd_encode(&m, buf, sizeof buf) == 8 + 8 + 17 * 28);
	m = sample(ODMD_K_REQUEST);
	m.req.type = 0;
	CHECK(odmd_encode(&m, buf, sizeof buf) == ODMD_ETYPE);
	m.kind = 9;
	CHECK(odmd_encode(&m, buf, sizeof buf) == ODMD_EKIND);
	m.kind = ODMD_K_REQUEST;
	m.req.type = 1;
	m.version = 4;
	CHECK(odmd_encode(&m, buf, sizeof buf) == ODMD_EVERSION);
	CHECK_STR(odmd_strerror(ODMD_EMAGIC), "bad magic");
	CHECK_STR(odmd_strerror(-99), "unknown error");
	CHECK_STR(odmd_strerror(5), "unknown error");
}

/* --- fuzz ---------------------------------------------------------------- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint64_t xorshift(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static unsigned below(unsigned n)
{
	return (unsigned)(xorshift() % n);
}

static unsigned accepted, rejected, partial;

/* Decodes an exact-size copy of buf[0..len); a message it accepts must
 * re-encode to the very bytes it came from. Returns 0 on a violation. */
static int probe(const uint8_t *buf, size_t len)
{
	uint8_t *c = malloc(len ? len : 1), again[ODMD_MSG_MAX];
	struct odmd_msg m;
	int rc, ok = 1;

	memcpy(c, buf, len);
	rc = odmd_decode(c, len, &m);
	if (rc > 0) {
		accepted++;
		ok = rc <= (int)len && rc <= ODMD_MSG_MAX &&
		     odmd_encode(&m, again, sizeof again) == rc &&
		     !memcmp(again, buf, (size_t)rc);
		if (!ok && getenv("DEBUG_FUZZ")) {
			for (int j = 0; j < rc; j++)
				printf("%02x", buf[j]);
			printf(" kind %u v %u\n", m.kind, m.version);
		}
	} else if (rc == 0) {
		partial++;
		ok = len < ODMD_MSG_MAX;
	} else {
		rejected++;
		ok = rc >= ODMD_E_LAST;
	}
	free(c);
	return ok;
}

static void fuzz(void)
{
	uint8_t buf[ODMD_MSG_MAX + 64];
	int bad = 0;

	for (int i = 0; i < 200000; i++) {
		size_t len = below(sizeof buf + 1);

		for (size_t j = 0; j < len; j++)
			buf[j] = (uint8_t)xorshift();
		if (len >= ODMD_HDR_LEN && below(2)) { /* a plausible header */
			unsigned body = below(ODMD_BODY_MAX + 8);

			memcpy(buf, "ODM", 3);
			buf[3] = (uint8_t)(1 + below(2));
			buf[4] = (uint8_t)(1 + below(ODMD_K_MAX));
			buf[5] = below(16) ? 0 : buf[5];
			buf[6] = (uint8_t)(body >> 8);
			buf[7] = (uint8_t)body;
		}
		bad += !probe(buf, len);
	}
	for (int i = 0; i < 200000; i++) {
		unsigned k = 1 + below(ODMD_K_MAX);
		struct odmd_msg m = sample_v(v1_kind(k) && below(3) == 0 ? 1
					     : 2 + below(2), k);
		int len = odmd_encode(&m, buf, sizeof buf), n = 1 + (int)below(4);

		for (int j = 0; j < n; j++) {
			unsigned at = below((unsigned)len);

			switch (below(4)) {
			case 0:
				buf[at] ^= (uint8_t)(1u << below(8));
				break;
			case 1:
				buf[at] = (uint8_t)xorshift();
				break;
			case 2:
				buf[at] = (uint8_t)(0x20 + below(0x5f));
				break;
			default:
				len = (int)at + 1 + (int)below(8);
				break;
			}
		}
		bad += !probe(buf, (size_t)len);
	}
	printf("# fuzz: %u accepted, %u partial, %u rejected\n", accepted,
	       partial, rejected);
	CHECK(bad == 0);
	CHECK(accepted > 1000 && rejected > 1000 && partial > 1000);
}

int main(void)
{
	RUN(round_trips);
	RUN(versions);
	RUN(own_requests);
	RUN(wire_layout);
	RUN(malformed);
	RUN(early_rejection);
	RUN(truncation);
	RUN(back_to_back);
	RUN(encode_limits);
	RUN(fuzz);
	return TEST_DONE();
}
