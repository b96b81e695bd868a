/* lazy_mnl.c: libmnl for the shim, loaded on first use (lazy.h). The
 * engine's first netlink exchange builds a message: that loads it. */
#include <errno.h>
#include <libmnl/libmnl.h>
#include "lazy.h"

#ifndef ODM_MNL_SONAME
#define ODM_MNL_SONAME "libmnl.so.0"
#endif

/* Every libmnl function libodm calls but the ones below, which load the
 * library: return type, name, parameters, arguments. */
#define MNL_REST(X)                                                             \
	X(size_t, mnl_nlmsg_size, (size_t a), (a))                               \
	X(void *, mnl_nlmsg_put_extra_header, (struct nlmsghdr *a, size_t b), (a, b)) \
	X(void *, mnl_nlmsg_get_payload, (const struct nlmsghdr *a), (a))        \
	X(uint16_t, mnl_attr_get_type, (const struct nlattr *a), (a))            \
	X(uint16_t, mnl_attr_get_payload_len, (const struct nlattr *a), (a))     \
	X(void *, mnl_attr_get_payload, (const struct nlattr *a), (a))           \
	X(const char *, mnl_attr_get_str, (const struct nlattr *a), (a))         \
	X(int, mnl_attr_validate, (const struct nlattr *a, enum mnl_attr_data_type b), (a, b)) \
	X(int, mnl_attr_parse, (const struct nlmsghdr *a, unsigned int b,         \
				mnl_attr_cb_t c, void *d), (a, b, c, d))
#define MNL_VOID(X)                                                             \
	X(void, mnl_attr_put, (struct nlmsghdr *a, uint16_t b, size_t c, const void *d), (a, b, c, d)) \
	X(void, mnl_attr_put_u8, (struct nlmsghdr *a, uint16_t b, uint8_t c), (a, b, c)) \
	X(void, mnl_attr_put_u32, (struct nlmsghdr *a, uint16_t b, uint32_t c), (a, b, c))
/* A message is built (put_header) or read (cb_run) before anything else:
 * these two load the library, and fail when it cannot be had. */
#define MNL_FUNCS(X)                                                            \
	X(struct nlmsghdr *, mnl_nlmsg_put_header, (void *a), (a))               \
	X(int, mnl_cb_run, (const void *a, size_t b, unsigned int c, unsigned int d, \
			    mnl_cb_t e, void *f), (a, b, c, d, e, f))             \
	MNL_REST(X) MNL_VOID(X)

#define NAME(ret, name, params, args) #name,
#define FIELD(ret, name, params, args) ret (*name) params;
#define COUNT(ret, name, params, args) +1
#define WRAP(ret, name, params, args) \
	ret name params { return L.f.name args; }
#define WRAP_VOID(ret, name, params, args) \
	ret name params { L.f.name args; }

static const char *const names[] = { MNL_FUNCS(NAME) };
static union {
	struct { MNL_FUNCS(FIELD) } f;
	void *p[0 MNL_FUNCS(COUNT)];
} L;
static int state;

static bool loaded(void)
{
	return odm_lazy_load(ODM_MNL_SONAME, names, L.p,
			     sizeof names / sizeof names[0], &state);
}

struct nlmsghdr *mnl_nlmsg_put_header(void *buf)
{
	return loaded() ? L.f.mnl_nlmsg_put_header(buf) : NULL;
}

int mnl_cb_run(const void *buf, size_t numbytes, unsigned int seq,
	       unsigned int portid, mnl_cb_t cb_data, void *data)
{
	if (!loaded()) {
		errno = ENOSYS;
		return MNL_CB_ERROR;
	}
	return L.f.mnl_cb_run(buf, numbytes, seq, portid, cb_data, data);
}

MNL_REST(WRAP)
MNL_VOID(WRAP_VOID)
