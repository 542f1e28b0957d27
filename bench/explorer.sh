#!/usr/bin/env bash
# Measures the idle CPU cost of the real explorer on a host with many
# listeners (issue 7, S9: budget <= 5 % of one core at 60,000 listeners).
#
#   bench/explorer.sh [-n N] [--udp M] [--duration S] [--warmup S]
#                     [--interval D] [--range LO-HI | --port P]...
#
# It builds ./cmd/portui and bench/manylisteners, makes a network namespace
# of its own (60,000 listeners on the machine's 127.0.0.1 would take the
# ephemeral ports from everyone else), starts manylisteners in it with N
# TCP listeners (default 60000, ports 1024 upwards) and M UDP sockets
# (default 0), and for each block asked for (default: 1024-2047, which the
# listeners fill, and 0-1023, which they leave empty) runs the explorer in
# that namespace, in tmux on a socket of its own at 120x40, with
# `--range BLOCK` (or `--port P`). After --warmup seconds (default 10: the
# first full scan takes the census) it reads utime+stime of the portui
# process from /proc/PID/stat, waits --duration seconds (default 60),
# reads them again and prints the CPU used as a percentage of one core.
#
# Environment: PROFILE=1 writes a CPU profile of each explorer run
# (PORTUI_CPUPROFILE, see cmd/portui/profile.go) next to the logs; OUT (directory for binaries and logs; default a new
# temporary directory), LISTEN_RANGE (ports manylisteners may use, default
# 1024-65535). Needs root (ip netns), ip, tmux and go. Every process it
# starts is stopped by PID, and the namespace deleted, on every exit path.
set -Eeuo pipefail

die() { echo "explorer.sh: $*" >&2; exit 1; }
trap 'echo "explorer.sh: line $LINENO: \"$BASH_COMMAND\" failed (exit $?)" >&2' ERR

N=60000
UDP=0
DURATION=60
WARMUP=10
INTERVAL=1s
declare -a BLOCKS=()
while [[ $# -gt 0 ]]; do
	case "$1" in
	-n) N=${2:?-n needs a number}; shift 2 ;;
	--udp) UDP=${2:?--udp needs a number}; shift 2 ;;
	--duration) DURATION=${2:?--duration needs seconds}; shift 2 ;;
	--warmup) WARMUP=${2:?--warmup needs seconds}; shift 2 ;;
	--interval) INTERVAL=${2:?--interval needs a duration}; shift 2 ;;
	--range) BLOCKS+=("--range ${2:?--range needs LO-HI}"); shift 2 ;;
	--port) BLOCKS+=("--port ${2:?--port needs a port}"); shift 2 ;;
	-h | --help) sed -n '2,23p' "$0"; exit 0 ;;
	*) die "unknown argument $1 (see --help)" ;;
	esac
