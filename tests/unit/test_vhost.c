/* SPDX-License-Identifier: MIT */
/* Unit tests of the vhost backend (lib/virtio/vhost.c) as far as they go
 * without /dev/vhost-*: the memory table, ring translation and its refusal
 * outside guest RAM, the error paths of a missing or wrong device; and the
 * transport's queues served elsewhere (lib/virtio/transport.c: external
 * queues, activate on the device thread, call_fd into the interrupt,
 * deactivate on reset and stop) with a device written here; and
 * virtio-vsock's checks (lib/virtio/vsock.c). */
#include <errno.h>
#include <pthread.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "err.h"
#include "t.h"
#include "virtio/devices.h"
#include "virtio/transport.h"
#include "vtpci_driver.h"
#include "virtio/vhost.h"

#define RAM (1u << 20)
#define HIGH 0x100000000ULL /* a second slot of RAM, 64 KiB */
#define BAR 0xd0000000u
#define QSZ 8u


/* The errno a vhost ioctl fails with: want, or ENOSYS under qemu-user
 * (LA_TEST_QEMU_USER, tests/bats/cross.bats), which passes no ioctl it
 * does not know to the kernel. */
static int ioctl_errno(int want)
{
	return getenv("LA_TEST_QEMU_USER") ? ENOSYS : want;
}

static struct la_gmem g;

/* ---- vhost without a device ---- */

static void test_open_errors(void)
{
	struct la_vhost v;
	char why[160];

	T_EQ_U64(la_vhost_open(&v, "/nonexistent/vhost-vsock", why, sizeof(why)),
		 (uint64_t)-LA_ERR_NOENT);
	T_EQ_U64((uint64_t)v.fd, (uint64_t)-1);
	T_EQ_U64(v.sys_errno, ENOENT);
	T_EQ_STR(why, "No such file or directory");
	/* a device that is no vhost: VHOST_SET_OWNER fails, nothing stays open */
	T_EQ_U64(la_vhost_open(&v, "/dev/null", why, sizeof(why)), (uint64_t)-LA_ERR_VHOST);
	T_EQ_U64((uint64_t)v.fd, (uint64_t)-1);
	T_EQ_U64(v.sys_errno, ioctl_errno(ENOTTY));
	T_CHECK(strstr(why, "not a vhost device") != NULL);
	la_vhost_close(&v); /* closed already: nothing */
	T_EQ_U64((uint64_t)v.fd, (uint64_t)-1);
}

static void test_mem_regions(void)
{
	struct vhost_memory_region r[4];

	T_EQ_U64(la_vhost_mem_regions(&g, r, 4), 2);
	T_EQ_U64(r[0].guest_phys_addr, 0);
	T_EQ_U64(r[0].memory_size, RAM);
	T_EQ_U64(r[0].userspace_addr, (uint64_t)(uintptr_t)g.s[0].host);
	T_EQ_U64(r[1].guest_phys_addr, HIGH);
	T_EQ_U64(r[1].memory_size, 0x10000);
	T_EQ_U64(r[1].userspace_addr, (uint64_t)(uintptr_t)g.s[1].host);
	/* too small a table: cut, and the count says so */
	memset(r, 0, sizeof(r));
	T_EQ_U64(la_vhost_mem_regions(&g, r, 1), 2);
	T_EQ_U64(r[1].memory_size, 0);
}

