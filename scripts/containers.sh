#!/usr/bin/env bash
# Real Podman and Docker containers for portui's tests, CI and benchmarks.
#
#   scripts/containers.sh install   Debian packages + the containers.conf drop-in (idempotent)
#   scripts/containers.sh up        (re)start every test resource, write the facts file
#   scripts/containers.sh down      remove everything `up` started, by name and PID
#   scripts/containers.sh status    print what is up; exit 0 only when all of it is
#   scripts/containers.sh image     (re)build the podman image only (bench/containers.sh uses it)
#
# Every resource is named portui-t-*; state lives in /run/portui-t/ (pidfiles,
# logs, the image rootfs, facts.json). All subcommands take one lock
# (/run/portui-t.lock), so concurrent callers serialise. `up` runs `down`
# first, so it also recovers from an interrupted run (a killed container
# stays "Up" in podman and keeps its DNAT rule: see docs in
# ../shared/docs/containers.md). Root only.
#
# What `up` starts (ports are free high ports chosen at `up`, checked with ss
# and against the NAT table; facts.json names them):
#   podman, bridge network "podman":
#     portui-t-web    tcp4 0.0.0.0:80, published -p 127.0.0.1:P:80 (conmon placeholder + DNAT)
#     portui-t-dns    udp4 0.0.0.0:53, published -p 127.0.0.1:P:53/udp
#     portui-t-priv   tcp4 0.0.0.0:80 and udp4 0.0.0.0:8081, not published
#   podman portui-t-none  --network none: tcp4 127.0.0.1:9000, udp4 127.0.0.1:9001
#   podman portui-t-host  --network host: tcp4 127.0.0.1:P (the host's netns)
#   podman pod portui-t-pod (infra publishes -p 127.0.0.1:P:80), members
#     portui-t-pod-a  tcp4 0.0.0.0:80
#     portui-t-pod-b  udp4 0.0.0.0:5353 and dual-stack tcp [::]:81
#   ip netns portui-t-ns: the helper on the host binary, tcp4 127.0.0.1:7000, udp4 0.0.0.0:7001
#   docker, dockerd #1 (default paths /var/lib/docker, /var/run/docker.sock;
#     userland proxy on, --iptables=false):
#     portui-t-dweb   tcp4 0.0.0.0:80 -p 127.0.0.1:P:80 and udp4 0.0.0.0:53 -p 127.0.0.1:P:53/udp
#                     (docker-proxy holds both host ports)
#   docker, dockerd #2 "nat" (--userland-proxy=false, --iptables=true, own
#     data root /var/lib/portui-t/docker-nat, exec root /run/portui-t/docker-nat,
#     socket /run/portui-t/docker-nat.sock, bridge portui-t-br 172.31.254.1/24):
#     portui-t-dnat   tcp4 0.0.0.0:80 -p 127.0.0.1:P:80 (dockerd placeholder + DNAT)
# Two daemons because one dockerd runs in one proxy mode, and two daemons that
# both manage iptables wipe each other's chains at start: so the docker-proxy
# daemon runs without iptables (its proxy alone forwards) and the NAT daemon
# is the only one with chains.
#
# The listener inside each image is scripts/ctrlisten (static Go), beside
# /bin/busybox from busybox-static; the image is imported (no registry):
# podman localhost/portui-t-img:1, docker portui-t-img:1 run with --pull never.
#
# facts.json (schema portui-t.facts/v1) records what the runtimes themselves
# report (podman/docker inspect: ids, names, pods, pids, IPs, sandbox paths,
# published ports) plus the netns inode of each, for the tests to compare with
# portui's output. The harness uses the CLIs; the product never does.
set -euo pipefail

