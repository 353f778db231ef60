/* SPDX-License-Identifier: MIT */
/*
 * la-vmctl: ask a running la-vmrun --control PATH: its devices, its
 * status, to stop; one request, one reply (lib/ctl.h's protocol).
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ctl.h"
#include "err.h"
#include "virtio/devices.h"

/* a reply's bytes at most: a list of every device fits many times */
#define LA_VMCTL_REPLY_MAX (1u << 20)
#define LA_VMCTL_ARGS_MAX 4

enum { K_JSON = 'j', K_TIMEOUT = 't' };

struct la_vmctl {
	const char *arg[LA_VMCTL_ARGS_MAX];
	unsigned nargs;
	bool json;
	unsigned timeout_s;
	json_t *req;
	int pass_fd;          /* add disk's image, add net's tap: opened here, sent along */
};

#define LA_VMCTL_NET_SYNTAX "tap=NAME|tap[,mac=MAC][,vhost=on|off]"
#define LA_VMCTL_COMMANDS "list, status, stop, add, remove, suspend, resume"


static const struct argp_option la_vmctl_options[] = {
	{ "json", K_JSON, NULL, 0, "Print the VM's reply as it came, one JSON object (schema "
	  "la-vmctl-schema 1, see CONTROL SOCKET in la-vmrun(1))", 0 },
	{ "timeout", K_TIMEOUT, "SECS", 0, "Wait at most SECS seconds to connect, send and "
	  "have the reply (default 10)", 0 },
	{ 0 }
};

/* add disk PATH[,ro][,serial=ID][,direct]: --disk's syntax */
static json_t *la_vmctl_add_disk(struct argp_state *state, const char *arg)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	json_t *r;

	if (!copy)
		argp_failure(state, 1, ENOMEM, "add disk");
	if (!copy[0] || copy[0] == ',')
		argp_failure(state, 2, 0, "add disk: '%s': no PATH (PATH[,ro][,serial=ID][,direct])",
			     arg);
	r = json_pack("{s:s, s:s, s:s}", "op", "add", "device", "disk", "path",
		      strtok_r(copy, ",", &save));
	while (r && (tok = strtok_r(NULL, ",", &save))) {
		if (!strcmp(tok, "ro") || !strcmp(tok, "direct"))
			json_object_set_new(r, tok, json_true());
		else if (!strncmp(tok, "serial=", 7) && tok[7])
			json_object_set_new(r, "serial", json_string(tok + 7));
		else
			argp_failure(state, 2, 0, "add disk: '%s': unknown option '%s' (PATH[,ro]"
				     "[,serial=ID][,direct])", arg, tok);
	}
	free(copy);
	return r;
}

/* add net tap=NAME|tap[,mac=MAC][,vhost=on|off]: --net's syntax (tap
 * alone: a new tap, made when it is opened) */
static json_t *la_vmctl_add_net(struct argp_state *state, const char *arg)
{
	char *copy = strdup(arg), *save = NULL, *tok;
	json_t *r = json_pack("{s:s, s:s}", "op", "add", "device", "net");
	bool tap = false;
	uint8_t mac[6];

	if (!copy || !r)
		argp_failure(state, 1, ENOMEM, "add net");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
		bool dup = false;

		if (!strcmp(tok, "tap") || (!strncmp(tok, "tap=", 4) && tok[4])) {
			dup = tap;
			tap = true;
			json_object_set_new(r, "tap", json_string(tok[3] ? tok + 4 : ""));
		} else if (!strncmp(tok, "mac=", 4)) {
			int err = la_vnet_mac_parse(tok + 4, mac);

			dup = json_object_get(r, "mac") != NULL;
			if (err)
				argp_failure(state, 2, 0, "add net: '%s': %s: %s", arg, tok,
					     err == -LA_ERR_RANGE ? "a multicast or all-zero address; "
					     "the guest needs a unicast one (first octet even)" :
					     "not a MAC address (six hex pairs: 52:54:00:12:34:56)");
			json_object_set_new(r, "mac", json_string(tok + 4));
		} else if (!strncmp(tok, "vhost=", 6)) {
			dup = json_object_get(r, "vhost") != NULL;
			if (strcmp(tok + 6, "on") && strcmp(tok + 6, "off"))
				argp_failure(state, 2, 0, "add net: '%s': %s: on or off", arg, tok);
			json_object_set_new(r, "vhost", json_boolean(!strcmp(tok, "vhost=on")));
		} else {
			argp_failure(state, 2, 0, "add net: '%s': unknown option '%s' (%s)", arg, tok,
				     LA_VMCTL_NET_SYNTAX);
		}
		if (dup)
			argp_failure(state, 2, 0, "add net: '%s': '%.*s' given twice", arg,
				     (int)strcspn(tok, "="), tok);
	}
	free(copy);
	if (!tap)
		argp_failure(state, 2, 0, "add net: '%s': no tap (%s)", arg, LA_VMCTL_NET_SYNTAX);
	return r;
}

