#!/usr/bin/env bash
# Real Debian daemons for portui's "ordinary server" test (issue 9's Done
# when: cmd/portui/services_linux_test.go, TestRealServices).
#
#   scripts/services.sh install   apt-get install the packages if missing (no daemon starts)
#   scripts/services.sh up        (re)start every daemon, write the facts file
#   scripts/services.sh down      stop what `up` started, by PID (nothing else)
#   scripts/services.sh status    print what is up; exit 0 only when all of it is
#
# No systemd here (pid 1 is not systemd, and the test must not depend on
# it): each daemon runs in the foreground of its own session, started by
# this script with its own configuration under /run/portui-s/, and is
# stopped by the PID the script recorded (after checking that the PID
# still runs that program), never by name. `up` runs `down` first, so it
# recovers from an interrupted run; `down` with nothing up does nothing.
# All subcommands take one lock (/run/portui-s.lock), so concurrent
# callers serialise. Root only.
#
# What `up` starts (the layout of the issue: an ordinary Debian server):
#   nginx     tcp 0.0.0.0:80 and [::]:80 (v6only): every address
#   rpcbind   tcp+udp 0.0.0.0:111 and [::]:111: every address
#   chronyd   udp 127.0.0.1:323 and [::1]:323: its command port, loopback only;
#             `port 0` (no NTP server port, never 123), no sources, -x (never
#             touches the clock), no Unix command socket (bindcmdaddress /)
#   dnsmasq   udp+tcp 127.0.0.1:53 (bind-interfaces): loopback only, answers
#             from no upstream (no-resolv, no-hosts)
# `up` refuses, naming the holder, when one of these ports is already taken
# by something it did not start (ss -H -tulnp).
#
# facts.json (schema portui-s.facts/v1): per daemon its name, the PID the
# script started (nginx: the master), the process name portui shows (comm)
# and the sockets it was asked to open:
#   {"schema":"portui-s.facts/v1","services":[{"name":"nginx","pid":123,
#    "process":"nginx","listeners":[{"proto":"tcp","address":"0.0.0.0","port":80},…]},…]}
set -euo pipefail

STATE=/run/portui-s
FACTS=$STATE/facts.json
LOCK=/run/portui-s.lock
# The packages' programs (nginx, nginx-light and nginx-core all ship
# /usr/sbin/nginx: any of them will do).
NGINX=/usr/sbin/nginx
RPCBIND=/usr/sbin/rpcbind
CHRONYD=/usr/sbin/chronyd
DNSMASQ=/usr/sbin/dnsmasq
SERVICES=(nginx rpcbind chronyd dnsmasq)

log() { printf '%s: %s\n' "services.sh" "$*" >&2; }
die() {
	log "error: $*"
	exit 1
}

need_root() { [ "$(id -u)" = 0 ] || die "must run as root"; }

lock() {
	mkdir -p "$STATE"
	exec 9>"$LOCK"
	flock -w 120 9 || die "another services.sh holds $LOCK"
}

# ---------------------------------------------------------------- install

# policy-rc.d answering 101 ("action forbidden") keeps the packages'
# postinst from starting the daemons (invoke-rc.d asks it); it is removed
# afterwards, also when apt fails, and an existing one is left alone.
cmd_install() {
	local missing=() p have=0
	if ! [ -x "$NGINX" ]; then missing+=(nginx); fi
	# prometheus (promtool) and prometheus-node-exporter: the Prometheus tests' real tools.
	for p in rpcbind chrony dnsmasq iproute2 prometheus prometheus-node-exporter; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	[ ${#missing[@]} -gt 0 ] || return 0
	log "installing ${missing[*]}"
	if [ -e /usr/sbin/policy-rc.d ]; then
		have=1
	else
		printf '#!/bin/sh\n# scripts/services.sh install: no daemon starts during the install\nexit 101\n' >/usr/sbin/policy-rc.d
		chmod 755 /usr/sbin/policy-rc.d
		trap 'rm -f /usr/sbin/policy-rc.d' EXIT
	fi
	# Wait for another apt (containers.sh install, unattended-upgrades)
	# rather than fail on its lock.
	apt-get -o DPkg::Lock::Timeout=300 update -qq >/dev/null
	DEBIAN_FRONTEND=noninteractive apt-get -o DPkg::Lock::Timeout=300 install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	if [ "$have" = 0 ]; then
		rm -f /usr/sbin/policy-rc.d
		trap - EXIT
	fi
}

# ---------------------------------------------------------------- helpers

alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pidof_file() { if [ -f "$1" ]; then cat "$1" 2>/dev/null || true; fi; }
comm_of() { cat "/proc/$1/comm" 2>/dev/null || true; }

# ours NAME PID: PID is alive and still runs NAME's program (a recycled
# PID is not ours).
ours() {
	alive "$2" && [ "$(comm_of "$2")" = "$1" ]
}

stop_pid() { # stop_pid PID [SECONDS]: TERM, wait, KILL
	local pid=$1 secs=${2:-10} i
	alive "$pid" || return 0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < secs * 10; i++)); do
		alive "$pid" || return 0
		sleep 0.1
	done
	log "pid $pid ignored SIGTERM for ${secs}s: SIGKILL"
	kill -KILL "$pid" 2>/dev/null || true
	for ((i = 0; i < 50; i++)); do
		alive "$pid" || return 0
		sleep 0.1
	done
}

