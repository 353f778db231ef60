/* SPDX-License-Identifier: MIT */
/*
 * 16550A UART: registers, a receive FIFO, loopback (Linux's probe uses it),
 * and the interrupt line: raised while an enabled condition (received data,
 * transmitter empty) is pending, as the edge-triggered ISA IRQs expect.
 */
#include <errno.h>
#include <string.h>
#include <unistd.h>

#include "dev.h"

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
	if (s->console && !s->said_first && s->m && s->m->note) {
		s->said_first = true;
		s->m->note(s->m->vm, LA_NOTE_FIRST_OUTPUT, b);
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
