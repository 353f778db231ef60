/* SPDX-License-Identifier: MIT */
/*
 * la-vmrun's serial parameters as crosvm spells them (crosvm-arch.md
 * §1.4): --serial type=,hardware=,num=,path=,console,earlycon,stdin, with
 * la's older spellings (--serial N=KIND, --debugcon FILE, --console
 * virtio) as short forms of it; the defaults (COM1 on standard output,
 * the console, with standard input, when no output is the console), the
 * checks, what --explain says, and on a run what each device writes to:
 * standard output, a file, nothing, syslog(3), or a Unix stream socket a
 * client attaches to and detaches from while the VM runs. The last two
 * are served by the serial thread (la-serial), which reads what the
 * guest wrote from a pipe: a client that is slow to read, or none,
 * never stalls a vCPU; what the pipe cannot hold is dropped.
 */
#include <argp.h>
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <pthread.h>
#include <semaphore.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <syslog.h>
#include <time.h>
#include <unistd.h>

#include "cli.h"
#include "ctl.h"
#include "err.h"
#include "fileio.h"
#include "jsonw.h"
#include "size.h"
#include "vmrun.h"

static const char *const la_ser_kinds[] = {
	[LA_SERIAL_SINK] = "sink", [LA_SERIAL_STDOUT] = "stdout", [LA_SERIAL_FILE] = "file",
	[LA_SERIAL_SYSLOG] = "syslog", [LA_SERIAL_UNIX] = "unix",
};
#define LA_SER_NKINDS (sizeof(la_ser_kinds) / sizeof(la_ser_kinds[0]))

/* what an output is, in messages: COM1..COM4, the virtio console, the debug port */
static const char *la_ser_what(unsigned o)
{
	static const char *const what[LA_SER_COUNT] = {
		"COM1", "COM2", "COM3", "COM4", "the virtio console", "the debug port",
	};

	return what[o];
}

/* the guest's name of it */
static const char *la_ser_dev(unsigned o)
{
	static const char *const dev[LA_SER_COUNT] = {
		"ttyS0", "ttyS1", "ttyS2", "ttyS3", "hvc0", "port 0x402",
	};

	return dev[o];
}

#define LA_SER_KEYS "type=, hardware=, num=, path=, console, earlycon, stdin"

/* One more output: refused when it is given already, or takes the
 * console, earlycon or standard input another has (crosvm's rules). */
static void la_ser_add(struct argp_state *state, struct la_vmrun *a, const char *opt, unsigned o,
		       const struct la_serial_param *p)
{
	for (unsigned i = 0; i < LA_SER_COUNT; i++) {
		const struct la_serial_param *q = &a->serial[i];

		if (!q->arg)
			continue;
		if (i == o)
			argp_failure(state, 2, 0, "%s: '%s': %s is given already ('%s')", opt,
				     p->arg, la_ser_what(o), q->arg);
		if (p->console && q->console)
			argp_failure(state, 2, 0, "%s: '%s': %s is the console already ('%s')", opt,
				     p->arg, la_ser_what(i), q->arg);
		if (p->earlycon && q->earlycon)
			argp_failure(state, 2, 0, "%s: '%s': %s has earlycon already ('%s')", opt,
				     p->arg, la_ser_what(i), q->arg);
		if (p->stdin && q->stdin)
			argp_failure(state, 2, 0, "%s: '%s': standard input goes to %s already "
				     "('%s')", opt, p->arg, la_ser_what(i), q->arg);
	}
	a->serial[o] = *p;
}

/* The short form N=KIND: KIND file:PATH, null or stdout (the console,
 * with standard input). */
static void la_ser_short(struct argp_state *state, struct la_vmrun *a, const char *arg)
{
	const char *eq = strchr(arg, '='), *kind = eq ? eq + 1 : NULL;
	struct la_serial_param p = { .arg = arg, .legacy = true };
	uint64_t n = 0;

	if (!eq || la_parse_dec_n(arg, (size_t)(eq - arg), 4, &n) || n < 1)
		argp_failure(state, 2, 0, "--serial: '%s': not N=KIND with N from 1 to 4", arg);
	if (!strcmp(kind, "null"))
		p.kind = LA_SERIAL_SINK;
	else if (!strcmp(kind, "stdout"))
		p.kind = LA_SERIAL_STDOUT, p.console = true, p.stdin = true;
	else if (!strncmp(kind, "file:", 5) && kind[5])
		p.kind = LA_SERIAL_FILE, p.path = strdup(kind + 5);
	else
		argp_failure(state, 2, 0, "--serial: '%s': KIND is file:PATH, null or stdout", arg);
	la_ser_add(state, a, "--serial", (unsigned)n - 1, &p);
}

