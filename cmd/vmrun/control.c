/* SPDX-License-Identifier: MIT */
/*
 * la-vmrun --control PATH: the socket made before anything else, its
 * thread (la-ctl) serving lib/ctl.c's protocol with what the running VM
 * says of itself; the socket removed on every way out.
 */
#include <errno.h>
#include <semaphore.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ctl.h"
#include "dev/pmc.h"
#include "err.h"
#include "vmrun.h"

struct la_control {
	struct la_vmrun *a;
	struct la_vm *vm;
	int stop_fd;
	struct timespec t0;           /* when the vCPUs were about to start */
	pthread_t t;
	sem_t ready;
	int filter_err, filter_errno;
	/* hot-plugged devices, by slot index: the descriptor la-vmctl passed
	 * (a disk's image, a network device's tap; the device reads and
	 * writes it, closed once it is gone) and what list says of it: the
	 * image's path, or the tap's name (hp_net) and MAC */
	int hp_fd[LA_HOTPLUG_SLOTS_MAX];
	char *hp_path[LA_HOTPLUG_SLOTS_MAX];
	bool hp_ro[LA_HOTPLUG_SLOTS_MAX];
	bool hp_net[LA_HOTPLUG_SLOTS_MAX];
	uint8_t hp_mac[LA_HOTPLUG_SLOTS_MAX][6];
	unsigned nets_added;          /* the default MACs of hot-plugged nets */
};

/* How long remove waits for the guest's _EJ0: within la-vmctl's default
 * --timeout (10 s), so the reply comes before the client gives up. */
#define LA_CONTROL_EJECT_MS 8000
/* How long suspend waits for the guest's s2idle entry, resume for its
 * exit: the same bound. */
#define LA_CONTROL_SUSPEND_MS 8000

void la_vmrun_control_open(struct la_vmrun *a)
{
	char why[200];
	int fd;

	a->control_fd = -1;
	/* a dry run opens no socket; --explain shows what --control adds to
	 * the VM (the virtual PMC) */
	if (!a->control_path || a->explain)
		return;
	fd = la_ctl_listen(a->control_path, why, sizeof(why));
	if (fd < 0)
		la_cli_fail("--control", a->control_path, 1, "%s", why);
	a->control_fd = fd;
	atexit(la_ctl_unlink);
	la_vmrun_fatal_signals();
}

static void la_control_status(void *ctx, struct la_ctl_status *st)
{
	struct la_control *c = ctx;
	struct la_pmc *pmc = la_vm_dev_state(c->vm, &la_dev_vpmc);
	struct la_vm_status vs;
	struct timespec now;

	la_vm_status(c->vm, &vs);
	clock_gettime(CLOCK_MONOTONIC, &now);
	*st = (struct la_ctl_status){
		.fate = vs.fate, .why = vs.why, .cpus = vs.cpus, .started = vs.started,
		.suspended = pmc && la_pmc_suspended(pmc),
		.arch = c->a->vm.cfg.arch->name, .pid = (long)getpid(),
		.uptime_ms = (uint64_t)((now.tv_sec - c->t0.tv_sec) * 1000 +
					(now.tv_nsec - c->t0.tv_nsec) / 1000000),
	};
}

/* A hot-plugged network device's tap, MAC and backend, as --explain
 * --json says a --net's. */
static void la_control_net_json(struct la_json *j, const struct la_control *c, unsigned i)
{
	const uint8_t *m = c->hp_mac[i];
	char mac[18];

	snprintf(mac, sizeof(mac), "%02x:%02x:%02x:%02x:%02x:%02x", m[0], m[1], m[2], m[3], m[4],
		 m[5]);
	la_json_str(j, "tap", c->hp_path[i]);
	la_json_bool(j, "create", false);
	la_json_str(j, "mac", mac);
	la_json_str(j, "backend", "userspace");
}

/* What a slot held before (a device the guest ejected on its own): its
 * descriptor closed, its record dropped. */
static void la_control_forget(struct la_control *c, unsigned i)
{
	if (!c->hp_path[i])
		return;
	close(c->hp_fd[i]);
	free(c->hp_path[i]);
	c->hp_path[i] = NULL;
	c->hp_net[i] = false;
}

