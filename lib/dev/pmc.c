/* SPDX-License-Identifier: MIT */
/* The virtual PMC: s2idle entry and exit, the suspend request and the
 * wake (lib/dev/pmc.h). */
#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "acpi/aml.h"
#include "bytes.h"
#include "dev/pmc.h"
#include "err.h"

void la_pmc_init(struct la_pmc *p, const struct la_machine *m, uint32_t gpe,
		 uint32_t wake_gpe)
{
	pthread_condattr_t ca;

	memset(p, 0, sizeof(*p));
	p->m = m;
	p->gpe = gpe;
	p->wake_gpe = wake_gpe;
	pthread_mutex_init(&p->mu, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&p->cond, &ca);
	pthread_condattr_destroy(&ca);
}

void la_pmc_fini(struct la_pmc *p)
{
	pthread_cond_destroy(&p->cond);
	pthread_mutex_destroy(&p->mu);
}

/* Lower the wake GPE if it is raised (its status bit: the guest never
 * clears it, having no method for it). */
static void la_pmc_unwake(struct la_pmc *p)
{
	bool waking;

	pthread_mutex_lock(&p->mu);
	waking = p->waking;
	p->waking = false;
	pthread_mutex_unlock(&p->mu);
	if (waking && p->m && p->m->gpe_clear)
		p->m->gpe_clear(p->m->vm, p->wake_gpe);
}

static void la_pmc_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	(void)ctx, (void)off;
	memset(data, 0, size);
}

/* Whole registers only: another width or offset is ignored. */
static void la_pmc_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct la_pmc *p = ctx;

	(void)data;
	if (size != 4 || (off != LA_PMC_ENTR && off != LA_PMC_EXIT))
		return;
	if (off == LA_PMC_EXIT)
		la_pmc_unwake(p);
	pthread_mutex_lock(&p->mu);
	if (off == LA_PMC_ENTR)
		p->suspended = true, p->entries++;
	else
		p->suspended = false, p->exits++;
	pthread_cond_broadcast(&p->cond);
	pthread_mutex_unlock(&p->mu);
}

const struct la_bus_ops la_pmc_ops = { la_pmc_read, la_pmc_write };

/* ---- the control side ---- */

/* Wait under p->mu until *count passes before, at most until. returns:
 * whether it did */
static bool la_pmc_wait(struct la_pmc *p, const uint64_t *count, uint64_t before,
			const struct timespec *until)
{
	while (*count == before)
		if (pthread_cond_timedwait(&p->cond, &p->mu, until) == ETIMEDOUT)
			return *count != before;
	return true;
}

static struct timespec la_pmc_deadline(unsigned ms)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	t.tv_sec += ms / 1000;
	t.tv_nsec += (long)(ms % 1000) * 1000000;
	if (t.tv_nsec >= 1000000000)
		t.tv_sec++, t.tv_nsec -= 1000000000;
	return t;
}

/* Raise gpe, then wait for *count to pass its value now. */
static enum la_pmc_result la_pmc_ask(struct la_pmc *p, uint32_t gpe, const uint64_t *count,
				     unsigned timeout_ms)
{
	const struct timespec until = la_pmc_deadline(timeout_ms);
	uint64_t before;
	bool done;

	pthread_mutex_lock(&p->mu);
	before = *count;
	pthread_mutex_unlock(&p->mu);
	if (p->m && p->m->gpe)
		p->m->gpe(p->m->vm, gpe);
	pthread_mutex_lock(&p->mu);
	done = la_pmc_wait(p, count, before, &until);
	pthread_mutex_unlock(&p->mu);
	return done ? LA_PMC_DONE : LA_PMC_TIMEOUT;
}

enum la_pmc_result la_pmc_suspend(struct la_pmc *p, unsigned timeout_ms)
{
	if (la_pmc_suspended(p))
		return LA_PMC_ALREADY;
	la_pmc_unwake(p);
	return la_pmc_ask(p, p->gpe, &p->entries, timeout_ms);
}

enum la_pmc_result la_pmc_resume(struct la_pmc *p, unsigned timeout_ms)
{
	if (!la_pmc_suspended(p))
		return LA_PMC_ALREADY;
	pthread_mutex_lock(&p->mu);
	p->waking = true;
	pthread_mutex_unlock(&p->mu);
	return la_pmc_ask(p, p->wake_gpe, &p->exits, timeout_ms);
}

