/* SPDX-License-Identifier: MIT */
/*
 * The pflash probe: a 64 KiB firmware (la-vmrun --bios) for a VM with a
 * 64 KiB --pflash image, which crosvm's build_vm puts below the BIOS:
 * 0xfffe0000-0xfffeffff. From the reset vector it enters flat 32-bit
 * protected mode and reports on COM1, one "pflash: ..." line per step:
 *   before HEX       the 4 bytes at image offset 0x1000 as it finds them
 * If they are "LAPF" (a run before programmed them): "marker found", end.
 * Else, as firmware writing its variables would:
 *   cfi QRY          the CFI query's bytes 0x10-0x12 (command 0x98)
 *   erase status HEX block erase of 0x1000-0x1fff (0x20, then 0xd0), then
 *                    the status register (0x70)
 *   erased HEX HEX   the block's first 4 and last byte read back
 *   program status HEX  "LAPF" programmed at 0x1000, one byte each (0x40,
 *                    then the byte), then the status
 *   bad program status HEX  a program whose byte goes to another offset
 *                    (refused: the program error bit), after clear status
 *   after HEX        the 4 bytes at 0x1000 in read-array mode (0xff)
 * Then it resets through the i8042 (la-vmrun exits 32).
 */
	.set BASE, 0xffff0000        /* where the 64 KiB image sits */
	.set PF, 0xfffe0000          /* the 64 KiB pflash below it */
	.set COM1, 0x3f8

	.code32
	.section .text
	.align 8
gdt:
	.quad 0
	.quad 0x00cf9a000000ffff     /* 0x08: code, flat 4 GiB, 32-bit */
	.quad 0x00cf92000000ffff     /* 0x10: data, flat 4 GiB */
gdtdesc:
	.word 23
	.long BASE + gdt

/* puts: the NUL-terminated string at %esi to COM1 */
puts:
	movw $COM1, %dx
1:	lodsb
	testb %al, %al
	jz 2f
	outb %al, %dx
	jmp 1b
2:	ret

/* hex8: %al as two hex digits on COM1 */
hex8:
	pushl %eax
	shrb $4, %al
	call nibble
	popl %eax
	andb $0xf, %al
nibble:
	andb $0xf, %al
	addb $'0', %al
	cmpb $'9', %al
	jbe 1f
	addb $('a' - '0' - 10), %al
1:	movw $COM1, %dx
	outb %al, %dx
	ret

/* hex32: the 4 bytes at (%ebx), in memory order, as hex */
hex32:
	movb (%ebx), %al
	call hex8
	movb 1(%ebx), %al
	call hex8
	movb 2(%ebx), %al
	call hex8
	movb 3(%ebx), %al
	call hex8
	ret

/* say: the line "pflash: " + string at %esi (no newline) */
say:
	pushl %esi
	movl $(BASE + s_prefix), %esi
	call puts
	popl %esi
	jmp puts

nl:
	movw $COM1, %dx
	movb $'\n', %al
	outb %al, %dx
	ret

/* status: read status (0x70 at PF) and print it, then a newline */
status:
	movb $0x70, PF
	movb PF, %al
	call hex8
	jmp nl

start32:
	movw $0x10, %ax
	movw %ax, %ds
	movw %ax, %es
	movw %ax, %ss
	movl $0x8000, %esp           /* RAM */
	movl $(BASE + s_before), %esi
	call say
	movl $(PF + 0x1000), %ebx
	call hex32
	call nl
	cmpl $0x4650414c, PF + 0x1000   /* "LAPF" */
	jne 1f
	movl $(BASE + s_found), %esi
	call say
	call nl
	jmp reset_vm
1:	/* CFI query */
	movb $0x98, PF
	movl $(BASE + s_cfi), %esi
	call say
	movw $COM1, %dx
	movb PF + 0x10, %al
	outb %al, %dx
	movb PF + 0x11, %al
	outb %al, %dx
	movb PF + 0x12, %al
	outb %al, %dx
	call nl
	movb $0xff, PF
	/* erase the block at 0x1000 */
	movb $0x20, PF + 0x1000
	movb $0xd0, PF + 0x1000
	movl $(BASE + s_erase), %esi
	call say
	call status
	movl $(BASE + s_erased), %esi
	call say
	movl $(PF + 0x1000), %ebx
	call hex32
	movw $COM1, %dx
	movb $' ', %al
	outb %al, %dx
	movb PF + 0x1fff, %al
	call hex8
	call nl
	/* program "LAPF", a byte at a time */
	movl $(BASE + s_marker), %esi
	movl $(PF + 0x1000), %edi
2:	lodsb
	testb %al, %al
	jz 3f
	movb $0x40, (%edi)
	movb %al, (%edi)
	incl %edi
	jmp 2b
3:	movl $(BASE + s_program), %esi
	call say
	call status
	/* a program whose byte goes elsewhere: refused */
	movb $0x50, PF
	movb $0x10, PF + 0x2000
	movb $0x55, PF + 0x2001
	movl $(BASE + s_bad), %esi
	call say
	call status
	movb $0xff, PF
	movl $(BASE + s_after), %esi
	call say
	movl $(PF + 0x1000), %ebx
	call hex32
	call nl
reset_vm:
	movb $0xfe, %al
	outb %al, $0x64
4:	hlt
	jmp 4b

s_prefix:	.asciz "pflash: "
s_before:	.asciz "before "
s_found:	.asciz "marker found"
s_cfi:		.asciz "cfi "
s_erase:	.asciz "erase status "
s_erased:	.asciz "erased "
s_marker:	.asciz "LAPF"
s_program:	.asciz "program status "
s_bad:		.asciz "bad program status "
s_after:	.asciz "after "

/* real mode, from the reset vector: the GDT, protected mode, 32-bit code */
	.code16
	.org 0xff00
real:
	cli
	lgdtl %cs:gdtdesc
	movl %cr0, %eax
	orl $1, %eax
	movl %eax, %cr0
	ljmpl $0x08, $(BASE + start32)

	.org 0xfff0
reset:
	jmp real
	.org 0x10000

	.section .note.GNU-stack, "", @progbits
