//go:build unix

// Command cpuof prints the CPU time (user + system, from wait4's rusage)
// that a command takes, averaged over several runs, in milliseconds:
//
//	cpuof [-n REPS] -- CMD [ARG]...
//	cpuof [-n REPS] -ss PATH...   `nsenter --net=PATH ss -tulnp` for every PATH, summed, averaged over REPS
//	cpuof -ns                     one path per distinct network namespace
//
// bench/run.sh compares `portui listeners` with `ss -tlnp` with it, and
// bench/containers.sh compares `portui listeners` with `ss -tulnp` run once
// in every namespace (-ns lists them: this process's own, the bind mounts
// under /run/netns and /run/docker/netns, else /proc/PID/ns/net of one
// process in each). The commands' output is discarded; a run that fails
// (non-zero exit) is an error, since a command that failed measured
// nothing.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"syscall"
	"time"
)

func main() {
	reps := flag.Int("n", 5, "runs to average")
	ss := flag.Bool("ss", false, "the arguments are namespace paths: run ss -tulnp in each")
	ns := flag.Bool("ns", false, "list one path per distinct network namespace")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: cpuof [-n REPS] -- CMD [ARG]... | cpuof [-n REPS] -ss PATH... | cpuof -ns")
	}
	flag.Parse()
	if *ns {
		for _, p := range namespaces() {
			fmt.Println(p)
		}
		return
	}
	if *reps < 1 || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	var total time.Duration
	for range *reps {
		runs := [][]string{flag.Args()}
		if *ss {
			runs = runs[:0]
			for _, p := range flag.Args() {
				runs = append(runs, []string{"nsenter", "--net=" + p, "ss", "-tulnp"})
			}
		}
		for _, argv := range runs {
			d, err := cpu(argv)
			if err != nil {
				fmt.Fprintln(os.Stderr, "cpuof:", err)
				os.Exit(1)
			}
			total += d
		}
	}
	fmt.Printf("%.2f\n", float64(total.Microseconds())/1000/float64(*reps))
}

// cpu runs argv once and returns its CPU time.
func cpu(argv []string) (time.Duration, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		return 0, fmt.Errorf("%v: %w", argv, err)
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, errors.New("no rusage on this platform")
	}
	return time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime)), nil
}

// namespaces is one path per distinct network namespace, this process's
// first.
func namespaces() []string {
	seen := map[uint64]bool{}
	var paths []string
	add := func(p string) {
		var st syscall.Stat_t
		if syscall.Stat(p, &st) == nil && !seen[st.Ino] {
			seen[st.Ino] = true
			paths = append(paths, p)
		}
	}
	add("/proc/self/ns/net")
	for _, g := range []string{"/run/netns/*", "/run/docker/netns/*", "/proc/[0-9]*/ns/net"} {
		m, _ := filepath.Glob(g)
		for _, p := range m {
			add(p)
		}
	}
	return paths
}
