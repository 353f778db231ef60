/* SPDX-License-Identifier: MIT */
/*
 * The control socket's protocol and socket (lib/ctl.h). Requests are
 * parsed with jansson (json_loadb, duplicate keys refused) after a scan
 * that bounds their nesting: jansson's own bound is 2048 levels.
 */
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <poll.h>
#include <signal.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include "bytes.h"
#include "ctl.h"
#include "err.h"
#include "virtio/devices.h"

static const char *const la_ctl_codes[LA_CTL_CODE_COUNT] = {
	[LA_CTL_OK] = "ok",
	[LA_CTL_BAD_JSON] = "bad-json",
	[LA_CTL_TOO_LONG] = "too-long",
	[LA_CTL_TOO_DEEP] = "too-deep",
	[LA_CTL_BAD_REQUEST] = "bad-request",
	[LA_CTL_UNKNOWN_OP] = "unknown-op",
	[LA_CTL_UNSUPPORTED] = "unsupported",
	[LA_CTL_BUSY] = "busy",
	[LA_CTL_IDLE] = "idle",
	[LA_CTL_FULL] = "full",
	[LA_CTL_NO_DEVICE] = "no-device",
	[LA_CTL_TIMEOUT] = "timeout",
	[LA_CTL_FAILED] = "failed",
	[LA_CTL_STATE] = "state",
};

static const char *const la_ctl_ops_names[] = {
	[LA_CTL_LIST] = "list", [LA_CTL_STATUS] = "status", [LA_CTL_STOP] = "stop",
	[LA_CTL_ADD] = "add", [LA_CTL_REMOVE] = "remove", [LA_CTL_SUSPEND] = "suspend",
	[LA_CTL_RESUME] = "resume",
};

/* the ops, for messages */
#define LA_CTL_OPS "list, status, stop, add, remove, suspend, resume"

const char *la_ctl_code_name(enum la_ctl_code c)
{
	return c < LA_CTL_CODE_COUNT ? la_ctl_codes[c] : "?";
}

const char *la_ctl_op_name(enum la_ctl_op op)
{
	return la_ctl_ops_names[op];
}

/* ---- requests ---- */

/* The deepest nesting of [ and { outside strings (a bare value is 0). */
static unsigned la_ctl_depth(const char *s, size_t len)
{
	unsigned depth = 0, max = 0;
	bool in_str = false, esc = false;

	for (size_t i = 0; i < len; i++) {
		char c = s[i];

		if (in_str) {
			if (esc)
				esc = false;
			else if (c == '\\')
				esc = true;
			else if (c == '"')
				in_str = false;
		} else if (c == '"') {
			in_str = true;
		} else if (c == '[' || c == '{') {
			if (++depth > max)
				max = depth;
		} else if ((c == ']' || c == '}') && depth) {
			depth--;
		}
	}
	return max;
}

int la_ctl_parse_addr(const char *s, unsigned *bus, unsigned *dev, unsigned *func)
{
	int v[5];

	if (strlen(s) != 7 || s[2] != ':' || s[5] != '.')
		return -LA_ERR_BADVALUE;
	for (int i = 0, k = 0; i < 7; i++) {
		if (i == 2 || i == 5)
			continue;
		v[k] = la_hexdigit(s[i]);
		if (v[k++] < 0)
			return -LA_ERR_BADVALUE;
	}
	if ((v[2] << 4 | v[3]) > 0x1f || v[4] > 7)
		return -LA_ERR_BADVALUE;
	*bus = (unsigned)(v[0] << 4 | v[1]);
	*dev = (unsigned)(v[2] << 4 | v[3]);
	*func = (unsigned)v[4];
	return 0;
}

/* The keys an op takes; "op" is every op's. */
struct la_ctl_key {
	const char *name;
	json_type type;
	bool required;
};

#define LA_CTL_KEYS_MAX 5

struct la_ctl_shape {
	const char *what;                 /* for messages: "add disk" */
	struct la_ctl_key keys[LA_CTL_KEYS_MAX];
};

static const struct la_ctl_shape la_ctl_plain = { NULL, { { 0 } } };
static const struct la_ctl_shape la_ctl_add_disk = { "add disk", {
	{ "device", JSON_STRING, true }, { "path", JSON_STRING, true },
	{ "ro", JSON_TRUE, false }, { "serial", JSON_STRING, false },
	{ "direct", JSON_TRUE, false } } };
