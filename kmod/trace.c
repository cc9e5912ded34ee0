// SPDX-License-Identifier: GPL-2.0
/*
 * The tcpark tracepoints' definitions (trace.h; docs/design.md §3a).
 */
#define CREATE_TRACE_POINTS
#include "trace.h"
