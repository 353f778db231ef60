/* SPDX-License-Identifier: MIT */
/*
 * The vCPU stall detector crosvm gives every aarch64 VM (§4.5 step 15,
 * §4.7 node 17): 4 KiB of MMIO at 0x3000 and the per-CPU interrupt PPI 15
 * (edge); the tree says a 2 Hz clock and a 10 s timeout.
 *
 * Registers (Linux's drivers/misc/vcpu_stall_detector.c, crosvm's
 * devices/src/vmwdt.rs): 16 bytes per vCPU, vCPU n at n * 0x10, 32-bit
 * words: STATUS (0x0, non-zero enables), LOAD_CNT (0x4, the count of clock
 * ticks before the VM resets; each write pets), CURRENT_CNT (0x8, read
 * only), CLOCK_FREQ_HZ (0xc, the ticks' rate). The count runs down with
 * the CPU time of the vCPU thread that last wrote LOAD_CNT or STATUS (as
 * crosvm counts the thread's guest time), so a vCPU that is stopped or
 * idle in WFI never expires; one that runs LOAD_CNT / CLOCK_FREQ_HZ
 * seconds without a pet ends the VM with crosvm's watchdog reset (exit
 * status 36). A clock of 0 Hz never expires (crosvm divides by it).
 *
 * crosvm's reads give zeros; here a word read gives the register: STATUS
 * 1 or 0, LOAD_CNT and CLOCK_FREQ_HZ as written, CURRENT_CNT the ticks
 * left (LOAD_CNT while disabled). Other sizes, unaligned offsets, vCPUs
 * the VM does not have: reads give 0, writes are ignored.
 *
 * One thread (seccomp kind "device") sleeps until the nearest expiry
 * could be (CPU time runs no faster than the wall clock), then looks again.
 */
#include <errno.h>
#include <poll.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "dev/dev.h"
#include "dev/machine.h"
#include "dev/vmwdt.h"
#include "err.h"
#include "fdt/fdt.h"
#include "sandbox.h"
#include "vm/vm.h"

#define LA_VMWDT_CLOCK_HZ 2
#define LA_VMWDT_TIMEOUT_S 10
#define LA_NS 1000000000ULL

struct la_vmwdt_cpu {
	bool enabled;
	uint32_t load, freq;
	bool has_clock;
	clockid_t clock;         /* CPU-time clock of the thread that loaded */
	uint64_t loaded_ns;      /* that clock when it loaded */
};

struct la_vmwdt {
	pthread_mutex_t lock;
	const struct la_machine *m;
	const char *prog;
	enum la_seccomp_mode seccomp;
	int kick_fd;             /* eventfd: a register changed, or stop */
	bool stop, started, fired;
	pthread_t thread;
	unsigned ncpus;
	struct la_vmwdt_cpu cpu[];
};

static bool la_vmwdt_clock_ns(clockid_t c, uint64_t *ns)
{
	struct timespec ts;

	if (clock_gettime(c, &ts))
		return false; /* the thread has gone */
	*ns = (uint64_t)ts.tv_sec * LA_NS + (uint64_t)ts.tv_nsec;
	return true;
}

/* Nanoseconds of CPU time vCPU c has left, UINT64_MAX if it cannot
 * expire (disabled, 0 Hz, no clock yet or its thread gone). */
static uint64_t la_vmwdt_left_ns(const struct la_vmwdt_cpu *c)
{
	unsigned __int128 total;
	uint64_t now, used;

	if (!c->enabled || !c->freq || !c->has_clock || !la_vmwdt_clock_ns(c->clock, &now))
		return UINT64_MAX;
	total = (unsigned __int128)c->load * LA_NS / c->freq;
	used = now > c->loaded_ns ? now - c->loaded_ns : 0;
	return used >= total ? 0 : (uint64_t)(total - used);
}

/* The ticks vCPU c has left (CURRENT_CNT), the one under way counted:
 * LOAD_CNT just after a pet, 0 once it has run out. */
static uint32_t la_vmwdt_current(const struct la_vmwdt_cpu *c)
{
	uint64_t left = la_vmwdt_left_ns(c);

	if (left == UINT64_MAX)
		return c->load;
	return (uint32_t)(((unsigned __int128)left * c->freq + LA_NS - 1) / LA_NS);
}