/* console, console=true, console=false */
static bool la_ser_bool(struct argp_state *state, const char *arg, const char *key,
			const char *v)
{
	if (!v || !strcmp(v, "true"))
		return true;
	if (!strcmp(v, "false"))
		return false;
	argp_failure(state, 2, 0, "--serial: '%s': %s= is true or false", arg, key);
	return false;
}

enum { LA_HW_SERIAL, LA_HW_VIRTIO, LA_HW_DEBUGCON };

/* One KEY[=VALUE] of the long form into p (hw, num: hardware=, num=). */
static void la_ser_key(struct argp_state *state, const char *arg, char *tok,
		       struct la_serial_param *p, unsigned *hw, uint64_t *num, unsigned *seen)
{
	static const char *const keys[] = { "type", "hardware", "num", "path", "console",
					    "earlycon", "stdin" };
	char *eq = strchr(tok, '=');
	const char *v = eq ? eq + 1 : NULL;
	unsigned k = 0;

	if (eq)
		*eq = '\0';
	while (k < 7 && strcmp(tok, keys[k]))
		k++;
	if (k == 7)
		argp_failure(state, 2, 0, "--serial: '%s': unknown key '%s' (%s)", arg, tok,
			     LA_SER_KEYS);
	if (*seen & (1u << k))
		argp_failure(state, 2, 0, "--serial: '%s': %s given twice", arg, tok);
	*seen |= 1u << k;
	if (k < 4 && (!v || !*v))
		argp_failure(state, 2, 0, "--serial: '%s': %s= needs a value", arg, tok);
	switch (k) {
	case 0:
		for (p->kind = 0; p->kind < LA_SER_NKINDS; p->kind++)
			if (!strcmp(v, la_ser_kinds[p->kind]))
				return;
		argp_failure(state, 2, 0, "--serial: '%s': type= is stdout, file, sink, syslog "
			     "or unix, not '%s'", arg, v);
		return;
	case 1:
		*hw = !strcmp(v, "serial") ? LA_HW_SERIAL : !strcmp(v, "virtio-console") ?
		      LA_HW_VIRTIO : !strcmp(v, "debugcon") ? LA_HW_DEBUGCON : 3;
		if (*hw == 3)
			argp_failure(state, 2, 0, "--serial: '%s': hardware= is serial, "
				     "virtio-console or debugcon, not '%s'", arg, v);
		return;
	case 2:
		if (la_parse_dec_n(v, strlen(v), 255, num) || *num < 1)
			argp_failure(state, 2, 0, "--serial: '%s': num= is not a number from 1 "
				     "(COM1) to 4 (COM4)", arg);
		return;
	case 3: p->path = strdup(v); return;
	case 4: p->console = la_ser_bool(state, arg, tok, v); return;
	case 5:
		p->earlycon = la_ser_bool(state, arg, tok, v);
		p->earlycon_set = true;
		return;
	default: p->stdin = la_ser_bool(state, arg, tok, v); return;
	}
}

/* The long form, checked whole: which output it is, and what its type
 * and hardware allow. */