# holders PROTO PORT: the "users:" of every socket on PORT (ss -tulnp).
holders() {
	local flag=-t
	[ "$1" = udp ] && flag=-u
	ss -H -n -p -l "$flag" "sport = :$2" 2>/dev/null || true
}

# listening NAME PROTO PORT: a socket on PORT held by a process named NAME.
listening() {
	holders "$2" "$3" | grep -q "((\"$1\","
}

wait_listening() { # wait_listening NAME PID PROTO PORT...
	local name=$1 pid=$2 i
	shift 2
	for ((i = 0; i < 100; i++)); do
		ours "$name" "$pid" || die "$name (pid $pid) exited at start: $(tail -n 5 "$STATE/$name.log" 2>/dev/null | tr '\n' ' ')"
		local ok=1 a=("$@") j
		for ((j = 0; j < ${#a[@]}; j += 2)); do
			listening "$name" "${a[j]}" "${a[j + 1]}" || ok=0
		done
		[ "$ok" = 1 ] && return 0
		sleep 0.1
	done
	die "$name (pid $pid) is not listening on ${*} after 10s: see $STATE/$name.log"
}

# free_for NAME PROTO PORT: nothing but NAME's processes (which `down`
# stopped, so: nothing) holds PROTO PORT.
free_for() {
	local h
	h=$(holders "$2" "$3")
	[ -z "$h" ] || die "$2 port $3 is already taken, so $1 cannot have it: $(printf '%s' "$h" | tr -s ' ' | head -n 3 | tr '\n' ';')"
}

# start NAME CMD...: runs CMD in its own session, output to NAME.log,
# records the PID in NAME.pid.
start() {
	local name=$1
	shift
	setsid "$@" </dev/null >"$STATE/$name.log" 2>&1 9>&- &
	echo $! >"$STATE/$name.pid"
}

# ---------------------------------------------------------------- configs

write_configs() {
	mkdir -p "$STATE/www" "$STATE/nginx-temp"
	printf 'portui services.sh\n' >"$STATE/www/index.html"
	cat >"$STATE/nginx.conf" <<EOF
# scripts/services.sh: nginx on port 80, every address
daemon off;
master_process on;
worker_processes 1;
user www-data;
pid $STATE/nginx.master.pid;
error_log $STATE/nginx-error.log;
events { worker_connections 64; }
http {
	access_log off;
	client_body_temp_path $STATE/nginx-temp/body;
	proxy_temp_path $STATE/nginx-temp/proxy;
	fastcgi_temp_path $STATE/nginx-temp/fastcgi;
	uwsgi_temp_path $STATE/nginx-temp/uwsgi;
	scgi_temp_path $STATE/nginx-temp/scgi;
	server {
		listen 80;
		listen [::]:80 ipv6only=on;
		root $STATE/www;
	}
}
EOF
	cat >"$STATE/chrony.conf" <<EOF
# scripts/services.sh: chronyd's command port only (323/udp on loopback).
# port 0: never the NTP server port (123); no sources: no network; the
# daemon runs with -x, so it never touches the clock.
port 0
cmdport 323
bindcmdaddress 127.0.0.1
bindcmdaddress ::1
bindcmdaddress /
pidfile $STATE/chronyd.ownpid
EOF
	cat >"$STATE/dnsmasq.conf" <<EOF
# scripts/services.sh: dnsmasq on 127.0.0.1:53 (udp and tcp), loopback only
port=53
listen-address=127.0.0.1
bind-interfaces
no-resolv
no-hosts
no-poll
pid-file=$STATE/dnsmasq.ownpid
EOF
}

# ---------------------------------------------------------------- down

cmd_down() {
	local name pid
	for name in "${SERVICES[@]}"; do
		pid=$(pidof_file "$STATE/$name.pid")
		if [ -n "$pid" ] && ours "$name" "$pid"; then
			stop_pid "$pid"
		elif [ -n "$pid" ] && alive "$pid"; then
			log "pid $pid of $STATE/$name.pid runs $(comm_of "$pid"), not $name: left alone"
		fi
		rm -f "$STATE/$name.pid"
	done
	rm -f "$FACTS"
}

# ---------------------------------------------------------------- up

cmd_up() {
	cmd_down
	local b
	for b in "$NGINX" "$RPCBIND" "$CHRONYD" "$DNSMASQ"; do
		[ -x "$b" ] || die "$b missing: run '$0 install' first"
	done
	command -v ss >/dev/null || die "ss missing (iproute2): run '$0 install' first"
	free_for nginx tcp 80
	free_for rpcbind tcp 111
	free_for rpcbind udp 111
	free_for chronyd udp 323
	free_for dnsmasq udp 53
	free_for dnsmasq tcp 53
	write_configs
	mkdir -p /run/rpcbind

	start nginx "$NGINX" -c "$STATE/nginx.conf" -e "$STATE/nginx-error.log"
	start rpcbind "$RPCBIND" -f
	start chronyd "$CHRONYD" -n -x -f "$STATE/chrony.conf"
	start dnsmasq "$DNSMASQ" -k --conf-file="$STATE/dnsmasq.conf"

	wait_listening nginx "$(pidof_file "$STATE/nginx.pid")" tcp 80
	wait_listening rpcbind "$(pidof_file "$STATE/rpcbind.pid")" tcp 111 udp 111
	wait_listening chronyd "$(pidof_file "$STATE/chronyd.pid")" udp 323
	wait_listening dnsmasq "$(pidof_file "$STATE/dnsmasq.pid")" udp 53 tcp 53
	write_facts
	log "up: nginx 80/tcp, rpcbind 111/tcp+udp, chronyd 323/udp (loopback), dnsmasq 53/udp+tcp (127.0.0.1); facts in $FACTS"
}

write_facts() {
	local tmp=$FACTS.tmp
	{
		printf '{"schema":"portui-s.facts/v1","services":[\n'
		printf '{"name":"nginx","pid":%s,"process":"nginx","listeners":[{"proto":"tcp","address":"0.0.0.0","port":80},{"proto":"tcp","address":"::","port":80}]},\n' "$(pidof_file "$STATE/nginx.pid")"
		printf '{"name":"rpcbind","pid":%s,"process":"rpcbind","listeners":[{"proto":"tcp","address":"0.0.0.0","port":111},{"proto":"udp","address":"0.0.0.0","port":111},{"proto":"tcp","address":"::","port":111},{"proto":"udp","address":"::","port":111}]},\n' "$(pidof_file "$STATE/rpcbind.pid")"
		printf '{"name":"chronyd","pid":%s,"process":"chronyd","listeners":[{"proto":"udp","address":"127.0.0.1","port":323},{"proto":"udp","address":"::1","port":323}]},\n' "$(pidof_file "$STATE/chronyd.pid")"
		printf '{"name":"dnsmasq","pid":%s,"process":"dnsmasq","listeners":[{"proto":"udp","address":"127.0.0.1","port":53},{"proto":"tcp","address":"127.0.0.1","port":53}]}\n' "$(pidof_file "$STATE/dnsmasq.pid")"
		printf ']}\n'
	} >"$tmp"
	mv -f "$tmp" "$FACTS"
}

# ---------------------------------------------------------------- status

cmd_status() {
	local name pid bad=0
	for name in "${SERVICES[@]}"; do
		pid=$(pidof_file "$STATE/$name.pid")
		if [ -n "$pid" ] && ours "$name" "$pid"; then
			printf '%-8s up   pid %s\n' "$name" "$pid"
		else
			printf '%-8s down\n' "$name"
			bad=1
		fi
	done
	if [ "$bad" = 0 ]; then
		listening nginx tcp 80 && listening rpcbind tcp 111 && listening rpcbind udp 111 &&
			listening chronyd udp 323 && listening dnsmasq udp 53 || {
			printf 'a daemon is up but not listening where it should\n'
			bad=1
		}
	fi
	[ -f "$FACTS" ] && printf 'facts: %s\n' "$FACTS"
	return "$bad"
}

# ---------------------------------------------------------------- main

need_root
case "${1:-}" in
install)
	lock
	cmd_install
	;;
up)
	lock
	cmd_up
	;;
down)
	lock
	cmd_down
	;;
status)
	lock
	cmd_status
	;;
*)
	printf 'usage: %s install|up|down|status\n' "$0" >&2
	exit 2
	;;
esac
