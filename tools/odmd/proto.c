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

/* The body length the kind allows, from the header alone: [*min, *max]. */
static int body_bounds(unsigned kind, size_t *min, size_t *max)
{
	switch (kind) {
	case ODMD_K_REQUEST:
		*min = *max = ODMD_REQUEST_LEN;
		return 0;
	case ODMD_K_REPLY:
		*min = ODMD_REPLY_MIN;
		*max = ODMD_REPLY_MIN + ODMD_REASON_MAX;
		return 0;
	case ODMD_K_STATUS_REQUEST:
	case ODMD_K_MOVE:
		*min = *max = ODMD_IDONLY_LEN;
		return 0;
	case ODMD_K_STATUS_REPLY:
		*min = ODMD_STATUS_HDR;
		*max = ODMD_STATUS_HDR + ODMD_STATUS_MAX * ODMD_ENTRY_LEN;
		return 0;
	case ODMD_K_ERROR:
		*min = ODMD_ERROR_MIN;
		*max = ODMD_ERROR_MIN + ODMD_REASON_MAX;
		return 0;
	}
	return ODMD_EKIND;
}

static int type_ok(unsigned t)
{
	return t >= 1 && t <= 4;
}

/* The rules on field values that encode and decode share. */
static int check(const struct odmd_msg *m)
{
	switch (m->kind) {
	case ODMD_K_REQUEST:
		if (m->req.flags & ~ODMD_REQ_ON_NET)
			return ODMD_ERESERVED;
		return type_ok(m->req.type) ? 0 : ODMD_ETYPE;
	case ODMD_K_REPLY:
		if (m->rep.status > ODMD_ST_MAX)
			return ODMD_ESTATUS;
		if (m->rep.type && !type_ok(m->rep.type))
			return ODMD_ETYPE;
		return reason_len(m->rep.reason) < 0 ? ODMD_EREASON : 0;
	case ODMD_K_STATUS_REPLY:
		if (m->st.count > ODMD_STATUS_MAX)
			return ODMD_ELENGTH;
		if (m->st.flags & ~ODMD_STATUS_MORE)
			return ODMD_ERESERVED;
		for (unsigned i = 0; i < m->st.count; i++) {
			const struct odmd_entry *e = &m->st.e[i];

			if (e->flags & ~ODMD_ENT_ALL)
				return ODMD_ERESERVED;
			if (!type_ok(e->type))
				return ODMD_ETYPE;
			if (e->plen > 128)
				return ODMD_EVALUE;
		}
		return 0;
	case ODMD_K_ERROR:
		return reason_len(m->err.reason) < 0 ? ODMD_EREASON : 0;
	case ODMD_K_STATUS_REQUEST:
	case ODMD_K_MOVE:
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
	if (len > 3 && p[3] != ODMD_PROTO_VERSION)
		return ODMD_EVERSION;
	if (len > 4 && body_bounds(p[4], &min, &max) < 0)
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

int odmd_decode(const void *buf, size_t len, struct odmd_msg *out)
{
	const uint8_t *p = buf, *b = p + ODMD_HDR_LEN;
	int body = header(p, len), rc = 0;

	if (body < 0)
		return body;
	if (len < ODMD_HDR_LEN || len < ODMD_HDR_LEN + (size_t)body)
		return 0;
	memset(out, 0, sizeof *out);
	out->kind = p[4];
	if (out->kind != ODMD_K_ERROR)
		out->id = get32(b);
	switch (out->kind) {
	case ODMD_K_REQUEST:
		out->req.type = b[4];
		out->req.flags = b[5];
		if (get16(b + 6))
			return ODMD_ERESERVED;
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
	case ODMD_K_STATUS_REPLY:
		out->st.count = b[4];
		out->st.flags = b[5];
		if (body != ODMD_STATUS_HDR + b[4] * ODMD_ENTRY_LEN)
			return ODMD_ELENGTH;
		if (get16(b + 6))
			return ODMD_ERESERVED;
		for (unsigned i = 0; i < out->st.count; i++) {
			const uint8_t *q = b + ODMD_STATUS_HDR + i * ODMD_ENTRY_LEN;
			struct odmd_entry *e = &out->st.e[i];

			memcpy(&e->addr, q, 16);
			e->type = q[16];
			e->plen = q[17];
			e->flags = get16(q + 18);
			e->ifindex = get32(q + 20);
			e->preferred = get32(q + 24);
			e->valid = get32(q + 28);
		}
		break;
	case ODMD_K_ERROR:
		out->err.code = b[0];
		if (b[1] != body - ODMD_ERROR_MIN)
			return ODMD_ELENGTH;
		rc = take_reason(out->err.reason, b + 2, b[1]);
		break;
	}
	if (rc == 0)
		rc = check(out);
	return rc < 0 ? rc : ODMD_HDR_LEN + body;
}

int odmd_encode(const struct odmd_msg *m, void *buf, size_t cap)
{
	uint8_t tmp[ODMD_MSG_MAX], *p = tmp + ODMD_HDR_LEN;
	int rc = check(m);
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
	case ODMD_K_STATUS_REPLY:
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
		}
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
	put16(put8(put8(put8(put_bytes(tmp, "ODM", 3), ODMD_PROTO_VERSION),
			m->kind), 0), (unsigned)(len - ODMD_HDR_LEN));
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
