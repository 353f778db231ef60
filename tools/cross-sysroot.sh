#!/bin/bash
# tools/cross-sysroot.sh DIR ARCH: libfdt, jansson and libseccomp built from
# source for ARCH (aarch64 or riscv64) into DIR/ARCH/sysroot (include/,
# lib/*.a), as ../shared/spec/cross-builds.md found works here: the
# sources come from Debian (trixie's source packages, through a private
# apt configuration under DIR/apt: the machine's apt setup is untouched, no
# foreign dpkg architecture), the cross compilers from bookworm. Does
# nothing when the sysroot is complete; downloads nothing when DIR/apt
# holds the tarballs already.
set -euo pipefail
dir=$1 arch=$2
case $arch in
aarch64 | riscv64) ;;
*) echo "cross-sysroot: ARCH: '$arch' is not aarch64 or riscv64" >&2; exit 2 ;;
esac
t=$arch-linux-gnu
mkdir -p "$dir"
dir=$(cd "$dir" && pwd)
p=$dir/$arch/sysroot
a=$dir/apt
die() { echo "cross-sysroot: $*" >&2; exit 1; }

[ -s "$p/lib/libfdt.a" ] && [ -s "$p/lib/libjansson.a" ] && [ -s "$p/lib/libseccomp.a" ] && exit 0
command -v "$t-gcc" >/dev/null || die "$t-gcc is missing (make deps installs gcc-$arch-linux-gnu)"

# the sources, once for both arches
mirror() {
	sed -n 's/^URIs: *\(http[^ ]*\/debian\)$/\1/p' /etc/apt/sources.list.d/*.sources 2>/dev/null | head -1
}
fetch() {
	local m
	ls "$a"/src/device-tree-compiler_*.orig.tar.* "$a"/src/jansson_*.orig.tar.* \
		"$a"/src/libseccomp_*.orig.tar.* \
		>/dev/null 2>&1 && return 0
	m=${LA_DEBIAN_MIRROR:-$(mirror)}
	[ -n "$m" ] || m=http://deb.debian.org/debian
	mkdir -p "$a/lists/partial" "$a/cache/archives/partial" "$a/etc/preferences.d" "$a/src"
	: >"$a/status"
	echo "deb-src [signed-by=/usr/share/keyrings/debian-archive-keyring.gpg] $m trixie main" \
		>"$a/etc/sources.list"
	cat >"$a/apt.conf" <<CONF
Dir::Etc::sourcelist "$a/etc/sources.list"; Dir::Etc::sourceparts "/nonexistent";
Dir::Etc::preferencesparts "$a/etc/preferences.d"; Dir::State::Lists "$a/lists";
Dir::Cache "$a/cache"; Dir::State::status "$a/status";
CONF
	APT_CONFIG=$a/apt.conf apt-get -qq update
	(cd "$a/src" && APT_CONFIG=$a/apt.conf apt-get -qq source --download-only --tar-only \
		device-tree-compiler jansson libseccomp)
}
fetch || die "cannot fetch the library sources from the Debian mirror"

b=$dir/$arch/src
rm -rf "$b" "$p"
mkdir -p "$b" "$p/include" "$p/lib"
for f in "$a"/src/device-tree-compiler_*.orig.tar.* "$a"/src/jansson_*.orig.tar.* \
	"$a"/src/libseccomp_*.orig.tar.*; do
	tar -xf "$f" -C "$b"
done

# libfdt: the library's C files, compiled as they are
d=$(echo "$b"/dtc-*/libfdt)
[ -d "$d" ] || die "no dtc-*/libfdt in the device-tree-compiler tarball"
for c in "$d"/fdt*.c; do
	"$t-gcc" -O2 -I"$d" -c -o "$b/$(basename "$c" .c).o" "$c"
done
"$t-ar" rcs "$p/lib/libfdt.a" "$b"/fdt*.o
cp "$d/fdt.h" "$d/libfdt.h" "$d/libfdt_env.h" "$p/include/"

# jansson: CMake (its tarball has no configure)
d=$(echo "$b"/jansson-*)
cmake -S "$d" -B "$b/jansson-build" -DCMAKE_SYSTEM_NAME=Linux -DCMAKE_SYSTEM_PROCESSOR="$arch" \
	-DCMAKE_C_COMPILER="$t-gcc" -DJANSSON_BUILD_SHARED_LIBS=OFF -DJANSSON_WITHOUT_TESTS=ON \
	-DJANSSON_BUILD_DOCS=OFF -DJANSSON_EXAMPLES=OFF -DCMAKE_INSTALL_PREFIX="$p" >/dev/null
cmake --build "$b/jansson-build" >/dev/null
cmake --install "$b/jansson-build" >/dev/null
[ -s "$p/lib/libjansson.a" ] || die "jansson did not build"

# libseccomp: its generated syscall table is newer than its input, so gperf
# is never run (GPERF=true)
d=$(echo "$b"/libseccomp-*)
(cd "$d" && ./configure -q --host="$t" --prefix="$p" --disable-shared --enable-static \
	--disable-python GPERF=true >/dev/null &&
	make -s -C src libseccomp.la >/dev/null && make -s -C src install-libLTLIBRARIES >/dev/null &&
	make -s -C include install >/dev/null)
[ -s "$p/lib/libseccomp.a" ] || die "libseccomp did not build"
rm -rf "$b"
echo "cross-sysroot: $p"
