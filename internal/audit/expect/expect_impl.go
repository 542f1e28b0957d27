package expect

import "github.com/portui/portui/internal/scan"

// SEAM (branch expect replaces this file): matching.
func (f *File) match(l scan.Listener) Match {
	if f == nil {
		return Match{}
	}
	return Match{Verdict: Unexpected}
}

func (f *File) missing(ls []scan.Listener, lo, hi int) []*Entry { return nil }

func parse(path string, b []byte) (*File, error) { return &File{Path: path}, nil }

func load(path string) (*File, error) { return &File{Path: path}, nil }

func defaultPaths() []string { return nil }
