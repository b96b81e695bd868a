/* writeall.h: a whole buffer written to a file descriptor. */
#ifndef ODM_WRITEALL_H
#define ODM_WRITEALL_H

#include <stddef.h>

/* Writes all n bytes of p to fd, again after EINTR and short writes:
 * 0, or -1 with errno set (a write that wrote nothing sets none). */
int odm_write_all(int fd, const char *p, size_t n);

#endif
