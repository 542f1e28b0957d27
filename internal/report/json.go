package report

import (
	"encoding/json"
	"io"
)

// WriteJSON writes v as one indented JSON document and a newline.
func WriteJSON(w io.Writer, v any) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	enc.SetEscapeHTML(false)
	return enc.Encode(v)
}
