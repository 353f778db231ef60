/* SPDX-License-Identifier: MIT */
#include <errno.h>
#include <fcntl.h>
#include <linux/kvm.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <unistd.h>

#include "err.h"
#include "vm/kvm.h"

static int la_kvm_fail(struct la_kvm *k, const char *what, int code)
{
	k->what = what;
	k->sys_errno = errno;
	return code;
}

int la_kvm_open(struct la_kvm *k, const char *path)
{
	int v;

	memset(k, 0, sizeof(*k));
	k->vm_fd = -1;
	k->dev_fd[0] = k->dev_fd[1] = -1;
	k->sys_fd = open(path, O_RDWR | O_CLOEXEC);
	if (k->sys_fd < 0)
		return la_kvm_fail(k, path, -LA_ERR_KVMOPEN);
	errno = 0; /* stays 0 when the ioctl answers another version */
	v = ioctl(k->sys_fd, KVM_GET_API_VERSION, 0);
	if (v != KVM_API_VERSION)
		return la_kvm_fail(k, path, -LA_ERR_KVMAPI);
	return 0;
}

/* What the generic VM needs on every arch: guest memory before the
 * arch's list, the vCPU kick (run->immediate_exit) after it. */
static const struct la_kvm_cap la_kvm_memory_cap = {
	KVM_CAP_USER_MEMORY, "KVM_CAP_USER_MEMORY"
};
static const struct la_kvm_cap la_kvm_kick_cap = {
	KVM_CAP_IMMEDIATE_EXIT, "KVM_CAP_IMMEDIATE_EXIT"
};

static int la_kvm_check_cap(struct la_kvm *k, const struct la_kvm_cap *c)
{
	errno = 0;
	if (ioctl(k->sys_fd, KVM_CHECK_EXTENSION, c->cap) <= 0)
		return la_kvm_fail(k, c->name, -LA_ERR_KVMCAP);
	return 0;
}

int la_kvm_check_caps(struct la_kvm *k, const struct la_kvm_cap *caps, unsigned ncaps)
{
	int n, err = la_kvm_check_cap(k, &la_kvm_memory_cap);

	for (unsigned i = 0; !err && i < ncaps; i++)
		err = la_kvm_check_cap(k, &caps[i]);
	if (!err)
		err = la_kvm_check_cap(k, &la_kvm_kick_cap);
	if (err)
		return err;
	n = ioctl(k->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_MAX_VCPUS);
	if (n <= 0)
		n = ioctl(k->sys_fd, KVM_CHECK_EXTENSION, KVM_CAP_NR_VCPUS);
	k->max_vcpus = n > 0 ? (unsigned)n : 4; /* the API's documented fallback */
	n = ioctl(k->sys_fd, KVM_GET_VCPU_MMAP_SIZE, 0);
	if (n <= 0)
		return la_kvm_fail(k, "KVM_GET_VCPU_MMAP_SIZE", -LA_ERR_KVMIOCTL);
	k->run_size = (size_t)n;
	return 0;
}

int la_kvm_create_vm(struct la_kvm *k)
{
	k->vm_fd = ioctl(k->sys_fd, KVM_CREATE_VM, k->vm_type);
	if (k->vm_fd < 0)
		return la_kvm_fail(k, "KVM_CREATE_VM", -LA_ERR_KVMIOCTL);
	return 0;
}

int la_kvm_set_memory(struct la_kvm *k, const struct la_gmem *g)
{
	for (unsigned i = 0; i < g->n; i++) {
		struct kvm_userspace_memory_region r = {
			.slot = i,
			.guest_phys_addr = g->s[i].gpa,
			.memory_size = g->s[i].size,
			.userspace_addr = (uint64_t)(uintptr_t)g->s[i].host,
		};

		if (ioctl(k->vm_fd, KVM_SET_USER_MEMORY_REGION, &r) < 0)
			return la_kvm_fail(k, "KVM_SET_USER_MEMORY_REGION", -LA_ERR_KVMIOCTL);
	}
	return 0;
}

int la_kvm_vcpu_create(struct la_kvm *k, unsigned id, struct la_kvm_vcpu *v)
{
	void *run;

	v->id = id;
	v->run = NULL;
	v->fd = ioctl(k->vm_fd, KVM_CREATE_VCPU, (unsigned long)id);
	if (v->fd < 0)
		return la_kvm_fail(k, "KVM_CREATE_VCPU", -LA_ERR_KVMIOCTL);
	run = mmap(NULL, k->run_size, PROT_READ | PROT_WRITE, MAP_SHARED, v->fd, 0);
	if (run == MAP_FAILED) {
		close(v->fd);
		v->fd = -1;
		return la_kvm_fail(k, "mmap(kvm_run)", -LA_ERR_KVMIOCTL);
	}
	v->run = run;
	return 0;
}

