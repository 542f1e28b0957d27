package container

import (
	"bytes"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/portui/portui/internal/sanitize"
	"github.com/portui/portui/internal/scan"
)

// A second dockerd keeps its containers under its own --data-root, learnt
// from its argv. When dockerd holds no listener the snapshot selected (a
// port range, `audit`'s 0-1023), its argv is not in the snapshot, so a
// snapshot with Docker containers looks for dockerd processes in /proc
// itself: once, and again only while a Docker name stays unknown, at most
// once in dockerdSearchEvery.
const dockerdSearchEvery = 30 * time.Second

// maxCmdline caps what is read of one process's cmdline.
const maxCmdline = 64 << 10

// hasDocker reports whether an owner of s runs in a Docker container.
func (w *wrapped) hasDocker(s *scan.Snapshot) bool {
	for i := range s.Listeners {
		for _, p := range s.Listeners[i].Procs {
			if w.cgroup(p.Cgroup).Runtime == "docker" {
				return true
			}
		}
	}
	return false
}

// searchDockerd returns the --data-root of every dockerd running, when a
// search is due (see above). Called by enrich, under w.mu.
func (w *wrapped) searchDockerd(s *scan.Snapshot) []string {
	now := time.Now()
	due := w.dockerSearched.IsZero() || (w.dockerMiss && now.Sub(w.dockerSearched) >= dockerdSearchEvery)
	if !due || !w.hasDocker(s) {
		return nil // no Docker container yet: search when one shows
	}
	w.dockerSearched = now
	return dockerdRoots(w.opts.procRoot())
}

// dockerdRoots reads comm of every process under procRoot and the argv of
// those named dockerd.
func dockerdRoots(procRoot string) []string {
	d, err := os.Open(procRoot)
	if err != nil {
		return nil
	}
	defer d.Close()
	names, err := d.Readdirnames(-1)
	if err != nil {
		return nil
	}
	var roots []string
	for _, n := range names {
		if _, err := strconv.Atoi(n); err != nil {
			continue
		}
		comm, _, err := readState(procRoot+"/"+n+"/comm", 64)
		if err != nil || string(bytes.TrimSpace(comm)) != "dockerd" {
			continue
		}
		b, _, err := readState(procRoot+"/"+n+"/cmdline", maxCmdline)
		if err != nil {
			continue
		}
		args := strings.Split(strings.TrimRight(string(b), "\x00"), "\x00")
		for i := range args {
			args[i] = sanitize.Line(args[i])
		}
		if r := dockerdRoot(args); r != "" {
			roots = append(roots, r)
		}
	}
	return roots
}
