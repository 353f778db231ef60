/* SPDX-License-Identifier: MIT */
/*
 * The virtio 1.x modern PCI transport (virtio spec 1.2, §4.1): a PCI
 * endpoint (vendor 0x1af4, device 0x1040 + the virtio device ID, revision
 * 1) whose 32 KiB BAR 0 holds the common configuration, the ISR status,
 * the device configuration and the queue notification addresses, each
 * named by a vendor capability (cfg_type 1-4), plus the PCI configuration
 * access capability (cfg_type 5). VERSION_1 only: FEATURES_OK is refused
 * without it.
 *
 * A device (blk, rng, console, ...) is a struct la_virtio_ops and its
 * state; the transport runs it on a thread of its own (one per device,
 * named and filtered by seccomp as the ops say) that sleeps in ppoll on
 * one eventfd per queue (KVM's ioeventfd at the queue's notify address,
 * or written by the MMIO path when KVM cannot), a control eventfd and the
 * device's own wake fd, and calls the device's work with the transport's
 * lock held. Interrupts: MSI-X (one vector per queue and one for
 * configuration changes, through KVM's irqfd where the machine offers
 * MSI routes), else INTx with the ISR (a read deasserts). A queue the
 * guest broke (la_virtq_pop) sets DEVICE_NEEDS_RESET, raises a
 * configuration interrupt and is told once through la_machine.broken.
 *
 * BAR 0:
 *   0x0000  common configuration (struct virtio_pci_common_cfg)
 *   0x1000  ISR status (1 byte)
 *   0x2000  device configuration
 *   0x3000  notifications, 4 bytes per queue (queue_notify_off = index)
 *   0x4000  MSI-X table (16 bytes per vector)
 *   0x5000  MSI-X pending-bit array
 */
#ifndef LA_VIRTIO_TRANSPORT_H
#define LA_VIRTIO_TRANSPORT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "dev/dev.h"
#include "dev/machine.h"
#include "pci/config.h"
#include "pci/msix.h"
#include "sandbox.h"
#include "virtio/queue.h"

#define LA_VIRTIO_PCI_VENDOR 0x1af4
#define LA_VIRTIO_PCI_DEVICE_BASE 0x1040
#define LA_VTPCI_BAR_SIZE 0x8000u
#define LA_VTPCI_COMMON 0x0000u
#define LA_VTPCI_ISR 0x1000u
#define LA_VTPCI_DEVCFG 0x2000u
#define LA_VTPCI_NOTIFY 0x3000u
#define LA_VTPCI_NOTIFY_MULT 4u
#define LA_VTPCI_MSIX_TABLE 0x4000u
#define LA_VTPCI_MSIX_PBA 0x5000u
#define LA_VTPCI_MAX_QUEUES 8
#define LA_VTPCI_NO_VECTOR 0xffff

/* Device status bits (§2.1). */
#define LA_VIRTIO_S_ACKNOWLEDGE 0x01
#define LA_VIRTIO_S_DRIVER 0x02
#define LA_VIRTIO_S_DRIVER_OK 0x04
#define LA_VIRTIO_S_FEATURES_OK 0x08
#define LA_VIRTIO_S_NEEDS_RESET 0x40
#define LA_VIRTIO_S_FAILED 0x80

struct la_vtpci;

/* A device behind the transport. */
struct la_virtio_ops {
	const char *what;          /* "virtio-blk": messages */
	uint16_t device_id;        /* virtio device ID: 2 blk, 3 console, 4 rng */
	uint32_t class_code;       /* PCI class << 16 | subclass << 8 | prog-if */
	uint16_t nqueues;          /* at most LA_VTPCI_MAX_QUEUES */
	uint16_t queue_max;        /* the queue size offered, a power of two */
	uint32_t config_len;       /* bytes of device configuration */
	enum la_thread_kind kind;  /* the device thread's seccomp allowlist */
	/* config_read - device configuration bytes [off, off+size), inside
	 * config_len; config_write may be NULL (read-only). Called with the
	 * transport's lock held. */
	void (*config_read)(void *dev, unsigned off, uint8_t *data, unsigned size);
	void (*config_write)(void *dev, unsigned off, const uint8_t *data, unsigned size);
	/* work - on the device thread, the transport's lock held, the driver
	 * ready (DRIVER_OK): serve queue q (it was notified or the driver just
	 * became ready), or q = -1: the device's wake fd fired. */
	void (*work)(void *dev, struct la_vtpci *t, int q);
	/* reset - the driver reset the device (lock held); NULL: nothing */
	void (*reset)(void *dev);
};

struct la_vtpci_queue {
	uint16_t size, vector;
	bool enabled;
	uint64_t desc, driver, device;
	struct la_virtq vq;
	int efd;                   /* notifications */
	bool ioeventfd;            /* registered with KVM at ioevent_gpa */
	uint64_t ioevent_gpa;
	bool pushed;               /* used entries since the last interrupt check */
};

