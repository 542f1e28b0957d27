//go:build unix

// Command cpuof prints the CPU time (user + system, from wait4's rusage)
// that a command takes, averaged over several runs, in milliseconds:
//
//	cpuof [-n REPS] -- CMD [ARG]...
//
// bench/run.sh uses it to compare `portui listeners` with `ss -tlnp` side
// by side. The command's output is discarded; a run that fails (non-zero
// exit) is an error, since a command that failed measured nothing.
package main

import (
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"syscall"
	"time"
)

func main() {
	reps := flag.Int("n", 5, "runs to average")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: cpuof [-n REPS] -- CMD [ARG]...")
	}
	flag.Parse()
	if *reps < 1 || flag.NArg() == 0 {
		flag.Usage()
		os.Exit(2)
	}
	var total time.Duration
	for range *reps {
		d, err := cpu(flag.Args())
		if err != nil {
			fmt.Fprintln(os.Stderr, "cpuof:", err)
			os.Exit(1)
		}
		total += d
	}
	fmt.Printf("%.2f\n", float64(total.Microseconds())/1000/float64(*reps))
}

// cpu runs argv once and returns its CPU time.
func cpu(argv []string) (time.Duration, error) {
	cmd := exec.Command(argv[0], argv[1:]...)
	cmd.Stderr = os.Stderr
	if err := cmd.Run(); err != nil {
		var ee *exec.ExitError
		if errors.As(err, &ee) {
			return 0, fmt.Errorf("%s: %w", argv[0], err)
		}
		return 0, err
	}
	ru, ok := cmd.ProcessState.SysUsage().(*syscall.Rusage)
	if !ok {
		return 0, errors.New("no rusage on this platform")
	}
	return time.Duration(syscall.TimevalToNsec(ru.Utime) + syscall.TimevalToNsec(ru.Stime)), nil
}
