//go:build unix

package expect

import (
	"errors"
	"syscall"
)

// openFlags: a symbolic link is refused (O_NOFOLLOW) and a FIFO cannot
// block the open (O_NONBLOCK); fstat then checks what was opened.
const openFlags = syscall.O_NOFOLLOW | syscall.O_NONBLOCK | syscall.O_CLOEXEC

// refusedLink: the open failed because path is a symbolic link.
func refusedLink(err error) bool { return errors.Is(err, syscall.ELOOP) }