static const struct la_ctl_shape la_ctl_add_net = { "add net", {
	{ "device", JSON_STRING, true }, { "tap", JSON_STRING, true },
	{ "mac", JSON_STRING, false }, { "vhost", JSON_TRUE, false } } };
static const struct la_ctl_shape la_ctl_remove = { "remove", {
	{ "addr", JSON_STRING, true } } };

static const char *la_ctl_type_name(json_type t)
{
	return t == JSON_STRING ? "a string" : t == JSON_TRUE ? "true or false" : "?";
}

static bool la_ctl_type_ok(const json_t *v, json_type t)
{
	return t == JSON_TRUE ? json_is_boolean(v) : json_typeof(v) == t;
}

/* Every key of o is one shape s names, of its type; every required one is
 * there. */
static enum la_ctl_code la_ctl_check_keys(const json_t *o, const char *op,
					  const struct la_ctl_shape *s, char *why, size_t whylen)
{
	const char *what = s->what ? s->what : op;
	const char *key;
	json_t *v;

	json_object_foreach((json_t *)o, key, v) {
		const struct la_ctl_key *k = NULL;

		if (!strcmp(key, "op"))
			continue;
		for (unsigned i = 0; i < LA_CTL_KEYS_MAX && s->keys[i].name; i++)
			if (!strcmp(s->keys[i].name, key))
				k = &s->keys[i];
		if (!k) {
			snprintf(why, whylen, "%s: unknown key \"%.64s\"", what, key);
			return LA_CTL_BAD_REQUEST;
		}
		if (!la_ctl_type_ok(v, k->type)) {
			snprintf(why, whylen, "%s: \"%s\" must be %s", what, key,
				 la_ctl_type_name(k->type));
			return LA_CTL_BAD_REQUEST;
		}
	}
	for (unsigned i = 0; i < LA_CTL_KEYS_MAX && s->keys[i].name; i++) {
		if (s->keys[i].required && !json_object_get(o, s->keys[i].name)) {
			snprintf(why, whylen, "%s: \"%s\" is missing", what, s->keys[i].name);
			return LA_CTL_BAD_REQUEST;
		}
	}
	return LA_CTL_OK;
}

/* a string member that may not be empty nor hold a comma (--disk's
 * separator) */
static enum la_ctl_code la_ctl_string(const json_t *o, const char *key, const char *what,
				      char *out, size_t outlen, char *why, size_t whylen)
{
	const char *s = json_string_value(json_object_get(o, key));
	size_t n = json_string_length(json_object_get(o, key));

	if (!n || strchr(s, ',') || n >= outlen) {
		if (n >= outlen)
			snprintf(why, whylen, "%s: \"%s\" must be at most %zu bytes", what, key,
				 outlen - 1);
		else
			snprintf(why, whylen, "%s: \"%s\" must be %s", what, key, !n ?
				 "a non-empty string" : "without commas (as in --disk)");
		return LA_CTL_BAD_REQUEST;
	}
	memcpy(out, s, n + 1);
	return LA_CTL_OK;
}

/* add net's tap, mac (as --net's mac=) and vhost (true: on, false: off,
 * absent: the VM's choice) */
static enum la_ctl_code la_ctl_parse_net(const json_t *o, struct la_ctl_req *r, const char *what,
					 char *why, size_t whylen)
{
	const json_t *vh = json_object_get(o, "vhost");
	const char *mac = json_string_value(json_object_get(o, "mac"));
	enum la_ctl_code c = la_ctl_string(o, "tap", what, r->path, 16, why, whylen);
	int err;

	if (c)
		return c;
	r->vhost = !vh ? LA_CTL_VHOST_AUTO : json_is_true(vh) ? LA_CTL_VHOST_ON : LA_CTL_VHOST_OFF;
	if (!mac)
		return LA_CTL_OK;
	err = la_vnet_mac_parse(mac, r->mac);
	if (err) {
		snprintf(why, whylen, "%s: \"mac\": \"%.32s\" is %s", what, mac,
			 err == -LA_ERR_RANGE ? "multicast or all zeros (the guest needs a unicast "
			 "address: first octet even)" : "not a MAC address (six hex pairs: "
			 "52:54:00:12:34:56)");
		return LA_CTL_BAD_REQUEST;
	}
	r->has_mac = true;
	return LA_CTL_OK;
}

