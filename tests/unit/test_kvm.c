/* SPDX-License-Identifier: MIT */
/* Unit tests of what la-vmrun reads about the host's KVM without opening
 * it: which software KVM serves /dev/kvm, from a canned /sys/module. */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "vm/kvm.h"
#include "t.h"

static void test_software(void)
{
	char dir[] = "/tmp/la-test-kvm.XXXXXX", sub[64], file[64], longdir[5000];

	if (!mkdtemp(dir)) {
		T_SKIP("mkdtemp failed");
		return;
	}
	snprintf(sub, sizeof(sub), "%s/kvm_pvm", dir);
	snprintf(file, sizeof(file), "%s/kvm", dir);
	T_CHECK(mkdir(file, 0700) == 0);
	/* hardware KVM: kvm and kvm_intel/kvm_amd, no kvm_pvm */
	T_CHECK(la_kvm_software_in_dir(dir) == NULL);
	/* a file is not a loaded module */
	FILE *f = fopen(sub, "w");
	T_CHECK(f && fclose(f) == 0);
	T_CHECK(la_kvm_software_in_dir(dir) == NULL);
	T_CHECK(unlink(sub) == 0);
	T_CHECK(mkdir(sub, 0700) == 0);
	T_EQ_STR(la_kvm_software_in_dir(dir), "kvm_pvm");
	/* a folder name longer than any path: nothing, not a crash */
	memset(longdir, 'a', sizeof(longdir) - 1);
	longdir[sizeof(longdir) - 1] = '\0';
	T_CHECK(la_kvm_software_in_dir(longdir) == NULL);
	T_CHECK(la_kvm_software_in_dir("/nonexistent-la-test") == NULL);
	T_EQ_STR(la_kvm_sys_module_dir(), "/sys/module");
	rmdir(sub);
	rmdir(file);
	rmdir(dir);
}

int main(void)
{
	test_software();
	return T_DONE();
}
