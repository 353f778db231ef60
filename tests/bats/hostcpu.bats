#!/usr/bin/env bats
# la-hostcpu: the host's CPU frequency, capacity and cluster maps.

bats_require_minimum_version 1.5.0
load hostcpu_helpers

# ---- every option against every fixture (golden files) ----------------------

@test "la-hostcpu: x86 host without cpufreq: table shows raw capacities and why frequencies are missing" {
	hc_golden x86-nocpufreq x86-nocpufreq.text
}
@test "la-hostcpu: --json on an x86 host without cpufreq: frequency maps null, errors name the files" {
	hc_golden x86-nocpufreq x86-nocpufreq.json --json
}
@test "la-hostcpu: --clusters-by cluster on x86 gives one cluster per CPU (cluster_cpus_list)" {
	hc_golden x86-nocpufreq x86-nocpufreq.cluster.json --json --clusters-by cluster
}
@test "la-hostcpu: --raw-capacity on x86 (nothing to normalise) prints cpu_capacity" {
	hc_golden x86-nocpufreq x86-nocpufreq.raw.json --json --raw-capacity
}
@test "la-hostcpu: --format crosvm on x86 prints --cpus, --cpu-affinity, --cpu-capacity and warns about frequencies" {
	hc_golden x86-nocpufreq x86-nocpufreq.crosvm --format crosvm
	diff -u "$HC_GOLD/x86-nocpufreq.crosvm.err" "$BATS_TEST_TMPDIR/out.err"
}

@test "la-hostcpu: phone: table of 8 CPUs, frequency tables, normalised capacities, 3 clusters" {
	hc_golden phone phone.text
}
@test "la-hostcpu: --json on the phone: capacities normalised by the largest cpuinfo_max_freq, 3 clusters by package id" {
	hc_golden phone phone.json --json
	run jq -c '[.capacity["0"], .capacity["4"], .capacity["7"], .clusters, .errors]' "$BATS_TEST_TMPDIR/out"
	assert_output '[265,622,1024,[[0,1,2,3],[4,5,6],[7]],{}]'
}
@test "la-hostcpu: --clusters-by cluster on the phone agrees with the package ids" {
	hc_golden phone phone.cluster.json --json --clusters-by cluster
}
@test "la-hostcpu: --raw-capacity on the phone prints cpu_capacity unnormalised (160, 498, 1024)" {
	hc_golden phone phone.raw.json --json --raw-capacity
}
@test "la-hostcpu: --format crosvm on the phone reproduces clusters, capacities and frequency tables" {
	hc_golden phone phone.crosvm --format crosvm
	[ ! -s "$BATS_TEST_TMPDIR/out.err" ]
}

@test "la-hostcpu: phone with CPUs 3 and 6 offline: table shows them offline with no values" {
	hc_golden phone-offline phone-offline.text
}
@test "la-hostcpu: --json on the phone with CPUs 3 and 6 offline: maps and clusters hold online CPUs only" {
	hc_golden phone-offline phone-offline.json --json
}
@test "la-hostcpu: --clusters-by cluster with offline CPUs: lists without them" {
	hc_golden phone-offline phone-offline.cluster.json --json --clusters-by cluster
}
@test "la-hostcpu: --raw-capacity with offline CPUs" {
	hc_golden phone-offline phone-offline.raw.json --json --raw-capacity
}
@test "la-hostcpu: --format crosvm with offline CPUs numbers vCPUs densely and pins them to the online CPUs" {
	hc_golden phone-offline phone-offline.crosvm --format crosvm
}

@test "la-hostcpu: a CPU without cpuinfo_max_freq: table says why normalisation is off" {
	hc_golden phone-nomaxfreq phone-nomaxfreq.text
}
@test "la-hostcpu: --json with a CPU lacking cpuinfo_max_freq: max_freq_khz null, capacities raw" {
	hc_golden phone-nomaxfreq phone-nomaxfreq.json --json
}
@test "la-hostcpu: --clusters-by cluster with a CPU lacking cpuinfo_max_freq" {
	hc_golden phone-nomaxfreq phone-nomaxfreq.cluster.json --json --clusters-by cluster
}
@test "la-hostcpu: --raw-capacity with a CPU lacking cpuinfo_max_freq gives the same raw capacities" {
	hc_golden phone-nomaxfreq phone-nomaxfreq.raw.json --json --raw-capacity
}
@test "la-hostcpu: --format crosvm with a CPU lacking cpuinfo_max_freq passes raw capacities" {
	hc_golden phone-nomaxfreq phone-nomaxfreq.crosvm --format crosvm
}