static enum la_ctl_code la_ctl_parse_add(const json_t *o, struct la_ctl_req *r, char *why,
					 size_t whylen)
{
	const char *dev = json_string_value(json_object_get(o, "device"));
	const struct la_ctl_shape *s;
	enum la_ctl_code c;

	if (!dev) {
		snprintf(why, whylen, "add: \"device\" must be \"disk\" or \"net\"");
		return LA_CTL_BAD_REQUEST;
	}
	if (!strcmp(dev, "disk"))
		r->device = LA_CTL_DEV_DISK, s = &la_ctl_add_disk;
	else if (!strcmp(dev, "net"))
		r->device = LA_CTL_DEV_NET, s = &la_ctl_add_net;
	else {
		snprintf(why, whylen, "add: device \"%.32s\" is not \"disk\" or \"net\"", dev);
		return LA_CTL_BAD_REQUEST;
	}
	c = la_ctl_check_keys(o, "add", s, why, whylen);
	if (c)
		return c;
	if (r->device == LA_CTL_DEV_NET)
		return la_ctl_parse_net(o, r, s->what, why, whylen);
	c = la_ctl_string(o, "path", s->what, r->path, sizeof(r->path), why, whylen);
	if (!c && json_object_get(o, "serial"))
		c = la_ctl_string(o, "serial", s->what, r->serial, sizeof(r->serial), why, whylen);
	r->ro = json_is_true(json_object_get(o, "ro"));
	r->direct = json_is_true(json_object_get(o, "direct"));
	return c;
}

enum la_ctl_code la_ctl_parse(const char *line, size_t len, struct la_ctl_req *r, char *why,
			      size_t whylen)
{
	enum la_ctl_code c = LA_CTL_OK;
	json_error_t jerr;
	const char *op;
	json_t *o;

	memset(r, 0, sizeof(*r));
	if (len > LA_CTL_REQUEST_MAX) {
		snprintf(why, whylen, "request longer than %d bytes", LA_CTL_REQUEST_MAX);
		return LA_CTL_TOO_LONG;
	}
	if (la_ctl_depth(line, len) > LA_CTL_DEPTH_MAX) {
		snprintf(why, whylen, "request nested deeper than %d levels", LA_CTL_DEPTH_MAX);
		return LA_CTL_TOO_DEEP;
	}
	o = json_loadb(line, len, JSON_REJECT_DUPLICATES, &jerr);
	if (!o) {
		snprintf(why, whylen, "not JSON: %s at byte %d", jerr.text, jerr.position);
		return LA_CTL_BAD_JSON;
	}
	op = json_string_value(json_object_get(o, "op"));
	if (!json_is_object(o)) {
		snprintf(why, whylen, "a request is a JSON object");
		c = LA_CTL_BAD_REQUEST;
	} else if (!json_object_get(o, "op") || !op) {
		snprintf(why, whylen, "\"op\" must be a string (%s)", LA_CTL_OPS);
		c = LA_CTL_BAD_REQUEST;
	} else {
		unsigned i;

		for (i = 0; i < sizeof(la_ctl_ops_names) / sizeof(la_ctl_ops_names[0]); i++)
			if (!strcmp(op, la_ctl_ops_names[i]))
				break;
		if (i == sizeof(la_ctl_ops_names) / sizeof(la_ctl_ops_names[0])) {
			snprintf(why, whylen, "unknown op \"%.32s\" (%s)", op, LA_CTL_OPS);
			c = LA_CTL_UNKNOWN_OP;
		} else if ((r->op = (enum la_ctl_op)i) == LA_CTL_ADD) {
			c = la_ctl_parse_add(o, r, why, whylen);
		} else if (r->op == LA_CTL_REMOVE) {
			c = la_ctl_check_keys(o, op, &la_ctl_remove, why, whylen);
			if (!c && la_ctl_parse_addr(json_string_value(json_object_get(o, "addr")),
						    &r->bus, &r->dev, &r->func)) {
				snprintf(why, whylen, "remove: \"addr\" must be a PCI address "
					 "BB:DD.F (as list shows)");
				c = LA_CTL_BAD_REQUEST;
			}
		} else {
			c = la_ctl_check_keys(o, op, &la_ctl_plain, why, whylen);
		}
	}
	json_decref(o);
	return c;
}

/* ---- replies ---- */