struct la_vtpci {
	struct la_pci_ep ep;
	const struct la_virtio_ops *ops;
	void *dev;
	const struct la_machine *m;
	const struct la_gmem *g;
	char name[LA_DEV_NAME_MAX + 1];  /* the instance's */
	char thread_name[16];
	unsigned irq, source;      /* INTx line, this device's bit on it */
	const char *prog;          /* seccomp messages */
	enum la_seccomp_mode seccomp;

	pthread_mutex_t lock;      /* everything below; inside the MMIO bus lock */
	uint64_t features;         /* offered */
	uint64_t driver_features;
	uint32_t dfselect, gfselect;
	uint16_t config_vector;
	uint8_t status, generation;
	uint16_t qsel;
	struct la_vtpci_queue q[LA_VTPCI_MAX_QUEUES];
	uint8_t cfgacc;            /* the PCI cfg access capability's offset */
	struct la_msix msix;       /* its vectors: queues, then configuration */
	bool bar_on;               /* BAR 0 on the bus at bar_addr */
	uint64_t bar_addr;
	bool said_broken;
	struct la_virtq_chain *chain; /* the device thread's */

	pthread_mutex_t isr_lock;  /* isr and the INTx level; a leaf */
	uint8_t isr;

	int ctl_fd;                /* eventfd: reconfigured, or stop */
	int wake_fd;               /* the device's own, -1: none */
	bool wake_level;           /* wake_fd is polled, not read (a tap) */
	bool wake_paused;          /* ... and not polled for now (backpressure) */
	bool stop;
	bool started;
	pthread_t thread;
};

/* la_vtpci_init - the transport of instance d (its slot, BAR 0 and INTx
 * grants) for device ops/dev, in guest memory g, putting BAR 0 on mmio
 * once the driver enables it. features: the device's own feature bits
 * (VERSION_1, INDIRECT_DESC and EVENT_IDX are added).
 * returns: 0, -LA_ERR_NOMEM, -LA_ERR_RANGE (grants unusable),
 * -LA_ERR_IO (no eventfd) */
int la_vtpci_init(struct la_vtpci *t, const struct la_dev_inst *d, const struct la_dev_env *env,
		  const struct la_virtio_ops *ops, void *dev, uint64_t features,
		  const struct la_gmem *g, struct la_bus *mmio);

/* la_vtpci_set_wake_fd - a file descriptor the device thread also polls
 * (console input); work(dev, t, -1) runs when it is readable, after the
 * transport read 8 bytes from it (an eventfd). */
void la_vtpci_set_wake_fd(struct la_vtpci *t, int fd);

/* la_vtpci_set_wake_poll - the same for a file descriptor the transport
 * must not read (a tap: the device reads its packets): polled for
 * POLLIN while the driver is ready (DRIVER_OK) and the device has not
 * paused it; work(dev, t, -1) runs each round it is readable (or in
 * error), so work must read it until it would block, or pause. */
void la_vtpci_set_wake_poll(struct la_vtpci *t, int fd);

/* la_vtpci_wake_pause - stop (pause) or resume polling the wake fd: the
 * device has nowhere to put what it would read (no receive buffers). The
 * transport's lock held (in work, reset). A reset does not resume it:
 * the device's reset does, as it sees fit. */
void la_vtpci_wake_pause(struct la_vtpci *t, bool pause);

/* la_vtpci_start - start the device thread (named thread_name, filtered
 * as ops->kind). returns: 0, -LA_ERR_THREAD */
int la_vtpci_start(struct la_vtpci *t);

/* la_vtpci_stop - stop and join the device thread (if started). */
void la_vtpci_stop(struct la_vtpci *t);

/* la_vtpci_destroy - stop, take BAR 0 off the bus, close the fds. */
void la_vtpci_destroy(struct la_vtpci *t);

/* BAR 0's registers (ctx: struct la_vtpci), for the endpoint. */
extern const struct la_bus_ops la_vtpci_bar_ops;

/* ---- for the devices' work ---- */

/* la_vtpci_pop - the next available chain of queue q into c (with
 * notifications asked for before saying there is none). A broken queue
 * sets NEEDS_RESET. returns: 1 (c holds a chain), 0 (none, or broken) */
int la_vtpci_pop(struct la_vtpci *t, unsigned q, struct la_virtq_chain *c);

/* la_vtpci_push - give chain head back with written bytes; the interrupt
 * follows when work returns, if the driver wants one. */
void la_vtpci_push(struct la_vtpci *t, unsigned q, uint16_t head, uint32_t written);

/* la_vtpci_live - whether queue q is enabled and the driver ready. */
bool la_vtpci_live(const struct la_vtpci *t, unsigned q);

/* la_vtpci_work_done - raise the interrupts the pushes call for (the
 * device thread does this after each work; exposed for tests). */
void la_vtpci_work_done(struct la_vtpci *t);

/* la_vtpci_config_changed - the device configuration changed: a new
 * config_generation and a configuration interrupt. Lock held. */
void la_vtpci_config_changed(struct la_vtpci *t);

#endif
