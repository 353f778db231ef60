/* SPDX-License-Identifier: MIT */
/* The debug console port (x86_64, §3.6 step 12): bytes written to 0x402
 * go to la-vmrun's --debugcon file; reads give 0xe9 (present). */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/x86_64/x86_64.h"
#include "dev/dev.h"
#include "dev/machine.h"
#include "err.h"
#include "vm/bus.h"

struct la_debugcon {
	int fd; /* -1: none */
};

static void la_debugcon_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	(void)ctx, (void)off;
	memset(data, 0xe9, size);
}

static void la_debugcon_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct la_debugcon *c = ctx;
	ssize_t r;

	(void)off, (void)size;
	if (c->fd < 0)
		return;
	do
		r = write(c->fd, data, 1);
	while (r < 0 && errno == EINTR);
}

static const struct la_bus_ops la_debugcon_ops = { la_debugcon_read, la_debugcon_write };

static int la_debugcon_create(const struct la_dev_inst *d, const struct la_dev_env *env,
			      void **state, const struct la_bus_ops **ops)
{
	struct la_debugcon *c = malloc(sizeof(*c));

	(void)d;
	if (!c)
		return -LA_ERR_NOMEM;
	c->fd = env->debugcon_fd;
	*state = c;
	*ops = &la_debugcon_ops;
	return 0;
}

const struct la_dev_desc la_dev_debugcon = {
	.name = "debugcon", .kind = "debugcon", .what = "debug console port",
	.arch = { [LA_ARCH_X86_64] = { 1, { LA_NEED_FIXED_IO(LA_X86_DEBUGCON_IO, 1, "debugcon") } } },
	.create = la_debugcon_create,
};