static void la_ctl_head(struct la_json *j, FILE *f, bool ok)
{
	la_json_init_compact(j, f);
	la_json_obj_begin(j, NULL);
	la_json_u64(j, "la-vmctl-schema", LA_CTL_SCHEMA);
	la_json_bool(j, "ok", ok);
}

void la_ctl_error(FILE *f, enum la_ctl_code code, const char *error)
{
	char text[320];
	struct la_json j;

	/* ASCII only: jansson's messages quote input, and a key cut at its
	 * length limit may end mid-character; the reply stays valid UTF-8 */
	snprintf(text, sizeof(text), "%s", error);
	for (char *p = text; *p; p++)
		if ((unsigned char)*p >= 0x80)
			*p = '?';

	la_ctl_head(&j, f, false);
	la_json_str(&j, "code", la_ctl_code_name(code));
	la_json_str(&j, "error", text);
	la_json_obj_end(&j);
}

static const char *la_ctl_fate_name(int fate)
{
	switch (fate) {
	case -1: return "running";
	case 0: return "poweroff";
	case 32: return "reset";
	case 33: return "crash";
	case 34: return "panic";
	default: return "failed";
	}
}

static void la_ctl_status_reply(struct la_json *j, const struct la_ctl_ops *ops)
{
	struct la_ctl_status st = { .fate = -1 };

	ops->status(ops->ctx, &st);
	la_json_str(j, "state", st.fate < 0 && st.suspended ? "suspended" :
		    la_ctl_fate_name(st.fate));
	if (st.fate >= 0) {
		la_json_u64(j, "exit_status", (uint64_t)st.fate);
		la_json_str(j, "why", st.why ? st.why : "");
	}
	la_json_u64(j, "uptime_ms", st.uptime_ms);
	la_json_str(j, "arch", st.arch ? st.arch : "");
	la_json_u64(j, "pid", (uint64_t)st.pid);
	la_json_u64(j, "cpus", st.cpus);
	la_json_arr_begin(j, "vcpus");
	for (unsigned i = 0; i < st.cpus; i++) {
		la_json_obj_begin(j, NULL);
		la_json_u64(j, "id", i);
		la_json_str(j, "state", st.fate >= 0 ? "stopped" : i >= st.started ?
			    "not started" : st.suspended ? "suspended" : "running");
		la_json_obj_end(j);
	}
	la_json_arr_end(j);
}

/* add and remove: the VM's answer, written to a memory buffer first, as
 * a failure is known only at the end. */
static enum la_ctl_code la_ctl_hotplug(const struct la_ctl_ops *ops, const struct la_ctl_req *r,
				       int fd, FILE *f, char *why, size_t whylen)
{
	char *body = NULL;
	size_t n = 0;
	FILE *m = open_memstream(&body, &n);
	enum la_ctl_code c;
	struct la_json j;

	if (!m) {
		if (fd >= 0)
			close(fd);
		snprintf(why, whylen, "out of memory");
		return LA_CTL_FAILED;
	}
	la_json_init_compact(&j, m);
	la_json_obj_begin(&j, NULL);
	c = r->op == LA_CTL_ADD ? ops->add(ops->ctx, r, fd, &j, why, whylen) :
				  ops->remove(ops->ctx, r, &j, why, whylen);
	la_json_obj_end(&j);
	fclose(m);
	if (!c) {
		/* the members, after our head: body is "{...}\n" */
		la_json_init_compact(&j, f);
		la_ctl_head(&j, f, true);
		la_json_str(&j, "op", la_ctl_op_name(r->op));
		fprintf(f, "%s%.*s", n > 3 ? "," : "", n > 3 ? (int)(n - 3) : 0, body + 1);
		fputs("}\n", f);
	}
	free(body);
	return c;
}

enum la_ctl_code la_ctl_reply(const struct la_ctl_ops *ops, const char *line, size_t len,
			      FILE *f)
{
	return la_ctl_reply_fd(ops, line, len, -1, f);
}

