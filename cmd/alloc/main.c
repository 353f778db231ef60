/* SPDX-License-Identifier: MIT */
/*
 * la-alloc: crosvm's system resource allocator for a VM, and the requests
 * a user (or the device table) makes of it, carried out in command-line
 * order. Options are parsed in main.c; requests run in run.c; output is
 * printed by print.c.
 */
#include <argp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "alloc.h"
#include "cli.h"
#include "err.h"
#include "size.h"

enum {
	KEY_MMIO = 0x2000, KEY_IO, KEY_IRQ, KEY_GPE, KEY_PCI, KEY_AT, KEY_RESERVE,
	KEY_RELEASE, KEY_PSTORE, KEY_MMIO_RANGE, KEY_DEVICE, KEY_POOL, KEY_ALLOC,
	KEY_MIN_ALIGN, KEY_PREF_ALIGN, KEY_KEEP_GOING, KEY_PLATFORM, KEY_HOTPLUG,
	KEY_JSON = 'j',
};

static const struct argp_option la_alloc_options[] = {
	{ NULL, 0, NULL, 0, "Requests of the system allocator (carried out in order):", 2 },
	{ "mmio", KEY_MMIO, "NAME=SIZE[,align=A][,prefetchable][,top-down][,max=ADDR]", 0,
	  "MMIO: prefetchable without max= goes to high MMIO (low if high is full), "
	  "everything else to low MMIO; max= below 0xffffffff cannot be met", 0 },
	{ "io", KEY_IO, "NAME=SIZE[,align=A]", 0,
	  "IO ports from 0xc000 (x86_64 only), at least 0x400-aligned", 0 },
	{ "irq", KEY_IRQ, "NAME", 0, "The lowest free IRQ from the arch's first IRQ to 1023", 0 },
	{ "gpe", KEY_GPE, "NAME", 0, "The lowest free ACPI GPE, 0 to 255", 0 },
	{ "pci", KEY_PCI, "NAME[,bus=B]", 0,
	  "The next PCI address on bus B (default 0; bus 0 starts at 00:01.0): whole "
	  "devices first, then single functions", 0 },
	{ "at", KEY_AT, "NAME=START-END", 0,
	  "Exactly START to END (inclusive): MMIO (low, then high), or the pool with --pool", 0 },
	{ "reserve-mmio", KEY_RESERVE, "START-END", 0,
	  "Reserve START to END in every MMIO pool it touches (grants named reserveN)", 0 },
	{ "release", KEY_RELEASE, "NAME", 0,
	  "Give back a grant, or all grants of device NAME", 0 },
	{ "pstore", KEY_PSTORE, "SIZE", 0,
	  "Carve a pstore (ramoops) region from the start of high MMIO, as --device pstore", 0 },
	{ "mmio-range", KEY_MMIO_RANGE, "START-END", 0,
	  "Restrict low and high MMIO to these windows (repeatable, applied first)", 0 },
	{ "device", KEY_DEVICE, "TYPE[,name=N][,size=S]", 0,
	  "The resources TYPE gets when la-vmrun builds a VM: serial (next free COM), "
	  "com1..com4, rtc, i8042, debugcon, pstore (size=S), virtio-blk, virtio-net, "
	  "virtio-rng, virtio-console, virtio-vsock, pvpanic, fw-cfg, pflash (size=S: its "
	  "image below the BIOS), vmwdt, cpufreq, acpi-pm, post, vpmc (la-vmrun --control's, "
	  "after --pci-hotplug-slots), battery (aarch64: the goldfish battery)", 0 },
	{ "platform", KEY_PLATFORM, NULL, 0,
	  "First the devices the arch's build_vm creates (as la-vmrun and la-mkfdt "
	  "have them: x86_64 i8042, rtc, com1-4, debugcon, post, acpi-pm; aarch64 rtc, vmwdt, "
	  "com1-4, cpufreq; riscv64 com1-4)", 0 },
	{ "pci-hotplug-slots", KEY_HOTPLUG, "N", 0,
	  "x86_64: what la-vmrun --pci-hotplug-slots N reserves: the ACPI hot-plug "
	  "controller (pci-hotplug0: 16 IO ports, a GPE) and N slots (hotplug-slot0..: a "
	  "slot, a 32 KiB BAR 0 window, an INTx IRQ, as a virtio device's), N from 1 to 16", 0 },
	{ NULL, 0, NULL, 0, "Pool mode (one address allocator, no arch configuration):", 3 },
	{ "pool", KEY_POOL, "START-END", 0, "A pool of the allocator (repeatable)", 0 },
	{ "min-align", KEY_MIN_ALIGN, "A", 0, "Minimum alignment (default 4)", 0 },
	{ "preferred-align", KEY_PREF_ALIGN, "A", 0,
	  "Preferred alignment, tried first (default: the minimum)", 0 },
	{ "alloc", KEY_ALLOC, "NAME=SIZE[,align=A][,reverse]", 0,
	  "First fit upward (reverse: last fit downward), at the preferred alignment "
	  "then the minimum; align=A tries only max(A, minimum)", 0 },
	{ NULL, 0, NULL, 0, "Output:", 4 },
	{ "keep-going", KEY_KEEP_GOING, NULL, 0,
	  "Report a request that cannot be met in the output and carry on", 0 },
	{ "json", KEY_JSON, NULL, 0, "Print one JSON object", 0 },
	{ 0 }
};

