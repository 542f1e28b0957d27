package main

import (
	"bytes"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"github.com/spf13/cobra"

	"github.com/portui/portui/internal/audit/expect"
	"github.com/portui/portui/internal/registry/store"
	"github.com/portui/portui/internal/sanitize"
	"github.com/portui/portui/internal/scan"
)

func (a *app) expectCmd() *cobra.Command {
	cmd := &cobra.Command{
		Use:   "expect",
		Short: "Write or check the expected-listeners file that audit judges against",
		Long: "The expectations file (TOML) says what should listen on this machine: one [[listener]] per " +
			"service, with its proto, port or range, scope (loopback, address, all) and who may hold it " +
			"(process, user, systemd unit, container). With one, `portui audit` reports drift instead of its " +
			"built-in rules: unexpected-listener, scope-widened, missing-listener.\n\n" +
			"audit looks for it in $XDG_CONFIG_HOME/portui/expected.toml (~/.config/portui/expected.toml), " +
			"then " + expect.SystemPath + " (system-wide, for root's cron); --expect names another. " +
			"See docs/expect.md for the format.",
		Example: "  portui expect save\n  portui expect check\n  portui audit",
	}
	cmd.AddCommand(a.expectSaveCmd(), a.expectCheckCmd())
	return cmd
}

func (a *app) expectSaveCmd() *cobra.Command {
	var (
		file  string
		force bool
	)
	cmd := &cobra.Command{
		Use:   "save",
		Short: "Write what listens now as the expected listeners (a commented file to edit)",
		Long: "Scan every listener of this machine (all ports, every network namespace and container) and " +
			"write them as an expectations file: one entry per service, not per socket (the IPv4 and IPv6 " +
			"socket of one process are one entry, with the wider scope), each naming who holds it by what " +
			"identifies it best: a container's name, a systemd .service unit, else the process and its user. " +
			"A commented header explains every key. Review it, drop what should not be there, then `portui audit` " +
			"judges against it.\n\n" +
			"The file is written atomically (a reader sees the old file or the new one) and its directory " +
			"is made if missing. An existing file is not replaced without --force: it may hold your edits.\n\n" +
			"The default is your file, $XDG_CONFIG_HOME/portui/expected.toml (~/.config/portui/expected.toml; " +
			"root's is /root/.config/portui/expected.toml). For the system-wide file that root's cron finds, " +
			"use --file " + expect.SystemPath + ".",
		Example: "  portui expect save\n  sudo portui expect save --file " + expect.SystemPath + "\n" +
			"  portui expect save --force   # replace the file, hand edits included",
		Args: exactArgs(0, "no arguments (use --file)"),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		path := file
		if path == "" {
			path = expect.DefaultPaths()[0]
		}
		name := sanitize.Line(path)
		existed := false
		if _, err := os.Lstat(path); err == nil {
			if !force {
				return usageErr(fmt.Errorf("%s exists and may hold your edits; --force replaces it (or check it with `portui expect check --file %s`)", name, name))
			}
			existed = true
		} else if !errors.Is(err, fs.ErrNotExist) {
			return fmt.Errorf("cannot write %s: %w", name, expectPathErr(err))
		}
		sc, err := newScanner(scan.Options{})
		if err != nil {
			return err
		}
		defer sc.Close()
		snap, err := sc.Snapshot(cmd.Context(), scan.Filter{})
		if err != nil {
			return err
		}
		for _, w := range snap.Warnings {
			_, _ = fmt.Fprintln(a.stderr, "portui: warning: "+w)
		}
		host, _ := os.Hostname()
		var b bytes.Buffer
		n, err := expect.Write(&b, snap.Listeners, expect.Header{Host: sanitize.Line(host), Time: time.Now(), Ephemeral: ephemeralPorts()})
		if err != nil {
			return err
		}
		// What is written must read back: never leave a file audit refuses.
		if _, err := expect.Parse(path, b.Bytes()); err != nil {
			return fmt.Errorf("internal error: the file for %s does not read back (%v); nothing written", name, strings.ReplaceAll(err.Error(), "\n", "; "))
		}
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return fmt.Errorf("cannot write %s: %w", name, expectPathErr(err))
		}
		if err := store.WriteFileAtomic(path, b.Bytes()); err != nil {
			return err
		}
		msg := fmt.Sprintf("wrote %d %s (%d %s) to %s", n, expectPlural(n, "entry", "entries"), len(snap.Listeners), expectPlural(len(snap.Listeners), "listener", "listeners"), name)
		if existed {
			msg += " (replaced the previous file)"
		}
		if _, err := fmt.Fprintln(a.out(), msg); err != nil {
			return writeErr(err)
		}
		return nil
	}
	cmd.Flags().StringVar(&file, "file", "", "write this file instead of $XDG_CONFIG_HOME/portui/expected.toml")
	cmd.Flags().BoolVar(&force, "force", false, "replace the file if it exists (your edits in it are lost)")
	return cmd
}

func (a *app) expectCheckCmd() *cobra.Command {
	var file string
	cmd := &cobra.Command{
		Use:   "check",
		Short: "Validate an expectations file: every bad entry with its file:line",
		Long: "Read the expectations file as audit would and report it: \"PATH: N entries, ok\" (exit 0), or " +
			"every bad entry, unknown key and syntax error on stderr, one line each as PATH:LINE: what is wrong " +
			"(exit 2). Without --file, the file audit would use: the first of " +
			"$XDG_CONFIG_HOME/portui/expected.toml and " + expect.SystemPath + " that exists.",
		Example: "  portui expect check\n  portui expect check --file " + expect.SystemPath,
		Args:    exactArgs(0, "no arguments (use --file)"),
	}
	cmd.RunE = func(cmd *cobra.Command, args []string) error {
		f, err := loadExpectations(file)
		if err == nil && f == nil {
			return usageErr(fmt.Errorf("no expectations file: none of %s exists; write one with `portui expect save`",
				sanitize.Line(strings.Join(expect.DefaultPaths(), ", "))))
		}
		if err != nil {
			var e *expect.Error
			if !errors.As(err, &e) {
				return err
			}
			for _, line := range strings.Split(err.Error(), "\n") {
				_, _ = fmt.Fprintln(a.stderr, "portui: "+sanitize.Line(line))
			}
			return &exitErr{code: exitError}
		}
		n := len(f.Entries)
		if _, err := fmt.Fprintf(a.out(), "%s: %d %s, ok\n", f.Path, n, expectPlural(n, "entry", "entries")); err != nil {
			return writeErr(err)
		}
		return nil
	}
	cmd.Flags().StringVar(&file, "file", "", "check this file instead of the one audit would use")
	return cmd
}

func expectPlural(n int, one, many string) string {
	if n == 1 {
		return one
	}
	return many
}

// expectPathErr drops the path of an *fs.PathError: the messages name the
// file already (neutralised).
func expectPathErr(err error) error {
	var pe *fs.PathError
	if errors.As(err, &pe) {
		return pe.Err
	}
	return err
}

// ephemeralPorts is net.ipv4.ip_local_port_range, zero where it cannot be
// read (not Linux).
func ephemeralPorts() [2]int {
	b, err := os.ReadFile("/proc/sys/net/ipv4/ip_local_port_range")
	if err != nil {
		return [2]int{}
	}
	f := strings.Fields(string(b))
	if len(f) != 2 {
		return [2]int{}
	}
	lo, err1 := strconv.Atoi(f[0])
	hi, err2 := strconv.Atoi(f[1])
	if err1 != nil || err2 != nil || lo < 1 || hi > 65535 || lo > hi {
		return [2]int{}
	}
	return [2]int{lo, hi}
}