enum la_ctl_code la_ctl_reply_fd(const struct la_ctl_ops *ops, const char *line, size_t len,
				 int fd, FILE *f)
{
	struct la_ctl_req *r = malloc(sizeof(*r));
	enum la_ctl_code c;
	struct la_json j;
	char why[256];

	if (!r) {
		if (fd >= 0)
			close(fd);
		la_ctl_error(f, LA_CTL_UNSUPPORTED, "out of memory");
		return LA_CTL_UNSUPPORTED;
	}
	c = la_ctl_parse(line, len, r, why, sizeof(why));
	if (!c && ((r->op == LA_CTL_ADD && !ops->add) || (r->op == LA_CTL_REMOVE && !ops->remove))) {
		snprintf(why, sizeof(why), "%s: this VM has no PCI hot-plug slots (la-vmrun "
			 "--pci-hotplug-slots N)", la_ctl_op_name(r->op));
		c = LA_CTL_UNSUPPORTED;
	}
	if (!c && ((r->op == LA_CTL_SUSPEND && !ops->suspend) ||
		   (r->op == LA_CTL_RESUME && !ops->resume))) {
		snprintf(why, sizeof(why), "%s: this VM has no virtual PMC (an x86_64 guest with "
			 "ACPI has one)", la_ctl_op_name(r->op));
		c = LA_CTL_UNSUPPORTED;
	}
	if (!c && r->op == LA_CTL_SUSPEND)
		c = ops->suspend(ops->ctx, why, sizeof(why));
	else if (!c && r->op == LA_CTL_RESUME)
		c = ops->resume(ops->ctx, why, sizeof(why));
	if (!c && (r->op == LA_CTL_ADD || r->op == LA_CTL_REMOVE)) {
		c = la_ctl_hotplug(ops, r, r->op == LA_CTL_ADD ? fd : -1, f, why, sizeof(why));
		if (r->op == LA_CTL_ADD)
			fd = -1;
		if (!c) {
			if (fd >= 0)
				close(fd);
			free(r);
			return c;
		}
	}
	if (fd >= 0)
		close(fd);
	if (c) {
		la_ctl_error(f, c, why);
		free(r);
		return c;
	}
	la_ctl_head(&j, f, true);
	la_json_str(&j, "op", la_ctl_op_name(r->op));
	if (r->op == LA_CTL_STATUS) {
		la_ctl_status_reply(&j, ops);
	} else if (r->op == LA_CTL_LIST) {
		la_json_arr_begin(&j, "devices");
		ops->list(ops->ctx, &j);
		la_json_arr_end(&j);
	} else if (r->op == LA_CTL_SUSPEND || r->op == LA_CTL_RESUME) {
		la_json_str(&j, "state", r->op == LA_CTL_SUSPEND ? "suspended" : "running");
	} else {
		la_json_u64(&j, "exit_status", (uint64_t)ops->stop(ops->ctx));
	}
	la_json_obj_end(&j);
	free(r);
	return LA_CTL_OK;
}

/* ---- the socket ---- */

/* The sockets made, by slot: the name each has in its directory, held at
 * LA_CTL_DIRFD - slot; armed while it is there to remove. */
static struct {
	char name[sizeof(((struct sockaddr_un *)0)->sun_path)];
	volatile sig_atomic_t armed;
} la_ctl_sock[LA_SOCK_SLOTS];

static int la_ctl_addr(const char *path, struct sockaddr_un *sa, char *why, size_t whylen)
{
	memset(sa, 0, sizeof(*sa));
	sa->sun_family = AF_UNIX;
	if (!path[0] || strlen(path) >= sizeof(sa->sun_path)) {
		snprintf(why, whylen, "%s", !path[0] ? "empty path" :
			 "longer than the 107 bytes a Unix socket path can have");
		return -LA_ERR_NAMELEN;
	}
	memcpy(sa->sun_path, path, strlen(path));
	return 0;
}

/* What is at path now: nothing (0), a stale socket removed (0), else an
 * error. */
static int la_ctl_clear(const char *path, const struct sockaddr_un *sa, char *why,
			size_t whylen)
{
	struct stat st;
	int fd, r, e;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(why, whylen, "%s", strerror(errno));
		return -LA_ERR_IO;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, whylen, "%s", la_strerror(-LA_ERR_CTLNOTSOCK));
		return -LA_ERR_CTLNOTSOCK;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(why, whylen, "socket: %s", strerror(errno));
		return -LA_ERR_IO;
	}
	r = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	e = errno;
	close(fd);
	if (r == 0 || e == EAGAIN) { /* EAGAIN: a listener with a full backlog */
		snprintf(why, whylen, "%s", la_strerror(-LA_ERR_CTLINUSE));
		return -LA_ERR_CTLINUSE;
	}
	if (e != ECONNREFUSED) {
		snprintf(why, whylen, "%s", strerror(e));
		return -LA_ERR_IO;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(why, whylen, "a stale socket that cannot be removed: %s", strerror(errno));
		return -LA_ERR_IO;
	}
	return 0;
}

