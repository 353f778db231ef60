/* SPDX-License-Identifier: MIT */
/* Kernel command line assembly; see cmdline.h. */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include "cmdline.h"
#include "err.h"
#include "fdt/fdt.h"

/* Append one space-separated token; returns -LA_ERR_CMDLINE on overflow. */
static int la_cmdline_add(char *buf, size_t len, size_t *at, const char *fmt, ...)
{
	va_list ap;
	int n;

	if (*at && *at + 1 < len)
		buf[(*at)++] = ' ';
	va_start(ap, fmt);
	n = vsnprintf(buf + *at, len > *at ? len - *at : 0, fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= len - *at)
		return -LA_ERR_CMDLINE;
	*at += (size_t)n;
	return 0;
}

int la_cmdline_ramoops(const struct la_range *r, char *buf, size_t len)
{
	int n = snprintf(buf, len, "ramoops.mem_address=0x%llx ramoops.mem_size=0x%llx",
			 (unsigned long long)r->start, (unsigned long long)la_range_len(*r));

	return n < 0 || (size_t)n >= len ? -LA_ERR_CMDLINE : 0;
}

int la_cmdline_build(enum la_arch_id arch, const struct la_serial_opts *serial,
		     const char *extra, const struct la_range *ramoops, uint64_t max, char *buf,
		     size_t len)
{
	char rams[96] = "";
	const char *io = arch == LA_ARCH_X86_64 ? "io" : "mmio";
	size_t at = 0;
	int err = 0;

	if (len == 0)
		return -LA_ERR_CMDLINE;
	buf[0] = 0;
	for (const char *p = extra ? extra : ""; *p; p++)
		if (*p < 0x20 || *p > 0x7e)
			return -LA_ERR_CMDLINECHAR;
	if (ramoops)
		err |= la_cmdline_ramoops(ramoops, rams, sizeof(rams));
	err |= la_cmdline_add(buf, len, &at, "panic=-1");
	/* riscv64's build_vm puts ramoops first (§5.3 step 4), the others
	 * after the user's parameters */
	if (ramoops && arch == LA_ARCH_RISCV64)
		err |= la_cmdline_add(buf, len, &at, "%s", rams);
	if (serial->console)
		err |= la_cmdline_add(buf, len, &at, "console=ttyS%u", serial->console - 1);
	/* earlycon on a port that does not exist is skipped, as in crosvm */
	if (serial->earlycon && serial->earlycon <= serial->count)
		err |= la_cmdline_add(buf, len, &at, "earlycon=uart8250,%s,0x%llx", io,
				      (unsigned long long)la_serial_addr[serial->earlycon - 1]);
	if (extra && *extra)
		err |= la_cmdline_add(buf, len, &at, "%s", extra);
	if (ramoops && arch != LA_ARCH_RISCV64)
		err |= la_cmdline_add(buf, len, &at, "%s", rams);
	if (err || at > max)
		return -LA_ERR_CMDLINE;
	return 0;
}
