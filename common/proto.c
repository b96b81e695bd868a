/* proto.c: odmd's wire protocol codec (see proto.h and
 * docs/odmd-protocol.md). Pure functions over caller buffers: also linked
 * into libodm.so, so no I/O, no allocation, no errno. */
#include <string.h>
#include "proto.h"

static uint16_t get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint32_t get32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	       (uint32_t)p[2] << 8 | p[3];
}

static uint8_t *put8(uint8_t *p, unsigned v)
{
	*p = (uint8_t)v;
	return p + 1;
}

static uint8_t *put16(uint8_t *p, unsigned v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *put32(uint8_t *p, uint32_t v)
{
	p[0] = (uint8_t)(v >> 24);
	p[1] = (uint8_t)(v >> 16);
	p[2] = (uint8_t)(v >> 8);
	p[3] = (uint8_t)v;
	return p + 4;
}

static uint8_t *put_bytes(uint8_t *p, const void *src, size_t n)
{
	memcpy(p, src, n);
	return p + n;
}

static int printable(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e)
			return 0;
	return 1;
}

/* Length of a NUL-terminated reason field, or -1 if it breaks the rules. */
static int reason_len(const char *r)
{
	size_t n = strnlen(r, ODMD_REASON_MAX + 1);

	return n <= ODMD_REASON_MAX && printable(r, n) ? (int)n : -1;
}

/* The body length the kind allows in version v, from the header alone:
 * [*min, *max]. */
static int body_bounds(unsigned v, unsigned kind, size_t *min, size_t *max)
{
	switch (kind) {
	case ODMD_K_REQUEST:
		*min = ODMD_REQUEST_LEN;
		*max = v >= 3 ? ODMD_REQUEST_OWN_LEN : ODMD_REQUEST_LEN;
		return 0;
	case ODMD_K_REPLY:
		*min = ODMD_REPLY_MIN;
		*max = ODMD_REPLY_MIN + ODMD_REASON_MAX;
		return 0;
	case ODMD_K_STATUS_REQUEST:
		*min = *max = v == ODMD_PROTO_V1 ? ODMD_IDONLY_LEN
						 : ODMD_STATUS_Q_LEN;
		return 0;
	case ODMD_K_MOVE:
		*min = *max = ODMD_IDONLY_LEN;
		return 0;
	case ODMD_K_STATUS_REPLY:
		*min = ODMD_STATUS_HDR;
		*max = ODMD_STATUS_HDR + (v == ODMD_PROTO_V1
			       ? ODMD_STATUS_MAX_V1 * ODMD_ENTRY_LEN_V1
			       : v == ODMD_PROTO_V2
			       ? ODMD_STATUS_MAX_V2 * ODMD_ENTRY_LEN_V2
			       : ODMD_STATUS_MAX * ODMD_ENTRY_LEN);
		return 0;
	case ODMD_K_ERROR:
		*min = ODMD_ERROR_MIN;
		*max = ODMD_ERROR_MIN + ODMD_REASON_MAX;
		return 0;
	case ODMD_K_RELEASE:
		if (v == ODMD_PROTO_V1)
			break;
		*min = *max = ODMD_RELEASE_LEN;
		return 0;
	case ODMD_K_SOCKETS_REPLY:
		if (v == ODMD_PROTO_V1)
			break;
		*min = ODMD_STATUS_HDR;
		*max = ODMD_STATUS_HDR + ODMD_SOCKETS_MAX * ODMD_SOCK_LEN;
		return 0;
	}
	return ODMD_EKIND;
}

static int type_ok(unsigned t)
{
	return t >= 1 && t <= 4;
}

/* Entry size and count of version v. */
static size_t entry_len(unsigned v)
{
	return v == ODMD_PROTO_V1 ? ODMD_ENTRY_LEN_V1
	       : v == ODMD_PROTO_V2 ? ODMD_ENTRY_LEN_V2 : ODMD_ENTRY_LEN;
}

static unsigned entries_max(unsigned v)
{
	return v == ODMD_PROTO_V1 ? ODMD_STATUS_MAX_V1
	       : v == ODMD_PROTO_V2 ? ODMD_STATUS_MAX_V2 : ODMD_STATUS_MAX;
}