done
[[ ${#BLOCKS[@]} -gt 0 ]] || BLOCKS=("--range 1024-2047" "--range 0-1023")
[[ "$N$UDP$DURATION$WARMUP" =~ ^[0-9]+$ ]] || die "-n, --udp, --duration and --warmup take whole numbers"
[[ $DURATION -gt 0 ]] || die "--duration must be positive"
LISTEN_RANGE=${LISTEN_RANGE:-1024-65535}

[[ $(id -u) -eq 0 ]] || die "needs root (ip netns add)"
for cmd in ip tmux go getconf; do
	command -v "$cmd" >/dev/null || die "$cmd is not installed"
done

cd "$(dirname "$0")/.."
OUT=${OUT:-$(mktemp -d /tmp/portui-explorer.XXXXXX)}
mkdir -p "$OUT" || die "cannot create $OUT"
NS="portui-bench-$$-$RANDOM"
SOCK="portui-bench-$$"
ML_PID=""
UI_PID=""
NS_MADE=""
SLEEP_PID=""

# pause SECONDS: a sleep that a signal interrupts (bash runs traps only
# between commands, so a foreground sleep would delay the clean-up).
pause() {
	sleep "$1" &
	SLEEP_PID=$!
	wait "$SLEEP_PID"
	SLEEP_PID=""
}

stop_pid() { # stop_pid PID: TERM, up to 5 s, then KILL
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 1 50); do
		kill -0 "$pid" 2>/dev/null || return 0
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
}

cleanup() {
	local rc=$?
	trap - ERR
	set +e
	if [[ -n "$SLEEP_PID" ]]; then kill "$SLEEP_PID" 2>/dev/null; fi
	if [[ -n "$UI_PID" ]]; then stop_pid "$UI_PID"; fi
	tmux -L "$SOCK" kill-server 2>/dev/null
	if [[ -n "$ML_PID" ]]; then
		stop_pid "$ML_PID"
		wait "$ML_PID" 2>/dev/null
	fi
	if [[ -n "$NS_MADE" ]]; then
		ip netns delete "$NS" || echo "explorer.sh: could not delete network namespace $NS" >&2
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

echo "== building portui and manylisteners into $OUT" >&2
go build -o "$OUT/portui" ./cmd/portui || die "go build ./cmd/portui failed"
go build -o "$OUT/manylisteners" ./bench/manylisteners || die "go build ./bench/manylisteners failed"

echo "== network namespace $NS" >&2
ip netns add "$NS" || die "ip netns add $NS failed"
NS_MADE=1
ip -n "$NS" link set lo up || die "cannot set lo up in $NS"

echo "== starting manylisteners: $N TCP, $UDP UDP on 127.0.0.1, ports from $LISTEN_RANGE" >&2
ip netns exec "$NS" "$OUT/manylisteners" -n "$N" -udp "$UDP" -range "$LISTEN_RANGE" \
	-max-time "$(( (WARMUP + DURATION + 30) * ${#BLOCKS[@]} + 120 ))s" \
	>"$OUT/manylisteners.out" 2>"$OUT/manylisteners.err" &
ML_PID=$!
for _ in $(seq 1 600); do
	grep -q '^READY' "$OUT/manylisteners.out" && break
	kill -0 "$ML_PID" 2>/dev/null || { cat "$OUT/manylisteners.err" >&2; die "manylisteners exited before READY"; }
	sleep 0.2
done
grep -q '^READY' "$OUT/manylisteners.out" || die "manylisteners not READY after 120 s"
echo "   $(cut -c1-200 "$OUT/manylisteners.out")" >&2

ticks() { # ticks PID: utime+stime in clock ticks
	local stat
	stat=$(cat "/proc/$1/stat" 2>/dev/null) || return 1
	stat=${stat##*) } # fields after comm, from field 3 (state)
	# shellcheck disable=SC2086
	set -- $stat
	echo $(( ${12} + ${13} ))
}

HZ=$(getconf CLK_TCK)
declare -a ROWS=()
for block in "${BLOCKS[@]}"; do
	tag=${block// /_}
	echo "== explorer $block, interval $INTERVAL: ${WARMUP}s warm-up, ${DURATION}s measured" >&2
	# shellcheck disable=SC2086
	tmux -L "$SOCK" new-session -d -s explorer -x 120 -y 40 \
		"exec ip netns exec $NS env ${PROFILE:+PORTUI_CPUPROFILE=$OUT/cpu$tag.pprof} $OUT/portui $block --interval $INTERVAL 2>$OUT/portui$tag.err" ||
		die "tmux new-session failed"
	UI_PID=$(tmux -L "$SOCK" display-message -p -t explorer '#{pane_pid}') || die "no pane pid"
	# The pane runs sh, which execs ip, which execs portui: same PID.
	for _ in $(seq 1 100); do
		[[ "$(cat "/proc/$UI_PID/comm" 2>/dev/null)" == portui ]] && break
		sleep 0.1
	done
	[[ "$(cat "/proc/$UI_PID/comm" 2>/dev/null)" == portui ]] || die "portui did not start (pane $UI_PID): $(cat "$OUT/portui$tag.err" 2>/dev/null)"
	pause "$WARMUP"
	kill -0 "$UI_PID" 2>/dev/null || die "portui exited during warm-up: $(cat "$OUT/portui$tag.err")"
	t0=$(ticks "$UI_PID") || die "cannot read /proc/$UI_PID/stat"
	w0=$(date +%s.%N)
	pause "$DURATION"
	t1=$(ticks "$UI_PID") || die "portui exited while measured: $(cat "$OUT/portui$tag.err")"
	w1=$(date +%s.%N)
	tmux -L "$SOCK" capture-pane -p -t explorer >"$OUT/pane$tag.txt" || die "capture-pane failed"
	cpu=$(awk -v t="$((t1 - t0))" -v hz="$HZ" -v a="$w0" -v b="$w1" 'BEGIN { printf "%.1f", 100 * t / hz / (b - a) }')
	echo "   portui $UI_PID: $((t1 - t0)) ticks in $(awk -v a="$w0" -v b="$w1" 'BEGIN { printf "%.1f", b - a }') s = $cpu % of one core" >&2
	echo "   screen (last lines; all in $OUT/pane$tag.txt):" >&2
	grep -v '^[[:space:]]*$' "$OUT/pane$tag.txt" | tail -2 | sed 's/^/   | /' >&2
	ROWS+=("| $block | $N | $UDP | $INTERVAL | $DURATION s | $cpu % |")
	if [[ -n "${PROFILE:-}" ]]; then
		# q, so the profile is flushed; stop_pid below if it does not quit.
		tmux -L "$SOCK" send-keys -t explorer q 2>/dev/null || true
		for _ in $(seq 1 50); do kill -0 "$UI_PID" 2>/dev/null || break; sleep 0.1; done
		echo "   profile: go tool pprof -top $OUT/portui $OUT/cpu$tag.pprof" >&2
	fi
	stop_pid "$UI_PID"
	UI_PID=""
	tmux -L "$SOCK" kill-server 2>/dev/null || true
done

echo
echo "Explorer CPU, % of one core (utime+stime of portui from /proc/PID/stat); logs in $OUT"
echo
echo "| explorer | TCP listeners | UDP | interval | measured | CPU |"
echo "|---|---:|---:|---|---:|---:|"
printf '%s\n' "${ROWS[@]}"
