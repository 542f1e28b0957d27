package bpfiter

// The compiled objects (taskfile_bpfel.o, taskfile_bpfeb.o) and their Go
// wrappers are generated from taskfile.bpf.c and committed, so building
// portui never needs clang. Regenerate with Debian's clang 14 and libbpf-dev
// (`apt-get install clang-14 libbpf-dev`): go generate ./internal/scan/bpfiter
// .ci/run regenerates them and fails when they differ from what is committed.
//
//go:generate go tool bpf2go -cc clang-14 -strip llvm-strip -cflags "-O2 -g -Wall -Werror -std=gnu11" -tags linux -go-package bpfiter taskfile taskfile.bpf.c