static int check_entries(unsigned v, const struct odmd_msg *m)
{
	if (m->st.count > entries_max(v))
		return ODMD_ELENGTH;
	if (m->st.flags & ~ODMD_STATUS_MORE)
		return ODMD_ERESERVED;
	for (unsigned i = 0; i < m->st.count; i++) {
		const struct odmd_entry *e = &m->st.e[i];

		if (e->flags & ~(v == ODMD_PROTO_V1 ? ODMD_ENT_ALL_V1
						    : ODMD_ENT_ALL))
			return ODMD_ERESERVED;
		if (v == ODMD_PROTO_V1 &&
		    (e->owner || e->age || e->renew || e->sockets || e->state))
			return ODMD_ERESERVED;
		if (v < 3 && (e->bytes || e->rotate))
			return ODMD_ERESERVED;
		if (!type_ok(e->type))
			return ODMD_ETYPE;
		if (e->plen > 128)
			return ODMD_EVALUE;
		if (v != ODMD_PROTO_V1 &&
		    (e->state < 1 || e->state > ODMD_LEASE_MAX))
			return ODMD_EVALUE;
	}
	return 0;
}

/* The rules on field values that encode and decode share. */
static int check(unsigned v, const struct odmd_msg *m)
{
	size_t min, max;

	if (v < ODMD_PROTO_V1 || v > ODMD_PROTO_VERSION)
		return ODMD_EVERSION;
	if (body_bounds(v, m->kind, &min, &max))
		return ODMD_EKIND;
	switch (m->kind) {
	case ODMD_K_REQUEST:
		if (m->req.flags & ~(v >= 3 ? ODMD_REQ_ON_NET | ODMD_REQ_OWN
					    : ODMD_REQ_ON_NET))
			return ODMD_ERESERVED;
		if (!(m->req.flags & ODMD_REQ_OWN) &&
		    (m->req.rotate_s || m->req.rotate_bytes))
			return ODMD_ERESERVED;
		return type_ok(m->req.type) ? 0 : ODMD_ETYPE;
	case ODMD_K_REPLY:
		if (m->rep.status > ODMD_ST_MAX)
			return ODMD_ESTATUS;
		if (m->rep.type && !type_ok(m->rep.type))
			return ODMD_ETYPE;
		return reason_len(m->rep.reason) < 0 ? ODMD_EREASON : 0;
	case ODMD_K_STATUS_REPLY:
		return check_entries(v, m);
	case ODMD_K_SOCKETS_REPLY:
		if (m->socks.count > ODMD_SOCKETS_MAX)
			return ODMD_ELENGTH;
		if (m->socks.flags & ~ODMD_STATUS_MORE)
			return ODMD_ERESERVED;
		for (unsigned i = 0; i < m->socks.count; i++)
			if (m->socks.s[i].proto != IPPROTO_TCP &&
			    m->socks.s[i].proto != IPPROTO_UDP)
				return ODMD_EVALUE;
		return 0;
	case ODMD_K_ERROR:
		return reason_len(m->err.reason) < 0 ? ODMD_EREASON : 0;
	case ODMD_K_STATUS_REQUEST:
		if (v == ODMD_PROTO_V1 && m->stq.flags)
			return ODMD_ERESERVED;
		return m->stq.flags & ~ODMD_STQ_SOCKETS ? ODMD_ERESERVED : 0;
	case ODMD_K_MOVE:
	case ODMD_K_RELEASE:
		return 0;
	}
	return ODMD_EKIND;
}

/* Checks the header bytes that are there; returns the body length once
 * all 8 are, 0 before, or an ODMD_E* code. */
static int header(const uint8_t *p, size_t len)
{
	static const uint8_t magic[3] = { 'O', 'D', 'M' };
	size_t min = 0, max = 0, body;

	for (size_t i = 0; i < 3 && i < len; i++)
		if (p[i] != magic[i])
			return ODMD_EMAGIC;
	if (len > 3 && (p[3] < ODMD_PROTO_V1 || p[3] > ODMD_PROTO_VERSION))
		return ODMD_EVERSION;
	if (len > 4 && body_bounds(p[3], p[4], &min, &max) < 0)
		return ODMD_EKIND;
	if (len > 5 && p[5] != 0)
		return ODMD_ERESERVED;
	if (len < ODMD_HDR_LEN)
		return 0;
	body = get16(p + 6);
	if (body > ODMD_BODY_MAX)
		return ODMD_ETOOLONG;
	if (body < min || body > max)
		return ODMD_ELENGTH;
	return (int)body;
}

/* Copies a wire reason (n bytes at p) into dst, NUL-terminated. */
static int take_reason(char *dst, const uint8_t *p, size_t n)
{
	if (n > ODMD_REASON_MAX || !printable((const char *)p, n))
		return ODMD_EREASON;
	memcpy(dst, p, n);
	dst[n] = '\0';
	return 0;
}

static int decode_entries(unsigned v, const uint8_t *b, int body,
			  struct odmd_msg *out)
{
	size_t elen = entry_len(v);

