package main

import (
	"errors"
	"io/fs"

	"github.com/portui/portui/internal/audit"
	"github.com/portui/portui/internal/audit/expect"
)

// judge is the audit.Judge every command that judges listeners uses
// (audit, export, the explorer): the active registry and the expectations
// file — path when given (an error naming it if it cannot be read or is
// bad), else the first of expect.DefaultPaths() that exists, else none.
func (a *app) judge(path string) (audit.Judge, error) {
	r, _, err := a.registry()
	if err != nil {
		return audit.Judge{}, err
	}
	f, err := loadExpectations(path)
	if err != nil {
		return audit.Judge{}, err
	}
	return audit.Judge{Reg: r, Expect: f}, nil
}

// loadExpectations reads the expectations file: path when given (missing
// is an error), else the first of expect.DefaultPaths() that exists (one
// that exists but is bad, a symbolic link included, is an error naming
// it). Nil, nil: there is none. Errors are *expect.Error, "path:line: …",
// several joined one a line.
func loadExpectations(path string) (*expect.File, error) {
	if path != "" {
		return expect.Load(path)
	}
	for _, p := range expect.DefaultPaths() {
		f, err := expect.Load(p)
		if errors.Is(err, fs.ErrNotExist) {
			continue
		}
		return f, err
	}
	return nil, nil
}
