#!/usr/bin/env bash
# Measures the listener scanner against a synthetic busy host, side by side
# with `ss -tulnp` and go-netstat, and prints a table of CPU per operation.
#
# For each host size it starts a load generator (bench/loadgen by default),
# waits for READY, runs the Go benchmarks of internal/scan with
# PORTUI_BENCH_PORT set to one of its listeners, runs a 10,000-poll soak of
# that port, times the cold listing with owners (`portui listeners --json`
# by the BPF pass and by the /proc census against `ss -tulnp` and the
# owner-less `ss -tulnH`), on the largest size runs the explorer for its
# steady state, then stops the generator by its PID.
#
# Environment:
#   SIZES    host sizes as "PxF" pairs (default "579x90 2081x99": about 52k
#            and 207k fds, 40k and 160k sockets)
#   LISTEN   listeners per host (default 300), SHARED of them pre-fork
#            style, held by 4 processes each (default 8; bench/loadgen only)
#   LOADGEN  another generator taking -P -F -L --max-time --manifest and
#            printing "READY {json}", e.g. "python3 ../shared/tools/loadgen"
#   SOAK     polls in the soak test (default 10000; 0 skips it)
#   OUT      directory for logs (default: a new temporary directory)
#   SETTLE   seconds to wait after the generator is ready (default 20)
#   REPS     rounds of the cold listing with owners (default 5): each round
#            runs, one after the other, `portui listeners --json` (the
#            default, which must choose the BPF pass on these hosts) and
#            PORTUI_OWNERS=procfs `portui listeners --json`, `ss -tulnp`
#            and `ss -tulnH` (the floor: the kernel's dump, no owners),
#            each once under bench/cpuof, and the census of the tree
#            before issue 11 (BASE); the figures are the means; budgets on
#            the largest size
#   BASE     the commit whose `portui listeners --json` (the /proc census
#            only) is the fallback's reference (default f38e93e, the tree
#            before issue 11; "none" skips it): built from `git archive`
#   STEADY   seconds the explorer's steady state is measured on the busy
#            host (default 60; 600 is the issue's 10-minute check; 0
#            skips it): portui in tmux at 120x40, largest size only,
#            after 30 s of warm-up; CPU per second (utime+stime), VmRSS
#            peak of the last third against the first (every 10 s in
#            OUT/P*_F*.steady.rss) and the live heap after collections
#            likewise (GODEBUG=gctrace=1, OUT/P*_F*.steady.gctrace)
#   MANY     listeners for the many-listeners comparison (default 10000;
#            0 skips it): bench/manylisteners in a network namespace of its
#            own, `portui listeners --netns host` against `ss -tlnp` there,
#            CPU of each by bench/cpuof (mean of 10 runs)
#   IDLE     seconds the idle explorer is measured (default 30; 0 skips
#            it and the key latency): portui in tmux at 120x40 on this
#            host after the generators stopped, utime+stime per second;
#            then bench/keylat.py for key-to-first-byte latency
#
# After the host sizes it also runs BenchmarkLookupNameCmd (lookup NAME).
#
# Not part of `go test ./...`: it needs root for the low ports, minutes, and
# several GiB of memory at the large size.
set -euo pipefail
# A benchmark that dies says where and why, never silently.
trap 'echo "bench/run.sh: failed at line $LINENO (exit $?): $BASH_COMMAND" >&2' ERR

cd "$(dirname "$0")/.."
SIZES=${SIZES:-"579x90 2081x99"}
LISTEN=${LISTEN:-300}
SHARED=${SHARED:-8}
SOAK=${SOAK:-10000}
SETTLE=${SETTLE:-20}
MANY=${MANY:-10000}
IDLE=${IDLE:-30}
REPS=${REPS:-5}
STEADY=${STEADY:-60}
[[ "$REPS" =~ ^[0-9]+$ && "$REPS" -ge 1 ]] || { echo "REPS must be a whole number >= 1" >&2; exit 1; }
[[ "$STEADY" =~ ^[0-9]+$ ]] || { echo "STEADY must be a whole number of seconds" >&2; exit 1; }
OUT=${OUT:-$(mktemp -d /tmp/portui-bench.XXXXXX)}
mkdir -p "$OUT"

