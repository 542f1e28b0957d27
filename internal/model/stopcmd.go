package model

import (
	"slices"
	"strconv"
	"strings"

	tea "charm.land/bubbletea/v2"
	"github.com/portui/portui/internal/scan"
)

// Y copies the shell command that would stop what listens on the selected
// port: `systemctl stop UNIT` for a systemd service (the socket unit and
// its service for a socket pid 1 holds), `docker stop NAME` or `podman
// stop NAME` for a container, else `kill PID…`. The command is copied
// (OSC 52), never run: portui stays read-only. Names are quoted for a
// shell (shellQuote).

// copyStop is the handler of Y.
func (m Model) copyStop(tea.KeyPressMsg) (tea.Model, tea.Cmd) {
	text, flash, bad := m.stopCopy()
	if text == "" {
		return m, m.flashMsg(flash, bad)
	}
	return m, tea.Batch(tea.SetClipboard(text), m.flashMsg(flash, bad))
}

// stopCopy is what Y copies for the selected port's listeners in scope
// ("" for nothing) and what the status bar then says.
func (m *Model) stopCopy() (text, flash string, bad bool) {
	var ls []scan.Listener
	port := m.sel
	if row, ok := m.tableListener(); ok && m.area == areaTable {
		// The table's row is one listener: stop its owner, not every
		// listener on its port (80 may be nginx and three containers).
		ls, port = []scan.Listener{row.Listener}, int(row.Port)
	} else {
		for _, l := range m.listenersAt(m.sel) {
			if m.scope.has(&l) {
				ls = append(ls, l)
			}
		}
	}
	cmd, why := stopCommand(ls)
	if cmd == "" {
		return "", "port " + strconv.Itoa(port) + ": " + why, true
	}
	flash = "copied: " + cmd + " (not run)"
	if why != "" {
		flash += "; " + why
	}
	return cmd, flash, false
}

// stopCommand is the command that stops the owners of ls, one command
// per kind of owner (joined by "; "), and a note on what it leaves out.
// cmd is "" when there is none to give, and why says why.
func stopCommand(ls []scan.Listener) (cmd, why string) {
	if len(ls) == 0 {
		return "", "nothing listens here"
	}
	var cmds []string
	var pids []int
	hidden, other := 0, ""
	add := func(c string) {
		if !slices.Contains(cmds, c) {
			cmds = append(cmds, c)
		}
	}
	for i := range ls {
		l := &ls[i]
		if c := containerOf(l); c != nil {
			switch c.Runtime {
			case "docker", "podman":
				add(shellCommand(c.Runtime, "stop", c.Label()))
			default:
				other = c.Runtime
			}
			continue
		}
		if a := l.Activation; a != nil && a.Socket != "" {
			args := []string{"stop", a.Socket}
			if a.Service != "" {
				args = append(args, a.Service)
			}
			add(shellCommand("systemctl", args...))
			continue
		}
		if u := unitOf(l); u != "" {
			add(shellCommand("systemctl", "stop", u))
			continue
		}
		if len(l.Procs) == 0 {
			hidden++
			continue
		}
		for _, p := range l.Procs {
			if p.PID > 0 && !slices.Contains(pids, p.PID) {
				pids = append(pids, p.PID)
			}
		}
	}
	if len(pids) > 0 {
		slices.Sort(pids)
		args := make([]string, len(pids))
		for i, p := range pids {
			args[i] = strconv.Itoa(p)
		}
		add(shellCommand("kill", args...))
	}
	var notes []string
	if hidden > 0 {
		notes = append(notes, plural(hidden, "owner")+" hidden (run as root to see it)")
	}
	if other != "" {
		notes = append(notes, "no stop command for "+other+" containers")
	}
	why = strings.Join(notes, "; ")
	if len(cmds) == 0 {
		return "", "no command can be given: " + why
	}
	return strings.Join(cmds, "; "), why
}

// containerOf is the container of the listener's owners, or of its own.
func containerOf(l *scan.Listener) *scan.Container {
	if l.Container != nil {
		return l.Container
	}
	for _, p := range l.Procs {
		if p.Container != nil {
			return p.Container
		}
	}
	return nil
}

// unitOf is the systemd service of the listener's owners ("" when they
// run in none, or in a scope or slice, which systemctl stop is not for:
// a login session's processes are killed by PID).
func unitOf(l *scan.Listener) string {
	u := l.Unit
	for _, p := range l.Procs {
		if u == "" {
			u = p.Unit
		}
	}
	if !strings.HasSuffix(u, ".service") {
		return ""
	}
	return u
}

func plural(n int, what string) string {
	if n == 1 {
		return "1 " + what
	}
	return strconv.Itoa(n) + " " + what + "s"
}

// shellCommand is name and args as one shell command line: every
// argument quoted as needed (shellQuote), and "--" before them when one
// starts with "-" (so that it cannot be read as an option).
func shellCommand(name string, args ...string) string {
	var b strings.Builder
	b.WriteString(name)
	dashed := false
	for _, a := range args {
		if !dashed && strings.HasPrefix(a, "-") {
			b.WriteString(" --")
			dashed = true
		}
		b.WriteString(" " + shellQuote(a))
	}
	return b.String()
}

// shellQuote is s as one shell word: as it is when it holds only
// [A-Za-z0-9_.@:-] (and is not empty), else in single quotes, where each
// single quote of s closes the quotes, is escaped and reopens them:
//
//	it's → 'it'\''s'
func shellQuote(s string) string {
	plain := s != ""
	for i := 0; i < len(s) && plain; i++ {
		c := s[i]
		plain = c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' ||
			c == '_' || c == '.' || c == '@' || c == ':' || c == '-'
	}
	if plain {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