ROOT=$(cd "$(dirname "$0")/.." && pwd)
STATE=/run/portui-t
FACTS=$STATE/facts.json
LOCK=/run/portui-t.lock
PREFIX=portui-t
IMG_PODMAN=localhost/portui-t-img:1
IMG_DOCKER=portui-t-img:1
DOCKER=/usr/bin/docker # docker.io's CLI, not whatever else is on PATH
DOCK1=(-H unix:///var/run/docker.sock)
DOCK2=(-H unix://$STATE/docker-nat.sock)
NAT_ROOT=/var/lib/portui-t/docker-nat
NAT_EXEC=$STATE/docker-nat
BR=portui-t-br
BR_CIDR=172.31.254.1/24
PODS=(portui-t-pod)
# Word-split on purpose where used (no spaces in any of them).
DOCKERD1_ARGS="--iptables=false --userland-proxy=true"
DOCKERD2_ARGS="-H unix://$STATE/docker-nat.sock --data-root $NAT_ROOT --exec-root $NAT_EXEC --bridge $BR --userland-proxy=false --iptables=true --ip-forward=false"
PKGS=(podman runc conmon netavark aardvark-dns iptables catatonit busybox-static nftables slirp4netns docker.io jq)
DROPIN=/etc/containers/containers.conf.d/50-portui-t.conf

log() { printf '%s: %s\n' "containers.sh" "$*" >&2; }
die() { log "error: $*"; exit 1; }

need_root() { [ "$(id -u)" = 0 ] || die "must run as root"; }

lock() {
	mkdir -p "$STATE"
	exec 9>"$LOCK"
	flock -w 300 9 || die "another containers.sh holds $LOCK"
}

# ---------------------------------------------------------------- install

cmd_install() {
	local missing=() p
	for p in "${PKGS[@]}"; do
		dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
	done
	if [ ${#missing[@]} -gt 0 ]; then
		log "installing ${missing[*]}"
		apt-get update -qq >/dev/null
		DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >/dev/null
	fi
	mkdir -p "$(dirname "$DROPIN")"
	local want
	want=$(
		cat <<'EOF'
# portui's test containers (scripts/containers.sh): this machine's hybrid
# cgroups and missing CAP_SYS_RESOURCE need these (../shared/docs/containers.md).
[containers]
default_ulimits = ["nofile=20000:20000", "nproc=32768:32768"]

[engine]
runtime = "runc"
cgroup_manager = "cgroupfs"
events_logger = "file"

[network]
network_backend = "netavark"
EOF
	)
	if [ ! -f "$DROPIN" ] || [ "$(cat "$DROPIN")" != "$want" ]; then
		printf '%s\n' "$want" >"$DROPIN"
	fi
	mkdir -p /run/podman
}

# ---------------------------------------------------------------- helpers

nolock() { "$@" 9>&-; }
alive() { [ -n "${1:-}" ] && kill -0 "$1" 2>/dev/null; }
pidof_file() { [ -f "$1" ] && cat "$1" 2>/dev/null || true; }

stop_pid() { # stop_pid PID [SECONDS]: TERM, wait, KILL
	local pid=$1 secs=${2:-20} i
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

used_ports=" "
free_port() { # free_port VAR: sets VAR to a TCP+UDP port free on the host and in the NAT table
	# Not called as $(free_port): a command substitution is a subshell, so
	# used_ports would not remember the ports handed out, and two calls
	# could return the same port.
	local -n out=$1
	local p n
	for ((n = 0; n < 500; n++)); do
		p=$((20000 + RANDOM % 12000))
		case "$used_ports" in *" $p "*) continue ;; esac
		[ -z "$(ss -Htuan "( sport = :$p )" 2>/dev/null)" ] || continue
		if iptables-save -t nat 2>/dev/null | grep -Eq -- "--dport $p( |\$)"; then continue; fi
		used_ports+="$p "
		out=$p
		return 0
	done
	die "no free port found"
}

inode_of() { stat -L -c %i "/proc/$1/ns/net"; } # PID or "self" (pid 1 may be unreadable)

wait_sock() { # wait_sock PROTO HOSTPORT [NETNS-PID]: until ss shows a listener
	local proto=$1 port=$2 pid=${3:-} i flag=-Htln
	[ "$proto" = udp ] && flag=-Huln
	for ((i = 0; i < 100; i++)); do
		if [ -n "$pid" ]; then
			nsenter --net="/proc/$pid/ns/net" ss $flag "( sport = :$port )" 2>/dev/null | grep -q . && return 0
		else
			ss $flag "( sport = :$port )" 2>/dev/null | grep -q . && return 0
		fi
		sleep 0.1
	done
	die "no $proto listener on port $port${pid:+ in the netns of pid $pid}"
}

probe_tcp() { # probe_tcp PORT: the helper's greeting through 127.0.0.1:PORT
	timeout 5 bash -c "exec 3<>/dev/tcp/127.0.0.1/$1 && head -1 <&3" 2>/dev/null | grep -q '^ctrlisten ' ||
		die "127.0.0.1:$1/tcp does not reach its container"
}

probe_udp() {
	timeout 5 bash -c "exec 3<>/dev/udp/127.0.0.1/$1 && echo probe >&3 && head -c 9 <&3" 2>/dev/null | grep -q '^ctrlisten' ||
		die "127.0.0.1:$1/udp does not reach its container"
}

# ---------------------------------------------------------------- down

nat_cleanup() { # delete NAT rules that still name one of our host ports
	local ports line n=0
	ports=$(cat "$STATE/ports" 2>/dev/null || true)
	[ -n "$ports" ] || return 0
	command -v iptables-save >/dev/null || return 0
	local p
	for p in $ports; do
		while IFS= read -r line; do
			[ -n "$line" ] || continue
			# shellcheck disable=SC2086 # the saved rule is re-split on purpose
			eval "iptables -t nat ${line/#-A /-D }" 2>/dev/null && n=$((n + 1)) || true
		done < <(iptables-save -t nat 2>/dev/null | grep -E -- "^-A .*--dport $p( |\$)" || true)
	done
	[ "$n" = 0 ] || log "removed $n stale NAT rules for our ports"
}

docker_rm_all() { # docker_rm_all DOCKER-ARGS...: remove our containers by name
	local names
	names=$("$DOCKER" "$@" ps -aq --filter "name=^$PREFIX-" --format '{{.Names}}' 2>/dev/null || true)
	[ -z "$names" ] || "$DOCKER" "$@" rm -f $names >/dev/null 2>&1 || true
}

# docker_down PIDFILE SHIM-ADDRESS-DIR CLI-ARGS -- DOCKERD-ARGS: remove our
# containers and stop the daemon by PID. When the daemon died (an
# interrupted run) but its containers live on (containerd-shim processes
# talking to our containerd), start it once more so that it removes them.
docker_down() {
	local pidfile=$1 shimdir=$2 pid cli=()
	shift 2
	while [ "$1" != -- ]; do cli+=("$1"); shift; done
	shift
	pid=$(pidof_file "$pidfile")
	if ! alive "$pid" && has_shims "$shimdir"; then
		log "dockerd ($pidfile) is gone but its containers are not: restarting it to remove them"
		make_bridge
		start_dockerd "$pidfile" "$pidfile.log" "${cli[@]}" -- "$@" --noimage
		pid=$(pidof_file "$pidfile")
	fi
	if alive "$pid"; then docker_rm_all "${cli[@]}"; fi
	stop_pid "$pid" 30
	rm -f "$pidfile"
}

make_bridge() {
	ip link show $BR >/dev/null 2>&1 || {
		ip link add $BR type bridge
		ip addr add $BR_CIDR dev $BR
	}
	ip link set $BR up
	mkdir -p "$NAT_ROOT" "$NAT_EXEC"
}

has_shims() { # a containerd-shim whose -address is under DIR is running
	local p
	for p in /proc/[0-9]*/cmdline; do
		{ tr '\0' ' ' <"$p"; } 2>/dev/null | grep -q "^/usr/bin/containerd-shim.* -address $1/" && return 0
	done
	return 1
}

cmd_down() {
	local pid
	if command -v podman >/dev/null; then
		local names
		names=$(podman ps -a --filter "name=^$PREFIX-" --format '{{.Names}}' 2>/dev/null || true)
		[ -z "$names" ] || podman rm -f -t 0 $names >/dev/null 2>&1 || true
		for p in "${PODS[@]}"; do
			podman pod exists "$p" 2>/dev/null && { podman pod rm -f -t 0 "$p" >/dev/null 2>&1 || true; }
		done
	fi
	docker_down "$STATE/dockerd.pid" /var/run/docker/containerd "${DOCK1[@]}" -- $DOCKERD1_ARGS
	docker_down "$STATE/dockerd-nat.pid" "$NAT_EXEC/containerd" "${DOCK2[@]}" -- $DOCKERD2_ARGS
	pid=$(pidof_file "$STATE/netns-listener.pid")
	stop_pid "$pid" 5
	rm -f "$STATE/netns-listener.pid"
	ip netns delete "$PREFIX-ns" 2>/dev/null || true
	ip link delete "$BR" 2>/dev/null || true
	local m
	for m in $(awk -v r="$STATE/" -v d="$NAT_ROOT" 'index($2, r) == 1 || index($2, d) == 1 { print $2 }' /proc/self/mounts | sort -r); do
		umount -l "$m" 2>/dev/null || true
	done
	nat_cleanup
	rm -f "$FACTS" "$STATE/ports"
}

# ---------------------------------------------------------------- up

build_image() {
	local root=$STATE/rootfs
	rm -rf "$root" "$STATE/rootfs.tar"
	mkdir -p "$root"/{bin,etc,proc,sys,dev,tmp,run,var}
	cp /bin/busybox "$root/bin/busybox"
	ln -s busybox "$root/bin/sh"
	(cd "$ROOT" && CGO_ENABLED=0 go build -trimpath -ldflags=-s -o "$STATE/ctrlisten" ./scripts/ctrlisten)
	cp "$STATE/ctrlisten" "$root/ctrlisten"
	echo "root:x:0:0:root:/:/bin/sh" >"$root/etc/passwd"
	tar -C "$root" -cf "$STATE/rootfs.tar" .
	# import over the old tag (rmi -f would remove the containers using it)
	podman import -q "$STATE/rootfs.tar" "$IMG_PODMAN" >/dev/null
	podman image prune -f >/dev/null 2>&1 || true # the untagged previous import
}

start_dockerd() { # start_dockerd PIDFILE LOG DOCKER-CLI-ARGS -- DOCKERD-ARGS...
	local pidfile=$1 logf=$2 i
	shift 2
	local cli=()
	while [ "$1" != -- ]; do cli+=("$1"); shift; done
	shift
	local import=1
	if [ "${*: -1}" = --noimage ]; then import=0; set -- "${@:1:$#-1}"; fi
	setsid dockerd --pidfile "$pidfile" "$@" >"$logf" 2>&1 </dev/null 9>&- &
	local pid=$!
	for ((i = 0; i < 300; i++)); do
		"$DOCKER" "${cli[@]}" version >/dev/null 2>&1 && break
		alive "$pid" || { tail -20 "$logf" >&2; die "dockerd $* exited"; }
		sleep 0.1
	done
	"$DOCKER" "${cli[@]}" version >/dev/null 2>&1 || { tail -20 "$logf" >&2; die "dockerd $* not ready after 30s"; }
	echo "$pid" >"$pidfile" # dockerd writes it too; ours is authoritative
	docker_rm_all "${cli[@]}" # left over from a run whose daemon died
	[ "$import" = 1 ] || return 0
	"$DOCKER" "${cli[@]}" rmi -f "$IMG_DOCKER" >/dev/null 2>&1 || true
	"$DOCKER" "${cli[@]}" import "$STATE/rootfs.tar" "$IMG_DOCKER" >/dev/null
}

# Facts: one JSON object per namespace, appended to $STATE/ns.jsonl.
add_ns() { # add_ns KIND NAME PID PATH CONTAINERS-JSON PUBLISHED-JSON EXPECT-JSON
	jq -cn --arg kind "$1" --arg name "$2" --arg pid "$3" --arg path "${4/#\/var\/run\//\/run\/}" \
		--argjson inode "$(inode_of "$3")" \
		--argjson containers "$5" --argjson published "$6" --argjson expect "$7" \
		'{kind: $kind, name: $name, pid: (if $pid == "self" then 0 else ($pid | tonumber) end), netns_path: $path, netns_inode: $inode,
		  containers: $containers, published: $published, expect: $expect}' >>"$STATE/ns.jsonl"
}

# podman_ctr NAME: the runtime's own view of a container, as a facts object
podman_ctr() {
	podman inspect "$1" | jq -c --arg pod "${2:-}" '.[0] | {
		runtime: "podman", id: .Id, name: .Name, pod: $pod, pid: .State.Pid,
		infra: (.IsInfra // false),
		ip: ([.NetworkSettings.Networks // {} | .[] | .IPAddress] | map(select(. != "")) | .[0] // ""),
		sandbox: (.NetworkSettings.SandboxKey // "")}'
}

docker_ctr() { # docker_ctr NAME DOCKER-ARGS...
	local n=$1
	shift
	"$DOCKER" "$@" inspect "$n" | jq -c --arg daemon "$*" '.[0] | {
		runtime: "docker", id: .Id, name: (.Name | ltrimstr("/")), pod: "", pid: .State.Pid,
		infra: false, ip: .NetworkSettings.IPAddress, sandbox: .NetworkSettings.SandboxKey,
		daemon: $daemon}'
}

# exp PROTO ADDR PORT CONTAINER-NAME: one expected listener
exp() { jq -cn --arg p "$1" --arg a "$2" --argjson port "$3" --arg c "$4" '{proto: $p, address: $a, port: $port, container: $c}'; }
# pub PROTO HOST-PORT CONTAINER-PORT CONTAINER-NAME VIA: one published port;
# holder is the program that holds the host-side socket (ss shows it).
pub() {
	local holder=$5
	case $5 in conmon) holder=conmon ;; docker-proxy) holder=docker-proxy ;; nat) holder=dockerd ;; esac
	jq -cn --arg p "$1" --argjson hp "$2" --argjson cp "$3" --arg c "$4" --arg via "$5" --arg holder "$holder" \
		'{proto: $p, host_address: "127.0.0.1", host_port: $hp, container_port: $cp, container: $c, via: $via, holder: $holder}'
}
arr() { jq -cs . ; }

wait_podman_running() { # until the container's init (the helper) has its sockets
	local n=$1 i pid
	# 30 s: in CI the gates compete for both cores while this starts.
	for ((i = 0; i < 300; i++)); do
		pid=$(podman inspect -f '{{.State.Pid}}' "$n" 2>/dev/null || echo 0)
		[ "$pid" -gt 0 ] 2>/dev/null && { echo "$pid"; return 0; }
		sleep 0.1
	done
	# Say why: the container's state and its own output.
	podman inspect -f 'state {{.State.Status}} exit {{.State.ExitCode}} error {{.State.Error}}' "$n" >&2 || true
	podman logs "$n" 2>&1 | tail -5 >&2 || true
	die "podman container $n has no pid"
}

cmd_up() {
	local t0=$SECONDS
	cmd_down
	command -v podman >/dev/null && command -v dockerd >/dev/null && command -v jq >/dev/null ||
		die "packages missing: run '$0 install' first"
	[ -f "$DROPIN" ] || die "$DROPIN missing: run '$0 install' first"
	mkdir -p "$STATE" /run/podman
	: >"$STATE/ns.jsonl"
	build_image

	local P_WEB P_DNS P_HOST P_POD P_DWEB P_DUDP P_DNAT
	free_port P_WEB
	free_port P_DNS
	free_port P_HOST
	free_port P_POD
	free_port P_DWEB
	free_port P_DUDP
	free_port P_DNAT
	echo "$P_WEB $P_DNS $P_HOST $P_POD $P_DWEB $P_DUDP $P_DNAT" >"$STATE/ports"

	# ---- podman
	# 9>&- on everything that leaves a process behind: conmon and the
	# daemons must not inherit (and so hold) the lock.
	local run=(nolock podman run -d -q --pull never --init=false)
	"${run[@]}" --name $PREFIX-web -p 127.0.0.1:$P_WEB:80 "$IMG_PODMAN" /ctrlisten tcp4:0.0.0.0:80 >/dev/null
	"${run[@]}" --name $PREFIX-dns -p 127.0.0.1:$P_DNS:53/udp "$IMG_PODMAN" /ctrlisten udp4:0.0.0.0:53 >/dev/null
	"${run[@]}" --name $PREFIX-priv "$IMG_PODMAN" /ctrlisten tcp4:0.0.0.0:80 udp4:0.0.0.0:8081 >/dev/null
	"${run[@]}" --name $PREFIX-none --network none "$IMG_PODMAN" /ctrlisten tcp4:127.0.0.1:9000 udp4:127.0.0.1:9001 >/dev/null
	"${run[@]}" --name $PREFIX-host --network host "$IMG_PODMAN" /ctrlisten tcp4:127.0.0.1:$P_HOST >/dev/null
	nolock podman pod create --name $PREFIX-pod --infra-name $PREFIX-pod-infra -p 127.0.0.1:$P_POD:80 >/dev/null
	"${run[@]}" --pod $PREFIX-pod --name $PREFIX-pod-a "$IMG_PODMAN" /ctrlisten tcp4:0.0.0.0:80 >/dev/null
	"${run[@]}" --pod $PREFIX-pod --name $PREFIX-pod-b "$IMG_PODMAN" /ctrlisten udp4:0.0.0.0:5353 tcp:[::]:81 >/dev/null

	# ---- ip netns
	ip netns add $PREFIX-ns
	ip -n $PREFIX-ns link set lo up
	setsid ip netns exec $PREFIX-ns "$STATE/ctrlisten" tcp4:127.0.0.1:7000 udp4:0.0.0.0:7001 \
		>"$STATE/netns-listener.log" 2>&1 </dev/null 9>&- &
	echo $! >"$STATE/netns-listener.pid"

	# ---- docker
	start_dockerd "$STATE/dockerd.pid" "$STATE/dockerd.log" "${DOCK1[@]}" -- $DOCKERD1_ARGS
	local drun=("$DOCKER" "${DOCK1[@]}" run -d --pull never)
	"${drun[@]}" --name $PREFIX-dweb -p 127.0.0.1:$P_DWEB:80 -p 127.0.0.1:$P_DUDP:53/udp "$IMG_DOCKER" \
		/ctrlisten tcp4:0.0.0.0:80 udp4:0.0.0.0:53 >/dev/null

	make_bridge
	start_dockerd "$STATE/dockerd-nat.pid" "$STATE/dockerd-nat.log" "${DOCK2[@]}" -- $DOCKERD2_ARGS
	drun=("$DOCKER" "${DOCK2[@]}" run -d --pull never)
	"${drun[@]}" --name $PREFIX-dnat -p 127.0.0.1:$P_DNAT:80 "$IMG_DOCKER" /ctrlisten tcp4:0.0.0.0:80 >/dev/null

	# ---- wait until every socket is there and every published port answers
	local pid
	for n in web dns priv none host pod-a pod-b; do
		pid=$(wait_podman_running $PREFIX-$n)
		eval "PID_${n//-/_}=$pid"
	done
	local PID_ns PID_dweb PID_dnat
	PID_ns=$(cat "$STATE/netns-listener.pid")
	PID_dweb=$("$DOCKER" "${DOCK1[@]}" inspect -f '{{.State.Pid}}' $PREFIX-dweb)
	PID_dnat=$("$DOCKER" "${DOCK2[@]}" inspect -f '{{.State.Pid}}' $PREFIX-dnat)
	wait_sock tcp 80 "$PID_web"
	wait_sock udp 53 "$PID_dns"
	wait_sock tcp 80 "$PID_priv"
	wait_sock udp 8081 "$PID_priv"
	wait_sock tcp 9000 "$PID_none"
	wait_sock udp 9001 "$PID_none"
	wait_sock tcp "$P_HOST"
	wait_sock tcp 80 "$PID_pod_a"
	wait_sock udp 5353 "$PID_pod_b"
	wait_sock tcp 81 "$PID_pod_b"
	wait_sock tcp 7000 "$PID_ns"
	wait_sock udp 7001 "$PID_ns"
	wait_sock tcp 80 "$PID_dweb"
	wait_sock udp 53 "$PID_dweb"
	wait_sock tcp 80 "$PID_dnat"
	probe_tcp "$P_WEB"
	probe_udp "$P_DNS"
	probe_tcp "$P_HOST"
	probe_tcp "$P_POD"
	probe_tcp "$P_DWEB"
	probe_udp "$P_DUDP"
	probe_tcp "$P_DNAT"

	# ---- facts, from the runtimes themselves
	local infra c
	infra=$(podman pod inspect $PREFIX-pod | jq -r '(if type == "array" then .[0] else . end) | .InfraContainerID')
	add_ns podman $PREFIX-web "$PID_web" "$(podman inspect -f '{{.NetworkSettings.SandboxKey}}' $PREFIX-web)" \
		"$(podman_ctr $PREFIX-web | arr)" "$(pub tcp "$P_WEB" 80 $PREFIX-web conmon | arr)" \
		"$(exp tcp 0.0.0.0 80 $PREFIX-web | arr)"
	add_ns podman $PREFIX-dns "$PID_dns" "$(podman inspect -f '{{.NetworkSettings.SandboxKey}}' $PREFIX-dns)" \
		"$(podman_ctr $PREFIX-dns | arr)" "$(pub udp "$P_DNS" 53 $PREFIX-dns conmon | arr)" \
		"$(exp udp 0.0.0.0 53 $PREFIX-dns | arr)"
	add_ns podman $PREFIX-priv "$PID_priv" "$(podman inspect -f '{{.NetworkSettings.SandboxKey}}' $PREFIX-priv)" \
		"$(podman_ctr $PREFIX-priv | arr)" "[]" \
		"$({ exp tcp 0.0.0.0 80 $PREFIX-priv; exp udp 0.0.0.0 8081 $PREFIX-priv; } | arr)"
	add_ns podman $PREFIX-none "$PID_none" "/proc/$PID_none/ns/net" \
		"$(podman_ctr $PREFIX-none | arr)" "[]" \
		"$({ exp tcp 127.0.0.1 9000 $PREFIX-none; exp udp 127.0.0.1 9001 $PREFIX-none; } | arr)"
	add_ns host host self /proc/self/ns/net \
		"$(podman_ctr $PREFIX-host | arr)" "[]" "$(exp tcp 127.0.0.1 "$P_HOST" $PREFIX-host | arr)"
	c=$({ podman_ctr "$infra" $PREFIX-pod; podman_ctr $PREFIX-pod-a $PREFIX-pod; podman_ctr $PREFIX-pod-b $PREFIX-pod; } | arr)
	add_ns podman-pod $PREFIX-pod "$PID_pod_a" "$(podman inspect -f '{{.NetworkSettings.SandboxKey}}' "$infra")" \
		"$c" "$(pub tcp "$P_POD" 80 $PREFIX-pod-a conmon | arr)" \
		"$({ exp tcp 0.0.0.0 80 $PREFIX-pod-a; exp udp 0.0.0.0 5353 $PREFIX-pod-b; exp tcp '::' 81 $PREFIX-pod-b; } | arr)"
	add_ns netns $PREFIX-ns "$PID_ns" /run/netns/$PREFIX-ns "[]" "[]" \
		"$({ exp tcp 127.0.0.1 7000 ""; exp udp 0.0.0.0 7001 ""; } | arr)"
	add_ns docker $PREFIX-dweb "$PID_dweb" "$("$DOCKER" "${DOCK1[@]}" inspect -f '{{.NetworkSettings.SandboxKey}}' $PREFIX-dweb)" \
		"$(docker_ctr $PREFIX-dweb "${DOCK1[@]}" | arr)" \
		"$({ pub tcp "$P_DWEB" 80 $PREFIX-dweb docker-proxy; pub udp "$P_DUDP" 53 $PREFIX-dweb docker-proxy; } | arr)" \
		"$({ exp tcp 0.0.0.0 80 $PREFIX-dweb; exp udp 0.0.0.0 53 $PREFIX-dweb; } | arr)"
	add_ns docker $PREFIX-dnat "$PID_dnat" "$("$DOCKER" "${DOCK2[@]}" inspect -f '{{.NetworkSettings.SandboxKey}}' $PREFIX-dnat)" \
		"$(docker_ctr $PREFIX-dnat "${DOCK2[@]}" | arr)" "$(pub tcp "$P_DNAT" 80 $PREFIX-dnat nat | arr)" \
		"$(exp tcp 0.0.0.0 80 $PREFIX-dnat | arr)"

	jq -s --argjson host "$(inode_of self)" --arg created "$(date -u +%FT%TZ)" \
		--argjson dockerd "$(cat "$STATE/dockerd.pid")" --argjson dockerd_nat "$(cat "$STATE/dockerd-nat.pid")" \
		'{schema: "portui-t.facts/v1", created: $created, host_netns_inode: $host,
		  dockerd: [{pid: $dockerd, socket: "/var/run/docker.sock", userland_proxy: true, iptables: false},
		            {pid: $dockerd_nat, socket: "/run/portui-t/docker-nat.sock", userland_proxy: false, iptables: true}],
		  namespaces: .}' "$STATE/ns.jsonl" >"$FACTS.tmp"
	mv "$FACTS.tmp" "$FACTS"
	rm -f "$STATE/ns.jsonl"
	log "up in $((SECONDS - t0))s; facts in $FACTS"
}

# ---------------------------------------------------------------- status

cmd_status() {
	local bad=0 line pid
	if [ ! -f "$FACTS" ]; then
		echo "facts: missing ($FACTS)"
		bad=1
	else
		echo "facts: $FACTS ($(jq -r .created "$FACTS"))"
	fi
	for f in dockerd dockerd-nat netns-listener; do
		pid=$(pidof_file "$STATE/$f.pid")
		if alive "$pid"; then echo "$f: pid $pid"; else echo "$f: not running"; bad=1; fi
	done
	if command -v podman >/dev/null; then
		while IFS= read -r line; do echo "podman: $line"; done < <(podman ps -a --filter "name=^$PREFIX-" --format '{{.Names}} {{.State}} {{.Ports}}' 2>/dev/null | sort)
		[ "$(podman ps --filter "name=^$PREFIX-" --filter status=running -q 2>/dev/null | wc -l)" -ge 7 ] || bad=1
	fi
	if alive "$(pidof_file "$STATE/dockerd.pid")"; then
		while IFS= read -r line; do echo "docker: $line"; done < <("$DOCKER" "${DOCK1[@]}" ps -a --filter "name=^$PREFIX-" --format '{{.Names}} {{.State}} {{.Ports}}')
	fi
	if alive "$(pidof_file "$STATE/dockerd-nat.pid")"; then
		while IFS= read -r line; do echo "docker-nat: $line"; done < <("$DOCKER" "${DOCK2[@]}" ps -a --filter "name=^$PREFIX-" --format '{{.Names}} {{.State}} {{.Ports}}')
	fi
	if ip netns list 2>/dev/null | grep -q "^$PREFIX-ns"; then echo "netns: $PREFIX-ns"; else echo "netns: $PREFIX-ns missing"; bad=1; fi
	if [ "$bad" = 0 ]; then echo "state: up"; else echo "state: down or partial"; fi
	return "$bad"
}

case "${1:-}" in
install) need_root; lock; cmd_install ;;
up) need_root; lock; cmd_up ;;
image) need_root; lock; build_image ;;
down) need_root; lock; cmd_down ;;
status) need_root; lock; cmd_status ;;
*) echo "usage: $0 install|up|down|status|image" >&2; exit 2 ;;
esac
