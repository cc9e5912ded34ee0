/* SPDX-License-Identifier: GPL-2.0 */
/*
 * Every difference between the Debian 6.1 and 6.12 kernels that tcpark
 * meets lives here; the .c files contain no version #if. Kbuild
 * force-includes this file, so it includes what it needs itself.
 *
 * Differences are detected from the headers' shapes where Debian
 * backports changed signatures inside a stable series (DESIGN.md §9):
 * kmod/Kbuild greps the headers and passes TCPARK_HAVE_* defines. Only
 * where a shape cannot be probed is LINUX_VERSION_CODE used.
 */
#ifndef _TCPARK_COMPAT_H
#define _TCPARK_COMPAT_H

#include <linux/version.h>

#endif /* _TCPARK_COMPAT_H */
