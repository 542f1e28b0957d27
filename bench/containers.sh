#!/usr/bin/env bash
# Issue 8's budgets with real containers: N rootful Podman containers
# (bridge network, 2 listeners each: tcp4 and udp4 0.0.0.0:80) on top of
# the usual busy host (bench/loadgen), measuring
#   cold   `portui listeners --json` CPU (user+sys of the process, from
#          wait4's rusage) against `ss -tulnp` run once in every network
#          namespace of the host (an `nsenter --net=…` loop, summed);
#          budget: cold <= 50% of the loop;
#   steady the one-block poll across all namespaces: internal/scan's
#          BenchmarkSnapshotPort with PORTUI_BENCH_PORT=80 (the containers'
#          port), and helper A's BenchmarkNetNSBlock when the test binary
#          has it; budget: <= 5 ms CPU per poll.
# It also checks that portui's JSON saw every container listener (a scanner
# that sees the host only would be cheap and wrong): fewer than 2*N
# listeners in the containers' namespaces is a FAIL of its own.
#
# Environment:
#   N        containers (default 20)
#   SIZE     busy host as PxF (default 2081x99: 2,081 processes, ~207k fds)
#   LISTEN   the generator's listeners (default 300)
#   REPS     cold runs of each side (default 3; the ss loop costs ~80 s per rep at the default size)
#   PORTUI_SRC  the source tree to build portui and the scan benchmarks
#            from (default: this checkout)
#   OUT      directory for logs (default: a new temporary directory)
#   SETTLE   seconds to wait after the generator is ready (default 20)
#
# Needs root, Podman (scripts/containers.sh install) and several GiB of
# memory at the default size; not part of `go test ./...` nor of CI. Stops
# the generator by PID and removes its containers (portui-t-bench-*) by name
# on every exit path; the test containers of scripts/containers.sh up are
# left alone (they count as namespaces of the host when they are up).
# Exit status: 0 every budget passed, 1 a budget failed, 2 could not measure.
set -uo pipefail

cd "$(dirname "$0")/.."
REPO=$(pwd)
N=${N:-20}
SIZE=${SIZE:-2081x99}
LISTEN=${LISTEN:-300}
REPS=${REPS:-3}
SETTLE=${SETTLE:-20}
SRC=${PORTUI_SRC:-$REPO}
OUT=${OUT:-$(mktemp -d /tmp/portui-bench-ctr.XXXXXX)}
mkdir -p "$OUT"
IMG=localhost/portui-t-img:1
BENCH_PREFIX=portui-t-bench-

say() { printf '%s\n' "$*" >&2; }
fail2() { say "bench/containers.sh: cannot measure: $*"; exit 2; }

[ "$(id -u)" = 0 ] || fail2 "must run as root"
command -v podman >/dev/null || fail2 "podman missing: run scripts/containers.sh install"
command -v nsenter >/dev/null && command -v ss >/dev/null || fail2 "nsenter and ss (util-linux, iproute2) needed"