static void test_ring_addr(void)
{
	struct la_vtpci_queue q = { .size = QSZ, .desc = 0x1000, .driver = 0x2000,
				    .device = 0x3000 };
	struct vhost_vring_addr a;
	uintptr_t h0 = (uintptr_t)g.s[0].host, h1 = (uintptr_t)g.s[1].host;

	T_EQ_U64(la_vhost_vring_addr(&g, 1, &q, &a), 0);
	T_EQ_U64(a.index, 1);
	T_EQ_U64(a.desc_user_addr, h0 + 0x1000);
	T_EQ_U64(a.avail_user_addr, h0 + 0x2000);
	T_EQ_U64(a.used_user_addr, h0 + 0x3000);
	T_EQ_U64(a.flags, 0);
	/* in the second slot */
	q.desc = HIGH, q.driver = HIGH + 0x800, q.device = HIGH + 0x1000;
	T_EQ_U64(la_vhost_vring_addr(&g, 0, &q, &a), 0);
	T_EQ_U64(a.used_user_addr, h1 + 0x1000);
	/* a used ring whose last byte is past RAM (6 + 8 * 8 = 70 bytes) */
	q = (struct la_vtpci_queue){ .size = QSZ, .desc = 0x1000, .driver = 0x2000,
				     .device = RAM - 69 };
	T_EQ_U64(la_vhost_vring_addr(&g, 0, &q, &a), (uint64_t)-LA_ERR_GPA);
	q.device = RAM - 70;
	T_EQ_U64(la_vhost_vring_addr(&g, 0, &q, &a), 0);
	/* a descriptor table across the hole between the slots, an avail
	 * ring in no RAM at all */
	q.desc = RAM - 64;
	T_EQ_U64(la_vhost_vring_addr(&g, 0, &q, &a), (uint64_t)-LA_ERR_GPA);
	q.desc = 0x1000, q.driver = 0x80000000;
	T_EQ_U64(la_vhost_vring_addr(&g, 0, &q, &a), (uint64_t)-LA_ERR_GPA);
	/* the end of the address space does not wrap */
	q.driver = 0xfffffffffffffff0ULL;
	T_EQ_U64(la_vhost_vring_addr(&g, 0, &q, &a), (uint64_t)-LA_ERR_GPA);
	q.driver = 0x2000, q.size = 0;
	T_EQ_U64(la_vhost_vring_addr(&g, 0, &q, &a), (uint64_t)-LA_ERR_BADVALUE);
	q.size = 6;
	T_EQ_U64(la_vhost_vring_addr(&g, 0, &q, &a), (uint64_t)-LA_ERR_BADVALUE);
}

/* la_vhost_vring refuses before any ioctl: fd -1 would say EBADF */
static void test_vring_refused(void)
{
	struct la_vhost v = { .fd = -1, .features = 1ULL << 32 };
	struct la_vtpci_queue q = { .size = QSZ, .desc = 0x1000, .driver = 0x2000,
				    .device = 0x3000 };

	T_EQ_U64(la_vhost_vring(&v, 0, &q, 5, 6), (uint64_t)-LA_ERR_GPA); /* no memory table */
	T_EQ_U64(v.sys_errno, 0);
	v.g = &g;
	q.device = RAM;
	T_EQ_U64(la_vhost_vring(&v, 0, &q, 5, 6), (uint64_t)-LA_ERR_GPA);
	T_EQ_U64(v.sys_errno, 0);
	q.device = 0x3000;
	T_EQ_U64(la_vhost_vring(&v, 0, &q, 5, 6), (uint64_t)-LA_ERR_VHOST);
	T_EQ_U64(v.sys_errno, ioctl_errno(EBADF));
	/* features: only what the kernel offered */
	v.sys_errno = 0;
	T_EQ_U64(la_vhost_set_features(&v, 1ULL << 33), (uint64_t)-LA_ERR_BADVALUE);
	T_EQ_U64(v.sys_errno, 0);
	T_EQ_U64(la_vhost_set_features(&v, 1ULL << 32), (uint64_t)-LA_ERR_VHOST);
	T_EQ_U64(la_vhost_set_mem(&v, &g), (uint64_t)-LA_ERR_VHOST);
	T_EQ_U64(la_vhost_vring_unbind(&v, 0), (uint64_t)-LA_ERR_VHOST);
}

/* ---- the transport's external queues ---- */

static unsigned irq_level, broken_count;
static unsigned activated, deactivated, worked[2];
static int activate_ret;
static bool activate_elsewhere, deactivate_elsewhere;
static pthread_t main_thread;