go build -o "$OUT/loadgen" ./bench/loadgen
go build -o "$OUT/cpuof" ./bench/cpuof
go build -o "$OUT/manylisteners" ./bench/manylisteners
go build -o "$OUT/portui" ./cmd/portui
# The fallback's budget is "unchanged or better": the /proc census of
# today against that of the tree before issue 11 (f38e93e), built from
# git and timed in the same rounds.
BASE=${BASE:-f38e93e2da2b1a84a32c9530b94d30265563c697}
base_bin=""
if [[ "$BASE" != none ]] && git rev-parse -q --verify "$BASE^{commit}" >/dev/null 2>&1; then
	rm -rf "$OUT/base" && mkdir -p "$OUT/base"
	git archive "$BASE" | tar -x -C "$OUT/base"
	(cd "$OUT/base" && go build -o "$OUT/portui.base" ./cmd/portui)
	base_bin="$OUT/portui.base"
else
	echo "warning: BASE $BASE is not a commit of this checkout: the fallback is not compared with it" >&2
fi
go test -c -o "$OUT/scan.test" ./internal/scan
go test -c -o "$OUT/portui.test" ./cmd/portui
command -v ss >/dev/null || echo "warning: ss (iproute2) not installed; its column stays empty" >&2

# Children hold ~100 fds each; the generator itself holds the listeners.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

LG_PID=""
ML_PID=""
UI_PID=""
NS=""
TMUX_SOCK="portui-bench-run-$$"
# shellcheck disable=SC2317 # called by the EXIT trap, which shellcheck does not follow
cleanup() {
	stop_explorer
	stop_loadgen
	if [[ -n "$ML_PID" ]]; then
		kill -TERM "$ML_PID" 2>/dev/null || true
		wait "$ML_PID" 2>/dev/null || true
		ML_PID=""
	fi
	if [[ -n "$NS" ]]; then
		ip netns delete "$NS" 2>/dev/null || true
		NS=""
	fi
}
stop_loadgen() {
	if [[ -n "$LG_PID" ]]; then
		kill -TERM "$LG_PID" 2>/dev/null || true
		for _ in $(seq 1 100); do
			kill -0 "$LG_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$LG_PID" 2>/dev/null || true
		wait "$LG_PID" 2>/dev/null || true
		LG_PID=""
	fi
}
# start_explorer: the explorer (portui, default interval 1 s) in tmux at
# 120x40 on this script's own tmux socket; sets UI_PID to the portui
# process (the pane's), or fails when it does not come up in 5 s.
start_explorer() { # start_explorer [GCTRACE]: with GCTRACE, the runtime's gctrace lines go there
	command -v tmux >/dev/null || { echo "tmux not installed: cannot measure the explorer" >&2; exit 1; }
	if [[ -n "${1:-}" ]]; then
		# exec, so that the pane's process is portui itself.
		tmux -L "$TMUX_SOCK" new-session -d -x 120 -y 40 "exec env GODEBUG=gctrace=1 '$OUT/portui' 2>'$1'"
	else
		tmux -L "$TMUX_SOCK" new-session -d -x 120 -y 40 "$OUT/portui"
	fi
	local pid=""
	for _ in $(seq 1 50); do
		pid=$(tmux -L "$TMUX_SOCK" list-panes -F '#{pane_pid}' 2>/dev/null | head -1 || true)
		if [[ -n "$pid" && "$(cat "/proc/$pid/comm" 2>/dev/null || true)" == portui ]]; then
			UI_PID=$pid
			return 0
		fi
		sleep 0.1
	done
	echo "the explorer did not start in tmux (pane process ${pid:-none})" >&2
	exit 1
}
# stop_explorer: SIGTERM to the explorer by its PID (it quits on it), up to
# 5 s for it to go, then SIGKILL; then the tmux server of our own socket.
stop_explorer() {
	if [[ -n "$UI_PID" ]]; then
		kill -TERM "$UI_PID" 2>/dev/null || true
		for _ in $(seq 1 50); do
			kill -0 "$UI_PID" 2>/dev/null || break
			sleep 0.1
		done
		if kill -0 "$UI_PID" 2>/dev/null; then
			kill -KILL "$UI_PID" 2>/dev/null || true
		fi
		UI_PID=""
	fi
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
}
# A signal ends the script (the EXIT trap then cleans up) instead of
# letting it carry on after the interrupted command.
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

