/* SPDX-License-Identifier: MIT */
/*
 * Emulated devices of an x86 VM (§3.6-3.7) and the IO bus they sit on.
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

/* One IO-port device; reads fill data (size 1, 2 or 4 bytes). */
struct la_io_dev {
	const char *name;
	uint16_t base, len;
	void *ctx;
	void (*read)(void *ctx, uint16_t off, uint8_t *data, unsigned size);
	void (*write)(void *ctx, uint16_t off, const uint8_t *data, unsigned size);
};

#define LA_IOBUS_MAX 32

struct la_iobus {
	pthread_mutex_t lock; /* one lock for all devices: they are slow paths */
	unsigned n;
	struct la_io_dev d[LA_IOBUS_MAX];
};

void la_iobus_init(struct la_iobus *b);
/* la_iobus_add - returns: 0, -LA_ERR_OVERLAP, -LA_ERR_TOOMANY */
int la_iobus_add(struct la_iobus *b, const struct la_io_dev *d);
/* la_iobus_io - one port access; unclaimed reads give 0xff bytes and
 * unclaimed writes are ignored. */
void la_iobus_io(struct la_iobus *b, uint16_t port, bool write, uint8_t *data, unsigned size);

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
void la_serial_io_dev(struct la_serial *s, uint16_t base, struct la_io_dev *d);
/* la_serial_input - queue received bytes (call with the bus lock held).
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
void la_i8042_io_dev(struct la_legacy *l, struct la_io_dev *d);
void la_cmos_io_dev(struct la_legacy *l, struct la_io_dev *d);

/* la_cmos_utc - t (seconds since 1970, UTC) as a calendar time, as
 * gmtime_r() would give it but without libc's time-zone machinery (which
 * opens files: a vCPU thread's filter forbids that). */
void la_cmos_utc(int64_t t, struct tm *tm);
void la_debugcon_io_dev(struct la_legacy *l, struct la_io_dev *d);
void la_post_io_dev(struct la_legacy *l, struct la_io_dev *d);

/* ---- PCI host bridge: 0xcf8/0xcfc and the ECAM window; a byte access
 * to 0xcf9 is the reset control register (RST_CPU, bit 2, resets) ---- */
struct la_pci {
	const struct la_machine *m;
	uint32_t addr;        /* CONFIG_ADDRESS */
	uint8_t cf9;          /* reset control */
	uint8_t cfg[256];     /* 00:00.0 */
	uint64_t ecam_base, ecam_size;
};

void la_pci_init(struct la_pci *p, const struct la_machine *m, uint64_t ecam_base,
		 uint64_t ecam_size);
void la_pci_io_dev(struct la_pci *p, struct la_io_dev *d);
/* la_pci_mmio - an access inside the ECAM window. returns: true if it was */
bool la_pci_mmio(struct la_pci *p, uint64_t gpa, bool write, uint8_t *data, unsigned size);
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
void la_pm_io_dev(struct la_pm *p, uint16_t base, struct la_io_dev *d);

#endif
