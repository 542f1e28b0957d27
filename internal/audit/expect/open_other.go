//go:build !unix

package expect

// openFlags: no O_NOFOLLOW here; fstat still checks what was opened.
const openFlags = 0

func refusedLink(error) bool { return false }