/* add net: the VM cannot open /dev/net/tun in its jail; la-vmctl opens
 * the tap (or makes one: that needs CAP_NET_ADMIN, and the tap goes when
 * the VM lets it go), with the user's permissions, as --net does, and
 * passes it; the request names the tap it got. */
static void la_vmctl_open_tap(struct la_vmctl *c)
{
	const char *tap = json_string_value(json_object_get(c->req, "tap"));
	struct la_vnet_opts o = { .fd = -1 };
	char why[200], name[64];

	snprintf(o.tap, sizeof(o.tap), "%s", tap);
	snprintf(name, sizeof(name), "%s", tap[0] ? tap : "tap");
	o.create = !tap[0];
	if (!o.create && strlen(tap) > LA_VNET_TAP_NAME_MAX) {
		snprintf(why, sizeof(why), "not an interface name (1 to %d characters)",
			 LA_VNET_TAP_NAME_MAX);
	} else if (!la_vnet_open(&o, why, sizeof(why))) {
		c->pass_fd = o.fd;
		json_object_set_new(c->req, "tap", json_string(o.ifname));
		return;
	}
	json_decref(c->req); /* LeakSanitizer: nothing left at the exit */
	la_cli_fail("add net", name, 1, "%s", why);
}

/* add disk: the VM runs in a jail with an empty root and cannot open
 * PATH; la-vmctl opens it, with the user's permissions, read-write (or
 * read-only for ro), and passes the descriptor with the request. */
static void la_vmctl_open_image(struct la_vmctl *c)
{
	const char *path = json_string_value(json_object_get(c->req, "path"));
	bool ro = json_is_true(json_object_get(c->req, "ro"));

	if (!path)
		return;
	c->pass_fd = open(path, (ro ? O_RDONLY : O_RDWR) | O_CLOEXEC);
	if (c->pass_fd < 0) {
		int e = errno;
		char *copy = strdup(path);

		json_decref(c->req); /* LeakSanitizer: nothing left at the exit */
		la_cli_fail("add disk", copy ? copy : "PATH", 1, "%s", strerror(e));
	}
}

/* What add passes: the disk's image or the net's tap. */
static void la_vmctl_open_backing(struct la_vmctl *c)
{
	const char *dev = json_string_value(json_object_get(c->req, "device"));

	if (dev && !strcmp(dev, "net"))
		la_vmctl_open_tap(c);
	else if (dev)
		la_vmctl_open_image(c);
}

/* The request the command line asks for. */
static json_t *la_vmctl_request(struct argp_state *state, struct la_vmctl *c)
{
	const char *cmd = c->arg[1];
	unsigned want = 2, bus, dev, func;
	json_t *r = NULL;

	if (c->nargs < 2)
		argp_failure(state, 2, 0, c->nargs ? "no COMMAND (%s)" : "no SOCKET and COMMAND",
			     LA_VMCTL_COMMANDS);
	if (!strcmp(cmd, "list") || !strcmp(cmd, "status") || !strcmp(cmd, "stop") ||
	    !strcmp(cmd, "suspend") || !strcmp(cmd, "resume")) {
		r = json_pack("{s:s}", "op", cmd);
	} else if (!strcmp(cmd, "add")) {
		const char *what = c->nargs > 2 ? c->arg[2] : "";

		want = 4;
		if (c->nargs < 4 || (strcmp(what, "disk") && strcmp(what, "net")))
			argp_failure(state, 2, 0, "add: give 'disk PATH[,ro]' or 'net tap=NAME'");
		r = !strcmp(what, "disk") ? la_vmctl_add_disk(state, c->arg[3]) :
					    la_vmctl_add_net(state, c->arg[3]);
	} else if (!strcmp(cmd, "remove")) {
		want = 3;
		if (c->nargs < 3)
			argp_failure(state, 2, 0, "remove: give the device's PCI address (as list "
				     "shows: 00:05.0)");
		if (la_ctl_parse_addr(c->arg[2], &bus, &dev, &func))
			argp_failure(state, 2, 0, "remove: '%s': not a PCI address BB:DD.F (as list "
				     "shows: 00:05.0)", c->arg[2]);
		r = json_pack("{s:s, s:s}", "op", "remove", "addr", c->arg[2]);
	} else {
		argp_failure(state, 2, 0, "'%s': not a command (%s)", cmd, LA_VMCTL_COMMANDS);
	}
	if (c->nargs > want)
		argp_failure(state, 2, 0, "unexpected argument '%s' after %s", c->arg[want], cmd);
	if (!r)
		argp_failure(state, 1, ENOMEM, "request");
	return r;
}

