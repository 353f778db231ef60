/* SPDX-License-Identifier: MIT */
#include "err.h"

static const struct {
	const char *name;
	const char *msg;
} la_errtable[] = {
	[LA_OK] = { "OK", "success" },
#define LA_ERR_ROW(name, msg) [LA_ERR_##name] = { #name, msg },
	LA_ERRORS(LA_ERR_ROW)
#undef LA_ERR_ROW
};

static int la_err_index(int err)
{
	if (err < 0)
		err = -err;
	return err < LA_ERR_MAX ? err : -1;
}

const char *la_strerror(int err)
{
	int i = la_err_index(err);

	return i < 0 ? "unknown error" : la_errtable[i].msg;
}

const char *la_strerror_name(int err)
{
	int i = la_err_index(err);

	return i < 0 ? "UNKNOWN" : la_errtable[i].name;
}