static void m_irq(void *vm, unsigned gsi, unsigned source, int level)
{
	(void)vm, (void)source;
	if (gsi == 9)
		__atomic_store_n(&irq_level, (unsigned)level, __ATOMIC_SEQ_CST);
}

static void m_exit(void *vm, enum la_fate f, const char *why)
{
	(void)vm, (void)f, (void)why;
}

static void m_broken(void *vm, const char *dev, const char *why)
{
	(void)vm, (void)dev, (void)why;
	broken_count++;
}

static const struct la_machine machine = {
	.irq = m_irq, .request_exit = m_exit, .broken = m_broken,
};

static int fake_activate(void *dev, struct la_vtpci *t)
{
	(void)dev;
	activate_elsewhere = !pthread_equal(pthread_self(), main_thread);
	if (activate_ret)
		return activate_ret;
	/* the fds a vhost device would get */
	T_CHECK(la_vtpci_kick_fd(t, 1) == t->q[1].efd);
	T_CHECK(la_vtpci_call_fd(t, 1) >= 0);
	__atomic_add_fetch(&activated, 1, __ATOMIC_SEQ_CST);
	return 0;
}

static void fake_deactivate(void *dev)
{
	(void)dev;
	deactivate_elsewhere = !pthread_equal(pthread_self(), main_thread);
	__atomic_add_fetch(&deactivated, 1, __ATOMIC_SEQ_CST);
}

static void fake_work(void *dev, struct la_vtpci *t, int q)
{
	(void)dev, (void)t;
	if (q == 0 || q == 1)
		__atomic_add_fetch(&worked[q], 1, __ATOMIC_SEQ_CST);
}

static void fake_config(void *dev, unsigned off, uint8_t *data, unsigned size)
{
	(void)dev, (void)off, (void)data, (void)size;
}

static const struct la_virtio_ops fake_ops = {
	.what = "fake", .device_id = 19, .class_code = 0x078000, .nqueues = 2,
	.queue_max = QSZ, .config_len = 0, .kind = LA_THREAD_VIRTIO_VSOCK,
	.config_read = fake_config, .work = fake_work, .activate = fake_activate,
	.deactivate = fake_deactivate,
};

/* Wait up to 10 s for *p to reach at least want (a control wakeup may
 * serve the queues more than once, more so under qemu-user's timing).
 * returns: whether it did */
static bool wait_for(unsigned *p, unsigned want)
{
	for (int i = 0; i < 10000; i++) {
		if (__atomic_load_n(p, __ATOMIC_SEQ_CST) >= want)
			return true;
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	}
	return false;
}

/* The driver: features, both queues, DRIVER_OK. */
static void driver_up(struct la_vtpci *t)
{
	wr(t, 0x14, 1 | 2, 1);
	wr(t, 0x08, 1, 4), wr(t, 0x0c, 1, 4);  /* VERSION_1 */
	wr(t, 0x14, 1 | 2 | 8, 1);
	for (unsigned q = 0; q < 2; q++) {
		wr(t, 0x16, q, 2);
		wr(t, 0x20, 0x1000 + 0x1000 * 3 * q, 8);
		wr(t, 0x28, 0x2000 + 0x1000 * 3 * q, 8);
		wr(t, 0x30, 0x3000 + 0x1000 * 3 * q, 8);
		wr(t, 0x1c, 1, 2);
	}
	wr(t, 0x14, 1 | 2 | 8 | 4, 1);
}