static error_t la_vmctl_parse(int key, char *arg, struct argp_state *state)
{
	struct la_vmctl *c = state->input;
	char *end;
	unsigned long v;

	switch (key) {
	case ARGP_KEY_INIT:
		c->timeout_s = 10;
		return 0;
	case K_JSON: c->json = true; return 0;
	case K_TIMEOUT:
		errno = 0;
		v = strtoul(arg, &end, 10);
		if (errno || end == arg || *end || arg[0] == '-' || v < 1 || v > 86400)
			argp_failure(state, 2, 0, "--timeout: '%s': not a number of seconds from 1 "
				     "to 86400", arg);
		c->timeout_s = (unsigned)v;
		return 0;
	case ARGP_KEY_ARG:
		if (c->nargs == LA_VMCTL_ARGS_MAX)
			argp_failure(state, 2, 0, "unexpected argument '%s'", arg);
		c->arg[c->nargs++] = arg;
		return 0;
	case ARGP_KEY_SUCCESS:
		c->req = la_vmctl_request(state, c);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

LA_CLI_PROGRAM("la-vmctl");

static const struct argp la_vmctl_argp = {
	.options = la_vmctl_options,
	.parser = la_vmctl_parse,
	.args_doc = "SOCKET list|status|stop|suspend|resume\n"
		    "SOCKET add disk PATH[,ro]\n"
		    "SOCKET add net tap=NAME|tap[,mac=MAC][,vhost=on|off]\n"
		    "SOCKET remove ADDR",
	.doc = "Ask the VM that la-vmrun --control SOCKET runs: list its devices (name, PCI "
	       "address, BAR, interrupt, backing), its status (running or its fate, uptime, "
	       "vCPUs), or to stop (as Ctrl-A x: la-vmrun exits 0). suspend asks the guest to "
	       "suspend to idle (its ACPI sleep button) and answers once it has; resume wakes "
	       "it and answers once it runs (x86_64 guests with ACPI). add and remove are for "
	       "PCI hot-plug (la-vmrun --pci-hotplug-slots N): la-vmctl opens the image or the tap and "
	       "passes it to the VM.\v"
	       "Examples:\n"
	       "  la-vmrun --control /tmp/vm.sock --disk root.img bzImage &\n"
	       "  la-vmctl /tmp/vm.sock status\n"
	       "  la-vmctl --json /tmp/vm.sock list | jq -r '.devices[].slot'\n"
	       "  la-vmctl /tmp/vm.sock stop\n\n"
	       "Exit status: 0 the VM did it, 1 it could not be asked (no such socket, "
	       "connection refused, no reply within --timeout) or replied an error, 2 bad "
	       "arguments.",
};

/* ---- the exchange ---- */

static int64_t la_vmctl_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Wait for events on fd until the deadline. returns: 0, or a reason */
static const char *la_vmctl_wait(int fd, short events, int64_t until)
{
	struct pollfd p = { .fd = fd, .events = events };
	int64_t left = until - la_vmctl_now_ms();
	int r;

	if (left <= 0)
		return "timed out";
	r = poll(&p, 1, (int)left);
	if (r < 0)
		return strerror(errno);
	return r == 0 ? "timed out" : NULL;
}

/* Send the request line, read the reply line (at most
 * LA_VMCTL_REPLY_MAX bytes, its newline cut). returns: NULL, or why not */
/* The request's first bytes with descriptor pass (SCM_RIGHTS), if any. */
static ssize_t la_vmctl_send(int fd, const char *req, size_t len, int *pass)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} cm;
	struct iovec iov = { (void *)req, len };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1 };
	ssize_t n;

	if (*pass < 0)
		return send(fd, req, len, MSG_NOSIGNAL | MSG_DONTWAIT);
	memset(&cm, 0, sizeof(cm));
	mh.msg_control = cm.b;
	mh.msg_controllen = sizeof(cm.b);
	cm.h.cmsg_level = SOL_SOCKET;
	cm.h.cmsg_type = SCM_RIGHTS;
	cm.h.cmsg_len = CMSG_LEN(sizeof(int));
	memcpy(CMSG_DATA(&cm.h), pass, sizeof(int));
	n = sendmsg(fd, &mh, MSG_NOSIGNAL | MSG_DONTWAIT);
	if (n > 0)
		*pass = -1; /* sent with the first byte */
	return n;
}

