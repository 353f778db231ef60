/* SPDX-License-Identifier: MIT */
/* la-probe-dt-report FILE: the DT probe's report over a blob on the host,
 * the lines the guest prints about the same tree (tests/guest-dt). */
#include <stdio.h>
#include <stdlib.h>

#include "probe_dt.h"

static void host_putc(void *ctx, char c)
{
	fputc(c, ctx);
}

int main(int argc, char **argv)
{
	static uint8_t buf[1 << 21];
	struct probe_dt p = { .putc = host_putc, .ctx = stdout };
	size_t n;
	FILE *f;

	if (argc != 2) {
		fprintf(stderr, "usage: la-probe-dt-report FILE.dtb\n");
		return 2;
	}
	f = fopen(argv[1], "rb");
	if (!f) {
		perror(argv[1]);
		return 1;
	}
	n = fread(buf, 1, sizeof(buf), f);
	fclose(f);
	probe_dt_report(&p, buf, n);
	return p.errors ? 1 : 0;
}
