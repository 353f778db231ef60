/* SPDX-License-Identifier: MIT */
/*
 * The 16550A UARTs COM1..COM4 as crosvm places them (§1.4): on the IO bus
 * on x86_64 (edge IRQ 4 for COM1/COM3, 3 for COM2/COM4), on the MMIO bus at
 * the same addresses on aarch64 (edge SPI 0 and 2) and riscv64 (sources 1
 * and 2 of its PLIC or APLIC; crosvm leaves them unwired, with no tree
 * node, and polls). The device itself: registers, a receive FIFO,
 * loopback (Linux's probe uses it), and the interrupt line: raised while
 * an enabled condition (received data, transmitter empty) is pending, as
 * the edge-triggered ISA IRQs expect.
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "arch/x86_64/x86_64.h"
#include "dev/dev.h"
#include "dev/serial.h"
#include "err.h"
#include "fdt/fdt.h"

#define LA_COM1 0x3f8
#define LA_COM2 0x2f8
#define LA_COM3 0x3e8
#define LA_COM4 0x2e8
#define LA_SERIAL_CLOCK_HZ 1843200 /* the tree's clock-frequency */

const uint64_t la_serial_addr[LA_SERIAL_MAX] = { LA_COM1, LA_COM2, LA_COM3, LA_COM4 };

/* aarch64: U6_16550A@ADDR, as crosvm names it (stdout-path points at
 * COM1's); riscv64 names its UARTs the same. */
static void la_serial_fdt_node(struct la_fdt_w *w, const struct la_dev_inst *d,
			       const struct la_irq_cells *ic, const struct la_fdt_config *fc)
{
	const struct la_grant *mmio = la_dev_inst_grant(d, LA_RES_MMIO, 0);
	const struct la_grant *irq = la_dev_inst_grant(d, LA_RES_IRQ, 0);

	(void)fc;
	if (!mmio)
		return;
	la_fdt_w_begin_nodef(w, "U6_16550A@%llx", (unsigned long long)mmio->range.start);
	la_fdt_w_str(w, "compatible", "ns16550a");
	la_fdt_w_reg(w, mmio->range.start, la_range_len(mmio->range));
	la_fdt_w_u32(w, "clock-frequency", LA_SERIAL_CLOCK_HZ);
	if (irq && ic) /* riscv64 without PLIC nor APLIC: no interrupt */
		la_fdt_w_irq(w, ic, irq->value, LA_DT_IRQ_EDGE_RISING, false);
	la_fdt_w_end_node(w);
}

enum {
	UART_RX = 0, UART_IER = 1, UART_IIR = 2, UART_LCR = 3,
	UART_MCR = 4, UART_LSR = 5, UART_MSR = 6, UART_SCR = 7,
};
#define IER_RDI 0x01
#define IER_THRI 0x02
#define IIR_NONE 0x01
#define IIR_THRI 0x02
#define IIR_RDI 0x04
#define IIR_FIFO 0xc0
#define LCR_DLAB 0x80
#define MCR_LOOP 0x10
#define LSR_DR 0x01
#define LSR_THRE 0x20
#define LSR_TEMT 0x40
#define MSR_DEFAULT 0xb0 /* DCD, DSR, CTS */

void la_serial_init(struct la_serial *s, const struct la_machine *m, unsigned gsi,
		    unsigned source, int out_fd, bool console)
{
	memset(s, 0, sizeof(*s));
	s->m = m;
	s->gsi = gsi;
	s->source = source;
	s->out_fd = out_fd;
	s->console = console;
	s->iir = IIR_NONE;
	s->lsr = LSR_THRE | LSR_TEMT;
	s->msr = MSR_DEFAULT;
	s->mcr = 0x08; /* OUT2 */
}

static void la_serial_update(struct la_serial *s)
{
	uint8_t iir = IIR_NONE;

	if ((s->ier & IER_RDI) && (s->lsr & LSR_DR))
		iir = IIR_RDI;
	else if ((s->ier & IER_THRI) && s->thre_pending)
		iir = IIR_THRI;
	s->iir = iir;
	if (s->m && s->m->irq)
		s->m->irq(s->m->vm, s->gsi, s->source, iir != IIR_NONE);
}

static void la_serial_push(struct la_serial *s, uint8_t b)
{
	if (s->rx_len < LA_SERIAL_FIFO) {
		s->rx[(s->rx_head + s->rx_len) % LA_SERIAL_FIFO] = b;
		s->rx_len++;
		s->lsr |= LSR_DR;
	}
}

unsigned la_serial_input(struct la_serial *s, const uint8_t *buf, unsigned len)
{
	unsigned n = 0;

	if (s->mcr & MCR_LOOP)
		return len; /* a loopback UART hears only itself */
	while (n < len && s->rx_len < LA_SERIAL_FIFO)
		la_serial_push(s, buf[n++]);
	la_serial_update(s);
	return n;
}

static void la_serial_out(struct la_serial *s, uint8_t b)
{
	if (s->mcr & MCR_LOOP) {
		la_serial_push(s, b);
		return;
	}
	if (s->console && s->m && s->m->note) {
		if (!s->said_first) {
			s->said_first = true;
			s->m->note(s->m->vm, LA_NOTE_FIRST_OUTPUT, b);
		}
		s->m->note(s->m->vm, LA_NOTE_OUTPUT, b);
	}
	if (s->out_fd >= 0) {
		ssize_t r;

		do
			r = write(s->out_fd, &b, 1);
		while (r < 0 && errno == EINTR);
	}
}

