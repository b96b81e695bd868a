/* hook.h: what every hook_*.c file needs. A hook is a trampoline: make sure
 * init ran, pass straight to libc when no policy governs the process, else
 * call the logic in interpose.c. */
#ifndef ODM_HOOK_H
#define ODM_HOOK_H

#include "fdtab.h"
#include "init.h"
#include "interpose.h"
#include "real.h"

#define ODM_EXPORT __attribute__((visibility("default")))

#endif
