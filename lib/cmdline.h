/* SPDX-License-Identifier: MIT */
/*
 * The kernel command line crosvm assembles (crosvm-arch.md §1.4, §4.5
 * step 19, §5.3 step 4): "panic=-1", the serial console and earlycon,
 * then the user's parameters, joined by single spaces.
 */
#ifndef LA_CMDLINE_H
#define LA_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"

struct la_serial_opts {
	unsigned count;    /* COM1..COMcount present */
	unsigned console;  /* COM number that is the console, 0 = none */
	unsigned earlycon; /* COM number with earlycon, 0 = none */
};

/* la_cmdline_build - write the command line for arch into buf (len
 * bytes); extra (may be NULL or empty) is appended as given. max is the
 * arch's limit in characters without the NUL.
 * returns: 0, -LA_ERR_CMDLINE (longer than max or buf), -LA_ERR_CMDLINECHAR */
int la_cmdline_build(enum la_arch_id arch, const struct la_serial_opts *serial,
		     const char *extra, uint64_t max, char *buf, size_t len);

#endif