	out->st.count = b[4];
	out->st.flags = b[5];
	if ((size_t)body != ODMD_STATUS_HDR + b[4] * elen)
		return ODMD_ELENGTH;
	if (get16(b + 6))
		return ODMD_ERESERVED;
	for (unsigned i = 0; i < out->st.count; i++) {
		const uint8_t *q = b + ODMD_STATUS_HDR + i * elen;
		struct odmd_entry *e = &out->st.e[i];

		memcpy(&e->addr, q, 16);
		e->type = q[16];
		e->plen = q[17];
		e->flags = get16(q + 18);
		e->ifindex = get32(q + 20);
		e->preferred = get32(q + 24);
		e->valid = get32(q + 28);
		if (v == ODMD_PROTO_V1)
			continue;
		e->owner = get32(q + 32);
		e->age = get32(q + 36);
		e->renew = get32(q + 40);
		e->sockets = get16(q + 44);
		e->state = q[46];
		if (q[47])
			return ODMD_ERESERVED;
		if (v == ODMD_PROTO_V2)
			continue;
		e->bytes = (uint64_t)get32(q + 48) << 32 | get32(q + 52);
		e->rotate = get32(q + 56);
		if (get32(q + 60))
			return ODMD_ERESERVED;
	}
	return 0;
}

static int decode_sockets(const uint8_t *b, int body, struct odmd_msg *out)
{
	out->socks.count = b[4];
	out->socks.flags = b[5];
	if ((size_t)body != ODMD_STATUS_HDR + b[4] * (size_t)ODMD_SOCK_LEN)
		return ODMD_ELENGTH;
	if (get16(b + 6))
		return ODMD_ERESERVED;
	for (unsigned i = 0; i < out->socks.count; i++) {
		const uint8_t *q = b + ODMD_STATUS_HDR + i * ODMD_SOCK_LEN;
		struct odmd_sock *s = &out->socks.s[i];

		memcpy(&s->addr, q, 16);
		s->uid = get32(q + 16);
		s->inode = get32(q + 20);
		s->port = get16(q + 24);
		s->proto = q[26];
		if (q[27])
			return ODMD_ERESERVED;
	}
	return 0;
}

int odmd_decode(const void *buf, size_t len, struct odmd_msg *out)
{
	const uint8_t *p = buf, *b = p + ODMD_HDR_LEN;
	int body = header(p, len), rc = 0;

	if (body < 0)
		return body;
	if (len < ODMD_HDR_LEN || len < ODMD_HDR_LEN + (size_t)body)
		return 0;
	memset(out, 0, sizeof *out);
	out->version = p[3];
	out->kind = p[4];
	if (out->kind != ODMD_K_ERROR)
		out->id = get32(b);
	switch (out->kind) {
	case ODMD_K_REQUEST:
		out->req.type = b[4];
		out->req.flags = b[5];
		if (get16(b + 6))
			return ODMD_ERESERVED;
		/* The rotation comes with ODMD_REQ_OWN, and only then. */
		if (body != ((b[5] & ODMD_REQ_OWN) ? ODMD_REQUEST_OWN_LEN
						   : ODMD_REQUEST_LEN))
			return ODMD_ELENGTH;
		if (body == ODMD_REQUEST_OWN_LEN) {
			out->req.rotate_s = get32(b + 8);
			out->req.rotate_bytes = (uint64_t)get32(b + 12) << 32 |
						get32(b + 16);
		}
		break;
	case ODMD_K_REPLY:
		out->rep.status = b[4];
		out->rep.type = b[5];
		memcpy(&out->rep.addr, b + 6, 16);
		out->rep.preferred = get32(b + 22);
		out->rep.valid = get32(b + 26);
		if (b[30] != body - ODMD_REPLY_MIN)
			return ODMD_ELENGTH;
		rc = take_reason(out->rep.reason, b + 31, b[30]);
		break;
	case ODMD_K_STATUS_REQUEST:
		if (out->version == ODMD_PROTO_V1)
			break;
		out->stq.flags = b[4];
		if (b[5] || get16(b + 6))
			return ODMD_ERESERVED;
		break;
	case ODMD_K_RELEASE:
		memcpy(&out->rel.addr, b + 4, 16);
		break;
	case ODMD_K_STATUS_REPLY:
		rc = decode_entries(out->version, b, body, out);
		break;
	case ODMD_K_SOCKETS_REPLY:
		rc = decode_sockets(b, body, out);
		break;
	case ODMD_K_ERROR:
		out->err.code = b[0];
		if (b[1] != body - ODMD_ERROR_MIN)
			return ODMD_ELENGTH;
		rc = take_reason(out->err.reason, b + 2, b[1]);
		break;
	}
	if (rc == 0)
		rc = check(out->version, out);
	return rc < 0 ? rc : ODMD_HDR_LEN + body;
}