bool la_pmc_suspended(struct la_pmc *p)
{
	bool s;

	pthread_mutex_lock(&p->mu);
	s = p->suspended;
	pthread_mutex_unlock(&p->mu);
	return s;
}

int la_pmc_uuid(const char *text, uint8_t out[16])
{
	/* where each byte's two digits start, in ToUUID's byte order */
	static const uint8_t at[16] = { 6, 4, 2, 0, 11, 9, 16, 14,
					19, 21, 24, 26, 28, 30, 32, 34 };

	if (strlen(text) != 36 || text[8] != '-' || text[13] != '-' || text[18] != '-' ||
	    text[23] != '-')
		return -LA_ERR_BADVALUE;
	for (unsigned i = 0; i < 16; i++) {
		int hi = la_hexdigit(text[at[i]]), lo = la_hexdigit(text[at[i] + 1]);

		if (hi < 0 || lo < 0)
			return -LA_ERR_BADVALUE;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return 0;
}

/* ---- AML ---- */

#define LA_AML_LEQUAL 0x93
#define LA_AML_RETURN 0xa4
#define LA_AML_BUFFER 0x11
#define LA_AML_STRING 0x0d

/* Buffer(n) { bytes } */
static void la_pmc_aml_buffer(struct la_aml *a, const uint8_t *b, unsigned n)
{
	la_aml_byte(a, LA_AML_BUFFER);
	la_aml_pkg_open(a);
	la_aml_int(a, n);
	la_aml_bytes(a, b, n);
	la_aml_pkg_close(a);
}

/* Return (Buffer(4) { mask }): a _DSM function 0's answer, 4 bytes as
 * Linux reads them (a u32; 0: nothing supported) */
static void la_pmc_aml_return_mask(struct la_aml *a, uint32_t mask)
{
	uint8_t b[4];

	la_put32(b, mask);
	la_aml_byte(a, LA_AML_RETURN);
	la_pmc_aml_buffer(a, b, 4);
}

/* If (LEqual(Arg2, fn)) { Store(One, reg) } */
static void la_pmc_aml_fn_store(struct la_aml *a, unsigned fn, const char *reg)
{
	la_aml_if_open(a);
	la_aml_byte(a, LA_AML_LEQUAL);
	la_aml_byte(a, LA_AML_ARG(2));
	la_aml_int(a, fn);
	la_aml_byte(a, LA_AML_STORE);
	la_aml_int(a, 1);
	la_aml_bytes(a, reg, 4);
	la_aml_pkg_close(a);
}

/* If (LEqual(Arg0, ToUUID(uuid))) { function 0: mask; entry, exit: the
 * registers; else an empty mask } */
static void la_pmc_aml_uuid(struct la_aml *a, const char *uuid, uint32_t mask, unsigned entry,
			    unsigned exit)
{
	uint8_t u[16];

	if (la_pmc_uuid(uuid, u)) {
		a->err = a->err ? a->err : -LA_ERR_INTERNAL;
		return;
	}
	la_aml_if_open(a);
	la_aml_byte(a, LA_AML_LEQUAL);
	la_aml_byte(a, LA_AML_ARG(0));
	la_pmc_aml_buffer(a, u, 16);
	la_aml_if_open(a);               /* If (LEqual(Arg2, Zero)) */
	la_aml_byte(a, LA_AML_LEQUAL);
	la_aml_byte(a, LA_AML_ARG(2));
	la_aml_int(a, 0);
	la_pmc_aml_return_mask(a, mask);
	la_aml_pkg_close(a);
	la_pmc_aml_fn_store(a, entry, "ENTR");
	if (exit)
		la_pmc_aml_fn_store(a, exit, "EXIT");
	la_pmc_aml_return_mask(a, 0);
	la_aml_pkg_close(a);
}

static void la_pmc_aml(struct la_aml *a, const struct la_dev_inst *d)
{
	static const char *const regs[] = { "ENTR", "EXIT" };
	const struct la_grant *io = la_dev_inst_grant(d, LA_RES_IO, 0);
	const struct la_grant *gpe = la_dev_inst_grant(d, LA_RES_GPE, 0);
	const struct la_grant *wake = la_dev_inst_grant(d, LA_RES_GPE, 1);
	char seg[5];

	if (!io || !gpe || !wake) {
		a->err = a->err ? a->err : -LA_ERR_INTERNAL;
		return;
	}
	la_aml_device_open(a, "VPMC");
	la_aml_name(a, "_HID");
	la_aml_byte(a, LA_AML_STRING);
	la_aml_bytes(a, "HYPE0001", 9);
	la_aml_name_eisaid(a, "_CID", "PNP0D80");
	la_aml_opregion_io(a, "VREG", (uint16_t)io->range.start, LA_PMC_IO_LEN);
	la_aml_field_dwords(a, "VREG", regs, 2);
	/* Method(_DSM, 4, Serialized): LPS0 (functions 0, 5, 6), crosvm's
	 * (functions 0, 1: its mask 3) */
	la_aml_method_open(a, "_DSM", 4, 1);
	la_pmc_aml_uuid(a, LA_PMC_UUID_LPS0_MS,
			1u | 1u << LA_PMC_LPS0_ENTRY | 1u << LA_PMC_LPS0_EXIT,
			LA_PMC_LPS0_ENTRY, LA_PMC_LPS0_EXIT);
	la_pmc_aml_uuid(a, LA_PMC_UUID_VIRT_PMC, 3, 1, 0);
	la_pmc_aml_return_mask(a, 0);
	la_aml_pkg_close(a);
	la_aml_pkg_close(a);

	/* Device(SLPB): the sleep button, its wake GPE (S3) */
	la_aml_device_open(a, "SLPB");
	la_aml_name_eisaid(a, "_HID", "PNP0C0E");
	la_aml_name(a, "_PRW");
	la_aml_package_open(a, 2);
	la_aml_int(a, wake->value);
	la_aml_int(a, 3);
	la_aml_pkg_close(a);
	la_aml_pkg_close(a);

	/* Scope(\_GPE) { Method(_Enn) { Notify(\_SB_.SLPB, 0x80) } }: an
	 * edge GPE, as the hot-plug one */
	snprintf(seg, sizeof(seg), "_E%02X", gpe->value & 0xff);
	la_aml_scope_open(a, "\\_GPE");
	la_aml_method_open(a, seg, 0, 0);
	la_aml_byte(a, LA_AML_NOTIFY);
	la_aml_bytes(a, "\\\x2e_SB_SLPB", 10);
	la_aml_int(a, LA_PMC_NOTIFY_SLEEP);
	la_aml_pkg_close(a);
	la_aml_pkg_close(a);
}

/* ---- the running device ---- */

static int la_pmc_create(const struct la_dev_inst *d, const struct la_dev_env *env,
			 void **state, const struct la_bus_ops **ops)
{
	const struct la_grant *gpe = la_dev_inst_grant(d, LA_RES_GPE, 0);
	const struct la_grant *wake = la_dev_inst_grant(d, LA_RES_GPE, 1);
	struct la_pmc *p;

	if (!gpe || !wake)
		return -LA_ERR_INTERNAL;
	p = malloc(sizeof(*p));
	if (!p)
		return -LA_ERR_NOMEM;
	la_pmc_init(p, env->m, gpe->value, wake->value);
	*state = p;
	*ops = &la_pmc_ops;
	return 0;
}

static void la_pmc_destroy(void *state)
{
	la_pmc_fini(state);
	free(state);
}

/* Only la-vmrun --control adds it (after the hot-plug controller, whose
 * GPE stays the first). */
const struct la_dev_desc la_dev_vpmc = {
	.name = "vpmc", .kind = "vpmc",
	.what = "virtual PMC: s2idle entry/exit, sleep button (suspend, wake)",
	.arch = {
		[LA_ARCH_X86_64] = { 3, {
			{ .kind = LA_RES_IO, .how = LA_NEED_IO, .role = "io",
			  .size = LA_PMC_IO_LEN, .align = LA_PMC_IO_LEN,
			  .tag = "virtual PMC registers" },
			{ .kind = LA_RES_GPE, .how = LA_NEED_GPE, .role = "gpe",
			  .tag = "sleep button: suspend request" },
			{ .kind = LA_RES_GPE, .how = LA_NEED_GPE, .role = "wake",
			  .tag = "sleep button: wake (_PRW)" },
		} },
	},
	.aml = la_pmc_aml,
	.create = la_pmc_create,
	.destroy = la_pmc_destroy,
};
