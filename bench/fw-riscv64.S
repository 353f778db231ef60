/* SPDX-License-Identifier: MIT */
/*
 * The bench's riscv64 payload: raw code for RAM + 2 MiB (0x80200000, where
 * riscv64 VMMs put an Image) that asks SBI's system reset extension (SRST)
 * to shut down. It prints nothing and touches no device, so exec -> exit
 * measures a VMM's own start-up and tear-down.
 */
	.section .text
	.globl _start
_start:
	li	a0, 0			/* shutdown */
	li	a1, 0			/* no reason */
	li	a6, 0			/* sbi_system_reset */
	li	a7, 0x53525354		/* "SRST" */
	ecall
1:	wfi
	j	1b

	.section .note.GNU-stack, "", @progbits
