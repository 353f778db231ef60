/* SPDX-License-Identifier: MIT */
/*
 * POST codes (x86_64, port 0x80): firmware writes its progress there;
 * la-vmrun --boot-timing notes each code. Not a crosvm device: la's own,
 * so boot steps can be timed.
 */
#include <stdlib.h>
#include <string.h>

#include "arch/x86_64/x86_64.h"
#include "dev/dev.h"
#include "dev/machine.h"
#include "err.h"
#include "vm/bus.h"

struct la_post {
	const struct la_machine *m;
	uint8_t code;  /* the last one written */
};

static void la_post_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	struct la_post *p = ctx;

	(void)off;
	memset(data, p->code, size);
}

static void la_post_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct la_post *p = ctx;

	(void)off, (void)size;
	p->code = data[0];
	if (p->m->note)
		p->m->note(p->m->vm, LA_NOTE_POST, data[0]);
}

static const struct la_bus_ops la_post_ops = { la_post_read, la_post_write };

static int la_post_create(const struct la_dev_inst *d, const struct la_dev_env *env,
			  void **state, const struct la_bus_ops **ops)
{
	struct la_post *p = calloc(1, sizeof(*p));

	(void)d;
	if (!p)
		return -LA_ERR_NOMEM;
	p->m = env->m;
	*state = p;
	*ops = &la_post_ops;
	return 0;
}

const struct la_dev_desc la_dev_post = {
	.name = "post", .kind = "post", .what = "POST code port (la-vmrun --boot-timing)",
	.arch = { [LA_ARCH_X86_64] = { 1, { LA_NEED_FIXED_IO(LA_X86_POST_IO, 1, "POST codes (--boot-timing)") } } },
	.create = la_post_create,
};
