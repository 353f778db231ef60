# shellcheck shell=bash
# tests/vm/lib.sh: shared pieces of the emulated-host harness (sourced).
# The emulated host (L1) is a QEMU TCG x86_64 machine with SVM that boots a
# stock Debian kernel with kvm-amd; see shared/spec/emulated-hosts.md.

# The kernels come from tests/vm/kernels.sh (make kernels): Debian's cloud
# kernel package unpacked into $LA_KERNELS/x86_64-cloud (default
# <top>/build/kernels), never from this machine's /boot or /lib/modules.
_la_vm_top=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)

# la_vm_kernels_dir: the cache folder of the x86_64 cloud kernel
la_vm_kernels_dir() {
	echo "${LA_KERNELS:-$_la_vm_top/build/kernels}/x86_64-cloud"
}

# la_vm_l1_kernel: print the path of the kernel L1 boots. LA_L1_KERNEL wins;
# otherwise the cached Debian cloud kernel (LZ4: boots faster under TCG).
# Prints nothing when there is none.
la_vm_l1_kernel() {
	if [ -n "${LA_L1_KERNEL:-}" ]; then
		echo "$LA_L1_KERNEL"
		return
	fi
	local k
	k=$(la_vm_kernels_dir)/vmlinuz
	[ ! -e "$k" ] || echo "$k"
}

# la_vm_l2_kernel: the kernel la-vmrun boots inside L1 (LA_L2_KERNEL or the
# cached Debian cloud kernel: no MP-table parsing, so SMP needs ACPI's MADT).
la_vm_l2_kernel() {
	if [ -n "${LA_L2_KERNEL:-}" ]; then
		echo "$LA_L2_KERNEL"
		return
	fi
	local k
	k=$(la_vm_kernels_dir)/vmlinuz
	[ ! -e "$k" ] || echo "$k"
}

# la_vm_kver KERNEL: its module directory name: the kver file beside a cached
# kernel, else the name of a vmlinuz-VERSION file.
la_vm_kver() {
	local d
	d=$(dirname "$1")
	if [ -s "$d/kver" ]; then
		cat "$d/kver"
	else
		basename "$1" | sed 's/^vmlinuz-//'
	fi
}

# la_vm_modules_base KVER: the folder whose lib/modules/KVER holds KVER's
# modules (modinfo -b): the cache when it has KVER; for an LA_L1_KERNEL
# elsewhere, its folder if that has lib/modules/KVER, else the one above
# (an unpacked package's boot/vmlinuz-KVER).
la_vm_modules_base() {
	local c d
	c=$(la_vm_kernels_dir)
	if [ ! -d "$c/lib/modules/$1" ] && [ -n "${LA_L1_KERNEL:-}" ]; then
		d=$(dirname "$LA_L1_KERNEL")
		[ -d "$d/lib/modules/$1" ] || d=$(dirname "$d")
		c=$d
	fi
	echo "$c"
}

# _la_vm_modinfo ARGS...: modinfo, also where /usr/sbin is not on PATH
_la_vm_modinfo() {
	PATH=$PATH:/usr/sbin:/sbin modinfo "$@"
}

# la_vm_busybox: the static busybox binary (the package also ships a
# non-executable file named busybox elsewhere: take the one under bin/).
la_vm_busybox() {
	local b
	for b in /bin/busybox /usr/bin/busybox; do
		# a static binary: ldd refuses it
		if [ -x "$b" ] && ! ldd "$b" >/dev/null 2>&1; then
			echo "$b"
			return
		fi
	done
}

# la_vm_missing: print what the emulated host needs and this machine lacks
# (one reason per line); nothing when everything is there.
la_vm_missing() {
	command -v qemu-system-x86_64 >/dev/null 2>&1 ||
		echo "qemu-system-x86_64 not found (Debian package qemu-system-x86)"
	command -v cpio >/dev/null 2>&1 || echo "cpio not found (Debian package cpio)"
	[ -n "$(la_vm_busybox)" ] || echo "no static busybox (Debian package busybox-static)"
	local k kver
	k=$(la_vm_l1_kernel)
	if [ -n "${LA_L1_KERNEL:-}" ] && [ ! -r "$k" ]; then
		echo "LA_L1_KERNEL: '$k': cannot read it"
	elif [ -z "$k" ] || [ ! -r "$k" ]; then
		echo "no L1 kernel in $(la_vm_kernels_dir) (run make kernels, or tests/vm/kernels.sh $(dirname "$(la_vm_kernels_dir)") x86_64-cloud)"
	else
		kver=$(la_vm_kver "$k")
		_la_vm_modinfo -b "$(la_vm_modules_base "$kver")" -k "$kver" kvm-amd >/dev/null 2>&1 ||
			echo "kernel $k has no kvm-amd module"
	fi
}

