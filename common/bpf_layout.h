/* bpf_layout.h: the maps the cgroup BPF programs (bpf/odm.bpf.c) share
 * with odmd, which fills the host's side, and with `odm run`, which fills
 * a program's: plain fixed-size types, the same on both sides. Addresses
 * in network byte order, ports in host order. */
#ifndef ODM_BPF_LAYOUT_H
#define ODM_BPF_LAYOUT_H

#include <linux/types.h>

#define ODM_BPF_MAX_RULES   32     /* a policy with more: LD_PRELOAD only */
#define ODM_BPF_MAX_CGROUPS 4096   /* programs run in a cgroup at once */
#define ODM_BPF_MAX_TYPED   65536  /* typed addresses on the host */
#define ODM_BPF_MAX_GRANTS  1024   /* users granted premium types */
#define ODM_BPF_ANY_UID     0xffffffffu /* the grant of "*" */

/* Under agent.bpf: the programs a program's cgroup gets, and the maps. */
#define ODM_BPF_PIN_CONNECT "connect6"
#define ODM_BPF_PIN_SENDMSG "sendmsg6"
#define ODM_BPF_PIN_POLICY  "odm_policy"
#define ODM_BPF_PIN_COUNT   "odm_count"

/* One rule of a policy (policy.h's struct odm_rule, compiled). */
struct odm_bpf_rule {
	__u32 dest[4];     /* prefix, host bits cleared */
	__u32 mask[4];
	__u16 port_lo, port_hi; /* 0, 0: any */
	__u8 has_dest;
	__u8 proto;        /* 0 any, 6 TCP, 17 UDP */
	__u8 role;         /* 0 any, 1 client, 2 server */
	__u8 type;         /* 0 legacy, 1..4 */
	__u8 on_fail;      /* 0 fail, 1 legacy */
	__u8 on_net;       /* on-net: only odmd can answer; the BPF path fails */
	__u8 has_own;      /* own[] is the rule's address of its own */
	__u8 pad;
	__u32 own[4];      /* address = per-process (or rotating): odm run's */
};

/* A cgroup's policy: key, the cgroup's id (its directory's inode). */
struct odm_bpf_policy {
	__u32 nrules;
	__u32 granted;     /* premium types this program is granted (bits) */
	struct odm_bpf_rule rules[ODM_BPF_MAX_RULES];
	struct odm_bpf_rule deflt;
};

/* The address a new socket of a type gets (index: the type, 1..4). */
struct odm_bpf_addr {
	__u32 have;
	__u32 addr[4];
};

/* The host's side (index 0). */
struct odm_bpf_conf {
	__u32 premium;     /* types that need a grant (bits) */
};

/* Decisions counted (per-CPU array, index: enum odm_bpf_count). */
enum odm_bpf_count {
	ODM_BPF_TYPED = 0,   /* a socket bound or a datagram sourced */
	ODM_BPF_LEGACY,      /* left to the kernel by its rule */
	ODM_BPF_FAILED,      /* no address: the call failed */
	ODM_BPF_FELL_BACK,   /* no address: on-failure legacy */
	ODM_BPF_REFUSED,     /* a premium address refused */
	ODM_BPF_NCOUNTS,
};

#endif
