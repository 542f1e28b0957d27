// Command gen converts IANA's port registry export (XML or CSV) into the
// registry.json that portui embeds. It is run by `go generate ./...`:
//
//	go run ./gen -o registry.json iana/service-names-port-numbers.xml
//
// The same input always gives byte-identical output.
package main

import (
	"context"
	"flag"
	"fmt"
	"os"

	"github.com/portui/portui/internal/registry"
	"github.com/portui/portui/internal/registry/store"
)

func main() {
	out := flag.String("o", "registry.json", "output file")
	flag.Usage = func() {
		fmt.Fprintln(os.Stderr, "usage: gen [-o registry.json] IANA-EXPORT.xml|.csv")
	}
	flag.Parse()
	if flag.NArg() != 1 {
		flag.Usage()
		os.Exit(2)
	}
	if err := run(flag.Arg(0), *out); err != nil {
		fmt.Fprintln(os.Stderr, "gen:", err)
		os.Exit(1)
	}
}

func run(in, out string) error {
	raw, err := os.ReadFile(in)
	if err != nil {
		return err
	}
	data, err := registry.Convert(context.Background(), in, raw)
	if err != nil {
		return fmt.Errorf("%s: %w", in, err)
	}
	b, err := registry.Marshal(data)
	if err != nil {
		return err
	}
	return store.WriteFileAtomic(out, b)
}
