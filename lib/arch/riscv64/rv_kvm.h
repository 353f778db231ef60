/* SPDX-License-Identifier: MIT */
/*
 * The pure half of riscv64's hypervisor half (lib/arch/riscv64/kvm.c),
 * for its unit test: what an SBI call KVM hands to the VMM asks for, and
 * the attributes la-vmrun gives KVM's AIA device. Runs on any host.
 */
#ifndef LA_ARCH_RISCV64_RV_KVM_H
#define LA_ARCH_RISCV64_RV_KVM_H

#include <stdint.h>

/* SBI extension ids (the SBI specification, v2.0) */
#define LA_SBI_EXT_0_1_CONSOLE_PUTCHAR 0x1
#define LA_SBI_EXT_0_1_CONSOLE_GETCHAR 0x2
#define LA_SBI_EXT_0_1_SHUTDOWN 0x8
#define LA_SBI_EXT_SRST 0x53525354        /* "SRST" */
#define LA_SBI_EXT_DBCN 0x4442434e        /* "DBCN" */
#define LA_SBI_SRST_RESET 0
#define LA_SBI_SRST_SHUTDOWN 0
#define LA_SBI_SRST_COLD_REBOOT 1
#define LA_SBI_SRST_WARM_REBOOT 2
#define LA_SBI_DBCN_WRITE 0
#define LA_SBI_DBCN_READ 1
#define LA_SBI_DBCN_WRITE_BYTE 2
#define LA_SBI_SUCCESS 0
#define LA_SBI_ERR_NOT_SUPPORTED (-2)
#define LA_SBI_ERR_INVALID_PARAM (-3)
/* the most bytes one debug-console write passes on (Linux writes its
 * buffer in pieces and retries the rest) */
#define LA_SBI_DBCN_MAX 4096

struct la_rv_sbi_call {
	uint64_t eid, fid, args[6];
};

enum la_rv_sbi_do {
	LA_RV_SBI_ANSWER,      /* only ret: err, value */
	LA_RV_SBI_WRITE,       /* console: len bytes at gpa; ret value = len */
	LA_RV_SBI_WRITE_BYTE,  /* console: byte */
	LA_RV_SBI_POWEROFF,
	LA_RV_SBI_RESET,
};

struct la_rv_sbi_action {
	enum la_rv_sbi_do what;
	uint64_t gpa, len;
	uint8_t byte;
	int64_t err;           /* the SBI error, ret[0] */
	uint64_t value;        /* ret[1] */
};

/* la_rv_sbi_decide - what call c asks of the VMM: SRST (shutdown; cold or
 * warm reboot), DBCN (write, write_byte; read: no input, 0 bytes), the
 * legacy console putchar/getchar and shutdown; anything else, and bad
 * arguments, is answered with an SBI error. */
void la_rv_sbi_decide(const struct la_rv_sbi_call *c, struct la_rv_sbi_action *a);

/* One KVM_SET_DEVICE_ATTR on KVM's AIA device. */
struct la_rv_aia_attr {
	uint32_t group;
	uint64_t attr;
	uint64_t value;
	const char *what;   /* static text, for the error */
};

#define LA_RV_AIA_MAX_ATTRS (4 + 1 + 256)

/* la_rv_aia_plan - the attributes for ncpus harts (1..256): ids and
 * sources, hart index bits, the APLIC after the IMSICs and each hart's
 * IMSIC page, at the tree's addresses (lib/arch/riscv64/riscv64.h).
 * returns: the number written to out (max at least LA_RV_AIA_MAX_ATTRS),
 * 0 if ncpus is out of range */
unsigned la_rv_aia_plan(unsigned ncpus, uint32_t ids, uint32_t sources,
			struct la_rv_aia_attr *out, unsigned max);

#endif
