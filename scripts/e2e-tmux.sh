#!/usr/bin/env bash
# e2e-tmux.sh — drives the real portui binary in tmux against a real
# listening socket:
#
#   1. builds ./cmd/portui and a tiny listener helper (Go, no dependencies);
#   2. starts portui in a detached 120×40 tmux session;
#   3. opens a TCP listener on port 326 (as root; an ephemeral port
#      otherwise, since binding below 1024 needs privileges);
#   4. types the port's digits and expects the helper's PID and name in
#      the detail pane within 2 s;
#   5. closes the listener and expects it gone from the pane within 2 s.
#
# Prints PASS/FAIL lines and exits non-zero on any failure. Cleans up its
# tmux session and processes (by PID) on every exit path. Installs tmux
# with apt-get when it is missing. PORTUI_BIN=path skips the build and
# runs that binary instead (for trying the script on a local build).
set -u

cd "$(dirname "$0")/.."

fails=0
pass() { printf 'PASS %s\n' "$*"; }
fail() { printf 'FAIL %s\n' "$*"; fails=$((fails + 1)); }

work=$(mktemp -d "${TMPDIR:-/tmp}/portui-e2e.XXXXXX")
session="portui-e2e-$$"
listener_pid=""

cleanup() {
	tmux kill-session -t "$session" 2>/dev/null
	if [ -n "$listener_pid" ] && kill -0 "$listener_pid" 2>/dev/null; then
		kill "$listener_pid" 2>/dev/null
		wait "$listener_pid" 2>/dev/null
	fi
	rm -rf "$work"
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# --- tools ------------------------------------------------------------------
if ! command -v tmux >/dev/null 2>&1; then
	echo "tmux not found: installing it with apt-get"
	sudo=""
	[ "$(id -u)" -ne 0 ] && sudo="sudo"
	if ! { $sudo apt-get update -qq && $sudo apt-get install -y -qq tmux; } >/dev/null 2>&1; then
		fail "install tmux"
		exit 1
	fi
fi

bin="${PORTUI_BIN:-}"
if [ -z "$bin" ]; then
	bin="$work/portui"
	if ! go build -o "$bin" ./cmd/portui; then
		fail "go build ./cmd/portui"
		exit 1
	fi
fi

# The listener helper: binds tcp/0.0.0.0:$1 (0 = any free port), prints the
# port, and holds the socket until it is killed.
mkdir -p "$work/e2elisten"
cat >"$work/e2elisten/main.go" <<'EOF'
package main

import (
	"fmt"
	"net"
	"os"
	"os/signal"
	"syscall"
)

func main() {
	l, err := net.Listen("tcp4", "0.0.0.0:"+os.Args[1])
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	fmt.Println(l.Addr().(*net.TCPAddr).Port)
	c := make(chan os.Signal, 1)
	signal.Notify(c, syscall.SIGTERM, syscall.SIGINT)
	<-c
	l.Close()
}
EOF
printf 'module e2elisten\n\ngo 1.22\n' >"$work/e2elisten/go.mod"
if ! (cd "$work/e2elisten" && GOFLAGS= go build -o "$work/e2elisten/e2elisten" .); then
	fail "build the listener helper"
	exit 1
fi

# --- helpers ----------------------------------------------------------------
screen() { tmux capture-pane -p -t "$session" 2>/dev/null; }

# wait_for SECONDS DESCRIPTION COMMAND...: polls COMMAND (given the screen
# on stdin) every 100 ms until it succeeds or time runs out.
wait_for() {
	local secs=$1 what=$2
	shift 2
	local deadline=$(($(date +%s%N) + secs * 1000000000))
	while [ "$(date +%s%N)" -lt "$deadline" ]; do
		if screen | "$@"; then
			pass "$what"
			return 0
		fi
		sleep 0.1
	done
	fail "$what"
	echo "---- screen ----"
	screen
	echo "----------------"
	return 1
}

# --- run --------------------------------------------------------------------
want_port=326
[ "$(id -u)" -ne 0 ] && want_port=0

tmux new-session -d -s "$session" -x 120 -y 40 "$bin" || {
	fail "start portui in tmux"
	exit 1
}
wait_for 5 "portui shows its grid" grep -q "ports 0–1023" || exit 1

"$work/e2elisten/e2elisten" "$want_port" >"$work/port" 2>"$work/listen.err" &
listener_pid=$!
for _ in $(seq 50); do
	[ -s "$work/port" ] && break
	kill -0 "$listener_pid" 2>/dev/null || break
	sleep 0.1
done
port=$(head -n1 "$work/port" 2>/dev/null)
if [ -z "$port" ]; then
	fail "open a listener on port ${want_port/#0/an ephemeral port}: $(cat "$work/listen.err")"
	exit 1
fi
pass "listener pid $listener_pid on tcp port $port"

tmux send-keys -t "$session" -l "$port"
wait_for 2 "pane shows port $port" grep -q "Port $port " || exit 1
wait_for 2 "pane shows the listener (pid $listener_pid e2elisten)" \
	grep -q "e2elisten pid $listener_pid"

kill "$listener_pid"
wait "$listener_pid" 2>/dev/null
listener_pid=""
gone() {
	local s
	s=$(cat)
	! grep -q "e2elisten pid" <<<"$s" && grep -q "nothing listens on $port" <<<"$s"
}
wait_for 2 "listener gone from the pane" gone

tmux send-keys -t "$session" q
for _ in $(seq 30); do
	tmux has-session -t "$session" 2>/dev/null || break
	sleep 0.1
done
if tmux has-session -t "$session" 2>/dev/null; then
	fail "q quits portui"
else
	pass "q quits portui"
fi

if [ "$fails" -gt 0 ]; then
	echo "e2e-tmux: $fails failure(s)"
	exit 1
fi
echo "e2e-tmux: all passed"