/* The directory of path at LA_CTL_DIRFD - slot, its last component in
 * the slot's name. */
static int la_ctl_hold_dir(unsigned slot, const char *path, char *why, size_t whylen)
{
	const char *slash = strrchr(path, '/');
	char dir[sizeof(la_ctl_sock[0].name)];
	int dirfd = LA_CTL_DIRFD - (int)slot, fd;

	if (slash && slash[1] == '\0') {
		snprintf(why, whylen, "names a directory");
		return -LA_ERR_IO;
	}
	if (!slash)
		snprintf(dir, sizeof(dir), ".");
	else if (slash == path)
		snprintf(dir, sizeof(dir), "/");
	else
		snprintf(dir, sizeof(dir), "%.*s", (int)(slash - path), path);
	snprintf(la_ctl_sock[slot].name, sizeof(la_ctl_sock[slot].name), "%s",
		 slash ? slash + 1 : path);
	if (fcntl(dirfd, F_GETFD) >= 0) {
		snprintf(why, whylen, "descriptor %d, where its directory is held, is taken",
			 dirfd);
		return -LA_ERR_IO;
	}
	fd = open(dir, O_PATH | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0 || dup3(fd, dirfd, O_CLOEXEC) < 0) {
		snprintf(why, whylen, "%s: %s", fd < 0 ? "its directory" : "holding its directory",
			 strerror(errno));
		if (fd >= 0)
			close(fd);
		return -LA_ERR_IO;
	}
	close(fd);
	return 0;
}

int la_sock_listen(unsigned slot, const char *path, int backlog, char *why, size_t whylen)
{
	struct sockaddr_un sa;
	mode_t old;
	int fd, err, r;

	if (slot >= LA_SOCK_SLOTS) {
		snprintf(why, whylen, "more than %d sockets", LA_SOCK_SLOTS);
		return -LA_ERR_IO;
	}
	err = la_ctl_addr(path, &sa, why, whylen);
	if (!err)
		err = la_ctl_clear(path, &sa, why, whylen);
	if (!err)
		err = la_ctl_hold_dir(slot, path, why, whylen);
	if (err)
		return err;
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC | SOCK_NONBLOCK, 0);
	if (fd < 0) {
		snprintf(why, whylen, "socket: %s", strerror(errno));
		close(LA_CTL_DIRFD - (int)slot);
		return -LA_ERR_IO;
	}
	old = umask(0177);
	r = bind(fd, (struct sockaddr *)&sa, sizeof(sa));
	umask(old);
	if (r == 0)
		la_ctl_sock[slot].armed = 1;
	if (r != 0 || listen(fd, backlog) != 0) {
		int e = errno;

		snprintf(why, whylen, "%s: %s", r ? "bind" : "listen", strerror(e));
		close(fd);
		if (__atomic_exchange_n(&la_ctl_sock[slot].armed, 0, __ATOMIC_SEQ_CST))
			unlinkat(LA_CTL_DIRFD - (int)slot, la_ctl_sock[slot].name, 0);
		close(LA_CTL_DIRFD - (int)slot);
		return e == EADDRINUSE ? -LA_ERR_CTLINUSE : -LA_ERR_IO;
	}
	return fd;
}

int la_ctl_listen(const char *path, char *why, size_t whylen)
{
	/* jansson seeds its hash function on the first object it makes, from
	 * /dev/urandom: here, not in the serving thread, whose allowlist has
	 * no openat (and whose jail has no /dev) */
	json_object_seed(0);
	return la_sock_listen(LA_SOCK_CONTROL, path, LA_CTL_CLIENTS, why, whylen);
}

void la_ctl_unlink(void)
{
	for (int i = 0; i < LA_SOCK_SLOTS; i++)
		if (__atomic_exchange_n(&la_ctl_sock[i].armed, 0, __ATOMIC_SEQ_CST))
			unlinkat(LA_CTL_DIRFD - i, la_ctl_sock[i].name, 0);
}