static void test_external(void)
{
	struct la_dev_env env = { .m = &machine, .source = 1, .g = &g,
				  .seccomp = LA_SECCOMP_OFF };
	struct la_dev_inst d = { .desc = &la_dev_virtio_vsock, .n = 3, .name = "fake0" };
	struct la_vtpci *t = calloc(1, sizeof(*t));
	uint64_t one = 1, v;

	d.g[0] = (struct la_grant){ .kind = LA_RES_PCI, .dev = 1 };
	d.g[1] = (struct la_grant){ .kind = LA_RES_MMIO, .range = { BAR, BAR + 0x7fff } };
	d.g[2] = (struct la_grant){ .kind = LA_RES_IRQ, .value = 9, .intx = true };
	main_thread = pthread_self();
	T_EQ_U64(la_vtpci_init(t, &d, &env, &fake_ops, NULL, 0, &g, NULL), 0);
	la_vtpci_set_external(t, 1);
	la_vtpci_set_external(t, 7); /* no such queue: nothing */
	T_EQ_U64((uint64_t)la_vtpci_call_fd(t, 0), (uint64_t)-1); /* not external */
	T_CHECK(la_vtpci_call_fd(t, 1) >= 0);
	T_EQ_U64((uint64_t)la_vtpci_call_fd(t, 7), (uint64_t)-1);
	T_EQ_U64((uint64_t)la_vtpci_kick_fd(t, 0), (uint64_t)t->q[0].efd);
	T_EQ_U64((uint64_t)la_vtpci_kick_fd(t, 2), (uint64_t)-1);
	snprintf(t->thread_name, sizeof(t->thread_name), "la-test");
	T_EQ_U64(la_vtpci_start(t), 0);

	/* DRIVER_OK: activate once, on the device thread; queue 0 is served
	 * as ever, queue 1 never */
	driver_up(t);
	T_CHECK(wait_for(&activated, 1));
	T_CHECK(activate_elsewhere);
	T_CHECK(wait_for(&worked[0], 1));
	/* a notification of queue 1 stays for the kernel (not read here) */
	T_CHECK(write(la_vtpci_kick_fd(t, 1), &one, 8) == 8);
	unsigned before = __atomic_load_n(&worked[0], __ATOMIC_SEQ_CST);
	T_CHECK(write(la_vtpci_kick_fd(t, 0), &one, 8) == 8);
	T_CHECK(wait_for(&worked[0], before + 1));
	T_EQ_U64(worked[1], 0);
	T_CHECK(read(la_vtpci_kick_fd(t, 1), &v, 8) == 8 && v == 1);
	/* the kernel's call: the queue's interrupt (INTx here: no MSI-X) */
	T_EQ_U64(irq_level, 0);
	T_CHECK(write(la_vtpci_call_fd(t, 1), &one, 8) == 8);
	T_CHECK(wait_for(&irq_level, 1));
	T_EQ_U64(rd(t, 0x1000, 1), 1); /* ISR: a queue; the read lowers the line */
	T_EQ_U64(irq_level, 0);
	T_EQ_U64(activated, 1);

	/* a reset: deactivated on the device thread before the write returns */
	wr(t, 0x14, 0, 1);
	T_EQ_U64(deactivated, 1);
	T_CHECK(deactivate_elsewhere);
	T_EQ_U64(rd(t, 0x14, 1), 0);
	/* a call after the reset raises nothing */
	T_CHECK(write(la_vtpci_call_fd(t, 1), &one, 8) == 8);
	nanosleep(&(struct timespec){ 0, 20000000 }, NULL);
	T_EQ_U64(irq_level, 0);

	/* ready again: activate again */
	driver_up(t);
	T_CHECK(wait_for(&activated, 2));

	/* a refusal: NEEDS_RESET, said once; the reset then has nothing to undo */
	wr(t, 0x14, 0, 1);
	T_EQ_U64(deactivated, 2);
	activate_ret = -LA_ERR_VHOST;
	broken_count = 0;
	driver_up(t);
	for (int i = 0; i < 2000 && !(rd(t, 0x14, 1) & 0x40); i++)
		nanosleep(&(struct timespec){ 0, 1000000 }, NULL);
	T_EQ_U64(rd(t, 0x14, 1) & 0x40, 0x40);
	T_EQ_U64(broken_count, 1);
	wr(t, 0x14, 0, 1);
	T_EQ_U64(deactivated, 2);

	/* the stop deactivates too */
	activate_ret = 0;
	driver_up(t);
	T_CHECK(wait_for(&activated, 3));
	la_vtpci_destroy(t);
	T_EQ_U64(deactivated, 3);
	free(t);
}

/* ---- virtio-vsock's own checks ---- */