static void la_ser_long(struct argp_state *state, struct la_vmrun *a, const char *arg)
{
	struct la_serial_param p = { .arg = arg };
	char *copy = strdup(arg), *save = NULL, *tok;
	unsigned hw = LA_HW_SERIAL, seen = 0, o;
	uint64_t num = 1;

	if (!copy)
		argp_failure(state, 1, ENOMEM, "--serial");
	for (tok = strtok_r(copy, ",", &save); tok; tok = strtok_r(NULL, ",", &save))
		la_ser_key(state, arg, tok, &p, &hw, &num, &seen);
	free(copy);
	if (hw == LA_HW_SERIAL && num > 4)
		argp_failure(state, 2, 0, "--serial: '%s': num= is not a number from 1 (COM1) to "
			     "4 (COM4)", arg);
	if (hw != LA_HW_SERIAL && num != 1)
		argp_failure(state, 2, 0, "--serial: '%s': num= is 1: la-vmrun has one %s", arg,
			     hw == LA_HW_VIRTIO ? "virtio console" : "debug port (0x402)");
	if ((p.kind == LA_SERIAL_FILE || p.kind == LA_SERIAL_UNIX) && !p.path)
		argp_failure(state, 2, 0, "--serial: '%s': type=%s needs path=%s", arg,
			     la_ser_kinds[p.kind], p.kind == LA_SERIAL_FILE ? "FILE" : "SOCKET");
	if (p.path && p.kind != LA_SERIAL_FILE && p.kind != LA_SERIAL_UNIX)
		argp_failure(state, 2, 0, "--serial: '%s': path= is for type=file and type=unix, "
			     "not type=%s", arg, la_ser_kinds[p.kind]);
	if (p.earlycon && hw != LA_HW_SERIAL)
		argp_failure(state, 2, 0, "--serial: '%s': earlycon is a COM port's "
			     "(hardware=serial): the kernel has no early %s", arg,
			     hw == LA_HW_VIRTIO ? "virtio console" : "debug port console");
	if (hw == LA_HW_DEBUGCON && (p.console || p.stdin))
		argp_failure(state, 2, 0, "--serial: '%s': the debug port only writes: it cannot "
			     "be the console nor take standard input", arg);
	if (p.stdin && p.kind == LA_SERIAL_UNIX)
		argp_failure(state, 2, 0, "--serial: '%s': type=unix takes its input from the "
			     "socket's client, not standard input", arg);
	o = hw == LA_HW_SERIAL ? (unsigned)num - 1 : hw == LA_HW_VIRTIO ? LA_SER_HVC :
	    LA_SER_DEBUGCON;
	la_ser_add(state, a, "--serial", o, &p);
}

void la_vmrun_serial_opt(struct argp_state *state, struct la_vmrun *a, const char *arg)
{
	size_t k = strcspn(arg, "=,"), i = 0;

	/* the long form's first key is a word; anything else is N=KIND's N */
	while (i < k && arg[i] >= 'a' && arg[i] <= 'z')
		i++;
	if (k && i == k)
		la_ser_long(state, a, arg);
	else
		la_ser_short(state, a, arg);
}

/* --debugcon FILE: --serial hardware=debugcon,type=file,path=FILE */
void la_vmrun_debugcon_opt(struct argp_state *state, struct la_vmrun *a, const char *arg)
{
	struct la_serial_param p = { .arg = arg, .kind = LA_SERIAL_FILE, .path = strdup(arg),
				     .legacy = true };

	la_ser_add(state, a, "--debugcon", LA_SER_DEBUGCON, &p);
}

/* --console serial|virtio: virtio is resolved once all options are in
 * (la_vmrun_serial_check) */
void la_vmrun_console_opt(struct argp_state *state, struct la_vmrun *a, const char *arg)
{
	if (!strcmp(arg, "virtio"))
		a->console_virtio = true;
	else if (!strcmp(arg, "serial"))
		a->console_virtio = false;
	else
		argp_failure(state, 2, 0, "--console: '%s': KIND is serial or virtio", arg);
}

/* --console virtio: hvc0 the console, on the console COM port's output
 * and with its input; the COM port keeps earlycon. */
static void la_ser_console_virtio(struct argp_state *state, struct la_vmrun *a)
{
	struct la_serial_param *hvc = &a->serial[LA_SER_HVC];
	int from = a->ser_console >= 0 ? a->ser_console : 0;
	struct la_serial_param *com = &a->serial[from];

	if (!a->console_virtio)
		return;
	if (hvc->arg) {
		if (hvc->legacy)
			return;
		argp_failure(state, 2, 0, "--console: 'virtio': the virtio console is given "
			     "already ('%s')", hvc->arg);
	}
	if (com->kind == LA_SERIAL_UNIX || com->kind == LA_SERIAL_SYSLOG)
		argp_failure(state, 2, 0, "--console: 'virtio': takes %s's output, which is "
			     "type=%s; give --serial hardware=virtio-console,... instead",
			     la_ser_what((unsigned)from), la_ser_kinds[com->kind]);
	*hvc = (struct la_serial_param){ .arg = "--console virtio", .legacy = true,
					 .kind = com->kind, .console = true, .stdin = com->stdin,
					 .path = com->path ? strdup(com->path) : NULL };
	com->stdin = false;
}