static uint8_t la_serial_msr(const struct la_serial *s)
{
	uint8_t m = s->mcr;

	if (!(m & MCR_LOOP))
		return s->msr;
	/* loopback: DTR->DSR, RTS->CTS, OUT1->RI, OUT2->DCD */
	return (uint8_t)(((m & 0x01) << 5) | ((m & 0x02) << 3) | ((m & 0x04) << 4) |
			 ((m & 0x08) << 4));
}

static uint8_t la_serial_readb(struct la_serial *s, unsigned off)
{
	uint8_t v = 0;

	switch (off) {
	case UART_RX:
		if (s->lcr & LCR_DLAB)
			return s->dll;
		if (s->rx_len) {
			v = s->rx[s->rx_head];
			s->rx_head = (s->rx_head + 1) % LA_SERIAL_FIFO;
			if (--s->rx_len == 0)
				s->lsr &= (uint8_t)~LSR_DR;
		}
		la_serial_update(s);
		return v;
	case UART_IER:
		return s->lcr & LCR_DLAB ? s->dlm : s->ier;
	case UART_IIR:
		v = s->iir | (s->fcr & 1 ? IIR_FIFO : 0);
		if (s->iir == IIR_THRI) { /* reading IIR acknowledges THRE */
			s->thre_pending = false;
			la_serial_update(s);
		}
		return v;
	case UART_LCR: return s->lcr;
	case UART_MCR: return s->mcr;
	case UART_LSR: return s->lsr;
	case UART_MSR: return la_serial_msr(s);
	default: return s->scr;
	}
}

static void la_serial_writeb(struct la_serial *s, unsigned off, uint8_t v)
{
	switch (off) {
	case UART_RX:
		if (s->lcr & LCR_DLAB) {
			s->dll = v;
			return;
		}
		la_serial_out(s, v);
		s->thre_pending = true;
		break;
	case UART_IER:
		if (s->lcr & LCR_DLAB) {
			s->dlm = v;
			return;
		}
		if ((v & IER_THRI) && !(s->ier & IER_THRI))
			s->thre_pending = true; /* enabling THRI with an empty THR */
		s->ier = v & 0x0f;
		break;
	case UART_IIR: /* FCR */
		s->fcr = v;
		if (v & 0x02) {
			s->rx_len = 0;
			s->lsr &= (uint8_t)~LSR_DR;
		}
		break;
	case UART_LCR: s->lcr = v; return;
	case UART_MCR: s->mcr = v & 0x1f; break;
	case UART_SCR: s->scr = v; return;
	default: return; /* LSR, MSR are read-only */
	}
	la_serial_update(s);
}

static void la_serial_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		data[i] = la_serial_readb(ctx, (unsigned)((off + i) & 7));
}

static void la_serial_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	for (unsigned i = 0; i < size; i++)
		la_serial_writeb(ctx, (unsigned)((off + i) & 7), data[i]);
}

const struct la_bus_ops la_serial_ops = { la_serial_read, la_serial_write };

/* COM n's output file; the console's notes the first output byte (boot
 * timing). */
static int la_serial_create(const struct la_dev_inst *d, const struct la_dev_env *env,
			    void **state, const struct la_bus_ops **ops)
{
	static const struct la_dev_desc *const coms[LA_SERIAL_MAX] = {
		&la_dev_com1, &la_dev_com2, &la_dev_com3, &la_dev_com4,
	};
	const struct la_grant *irq = la_dev_inst_grant(d, LA_RES_IRQ, 0);
	struct la_serial *s = malloc(sizeof(*s));
	unsigned n = 0;

	if (!s)
		return -LA_ERR_NOMEM;
	while (n < LA_SERIAL_MAX - 1 && coms[n] != d->desc)
		n++;
	la_serial_init(s, env->m, irq ? irq->value : 0, env->source, env->serial_fd[n],
		       (int)n == env->console_com);
	*state = s;
	*ops = &la_serial_ops;
	return 0;
}

#define LA_COM(var, nm, addr, x86irq, armirq, rvirq, what_)                                         \
	const struct la_dev_desc var = {                                                     \
		.name = nm, .kind = "serial", .what = what_,                                 \
		.arch = {                                                                    \
			[LA_ARCH_X86_64] = { 2, { LA_NEED_FIXED_IO(addr, LA_SERIAL_SIZE,     \
								   "16550 UART"),            \
						  LA_NEED_FIXED_IRQ(x86irq, "edge") } },     \
			[LA_ARCH_AARCH64] = { 2, { LA_NEED_FIXED_MMIO(addr, LA_SERIAL_SIZE,  \
								      "16550 UART"),         \
						   LA_NEED_FIXED_IRQ(armirq, "SPI, edge") } }, \
			[LA_ARCH_RISCV64] = { 2, { LA_NEED_FIXED_MMIO(addr, LA_SERIAL_SIZE,  \
								      "16550 UART"),         \
						   LA_NEED_FIXED_IRQ(rvirq, "PLIC/APLIC source") } }, \
		},                                                                           \
		.fdt_node = la_serial_fdt_node, .fdt_order = LA_FDT_ORDER_SERIAL,            \
		.create = la_serial_create,                                                  \
	}

LA_COM(la_dev_com1, "com1", LA_COM1, LA_X86_SERIAL_1_3_IRQ, 0, 1, "serial port COM1 (ttyS0)");
LA_COM(la_dev_com2, "com2", LA_COM2, LA_X86_SERIAL_2_4_IRQ, 2, 2, "serial port COM2 (ttyS1)");
LA_COM(la_dev_com3, "com3", LA_COM3, LA_X86_SERIAL_1_3_IRQ, 0, 1, "serial port COM3 (ttyS2)");
LA_COM(la_dev_com4, "com4", LA_COM4, LA_X86_SERIAL_2_4_IRQ, 2, 2, "serial port COM4 (ttyS3)");
