/* SPDX-License-Identifier: MIT */
/* riscv64's hypervisor half, its pure part (lib/arch/riscv64/rv_kvm.h):
 * what each SBI call KVM hands to the VMM asks for, and the attributes
 * KVM's AIA device is given (the in-kernel AIA runs nowhere here: the
 * emulated host's KVM has none). */
#include "arch/riscv64/kvm_uapi.h"
#include "arch/riscv64/riscv64.h"
#include "arch/riscv64/rv_kvm.h"
#include "t.h"

static struct la_rv_sbi_action decide(uint64_t eid, uint64_t fid, uint64_t a0, uint64_t a1,
				      uint64_t a2)
{
	struct la_rv_sbi_call c = { .eid = eid, .fid = fid, .args = { a0, a1, a2 } };
	struct la_rv_sbi_action a;

	la_rv_sbi_decide(&c, &a);
	return a;
}

static void test_srst(void)
{
	struct la_rv_sbi_action a;

	a = decide(LA_SBI_EXT_SRST, LA_SBI_SRST_RESET, LA_SBI_SRST_SHUTDOWN, 0, 0);
	T_CHECK(a.what == LA_RV_SBI_POWEROFF);
	a = decide(LA_SBI_EXT_SRST, LA_SBI_SRST_RESET, LA_SBI_SRST_COLD_REBOOT, 0, 0);
	T_CHECK(a.what == LA_RV_SBI_RESET);
	a = decide(LA_SBI_EXT_SRST, LA_SBI_SRST_RESET, LA_SBI_SRST_WARM_REBOOT, 0, 0);
	T_CHECK(a.what == LA_RV_SBI_RESET);
	/* reserved reset types and other functions: an error, no fate */
	a = decide(LA_SBI_EXT_SRST, LA_SBI_SRST_RESET, 3, 0, 0);
	T_CHECK(a.what == LA_RV_SBI_ANSWER && a.err == LA_SBI_ERR_INVALID_PARAM);
	a = decide(LA_SBI_EXT_SRST, LA_SBI_SRST_RESET, 0xf0000000, 0, 0);
	T_CHECK(a.what == LA_RV_SBI_ANSWER && a.err == LA_SBI_ERR_INVALID_PARAM);
	a = decide(LA_SBI_EXT_SRST, LA_SBI_SRST_RESET, 1ULL << 32, 0, 0);
	T_CHECK(a.what == LA_RV_SBI_ANSWER && a.err == LA_SBI_ERR_NOT_SUPPORTED);
	a = decide(LA_SBI_EXT_SRST, 1, 0, 0, 0);
	T_CHECK(a.what == LA_RV_SBI_ANSWER && a.err == LA_SBI_ERR_NOT_SUPPORTED);
	/* the legacy shutdown */
	a = decide(LA_SBI_EXT_0_1_SHUTDOWN, 0, 0, 0, 0);
	T_CHECK(a.what == LA_RV_SBI_POWEROFF);
}

static void test_dbcn(void)
{
	struct la_rv_sbi_action a;

	a = decide(LA_SBI_EXT_DBCN, LA_SBI_DBCN_WRITE, 12, 0x80001000, 0);
	T_CHECK(a.what == LA_RV_SBI_WRITE && a.err == 0);
	T_EQ_U64(a.gpa, 0x80001000);
	T_EQ_U64(a.len, 12);
	T_EQ_U64(a.value, 12);
	/* a long write is cut; the guest writes the rest again */
	a = decide(LA_SBI_EXT_DBCN, LA_SBI_DBCN_WRITE, 1 << 20, 0x80001000, 0);
	T_EQ_U64(a.len, LA_SBI_DBCN_MAX);
	T_EQ_U64(a.value, LA_SBI_DBCN_MAX);
	/* base_hi set, or a buffer wrapping around the address space */
	a = decide(LA_SBI_EXT_DBCN, LA_SBI_DBCN_WRITE, 4, 0x80001000, 1);
	T_CHECK(a.what == LA_RV_SBI_ANSWER && a.err == LA_SBI_ERR_INVALID_PARAM);
	a = decide(LA_SBI_EXT_DBCN, LA_SBI_DBCN_WRITE, 16, UINT64_MAX - 4, 0);
	T_CHECK(a.what == LA_RV_SBI_ANSWER && a.err == LA_SBI_ERR_INVALID_PARAM);
	a = decide(LA_SBI_EXT_DBCN, LA_SBI_DBCN_WRITE, 0, 0, 0);
	T_CHECK(a.what == LA_RV_SBI_WRITE && a.len == 0 && a.err == 0);
	a = decide(LA_SBI_EXT_DBCN, LA_SBI_DBCN_WRITE_BYTE, 0x141, 0, 0);
	T_CHECK(a.what == LA_RV_SBI_WRITE_BYTE && a.byte == 0x41 && a.err == 0);
	/* read: no input, 0 bytes */
	a = decide(LA_SBI_EXT_DBCN, LA_SBI_DBCN_READ, 16, 0x80001000, 0);
	T_CHECK(a.what == LA_RV_SBI_ANSWER && a.err == 0 && a.value == 0);
	a = decide(LA_SBI_EXT_DBCN, 3, 0, 0, 0);
	T_CHECK(a.what == LA_RV_SBI_ANSWER && a.err == LA_SBI_ERR_NOT_SUPPORTED);
	/* legacy console */
	a = decide(LA_SBI_EXT_0_1_CONSOLE_PUTCHAR, 0, 'x', 0, 0);
	T_CHECK(a.what == LA_RV_SBI_WRITE_BYTE && a.byte == 'x');
	a = decide(LA_SBI_EXT_0_1_CONSOLE_GETCHAR, 0, 0, 0, 0);
	T_CHECK(a.what == LA_RV_SBI_ANSWER && a.err == -1);
}

