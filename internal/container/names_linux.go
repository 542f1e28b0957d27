//go:build linux

package container

import (
	"errors"
	"io/fs"
	"net/netip"
	"os"
	"path/filepath"
	"slices"
	"sync"
	"time"

	"github.com/portui/portui/internal/sanitize"
	"github.com/portui/portui/internal/scan"
)

// State paths, relative to Options.Root.
const (
	dockerDataRoot = "/var/lib/docker" // containers/<id>/config.v2.json; dockerd --data-root moves it
	podmanList     = "/var/lib/containers/storage/overlay-containers/containers.json"
	// <id>/userdata/config.json: Podman keeps it under its graph root,
	// CRI-O under its run root.
	podmanUserdata    = "/var/lib/containers/storage/overlay-containers"
	crioUserdata      = "/run/containers/storage/overlay-containers"
	containerdK8sTask = "/run/containerd/io.containerd.runtime.v2.task/k8s.io"
)

const (
	maxNames    = 4096             // cached containers, bounded
	negativeTTL = 10 * time.Second // a name that could not be read is retried after this
)

// entry is one cached container.
type entry struct {
	c     *scan.Container // shared by every snapshot: never changed once made
	addrs []netip.Addr
	warn  string    // why the name is unknown ("" if known)
	at    time.Time // when it was read (for retries of unknown names)
}

// resolver names containers from the runtimes' state files, cached by
// runtime and id.
type resolver struct {
	root string
	now  func() time.Time

	mu    sync.Mutex
	cache map[string]entry
	// podman's containers.json, re-read when its size or mtime changes
	podmanNames map[string]string
	podmanStamp [2]int64
	podmanErr   string
	reads       int      // state files read (tests and benchmarks)
	extraRoots  []string // dockerd --data-root values seen
}

func newResolver(root string) *resolver {
	return &resolver{root: root, now: time.Now, cache: map[string]entry{}}
}

func (r *resolver) path(p string) string {
	if r.root == "" || r.root == "/" {
		return p
	}
	return filepath.Join(r.root, p)
}

// resolve returns the container a cgroup names (nil if none), from the
// cache or the runtime's state. conmon maps Podman ids to the names
// conmon's argv gives (a fallback when containers.json cannot be read).
// warn receives one line per runtime whose state could not be read.
func (r *resolver) resolve(cg Cgroup, conmon map[string]string, warn func(runtime, msg string)) (*scan.Container, []netip.Addr) {
	if !cg.IsContainer() {
		return nil, nil
	}
	key := cg.Runtime + "/" + cg.ID
	r.mu.Lock()
	defer r.mu.Unlock()
	if e, ok := r.cache[key]; ok && (e.warn == "" || r.now().Sub(e.at) < negativeTTL) {
		if e.warn != "" {
			if n := conmon[cg.ID]; n != "" && e.c.Name == "" {
				e.c = &scan.Container{Runtime: e.c.Runtime, ID: e.c.ID, Name: n, Pod: e.c.Pod}
				e.warn = ""
				r.cache[key] = e
			} else {
				warn(e.c.Runtime, e.warn)
			}
		}
		return e.c, e.addrs
	}
	e := r.read(cg, conmon)
	if e.warn != "" {
		warn(e.c.Runtime, e.warn)
	}
	if len(r.cache) >= maxNames {
		for k, v := range r.cache { // drop unknown names first, then everything
			if v.warn != "" {
				delete(r.cache, k)
			}
		}
		if len(r.cache) >= maxNames {
			clear(r.cache)
		}
	}
	r.cache[key] = e
	return e.c, e.addrs
}