static void la_control_list(void *ctx, struct la_json *j)
{
	struct la_control *c = ctx;
	struct la_vm_hp_info h;

	la_vmrun_virtio_json(j, c->a);
	for (unsigned i = 0; i < la_vm_hotplug_slots(c->vm); i++) {
		char at[16];

		if (!la_vm_hotplug_get(c->vm, i, &h))
			continue;
		snprintf(at, sizeof(at), "%02x:%02x.%x", h.bus, h.dev, h.func);
		la_json_obj_begin(j, NULL);
		la_json_str(j, "name", h.name);
		la_json_str(j, "type", h.type);
		la_json_str(j, "slot", at);
		la_json_u64(j, "bar0_start", h.bar0.start);
		la_json_u64(j, "bar0_end", h.bar0.end);
		la_json_u64(j, "irq", h.irq);
		la_json_bool(j, "hotplugged", true);
		if (i < LA_HOTPLUG_SLOTS_MAX && c->hp_path[i] && c->hp_net[i]) {
			la_json_obj_begin(j, "backing");
			la_control_net_json(j, c, i);
			la_json_obj_end(j);
		} else if (i < LA_HOTPLUG_SLOTS_MAX && c->hp_path[i]) {
			la_json_obj_begin(j, "backing");
			la_json_str(j, "path", c->hp_path[i]);
			la_json_bool(j, "ro", c->hp_ro[i]);
			la_json_obj_end(j);
		}
		la_json_obj_end(j);
	}
}

static void la_control_hp_json(struct la_json *j, const struct la_vm_hp_info *h)
{
	char at[16];

	snprintf(at, sizeof(at), "%02x:%02x.%x", h->bus, h->dev, h->func);
	la_json_str(j, "name", h->name);
	la_json_str(j, "type", h->type);
	la_json_str(j, "slot", at);
}

/* What a slot is to hold: the descriptor la-vmctl passed, the image's
 * path or the tap's name (malloc'd), and a net's MAC (NULL: a disk). */
struct la_control_backing {
	int fd;
	char *name;
	bool ro;
	const uint8_t *mac;
};

/* A device of type t (create's options o) in the first empty slot, b
 * kept for it; what (a prefix for messages: "add disk: 'x.img'") says
 * why not, and then b's descriptor is closed and its name freed.
 * returns: LA_CTL_OK or the reply's code */
static enum la_ctl_code la_control_plug(struct la_control *c, const struct la_dev_desc *t,
					const void *o, const struct la_control_backing *b,
					const char *what, struct la_vm_hp_info *h, char *why,
					size_t whylen)
{
	int err = la_vm_hotplug_add(c->vm, t, o, h);

	if (!err && h->index >= LA_HOTPLUG_SLOTS_MAX)
		err = -LA_ERR_INTERNAL;
	if (err) {
		close(b->fd);
		free(b->name);
		snprintf(why, whylen, "%s: %s", what, la_strerror(err));
		return err == -LA_ERR_SLOTSFULL ? LA_CTL_FULL :
		       err == -LA_ERR_NOHOTPLUG ? LA_CTL_UNSUPPORTED : LA_CTL_FAILED;
	}
	la_control_forget(c, h->index);
	c->hp_fd[h->index] = b->fd;
	c->hp_path[h->index] = b->name;
	c->hp_ro[h->index] = b->ro;
	c->hp_net[h->index] = b->mac != NULL;
	if (b->mac)
		memcpy(c->hp_mac[h->index], b->mac, 6);
	return LA_CTL_OK;
}

/* add net: the tap la-vmctl opened and passed (fd; the jail has no
 * /dev/net/tun), checked here, then a virtio-net device in the first
 * empty slot. The userspace backend only: vhost-net would need
 * /dev/vhost-net opened and owned (VHOST_SET_OWNER binds it to the
 * caller's memory, so la-vmctl cannot do it) and its setup ioctls in
 * this thread's allowlist; vhost=on is refused. */
