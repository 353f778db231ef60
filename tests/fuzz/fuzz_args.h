/* SPDX-License-Identifier: MIT */
/*
 * A program's whole command line from the fuzzer's bytes: every option and
 * every option's sub-syntax, parsed by the program's own argp parser (its
 * main.c is compiled into the target with main renamed). The input is the
 * arguments after argv[0], each ended by a NUL (the last by the end).
 *
 * The programs end on bad input: exit (la_cli_fail, la_vmopts), argp's
 * failure and error calls, argp_parse's own usage errors. The target is
 * linked with --wrap for each (tests/fuzz/README.md), so that ending is a
 * longjmp back to the fuzzer instead, after the message is formatted (its
 * arguments are still read, as printing them would). argp_parse runs with
 * ARGP_NO_EXIT for the same reason; what it would print goes to the
 * fuzzer's closed standard streams (-close_fd_mask=3 in TARGET.options).
 *
 * A longjmp out of argp_parse skips its own free of the block it took at
 * the start (glibc's parser_init): the sanitizer's malloc hook notes the
 * first block argp_parse takes, and FA_RUN frees it when argp_parse did
 * not. What else a program had not freed when it ended (a copy of an
 * argument being parsed) is not chased: the targets run with
 * -detect_leaks=0, and they are small.
 */
#ifndef LA_FUZZ_ARGS_H
#define LA_FUZZ_ARGS_H

#include <argp.h>
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sanitizer/allocator_interface.h>

#define FA_MAX_ARGS 48
#define FA_MAX_BYTES 4096

static jmp_buf fa_jmp;
static volatile int fa_armed;
static const volatile void *volatile fa_argp_block;
static volatile int fa_want_block;

static void fa_malloc_hook(const volatile void *p, size_t n)
{
	(void)n;
	if (fa_want_block) {
		fa_want_block = 0;
		fa_argp_block = p;
	}
}

static void fa_free_hook(const volatile void *p)
{
	if (p == fa_argp_block)
		fa_argp_block = NULL;
}

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerInitialize(int *argc, char ***argv)
{
	(void)argc, (void)argv;
	__sanitizer_install_malloc_and_free_hooks(fa_malloc_hook, fa_free_hook);
	return 0;
}

void __real_exit(int status) __attribute__((noreturn));
error_t __real_argp_parse(const struct argp *argp, int argc, char **argv, unsigned flags,
			  int *arg_index, void *input);

/* leave the program: back to the target when it is running, else the real
 * exit (libFuzzer's own) */
void __wrap_exit(int status) __attribute__((noreturn));
void __wrap_exit(int status)
{
	if (fa_armed) {
		fa_armed = 0;
		longjmp(fa_jmp, 1);
	}
	__real_exit(status);
}

error_t __wrap_argp_parse(const struct argp *argp, int argc, char **argv, unsigned flags,
			  int *arg_index, void *input);
error_t __wrap_argp_parse(const struct argp *argp, int argc, char **argv, unsigned flags,
			  int *arg_index, void *input)
{
	error_t e;

	fa_want_block = 1;
	e = __real_argp_parse(argp, argc, argv, flags | ARGP_NO_EXIT, arg_index, input);

	if (e)
		__wrap_exit(2);
	return e;
}

static void fa_format(const char *fmt, va_list ap)
{
	char buf[1024];

	vsnprintf(buf, sizeof(buf), fmt, ap);
}

void __wrap_argp_failure(const struct argp_state *state, int status, int errnum,
			 const char *fmt, ...);
void __wrap_argp_failure(const struct argp_state *state, int status, int errnum,
			 const char *fmt, ...)
{
	va_list ap;

	(void)state, (void)errnum;
	va_start(ap, fmt);
	fa_format(fmt, ap);
	va_end(ap);
	if (status)
		__wrap_exit(status);
}

void __wrap_argp_error(const struct argp_state *state, const char *fmt, ...);
void __wrap_argp_error(const struct argp_state *state, const char *fmt, ...)
{
	va_list ap;

	(void)state;
	va_start(ap, fmt);
	fa_format(fmt, ap);
	va_end(ap);
	__wrap_exit(2);
}

void __wrap_argp_state_help(const struct argp_state *state, FILE *stream, unsigned flags);
void __wrap_argp_state_help(const struct argp_state *state, FILE *stream, unsigned flags)
{
	(void)state, (void)stream;
	if (flags & (ARGP_HELP_EXIT_ERR | ARGP_HELP_EXIT_OK))
		__wrap_exit(flags & ARGP_HELP_EXIT_ERR ? 2 : 0);
}

struct fa_argv {
	int argc;
	char *argv[FA_MAX_ARGS + 2];
	char bytes[FA_MAX_BYTES + 1];
};

/* fa_split - argv[0] = prog, then the input's NUL-separated strings (at
 * most FA_MAX_ARGS of them, FA_MAX_BYTES bytes in all; the rest is
 * dropped). returns: true (every command line runs: glibc argp's hidden
 * --HANG, which sleeps an hour, and its abbreviations are usage errors in
 * la's programs, la_cli_parse) */
static bool fa_split(struct fa_argv *v, const char *prog, const uint8_t *data, size_t n)
{
	size_t len = n < FA_MAX_BYTES ? n : FA_MAX_BYTES;

	memcpy(v->bytes, data, len);
	v->bytes[len] = 0;
	v->argc = 0;
	v->argv[v->argc++] = (char *)prog;
	for (size_t i = 0; i < len && v->argc <= FA_MAX_ARGS; i++) {
		v->argv[v->argc++] = &v->bytes[i];
		while (i < len && v->bytes[i])
			i++;
	}
	v->argv[v->argc] = NULL;
	return true;
}

/* FA_RUN(stmt) - stmt with the program's exits coming back here */
#define FA_RUN(stmt)                                     \
	do {                                             \
		if (!setjmp(fa_jmp)) {                   \
			fa_armed = 1;                    \
			stmt;                            \
		}                                        \
		fa_armed = 0;                            \
		fa_want_block = 0;                       \
		if (fa_argp_block)                       \
			free((void *)fa_argp_block);     \
		fa_argp_block = NULL;                    \
	} while (0)

#endif
