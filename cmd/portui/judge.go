package main

import (
	"github.com/portui/portui/internal/audit"
)

// judge is the audit.Judge every command that judges listeners uses
// (audit, export, the explorer): the active registry and the expectations
// file — path when given (an error naming it if it cannot be read or is
// bad), else the first of expect.DefaultPaths() that exists, else none.
//
// SEAM (branch expect implements the file part).
func (a *app) judge(path string) (audit.Judge, error) {
	r, _, err := a.registry()
	if err != nil {
		return audit.Judge{}, err
	}
	return audit.Judge{Reg: r}, nil
}