static void la_bad(struct argp_state *state, const char *opt, const char *arg,
		   const char *why)
{
	argp_failure(state, 2, 0, "%s: '%s': %s", opt, arg, why);
}

/* NAME: 1 to 63 printable characters, none of = , or space. */
static void la_parse_name(struct argp_state *state, const char *opt, const char *arg,
			  const char *s, size_t n, char *out)
{
	if (n == 0)
		la_bad(state, opt, arg, "missing NAME");
	if (n >= LA_ALLOC_NAME_MAX)
		la_bad(state, opt, arg, "NAME is longer than 63 characters");
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~' || s[i] == ',' || s[i] == '=')
			la_bad(state, opt, arg, "NAME has a character other than printable ASCII");
	memcpy(out, s, n);
	out[n] = 0;
}

/* The size s (n bytes of arg, no NUL needed), named what in a message. */
static uint64_t la_parse_size_field(struct argp_state *state, const char *opt, const char *arg,
				    const char *what, const char *s, size_t n)
{
	uint64_t v;
	int err = la_parse_size_n(s, n, &v);

	if (err)
		argp_failure(state, 2, 0, "%s: '%s': %s '%.*s' %s", opt, arg, what, (int)n, s,
			     err == -LA_ERR_RANGE ? "is larger than 2^64-1"
						  : "is not a size (use K, M, G or T)");
	return v;
}

static uint64_t la_parse_size_opt(struct argp_state *state, const char *opt, const char *arg,
				  const char *what, const char *s)
{
	return la_parse_size_field(state, opt, arg, what, s, strlen(s));
}

static struct la_range la_parse_range_opt(struct argp_state *state, const char *opt,
					  const char *arg, const char *s)
{
	struct la_range r;
	int err = la_parse_range(s, &r);

	if (err == -LA_ERR_BADVALUE)
		la_bad(state, opt, arg, "START is above END");
	if (err == -LA_ERR_RANGE)
		la_bad(state, opt, arg, "a value is larger than 2^64-1");
	if (err)
		la_bad(state, opt, arg, "not START-END (inclusive; numbers, 0x hex or K/M/G/T)");
	return r;
}

/* Split "NAME=REST" (rest may be NULL when no '=' and want_rest is false). */
static const char *la_split_name(struct argp_state *state, struct la_req *r, bool want_rest)
{
	const char *eq = strchr(r->arg, '=');
	const char *comma = strchr(r->arg, ',');

	if (want_rest) {
		if (!eq)
			la_bad(state, r->opt, r->arg, "not NAME=VALUE");
		la_parse_name(state, r->opt, r->arg, r->arg, (size_t)(eq - r->arg), r->name);
		return eq + 1;
	}
	la_parse_name(state, r->opt, r->arg, r->arg,
		      comma ? (size_t)(comma - r->arg) : strlen(r->arg), r->name);
	return comma ? comma + 1 : NULL;
}

