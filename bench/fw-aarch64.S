/* SPDX-License-Identifier: MIT */
/*
 * The bench's aarch64 payload: an arm64 Image (header with text_offset
 * 0x80000, so any arm64 VMM places it) whose first instruction asks PSCI
 * for SYSTEM_OFF over hvc. It prints nothing and touches no device, so
 * exec -> exit measures a VMM's own start-up and tear-down.
 */
	.section .text
	.globl _start
_start:
	b	1f			/* code0 */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset */
	.quad	0x1000			/* image_size */
	.quad	0x2			/* flags: little-endian, 4 KiB pages */
	.quad	0, 0, 0
	.ascii	"ARM\x64"		/* magic */
	.long	0
1:	movz	x0, #0x0008
	movk	x0, #0x8400, lsl #16	/* PSCI SYSTEM_OFF */
	hvc	#0
2:	wfi
	b	2b
	.balign	0x1000

	.section .note.GNU-stack, "", @progbits
