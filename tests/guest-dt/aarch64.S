/* SPDX-License-Identifier: MIT */
/*
 * The DT probe's aarch64 entry: an arm64 Image header (so a VMM places it
 * at RAM + text_offset and hands it the tree in x0), a stack, bss cleared,
 * probe_main(x0). Exits through PSCI over hvc (the tree's psci method).
 */
	.section .text.entry, "ax"
	.globl _start
_start:
	b	1f			/* code0 */
	.long	0			/* code1 */
	.quad	0x80000			/* text_offset */
	.quad	_image_size		/* image_size, bss included */
	.quad	0x2			/* flags: little-endian, 4 KiB pages */
	.quad	0, 0, 0
	.ascii	"ARM\x64"		/* magic */
	.long	0
1:	mov	x19, x0
	adrp	x1, __stack_top
	add	x1, x1, :lo12:__stack_top
	mov	sp, x1
	adrp	x1, __bss_start
	add	x1, x1, :lo12:__bss_start
	adrp	x2, __bss_end
	add	x2, x2, :lo12:__bss_end
2:	cmp	x1, x2
	b.hs	3f
	str	xzr, [x1], #8
	b	2b
3:	mov	x0, x19
	bl	probe_main
4:	wfi
	b	4b

	.text
	.globl probe_arch_poweroff, probe_arch_reboot, probe_arch_crash, probe_arch_info
	.globl probe_arch_ticks, probe_arch_ticks_hz
probe_arch_poweroff:
	movz	x0, #0x0008
	movk	x0, #0x8400, lsl #16	/* PSCI SYSTEM_OFF */
	hvc	#0
	b	.
probe_arch_reboot:
	movz	x0, #0x0009
	movk	x0, #0x8400, lsl #16	/* PSCI SYSTEM_RESET */
	hvc	#0
	b	.
probe_arch_crash:
	mov	x0, #0
	br	x0			/* no memory at 0 */
probe_arch_ticks:
	isb
	mrs	x0, cntvct_el0		/* the generic timer's virtual count */
	ret
probe_arch_ticks_hz:
	mrs	x0, cntfrq_el0
	ret
probe_arch_info:
	mrs	x0, CurrentEL
	lsr	x0, x0, #2
	ret

	.section .rodata
	.globl probe_arch_info_name
probe_arch_info_name:
	.asciz	"el"
