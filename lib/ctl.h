/* SPDX-License-Identifier: MIT */
/*
 * The control socket of a running VM (la-vmrun --control PATH, la-vmctl):
 * a Unix stream socket that speaks one JSON object per line, a request
 * from the client and its reply from the VM. la-vmrun(1), CONTROL SOCKET,
 * is the protocol's reference; this is its one implementation:
 *
 *   - parsing and validating a request (la_ctl_parse), without a VM;
 *   - the reply to it (la_ctl_reply), the VM reached only through
 *     struct la_ctl_ops, so tests and fuzzers drive it with fakes;
 *   - the socket: made (la_ctl_listen: a live one is never taken over, a
 *     stale one replaced, anything else refused), served by one thread
 *     (la_ctl_serve), connected to (la_ctl_connect).
 *
 * Every reply carries "la-vmctl-schema": LA_CTL_SCHEMA and "ok"; a failed
 * one "code" (a word from la_ctl_code_name) and "error" (a sentence).
 */
#ifndef LA_CTL_H
#define LA_CTL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

#include "jsonw.h"

#define LA_CTL_SCHEMA 1
/* a request line's bytes, its newline not counted */
#define LA_CTL_REQUEST_MAX 4096
/* how deep a request nests ({} is 1): requests are flat objects */
#define LA_CTL_DEPTH_MAX 4
/* clients served at once; one more is told "busy" */
#define LA_CTL_CLIENTS 4
/* a connection with no complete request for this long is closed, and a
 * reply the client does not read within it is dropped with the client */
#define LA_CTL_IDLE_MS 10000
/* The socket's directory, held at this descriptor from la_ctl_listen on,
 * so the socket can be removed after the jail (an empty root) by
 * unlinkat(LA_CTL_DIRFD, name): the only unlinkat the seccomp allowlists
 * let through (lib/sandbox_tables.c). */
#define LA_CTL_DIRFD 1023
/* Sockets la_sock_listen makes, each in a slot: the --control socket (0)
 * and la-vmrun's serial sockets (1 on); slot n's directory is held at
 * LA_CTL_DIRFD - n, so all of them lie in LA_CTL_DIRFD & ~7 ..
 * LA_CTL_DIRFD (the one range the allowlists let unlinkat use). */
#define LA_SOCK_SLOTS 8
#define LA_SOCK_CONTROL 0

enum la_ctl_op { LA_CTL_LIST, LA_CTL_STATUS, LA_CTL_STOP, LA_CTL_ADD, LA_CTL_REMOVE,
		 LA_CTL_SUSPEND, LA_CTL_RESUME };

/* Why a request failed: the reply's "code". */
enum la_ctl_code {
	LA_CTL_OK,
	LA_CTL_BAD_JSON,      /* not one JSON value, or a duplicate key */
	LA_CTL_TOO_LONG,      /* longer than LA_CTL_REQUEST_MAX: the connection is dropped */
	LA_CTL_TOO_DEEP,      /* nested deeper than LA_CTL_DEPTH_MAX */
	LA_CTL_BAD_REQUEST,   /* not an object, a missing or unknown key, a wrong type */
	LA_CTL_UNKNOWN_OP,
	LA_CTL_UNSUPPORTED,   /* valid, but this la-vmrun cannot do it (hot-plug,
			       * suspend) */
	LA_CTL_BUSY,          /* LA_CTL_CLIENTS are connected already */
	LA_CTL_IDLE,          /* no complete request within LA_CTL_IDLE_MS */
	LA_CTL_FULL,          /* add: every hot-plug slot holds a device */
	LA_CTL_NO_DEVICE,     /* remove: no hot-plugged device at that address */
	LA_CTL_TIMEOUT,       /* remove: the guest did not release the device;
			       * suspend, resume: it did not enter (leave) s2idle */
	LA_CTL_FAILED,        /* add: the device could not be made (its image, ...) */
	LA_CTL_STATE,         /* suspend: already suspended; resume: not suspended */
	LA_CTL_CODE_COUNT
};

/* la_ctl_code_name - "bad-json", ... the reply's "code" word */
const char *la_ctl_code_name(enum la_ctl_code c);
/* la_ctl_op_name - "list", ... */
const char *la_ctl_op_name(enum la_ctl_op op);

/* A request, parsed and checked; strings point into its own storage. */
struct la_ctl_req {
	enum la_ctl_op op;
	/* add: the keys of --disk (path, ro, serial, direct) or --net (tap,
	 * mac, vhost) */
	enum { LA_CTL_DEV_DISK, LA_CTL_DEV_NET } device;
	char path[LA_CTL_REQUEST_MAX];  /* disk: the image; net: the tap's name */
	char serial[21];
	bool ro, direct;
	bool has_mac;                   /* net: mac given (else the VM picks one) */
	uint8_t mac[6];
	enum { LA_CTL_VHOST_AUTO, LA_CTL_VHOST_OFF, LA_CTL_VHOST_ON } vhost; /* net */
	/* remove: the device at bus:dev.func */
	unsigned bus, dev, func;
};

/* la_ctl_parse_addr - "BB:DD.F" (hex bus and device, device at most 1f,
 * function 0-7), as --explain and list print a PCI address.
 * returns: 0, -LA_ERR_BADVALUE */
int la_ctl_parse_addr(const char *s, unsigned *bus, unsigned *dev, unsigned *func);

