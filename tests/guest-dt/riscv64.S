/* SPDX-License-Identifier: MIT */
/*
 * The DT probe's riscv64 entry: loaded raw at 0x80200000, started with the
 * hart id in a0 and the tree in a1; a stack, bss cleared, probe_main(a1).
 * Exits through the SBI system reset extension (SRST).
 */
	.section .text.entry, "ax"
	.globl _start
_start:
	mv	s0, a0
	mv	s1, a1
	la	sp, __stack_top
	la	t0, __bss_start
	la	t1, __bss_end
1:	bgeu	t0, t1, 2f
	sd	zero, 0(t0)
	addi	t0, t0, 8
	j	1b
2:	la	t0, probe_hart
	sd	s0, 0(t0)
	mv	a0, s1
	call	probe_main
3:	wfi
	j	3b

	.text
	.globl probe_arch_poweroff, probe_arch_reboot, probe_arch_crash, probe_arch_info
	.globl probe_arch_ticks, probe_arch_ticks_hz
probe_arch_poweroff:
	li	a0, 0			/* shutdown */
	j	srst
probe_arch_reboot:
	li	a0, 1			/* cold reboot */
srst:
	li	a1, 0
	li	a6, 0			/* sbi_system_reset */
	li	a7, 0x53525354		/* "SRST" */
	ecall
	j	.
probe_arch_crash:
	li	t0, 0
	jr	t0			/* no memory at 0 */
probe_arch_ticks:
	rdtime	a0
	ret
probe_arch_ticks_hz:
	li	a0, 0			/* the timebase is in the tree: not known here */
	ret
probe_arch_info:
	la	t0, probe_hart
	ld	a0, 0(t0)
	ret

	.section .rodata
	.globl probe_arch_info_name
probe_arch_info_name:
	.asciz	"hart"

	.bss
	.balign 8
probe_hart:
	.quad	0
