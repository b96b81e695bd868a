/* defaults.h: every path, environment variable name and default value of
 * libodm and its tools, in one place. */
#ifndef ODM_DEFAULTS_H
#define ODM_DEFAULTS_H

#define ODM_DEFAULT_CONF        "/etc/odm/odm.conf"
#define ODM_DEFAULT_POLICY_DIR  "/etc/odm/policy.d"

#define ODM_ENV_CONF            "ODM_CONF"        /* host config file */
#define ODM_ENV_POLICY_DIR      "ODM_POLICY_DIR"  /* policy folder */
#define ODM_ENV_POLICY_FILE     "ODM_POLICY_FILE" /* one file for every program (odm run -p) */
#define ODM_ENV_LOG             "ODM_LOG"         /* none|error|warn|info|debug */
#define ODM_ENV_LIB             "ODM_LIB"         /* the library odm run preloads */
#define ODM_ENV_LOG_TARGET      "ODM_LOG_TARGET"  /* stderr|syslog */

/* odmd, the host agent. */
#define ODM_DEFAULT_AGENT_SOCKET   "/run/odm/odmd.sock"
#define ODM_DEFAULT_AGENT_TIMEOUT  2000   /* ms setsc() waits for odmd */
#define ODM_DEFAULT_GRACE          30     /* s a replaced prefix stays valid */
#define ODM_DEFAULT_LIFETIME       86400  /* s valid lifetime of a grant */
#define ODM_DEFAULT_MAX_ADDRESSES  16     /* per user */
#define ODM_DEFAULT_ODMD_USER      "_odm" /* else nobody */
#define ODM_DEFAULT_STATE_DIR      "/run/odm/state"
#define ODM_DEFAULT_BPF_DIR        "/sys/fs/bpf/odm"
#define ODM_DEFAULT_MAX_CLIENTS    4096
#define ODM_DEFAULT_MAX_CLIENTS_USER 64
#define ODM_DEFAULT_IDLE_TIMEOUT   10     /* s a connection may idle */
#define ODM_DEFAULT_READ_TIMEOUT   2000   /* ms for a whole message */
#define ODM_DEFAULT_HOLD           30     /* s a grant waits for its socket */
#define ODM_DEFAULT_IDLE           60     /* s before an unused grant goes */
#define ODM_DEFAULT_DRAIN          2      /* s of last look before release */
#define ODM_DEFAULT_RULE_PRIORITY  1000

/* Highest fd the per-fd table tracks (exclusive); larger fds pass through. */
#define ODM_FDTAB_CHUNK_BITS    12      /* 4096 fds a chunk */
#define ODM_FDTAB_CHUNKS        256     /* up to fd 1048575 */


#endif