// read builds the entry for one container from its runtime's state.
func (r *resolver) read(cg Cgroup, conmon map[string]string) entry {
	c := &scan.Container{Runtime: cg.Runtime, ID: sanitize.Line(cg.ID)}
	e := entry{c: c, at: r.now()}
	unreadable := func(what string, err error) string {
		return cg.Runtime + " container names unknown: " + sanitize.Line(what) + " not readable: " + sanitize.Line(errText(err))
	}
	switch cg.Runtime {
	case "docker":
		var firstErr error
		var firstPath string
		for _, root := range r.dockerRoots() {
			p := r.path(root + "/containers/" + cg.ID + "/config.v2.json")
			in, err := r.readInfo(p, parseDockerConfig)
			if err != nil {
				if firstErr == nil {
					firstErr, firstPath = err, p
				}
				continue
			}
			c.Name, e.addrs, firstErr = in.Name, in.Addrs, nil
			break
		}
		if firstErr != nil {
			e.warn = unreadable(firstPath, firstErr)
		}
	case "podman":
		c.Name = r.podmanName(cg.ID)
		if c.Name == "" {
			c.Name = conmon[cg.ID]
		}
		if c.Name == "" {
			e.warn = cg.Runtime + " container names unknown: " + sanitize.Line(r.path(podmanList)) + " " + r.podmanErr
			if r.podmanErr == "" {
				e.warn = cg.Runtime + " container names unknown: " + sanitize.Line(cg.ID[:12]) + " not in " + sanitize.Line(r.path(podmanList))
			}
		}
		c.Pod = r.podmanPod(cg.ID, cg.PodID != "")
		if c.Pod == "" && cg.PodID != "" {
			c.Pod = cg.PodID[:12]
		}
	case "containerd", "cri-o", "kubernetes":
		try := []string{"containerd", "cri-o"}
		switch cg.Runtime {
		case "containerd":
			try = try[:1]
		case "cri-o":
			try = try[1:]
		}
		var firstErr error
		var firstPath string
		for _, rt := range try {
			p := r.path(crioUserdata + "/" + cg.ID + "/userdata/config.json")
			if rt == "containerd" {
				p = r.path(containerdK8sTask + "/" + cg.ID + "/config.json")
			}
			in, err := r.readInfo(p, parseOCIConfig)
			if err != nil {
				if firstErr == nil {
					firstErr, firstPath = err, p
				}
				continue
			}
			c.Runtime, c.Name, c.Pod = rt, in.Name, in.Pod
			firstErr = nil
			break
		}
		if firstErr != nil {
			e.warn = unreadable(firstPath, firstErr)
		}
	case "lxc":
		c.Name = c.ID
	}
	return e
}

func (r *resolver) readInfo(path string, parse func([]byte) (info, error)) (info, error) {
	r.reads++
	data, _, err := readState(path, maxConfigFile)
	if err != nil {
		return info{}, err
	}
	return parse(data)
}

// podmanName looks id up in containers.json, re-reading the file when
// it changed since it was last read.
func (r *resolver) podmanName(id string) string {
	if n, ok := r.podmanNames[id]; ok {
		return n
	}
	p := r.path(podmanList)
	fi, err := os.Lstat(p)
	if err != nil {
		r.podmanErr = "not readable: " + sanitize.Line(errText(err))
		return ""
	}
	stamp := [2]int64{fi.Size(), fi.ModTime().UnixNano()}
	if stamp == r.podmanStamp && r.podmanNames != nil {
		return "" // unchanged, and id is not in it
	}
	r.reads++
	data, _, err := readState(p, maxListFile)
	if err == nil {
		var names map[string]string
		if names, err = parsePodmanList(data); err == nil {
			r.podmanNames, r.podmanStamp, r.podmanErr = names, stamp, ""
			return names[id]
		}
	}
	r.podmanErr = "not readable: " + sanitize.Line(errText(err))
	return ""
}

// podmanPod names a Podman container's pod: the infra container's
// hostname (Podman sets it to the pod's name), found through a member's
// io.kubernetes.cri-o.SandboxID annotation; the infra itself (in a pod by
// its cgroup, or by its ContainerType annotation) has it as its own.
func (r *resolver) podmanPod(id string, inPod bool) string {
	in, err := r.ociConfig(id)
	if err != nil {
		return ""
	}
	if in.SandboxID != "" && in.SandboxID != id {
		if infra, err := r.ociConfig(in.SandboxID); err == nil {
			return infra.Hostname
		}
		return ""
	}
	if in.Infra || inPod {
		return in.Hostname
	}
	return ""
}

// ociConfig reads a Podman container's userdata/config.json (graph root
// first, then the run root).
func (r *resolver) ociConfig(id string) (info, error) {
	in, err := r.readInfo(r.path(podmanUserdata+"/"+id+"/userdata/config.json"), parseOCIConfig)
	if err != nil {
		in, err = r.readInfo(r.path(crioUserdata+"/"+id+"/userdata/config.json"), parseOCIConfig)
	}
	return in, err
}

// setDockerRoots records the --data-root of every dockerd seen (a second
// daemon keeps its containers elsewhere); unknown Docker names are
// retried at once when a new root appears.
func (r *resolver) setDockerRoots(roots []string) {
	r.mu.Lock()
	defer r.mu.Unlock()
	changed := false
	for _, root := range roots {
		if !slices.Contains(r.extraRoots, root) && len(r.extraRoots) < 16 {
			r.extraRoots, changed = append(r.extraRoots, root), true
		}
	}
	if changed {
		for k, e := range r.cache {
			if e.warn != "" && e.c.Runtime == "docker" {
				delete(r.cache, k)
			}
		}
	}
}

func (r *resolver) dockerRoots() []string {
	return append([]string{dockerDataRoot}, r.extraRoots...)
}

// errText is an error as one short line: the errno text of a PathError
// (the path is said by the caller).
func errText(err error) string {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err.Error()
	}
	if err == nil {
		return ""
	}
	return err.Error()
}
