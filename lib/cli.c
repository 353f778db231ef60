/* SPDX-License-Identifier: MIT */
/* The CLI layer the five programs share: argp skeleton, failure line,
 * region printers. */
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "cli.h"
#include "err.h"
#include "size.h"
#include "vmopts.h"

const struct argp_child la_cli_vm_children[] = {
	LA_CLI_VM_CHILD(&la_vmopts_argp, 1),
	{ 0 }
};

error_t la_cli_key(int key, char *arg, struct argp_state *state, struct la_vmopts *vm)
{
	switch (key) {
	case ARGP_KEY_INIT:
		if (!vm)
			return ARGP_ERR_UNKNOWN;
		state->child_inputs[0] = vm;
		return 0;
	case ARGP_KEY_ARG:
		argp_failure(state, 2, 0, "unexpected argument '%s'", arg);
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

/* glibc's argp gives every program a hidden --HANG[=SECS] that sleeps an
 * hour (a debugging aid of its own); --H, --HA, ... reach it as
 * abbreviations. la's programs do not offer it: a hidden option of the same
 * name ahead of argp's own takes "--HANG" (a usage error here), and makes
 * its abbreviations ambiguous (getopt's usage error). */
#define LA_CLI_KEY_HANG 0x4841 /* argp keys are 24 bits */

static error_t la_cli_top_parser(int key, char *arg, struct argp_state *state)
{
	(void)arg;
	switch (key) {
	case ARGP_KEY_INIT:
		state->child_inputs[0] = state->input;
		return 0;
	case LA_CLI_KEY_HANG:
		argp_error(state, "unrecognized option '%s'",
			   state->next > 0 && state->next <= state->argc ? state->argv[state->next - 1]
								      : "--HANG");
		return 0;
	default:
		return ARGP_ERR_UNKNOWN;
	}
}

void la_cli_parse(const struct argp *argp, int argc, char **argv, void *input)
{
	static const struct argp_option hang[] = {
		{ "HANG", LA_CLI_KEY_HANG, "SECS", OPTION_ARG_OPTIONAL | OPTION_HIDDEN, NULL, 0 },
		{ 0 }
	};
	const struct argp_child children[] = { { argp, 0, NULL, 0 }, { 0 } };
	const struct argp top = { .options = hang, .parser = la_cli_top_parser,
				  .children = children };

	argp_err_exit_status = 2;
	argp_parse(&top, argc, argv, 0, NULL, input);
}

void la_cli_fail(const char *opt, const char *value, int status, const char *fmt, ...)
{
	va_list ap;

	fprintf(stderr, "%s: ", program_invocation_short_name);
	if (opt)
		fprintf(stderr, "%s: ", opt);
	if (value)
		fprintf(stderr, "'%s': ", value);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(status);
}

void la_cli_parser_child(enum la_seccomp_mode mode, void (*parse)(void *ctx), void *ctx)
{
	int status, err;
	pid_t pid;

	if (mode == LA_SECCOMP_OFF) {
		la_sandbox_test_hook("parser");
		parse(ctx);
		return;
	}
	fflush(NULL);
	pid = fork();
	if (pid < 0)
		la_cli_fail(NULL, NULL, 1, "fork: %s", strerror(errno));
	if (pid == 0) {
		la_sandbox_set_thread(LA_THREAD_PARSER, 0);
		err = la_sandbox_filter_install(program_invocation_short_name, LA_THREAD_PARSER,
						mode);
		if (err)
			la_cli_fail("--seccomp", la_seccomp_mode_name(mode), 1, "%s: %s",
				    la_strerror(err), strerror(errno));
		la_sandbox_test_hook("parser");
		parse(ctx);
		exit(0);
	}
	while (waitpid(pid, &status, 0) < 0)
		if (errno != EINTR)
			la_cli_fail(NULL, NULL, 1, "waitpid: %s", strerror(errno));
	if (WIFSIGNALED(status))
		la_cli_fail(NULL, NULL, 1, "the parser process was killed by signal %d (%s)",
			    WTERMSIG(status), strsignal(WTERMSIG(status)));
	if (WEXITSTATUS(status))
		exit(WEXITSTATUS(status));
}

int la_cli_flush(void)
{
	if (fflush(stdout) == 0 && !ferror(stdout))
		return 0;
	fprintf(stderr, "%s: standard output: %s\n", program_invocation_short_name,
		strerror(errno));
	return 1;
}

void la_regions_print(FILE *f, const struct la_mem_layout *m)
{
	char sz[32];

	fprintf(f, "guest memory regions:\n");
	fprintf(f, "  %-18s %-18s %10s  %s\n", "start", "end", "size", "purpose");
	for (unsigned i = 0; i < m->n; i++) {
		const struct la_region *r = &m->r[i];

		fprintf(f, "  0x%016llx 0x%016llx %10s  %s", (unsigned long long)r->start,
			(unsigned long long)(r->start + r->size - 1),
			la_format_size(r->size, sz, sizeof(sz)),
			la_region_purpose_name(r->purpose));
		if (r->align)
			fprintf(f, " (host mapping aligned to %s)",
				la_format_size(r->align, sz, sizeof(sz)));
		fputc('\n', f);
	}
}

void la_regions_json(struct la_json *j, const struct la_mem_layout *m)
{
	la_json_arr_begin(j, "regions");
	for (unsigned i = 0; i < m->n; i++) {
		const struct la_region *r = &m->r[i];

		la_json_obj_begin(j, NULL);
		la_json_range_fields(j, r->start, r->start + r->size - 1);
		la_json_str(j, "purpose", la_region_purpose_name(r->purpose));
		la_json_u64(j, "align", r->align);
		la_json_obj_end(j);
	}
	la_json_arr_end(j);
}