void la_vmrun_serial_check(struct argp_state *state, struct la_vmrun *a)
{
	struct la_serial_param *s = a->serial;
	bool console = false, early_said = false, any_stdin = false;

	if (s[LA_SER_DEBUGCON].arg && a->vm.cfg.arch->id != LA_ARCH_X86_64)
		argp_failure(state, 2, 0, "%s: '%s': the debug port 0x402 is x86_64's",
			     s[LA_SER_DEBUGCON].legacy ? "--debugcon" : "--serial",
			     s[LA_SER_DEBUGCON].arg);
	for (unsigned i = 0; i < LA_SER_COUNT; i++) {
		console |= s[i].console;
		early_said |= s[i].earlycon_set;
		any_stdin |= s[i].stdin;
	}
	a->ser_console = -1;
	for (int i = 0; i < 4; i++)
		if (s[i].console)
			a->ser_console = i;
	/* crosvm's default: no output is the console, COM1 is not given: it
	 * is standard output, the console, with standard input. la's short
	 * form keeps its rule: a COM1 given as N=KIND is the console wherever
	 * it goes. */
	if (!console && !s[0].arg) {
		s[0] = (struct la_serial_param){ .kind = LA_SERIAL_STDOUT, .console = true,
						 .stdin = !any_stdin };
		a->ser_console = 0;
	} else if (!console && s[0].legacy) {
		a->ser_console = 0;
	}
	la_ser_console_virtio(state, a);
	a->console_virtio = s[LA_SER_HVC].arg != NULL;
	/* earlycon: where said; said nowhere, on the console COM port (la's
	 * default; crosvm's is none) */
	a->ser_earlycon = early_said ? -1 : a->ser_console;
	for (int i = 0; i < 4; i++)
		if (s[i].earlycon)
			a->ser_earlycon = i;
	a->ser_stdin = -1;
	for (int i = 0; i < LA_SER_COUNT; i++)
		if (s[i].stdin)
			a->ser_stdin = i;
	for (int i = 0; i < LA_SER_COUNT; i++)
		s[i].fd = s[i].listen_fd = s[i].pipe_rd = -1;
}

/* ---- what --explain says ---- */

static void la_ser_flags(const struct la_vmrun *a, unsigned o, char *buf, size_t len)
{
	const struct la_serial_param *p = &a->serial[o];

	snprintf(buf, len, "%s%s%s%s%s%s", la_ser_kinds[p->kind], p->path ? " " : "",
		 p->path ? p->path : "", p->console ? ", console" : "",
		 (int)o == a->ser_earlycon ? ", earlycon" : "",
		 (int)o == a->ser_stdin ? ", standard input" :
		 p->kind == LA_SERIAL_UNIX && o != LA_SER_DEBUGCON ? ", input from its client" : "");
}

void la_vmrun_serial_explain(const struct la_vmrun *a)
{
	char flags[400];

	printf("\nserial (--serial):\n");
	for (unsigned o = 0; o < LA_SER_COUNT; o++) {
		if (o >= 4 && !a->serial[o].arg)
			continue;
		la_ser_flags(a, o, flags, sizeof(flags));
		printf("  %-18s %-10s %s\n", la_ser_what(o), la_ser_dev(o), flags);
	}
}

