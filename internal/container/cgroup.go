package container

import (
	"strings"
)

// Cgroup is what a cgroup path says about the process in it.
type Cgroup struct {
	// Runtime is the container runtime whose naming the path follows:
	// "docker", "podman", "containerd", "cri-o", "lxc", or "kubernetes"
	// for a kubelet cgroupfs path (…/pod<uid>/<id>) that does not name
	// its runtime; "" when the path is not a container's.
	Runtime string
	ID      string // container id (64 hex), the name for LXC
	PodID   string // Podman pod id or Kubernetes pod uid, "" if none
	Unit    string // innermost systemd unit that is not a container scope
}

// IsContainer reports whether the path is a container's.
func (c Cgroup) IsContainer() bool { return c.ID != "" }

// maxCgroupPath bounds what ParseCgroup looks at: the kernel's own limit
// for a path is PATH_MAX.
const maxCgroupPath = 4096

// ParseCgroup reads a cgroup path as /proc/PID/cgroup gives it (v1, v2 or
// hybrid: the caller picks the line, see scan.ParseCgroupFile). It never fails: a
// path it does not recognise is simply no container and no unit.
//
// Recognised: Docker "/docker/<id>" (cgroupfs) and "docker-<id>.scope"
// (systemd); Podman "/libpod_parent/libpod-<id>",
// "/libpod_parent/<pod>/libpod-<id>", "libpod-<id>.scope" and
// "machine.slice/libpod-pod-<pod>.slice/libpod-<id>.scope"; Kubernetes
// "cri-containerd-<id>.scope", "crio-<id>.scope",
// "kubepods…-pod<uid>.slice" and "/kubepods/<qos>/pod<uid>/<id>"; LXC
// "lxc.payload.<name>" and "/lxc/<name>"; and the innermost systemd
// "*.service" or "*.scope" unit that is not a container's scope.
func ParseCgroup(path string) Cgroup {
	if len(path) > maxCgroupPath {
		path = path[:maxCgroupPath]
	}
	segs := strings.Split(path, "/")
	var c Cgroup
	kubepods := false
	for i, s := range segs {
		if s == "" || s == "." || s == ".." {
			continue
		}
		prev := ""
		if i > 0 {
			prev = segs[i-1]
		}
		if strings.HasPrefix(s, "kubepods") {
			kubepods = true
		}
		if rt, id, ok := containerSegment(s, prev, kubepods); ok {
			c.Runtime, c.ID = rt, id
			c.Unit = "" // a unit outside the container is not its unit
			if rt == "podman" && c.PodID == "" && i >= 2 && segs[i-2] == "libpod_parent" && isHexID(prev) {
				c.PodID = prev
			}
			continue
		}
		if pod, ok := podSegment(s, kubepods); ok {
			c.PodID = pod
			continue
		}
		if isUnit(s) {
			c.Unit = s
		}
	}
	return c
}

// containerSegment recognises one path segment that names a container.
func containerSegment(s, prev string, kubepods bool) (runtime, id string, ok bool) {
	trimScope := func(p string) (string, bool) {
		if !strings.HasPrefix(s, p) {
			return "", false
		}
		id := strings.TrimSuffix(s[len(p):], ".scope")
		return id, isHexID(id)
	}
	if id, ok := trimScope("docker-"); ok {
		return "docker", id, true
	}
	if id, ok := trimScope("libpod-"); ok {
		return "podman", id, true
	}
	if id, ok := trimScope("cri-containerd-"); ok {
		return "containerd", id, true
	}
	if id, ok := trimScope("crio-"); ok {
		return "cri-o", id, true
	}
	switch {
	case prev == "docker" && isHexID(s):
		return "docker", s, true
	case strings.HasPrefix(s, "lxc.payload.") && len(s) > len("lxc.payload."):
		return "lxc", s[len("lxc.payload."):], true
	case prev == "lxc" && !strings.HasPrefix(s, "lxc.") && !isUnit(s):
		return "lxc", s, true
	case kubepods && isHexID(s) && strings.HasPrefix(prev, "pod"):
		return "kubernetes", s, true
	}
	return "", "", false
}

// podSegment recognises a segment that names a pod.
func podSegment(s string, kubepods bool) (string, bool) {
	if p, ok := strings.CutPrefix(s, "libpod-pod-"); ok {
		p = strings.TrimSuffix(p, ".slice")
		if isHexID(p) {
			return p, true
		}
	}
	if !kubepods {
		return "", false
	}
	// systemd driver: kubepods-burstable-pod<uid with _>.slice
	if i := strings.LastIndex(s, "-pod"); i >= 0 && strings.HasSuffix(s, ".slice") {
		uid := strings.ReplaceAll(s[i+len("-pod"):len(s)-len(".slice")], "_", "-")
		if isUID(uid) {
			return uid, true
		}
	}
	// cgroupfs driver: /kubepods/burstable/pod<uid>
	if uid, ok := strings.CutPrefix(s, "pod"); ok && isUID(uid) {
		return uid, true
	}
	return "", false
}

func isUnit(s string) bool {
	return (strings.HasSuffix(s, ".service") && len(s) > len(".service")) ||
		(strings.HasSuffix(s, ".scope") && len(s) > len(".scope"))
}

// isHexID reports a 64-character lower-case hex id (Docker, Podman,
// containerd and CRI-O ids).
func isHexID(s string) bool {
	if len(s) != 64 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if (c < '0' || c > '9') && (c < 'a' || c > 'f') {
			return false
		}
	}
	return true
}

// isUID reports a Kubernetes pod uid (a UUID, 36 characters).
func isUID(s string) bool {
	if len(s) != 36 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case i == 8 || i == 13 || i == 18 || i == 23:
			if c != '-' {
				return false
			}
		case (c < '0' || c > '9') && (c < 'a' || c > 'f'):
			return false
		}
	}
	return true
}