void la_kvm_vcpu_close(struct la_kvm *k, struct la_kvm_vcpu *v)
{
	if (v->run)
		munmap(v->run, k->run_size);
	if (v->fd >= 0)
		close(v->fd);
	v->run = NULL;
	v->fd = -1;
}

int la_kvm_irq_line(struct la_kvm *k, unsigned irq, int level)
{
	struct kvm_irq_level l = { .irq = irq, .level = (uint32_t)level };

	if (ioctl(k->vm_fd, KVM_IRQ_LINE, &l) < 0)
		return la_kvm_fail(k, "KVM_IRQ_LINE", -LA_ERR_KVMIOCTL);
	return 0;
}

int la_kvm_ioeventfd(struct la_kvm *k, uint64_t gpa, unsigned len, int fd, bool on)
{
	struct kvm_ioeventfd e = {
		.addr = gpa, .len = len, .fd = fd,
		.flags = on ? 0 : KVM_IOEVENTFD_FLAG_DEASSIGN,
	};

	if (ioctl(k->vm_fd, KVM_IOEVENTFD, &e) < 0)
		return la_kvm_fail(k, "KVM_IOEVENTFD", -LA_ERR_KVMIOCTL);
	return 0;
}

int la_kvm_set_routes(struct la_kvm *k, const struct la_kvm_route *r, unsigned n)
{
	struct kvm_irq_routing *t = calloc(1, sizeof(*t) + n * sizeof(t->entries[0]));
	int rc;

	if (!t)
		return -LA_ERR_NOMEM;
	t->nr = n;
	for (unsigned i = 0; i < n; i++) {
		struct kvm_irq_routing_entry *e = &t->entries[i];

		e->gsi = r[i].gsi;
		if (r[i].msi) {
			e->type = KVM_IRQ_ROUTING_MSI;
			e->u.msi.address_lo = (uint32_t)r[i].addr;
			e->u.msi.address_hi = (uint32_t)(r[i].addr >> 32);
			e->u.msi.data = r[i].data;
			if (r[i].has_devid) {
				e->flags = KVM_MSI_VALID_DEVID;
				e->u.msi.devid = r[i].devid;
			}
		} else {
			e->type = KVM_IRQ_ROUTING_IRQCHIP;
			e->u.irqchip.irqchip = r[i].chip;
			e->u.irqchip.pin = r[i].pin;
		}
	}
	rc = ioctl(k->vm_fd, KVM_SET_GSI_ROUTING, t);
	free(t);
	if (rc < 0)
		return la_kvm_fail(k, "KVM_SET_GSI_ROUTING", -LA_ERR_KVMIOCTL);
	return 0;
}

int la_kvm_signal_msi(struct la_kvm *k, uint64_t addr, uint32_t data)
{
	struct kvm_msi m = { .address_lo = (uint32_t)addr, .address_hi = (uint32_t)(addr >> 32),
			     .data = data };

	if (ioctl(k->vm_fd, KVM_SIGNAL_MSI, &m) < 0)
		return la_kvm_fail(k, "KVM_SIGNAL_MSI", -LA_ERR_KVMIOCTL);
	return 0;
}

int la_kvm_irqfd(struct la_kvm *k, int fd, unsigned gsi, bool on)
{
	struct kvm_irqfd f = { .fd = (uint32_t)fd, .gsi = gsi,
			       .flags = on ? 0 : KVM_IRQFD_FLAG_DEASSIGN };

	if (ioctl(k->vm_fd, KVM_IRQFD, &f) < 0)
		return la_kvm_fail(k, "KVM_IRQFD", -LA_ERR_KVMIOCTL);
	return 0;
}

void la_kvm_close(struct la_kvm *k)
{
	for (unsigned i = 0; i < 2; i++)
		if (k->dev_fd[i] >= 0)
			close(k->dev_fd[i]);
	if (k->arch && k->arch_free)
		k->arch_free(k->arch);
	k->arch = NULL;
	if (k->vm_fd >= 0)
		close(k->vm_fd);
	if (k->sys_fd >= 0)
		close(k->sys_fd);
	k->vm_fd = k->sys_fd = k->dev_fd[0] = k->dev_fd[1] = -1;
}

const char *la_kvm_software_in_dir(const char *dir)
{
	char path[4096];
	struct stat st;
	int n = snprintf(path, sizeof(path), "%s/kvm_pvm", dir);

	if (n < 0 || (size_t)n >= sizeof(path))
		return NULL;
	return stat(path, &st) == 0 && S_ISDIR(st.st_mode) ? "kvm_pvm" : NULL;
}

__attribute__((weak)) const char *la_kvm_sys_module_dir(void)
{
	return "/sys/module";
}
