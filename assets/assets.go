// Package assets embeds the generated IANA registry.
//
// registry.json is generated from the IANA XML kept in iana/ (CC0); run
// `go generate ./...` after replacing that file with a newer one.
package assets

import _ "embed"

//go:generate go run ./gen -o registry.json iana/service-names-port-numbers.xml

// RegistryJSON is registry.json as generated from iana/.
//
//go:embed registry.json
var RegistryJSON []byte