/* The counting starts again, on the calling thread's CPU time. */
static void la_vmwdt_restart(struct la_vmwdt_cpu *c)
{
	clockid_t clock;

	if (pthread_getcpuclockid(pthread_self(), &clock) ||
	    !la_vmwdt_clock_ns(clock, &c->loaded_ns)) {
		c->has_clock = false;
		return;
	}
	c->clock = clock;
	c->has_clock = true;
}

static void la_vmwdt_kick(int fd)
{
	uint64_t one = 1;

	if (fd >= 0 && write(fd, &one, sizeof(one)) < 0) {
		/* the counter is full: the thread has a wakeup pending anyway */
	}
}

/* The vCPU an access is for, NULL if it is none of the VM's or not a
 * whole aligned word; *reg gets the register's offset. */
static struct la_vmwdt_cpu *la_vmwdt_at(struct la_vmwdt *w, uint64_t off, unsigned size,
					unsigned *reg)
{
	uint64_t n = off / LA_VMWDT_REG_LEN;

	if (size != 4 || off % 4 || n >= w->ncpus)
		return NULL;
	*reg = (unsigned)(off % LA_VMWDT_REG_LEN);
	return &w->cpu[n];
}

void la_vmwdt_read(void *ctx, uint64_t off, uint8_t *data, unsigned size)
{
	struct la_vmwdt *w = ctx;
	struct la_vmwdt_cpu *c;
	uint32_t v = 0;
	unsigned reg;

	memset(data, 0, size);
	pthread_mutex_lock(&w->lock);
	c = la_vmwdt_at(w, off, size, &reg);
	if (c) {
		switch (reg) {
		case LA_VMWDT_STATUS: v = c->enabled; break;
		case LA_VMWDT_LOAD_CNT: v = c->load; break;
		case LA_VMWDT_CURRENT_CNT: v = la_vmwdt_current(c); break;
		case LA_VMWDT_CLOCK_FREQ_HZ: v = c->freq; break;
		}
		la_put32(data, v);
	}
	pthread_mutex_unlock(&w->lock);
}

void la_vmwdt_write(void *ctx, uint64_t off, const uint8_t *data, unsigned size)
{
	struct la_vmwdt *w = ctx;
	struct la_vmwdt_cpu *c;
	unsigned reg;
	uint32_t v;

	pthread_mutex_lock(&w->lock);
	c = la_vmwdt_at(w, off, size, &reg);
	if (!c) {
		pthread_mutex_unlock(&w->lock);
		return;
	}
	v = la_get32(data);
	switch (reg) {
	case LA_VMWDT_STATUS:
		c->enabled = v != 0;
		if (c->enabled)
			la_vmwdt_restart(c);
		break;
	case LA_VMWDT_LOAD_CNT:
		c->load = v;
		la_vmwdt_restart(c);
		break;
	case LA_VMWDT_CLOCK_FREQ_HZ:
		c->freq = v;
		break;
	default: /* CURRENT_CNT is read only */
		break;
	}
	pthread_mutex_unlock(&w->lock);
	la_vmwdt_kick(w->kick_fd);
}

bool la_vmwdt_check(struct la_vmwdt *w, uint64_t *wait_ns)
{
	bool expired = false;

	*wait_ns = UINT64_MAX;
	pthread_mutex_lock(&w->lock);
	for (unsigned i = 0; i < w->ncpus && !w->fired; i++) {
		uint64_t left = la_vmwdt_left_ns(&w->cpu[i]);

		if (left == 0)
			expired = w->fired = true;
		else if (left < *wait_ns)
			*wait_ns = left;
	}
	pthread_mutex_unlock(&w->lock);
	if (expired && w->m && w->m->request_exit)
		w->m->request_exit(w->m->vm, LA_FATE_WATCHDOG,
				   "a vCPU stopped petting the stall detector (vmwdt)");
	return expired;
}

static void *la_vmwdt_thread(void *p)
{
	struct la_vmwdt *w = p;
	struct pollfd fd = { .fd = w->kick_fd, .events = POLLIN };

	pthread_setname_np(pthread_self(), "la-vmwdt");
	la_sandbox_set_thread(LA_THREAD_DEVICE, 1);
	if (la_sandbox_filter_install(w->prog, LA_THREAD_DEVICE, w->seccomp)) {
		if (w->m && w->m->request_exit)
			w->m->request_exit(w->m->vm, LA_FATE_VMM, "seccomp filter of a device thread");
		return NULL;
	}
	for (;;) {
		uint64_t wait_ns, count;
		struct timespec ts;
		bool stop;

		pthread_mutex_lock(&w->lock);
		stop = w->stop;
		pthread_mutex_unlock(&w->lock);
		if (stop)
			return NULL;
		la_vmwdt_check(w, &wait_ns);
		ts = (struct timespec){ (time_t)(wait_ns / LA_NS), (long)(wait_ns % LA_NS) };
		if (ppoll(&fd, 1, wait_ns == UINT64_MAX ? NULL : &ts, NULL) < 0 && errno != EINTR)
			return NULL;
		if (fd.revents & POLLIN && read(w->kick_fd, &count, sizeof(count)) < 0) {
			/* EAGAIN: another look at the registers all the same */
		}
	}
}

