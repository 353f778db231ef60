/* SPDX-License-Identifier: MIT */
/*
 * The bench's firmware: 64 KiB (QEMU wants BIOS images in 64 KiB units)
 * mapped so that its last 16 bytes hold the reset vector (CS base 0xffff0000,
 * IP 0xfff0). It writes 0x2a to port 0xf4 (QEMU's isa-debug-exit: QEMU exits
 * with status 0x2a << 1 | 1 = 85) and then resets through the i8042 (0xfe to
 * port 0x64), which ends la-vmrun with status 32. So it measures a VMM's own
 * start-up and tear-down and nothing of any guest.
 */
	.code16
	.section .text
	.org 0xfff0
reset:
	movb $0x2a, %al
	outb %al, $0xf4
	movb $0xfe, %al
	outb %al, $0x64
1:	hlt
	jmp 1b
	.org 0x10000

	.section .note.GNU-stack, "", @progbits