/* Is key ("align=", "reverse") one of the space-separated allowed ones? */
static bool la_key_allowed(const char *allowed, const char *key)
{
	size_t n = strlen(key);

	for (const char *p = allowed; *p;) {
		const char *sp = strchr(p, ' ');
		size_t m = sp ? (size_t)(sp - p) : strlen(p);

		if (m == n && !strncmp(p, key, n))
			return true;
		p += m;
		while (*p == ' ')
			p++;
	}
	return false;
}

/* The ,key[=value] list after a request's first field. */
static void la_parse_keys(struct argp_state *state, struct la_req *r, const char *keys,
			  const char *allowed)
{
	char buf[256], why[160];
	char *save = NULL;

	if (!keys)
		return;
	if (!*keys || *keys == ',' || strstr(keys, ",,") || keys[strlen(keys) - 1] == ',')
		la_bad(state, r->opt, r->arg, "an empty field between commas");
	if (strlen(keys) >= sizeof(buf))
		la_bad(state, r->opt, r->arg, "the ,KEY=VALUE list is longer than 255 characters");
	strcpy(buf, keys);
	for (char *k = strtok_r(buf, ",", &save); k; k = strtok_r(NULL, ",", &save)) {
		char *v = strchr(k, '=');
		char key[32];
		size_t kn = v ? (size_t)(v - k) : strlen(k);

		/* no allowed key is that long: refuse it whole, never cut */
		if (kn + 2 > sizeof(key))
			key[0] = 0;
		else
			snprintf(key, sizeof(key), "%.*s%s", (int)kn, k, v ? "=" : "");
		if (!key[0] || !la_key_allowed(allowed, key)) {
			snprintf(why, sizeof(why), "unknown '%s' (use %s)", k, allowed);
			la_bad(state, r->opt, r->arg, why);
		}
		if (v)
			v++;
		if (!strcmp(key, "align=")) {
			r->has_align = true;
			r->align = la_parse_size_opt(state, r->opt, r->arg, "align", v);
		} else if (!strcmp(key, "max=")) {
			r->mmio.max_address = la_parse_size_opt(state, r->opt, r->arg, "max", v);
		} else if (!strcmp(key, "size=")) {
			r->has_size = true;
			r->size = la_parse_size_opt(state, r->opt, r->arg, "size", v);
		} else if (!strcmp(key, "prefetchable")) {
			r->mmio.prefetchable = true;
		} else if (!strcmp(key, "top-down")) {
			r->mmio.top_down = true;
		} else if (!strcmp(key, "reverse")) {
			r->reverse = true;
		} else if (!strcmp(key, "bus=")) {
			uint64_t b;

			if (la_parse_u64(v, &b) || b > 255)
				la_bad(state, r->opt, r->arg, "bus is not a number from 0 to 255");
			r->bus = (uint8_t)b;
		} else if (!strcmp(key, "name=")) {
			if (strchr(v, '.'))
				la_bad(state, r->opt, r->arg, "a device name has no '.'");
			if (strlen(v) > LA_DEV_NAME_MAX)
				la_bad(state, r->opt, r->arg, "a device name has at most 40 characters");
			la_parse_name(state, r->opt, r->arg, v, strlen(v), r->name);
		}
	}
}

