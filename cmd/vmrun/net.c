/* SPDX-License-Identifier: MIT */
/*
 * la-vmrun --net: virtio-net devices on taps. The option in its peers'
 * spellings (crosvm --net tap-name=NAME,mac=MAC; kvmtool -n
 * mode=tap,tapif=NAME,guest_mac=MAC), the taps opened before KVM is, and
 * what --explain says of each.
 */
#include <argp.h>
#include <ctype.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "vmrun.h"

#define LA_NET_SYNTAX "tap=NAME|tap[,mac=MAC][,vhost=on|off]"

/* A name the kernel takes for an interface (dev_valid_name). */
static bool la_net_name_ok(const char *s)
{
	if (!*s || strlen(s) > LA_VNET_TAP_NAME_MAX || !strcmp(s, ".") || !strcmp(s, ".."))
		return false;
	for (; *s; s++)
		if (*s == '/' || *s == ':' || isspace((unsigned char)*s))
			return false;
	return true;
}

static void la_net_tap(struct argp_state *state, const char *arg, struct la_vnet_opts *o,
		       const char *name)
{
	if (o->tap[0] || o->create)
		argp_failure(state, 2, 0, "--net: '%s': the tap given twice", arg);
	if (!la_net_name_ok(name))
		argp_failure(state, 2, 0, "--net: '%s': '%s' is not an interface name (1 to %d "
			     "characters, no '/', ':' or space)", arg, name, LA_VNET_TAP_NAME_MAX);
	snprintf(o->tap, sizeof(o->tap), "%s", name);
}

static void la_net_key(struct argp_state *state, const char *arg, struct la_vnet_opts *o,
		       const char *tok, bool *mac)
{
	const char *eq = strchr(tok, '='), *val = eq ? eq + 1 : NULL;
	size_t klen = eq ? (size_t)(eq - tok) : strlen(tok);
	int err;

#define KEY(k) (klen == strlen(k) && !strncmp(tok, k, klen))
	if (!eq && KEY("tap")) {
		if (o->tap[0] || o->create)
			argp_failure(state, 2, 0, "--net: '%s': the tap given twice", arg);
		o->create = true;
	} else if (eq && (KEY("tap") || KEY("tap-name") || KEY("tapif"))) {
		la_net_tap(state, arg, o, val);
	} else if (eq && KEY("mode")) {
		if (strcmp(val, "tap"))
			argp_failure(state, 2, 0, "--net: '%s': mode=%s: la-vmrun's network is a "
				     "tap only (mode=tap)", arg, val);
	} else if (eq && (KEY("mac") || KEY("guest_mac"))) {
		err = la_vnet_mac_parse(val, o->mac);
		if (err == -LA_ERR_RANGE)
			argp_failure(state, 2, 0, "--net: '%s': mac=%s: a multicast or all-zero "
				     "address; the guest needs a unicast one (first octet even)",
				     arg, val);
		if (err)
			argp_failure(state, 2, 0, "--net: '%s': mac=%s: not a MAC address (six hex "
				     "pairs: 52:54:00:12:34:56)", arg, val);
		*mac = true;
	} else if (eq && KEY("vhost")) {
		if (!strcmp(val, "on"))
			o->backend = LA_VNET_VHOST;
		else if (!strcmp(val, "off"))
			o->backend = LA_VNET_USERSPACE;
		else
			argp_failure(state, 2, 0, "--net: '%s': vhost=%s: on or off", arg, val);
	} else {
		argp_failure(state, 2, 0, "--net: '%s': unknown key '%.*s' (%s)", arg, (int)klen,
			     tok, LA_NET_SYNTAX);
	}
#undef KEY
}

void la_vmrun_net_opt(struct argp_state *state, struct la_vmrun *a, const char *arg)
{
	struct la_vnet_opts *o;
	char *copy, *save = NULL, *tok;
	bool mac = false;

	if (a->nnets >= LA_VMRUN_MAX_NETS)
		argp_failure(state, 2, 0, "--net: '%s': at most %d network devices", arg,
			     LA_VMRUN_MAX_NETS);
	copy = strdup(arg);
	if (!copy)
		argp_failure(state, 1, 0, "--net: out of memory");
	o = &a->net[a->nnets].o;
	*o = (struct la_vnet_opts){ .fd = -1 };
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		la_net_key(state, arg, o, tok, &mac);
	free(copy);
	if (!o->tap[0] && !o->create)
		argp_failure(state, 2, 0, "--net: '%s': no tap (%s)", arg, LA_NET_SYNTAX);
	for (unsigned i = 0; o->tap[0] && i < a->nnets; i++)
		if (!strcmp(a->net[i].o.tap, o->tap))
			argp_failure(state, 2, 0, "--net: '%s': tap %s is given to another --net "
				     "already", arg, o->tap);
	if (!mac)
		la_vnet_default_mac(a->nnets, o->mac);
	a->net[a->nnets++].arg = arg;
}

/* Whether this host's vhost-net could serve a VM (auto: it is the
 * faster where it is usable). No vhost-net backend yet: never. */
static bool la_net_vhost_usable(void)
{
	return false;
}

const char *la_vmrun_net_backend(const struct la_vnet_opts *o)
{
	if (o->backend == LA_VNET_VHOST ||
	    (o->backend == LA_VNET_AUTO && la_net_vhost_usable()))
		return "vhost-net";
	return "userspace";
}

void la_vmrun_open_nets(struct la_vmrun *a)
{
	char why[200];

	for (unsigned i = 0; i < a->nnets; i++) {
		struct la_vnet_opts *o = &a->net[i].o;

		if (o->backend == LA_VNET_VHOST)
			la_cli_fail("--net", a->net[i].arg, 1, "vhost=on: la-vmrun has no "
				    "vhost-net backend yet");
		if (la_vnet_open(o, why, sizeof(why)))
			la_cli_fail("--net", o->create ? "tap" : o->tap, 1, "%s", why);
		if (o->create)
			fprintf(stderr, "la-vmrun: --net: made tap %s for %s (down, no address; "
				"it goes when la-vmrun exits)\n", o->ifname, a->net[i].name);
	}
}

void la_vmrun_close_nets(struct la_vmrun *a)
{
	for (unsigned i = 0; i < a->nnets; i++)
		if (a->net[i].o.fd >= 0)
			close(a->net[i].o.fd);
}