void la_vmrun_serial_json(struct la_json *j, const struct la_vmrun *a)
{
	static const char *const hw[LA_SER_COUNT] = {
		"serial", "serial", "serial", "serial", "virtio-console", "debugcon",
	};

	la_json_arr_begin(j, "serial");
	for (unsigned o = 0; o < LA_SER_COUNT; o++) {
		const struct la_serial_param *p = &a->serial[o];

		if (o >= 4 && !p->arg)
			continue;
		la_json_obj_begin(j, NULL);
		la_json_str(j, "hardware", hw[o]);
		la_json_u64(j, "num", o < 4 ? o + 1 : 1);
		la_json_str(j, "device", la_ser_dev(o));
		la_json_str(j, "type", la_ser_kinds[p->kind]);
		if (p->path)
			la_json_str(j, "path", p->path);
		else
			la_json_null(j, "path");
		la_json_bool(j, "console", p->console);
		la_json_bool(j, "earlycon", (int)o == a->ser_earlycon);
		la_json_bool(j, "stdin", (int)o == a->ser_stdin);
		la_json_obj_end(j);
	}
	la_json_arr_end(j);
}

/* ---- a run ---- */

bool la_vmrun_serial_needs_thread(const struct la_vmrun *a)
{
	for (unsigned o = 0; o < LA_SER_COUNT; o++)
		if (a->serial[o].kind == LA_SERIAL_UNIX || a->serial[o].kind == LA_SERIAL_SYSLOG)
			return true;
	return false;
}

static const char *la_ser_opt(const struct la_serial_param *p, unsigned o)
{
	return o == LA_SER_DEBUGCON && p->legacy ? "--debugcon" : "--serial";
}

/* type=unix, syslog: the device writes into a pipe the serial thread
 * reads; neither end blocks (a full pipe drops the guest's bytes). */
static void la_ser_pipe(struct la_serial_param *p, unsigned o)
{
	int fds[2];

	if (pipe2(fds, O_CLOEXEC | O_NONBLOCK) != 0)
		la_cli_fail(la_ser_opt(p, o), p->arg, 1, "pipe: %s", strerror(errno));
	p->pipe_rd = fds[0];
	p->fd = fds[1];
}

void la_vmrun_serial_open(struct la_vmrun *a)
{
	bool syslog_open = false;
	char why[LA_FILE_WHY_MAX];

	for (unsigned o = 0; o < LA_SER_COUNT; o++) {
		struct la_serial_param *p = &a->serial[o];
		struct la_out out;
		int fd;

		if (!p->arg && o >= 4)
			continue;
		switch (p->kind) {
		case LA_SERIAL_SINK:
			break;
		case LA_SERIAL_STDOUT:
			p->fd = 1;
			break;
		case LA_SERIAL_FILE:
			if (la_out_open(&out, p->path, LA_OUT_STREAM, why))
				la_vmrun_die(la_ser_opt(p, o), p->path, why);
			p->fd = out.fd;
			break;
		case LA_SERIAL_SYSLOG:
			/* connected now: the jail has no /dev/log; the zone
			 * read now too (syslog(3) stamps its lines) */
			if (!syslog_open) {
				tzset();
				openlog("la-vmrun", LOG_NDELAY | LOG_PID, LOG_DAEMON);
				syslog_open = true;
			}
			la_ser_pipe(p, o);
			break;
		case LA_SERIAL_UNIX:
			fd = la_sock_listen(1 + o, p->path, 1, why, sizeof(why));
			if (fd < 0)
				la_cli_fail("--serial", p->arg, 1, "%s: %s", p->path, why);
			p->listen_fd = fd;
			atexit(la_ctl_unlink);
			la_vmrun_fatal_signals();
			la_ser_pipe(p, o);
			break;
		}
	}
	/* --console virtio's output: the console COM port's own */
	if (a->serial[LA_SER_HVC].legacy)
		a->serial[LA_SER_HVC].fd = a->serial[a->ser_console >= 0 ? a->ser_console : 0].fd;
}

void la_vmrun_serial_close(struct la_vmrun *a)
{
	for (unsigned o = 0; o < LA_SER_COUNT; o++) {
		struct la_serial_param *p = &a->serial[o];

		if (p->fd > 2 && !(o == LA_SER_HVC && p->legacy))
			close(p->fd);
		if (p->listen_fd >= 0)
			close(p->listen_fd);
		if (p->pipe_rd >= 0)
			close(p->pipe_rd);
		p->fd = p->listen_fd = p->pipe_rd = -1;
	}
	la_ctl_unlink();
}

void la_vmrun_serial_free(struct la_vmrun *a)
{
	for (unsigned o = 0; o < LA_SER_COUNT; o++) {
		free(a->serial[o].path);
		a->serial[o].path = NULL;
	}
}

