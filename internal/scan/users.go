package scan

import (
	"os/user"
	"strconv"
	"sync"

	"github.com/portui/portui/internal/sanitize"
)

// userNames caches uid -> user name lookups; the name service is far slower
// than a poll and the answer rarely changes. A miss is cached too.
type userNames struct {
	mu sync.Mutex
	m  map[int]string
}

// maxUserNames bounds the cache; real hosts have a handful of service users.
const maxUserNames = 4096

func (u *userNames) name(uid int) string {
	if uid < 0 {
		return ""
	}
	u.mu.Lock()
	defer u.mu.Unlock()
	if n, ok := u.m[uid]; ok {
		return n
	}
	n := ""
	if usr, err := user.LookupId(strconv.Itoa(uid)); err == nil {
		n = sanitize.Line(usr.Username) // /etc/passwd and NSS are not ours

	}
	if u.m == nil || len(u.m) >= maxUserNames {
		u.m = make(map[int]string)
	}
	u.m[uid] = n
	return n
}

// ownerLabel renders "root (uid 0)" or "uid 1234" for hidden-process
// messages.
func ownerLabel(uid int, name string) string {
	switch {
	case uid < 0:
		return "unknown"
	case name == "":
		return "uid " + strconv.Itoa(uid)
	}
	return name + " (uid " + strconv.Itoa(uid) + ")"
}