/* la_ctl_parse - one request line (len bytes, no newline) into r. On
 * failure why (whylen bytes) says what is wrong in a sentence.
 * returns: LA_CTL_OK or the code of the reply to send */
enum la_ctl_code la_ctl_parse(const char *line, size_t len, struct la_ctl_req *r, char *why,
			      size_t whylen);

/* What the VM says of itself. */
struct la_ctl_status {
	int fate;              /* enum la_fate: -1 running, else the exit status to come */
	const char *why;       /* what decided the fate; NULL while running */
	uint64_t uptime_ms;    /* since the vCPUs were started */
	const char *arch;
	unsigned cpus;         /* vCPUs of the VM */
	unsigned started;      /* vCPU threads started (0..cpus-1 run while running) */
	bool suspended;        /* the guest is in s2idle (la-vmctl suspend) */
	long pid;              /* la-vmrun's */
};

/* How the replies reach the VM (callbacks run on the serving thread). */
struct la_ctl_ops {
	void *ctx;
	void (*status)(void *ctx, struct la_ctl_status *st);
	/* list - the devices as members of array "devices" (the objects of
	 * --explain --json's "virtio_devices"), written to j */
	void (*list)(void *ctx, struct la_json *j);
	/* stop - end the VM as Ctrl-A x does. returns: the exit status it
	 * will have (the first fate decided wins) */
	int (*stop)(void *ctx);
	/* add, remove - hot-plug (NULL: this VM has no hot-plug slots, the
	 * reply is "unsupported"). add owns fd (the descriptor that came
	 * with the request, -1: none) and closes it unless the device keeps
	 * it. On success they write the reply's members to j; on failure why
	 * (whylen bytes) gets a sentence. returns: LA_CTL_OK or the code */
	enum la_ctl_code (*add)(void *ctx, const struct la_ctl_req *r, int fd, struct la_json *j,
				char *why, size_t whylen);
	enum la_ctl_code (*remove)(void *ctx, const struct la_ctl_req *r, struct la_json *j,
				   char *why, size_t whylen);
	/* suspend, resume - ask the guest to enter s2idle and wait for it,
	 * wake it and wait for it to leave (NULL: this VM has no virtual
	 * PMC, the reply is "unsupported"). On failure why (whylen bytes)
	 * gets a sentence. returns: LA_CTL_OK, LA_CTL_TIMEOUT, LA_CTL_STATE */
	enum la_ctl_code (*suspend)(void *ctx, char *why, size_t whylen);
	enum la_ctl_code (*resume)(void *ctx, char *why, size_t whylen);
};

/* la_ctl_reply - the reply to one request line (len bytes, no newline) as
 * one line to f. returns: the reply's code (LA_CTL_OK: "ok": true) */
enum la_ctl_code la_ctl_reply(const struct la_ctl_ops *ops, const char *line, size_t len,
			      FILE *f);
/* la_ctl_reply_fd - as la_ctl_reply, with the descriptor fd (-1: none)
 * that came with the request (SCM_RIGHTS): add disk's image, opened by
 * the client. Always consumed: given to ops->add or closed. */
enum la_ctl_code la_ctl_reply_fd(const struct la_ctl_ops *ops, const char *line, size_t len,
				 int fd, FILE *f);

/* la_ctl_error - an error reply with code and a sentence, one line to f */
void la_ctl_error(FILE *f, enum la_ctl_code code, const char *error);

/* la_ctl_listen - the socket at path, mode 0600, listening: an existing
 * socket someone accepts on is in use (-LA_ERR_CTLINUSE), one nobody
 * listens on is stale and replaced; any other file there is never
 * replaced (-LA_ERR_CTLNOTSOCK). Its directory is held at LA_CTL_DIRFD
 * and its name kept for la_ctl_unlink. On failure why (whylen bytes) has
 * the reason. Not thread-safe (sets the umask for the bind).
 * returns: the listening descriptor (non-blocking, close-on-exec),
 * -LA_ERR_CTLINUSE, -LA_ERR_CTLNOTSOCK, -LA_ERR_NAMELEN, -LA_ERR_IO */
int la_ctl_listen(const char *path, char *why, size_t whylen);

/* la_sock_listen - as la_ctl_listen, for the socket in slot (below
 * LA_SOCK_SLOTS, its directory held at LA_CTL_DIRFD - slot), backlog
 * connections queued.
 * returns: as la_ctl_listen */
int la_sock_listen(unsigned slot, const char *path, int backlog, char *why, size_t whylen);

/* la_ctl_unlink - remove the sockets la_ctl_listen and la_sock_listen
 * made (each once; later calls do nothing). Async-signal-safe: for signal
 * handlers and the seccomp trap. */
void la_ctl_unlink(void);

/* la_ctl_serve - serve clients on listening socket lfd until stop_fd is
 * readable (or poll fails): at most LA_CTL_CLIENTS at once, requests in
 * order, a too-long request answered and its connection dropped, an idle
 * or vanished client dropped. Never ends the VM but through ops->stop.
 * returns: 0, -LA_ERR_IO (poll failed) */
int la_ctl_serve(int lfd, int stop_fd, const struct la_ctl_ops *ops);

/* la_ctl_connect - a client's connection to path, blocking at most
 * timeout_ms (a listener's backlog may be full). On failure why (whylen
 * bytes): "no such socket", "connection refused (...)", ...
 * returns: the descriptor, -LA_ERR_IO */
int la_ctl_connect(const char *path, unsigned timeout_ms, char *why, size_t whylen);

#endif
