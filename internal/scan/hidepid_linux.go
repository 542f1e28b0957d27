package scan

import (
	"bufio"
	"os"
	"path/filepath"
	"strconv"
	"strings"
)

// hidePID returns the hidepid= option of the proc mount at root ("" if
// none): with it, other users' processes are absent from the listing rather
// than unreadable, so a fruitless walk means "hidden", not "no owner".
func hidePID(root string) string {
	f, err := os.Open(filepath.Join(root, "self", "mountinfo"))
	if err != nil {
		return ""
	}
	defer f.Close()
	want := filepath.Clean(root)
	sc := bufio.NewScanner(f)
	sc.Buffer(make([]byte, 0, 4096), 1<<20)
	for sc.Scan() {
		// id parent major:minor root mountpoint opts [optional...] - fstype source superopts
		pre, post, ok := strings.Cut(sc.Text(), " - ")
		if !ok {
			continue
		}
		pf, qf := strings.Fields(pre), strings.Fields(post)
		if len(pf) < 5 || len(qf) < 3 || qf[0] != "proc" || unescapeMount(pf[4]) != want {
			continue
		}
		for opt := range strings.SplitSeq(qf[2], ",") {
			if v, ok := strings.CutPrefix(opt, "hidepid="); ok && v != "0" && v != "off" {
				return v
			}
		}
		return ""
	}
	return ""
}

// unescapeMount undoes mountinfo's octal escapes (\040 for a space).
func unescapeMount(s string) string {
	if !strings.Contains(s, `\`) {
		return s
	}
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] == '\\' && i+3 < len(s) {
			if v, err := strconv.ParseUint(s[i+1:i+4], 8, 8); err == nil {
				b.WriteByte(byte(v))
				i += 3
				continue
			}
		}
		b.WriteByte(s[i])
	}
	return b.String()
}

// canSeeAll reports whether this process may read every process's fds:
// CAP_SYS_PTRACE in the effective set (root normally has it).
func canSeeAll() bool {
	b, err := os.ReadFile("/proc/self/status")
	if err != nil {
		return os.Geteuid() == 0
	}
	for line := range strings.SplitSeq(string(b), "\n") {
		if v, ok := strings.CutPrefix(line, "CapEff:"); ok {
			caps, err := strconv.ParseUint(strings.TrimSpace(v), 16, 64)
			return err == nil && caps&(1<<19) != 0 // CAP_SYS_PTRACE
		}
	}
	return false
}