int la_ctl_connect(const char *path, unsigned timeout_ms, char *why, size_t whylen)
{
	struct timeval tv = { timeout_ms / 1000, (timeout_ms % 1000) * 1000 };
	struct sockaddr_un sa;
	struct stat st;
	int fd;

	if (la_ctl_addr(path, &sa, why, whylen))
		return -LA_ERR_IO;
	if (stat(path, &st) != 0) {
		snprintf(why, whylen, "%s", errno == ENOENT ? "no such socket" : strerror(errno));
		return -LA_ERR_IO;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(why, whylen, "not a socket");
		return -LA_ERR_IO;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0 || setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv)) != 0 ||
	    connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		snprintf(why, whylen, "%s", e == ECONNREFUSED ?
			 "connection refused (no VM listens: a stale socket)" :
			 e == EAGAIN || e == EINPROGRESS ? "the VM takes no connection (timed out)" :
			 strerror(e));
		if (fd >= 0)
			close(fd);
		return -LA_ERR_IO;
	}
	return fd;
}

/* ---- serving ---- */

struct la_ctl_client {
	int fd;                      /* -1: a free slot */
	int passed;                  /* a descriptor it sent (SCM_RIGHTS), -1: none */
	size_t used;
	int64_t last_ms;             /* when it last sent a byte or connected */
	char buf[LA_CTL_REQUEST_MAX + 1];
};

static int64_t la_ctl_now_ms(void)
{
	struct timespec t;

	clock_gettime(CLOCK_MONOTONIC, &t);
	return (int64_t)t.tv_sec * 1000 + t.tv_nsec / 1000000;
}

/* Send all of buf, waiting for room at most LA_CTL_IDLE_MS and never
 * past stop_fd. returns: 0, -LA_ERR_IO (the client is to be dropped) */
static int la_ctl_send(int fd, int stop_fd, const char *buf, size_t len)
{
	int64_t until = la_ctl_now_ms() + LA_CTL_IDLE_MS;

	while (len) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		struct pollfd p[2] = { { .fd = fd, .events = POLLOUT },
				       { .fd = stop_fd, .events = POLLIN } };
		int64_t left;

		if (n > 0) {
			buf += n, len -= (size_t)n;
			continue;
		}
		if (n < 0 && errno == EINTR)
			continue;
		left = until - la_ctl_now_ms();
		if ((n < 0 && errno != EAGAIN) || left <= 0 ||
		    poll(p, 2, (int)left) < 0 || p[1].revents)
			return -LA_ERR_IO;
	}
	return 0;
}

/* One reply line to a client, built in memory. returns: as la_ctl_send */
static int la_ctl_answer(struct la_ctl_client *c, int stop_fd, const struct la_ctl_ops *ops,
			 enum la_ctl_code code, const char *error, size_t len)
{
	char *out = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&out, &n);
	int err;

	if (!f)
		return -LA_ERR_IO;
	if (error) {
		la_ctl_error(f, code, error);
	} else {
		la_ctl_reply_fd(ops, c->buf, len, c->passed, f);
		c->passed = -1;
	}
	err = fclose(f) ? -LA_ERR_IO : la_ctl_send(c->fd, stop_fd, out, n);
	free(out);
	return err;
}

static void la_ctl_drop(struct la_ctl_client *c)
{
	if (c->passed >= 0)
		close(c->passed);
	c->passed = -1;
	close(c->fd);
	c->fd = -1;
	c->used = 0;
}