@test "la-hostcpu: no online file: table says the cpuN/online files were used" {
	hc_golden phone-noonline phone-noonline.text
}
@test "la-hostcpu: --json without the online file: cpu0 (no file) online, cpu5 (0) offline" {
	hc_golden phone-noonline phone-noonline.json --json
}
@test "la-hostcpu: --clusters-by cluster without the online file" {
	hc_golden phone-noonline phone-noonline.cluster.json --json --clusters-by cluster
}
@test "la-hostcpu: --raw-capacity without the online file" {
	hc_golden phone-noonline phone-noonline.raw.json --json --raw-capacity
}
@test "la-hostcpu: --format crosvm without the online file" {
	hc_golden phone-noonline phone-noonline.crosvm --format crosvm
}

@test "la-hostcpu: malformed files: table marks the unreadable maps and lists the errors" {
	hc_golden phone-malformed phone-malformed.text
}
@test "la-hostcpu: --json with malformed files: garbage frequency and capacity are errors naming the file" {
	hc_golden phone-malformed phone-malformed.json --json
	run jq -r '.errors.frequencies_khz, .errors.capacity' "$BATS_TEST_TMPDIR/out"
	assert_line --index 0 "phone-malformed/devices/system/cpu/cpu4/cpufreq/scaling_available_frequencies: '1.2GHz': not a frequency in kHz (a 32-bit unsigned decimal number)"
	assert_line --index 1 "phone-malformed/devices/system/cpu/cpu5/cpu_capacity: 'big': not a 32-bit unsigned decimal number"
}
@test "la-hostcpu: --clusters-by cluster with a cluster list 3-1: clusters null, the error names the file" {
	hc_golden phone-malformed phone-malformed.cluster.json --json --clusters-by cluster
	run jq -r .errors.clusters "$BATS_TEST_TMPDIR/out"
	assert_output "phone-malformed/devices/system/cpu/cpu1/topology/cluster_cpus_list: '3-1': CPU range end is below its start"
}
@test "la-hostcpu: --raw-capacity does not hide a capacity that is not a number" {
	hc_golden phone-malformed phone-malformed.raw.json --json --raw-capacity
}
@test "la-hostcpu: --format crosvm with malformed files leaves out what cannot be read and says why" {
	hc_golden phone-malformed phone-malformed.crosvm --format crosvm
	diff -u "$HC_GOLD/phone-malformed.crosvm.err" "$BATS_TEST_TMPDIR/out.err"
}

# ---- the same answer through each spelling -----------------------------------

@test "la-hostcpu: --format json is --json and --format text is the default" {
	hc_golden phone phone.json --format json
	hc_golden phone phone.text --format text
	hc_golden x86-nocpufreq x86-nocpufreq.json --format json
}

@test "la-hostcpu: --sysfs-root with trailing slashes reads the same tree" {
	cd "$HC_FIX"
	run la-hostcpu --sysfs-root phone/// --json
	assert_success
	assert_output "$(cat "$HC_GOLD/phone.json")"
}