cpu_ticks() { awk '{ print $14 + $15 }' "/proc/$1/stat"; } # utime+stime of PID, in 1/CLK_TCK s
rss_kib() { awk '$1 == "VmRSS:" { print $2 }' "/proc/$1/status"; }
mean() { # mean V...: their mean, nothing when there are none
	[[ $# -gt 0 ]] || return 0
	printf '%s\n' "$@" | awk '{ s += $1; n++ } END { printf "%.2f", s / n }'
}
pct() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.0f%%", 100 * a / b; else print "-" }'; } # A as % of B
times_of() { awk -v a="$1" -v b="$2" 'BEGIN { if (a != "" && b > 0) printf "%.1f×", a / b; else print "-" }'; } # A as a multiple of B

metric() { # metric FILE BENCHNAME -> cpu-ms/op
	awk -v b="Benchmark$2-" 'index($1, b) == 1 { for (i = 1; i < NF; i++) if ($(i+1) == "cpu-ms/op") print $i }' "$1" | tail -1
}

# wait_ready NAME PID OUT ERR: waits up to 5 minutes for a READY line in
# OUT from the generator PID; if it exits first, shows ERR and fails.
wait_ready() {
	local name=$1 pid=$2 out=$3 err=$4
	for _ in $(seq 1 600); do
		grep -q '^READY' "$out" && return 0
		kill -0 "$pid" 2>/dev/null || { cat "$err" >&2; echo "$name exited before READY" >&2; exit 1; }
		sleep 0.5
	done
	echo "$name not ready" >&2
	exit 1
}

declare -a ROWS COLD_ROWS VERDICTS
FAILED=0
steady=""
# The explorer's steady state runs on the largest host only (P × F).
largest=""
largest_n=-1
for size in $SIZES; do
	n=$(( ${size%x*} * ${size#*x} ))
	if (( n > largest_n )); then
		largest=$size
		largest_n=$n
	fi
done
budget() { # budget TEXT CMD...: PASS or FAIL by the exit status of CMD
	local text=$1
	shift
	if "$@"; then
		VERDICTS+=("PASS $text")
	else
		VERDICTS+=("FAIL $text")
		FAILED=1
	fi
}
for size in $SIZES; do
	P=${size%x*}
	F=${size#*x}
	tag="P${P}_F${F}"
	manifest="$OUT/$tag.manifest"
	# Long enough for the benchmarks, the soak, the cold listing and the
	# explorer's steady state; the generator is stopped by PID anyway.
	maxtime=$((1800 + STEADY))
	echo "== host $size: starting load generator" >&2
	if [[ -n "${LOADGEN:-}" ]]; then
		$LOADGEN -P "$P" -F "$F" -L "$LISTEN" --max-time "$maxtime" --manifest "$manifest" >"$OUT/$tag.loadgen" 2>&1 &
	else
		"$OUT/loadgen" -P "$P" -F "$F" -L "$LISTEN" -shared "$SHARED" -max-time "$maxtime" -manifest "$manifest" >"$OUT/$tag.loadgen" 2>&1 &
	fi
	LG_PID=$!
	wait_ready "load generator" "$LG_PID" "$OUT/$tag.loadgen" "$OUT/$tag.loadgen"
	grep '^READY' "$OUT/$tag.loadgen" >&2
	# Let the kernel finish with the setup (thousands of exits and fd
	# handovers): measured right after READY, a one-port poll cost 10 ms
	# instead of 3 for its first thousand polls.
	sleep "$SETTLE"
	# Processes exit while these walk /proc: find and ls then fail on
	# what vanished, which under pipefail ended the whole run without a
	# word. Count what is there and ignore what went.
	fds=$({ find /proc/[0-9]*/fd -mindepth 1 -maxdepth 1 2>/dev/null || true; } | wc -l)
	procs=$({ ls -d /proc/[0-9]* 2>/dev/null || true; } | wc -l)
	socks=$(( $(cat /proc/net/tcp /proc/net/tcp6 /proc/net/udp /proc/net/udp6 | wc -l) - 4 ))
	# Poll a TCP listener of the generator (field 3 of the manifest).
	port=$(awk '$1 ~ /^tcp/ { print $3; exit }' "$manifest")
	echo "== host: $procs processes, $fds fds, $socks sockets; polling port $port" >&2

	bench="$OUT/$tag.bench"
	: >"$bench"
	run() { # run REGEX BENCHTIME
		PORTUI_BENCH_PORT=$port "$OUT/scan.test" -test.run '^$' -test.bench "$1" -test.benchtime "$2" | tee -a "$bench" >&2
	}
	run '^BenchmarkSnapshotPort$' 1000x
	run '^BenchmarkSnapshotWarmAll$' 30x
	run '^BenchmarkSnapshotColdAll$' 5x
	run '^BenchmarkSS$' 5x
	run '^BenchmarkNetstat$' 2x
	soak="-"
	if [[ "$SOAK" != 0 ]]; then
		PORTUI_BENCH_PORT=$port PORTUI_SOAK_POLLS=$SOAK "$OUT/scan.test" -test.run '^TestSoak$' -test.v >"$OUT/$tag.soak" 2>&1 || { cat "$OUT/$tag.soak" >&2; exit 1; }
		grep -o 'SOAK.*' "$OUT/$tag.soak" >&2
		soak=$(sed -n 's/.*cache@[0-9]*=\([0-9]*\) cache@[0-9]*=\([0-9]*\) max=\([0-9]*\).*/\1 → \2 (max \3)/p' "$OUT/$tag.soak")
		soak="$soak; heap $(sed -n 's/.*heap@[0-9]*=\([0-9.]*MiB\) heap@[0-9]*=\([0-9.]*MiB\).*/\1 → \2/p' "$OUT/$tag.soak")"
	fi

	# ---- cold listing with owners: the BPF pass and the /proc census
	# against ss -tulnp, and ss -tulnH as the floor (the kernel's dump
	# without owners). Interleaved rounds, so drift hits all four alike.
	# The default (no PORTUI_OWNERS) is what is timed: on this host it
	# must choose the BPF pass by itself.
	bpf_why=""
	if ! "$OUT/portui" listeners --json >"$OUT/$tag.bpf.json" 2>"$OUT/$tag.bpf.err"; then
		bpf_why="portui listeners --json failed: $(head -c 300 "$OUT/$tag.bpf.err" | tr '\n' ' ')"
	elif ! grep -Eq '"owners": ?"bpf"' "$OUT/$tag.bpf.json"; then
		bpf_why="portui listeners --json does not say \"owners\": \"bpf\" (it says: $(grep -Eo '"owners": ?"[^"]*"' "$OUT/$tag.bpf.json" | head -1 || true); warnings: $(grep -A3 '"warnings"' "$OUT/$tag.bpf.json" | tr '\n' ' ' | head -c 300 || true))"
	fi
	[[ -z "$bpf_why" ]] || echo "== cold listing: $bpf_why" >&2
	c_bpf=() c_procfs=() c_ss=() c_floor=() c_base=()
	for _ in $(seq 1 "$REPS"); do
		if [[ -z "$bpf_why" ]]; then
			v=$("$OUT/cpuof" -n 1 -- "$OUT/portui" listeners --json)
			c_bpf+=("$v")
		fi
		v=$(PORTUI_OWNERS=procfs "$OUT/cpuof" -n 1 -- "$OUT/portui" listeners --json)
		c_procfs+=("$v")
		if [[ -n "$base_bin" ]]; then
			v=$("$OUT/cpuof" -n 1 -- "$base_bin" listeners --json)
			c_base+=("$v")
		fi
		v=$("$OUT/cpuof" -n 1 -- ss -tulnp)
		c_ss+=("$v")
		v=$("$OUT/cpuof" -n 1 -- ss -tulnH)
		c_floor+=("$v")
	done
	printf 'round bpf procfs ss-tulnp ss-tulnH base-procfs (CPU ms)\n' >"$OUT/$tag.cold"
	for i in $(seq 0 $((REPS - 1))); do
		echo "$((i + 1)) ${c_bpf[i]:--} ${c_procfs[i]} ${c_ss[i]} ${c_floor[i]} ${c_base[i]:--}" >>"$OUT/$tag.cold"
	done
	l_bpf=$(mean "${c_bpf[@]}")
	l_procfs=$(mean "${c_procfs[@]}")
	l_ss=$(mean "${c_ss[@]}")
	l_floor=$(mean "${c_floor[@]}")
	l_base=$(mean "${c_base[@]}")
	echo "== cold listing ($REPS rounds): bpf ${l_bpf:--} ms, procfs $l_procfs ms, ss -tulnp $l_ss ms, ss -tulnH $l_floor ms" >&2
	COLD_ROWS+=("| $procs proc, $fds fds | ${l_bpf:--} ($(pct "$l_bpf" "$l_ss") of ss, $(times_of "$l_bpf" "$l_floor") floor) | $l_procfs ($(pct "$l_procfs" "$l_ss") of ss) | ${l_base:--} | $l_ss | $l_floor |")
	# Issue 11's budgets hold on the busy host (the largest size); the
	# smaller ones are printed for comparison (start-up is a larger part
	# of a small listing, and a small host may not take the BPF pass).
	if [[ "$size" == "$largest" ]]; then
		if [[ -n "$bpf_why" ]]; then
			budget "$procs processes: cold listing, bpf owners <= 10% of ss -tulnp $l_ss ms: not measured: $bpf_why" false
			budget "$procs processes: cold listing, bpf owners <= 3x ss -tulnH $l_floor ms: not measured: $bpf_why" false
		else
			budget "$procs processes: cold listing, bpf owners $l_bpf ms <= 10% of ss -tulnp $l_ss ms ($(pct "$l_bpf" "$l_ss"))" awk -v c="$l_bpf" -v s="$l_ss" 'BEGIN { exit !(c != "" && s > 0 && c <= s / 10) }'
			budget "$procs processes: cold listing, bpf owners $l_bpf ms <= 3x ss -tulnH $l_floor ms ($(times_of "$l_bpf" "$l_floor"))" awk -v c="$l_bpf" -v f="$l_floor" 'BEGIN { exit !(c != "" && f > 0 && c <= 3 * f) }'
		fi
		if [[ -n "$l_base" ]]; then
			budget "$procs processes: cold listing, procfs owners $l_procfs ms unchanged or better: <= 105% of the census before issue 11 $l_base ms ($(pct "$l_procfs" "$l_base"); $(pct "$l_procfs" "$l_ss") of ss -tulnp)" awk -v c="$l_procfs" -v b="$l_base" 'BEGIN { exit !(c != "" && b > 0 && c <= 1.05 * b) }'
		fi
	fi

	# ---- the explorer's steady state on the busy host (largest size)
	if [[ "$STEADY" != 0 && "$size" == "$largest" ]]; then
		echo "== explorer steady state: ${STEADY}s in tmux at 120x40 after 30 s warm-up" >&2
		gclog="$OUT/$tag.steady.gctrace"
		start_explorer "$gclog"
		# Start-up, the first full scan with owners, the registry's
		# warm-up: RSS was measured still rising 10 s in.
		sleep 30
		hz=$(getconf CLK_TCK)
		rsslog="$OUT/$tag.steady.rss"
		t0=$(cpu_ticks "$UI_PID")
		r0=$(rss_kib "$UI_PID")
		w0=$EPOCHREALTIME
		echo "# seconds VmRSS-KiB utime+stime-ticks(1/$hz s); explorer PID $UI_PID" >"$rsslog"
		echo "0 $r0 $t0" >>"$rsslog"
		el=0
		t1=$t0
		r1=$r0
		while (( el < STEADY )); do
			step=$(( STEADY - el < 10 ? STEADY - el : 10 ))
			sleep "$step"
			el=$((el + step))
			[[ -r "/proc/$UI_PID/stat" ]] || { echo "the explorer (PID $UI_PID) exited during the steady run after ${el}s" >&2; exit 1; }
			t1=$(cpu_ticks "$UI_PID")
			r1=$(rss_kib "$UI_PID")
			echo "$el $r1 $t1" >>"$rsslog"
		done
		w1=$EPOCHREALTIME
		stop_explorer
		st_ms=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v w0="$w0" -v w1="$w1" 'BEGIN { printf "%.2f", (b - a) * 1000 / hz / (w1 - w0) }')
		# VmRSS of a Go program saws with its collector (47 → 61 → 48 MiB
		# within minutes, live heap unchanged): "flat" compares the peak
		# of the first third of the run with that of the last third, and
		# the live heap after each collection (gctrace's third figure) in
		# the same windows: a leak raises both, the sawtooth neither.
		read -r rp0 rp1 < <(awk -v n="$STEADY" 'NR > 1 { if ($1 <= n / 3 && $2 > a) a = $2; if ($1 >= 2 * n / 3 && $2 > b) b = $2 } END { print a + 0, b + 0 }' "$rsslog")
		st_rss="VmRSS peak $((rp0 / 1024)) MiB in the first third, $((rp1 / 1024)) MiB in the last ($(awk -v a="$rp0" -v b="$rp1" 'BEGIN { printf "%+.1f MiB", (b - a) / 1024 }'); $((r0 / 1024)) → $((r1 / 1024)) MiB end to end)"
		# gctrace: "gc N @Ts ...: ... A->B->C MB, ..."; T from the start,
		# the window from 30 s (the warm-up) on.
		read -r hp0 hp1 hn0 hn1 < <(awk -v n="$STEADY" '$1 == "gc" { t = substr($3, 2) + 0 - 30; for (i = 1; i <= NF; i++) if ($i ~ /^[0-9]+->[0-9]+->[0-9]+$/) { split($i, f, "->"); live = f[3] } ; if (t >= 0 && t <= n / 3) { n0++; if (live > a) a = live } ; if (t >= 2 * n / 3 && t <= n) { n1++; if (live > b) b = live } } END { print a + 0, b + 0, n0 + 0, n1 + 0 }' "$gclog")
		st_heap="live heap after collections: $hp0 MB in the first third ($hn0 collections), $hp1 MB in the last ($hn1)"
		steady="explorer steady state, $procs processes, ${STEADY}s: $st_ms ms CPU/s; $st_rss; $st_heap (every 10 s: $rsslog; $gclog)"
		echo "== $steady" >&2
		budget "$procs processes: explorer steady $st_ms ms CPU/s over ${STEADY}s <= 10 ms" awk -v v="$st_ms" 'BEGIN { exit !(v != "" && v <= 10) }'
		budget "$procs processes: explorer $st_rss: growth <= max(10%, 8 MiB)" awk -v a="$rp0" -v b="$rp1" 'BEGIN { m = a / 10; if (m < 8192) m = 8192; exit !(a > 0 && b > 0 && b - a <= m) }'
		if (( hn0 > 0 && hn1 > 0 )); then
			budget "$procs processes: explorer $st_heap: growth <= max(10%, 2 MB)" awk -v a="$hp0" -v b="$hp1" 'BEGIN { m = a / 10; if (m < 2) m = 2; exit !(a > 0 && b - a <= m) }'
		else
			echo "== explorer live heap: no collection in the first or the last third of ${STEADY}s; judged by VmRSS alone (STEADY=600 has a dozen)" >&2
		fi
	fi
	stop_loadgen

	ss=$(metric "$bench" SS)
	cold=$(metric "$bench" SnapshotColdAll)
	ratio=$(awk -v c="$cold" -v s="$ss" 'BEGIN { if (s > 0) printf "%.0f%%", 100 * c / s; else print "-" }')
	onep=$(metric "$bench" SnapshotPort)
	ROWS+=("| $procs proc, $fds fds, $socks sockets | ${ss:--} | $(metric "$bench" Netstat) | $cold ($ratio of ss) | $(metric "$bench" SnapshotWarmAll) | $onep | $soak |")
	budget "$procs processes: one-port poll $onep ms <= 5 ms" awk -v v="$onep" 'BEGIN { exit !(v != "" && v <= 5) }'
	budget "$procs processes: cold full snapshot $cold ms <= 50% of ss -tulnp $ss ms ($ratio)" awk -v c="$cold" -v s="$ss" 'BEGIN { exit !(c != "" && s > 0 && c <= s / 2) }'
done

# ---- many listeners: portui listeners against ss -tlnp, one namespace
many=""
if [[ "$MANY" != 0 ]]; then
	NS="portui-bench-many-$$"
	ip netns add "$NS"
	ip netns exec "$NS" ip link set lo up
	echo "== $MANY listeners in network namespace $NS" >&2
	ip netns exec "$NS" "$OUT/manylisteners" -n "$MANY" -range 1024-65535 -max-time 30m >"$OUT/many.out" 2>"$OUT/many.err" &
	ML_PID=$!
	wait_ready manylisteners "$ML_PID" "$OUT/many.out" "$OUT/many.err"
	inns=(nsenter "--net=/run/netns/$NS")
	got=$("${inns[@]}" "$OUT/portui" listeners --netns host | tail -n +2 | wc -l)
	[[ "$got" -ge "$MANY" ]] || { echo "portui listeners saw $got listeners of $MANY" >&2; exit 1; }
	m_ss=$("$OUT/cpuof" -n 10 -- "${inns[@]}" ss -tlnp)
	m_text=$("$OUT/cpuof" -n 10 -- "${inns[@]}" "$OUT/portui" listeners --netns host)
	m_json=$("$OUT/cpuof" -n 10 -- "${inns[@]}" "$OUT/portui" listeners --netns host --json)
	many="$MANY listeners: ss -tlnp $m_ss ms, portui listeners $m_text ms, --json $m_json ms"
	echo "== $many" >&2
	budget "$MANY listeners: portui listeners $m_text ms <= ss -tlnp $m_ss ms" awk -v p="$m_text" -v s="$m_ss" 'BEGIN { exit !(p != "" && s > 0 && p <= s) }'
	kill -TERM "$ML_PID" 2>/dev/null || true
	wait "$ML_PID" 2>/dev/null || true
	ML_PID=""
	ip netns delete "$NS"
	NS=""
fi

# ---- lookup NAME (in-process: load, name lookup, text report)
"$OUT/portui.test" -test.run '^$' -test.bench '^BenchmarkLookup(Name|Port)Cmd$' -test.benchtime 50x | tee "$OUT/lookup.bench" >&2
lk=$(awk '$1 ~ /^BenchmarkLookupNameCmd-/ { printf "%.1f", $3 / 1e6 }' "$OUT/lookup.bench")
budget "lookup NAME $lk ms <= 30 ms" awk -v v="$lk" 'BEGIN { exit !(v != "" && v <= 30) }'

# ---- the idle explorer on this host, then its key latency
idle=""
if [[ "$IDLE" != 0 ]]; then
	start_explorer
	sleep 5 # start-up, the first full scan and the registry's warm-up
	hz=$(getconf CLK_TCK)
	t0=$(cpu_ticks "$UI_PID")
	sleep "$IDLE"
	t1=$(cpu_ticks "$UI_PID")
	stop_explorer
	idle_ms=$(awk -v a="$t0" -v b="$t1" -v hz="$hz" -v s="$IDLE" 'BEGIN { printf "%.2f", (b - a) * 1000 / hz / s }')
	lat=$(python3 bench/keylat.py --cols 120 --rows 40 -- "$OUT/portui")
	echo "== idle explorer: $idle_ms ms CPU/s over ${IDLE}s; keys: $lat" >&2
	p90=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["latency_ms"]["p90"])' "$lat")
	med=$(python3 -c 'import json,sys; print(json.loads(sys.argv[1])["latency_ms"]["median"])' "$lat")
	idle="idle explorer $idle_ms ms CPU/s; key to first byte median $med ms, p90 $p90 ms"
	budget "idle explorer $idle_ms ms CPU/s <= 3" awk -v v="$idle_ms" 'BEGIN { exit !(v != "" && v <= 3) }'
	budget "key to first byte p90 $p90 ms <= 20 ms (median $med)" awk -v v="$p90" 'BEGIN { exit !(v != "" && v <= 20) }'
fi

echo
echo "CPU ms per operation (getrusage user+sys); logs in $OUT"
echo
echo "| host | ss -tulnp | go-netstat | cold full snapshot | warm full | one port, steady | cache entries / heap over $SOAK polls |"
echo "|---|---:|---:|---:|---:|---:|---|"
printf '%s\n' "${ROWS[@]}"
echo
if [[ ${#COLD_ROWS[@]} -gt 0 ]]; then
	echo "Cold \`listeners --json\` with owners, CPU ms (mean of $REPS interleaved rounds, bench/cpuof)"
	echo
	echo "| host | portui, bpf owners | portui, procfs owners | procfs before issue 11 | ss -tulnp | ss -tulnH (floor) |"
	echo "|---|---:|---:|---:|---:|---:|"
	printf '%s\n' "${COLD_ROWS[@]}"
	echo
fi
[[ -n "$steady" ]] && echo "$steady"
[[ -n "$many" ]] && echo "$many"
echo "lookup NAME (BenchmarkLookupNameCmd): $lk ms"
[[ -n "$idle" ]] && echo "$idle"
echo
echo "Budgets: one port <= 5 ms; cold full <= 50% of ss -tulnp; cache and heap flat (read the soak column);"
echo "cold listing with owners: bpf <= 10% of ss -tulnp and <= 3x ss -tulnH, procfs <= 105% of the census before issue 11;"
echo "explorer on the busy host <= 10 ms CPU/s; VmRSS peak, last third against first, <= max(10%, 8 MiB); live heap likewise <= max(10%, 2 MB)."
printf '%s\n' "${VERDICTS[@]}"
exit "$FAILED"