static enum la_ctl_code la_control_add_net(struct la_control *c, const struct la_ctl_req *r,
					   int fd, struct la_json *j, char *why, size_t whylen)
{
	struct la_vnet_opts o = { .fd = fd, .vhost_fd = -1 };
	struct la_vm_hp_info h;
	char w[160], what[40], *name;
	enum la_ctl_code code;
	int err;

	if (r->vhost == LA_CTL_VHOST_ON) {
		if (fd >= 0)
			close(fd);
		snprintf(why, whylen, "add net: tap %s: vhost=on: a hot-plugged network device "
			 "has the userspace backend only (vhost=off, or no vhost=)", r->path);
		return LA_CTL_UNSUPPORTED;
	}
	if (fd < 0) {
		snprintf(why, whylen, "add net: tap %s: no descriptor came with the request (the "
			 "VM cannot open /dev/net/tun: its jail's root is empty); la-vmctl opens "
			 "the tap and passes it", r->path);
		return LA_CTL_BAD_REQUEST;
	}
	snprintf(o.tap, sizeof(o.tap), "%.*s", LA_VNET_TAP_NAME_MAX, r->path);
	if (r->has_mac)
		memcpy(o.mac, r->mac, 6);
	else /* after the --net ones', one more each add */
		la_vnet_default_mac(c->a->nnets + c->nets_added, o.mac);
	name = strdup(r->path);
	if (!name) {
		close(fd);
		snprintf(why, whylen, "add net: out of memory");
		return LA_CTL_FAILED;
	}
	err = la_vnet_adopt(&o, w, sizeof(w));
	if (err) {
		free(name);
		snprintf(why, whylen, "add net: tap %s: %s", r->path, w);
		return err == -LA_ERR_BADVALUE ? LA_CTL_BAD_REQUEST : LA_CTL_FAILED;
	}
	snprintf(what, sizeof(what), "add net: tap %s", o.tap);
	code = la_control_plug(c, &la_dev_virtio_net, &o, &(struct la_control_backing){
			       .fd = o.fd, .name = name, .mac = o.mac }, what, &h, why, whylen);
	if (code)
		return code;
	if (!r->has_mac)
		c->nets_added++;
	la_control_hp_json(j, &h);
	la_control_net_json(j, c, h.index);
	return LA_CTL_OK;
}

/* add disk: the image la-vmctl opened and passed (fd), locked and sized
 * here, then a virtio-blk device in the first empty slot. */
static enum la_ctl_code la_control_add(void *ctx, const struct la_ctl_req *r, int fd,
				       struct la_json *j, char *why, size_t whylen)
{
	struct la_control *c = ctx;
	struct la_vblk_opts o = { .fd = fd, .ro = r->ro, .direct = r->direct };
	struct la_vm_hp_info h;
	char w[160], what[120], *path;
	enum la_ctl_code code;

	if (r->device == LA_CTL_DEV_NET)
		return la_control_add_net(c, r, fd, j, why, whylen);
	if (fd < 0) {
		snprintf(why, whylen, "add disk: '%.100s': no descriptor came with the request "
			 "(the VM cannot open paths: its jail's root is empty); la-vmctl opens "
			 "PATH and passes it", r->path);
		return LA_CTL_BAD_REQUEST;
	}
	path = strdup(r->path);
	if (!path) {
		close(fd);
		snprintf(why, whylen, "add disk: out of memory");
		return LA_CTL_FAILED;
	}
	o.path = path;
	snprintf(o.serial, sizeof(o.serial), "%s", r->serial);
	if (la_vblk_adopt(&o, w, sizeof(w))) {
		snprintf(why, whylen, "add disk: '%.100s': %s", r->path, w);
		free(path);
		return LA_CTL_FAILED;
	}
	snprintf(what, sizeof(what), "add disk: '%.100s'", r->path);
	code = la_control_plug(c, &la_dev_virtio_blk, &o, &(struct la_control_backing){
			       .fd = o.fd, .name = path, .ro = o.ro }, what, &h, why, whylen);
	if (!code)
		la_control_hp_json(j, &h);
	return code;
}

/* remove: the guest asked to release the device, waited for. */
static enum la_ctl_code la_control_remove(void *ctx, const struct la_ctl_req *r,
					  struct la_json *j, char *why, size_t whylen)
{
	struct la_control *c = ctx;
	struct la_vm_hp_info h = { 0 };
	int err = la_vm_hotplug_remove(c->vm, r->bus, r->dev, r->func, LA_CONTROL_EJECT_MS, &h);

	if (err == -LA_ERR_EJECTTIMEOUT) {
		snprintf(why, whylen, "remove: %02x:%02x.%x (%s): the guest did not release it "
			 "within %d s; it stays (is the guest's acpiphp driver there?)", r->bus,
			 r->dev, r->func, h.name, LA_CONTROL_EJECT_MS / 1000);
		return LA_CTL_TIMEOUT;
	}
	if (err) {
		snprintf(why, whylen, "remove: %02x:%02x.%x: %s", r->bus, r->dev, r->func,
			 la_strerror(err));
		return err == -LA_ERR_NOTPLUGGED ? LA_CTL_NO_DEVICE : LA_CTL_UNSUPPORTED;
	}
	if (h.index < LA_HOTPLUG_SLOTS_MAX)
		la_control_forget(c, h.index);
	la_control_hp_json(j, &h);
	return LA_CTL_OK;
}