@test "la-hostcpu: every JSON golden file is valid JSON with the schema and exactly the six keys" {
	for f in "$HC_GOLD"/*.json; do
		run jq -c 'keys_unsorted' "$f"
		assert_output '["schema","online","frequencies_khz","max_freq_khz","capacity","clusters","errors"]'
	done
}

# ---- this machine ------------------------------------------------------------

@test "la-hostcpu: --json on this machine reports its online CPUs and says why a missing map is missing" {
	run --separate-stderr la-hostcpu --json
	assert_success
	want=$(la-hostcpu --json --sysfs-root /sys/ | jq -c .online) # same tree, spelled differently
	[ "$(jq -c .online <<<"$output")" = "$want" ]
	[ "$(jq '.online | length' <<<"$output")" -eq "$(getconf _NPROCESSORS_ONLN)" ]
	if [ -e /sys/devices/system/cpu/cpu0/cpufreq/scaling_available_frequencies ]; then
		[ "$(jq -c '.frequencies_khz | type' <<<"$output")" = '"object"' ]
	else
		[ "$(jq -c .frequencies_khz <<<"$output")" = null ]
		[ "$(jq -r .errors.frequencies_khz <<<"$output")" = \
			"/sys/devices/system/cpu/cpu0/cpufreq/scaling_available_frequencies: No such file or directory" ]
	fi
}

# ---- --strict -----------------------------------------------------------------

@test "la-hostcpu: --strict on a complete tree prints the same as without" {
	hc_golden phone phone.json --json --strict
	hc_golden phone phone.crosvm --format crosvm --strict
}

@test "la-hostcpu: --strict fails (exit 1) when a map cannot be read, one line per map, nothing on stdout" {
	cd "$HC_FIX"
	run --separate-stderr la-hostcpu --sysfs-root x86-nocpufreq --json --strict
	assert_failure 1
	assert_output ""
	[ "${#stderr_lines[@]}" -eq 2 ]
	[ "${stderr_lines[0]}" = "la-hostcpu: frequencies_khz: x86-nocpufreq/devices/system/cpu/cpu0/cpufreq/scaling_available_frequencies: No such file or directory" ]
	[ "${stderr_lines[1]}" = "la-hostcpu: max_freq_khz: x86-nocpufreq/devices/system/cpu/cpu0/cpufreq/cpuinfo_max_freq: No such file or directory" ]
}

@test "la-hostcpu: --strict fails on every fixture with a missing or malformed map" {
	cd "$HC_FIX"
	for f in x86-nocpufreq phone-nomaxfreq phone-malformed; do
		for fmt in text json crosvm; do
			run la-hostcpu --sysfs-root "$f" --format "$fmt" --strict
			assert_failure 1
		done
	done
	run la-hostcpu --sysfs-root phone-malformed --clusters-by cluster --strict
	assert_failure 1
	assert_line --partial "la-hostcpu: clusters: phone-malformed/devices/system/cpu/cpu1/topology/cluster_cpus_list: '3-1'"
	for f in phone phone-offline phone-noonline; do
		run la-hostcpu --sysfs-root "$f" --strict --clusters-by cluster --raw-capacity
		assert_success
	done
}

# ---- CPU ids and online CPUs ----------------------------------------------------

@test "la-hostcpu: CPU ids come from the cpuN folders when possible is missing" {
	hc_tree x86-nocpufreq
	rm $HC_CPU/possible
	run la-hostcpu --sysfs-root t --json --raw-capacity
	assert_success
	assert_output "$(sed 's,x86-nocpufreq/,t/,' "$HC_GOLD/x86-nocpufreq.raw.json")"
}

@test "la-hostcpu: a possible file with a range 3-1 is an error naming the file (exit 1)" {
	hc_tree phone
	hc_put possible 0-1,3-1
	run --separate-stderr la-hostcpu --sysfs-root t --json
	assert_failure 1
	assert_output ""
	[ "$stderr" = "la-hostcpu: t/devices/system/cpu/possible: '3-1': CPU range end is below its start" ]
}

@test "la-hostcpu: a possible file listing no CPUs or garbage is an error" {
	hc_tree phone
	hc_put possible ""
	run --separate-stderr la-hostcpu --sysfs-root t
	assert_failure 1
	[ "$stderr" = "la-hostcpu: t/devices/system/cpu/possible: lists no CPUs" ]
	hc_put possible "0-7,x"
	run --separate-stderr la-hostcpu --sysfs-root t
	assert_failure 1
	[ "$stderr" = "la-hostcpu: t/devices/system/cpu/possible: 'x': not a CPU list (use N or A-B, comma-separated)" ]
	hc_put possible "0-8192"
	run --separate-stderr la-hostcpu --sysfs-root t
	assert_failure 1
	[ "$stderr" = "la-hostcpu: t/devices/system/cpu/possible: '0-8192': CPU id above 8191, the largest the kernel allows" ]
}

@test "la-hostcpu: a tree without devices/system/cpu fails (exit 1) naming the folder" {
	mkdir "$BATS_TEST_TMPDIR/empty"
	cd "$BATS_TEST_TMPDIR"
	run --separate-stderr la-hostcpu --sysfs-root empty
	assert_failure 1
	[ "$stderr" = "la-hostcpu: empty/devices/system/cpu: No such file or directory" ]
	mkdir -p empty/devices/system/cpu/cpufreq
	run --separate-stderr la-hostcpu --sysfs-root empty
	assert_failure 1
	[ "$stderr" = "la-hostcpu: empty/devices/system/cpu: no possible file and no cpuN folders" ]
}

@test "la-hostcpu: an online file 3-1 is an error naming it; the cpuN/online files decide instead" {
	hc_tree phone-offline
	hc_put online 3-1
	run --separate-stderr la-hostcpu --sysfs-root t --json
	assert_success
	[ "$(jq -c .online <<<"$output")" = "[0,1,2,4,5,7]" ]
	[ "$(jq -r .errors.online <<<"$output")" = "t/devices/system/cpu/online: '3-1': CPU range end is below its start" ]
	run la-hostcpu --sysfs-root t --strict
	assert_failure 1
	assert_output "la-hostcpu: online: t/devices/system/cpu/online: '3-1': CPU range end is below its start"
}

@test "la-hostcpu: per-CPU fallback: a garbage cpuN/online counts as online and is reported" {
	hc_tree phone-noonline
	hc_put cpu5/online yes
	run --separate-stderr la-hostcpu --sysfs-root t --json
	assert_success
	[ "$(jq -c .online <<<"$output")" = "[0,1,2,3,4,5,6,7]" ]
	[ "$(jq -r .errors.online <<<"$output")" = "t/devices/system/cpu/cpu5/online: 'yes': not a 32-bit unsigned decimal number" ]
	# cpu5 has no topology folder (it was offline): the cluster map fails
	[ "$(jq -r .errors.clusters <<<"$output")" = "t/devices/system/cpu/cpu5/topology/physical_package_id: No such file or directory" ]
}

@test "la-hostcpu: per-CPU fallback: a possible CPU without a cpuN folder is offline" {
	hc_tree phone-noonline
	hc_put possible 0-9
	run la-hostcpu --sysfs-root t --json
	assert_success
	[ "$(jq -c .online <<<"$output")" = "[0,1,2,3,4,6,7]" ]
	[ "$(jq -c .errors <<<"$output")" = "{}" ]
}

@test "la-hostcpu: an empty online file means no CPU online: empty maps, crosvm format refuses" {
	hc_tree phone
	hc_put online ""
	run la-hostcpu --sysfs-root t --json
	assert_success
	[ "$(jq -c '[.online, .frequencies_khz, .capacity, .clusters, .errors]' <<<"$output")" = '[[],{},{},[],{}]' ]
	run --separate-stderr la-hostcpu --sysfs-root t --format crosvm
	assert_failure 1
	[ "$stderr" = "la-hostcpu: --format crosvm: no online CPUs" ]
}

# ---- capacity normalisation ------------------------------------------------------

@test "la-hostcpu: normalisation reads cpuinfo_max_freq of offline CPUs too (crosvm: all CPUs)" {
	hc_tree phone-offline
	# offline cpu6 loses its policy link (its max frequency cannot be read);
	# online cpus 4 and 5 keep theirs
	rm $HC_CPU/cpu6/cpufreq
	mkdir $HC_CPU/cpu6/cpufreq
	run la-hostcpu --sysfs-root t --json
	assert_success
	[ "$(jq -c .max_freq_khz <<<"$output")" = '{"0":1804800,"1":1804800,"2":1804800,"4":2400000,"5":2400000,"7":3000000}' ]
	[ "$(jq -c .capacity <<<"$output")" = '{"0":160,"1":160,"2":160,"4":498,"5":498,"7":1024}' ]
	run la-hostcpu --sysfs-root t
	assert_line "capacity: raw cpu_capacity, normalisation off: t/devices/system/cpu/cpu6/cpufreq/cpuinfo_max_freq: No such file or directory"
}

@test "la-hostcpu: a maximum frequency of 0 makes the capacity map an error" {
	hc_tree phone
	hc_put cpufreq/policy7/cpuinfo_max_freq 0
	run la-hostcpu --sysfs-root t --json
	assert_success
	[ "$(jq -c .capacity <<<"$output")" = null ]
	[ "$(jq -r .errors.capacity <<<"$output")" = "t/devices/system/cpu/cpu7: capacity 1024 * 2400000 kHz / 0 kHz: maximum frequency is 0, cannot normalise capacity" ]
	run la-hostcpu --sysfs-root t --json --raw-capacity
	[ "$(jq -c .errors <<<"$output")" = "{}" ]
}

@test "la-hostcpu: a normalised capacity above 32 bits is an error, not a wrapped number" {
	hc_tree phone
	hc_put cpu0/cpu_capacity 4294967295
	run la-hostcpu --sysfs-root t --json
	assert_success
	[ "$(jq -c .capacity <<<"$output")" = null ]
	[ "$(jq -r .errors.capacity <<<"$output")" = "t/devices/system/cpu/cpu0: capacity 4294967295 * 3000000 kHz / 1804800 kHz: normalised capacity does not fit in 32 bits" ]
	run la-hostcpu --sysfs-root t --json --raw-capacity
	[ "$(jq -c '.capacity["0"]' <<<"$output")" = 4294967295 ]
}

@test "la-hostcpu: a capacity above 32 bits in the file is an error" {
	hc_tree phone
	hc_put cpu3/cpu_capacity 4294967296
	run la-hostcpu --sysfs-root t --json --raw-capacity
	[ "$(jq -r .errors.capacity <<<"$output")" = "t/devices/system/cpu/cpu3/cpu_capacity: '4294967296': not a 32-bit unsigned decimal number" ]
}

# ---- frequencies ------------------------------------------------------------------

@test "la-hostcpu: an empty frequency table is [] in JSON and left out of --cpu-frequencies-khz" {
	hc_tree phone
	hc_put cpufreq/policy7/scaling_available_frequencies ""
	run la-hostcpu --sysfs-root t --json
	assert_success
	[ "$(jq -c '.frequencies_khz["7"]' <<<"$output")" = "[]" ]
	run la-hostcpu --sysfs-root t --format crosvm
	assert_success
	assert_line --partial "6=633600,902400,1190400,1497600,1785600,2092800,2400000'"
	refute_output --partial ";7="
}

@test "la-hostcpu: a frequency file larger than 8 KiB is an error, not truncated" {
	hc_tree phone
	printf '%09999d\n' 0 >t/devices/system/cpu/cpufreq/policy0/scaling_available_frequencies
	run la-hostcpu --sysfs-root t --json
	assert_success
	[ "$(jq -r .errors.frequencies_khz <<<"$output")" = "t/devices/system/cpu/cpu0/cpufreq/scaling_available_frequencies: file larger than 8 KiB" ]
}

@test "la-hostcpu: control bytes of a bad value are quoted as ? and long values cut with ..." {
	hc_tree phone
	printf '1\0332\n' >t/devices/system/cpu/cpu0/cpu_capacity
	run la-hostcpu --sysfs-root t --json
	[ "$(jq -r .errors.capacity <<<"$output")" = "t/devices/system/cpu/cpu0/cpu_capacity: '1?2': not a 32-bit unsigned decimal number" ]
	hc_put cpu0/cpu_capacity "$(printf 'x%.0s' $(seq 60))"
	run la-hostcpu --sysfs-root t --json
	[ "$(jq -r .errors.capacity <<<"$output")" = "t/devices/system/cpu/cpu0/cpu_capacity: '$(printf 'x%.0s' $(seq 48))...': not a 32-bit unsigned decimal number" ]
}

# ---- clusters -----------------------------------------------------------------------

@test "la-hostcpu: clusters are sorted by their CPUs, not by package id, and de-duplicated" {
	hc_tree phone
	for i in 0 1 2 3; do hc_put cpu$i/topology/physical_package_id 9; done
	for i in 4 5 6; do hc_put cpu$i/topology/physical_package_id 0; done
	hc_put cpu7/topology/physical_package_id 4
	run la-hostcpu --sysfs-root t --json
	[ "$(jq -c .clusters <<<"$output")" = "[[0,1,2,3],[4,5,6],[7]]" ]
	# interleaved packages: {0,2} and {1,3}
	rm -rf t
	hc_tree x86-nocpufreq
	hc_put possible 0-3
	hc_put online 0-3
	for i in 0 1 2 3; do
		mkdir -p $HC_CPU/cpu$i/topology
		hc_put cpu$i/topology/physical_package_id $(((i + 1) % 2))
		hc_put cpu$i/cpu_capacity 1024
	done
	run la-hostcpu --sysfs-root t --json
	[ "$(jq -c .clusters <<<"$output")" = "[[0,2],[1,3]]" ]
}

@test "la-hostcpu: a physical_package_id of -1 (newer arm64 kernels) is an error; --clusters-by cluster still works" {
	hc_tree phone
	for i in 0 1 2 3 4 5 6 7; do hc_put cpu$i/topology/physical_package_id -1; done
	run la-hostcpu --sysfs-root t --json
	assert_success
	[ "$(jq -c .clusters <<<"$output")" = null ]
	[ "$(jq -r .errors.clusters <<<"$output")" = "t/devices/system/cpu/cpu0/topology/physical_package_id: '-1': not a 32-bit unsigned decimal number" ]
	run la-hostcpu --sysfs-root t --json --clusters-by cluster
	[ "$(jq -c '[.clusters, .errors]' <<<"$output")" = '[[[0,1,2,3],[4,5,6],[7]],{}]' ]
}

@test "la-hostcpu: --clusters-by cluster: overlapping lists give each distinct set once, sorted" {
	hc_tree phone
	hc_put cpu0/topology/cluster_cpus_list 0-7
	run la-hostcpu --sysfs-root t --json --clusters-by cluster
	[ "$(jq -c .clusters <<<"$output")" = "[[0,1,2,3],[0,1,2,3,4,5,6,7],[4,5,6],[7]]" ]
}

# ---- --format crosvm syntax -------------------------------------------------------------

@test "la-hostcpu: --format crosvm output is one shell command line in crosvm's flag syntax" {
	cd "$HC_FIX"
	for f in phone phone-offline phone-noonline x86-nocpufreq; do
		out=$(la-hostcpu --sysfs-root "$f" --format crosvm 2>/dev/null)
		eval "args=( $out )" # the lines end in ' \', values are single-quoted
		[ "${#args[@]}" -ge 4 ]
		for ((i = 0; i < ${#args[@]}; i += 2)); do
			v=${args[i + 1]}
			case ${args[i]} in
			--cpus) [[ $v =~ ^num-cores=[1-9][0-9]*(,clusters=\[\[[0-9,-]+\](,\[[0-9,-]+\])*\])?$ ]] ;;
			--cpu-affinity) [[ $v =~ ^[0-9]+=[0-9,-]+(:[0-9]+=[0-9,-]+)*$ ]] ;;
			--cpu-capacity) [[ $v =~ ^[0-9]+=[0-9]+(,[0-9]+=[0-9]+)*$ ]] ;;
			--cpu-frequencies-khz) [[ $v =~ ^[0-9]+=[0-9]+(,[0-9]+)*(\;[0-9]+=[0-9]+(,[0-9]+)*)*$ ]] ;;
			*) false ;;
			esac
		done
	done
}

@test "la-hostcpu: --format crosvm keys flags by vCPU: capacity of vCPU 5 is that of host CPU 7 when 3 and 6 are offline" {
	cd "$HC_FIX"
	run la-hostcpu --sysfs-root phone-offline --format crosvm
	assert_line "--cpu-affinity '0=0:1=1:2=2:3=4:4=5:5=7' \\"
	assert_line "--cpu-capacity '0=265,1=265,2=265,3=622,4=622,5=1024' \\"
	assert_line "--cpus 'num-cores=6,clusters=[[0-2],[3-4],[5]]' \\"
}

# ---- options and usage errors -----------------------------------------------------------

@test "la-hostcpu: --sysfs-root that does not exist is a bad file (exit 1, as everywhere in la)" {
	run --separate-stderr la-hostcpu --sysfs-root /nonexistent/sys
	assert_failure 1
	[ "$stderr" = "la-hostcpu: --sysfs-root: '/nonexistent/sys': No such file or directory" ]
}

@test "la-hostcpu: --sysfs-root that is a file is a bad file (exit 1)" {
	run --separate-stderr la-hostcpu --sysfs-root "$HC_FIX/mkfixtures.sh"
	assert_failure 1
	[ "$stderr" = "la-hostcpu: --sysfs-root: '$HC_FIX/mkfixtures.sh': Not a directory" ]
}

@test "la-hostcpu: --format other than text, json or crosvm is a usage error (exit 2)" {
	run --separate-stderr la-hostcpu --format xml
	assert_failure 2
	[ "$stderr" = "la-hostcpu: --format: 'xml': use text, json or crosvm" ]
}

@test "la-hostcpu: --clusters-by other than package or cluster is a usage error (exit 2)" {
	run --separate-stderr la-hostcpu --clusters-by socket
	assert_failure 2
	[ "$stderr" = "la-hostcpu: --clusters-by: 'socket': use package or cluster" ]
}

@test "la-hostcpu: an unexpected argument or unknown option is a usage error (exit 2)" {
	run --separate-stderr la-hostcpu extra
	assert_failure 2
	[[ $stderr == *"unexpected argument 'extra'"* ]]
	run la-hostcpu --no-such-option
	assert_failure 2
}

@test "la-hostcpu: --help lists every option; --version names the program" {
	run la-hostcpu --help
	assert_success
	for o in --sysfs-root --json --format --clusters-by --raw-capacity --strict; do
		assert_output --partial -- "$o"
	done
	run la-hostcpu --version
	assert_success
	assert_output --regexp '^la-hostcpu [0-9]+\.[0-9]+\.[0-9]+( \(git [0-9a-f]+(-dirty)?\))?$'
}

@test "la-hostcpu: the man page documents every option" {
	for o in sysfs-root json format clusters-by raw-capacity strict; do
		esc=$(printf '%s' "$o" | sed 's/-/\\-/g') # roff writes a hyphen as \-
		grep -E '^\.BR? ' "$LA_TOP/man/la-hostcpu.1" | grep -qF -- "\\-\\-$esc"
	done
}

@test "la-hostcpu: the committed fixtures are exactly what mkfixtures.sh generates" {
	mkdir "$BATS_TEST_TMPDIR/gen"
	cp "$HC_FIX/mkfixtures.sh" "$BATS_TEST_TMPDIR/gen/"
	"$BATS_TEST_TMPDIR/gen/mkfixtures.sh"
	for f in x86-nocpufreq phone phone-offline phone-nomaxfreq phone-noonline phone-malformed; do
		diff -r --no-dereference "$HC_FIX/$f" "$BATS_TEST_TMPDIR/gen/$f"
	done
}

@test "la-hostcpu: a FIFO (or any non-file) in a --sysfs-root tree is refused at once, never waited on" {
	hc_tree phone
	rm -f "$HC_CPU/cpu6/cpu_capacity"
	mkfifo "$HC_CPU/cpu6/cpu_capacity"
	run timeout 10 bash -c 'la-hostcpu --sysfs-root t --json | jq -c .errors'
	assert_success
	assert_output '{"capacity":"t/devices/system/cpu/cpu6/cpu_capacity: not a regular file"}'
}