static void la_parse_device(struct argp_state *state, struct la_req *r)
{
	const char *comma = strchr(r->arg, ',');
	size_t n = comma ? (size_t)(comma - r->arg) : strlen(r->arg);
	char type[32];
	bool sized;

	type[0] = 0; /* a TYPE too long for type is no TYPE: refused whole, never cut */
	if (n < sizeof(type))
		snprintf(type, sizeof(type), "%.*s", (int)n, r->arg);
	r->serial_auto = !strcmp(type, "serial");
	r->dev = type[0] ? la_dev_lookup(type) : NULL;
	if (!r->dev && !r->serial_auto) {
		char names[512], why[600];

		la_dev_names(names, sizeof(names));
		snprintf(why, sizeof(why), "unknown TYPE (use serial, %s)", names);
		la_bad(state, r->opt, r->arg, why);
	}
	r->name[0] = 0;
	la_parse_keys(state, r, comma ? comma + 1 : NULL, "name= size=");
	sized = r->dev && (!strcmp(r->dev->name, "pstore") || !strcmp(r->dev->name, "pflash"));
	if (sized != r->has_size)
		la_bad(state, r->opt, r->arg, r->has_size ? "only pstore and pflash take size=" :
		       !strcmp(r->dev->name, "pstore") ? "pstore needs size=SIZE" :
		       "pflash needs size=SIZE (its image's bytes)");
	if (r->has_size && r->size == 0)
		la_bad(state, r->opt, r->arg, !strcmp(r->dev->name, "pstore") ?
		       "the pstore size must not be 0" : "the pflash size must not be 0");
}

static void la_parse_request(struct argp_state *state, struct la_req *r)
{
	const char *rest;

	r->mmio = LA_MMIO_OPTS_DEFAULT;
	switch (r->type) {
	case LA_REQ_MMIO:
	case LA_REQ_IO:
	case LA_REQ_ALLOC: {
		const char *comma;

		rest = la_split_name(state, r, true);
		comma = strchr(rest, ',');
		r->size = la_parse_size_field(state, r->opt, r->arg, "SIZE", rest,
					      comma ? (size_t)(comma - rest) : strlen(rest));
		la_parse_keys(state, r, comma ? comma + 1 : NULL,
			      r->type == LA_REQ_MMIO ? "align= prefetchable top-down max="
			      : r->type == LA_REQ_IO ? "align=" : "align= reverse");
		r->mmio.has_align = r->has_align;
		r->mmio.align = r->align;
		break;
	}
	case LA_REQ_IRQ:
	case LA_REQ_GPE:
	case LA_REQ_RELEASE:
		if (la_split_name(state, r, false))
			la_bad(state, r->opt, r->arg, "takes only a NAME");
		break;
	case LA_REQ_PCI:
		la_parse_keys(state, r, la_split_name(state, r, false), "bus=");
		break;
	case LA_REQ_AT:
		rest = la_split_name(state, r, true);
		r->range = la_parse_range_opt(state, r->opt, r->arg, rest);
		break;
	case LA_REQ_RESERVE:
	case LA_REQ_MMIO_RANGE:
	case LA_REQ_POOL:
		r->range = la_parse_range_opt(state, r->opt, r->arg, r->arg);
		break;
	case LA_REQ_PSTORE:
		r->size = la_parse_size_opt(state, r->opt, r->arg, "SIZE", r->arg);
		if (r->size == 0)
			la_bad(state, r->opt, r->arg, "the pstore size must not be 0");
		r->has_size = true;
		r->dev = la_dev_lookup("pstore");
		break;
	case LA_REQ_DEVICE:
		la_parse_device(state, r);
		break;
	case LA_REQ_HOTPLUG: {
		char *end;
		unsigned long n = strtoul(r->arg, &end, 10);

		if (end == r->arg || *end || n < 1 || n > LA_HOTPLUG_SLOTS_MAX)
			la_bad(state, r->opt, r->arg, "not a number of slots from 1 to 16");
		r->size = n;
		break;
	}
	}
}