/* Bytes from a client: each complete line answered in turn. */
static void la_ctl_readable(struct la_ctl_client *c, int stop_fd, const struct la_ctl_ops *ops)
{
	union {
		struct cmsghdr h;
		char b[CMSG_SPACE(sizeof(int))];
	} cm;
	struct iovec iov = { c->buf + c->used, sizeof(c->buf) - c->used };
	struct msghdr mh = { .msg_iov = &iov, .msg_iovlen = 1, .msg_control = cm.b,
			     .msg_controllen = sizeof(cm.b) };
	ssize_t n = recvmsg(c->fd, &mh, MSG_CMSG_CLOEXEC);
	char *nl;

	/* a descriptor with the request (la-vmctl add disk's image); a
	 * second one replaces the first, more than one at once are closed
	 * by the kernel (MSG_CTRUNC) */
	for (struct cmsghdr *h = n > 0 ? CMSG_FIRSTHDR(&mh) : NULL; h; h = CMSG_NXTHDR(&mh, h)) {
		if (h->cmsg_level != SOL_SOCKET || h->cmsg_type != SCM_RIGHTS ||
		    h->cmsg_len != CMSG_LEN(sizeof(int)))
			continue;
		if (c->passed >= 0)
			close(c->passed);
		memcpy(&c->passed, CMSG_DATA(h), sizeof(int));
	}

	if (n < 0 && (errno == EINTR || errno == EAGAIN))
		return;
	if (n <= 0) { /* gone, perhaps mid-request: nothing to answer */
		la_ctl_drop(c);
		return;
	}
	c->used += (size_t)n;
	c->last_ms = la_ctl_now_ms();
	while (c->fd >= 0 && (nl = memchr(c->buf, '\n', c->used))) {
		size_t len = (size_t)(nl - c->buf);

		if (la_ctl_answer(c, stop_fd, ops, LA_CTL_OK, NULL, len)) {
			la_ctl_drop(c);
			return;
		}
		c->used -= len + 1;
		memmove(c->buf, nl + 1, c->used);
	}
	if (c->fd >= 0 && c->used == sizeof(c->buf)) {
		char why[64];

		snprintf(why, sizeof(why), "request longer than %d bytes", LA_CTL_REQUEST_MAX);
		la_ctl_answer(c, stop_fd, ops, LA_CTL_TOO_LONG, why, 0);
		la_ctl_drop(c);
	}
}

/* A new connection: a free slot, else told busy. */
static void la_ctl_accept(int lfd, int stop_fd, struct la_ctl_client *cl,
			  const struct la_ctl_ops *ops)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
	struct la_ctl_client busy = { .fd = fd, .passed = -1 };

	if (fd < 0)
		return;
	for (unsigned i = 0; i < LA_CTL_CLIENTS; i++) {
		if (cl[i].fd < 0) {
			cl[i].fd = fd;
			cl[i].passed = -1;
			cl[i].used = 0;
			cl[i].last_ms = la_ctl_now_ms();
			return;
		}
	}
	la_ctl_answer(&busy, stop_fd, ops, LA_CTL_BUSY, "busy: other clients are connected; "
		      "try again", 0);
	close(fd);
}

int la_ctl_serve(int lfd, int stop_fd, const struct la_ctl_ops *ops)
{
	struct la_ctl_client *cl = malloc(LA_CTL_CLIENTS * sizeof(*cl));
	struct pollfd p[LA_CTL_CLIENTS + 2];
	int err = 0;

	if (!cl)
		return -LA_ERR_NOMEM;
	for (unsigned i = 0; i < LA_CTL_CLIENTS; i++)
		cl[i].fd = -1;
	for (;;) {
		int64_t now = la_ctl_now_ms(), wait = -1;

		p[0] = (struct pollfd){ .fd = stop_fd, .events = POLLIN };
		p[1] = (struct pollfd){ .fd = lfd, .events = POLLIN };
		for (unsigned i = 0; i < LA_CTL_CLIENTS; i++) {
			int64_t left = cl[i].last_ms + LA_CTL_IDLE_MS - now;

			p[2 + i] = (struct pollfd){ .fd = cl[i].fd, .events = POLLIN };
			if (cl[i].fd >= 0 && (wait < 0 || left < wait))
				wait = left < 0 ? 0 : left;
		}
		if (poll(p, LA_CTL_CLIENTS + 2, (int)wait) < 0) {
			if (errno == EINTR)
				continue;
			err = -LA_ERR_IO;
			break;
		}
		if (p[0].revents)
			break;
		/* the clients first: one that hung up frees its slot for a
		 * connection in the same round */
		now = la_ctl_now_ms();
		for (unsigned i = 0; i < LA_CTL_CLIENTS; i++) {
			if (cl[i].fd < 0)
				continue;
			if (p[2 + i].revents)
				la_ctl_readable(&cl[i], stop_fd, ops);
			else if (now - cl[i].last_ms >= LA_CTL_IDLE_MS) {
				char why[80];

				snprintf(why, sizeof(why), "no complete request within %d s; "
					 "closing", LA_CTL_IDLE_MS / 1000);
				la_ctl_answer(&cl[i], stop_fd, ops, LA_CTL_IDLE, why, 0);
				la_ctl_drop(&cl[i]);
			}
		}
		if (p[1].revents)
			la_ctl_accept(lfd, stop_fd, cl, ops);
	}
	for (unsigned i = 0; i < LA_CTL_CLIENTS; i++)
		if (cl[i].fd >= 0)
			close(cl[i].fd);
	free(cl);
	return err;
}