LG_PID=""
cleanup() {
	local rc=$?
	if [ -n "$LG_PID" ]; then
		kill -TERM "$LG_PID" 2>/dev/null
		for _ in $(seq 1 100); do
			kill -0 "$LG_PID" 2>/dev/null || break
			sleep 0.1
		done
		kill -KILL "$LG_PID" 2>/dev/null
		wait "$LG_PID" 2>/dev/null
		LG_PID=""
	fi
	local names
	names=$(podman ps -a --filter "name=^$BENCH_PREFIX" --format '{{.Names}}' 2>/dev/null)
	if [ -n "$names" ]; then
		# shellcheck disable=SC2086 # one name per word
		podman rm -f -t 0 $names >/dev/null 2>&1 || say "warning: could not remove $names"
	fi
	say "bench/containers.sh: cleaned up (exit $rc); logs in $OUT"
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# ---- tools: portui, the scan benchmarks, the load generator, a CPU meter
(cd "$SRC" && go build -o "$OUT/portui" ./cmd/portui) || fail2 "building portui from $SRC"
(cd "$SRC" && go test -c -o "$OUT/scan.test" ./internal/scan) || fail2 "building the scan benchmarks from $SRC"
go build -o "$OUT/loadgen" ./bench/loadgen || fail2 "building bench/loadgen"
go build -o "$OUT/cpuof.bin" ./bench/cpuof || fail2 "building bench/cpuof (the CPU meter)"
CPUOF=$OUT/cpuof.bin

# ---- the containers
REPO_SCRIPTS=$REPO/scripts/containers.sh
podman image exists "$IMG" 2>/dev/null || "$REPO_SCRIPTS" image || fail2 "building the image ($REPO_SCRIPTS image)"
old=$(podman ps -a --filter "name=^$BENCH_PREFIX" --format '{{.Names}}')
# shellcheck disable=SC2086
[ -z "$old" ] || podman rm -f -t 0 $old >/dev/null 2>&1
say "== starting $N containers (podman, bridge network, tcp4+udp4 0.0.0.0:80 each)"
t0=$SECONDS
for i in $(seq -w 1 "$N"); do
	podman run -d -q --pull never --name "$BENCH_PREFIX$i" "$IMG" /ctrlisten tcp4:0.0.0.0:80 udp4:0.0.0.0:80 >/dev/null 9>&- ||
		fail2 "podman run $BENCH_PREFIX$i"
done
declare -A CTR_INODE=()
for i in $(seq -w 1 "$N"); do
	pid=$(podman inspect -f '{{.State.Pid}}' "$BENCH_PREFIX$i") || fail2 "inspect $BENCH_PREFIX$i"
	ok=""
	for _ in $(seq 1 100); do
		[ "$(nsenter --net="/proc/$pid/ns/net" ss -Htuln 'sport = :80' 2>/dev/null | wc -l)" -ge 2 ] && { ok=1; break; }
		sleep 0.1
	done
	[ -n "$ok" ] || fail2 "$BENCH_PREFIX$i has not opened its listeners"
	CTR_INODE[$(stat -L -c %i "/proc/$pid/ns/net")]=$BENCH_PREFIX$i
done
say "== $N containers up in $((SECONDS - t0))s"

# ---- the busy host
P=${SIZE%x*}
F=${SIZE#*x}
ulimit -n "$(ulimit -Hn)" 2>/dev/null
say "== busy host $SIZE: starting bench/loadgen"
"$OUT/loadgen" -P "$P" -F "$F" -L "$LISTEN" -shared 8 -max-time 1800 -manifest "$OUT/manifest" >"$OUT/loadgen.log" 2>&1 &
LG_PID=$!
for _ in $(seq 1 1200); do
	grep -q '^READY' "$OUT/loadgen.log" && break
	kill -0 "$LG_PID" 2>/dev/null || { cat "$OUT/loadgen.log" >&2; fail2 "load generator exited"; }
	sleep 0.5
done
grep -q '^READY' "$OUT/loadgen.log" || fail2 "load generator not ready"
sleep "$SETTLE"
# Counted without set -e traps (issue 12: find/wc on a changing /proc).
procs=$(find /proc -maxdepth 1 -name '[0-9]*' 2>/dev/null | wc -l)
fds=$(find /proc/[0-9]*/fd -mindepth 1 -maxdepth 1 2>/dev/null | wc -l)
mapfile -t NS < <("$CPUOF" -ns)
say "== host: $procs processes, $fds fds, ${#NS[@]} network namespaces"

# ---- coverage: portui's JSON holds every container listener
"$OUT/portui" listeners --json >"$OUT/listeners.json" 2>"$OUT/listeners.err" || say "warning: portui listeners exited $? ($(head -1 "$OUT/listeners.err"))"
seen=0
for inode in "${!CTR_INODE[@]}"; do
	n=$(jq --argjson i "$inode" '[.listeners[] | select(.port == 80 and .netns.inode? == $i)] | length' "$OUT/listeners.json" 2>/dev/null || echo 0)
	seen=$((seen + n))
done
want=$((2 * N))

# ---- cold: portui listeners --json vs the ss loop
cold=$("$CPUOF" -n "$REPS" -- "$OUT/portui" listeners --json) || fail2 "timing portui listeners"
ssloop=$("$CPUOF" -n "$REPS" -ss "${NS[@]}") || fail2 "timing the ss loop"

# ---- steady: one block across all namespaces
metric() { awk -v b="Benchmark$2" 'index($1, b) == 1 { for (i = 1; i < NF; i++) if ($(i+1) == "cpu-ms/op") print $i }' "$1" | tail -1; }
PORTUI_BENCH_PORT=80 "$OUT/scan.test" -test.run '^$' -test.bench '^BenchmarkSnapshotPort$' -test.benchtime 1000x >"$OUT/port.bench" 2>&1
steady=$(metric "$OUT/port.bench" SnapshotPort)
steady_ns=""
if "$OUT/scan.test" -test.list '^BenchmarkNetNSBlock$' 2>/dev/null | grep -q BenchmarkNetNSBlock; then
	"$OUT/scan.test" -test.run '^$' -test.bench '^BenchmarkNetNSBlock$' -test.benchtime 300x >"$OUT/netns.bench" 2>&1
	steady_ns=$(metric "$OUT/netns.bench" NetNSBlock)
fi

# ---- verdicts
rc=0
verdict() { # verdict OK-CONDITION TEXT
	if [ "$1" = 1 ]; then echo "PASS  $2"; else echo "FAIL  $2"; rc=1; fi
}
echo
echo "bench/containers.sh — $N podman containers x 2 listeners, host $procs processes / $fds fds, ${#NS[@]} namespaces; CPU ms (user+sys), mean of $REPS"
echo "  portui listeners --json (cold): $cold"
echo "  ss -tulnp in each of ${#NS[@]} namespaces (nsenter loop, summed): $ssloop"
echo "  one-block poll (BenchmarkSnapshotPort, port 80): ${steady:-no figure (see $OUT/port.bench: $(grep -m1 -E 'FAIL|nothing listens|Error' "$OUT/port.bench"))}"
[ -z "$steady_ns" ] || echo "  one-block poll (BenchmarkNetNSBlock): $steady_ns"
verdict "$([ "$seen" -ge "$want" ] && echo 1)" "coverage: portui's JSON has $seen of the $want container listeners in their namespaces"
verdict "$(awk -v c="$cold" -v s="$ssloop" 'BEGIN { print (s > 0 && c <= s / 2) ? 1 : 0 }')" \
	"cold <= 50% of the ss loop ($cold vs $ssloop: $(awk -v c="$cold" -v s="$ssloop" 'BEGIN { if (s > 0) printf "%.0f%%", 100 * c / s }'))"
if [ -n "$steady" ]; then
	verdict "$(awk -v v="$steady" 'BEGIN { print (v <= 5) ? 1 : 0 }')" "steady one-port poll <= 5 ms ($steady)"
else
	verdict 0 "steady one-port poll <= 5 ms (no figure: the benchmark failed)"
fi
if [ -n "$steady_ns" ]; then
	verdict "$(awk -v v="$steady_ns" 'BEGIN { print (v <= 5) ? 1 : 0 }')" "steady one-block poll, BenchmarkNetNSBlock <= 5 ms ($steady_ns)"
fi
exit "$rc"
