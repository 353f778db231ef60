/* SPDX-License-Identifier: MIT */
/* Unit tests of the virtual PMC (lib/dev/pmc.c): its registers (which
 * writes are an s2idle entry or exit), suspend and resume against a fake
 * guest (the GPEs raised and cleared, the waits, the refusals), ToUUID's
 * byte order, and its DSDT part. No KVM. */
#include <pthread.h>
#include <stdint.h>
#include <string.h>

#include "acpi/aml.h"
#include "dev/pmc.h"
#include "t.h"

/* A fake guest: what the machine was asked, and how it answers a GPE
 * (from its own thread, as a vCPU would). */
struct fake_vm {
	struct la_pmc *p;
	unsigned raised[8], nraised, cleared[8], ncleared;
	bool answer;            /* write ENTR (EXIT) on the request (wake) GPE */
	pthread_t t;
	bool started;
	uint64_t answer_off;
};

static void *fake_guest(void *arg)
{
	struct fake_vm *f = arg;
	uint8_t one[4] = { 1, 0, 0, 0 };

	la_pmc_ops.write(f->p, f->answer_off, one, 4);
	return NULL;
}

static void fake_gpe(void *vm, unsigned gpe)
{
	struct fake_vm *f = vm;

	if (f->nraised < 8)
		f->raised[f->nraised++] = gpe;
	if (!f->answer)
		return;
	f->answer_off = gpe == f->p->gpe ? LA_PMC_ENTR : LA_PMC_EXIT;
	f->started = pthread_create(&f->t, NULL, fake_guest, f) == 0;
}

static void fake_gpe_clear(void *vm, unsigned gpe)
{
	struct fake_vm *f = vm;

	if (f->ncleared < 8)
		f->cleared[f->ncleared++] = gpe;
}

static void fake_join(struct fake_vm *f)
{
	if (f->started)
		pthread_join(f->t, NULL);
	f->started = false;
}

static void test_registers(void)
{
	struct fake_vm vm = { 0 };
	struct la_machine m = { .vm = &vm, .gpe = fake_gpe, .gpe_clear = fake_gpe_clear };
	struct la_pmc p;
	uint8_t one[4] = { 1, 0, 0, 0 }, b[4] = { 0xaa, 0xaa, 0xaa, 0xaa };

	la_pmc_init(&p, &m, 3, 4);
	vm.p = &p;
	/* reads give 0 */
	la_pmc_ops.read(&p, LA_PMC_ENTR, b, 4);
	T_EQ_U64(b[0] | b[1] | b[2] | b[3], 0);
	/* not a whole register, or a reserved one: ignored */
	la_pmc_ops.write(&p, LA_PMC_ENTR, one, 2);
	la_pmc_ops.write(&p, LA_PMC_ENTR, one, 1);
	la_pmc_ops.write(&p, 8, one, 4);
	la_pmc_ops.write(&p, 12, one, 4);
	la_pmc_ops.write(&p, 2, one, 4);
	T_CHECK(!la_pmc_suspended(&p) && p.entries == 0 && p.exits == 0);
	/* an entry (any value, as crosvm's register), then an exit */
	la_pmc_ops.write(&p, LA_PMC_ENTR, (uint8_t[4]){ 0 }, 4);
	T_CHECK(la_pmc_suspended(&p) && p.entries == 1);
	la_pmc_ops.write(&p, LA_PMC_EXIT, one, 4);
	T_CHECK(!la_pmc_suspended(&p) && p.exits == 1);
	/* no wake was raised: nothing to clear */
	T_EQ_U64(vm.ncleared, 0);
	T_EQ_U64(vm.nraised, 0);
	/* a guest may write them in any order, any number of times */
	la_pmc_ops.write(&p, LA_PMC_EXIT, one, 4);
	T_CHECK(!la_pmc_suspended(&p) && p.exits == 2);
	la_pmc_fini(&p);
}

static void test_suspend_resume(void)
{
	struct fake_vm vm = { .answer = true };
	struct la_machine m = { .vm = &vm, .gpe = fake_gpe, .gpe_clear = fake_gpe_clear };
	struct la_pmc p;

	la_pmc_init(&p, &m, 3, 4);
	vm.p = &p;
	T_CHECK(la_pmc_resume(&p, 1000) == LA_PMC_ALREADY);   /* not suspended */
	T_EQ_U64(vm.nraised, 0);
	/* suspend: the request GPE; the guest enters */
	T_CHECK(la_pmc_suspend(&p, 10000) == LA_PMC_DONE);
	fake_join(&vm);
	T_CHECK(la_pmc_suspended(&p));
	T_EQ_U64(vm.nraised, 1);
	T_EQ_U64(vm.raised[0], 3);
	T_CHECK(la_pmc_suspend(&p, 1000) == LA_PMC_ALREADY);
	T_EQ_U64(vm.nraised, 1);
	/* resume: the wake GPE; the guest's exit clears it */
	T_CHECK(la_pmc_resume(&p, 10000) == LA_PMC_DONE);
	fake_join(&vm);
	T_CHECK(!la_pmc_suspended(&p));
	T_EQ_U64(vm.nraised, 2);
	T_EQ_U64(vm.raised[1], 4);
	T_EQ_U64(vm.ncleared, 1);
	T_EQ_U64(vm.cleared[0], 4);

	/* a guest that does not answer: timeouts, and the wake a timed-out
	 * resume left raised is cleared by the next suspend */
	vm.answer = false;
	T_CHECK(la_pmc_suspend(&p, 20) == LA_PMC_TIMEOUT);
	T_CHECK(!la_pmc_suspended(&p));
	la_pmc_ops.write(&p, LA_PMC_ENTR, (uint8_t[4]){ 1 }, 4); /* it did, later */
	T_CHECK(la_pmc_resume(&p, 20) == LA_PMC_TIMEOUT);
	T_CHECK(la_pmc_suspended(&p));
	T_EQ_U64(vm.ncleared, 1);
	la_pmc_ops.write(&p, LA_PMC_EXIT, (uint8_t[4]){ 1 }, 4); /* woke later */
	T_EQ_U64(vm.ncleared, 2);
	T_EQ_U64(vm.cleared[1], 4);
	T_CHECK(la_pmc_suspend(&p, 20) == LA_PMC_TIMEOUT);
	T_EQ_U64(vm.ncleared, 2);                             /* nothing raised */
	T_EQ_U64(vm.nraised, 5);
	la_pmc_fini(&p);
}