static const struct {
	int key;
	enum la_req_type type;
	const char *opt;
} la_req_keys[] = {
	{ KEY_MMIO, LA_REQ_MMIO, "--mmio" }, { KEY_IO, LA_REQ_IO, "--io" },
	{ KEY_IRQ, LA_REQ_IRQ, "--irq" }, { KEY_GPE, LA_REQ_GPE, "--gpe" },
	{ KEY_PCI, LA_REQ_PCI, "--pci" }, { KEY_AT, LA_REQ_AT, "--at" },
	{ KEY_RESERVE, LA_REQ_RESERVE, "--reserve-mmio" },
	{ KEY_RELEASE, LA_REQ_RELEASE, "--release" },
	{ KEY_PSTORE, LA_REQ_PSTORE, "--pstore" },
	{ KEY_MMIO_RANGE, LA_REQ_MMIO_RANGE, "--mmio-range" },
	{ KEY_DEVICE, LA_REQ_DEVICE, "--device" }, { KEY_POOL, LA_REQ_POOL, "--pool" },
	{ KEY_ALLOC, LA_REQ_ALLOC, "--alloc" },
	{ KEY_HOTPLUG, LA_REQ_HOTPLUG, "--pci-hotplug-slots" },
};

static void la_add_request(struct argp_state *state, struct la_alloc_args *a, int key,
			   char *arg)
{
	struct la_req *r;

	for (unsigned i = 0; i < sizeof(la_req_keys) / sizeof(la_req_keys[0]); i++) {
		if (la_req_keys[i].key != key)
			continue;
		r = realloc(a->req, (a->nreq + 1) * sizeof(*r));
		if (!r)
			argp_failure(state, 1, 0, "out of memory");
		a->req = r;
		r = &a->req[a->nreq++];
		memset(r, 0, sizeof(*r));
		r->type = la_req_keys[i].type;
		r->opt = la_req_keys[i].opt;
		r->arg = arg;
		la_parse_request(state, r);
		return;
	}
}

static uint64_t la_parse_align_opt(struct argp_state *state, const char *opt, const char *arg)
{
	uint64_t v = la_parse_size_opt(state, opt, arg, "A", arg);

	if (!la_is_pow2(v))
		la_bad(state, opt, arg, la_strerror(-LA_ERR_BADALIGN));
	return v;
}

static error_t la_alloc_parse(int key, char *arg, struct argp_state *state)
{
	struct la_alloc_args *a = state->input;

	switch (key) {
	case KEY_JSON:
		a->json = true;
		return 0;
	case KEY_PLATFORM:
		a->platform = true;
		return 0;
	case KEY_KEEP_GOING:
		a->keep_going = true;
		return 0;
	case KEY_MIN_ALIGN:
		a->pool_opts.has_min_align = true;
		a->pool_opts.min_align = la_parse_align_opt(state, "--min-align", arg);
		a->min_align_arg = arg;
		return 0;
	case KEY_PREF_ALIGN:
		a->pool_opts.has_preferred_align = true;
		a->pool_opts.preferred_align = la_parse_align_opt(state, "--preferred-align", arg);
		a->pref_align_arg = arg;
		return 0;
	case ARGP_KEY_END:
		la_alloc_check_mode(state, a);
		return 0;
	default:
		if ((key >= KEY_MMIO && key <= KEY_ALLOC) || key == KEY_HOTPLUG) {
			la_add_request(state, a, key, arg);
			return 0;
		}
		return la_cli_key(key, arg, state, &a->vm);
	}
}

LA_CLI_PROGRAM("la-alloc");

static const struct argp la_alloc_argp = {
	.options = la_alloc_options,
	.parser = la_alloc_parse,
	.doc = "Show the resources crosvm's SystemAllocator gives a VM: its configuration "
	       "for the arch, each request's grant in command-line order, and what is left "
	       "free.\v"
	       "Examples:\n"
	       "  la-alloc --arch x86_64 --mem 8G --phys-bits 46 --json\n"
	       "  la-alloc --arch aarch64 --mem 2G --device virtio-blk --device virtio-net\n"
	       "  la-alloc --pool 0x1000-0x1fff --alloc a=0x80 --alloc b=0x100,reverse\n\n"
	       "Exit status: 0 every request granted, 1 a request could not be met (or a "
	       "file could not be read), 2 bad options or a malformed request.",
	.children = la_cli_vm_children,
};

int main(int argc, char **argv)
{
	struct la_alloc_args a = { 0 };
	int status;

	la_cli_parse(&la_alloc_argp, argc, argv, &a);
	status = la_alloc_run(&a);
	free(a.req);
	return la_cli_flush() ? 1 : status;
}
