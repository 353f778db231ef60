/* SPDX-License-Identifier: MIT */
/*
 * Emulated devices (§3.6-3.7). Each is a state struct (its ctx) and a
 * const struct la_bus_ops (lib/vm/bus.h) that sees offsets in its range:
 * none knows whether it sits on the IO or the MMIO bus, nor where.
 * A device talks back to the machine only through struct la_machine:
 * interrupts, guest-requested exits and boot-timing notes. Devices never
 * print; the console and debugcon write guest bytes to the fds given.
 */
#ifndef LA_DEV_H
#define LA_DEV_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include "vm/bus.h"

/* What a guest asked the machine for. Values are la-vmrun exit statuses. */
enum la_fate {
	LA_FATE_RUNNING = -1,
	LA_FATE_POWEROFF = 0,
	LA_FATE_VMM = 1,
	LA_FATE_RESET = 32,
	LA_FATE_CRASH = 33,
};

enum la_note {
	LA_NOTE_POST,         /* value: the POST code written to port 0x80 */
	LA_NOTE_FIRST_OUTPUT, /* first byte on the console */
	LA_NOTE_POWEROFF,
};

struct la_machine {
	void *vm;
	/* drive an interrupt line; source is a bit so shared lines OR */
	void (*irq)(void *vm, unsigned gsi, unsigned source, int level);
	/* the guest asked to end (first request wins); why: static text */
	void (*request_exit)(void *vm, enum la_fate fate, const char *why);
	void (*note)(void *vm, enum la_note what, unsigned value);
};

/* ---- 16550A UART ---- */
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

/* ---- i8042 (reset only), CMOS RTC, debugcon, POST, reset register ---- */
struct la_legacy {
	const struct la_machine *m;
	uint8_t cmos_index;
	uint8_t cmos[128];
	int debugcon_fd;      /* -1: none */
	uint8_t post;
	time_t epoch;         /* host time the guest clock started at */
	struct timespec started;
};

/* la_legacy_init - mem_below/above: CMOS memory-size values (64 KiB units). */
void la_legacy_init(struct la_legacy *l, const struct la_machine *m, uint16_t mem_below,
		    uint32_t mem_above, int debugcon_fd);
/* The four devices' registers; ctx: struct la_legacy. i8042: 3 bytes
 * (0x62-0x64 on x86, the command register at +2); CMOS: index, data;
 * debugcon and POST: one byte. */
#define LA_I8042_LEN 3
#define LA_CMOS_LEN 2
#define LA_DEBUGCON_LEN 1
#define LA_POST_PORT 0x80  /* not in the device table: fixed on every PC */
#define LA_POST_LEN 1
extern const struct la_bus_ops la_i8042_ops, la_cmos_ops, la_debugcon_ops, la_post_ops;

/* la_cmos_utc - t (seconds since 1970, UTC) as a calendar time, as
 * gmtime_r() would give it but without libc's time-zone machinery (which
 * opens files: a vCPU thread's filter forbids that). */
void la_cmos_utc(int64_t t, struct tm *tm);

/* ---- PCI host bridge: 0xcf8/0xcfc and the ECAM window; a byte access
 * to 0xcf9 is the reset control register (RST_CPU, bit 2, resets) ---- */
struct la_pci {
	const struct la_machine *m;
	/* the one device on two buses (ports and ECAM): its config space
	 * has a lock of its own, taken inside either bus lock */
	pthread_mutex_t lock;
	uint32_t addr;        /* CONFIG_ADDRESS */
	uint8_t cf9;          /* reset control */
	uint8_t cfg[256];     /* 00:00.0 */
};

/* la_pci_init - the host bridge at 00:00.0, CONFIG_ADDRESS clear. */
void la_pci_init(struct la_pci *p, const struct la_machine *m);
/* la_pci_destroy - release the lock; no access may be running. */
void la_pci_destroy(struct la_pci *p);
/* la_pci_io_ops - configuration mechanism #1 and the reset register, 8
 * bytes (0xcf8-0xcff on x86); la_pci_ecam_ops - the ECAM window (1 MiB
 * per bus), at any size. ctx: struct la_pci */
#define LA_PCI_IO_PORT 0xcf8 /* not in the device table: fixed on every PC */
#define LA_PCI_IO_LEN 8
extern const struct la_bus_ops la_pci_io_ops, la_pci_ecam_ops;
/* la_pci_config - read/write config register reg (bytes) of bus/dev/fn. */
void la_pci_config(struct la_pci *p, unsigned bus, unsigned dev, unsigned fn, unsigned reg,
		   bool write, uint8_t *data, unsigned size);

/* ---- ACPI PM1 event/control and GPE0 blocks ---- */
struct la_pm {
	const struct la_machine *m;
	uint16_t sts, en, cnt;
	uint8_t gpe[64];
};

void la_pm_init(struct la_pm *p, const struct la_machine *m);
/* la_pm_ops - the three blocks, LA_PM_LEN bytes; ctx: struct la_pm */
#define LA_PM_LEN 72
extern const struct la_bus_ops la_pm_ops;

#endif