static void test_uuid(void)
{
	static const uint8_t ms[16] = { 0x56, 0x0d, 0xe0, 0x11, 0x64, 0xce, 0xce, 0x47,
					0x83, 0x7b, 0x1f, 0x89, 0x8f, 0x9a, 0xa4, 0x61 };
	uint8_t u[16];

	T_CHECK(la_pmc_uuid(LA_PMC_UUID_LPS0_MS, u) == 0);
	T_CHECK(!memcmp(u, ms, 16));
	T_CHECK(la_pmc_uuid("9EA49BA3-434A-49A6-BE30-37CC55C4D397", u) == 0);
	T_EQ_U64(u[0], 0xa3);
	T_EQ_U64(u[15], 0x97);
	T_CHECK(la_pmc_uuid("11e00d56ce64-47ce-837b-1f898f9aa461", u) < 0);
	T_CHECK(la_pmc_uuid("11e00d56-ce64-47ce-837b-1f898f9aa46g", u) < 0);
	T_CHECK(la_pmc_uuid("11e00d56-ce64-47ce-837b_1f898f9aa461", u) < 0);
	T_CHECK(la_pmc_uuid("", u) < 0);
}

static bool has(const uint8_t *buf, size_t len, const void *what, size_t n)
{
	for (size_t i = 0; i + n <= len; i++)
		if (!memcmp(buf + i, what, n))
			return true;
	return false;
}

static void test_aml(void)
{
	static uint8_t buf[1024];
	struct la_aml a = { .buf = buf, .cap = sizeof(buf) };
	struct la_dev_inst d = { .desc = &la_dev_vpmc, .n = 3 };
	uint8_t uuid[16];

	d.g[0] = (struct la_grant){ .kind = LA_RES_IO, .range = { 0xc080, 0xc08f } };
	d.g[1] = (struct la_grant){ .kind = LA_RES_GPE, .value = 0x1a };
	d.g[2] = (struct la_grant){ .kind = LA_RES_GPE, .value = 0x1b };
	la_dev_vpmc.aml(&a, &d);
	T_EQ_U64(a.err, 0);
	T_EQ_U64(a.depth, 0);
	T_CHECK(has(buf, a.len, "VPMC", 4) && has(buf, a.len, "_DSM", 4));
	T_CHECK(has(buf, a.len, "\x0dHYPE0001", 10));
	/* OperationRegion(VREG, SystemIO, 0xc080, 16) */
	T_CHECK(has(buf, a.len, "\x5b\x80VREG\x01\x0b\x80\xc0\x0a\x10", 12));
	T_CHECK(la_pmc_uuid(LA_PMC_UUID_LPS0_MS, uuid) == 0 && has(buf, a.len, uuid, 16));
	T_CHECK(la_pmc_uuid(LA_PMC_UUID_VIRT_PMC, uuid) == 0 && has(buf, a.len, uuid, 16));
	/* Return (Buffer(4) { 0x61 }): functions 0, 5 and 6 */
	T_CHECK(has(buf, a.len, "\xa4\x11\x07\x0a\x04\x61\x00\x00\x00", 9));
	/* the sleep button's _PRW: Package(2) { 0x1b, 3 } */
	T_CHECK(has(buf, a.len, "_PRW\x12\x06\x02\x0a\x1b\x0a\x03", 11));
	/* the request GPE's method: Notify(\_SB_.SLPB, 0x80) */
	T_CHECK(has(buf, a.len, "_E1A", 4));
	T_CHECK(has(buf, a.len, "\x86\\\x2e_SB_SLPB\x0a\x80", 13));
	/* without its grants: an error, not a guess */
	a = (struct la_aml){ .buf = buf, .cap = sizeof(buf) };
	d.n = 1;
	d.g[1].kind = d.g[2].kind = LA_RES_IO;
	la_dev_vpmc.aml(&a, &d);
	T_CHECK(a.err < 0);
}

int main(void)
{
	test_registers();
	test_suspend_resume();
	test_uuid();
	test_aml();
	return T_DONE();
}