static void test_other(void)
{
	static const uint64_t eids[] = { 0x10, 0x48534d, 0x735049, 0x52464e43, 0x504d55,
					 0x4e41434c, 0xffffffff, 0 };

	for (unsigned i = 0; i < sizeof(eids) / sizeof(eids[0]); i++) {
		struct la_rv_sbi_action a = decide(eids[i], 0, 0, 0, 0);

		T_CHECK(a.what == LA_RV_SBI_ANSWER && a.err == LA_SBI_ERR_NOT_SUPPORTED);
	}
}

static void test_aia(void)
{
	struct la_rv_aia_attr p[LA_RV_AIA_MAX_ATTRS];
	unsigned n;

	T_EQ_U64(la_rv_aia_plan(0, 255, 1023, p, LA_RV_AIA_MAX_ATTRS), 0);
	T_EQ_U64(la_rv_aia_plan(257, 255, 1023, p, LA_RV_AIA_MAX_ATTRS), 0);
	T_EQ_U64(la_rv_aia_plan(3, 255, 1023, p, 6), 0); /* no room */
	n = la_rv_aia_plan(3, 255, 1023, p, LA_RV_AIA_MAX_ATTRS);
	T_EQ_U64(n, 7);
	T_CHECK(p[0].group == KVM_DEV_RISCV_AIA_GRP_CONFIG &&
		p[0].attr == KVM_DEV_RISCV_AIA_CONFIG_IDS && p[0].value == 255);
	T_CHECK(p[1].attr == KVM_DEV_RISCV_AIA_CONFIG_SRCS && p[1].value == 1023);
	T_CHECK(p[2].attr == KVM_DEV_RISCV_AIA_CONFIG_HART_BITS && p[2].value == 2);
	/* the APLIC after the IMSICs, as the tree's aplic@0x8003000 */
	T_CHECK(p[3].group == KVM_DEV_RISCV_AIA_GRP_ADDR && p[3].attr == 0);
	T_EQ_U64(p[3].value, 0x8003000);
	T_CHECK(p[4].attr == 1 && p[5].attr == 2 && p[6].attr == 3);
	T_EQ_U64(p[4].value, 0x8000000);
	T_EQ_U64(p[6].value, 0x8002000);
	n = la_rv_aia_plan(1, 63, 96, p, LA_RV_AIA_MAX_ATTRS);
	T_EQ_U64(n, 5);
	T_EQ_U64(p[2].value, 0); /* one hart: no index bits */
	T_EQ_U64(p[3].value, 0x8001000);
	n = la_rv_aia_plan(256, 255, 1023, p, LA_RV_AIA_MAX_ATTRS);
	T_EQ_U64(n, 260);
	T_EQ_U64(p[2].value, 8);
	T_EQ_U64(p[259].value, LA_RV_AIA_IMSIC_BASE + 255 * LA_RV_AIA_IMSIC_PER_HART);
	T_EQ_U64(KVM_DEV_TYPE_RISCV_AIA, 11);
}

int main(void)
{
	test_srst();
	test_dbcn();
	test_other();
	test_aia();
	return T_DONE();
}