/* what is read from a pipe at once; a syslog line longer than this is cut */
#define LA_SER_BUF 1024

struct la_serial_srv {
	struct la_vmrun *a;
	struct la_vm *vm;
	int stop_fd;
	pthread_t t;
	sem_t ready;
	int filter_err, filter_errno;
	int client[LA_SER_COUNT];          /* type=unix: the one client attached, -1: none */
	uint8_t buf[LA_SER_COUNT][LA_SER_BUF]; /* read from the pipe, not yet sent or logged */
	unsigned len[LA_SER_COUNT];
};

static void la_ser_drop_client(struct la_serial_srv *s, unsigned o)
{
	close(s->client[o]);
	s->client[o] = -1;
	s->len[o] = 0;
}

/* Send what is buffered to the client; what it does not take now waits
 * (the pipe fills meanwhile, then the guest's bytes are dropped). */
static void la_ser_send(struct la_serial_srv *s, unsigned o)
{
	ssize_t n = send(s->client[o], s->buf[o], s->len[o], MSG_DONTWAIT | MSG_NOSIGNAL);

	if (n < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (n <= 0) {
		la_ser_drop_client(s, o);
		return;
	}
	memmove(s->buf[o], s->buf[o] + n, s->len[o] - (size_t)n);
	s->len[o] -= (unsigned)n;
}

/* Each whole line buffered to syslog (daemon.info, as crosvm's); a line
 * that fills the buffer goes as it is. */
static void la_ser_log(struct la_serial_srv *s, unsigned o)
{
	uint8_t *b = s->buf[o], *nl;

	while ((nl = memchr(b, '\n', s->len[o])) || s->len[o] == LA_SER_BUF) {
		unsigned n = nl ? (unsigned)(nl - b) : s->len[o];
		unsigned used = nl ? n + 1 : n;

		if (n && b[n - 1] == '\r')
			n--;
		syslog(LOG_INFO, "%s: %.*s", la_ser_dev(o), (int)n, (const char *)b);
		memmove(b, b + used, s->len[o] - used);
		s->len[o] -= used;
	}
}

/* The guest wrote to output o: to its client, its log, or dropped. */
static void la_ser_output(struct la_serial_srv *s, unsigned o)
{
	struct la_serial_param *p = &s->a->serial[o];
	uint8_t drop[LA_SER_BUF];
	ssize_t r;

	if (p->kind == LA_SERIAL_UNIX && s->client[o] < 0) {
		while (read(p->pipe_rd, drop, sizeof(drop)) > 0) /* nobody attached */
			;
		return;
	}
	r = read(p->pipe_rd, s->buf[o] + s->len[o], LA_SER_BUF - s->len[o]);
	if (r <= 0)
		return;
	s->len[o] += (unsigned)r;
	if (p->kind == LA_SERIAL_SYSLOG)
		la_ser_log(s, o);
	else
		la_ser_send(s, o);
}

/* A connection: the one client, or closed at once when one is attached. */
static void la_ser_accept(struct la_serial_srv *s, unsigned o)
{
	int fd = accept4(s->a->serial[o].listen_fd, NULL, NULL, SOCK_CLOEXEC | SOCK_NONBLOCK);

	if (fd < 0)
		return;
	if (s->client[o] >= 0)
		close(fd);
	else
		s->client[o] = fd;
}

/* What the client typed, to the device (the debug port takes none). */
static void la_ser_input(struct la_serial_srv *s, unsigned o)
{
	uint8_t in[256];
	ssize_t r = read(s->client[o], in, sizeof(in));

	if (r < 0 && (errno == EAGAIN || errno == EINTR))
		return;
	if (r <= 0) { /* detached */
		la_ser_drop_client(s, o);
		return;
	}
	if (o != LA_SER_DEBUGCON)
		la_vmrun_feed(s->a, s->vm, o, in, (unsigned)r);
}

enum { LA_SER_PFD_PIPE, LA_SER_PFD_LISTEN, LA_SER_PFD_CLIENT, LA_SER_PFDS };

static void la_ser_serve(struct la_serial_srv *s)
{
	struct pollfd fds[1 + LA_SER_COUNT * LA_SER_PFDS];

	for (;;) {
		unsigned n = 1;

		fds[0] = (struct pollfd){ .fd = s->stop_fd, .events = POLLIN };
		for (unsigned o = 0; o < LA_SER_COUNT; o++) {
			const struct la_serial_param *p = &s->a->serial[o];
			struct pollfd *f = &fds[1 + o * LA_SER_PFDS];
			bool pending = s->client[o] >= 0 && s->len[o];

			f[LA_SER_PFD_PIPE] = (struct pollfd){ .fd = pending ? -1 : p->pipe_rd,
							      .events = POLLIN };
			f[LA_SER_PFD_LISTEN] = (struct pollfd){ .fd = p->listen_fd, .events = POLLIN };
			f[LA_SER_PFD_CLIENT] = (struct pollfd){
				.fd = s->client[o], .events = POLLIN | (pending ? POLLOUT : 0) };
			n += LA_SER_PFDS;
		}
		if (poll(fds, n, -1) < 0) {
			if (errno == EINTR)
				continue;
			return;
		}
		if (fds[0].revents)
			return;
		for (unsigned o = 0; o < LA_SER_COUNT; o++) {
			struct pollfd *f = &fds[1 + o * LA_SER_PFDS];

			if (f[LA_SER_PFD_CLIENT].fd >= 0 && (f[LA_SER_PFD_CLIENT].revents & POLLOUT))
				la_ser_send(s, o);
			if (s->client[o] >= 0 && f[LA_SER_PFD_CLIENT].fd == s->client[o] &&
			    (f[LA_SER_PFD_CLIENT].revents & (POLLIN | POLLHUP | POLLERR)))
				la_ser_input(s, o);
			if (f[LA_SER_PFD_LISTEN].revents & POLLIN)
				la_ser_accept(s, o);
			if (f[LA_SER_PFD_PIPE].revents)
				la_ser_output(s, o);
		}
	}
}

static void *la_ser_thread(void *arg)
{
	struct la_serial_srv *s = arg;

	pthread_setname_np(pthread_self(), "la-serial");
	la_sandbox_set_thread(LA_THREAD_SERIAL, 0);
	s->filter_err = la_sandbox_filter_install("la-vmrun", LA_THREAD_SERIAL, s->a->seccomp);
	s->filter_errno = errno;
	sem_post(&s->ready);
	if (s->filter_err)
		return NULL;
	la_sandbox_test_hook("serial");
	la_ser_serve(s);
	for (unsigned o = 0; o < LA_SER_COUNT; o++) {
		if (s->client[o] >= 0)
			close(s->client[o]);
		if (s->a->serial[o].kind == LA_SERIAL_SYSLOG && s->len[o]) /* the last line */
			syslog(LOG_INFO, "%s: %.*s", la_ser_dev(o), (int)s->len[o],
			       (const char *)s->buf[o]);
	}
	return NULL;
}

int la_vmrun_serial_start(struct la_vmrun *a, struct la_vm *vm, int stop_fd,
			  struct la_serial_srv **out)
{
	struct la_serial_srv *s = calloc(1, sizeof(*s));

	*out = NULL;
	if (!s) {
		fprintf(stderr, "la-vmrun: serial thread: out of memory\n");
		return 1;
	}
	s->a = a;
	s->vm = vm;
	s->stop_fd = stop_fd;
	for (unsigned o = 0; o < LA_SER_COUNT; o++)
		s->client[o] = -1;
	sem_init(&s->ready, 0, 0);
	if (la_vm_thread_create(&s->t, la_ser_thread, s) != 0) {
		fprintf(stderr, "la-vmrun: serial thread: %s\n", strerror(errno));
		free(s);
		return 1;
	}
	*out = s;
	while (sem_wait(&s->ready) != 0 && errno == EINTR)
		;
	if (!s->filter_err)
		return 0;
	fprintf(stderr, "la-vmrun: seccomp filter of the serial thread: %s\n",
		s->filter_errno ? strerror(s->filter_errno) : la_strerror(s->filter_err));
	return 1;
}

void la_vmrun_serial_join(struct la_serial_srv *s)
{
	if (!s)
		return;
	pthread_join(s->t, NULL);
	sem_destroy(&s->ready);
	free(s);
}