static const char *la_vmctl_exchange(int fd, const char *req, size_t len, int64_t until,
				     int pass, char **reply, size_t *rlen)
{
	size_t cap = 4096, used = 0;
	char *buf = malloc(cap), *nl;
	const char *why;

	*reply = buf;
	if (!buf)
		return "out of memory";
	while (len) {
		ssize_t n = la_vmctl_send(fd, req, len, &pass);

		if (n > 0) {
			req += n, len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno != EAGAIN && errno != EINTR)
			return errno == EPIPE ? "the VM closed the connection" : strerror(errno);
		if ((why = la_vmctl_wait(fd, POLLOUT, until)))
			return why;
	}
	for (;;) {
		ssize_t n;

		if ((why = la_vmctl_wait(fd, POLLIN, until)))
			return why;
		n = recv(fd, buf + used, cap - used, MSG_DONTWAIT);
		if (n < 0 && (errno == EAGAIN || errno == EINTR))
			continue;
		if (n < 0)
			return strerror(errno);
		if (n == 0)
			return "the VM closed the connection without a reply";
		used += (size_t)n;
		if ((nl = memchr(buf, '\n', used))) {
			*rlen = (size_t)(nl - buf);
			*nl = '\0';
			return NULL;
		}
		if (used == cap) {
			if (cap >= LA_VMCTL_REPLY_MAX)
				return "the reply is longer than 1 MiB";
			cap *= 2;
			buf = realloc(*reply, cap);
			if (!buf)
				return "out of memory";
			*reply = buf;
		}
	}
}

/* ---- printing a reply ---- */

static const char *la_vmctl_str(const json_t *o, const char *key)
{
	const char *s = json_string_value(json_object_get(o, key));

	return s ? s : "?";
}

static unsigned long long la_vmctl_u64(const json_t *o, const char *key)
{
	json_int_t v = json_integer_value(json_object_get(o, key));

	return v < 0 ? 0 : (unsigned long long)v;
}

static void la_vmctl_print_status(const json_t *r)
{
	const json_t *vcpus = json_object_get(r, "vcpus"), *v;
	size_t i;

	printf("state: %s", la_vmctl_str(r, "state"));
	if (json_object_get(r, "exit_status"))
		printf(" (la-vmrun exits %llu: %s)", la_vmctl_u64(r, "exit_status"),
		       la_vmctl_str(r, "why"));
	printf("\nuptime: %llu.%03llu s\n", la_vmctl_u64(r, "uptime_ms") / 1000,
	       la_vmctl_u64(r, "uptime_ms") % 1000);
	printf("arch: %s\npid: %llu\nvcpus: %llu", la_vmctl_str(r, "arch"), la_vmctl_u64(r, "pid"),
	       la_vmctl_u64(r, "cpus"));
	json_array_foreach(vcpus, i, v)
		printf("%s%llu %s", i ? ", " : " (", la_vmctl_u64(v, "id"), la_vmctl_str(v, "state"));
	printf("%s\n", json_array_size(vcpus) ? ")" : "");
}

static void la_vmctl_print_list(const json_t *r)
{
	const json_t *devs = json_object_get(r, "devices"), *d;
	size_t i;

	if (!json_array_size(devs))
		printf("no devices\n");
	json_array_foreach(devs, i, d) {
		const json_t *b = json_object_get(d, "backing");
		char back[4200];

		if (json_is_object(b) && json_object_get(b, "tap"))
			snprintf(back, sizeof(back), "tap %s (mac %s, %s)", json_is_string(json_object_get(
				 b, "tap")) ? la_vmctl_str(b, "tap") : "made at start",
				 la_vmctl_str(b, "mac"), la_vmctl_str(b, "backend"));
		else if (json_is_object(b))
			snprintf(back, sizeof(back), "%s (%llu bytes%s%s%s%s)", la_vmctl_str(b, "path"),
				 la_vmctl_u64(b, "size"),
				 json_is_true(json_object_get(b, "ro")) ? ", ro" : "",
				 json_is_true(json_object_get(b, "direct")) ? ", direct" : "",
				 la_vmctl_str(b, "serial")[0] ? ", serial " : "",
				 json_string_value(json_object_get(b, "serial")) ?
				 la_vmctl_str(b, "serial") : "");
		else
			snprintf(back, sizeof(back), "%s", json_is_string(b) ?
				 json_string_value(b) : "-");
		printf("%-16s %s  bar0 0x%08llx-0x%08llx  irq %-3llu %s\n", la_vmctl_str(d, "name"),
		       la_vmctl_str(d, "slot"), la_vmctl_u64(d, "bar0_start"),
		       la_vmctl_u64(d, "bar0_end"), la_vmctl_u64(d, "irq"), back);
	}
}