static void test_vsock(void)
{
	struct la_vsock_opts o = { .cid = 3 };
	struct la_dev_env env = { .m = &machine, .g = &g, .seccomp = LA_SECCOMP_OFF };
	struct la_dev_inst d = { .desc = &la_dev_virtio_vsock, .n = 3, .name = "virtio-vsock0" };
	const struct la_bus_ops *ops;
	void *state = NULL;
	char why[160];

	T_CHECK(!la_vsock_cid_ok(0) && !la_vsock_cid_ok(1) && !la_vsock_cid_ok(2));
	T_CHECK(la_vsock_cid_ok(3) && la_vsock_cid_ok(0xfffffffe));
	T_CHECK(!la_vsock_cid_ok(0xffffffff) && !la_vsock_cid_ok(1ULL << 32));
	T_EQ_U64(la_vsock_open(&o, "/nonexistent/vhost-vsock", why, sizeof(why)),
		 (uint64_t)-LA_ERR_NOENT);
	T_EQ_U64((uint64_t)o.fd, (uint64_t)-1);
	T_EQ_U64(la_vsock_open(&o, "/dev/null", why, sizeof(why)), (uint64_t)-LA_ERR_VHOST);
	T_EQ_U64((uint64_t)o.fd, (uint64_t)-1);
	/* create wants an opened device and a guest's CID */
	d.g[0] = (struct la_grant){ .kind = LA_RES_PCI, .dev = 2 };
	d.g[1] = (struct la_grant){ .kind = LA_RES_MMIO, .range = { BAR, BAR + 0x7fff } };
	d.g[2] = (struct la_grant){ .kind = LA_RES_IRQ, .value = 9, .intx = true };
	T_EQ_U64(la_dev_virtio_vsock.create(&d, &env, &state, &ops), (uint64_t)-LA_ERR_BADVALUE);
	env.backend = &o;
	T_EQ_U64(la_dev_virtio_vsock.create(&d, &env, &state, &ops), (uint64_t)-LA_ERR_BADVALUE);
	/* an fd standing in for the device (nothing is asked of it until
	 * DRIVER_OK): the CID in the configuration, the offer cut to what
	 * the kernel has */
	o.fd = 0;
	o.cid = 2;
	T_EQ_U64(la_dev_virtio_vsock.create(&d, &env, &state, &ops), (uint64_t)-LA_ERR_BADVALUE);
	o.cid = 0x12345678;
	o.vhost_features = 1ULL << 32 | 1ULL << 29 | 1ULL << 26 | 1ULL << 1;
	T_EQ_U64(la_dev_virtio_vsock.create(&d, &env, &state, &ops), 0);
	{
		struct la_vtpci *t = state;
		uint8_t c[8];

		T_EQ_U64(t->ops->device_id, 19);
		T_EQ_U64(t->ops->nqueues, 3);
		T_EQ_U64(t->features, 1ULL << 32 | 1ULL << 29 | 1ULL << 1);
		T_CHECK(la_vtpci_call_fd(t, 0) >= 0 && la_vtpci_call_fd(t, 1) >= 0);
		T_EQ_U64((uint64_t)la_vtpci_call_fd(t, 2), (uint64_t)-1); /* the event queue: ours */
		la_vtpci_bar_ops.read(t, LA_VTPCI_DEVCFG, c, 8);
		T_EQ_U64(la_get64(c), 0x12345678);
		T_EQ_STR(t->thread_name, "la-vsock");
	}
	la_dev_virtio_vsock.destroy(state);
}

int main(void)
{
	g.n = 2;
	g.s[0] = (struct la_gmem_slot){ .gpa = 0, .size = RAM, .host = calloc(1, RAM) };
	g.s[1] = (struct la_gmem_slot){ .gpa = HIGH, .size = 0x10000, .host = calloc(1, 0x10000) };
	test_open_errors();
	test_mem_regions();
	test_ring_addr();
	test_vring_refused();
	test_external();
	test_vsock();
	free(g.s[0].host);
	free(g.s[1].host);
	return T_DONE();
}
