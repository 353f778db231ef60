/* SPDX-License-Identifier: MIT */
/*
 * The kernel command line crosvm assembles (crosvm-arch.md §1.4, §4.5
 * step 19, §5.3 step 4): "panic=-1", the serial console and earlycon,
 * then the user's parameters, joined by single spaces; with a pstore, the
 * ramoops region (§1.5) after them (riscv64: right after panic=-1).
 */
#ifndef LA_CMDLINE_H
#define LA_CMDLINE_H

#include <stddef.h>
#include <stdint.h>

#include "arch.h"
#include "range.h"

struct la_serial_opts {
	unsigned count;    /* COM1..COMcount present */
	unsigned console;  /* COM number that is the console, 0 = none */
	unsigned earlycon; /* COM number with earlycon, 0 = none */
};

/* la_cmdline_build - write the command line for arch into buf (len
 * bytes); extra (may be NULL or empty) is appended as given; ramoops (NULL:
 * none) is the pstore region. max is the arch's limit in characters
 * without the NUL.
 * returns: 0, -LA_ERR_CMDLINE (longer than max or buf), -LA_ERR_CMDLINECHAR */
int la_cmdline_build(enum la_arch_id arch, const struct la_serial_opts *serial,
		     const char *extra, const struct la_range *ramoops, uint64_t max, char *buf,
		     size_t len);

/* la_cmdline_ramoops - "ramoops.mem_address=0x... ramoops.mem_size=0x..."
 * for region r (crosvm's pstore.rs: lower-case hex), into buf (len bytes).
 * returns: 0, -LA_ERR_CMDLINE (buf too small) */
int la_cmdline_ramoops(const struct la_range *r, char *buf, size_t len);

#endif
