/* SPDX-License-Identifier: MIT */
/*
 * The i8042's reset line (x86_64, §3.6 step 9): ports 0x62-0x64, since
 * KVM's in-kernel PIT owns port 0x61. Reads say "nothing to read, ready
 * for input"; command 0xfe (at +2, port 0x64) pulses the reset line.
 */
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/x86_64.h"
#include "dev/dev.h"
#include "dev/machine.h"
#include "err.h"
#include "vm/bus.h"

static void la_i8042_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	(void)ctx, (void)off;
	memset(data, 0, size);
}

static void la_i8042_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	const struct la_machine *m = ctx;

	if (off == 2 && size >= 1 && data[0] == 0xfe)
		m->request_exit(m->vm, LA_FATE_RESET, "i8042 reset");
}

static const struct la_bus_ops la_i8042_ops = { la_i8042_read, la_i8042_write };

/* The state is the machine it resets. */
static int la_i8042_create(const struct la_dev_inst *d, const struct la_dev_env *env,
			   void **state, const struct la_bus_ops **ops)
{
	(void)d;
	*state = (void *)env->m;
	*ops = &la_i8042_ops;
	return 0;
}

static void la_i8042_destroy(void *state)
{
	(void)state;
}

const struct la_dev_desc la_dev_i8042 = {
	.name = "i8042", .kind = "i8042", .what = "i8042 reset port (KVM's PIT owns port 0x61)",
	.arch = { [LA_ARCH_X86_64] = { 1, { LA_NEED_FIXED_IO(LA_X86_I8042_IO, 3, "i8042") } } },
	.create = la_i8042_create,
	.destroy = la_i8042_destroy,
};
