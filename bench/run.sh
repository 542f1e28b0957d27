#!/usr/bin/env bash
# Measures the listener scanner against a synthetic busy host, side by side
# with `ss -tulnp` and go-netstat, and prints a table of CPU per operation.
#
# For each host size it starts a load generator (bench/loadgen by default),
# waits for READY, runs the Go benchmarks of internal/scan with
# PORTUI_BENCH_PORT set to one of its listeners, runs a 10,000-poll soak of
# that port, then stops the generator by its PID.
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
OUT=${OUT:-$(mktemp -d /tmp/portui-bench.XXXXXX)}
mkdir -p "$OUT"

go build -o "$OUT/loadgen" ./bench/loadgen
go build -o "$OUT/cpuof" ./bench/cpuof
go build -o "$OUT/manylisteners" ./bench/manylisteners
go build -o "$OUT/portui" ./cmd/portui
go test -c -o "$OUT/scan.test" ./internal/scan
go test -c -o "$OUT/portui.test" ./cmd/portui
command -v ss >/dev/null || echo "warning: ss (iproute2) not installed; its column stays empty" >&2

# Children hold ~100 fds each; the generator itself holds the listeners.
ulimit -n "$(ulimit -Hn)" 2>/dev/null || true

LG_PID=""
ML_PID=""
NS=""
TMUX_SOCK="portui-bench-run-$$"
cleanup() {
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
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
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
trap cleanup EXIT INT TERM

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

declare -a ROWS VERDICTS
FAILED=0
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
	echo "== host $size: starting load generator" >&2
	if [[ -n "${LOADGEN:-}" ]]; then
		$LOADGEN -P "$P" -F "$F" -L "$LISTEN" --max-time 1800 --manifest "$manifest" >"$OUT/$tag.loadgen" 2>&1 &
	else
		"$OUT/loadgen" -P "$P" -F "$F" -L "$LISTEN" -shared "$SHARED" -max-time 1800 -manifest "$manifest" >"$OUT/$tag.loadgen" 2>&1 &
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
	command -v tmux >/dev/null || { echo "tmux not installed: cannot measure the idle explorer" >&2; exit 1; }
	tmux -L "$TMUX_SOCK" new-session -d -x 120 -y 40 "$OUT/portui"
	ui=""
	for _ in $(seq 1 50); do
		ui=$(tmux -L "$TMUX_SOCK" list-panes -F '#{pane_pid}' 2>/dev/null | head -1)
		[[ -n "$ui" ]] && [[ "$(cat "/proc/$ui/comm" 2>/dev/null)" == portui ]] && break
		sleep 0.1
	done
	[[ -n "$ui" ]] || { echo "the explorer did not start in tmux" >&2; exit 1; }
	sleep 5 # start-up, the first full scan and the registry's warm-up
	hz=$(getconf CLK_TCK)
	t0=$(awk '{ print $14 + $15 }' "/proc/$ui/stat")
	sleep "$IDLE"
	t1=$(awk '{ print $14 + $15 }' "/proc/$ui/stat")
	tmux -L "$TMUX_SOCK" kill-server 2>/dev/null || true
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
[[ -n "$many" ]] && echo "$many"
echo "lookup NAME (BenchmarkLookupNameCmd): $lk ms"
[[ -n "$idle" ]] && echo "$idle"
echo
echo "Budgets: one port <= 5 ms; cold full <= 50% of ss -tulnp; cache and heap flat (read the soak column)."
printf '%s\n' "${VERDICTS[@]}"
exit "$FAILED"
