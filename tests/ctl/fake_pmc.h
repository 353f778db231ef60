/* SPDX-License-Identifier: MIT */
/* A fake virtual PMC behind the control socket (lib/ctl.h's suspend and
 * resume) for la-ctl-fake and test_ctl: the guest suspends and resumes at
 * once, or the answer fake_pmc_answer says; the wrong state is refused as
 * la-vmrun refuses it. */
#ifndef LA_TESTS_CTL_FAKE_PMC_H
#define LA_TESTS_CTL_FAKE_PMC_H

#include <stdbool.h>
#include <stdio.h>

#include "ctl.h"

static bool fake_suspended;
static int fake_pmc_calls;
static enum la_ctl_code fake_pmc_answer; /* LA_CTL_OK: the guest does it */

static enum la_ctl_code fake_pmc(bool resume, char *why, size_t whylen)
{
	const char *op = resume ? "resume" : "suspend";

	fake_pmc_calls++;
	if (fake_suspended != resume) {
		snprintf(why, whylen, "%s: the guest is %s", op,
			 resume ? "not suspended" : "suspended already");
		return LA_CTL_STATE;
	}
	if (fake_pmc_answer) {
		snprintf(why, whylen, "%s: the guest did not", op);
		return fake_pmc_answer;
	}
	fake_suspended = !resume;
	return LA_CTL_OK;
}

static enum la_ctl_code fake_suspend(void *ctx, char *why, size_t whylen)
{
	(void)ctx;
	return fake_pmc(false, why, whylen);
}

static enum la_ctl_code fake_resume(void *ctx, char *why, size_t whylen)
{
	(void)ctx;
	return fake_pmc(true, why, whylen);
}

#endif