struct la_vmwdt *la_vmwdt_new(unsigned ncpus, const struct la_machine *m)
{
	struct la_vmwdt *w;

	if (ncpus == 0 || ncpus > LA_VMWDT_MAX_CPUS)
		return NULL;
	w = calloc(1, sizeof(*w) + ncpus * sizeof(w->cpu[0]));
	if (!w)
		return NULL;
	w->kick_fd = eventfd(0, EFD_CLOEXEC | EFD_NONBLOCK);
	if (w->kick_fd < 0) {
		free(w);
		return NULL;
	}
	pthread_mutex_init(&w->lock, NULL);
	w->m = m;
	w->ncpus = ncpus;
	w->seccomp = LA_SECCOMP_OFF;
	return w;
}

void la_vmwdt_free(struct la_vmwdt *w)
{
	if (!w)
		return;
	if (w->started) {
		pthread_mutex_lock(&w->lock);
		w->stop = true;
		pthread_mutex_unlock(&w->lock);
		la_vmwdt_kick(w->kick_fd);
		pthread_join(w->thread, NULL);
	}
	close(w->kick_fd);
	pthread_mutex_destroy(&w->lock);
	free(w);
}

static const struct la_bus_ops la_vmwdt_ops = { la_vmwdt_read, la_vmwdt_write };

static int la_vmwdt_create(const struct la_dev_inst *d, const struct la_dev_env *env,
			   void **state, const struct la_bus_ops **ops)
{
	struct la_vmwdt *w;

	if (!la_dev_inst_grant(d, LA_RES_MMIO, 0))
		return -LA_ERR_UNSUPPORTED;
	w = la_vmwdt_new(env->ncpus ? env->ncpus : 1, env->m);
	if (!w)
		return -LA_ERR_NOMEM;
	w->prog = env->prog;
	w->seccomp = env->seccomp;
	*state = w;
	*ops = &la_vmwdt_ops;
	return 0;
}

static int la_vmwdt_start(void *state)
{
	struct la_vmwdt *w = state;

	if (w->started)
		return 0;
	if (la_vm_thread_create(&w->thread, la_vmwdt_thread, w))
		return -LA_ERR_THREAD;
	w->started = true;
	return 0;
}

static void la_vmwdt_destroy(void *state)
{
	la_vmwdt_free(state);
}

static void la_vmwdt_fdt_node(struct la_fdt_w *w, const struct la_dev_inst *d,
			      const struct la_irq_cells *ic, const struct la_fdt_config *fc)
{
	const struct la_grant *irq;

	(void)fc;
	if (!la_dev_fdt_open(w, d, "vmwdt", true, "qemu,vcpu-stall-detector", &irq))
		return;
	la_fdt_w_u32(w, "clock-frequency", LA_VMWDT_CLOCK_HZ);
	la_fdt_w_u32(w, "timeout-sec", LA_VMWDT_TIMEOUT_S);
	la_fdt_w_irq(w, ic, irq->value, LA_DT_IRQ_EDGE_RISING, true);
	la_fdt_w_end_node(w);
}

const struct la_dev_desc la_dev_vmwdt = {
	.name = "vmwdt", .kind = "vmwdt", .what = "vCPU stall detector (watchdog)",
	.arch = {
		[LA_ARCH_AARCH64] = { 2, { LA_NEED_FIXED_MMIO(0x3000, 0x1000, "vCPU stall detector"),
					   LA_NEED_FIXED_IRQ(15, "PPI (per vCPU), edge") } },
	},
	.fdt_node = la_vmwdt_fdt_node,
	.fdt_order = LA_FDT_ORDER_VMWDT,
	.create = la_vmwdt_create,
	.destroy = la_vmwdt_destroy,
	.start = la_vmwdt_start,
};