/* returns: the exit status */
static int la_vmctl_print(const struct la_vmctl *c, const char *line, const json_t *r)
{
	const char *op = json_string_value(json_object_get(c->req, "op"));
	json_t *schema = json_object_get(r, "la-vmctl-schema");

	if (!json_is_integer(schema) || json_integer_value(schema) != LA_CTL_SCHEMA) {
		fprintf(stderr, "la-vmctl: %s: the reply is not la-vmctl-schema %d (a newer "
			"la-vmrun?)\n", c->arg[0], LA_CTL_SCHEMA);
		return 1;
	}
	if (c->json)
		printf("%s\n", line);
	if (!json_is_true(json_object_get(r, "ok"))) {
		fprintf(stderr, "la-vmctl: %s: %s\n", c->arg[0], la_vmctl_str(r, "error"));
		return 1;
	}
	if (c->json)
		return 0;
	if (!strcmp(op, "status"))
		la_vmctl_print_status(r);
	else if (!strcmp(op, "list"))
		la_vmctl_print_list(r);
	else if (!strcmp(op, "add") && json_object_get(r, "tap"))
		printf("added %s (%s) at %s: tap %s, mac %s, %s backend\n", la_vmctl_str(r, "name"),
		       la_vmctl_str(r, "type"), la_vmctl_str(r, "slot"), la_vmctl_str(r, "tap"),
		       la_vmctl_str(r, "mac"), la_vmctl_str(r, "backend"));
	else if (!strcmp(op, "add"))
		printf("added %s (%s) at %s\n", la_vmctl_str(r, "name"), la_vmctl_str(r, "type"),
		       la_vmctl_str(r, "slot"));
	else if (!strcmp(op, "remove"))
		printf("removed %s (%s) from %s\n", la_vmctl_str(r, "name"),
		       la_vmctl_str(r, "type"), la_vmctl_str(r, "slot"));
	else if (!strcmp(op, "stop"))
		printf("stopping: la-vmrun exits %llu\n", la_vmctl_u64(r, "exit_status"));
	else if (!strcmp(op, "suspend") || !strcmp(op, "resume"))
		printf("%s\n", la_vmctl_str(r, "state"));
	return 0;
}

/* One exchange: why (whylen bytes) says why not. returns: the reply
 * object (*line its text, malloc'd), NULL */
static json_t *la_vmctl_ask(const struct la_vmctl *c, char **line, char *why, size_t whylen)
{
	int64_t until = la_vmctl_now_ms() + (int64_t)c->timeout_s * 1000;
	char *req = json_dumps(c->req, JSON_COMPACT), *nreq;
	const char *fail = NULL;
	size_t rlen = 0;
	json_error_t jerr;
	json_t *r = NULL;
	int fd = -1;

	*line = NULL;
	nreq = req ? realloc(req, strlen(req) + 2) : NULL;
	if (!nreq) {
		free(req);
		snprintf(why, whylen, "out of memory");
		return NULL;
	}
	req = nreq;
	strcat(req, "\n");
	fd = la_ctl_connect(c->arg[0], c->timeout_s * 1000, why, whylen);
	if (fd >= 0) {
		fail = la_vmctl_exchange(fd, req, strlen(req), until, c->pass_fd, line, &rlen);
		close(fd);
		if (fail && !strcmp(fail, "timed out"))
			snprintf(why, whylen, "no reply within %u s (--timeout)", c->timeout_s);
		else if (fail)
			snprintf(why, whylen, "%s", fail);
	}
	free(req);
	if (fd < 0 || fail)
		return NULL;
	r = json_loadb(*line, rlen, 0, &jerr);
	if (!json_is_object(r)) {
		snprintf(why, whylen, "the reply is not a JSON object (%s)",
			 r ? "another value" : jerr.text);
		json_decref(r);
		return NULL;
	}
	return r;
}

int main(int argc, char **argv)
{
	struct la_vmctl c = { 0 };
	char why[200], *line;
	json_t *r;
	int status;

	c.pass_fd = -1;
	la_cli_parse(&la_vmctl_argp, argc, argv, &c);
	la_vmctl_open_backing(&c);
	r = la_vmctl_ask(&c, &line, why, sizeof(why));
	if (!r) {
		free(line);
		json_decref(c.req);
		la_cli_fail(c.arg[0], NULL, 1, "%s", why);
	}
	status = la_vmctl_print(&c, line, r);
	json_decref(r);
	json_decref(c.req);
	free(line);
	return status ? status : la_cli_flush();
}
