/* SPDX-License-Identifier: MIT */
/*
 * The 16550A UART's state (lib/dev/serial.c), for the VM's console input
 * and for tests; everything else goes through its descriptor.
 */
#ifndef LA_DEV_SERIAL_H
#define LA_DEV_SERIAL_H

#include <stdbool.h>
#include <stdint.h>

#include "dev/machine.h"
#include "vm/bus.h"

#define LA_SERIAL_FIFO 4096

struct la_serial {
	const struct la_machine *m;
	unsigned gsi, source;
	int out_fd;          /* -1: output discarded */
	bool console;        /* notes the first output byte */
	bool said_first;
	uint8_t ier, iir, lcr, mcr, lsr, msr, scr, dll, dlm, fcr;
	bool thre_pending;
	unsigned rx_head, rx_len;
	uint8_t rx[LA_SERIAL_FIFO];
};

void la_serial_init(struct la_serial *s, const struct la_machine *m, unsigned gsi,
		    unsigned source, int out_fd, bool console);
/* la_serial_ops - 8 registers (LA_SERIAL_LEN bytes); ctx: struct la_serial */
#define LA_SERIAL_LEN 8
extern const struct la_bus_ops la_serial_ops;
/* la_serial_input - queue received bytes (call with the lock of the bus
 * the UART sits on held).
 * returns: bytes accepted (less when the FIFO is full) */
unsigned la_serial_input(struct la_serial *s, const uint8_t *buf, unsigned len);

#endif