/* suspend, resume: through the virtual PMC (lib/dev/pmc.h). */
static enum la_ctl_code la_control_pmc(struct la_control *c, bool resume, char *why,
				       size_t whylen)
{
	struct la_pmc *p = la_vm_dev_state(c->vm, &la_dev_vpmc);
	enum la_pmc_result r = resume ? la_pmc_resume(p, LA_CONTROL_SUSPEND_MS) :
					la_pmc_suspend(p, LA_CONTROL_SUSPEND_MS);

	if (r == LA_PMC_ALREADY) {
		snprintf(why, whylen, "%s: the guest is %s", resume ? "resume" : "suspend",
			 resume ? "not suspended" : "suspended already (la-vmctl resume wakes it)");
		return LA_CTL_STATE;
	}
	if (r == LA_PMC_TIMEOUT && resume) {
		snprintf(why, whylen, "resume: the guest did not leave s2idle within %d s (is its "
			 "sleep button's wakeup enabled? /proc/acpi/wakeup)",
			 LA_CONTROL_SUSPEND_MS / 1000);
		return LA_CTL_TIMEOUT;
	}
	if (r == LA_PMC_TIMEOUT) {
		snprintf(why, whylen, "suspend: the guest did not enter s2idle within %d s (does "
			 "it act on its sleep button? echo freeze > /sys/power/state)",
			 LA_CONTROL_SUSPEND_MS / 1000);
		return LA_CTL_TIMEOUT;
	}
	return LA_CTL_OK;
}

static enum la_ctl_code la_control_suspend(void *ctx, char *why, size_t whylen)
{
	return la_control_pmc(ctx, false, why, whylen);
}

static enum la_ctl_code la_control_resume(void *ctx, char *why, size_t whylen)
{
	return la_control_pmc(ctx, true, why, whylen);
}

/* As Ctrl-A x: a power-off, exit 0 (unless the guest decided first). */
static int la_control_stop(void *ctx)
{
	struct la_control *c = ctx;
	struct la_vm_status vs;

	la_vm_request_exit(c->vm, LA_FATE_POWEROFF, "la-vmctl stop");
	la_vm_status(c->vm, &vs);
	return vs.fate;
}

static void *la_control_thread(void *p)
{
	struct la_control *c = p;
	const bool hp = la_vm_hotplug_slots(c->vm) > 0;
	const bool pmc = la_vm_dev_state(c->vm, &la_dev_vpmc) != NULL;
	const struct la_ctl_ops ops = {
		.ctx = c, .status = la_control_status, .list = la_control_list,
		.stop = la_control_stop, .add = hp ? la_control_add : NULL,
		.remove = hp ? la_control_remove : NULL,
		.suspend = pmc ? la_control_suspend : NULL,
		.resume = pmc ? la_control_resume : NULL,
	};

	pthread_setname_np(pthread_self(), "la-ctl");
	la_sandbox_set_thread(LA_THREAD_CONTROL, 0);
	c->filter_err = la_sandbox_filter_install("la-vmrun", LA_THREAD_CONTROL, c->a->seccomp);
	c->filter_errno = errno;
	sem_post(&c->ready);
	if (c->filter_err)
		return NULL;
	la_sandbox_test_hook("control");
	la_ctl_serve(c->a->control_fd, c->stop_fd, &ops);
	return NULL;
}

int la_vmrun_control_start(struct la_vmrun *a, struct la_vm *vm, int stop_fd,
			   struct la_control **out)
{
	struct la_control *c = calloc(1, sizeof(*c));
	int err;

	*out = NULL;
	if (!c) {
		fprintf(stderr, "la-vmrun: --control: out of memory\n");
		return 1;
	}
	*c = (struct la_control){ .a = a, .vm = vm, .stop_fd = stop_fd };
	clock_gettime(CLOCK_MONOTONIC, &c->t0);
	sem_init(&c->ready, 0, 0);
	err = la_vm_thread_create(&c->t, la_control_thread, c);

	if (err) {
		fprintf(stderr, "la-vmrun: --control: cannot start its thread: %s\n",
			strerror(err));
		free(c);
		return 1;
	}
	*out = c;
	while (sem_wait(&c->ready) != 0 && errno == EINTR)
		;
	if (!c->filter_err)
		return 0;
	fprintf(stderr, "la-vmrun: seccomp filter of the control thread: %s\n",
		c->filter_errno ? strerror(c->filter_errno) : la_strerror(c->filter_err));
	return 1;
}

void la_vmrun_control_join(struct la_control *c)
{
	if (!c)
		return;
	pthread_join(c->t, NULL);
	sem_destroy(&c->ready);
	/* the images' descriptors go with the process; their paths here */
	for (unsigned i = 0; i < LA_HOTPLUG_SLOTS_MAX; i++)
		free(c->hp_path[i]);
	free(c);
}