static uint8_t *encode_entries(uint8_t *p, unsigned v, const struct odmd_msg *m)
{
	p = put8(p, m->st.count);
	p = put8(p, m->st.flags);
	p = put16(p, 0);
	for (unsigned i = 0; i < m->st.count; i++) {
		const struct odmd_entry *e = &m->st.e[i];

		p = put_bytes(p, &e->addr, 16);
		p = put8(p, e->type);
		p = put8(p, e->plen);
		p = put16(p, e->flags);
		p = put32(p, e->ifindex);
		p = put32(p, e->preferred);
		p = put32(p, e->valid);
		if (v == ODMD_PROTO_V1)
			continue;
		p = put32(p, e->owner);
		p = put32(p, e->age);
		p = put32(p, e->renew);
		p = put16(p, e->sockets);
		p = put8(p, e->state);
		p = put8(p, 0);
		if (v == ODMD_PROTO_V2)
			continue;
		p = put32(p, (uint32_t)(e->bytes >> 32));
		p = put32(p, (uint32_t)e->bytes);
		p = put32(p, e->rotate);
		p = put32(p, 0);
	}
	return p;
}

static uint8_t *encode_sockets(uint8_t *p, const struct odmd_msg *m)
{
	p = put8(p, m->socks.count);
	p = put8(p, m->socks.flags);
	p = put16(p, 0);
	for (unsigned i = 0; i < m->socks.count; i++) {
		const struct odmd_sock *s = &m->socks.s[i];

		p = put_bytes(p, &s->addr, 16);
		p = put32(p, s->uid);
		p = put32(p, s->inode);
		p = put16(p, s->port);
		p = put8(p, s->proto);
		p = put8(p, 0);
	}
	return p;
}

int odmd_encode(const struct odmd_msg *m, void *buf, size_t cap)
{
	uint8_t tmp[ODMD_MSG_MAX], *p = tmp + ODMD_HDR_LEN;
	unsigned v = m->version ? m->version : ODMD_PROTO_VERSION;
	int rc = check(v, m);
	size_t len;

	if (rc < 0)
		return rc;
	if (m->kind != ODMD_K_ERROR)
		p = put32(p, m->id);
	switch (m->kind) {
	case ODMD_K_REQUEST:
		p = put8(p, m->req.type);
		p = put8(p, m->req.flags);
		p = put16(p, 0);
		if (m->req.flags & ODMD_REQ_OWN) {
			p = put32(p, m->req.rotate_s);
			p = put32(p, (uint32_t)(m->req.rotate_bytes >> 32));
			p = put32(p, (uint32_t)m->req.rotate_bytes);
		}
		break;
	case ODMD_K_REPLY:
		p = put8(p, m->rep.status);
		p = put8(p, m->rep.type);
		p = put_bytes(p, &m->rep.addr, 16);
		p = put32(p, m->rep.preferred);
		p = put32(p, m->rep.valid);
		p = put8(p, strlen(m->rep.reason));
		p = put_bytes(p, m->rep.reason, strlen(m->rep.reason));
		break;
	case ODMD_K_STATUS_REQUEST:
		if (v == ODMD_PROTO_V1)
			break;
		p = put8(p, m->stq.flags);
		p = put8(p, 0);
		p = put16(p, 0);
		break;
	case ODMD_K_RELEASE:
		p = put_bytes(p, &m->rel.addr, 16);
		break;
	case ODMD_K_STATUS_REPLY:
		p = encode_entries(p, v, m);
		break;
	case ODMD_K_SOCKETS_REPLY:
		p = encode_sockets(p, m);
		break;
	case ODMD_K_ERROR:
		p = put8(p, m->err.code);
		p = put8(p, strlen(m->err.reason));
		p = put_bytes(p, m->err.reason, strlen(m->err.reason));
		break;
	}
	len = (size_t)(p - tmp);
	if (len > cap)
		return ODMD_ENOSPC;
	put16(put8(put8(put8(put_bytes(tmp, "ODM", 3), v), m->kind), 0),
	      (unsigned)(len - ODMD_HDR_LEN));
	memcpy(buf, tmp, len);
	return (int)len;
}

const char *odmd_strerror(int code)
{
	static const char *const text[] = {
		[0] = "success",
		[-ODMD_EMAGIC] = "bad magic",
		[-ODMD_EVERSION] = "unsupported protocol version",
		[-ODMD_EKIND] = "unknown message kind",
		[-ODMD_ETOOLONG] = "message too long",
		[-ODMD_ELENGTH] = "body length wrong for its kind",
		[-ODMD_ERESERVED] = "reserved field or bit set",
		[-ODMD_ETYPE] = "address type out of range",
		[-ODMD_EREASON] = "bad reason text",
		[-ODMD_ESTATUS] = "unknown reply status",
		[-ODMD_EVALUE] = "field value out of range",
		[-ODMD_ENOSPC] = "buffer too small",
	};

	return code <= 0 && code >= ODMD_E_LAST ? text[-code] : "unknown error";
}