# la_vm_modules_in_order KVER MOD...: print the .ko paths of MOD and every
# module it depends on (modinfo -F depends), dependencies first, no repeats;
# the modules are looked up under la_vm_modules_base KVER.
la_vm_modules_in_order() {
	local kver=$1 base
	shift
	base=$(la_vm_modules_base "$kver")
	local -A seen=()
	local -a order=()
	_la_vm_visit() {
		local m=$1 d deps path
		m=${m//-/_}
		[ -n "${seen[$m]:-}" ] && return 0
		seen[$m]=1
		path=$(_la_vm_modinfo -b "$base" -k "$kver" -n "$m" 2>/dev/null) || {
			echo "module $m not found for kernel $kver" >&2
			return 1
		}
		case $path in
		/*) ;;
		*) return 0 ;; # built in
		esac
		deps=$(_la_vm_modinfo -b "$base" -k "$kver" -F depends "$m" 2>/dev/null | tr ',' ' ')
		for d in $deps; do
			_la_vm_visit "$d" || return 1
		done
		order+=("$path")
	}
	local m
	for m in "$@"; do
		_la_vm_visit "$m" || return 1
	done
	printf '%s\n' "${order[@]}"
}

# la_vm_copy_binary ROOT PATH [DEST]: copy an executable into the initramfs
# tree ROOT (at DEST, default its own path) with the shared libraries and
# dynamic loader that ldd lists, so dynamically linked programs (including
# sanitizer builds) run in the emulated host.
la_vm_copy_binary() {
	local root=$1 src=$2 dest=${3:-$2} lib
	install -D -m 755 "$src" "$root$dest"
	ldd "$src" 2>/dev/null | grep -oE '/[^ ]+' | while read -r lib; do
		[ -e "$root$lib" ] || install -D -m 755 "$(readlink -f "$lib")" "$root$lib"
	done
}

# la_vm_cpio DIR OUT: pack DIR as an uncompressed newc cpio (the kernel
# unpacks it without decompressing, which is the fast path under TCG).
la_vm_cpio() {
	(cd "$1" && find . -mindepth 1 | LC_ALL=C sort |
		cpio -o -H newc --quiet -R 0:0) >"$2.tmp.$$" && mv "$2.tmp.$$" "$2"
}

# la_vm_hash FILE...: one hash over the names and contents of FILEs
# (directories are walked), for cache keys.
la_vm_hash() {
	local f
	for f in "$@"; do
		if [ -d "$f" ]; then
			(cd "$f" && find . -type f -o -type l | LC_ALL=C sort |
				while read -r p; do
					echo "$p"
					if [ -L "$p" ]; then readlink "$p"; else sha256sum <"$p"; fi
				done)
		else
			echo "$f"
			sha256sum <"$f"
		fi
	done | sha256sum | cut -c1-16
}

# la_vm_prune GLOB KEEP: remove all but the KEEP newest files matching GLOB
# (the cache keeps a few payloads, not one per build)
la_vm_prune() {
	# shellcheck disable=SC2086
	ls -1t $1 2>/dev/null | tail -n +$(($2 + 1)) | while read -r f; do
		rm -f "$f"
	done
}

# la_vm_kvm_kind: what this machine's /dev/kvm is: "hardware" (vmx/svm, no
# kvm_pvm: stock Linux boots natively), "kvm_pvm" (a software KVM: small
# guests only; see shared/spec/emulated-hosts.md) or "none" (missing, or
# not readable and writable)
la_vm_kvm_kind() {
	if [ ! -r /dev/kvm ] || [ ! -w /dev/kvm ]; then
		echo none
	elif [ -d /sys/module/kvm_pvm ]; then
		echo kvm_pvm
	elif grep -qwE 'vmx|svm' /proc/cpuinfo; then
		echo hardware
	else
		echo none
	fi
}

# la_vm_selected NAME: LA_VM_ONLY="NAME..." is unset or names NAME (a run of
# a few cases: the native-branch run inside the emulated host)
la_vm_selected() {
	[ -z "${LA_VM_ONLY:-}" ] || [[ " $LA_VM_ONLY " == *" $1 "* ]]
}
la_vm_not_selected() {
	! la_vm_selected "$1"
}

# la_vm_drop_cases CMD...: the case script on stdin without the la-case lines
# (and their continuation lines) for whose NAME `CMD... NAME` succeeds
la_vm_drop_cases() {
	local line name skip=0
	while IFS= read -r line; do
		if [ "$skip" = 1 ]; then
			# a continuation line of a case left out
			[[ $line == *\\ ]] || skip=0
			continue
		fi
		if [[ $line == la-case\ * ]]; then
			name=${line#la-case }
			name=${name%% *}
			if "$@" "$name"; then
				[[ $line == *\\ ]] && skip=1
				continue
			fi
		fi
		printf '%s\n' "$line"
	done
}

# --- the device-tree arches' emulated hosts: each boots Debian's kernel for
# its arch from its cache folder (tests/vm/kernels.sh DIR ARCH:
# $LA_KERNELS/ARCH, with a static busybox for ARCH beside it in bin/).
# aarch64: bookworm's generic arm64 kernel, KVM built in (QEMU TCG virt with
# virtualization=on); riscv64: trixie's riscv64 kernel, KVM a module kept as
# lib/modules/KVER/kvm.ko (QEMU TCG virt, rv64 with the H extension) ---

# la_vm_dt_dir ARCH: the cache folder of ARCH's kernel and busybox
la_vm_dt_dir() {
	echo "${LA_KERNELS:-$_la_vm_top/build/kernels}/$1"
}

# la_vm_dt_kernel ARCH OVERRIDE: ARCH's Image, or the file OVERRIDE holds
# when set (LA_L1_KERNEL, LA_L2_KERNEL); nothing when there is none.
la_vm_dt_kernel() {
	if [ -n "$2" ]; then
		echo "$2"
		return
	fi
	local k
	k=$(la_vm_dt_dir "$1")/vmlinuz
	[ ! -e "$k" ] || echo "$k"
}

# la_vm_dt_busybox ARCH: the static busybox of ARCH's cache
la_vm_dt_busybox() {
	local b
	b=$(la_vm_dt_dir "$1")/bin/busybox
	[ ! -x "$b" ] || echo "$b"
}

# la_vm_dt_missing ARCH NAME PACKAGE: what ARCH's emulated host needs and
# this machine lacks, one reason per line (NAME: the arch as Debian names
# it; PACKAGE: the one with qemu-system-ARCH); nothing when all is there.
la_vm_dt_missing() {
	local arch=$1 name=$2 dir k
	dir=$(la_vm_dt_dir "$arch")
	command -v "qemu-system-$arch" >/dev/null 2>&1 ||
		echo "qemu-system-$arch not found (Debian package $3)"
	command -v cpio >/dev/null 2>&1 || echo "cpio not found (Debian package cpio)"
	k=$(la_vm_dt_kernel "$arch" "${LA_L1_KERNEL:-}")
	if [ -n "${LA_L1_KERNEL:-}" ] && [ ! -r "$k" ]; then
		echo "LA_L1_KERNEL: '$k': cannot read it"
	elif [ -z "$k" ] || [ ! -r "$k" ]; then
		echo "no $name kernel in $dir (run make kernels, or tests/vm/kernels.sh $(dirname "$dir") $arch)"
	elif [ "$arch" = riscv64 ] && [ -z "$(la_vm_kvm_ko_riscv64)" ]; then
		echo "no kvm.ko beside the riscv64 kernel $k (tests/vm/kernels.sh $(dirname "$dir") riscv64)"
	fi
	[ -n "$(la_vm_dt_busybox "$arch")" ] ||
		echo "no $name busybox in $dir/bin (tests/vm/kernels.sh $(dirname "$dir") $arch)"
}

# the same, by name, for each arch: L1's kernel (LA_L1_KERNEL wins), L2's
# (LA_L2_KERNEL wins), the busybox, what is missing
la_vm_l1_kernel_aarch64() { la_vm_dt_kernel aarch64 "${LA_L1_KERNEL:-}"; }
la_vm_l2_kernel_aarch64() { la_vm_dt_kernel aarch64 "${LA_L2_KERNEL:-}"; }
la_vm_busybox_aarch64() { la_vm_dt_busybox aarch64; }
la_vm_missing_aarch64() { la_vm_dt_missing aarch64 arm64 qemu-system-arm; }
la_vm_l1_kernel_riscv64() { la_vm_dt_kernel riscv64 "${LA_L1_KERNEL:-}"; }
la_vm_l2_kernel_riscv64() { la_vm_dt_kernel riscv64 "${LA_L2_KERNEL:-}"; }
la_vm_busybox_riscv64() { la_vm_dt_busybox riscv64; }
la_vm_missing_riscv64() { la_vm_dt_missing riscv64 riscv64 qemu-system-misc; }

# la_vm_kvm_ko_riscv64: the L1 kernel's kvm.ko (it depends on no other
# module), from the cache folder of the kernel L1 boots
la_vm_kvm_ko_riscv64() {
	local d k
	d=$(dirname "$(dirname "$(readlink -f "$(la_vm_l1_kernel_riscv64)")")")
	k=$(ls "$d"/lib/modules/*/kvm.ko 2>/dev/null | head -n 1)
	[ -z "$k" ] || echo "$k"
}
# --- end of the device-tree arches ---

# --- the test guest's modules (mkguest.sh --modules): Debian builds the
# virtio drivers, vsock and (aarch64, riscv64) ext4 as modules; the guest's
# initramfs carries them, decompressed, and /init loads them when the
# command line says la.modules=... (see guest-init.sh) ---

# the modules a guest may ask for, each with what it needs; "virtio" on the
# guest's command line means all of them
LA_VM_GUEST_MODULES="virtio_pci virtio_blk virtio_net virtio_console virtio_rng vmw_vsock_virtio_transport ext4"
# and the pieces of vmrun_vm_bvm.bats: ramoops (--pstore), pvpanic_pci and
# qemu_fw_cfg (--fw-cfg), each its own la.dep line, never in "virtio"
# (ramoops without its ramoops.* parameters fails to load); left out where
# the kernel has no such module
LA_VM_GUEST_EXTRA_MODULES="ramoops pvpanic_pci qemu_fw_cfg virtio_mmio"

# la_vm_module_deps BASE KVER MOD: the paths (relative to
# BASE/lib/modules/KVER) of MOD and of every module it needs, in load
# order: its dependencies from modules.dep, and the modules its softdeps
# name ("pre:", resolved through modules.alias: ext4 needs crc32c, which
# the kernel asks for by name at mount time) before it. Prints nothing for
# a built-in MOD; fails with one line on stderr for an unknown one.
la_vm_module_deps() {
	local d=$1/lib/modules/$2
	[ -s "$d/modules.dep" ] || {
		echo "no $d/modules.dep (tests/vm/kernels.sh makes it; or run depmod -b $1 $2)" >&2
		return 1
	}
	awk -v want="$3" -v dir="$d" '
	function name(p) {
		sub(/.*\//, "", p); sub(/\.ko(\.(xz|zst|gz))?$/, "", p); gsub(/-/, "_", p)
		return p
	}
	function visit(p,    n, i, a, m) {
		if (p in seen) return
		seen[p] = 1
		m = name(p)
		# softdeps first (their own needs included), then the hard ones
		n = split(soft[m], a, " ")
		for (i = 1; i <= n; i++) if (a[i] in path) visit(path[a[i]])
		n = split(deps[p], a, " ")
		for (i = 1; i <= n; i++) visit(a[i])
		print p
	}
	FILENAME ~ /modules\.dep$/ {
		p = $1; sub(/:$/, "", p)
		path[name(p)] = p
		$1 = ""; deps[p] = $0
		next
	}
	FILENAME ~ /modules\.builtin$/ { builtin[name($1)] = 1; next }
	FILENAME ~ /modules\.alias$/ && $1 == "alias" { if (!($2 in alias)) alias[$2] = $3; next }
	FILENAME ~ /modules\.softdep$/ && $1 == "softdep" {
		pre = 0
		for (i = 3; i <= NF; i++) {
			if ($i == "pre:") { pre = 1; continue }
			if ($i == "post:") { pre = 0; continue }
			if (pre) softnames[$2] = softnames[$2] " " $i
		}
		next
	}
	END {
		# a softdep names a module or an alias of one
		for (m in softnames) {
			n = split(softnames[m], a, " ")
			for (i = 1; i <= n; i++) {
				s = a[i]
				if (s in alias) s = alias[s]
				gsub(/-/, "_", s)
				soft[name(m)] = soft[name(m)] " " s
			}
		}
		w = want; gsub(/-/, "_", w)
		if (w in path) { visit(path[w]); exit 0 }
		if (w in builtin) exit 0
		printf "module %s not found in %s\n", want, dir > "/dev/stderr"
		exit 1
	}' "$d/modules.dep" "$d/modules.builtin" "$d/modules.alias" "$d/modules.softdep"
}

# la_vm_ko_name PATH: a module file's module name (virtio-rng.ko.xz: virtio_rng)
la_vm_ko_name() {
	local n=${1##*/}
	n=${n%.xz} n=${n%.zst} n=${n%.gz}
	n=${n%.ko}
	echo "${n//-/_}"
}

# la_vm_ko_copy SRC DEST: copy a module file, decompressed (busybox's insmod
# loads plain .ko files only)
la_vm_ko_copy() {
	case $1 in
	*.xz) xz -dc "$1" >"$2" ;;
	*.zst) zstd -qdc "$1" >"$2" ;;
	*.gz) gzip -dc "$1" >"$2" ;;
	*) cp "$1" "$2" ;;
	esac
}
