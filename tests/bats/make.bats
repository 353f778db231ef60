#!/usr/bin/env bats
# The Makefile's user-facing targets: install, install-strip, uninstall, and
# the version the programs report.

load helpers

LA_BUILD=${LA_BUILD:-$LA_TOP/build}

setup() {
	tmp=$(mktemp -d)
}

teardown() {
	rm -rf "$tmp"
}

# mk TARGET...: make in the tree, on the build the tests run against
mk() {
	make -s -C "$LA_TOP" --no-print-directory BUILD="$LA_BUILD" \
		${LA_SANITIZED:+SAN=1} "$@"
}

@test "make install puts the programs and man pages under DESTDIR/PREFIX; uninstall takes exactly those away" {
	mkdir -p "$tmp/root/usr/bin"
	echo keep >"$tmp/root/usr/bin/other"
	run mk install DESTDIR="$tmp/root" PREFIX=/usr
	assert_success
	local p
	for p in la-alloc la-hostcpu la-layout la-mkfdt la-vmctl la-vmrun; do
		[ -x "$tmp/root/usr/bin/$p" ] || fail "no $p"
		[ -f "$tmp/root/usr/share/man/man1/$p.1" ] || fail "no $p.1"
	done
	run "$tmp/root/usr/bin/la-layout" --arch riscv64 -m 64
	assert_success
	run mk uninstall DESTDIR="$tmp/root" PREFIX=/usr
	assert_success
	[ -z "$(find "$tmp/root" -name 'la-*')" ] || fail "left: $(find "$tmp/root" -name 'la-*')"
	[ "$(cat "$tmp/root/usr/bin/other")" = keep ]
}

@test "make install-strip installs the programs without debug sections" {
	run mk install-strip DESTDIR="$tmp/root" PREFIX=/usr
	assert_success
	readelf -S "$LA_BUILD/bin/la-layout" | grep -q debug_info || skip "the build has no debug sections"
	run readelf -S "$tmp/root/usr/bin/la-layout"
	refute_output --partial debug_info
}

@test "--version names the version and the commit the programs were built from" {
	local p rev
	rev=$(git -C "$LA_TOP" rev-parse --short=12 HEAD 2>/dev/null) || skip "not a git checkout"
	for p in la-alloc la-hostcpu la-layout la-mkfdt la-vmctl la-vmrun; do
		run "$p" --version
		assert_success
		assert_output --regexp "^$p [0-9]+\.[0-9]+\.[0-9]+ \(git $rev(-dirty)?\)\$"
	done
}

@test "no program offers glibc argp's hidden --HANG (an hour's sleep): it and its abbreviations are usage errors, at once" {
	local p a
	for p in la-alloc la-hostcpu la-layout la-mkfdt la-vmctl la-vmrun; do
		for a in --H --HAN --HANG --HANG=3600; do
			run timeout 10 "$p" "$a"
			assert_failure 2
			assert_line --index 0 "$p: unrecognized option '$a'"
		done
		# --help still works and does not list it
		run "$p" --help
		assert_success
		refute_output --partial HANG
	done
}
