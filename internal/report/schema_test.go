package report

import (
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"
)

var update = flag.Bool("update", false, "rewrite the field reference in docs/json.md from the types")

const (
	jsonDoc     = "../../docs/json.md"
	fieldsBegin = "<!-- fields: generated from internal/report by `go test ./internal/report -run TestSchemaDoc -update`; a test fails when they differ -->\n```text\n"
	fieldsEnd   = "```\n<!-- fields end -->"
)

// schemaFields lists every field of every document, as JSON names them:
// each document under its schema name, then each object type it uses,
// once, in the order first met. A field is "optional" when it is omitted
// when empty.
func schemaFields() string {
	var b strings.Builder
	seen := map[reflect.Type]bool{}
	var queue []reflect.Type
	var writeStruct func(t reflect.Type)
	writeStruct = func(t reflect.Type) {
		type field struct{ name, typ, opt string }
		var fields []field
		var collect func(t reflect.Type)
		collect = func(t reflect.Type) {
			for i := range t.NumField() {
				f := t.Field(i)
				if !f.IsExported() {
					continue
				}
				tag := f.Tag.Get("json")
				if tag == "-" {
					continue
				}
				name, opts, _ := strings.Cut(tag, ",")
				if f.Anonymous && name == "" {
					collect(f.Type) // inlined, as encoding/json does
					continue
				}
				if name == "" {
					name = f.Name
				}
				opt := ""
				if strings.Contains(opts, "omitempty") {
					opt = "optional"
				}
				fields = append(fields, field{name, typeName(f.Type, &queue, seen), opt})
			}
		}
		collect(t)
		w, tw := 0, 0
		for _, f := range fields {
			w, tw = max(w, len(f.name)), max(tw, len(f.typ))
		}
		for _, f := range fields {
			b.WriteString(strings.TrimRight(fmt.Sprintf("  %-*s  %-*s  %s", w, f.name, tw, f.typ, f.opt), " ") + "\n")
		}
	}
	for _, d := range Documents {
		t := reflect.TypeOf(d)
		seen[t] = true
		fmt.Fprintf(&b, "%s  (%s)\n", d.Schema(), t.Name())
		writeStruct(t)
	}
	for len(queue) > 0 {
		t := queue[0]
		queue = queue[1:]
		fmt.Fprintf(&b, "%s\n", t.Name())
		writeStruct(t)
	}
	return b.String()
}

func typeName(t reflect.Type, queue *[]reflect.Type, seen map[reflect.Type]bool) string {
	switch t.Kind() {
	case reflect.Slice:
		return "[]" + typeName(t.Elem(), queue, seen)
	case reflect.Array:
		return fmt.Sprintf("[%d]%s", t.Len(), typeName(t.Elem(), queue, seen))
	case reflect.Map:
		return "map[" + typeName(t.Key(), queue, seen) + "]" + typeName(t.Elem(), queue, seen)
	case reflect.Pointer:
		return typeName(t.Elem(), queue, seen)
	case reflect.Struct:
		if !seen[t] {
			seen[t] = true
			*queue = append(*queue, t)
		}
		return t.Name()
	case reflect.Int, reflect.Int64, reflect.Uint64, reflect.Uint16, reflect.Int32:
		return "int"
	}
	return t.Kind().String()
}

// TestSchemaDoc pins the JSON documents to docs/json.md: adding, renaming
// or removing a field, or changing its type, fails here until the
// reference in the doc says the same (and the prose is then due for a
// look: a rename bumps the schema version).
func TestSchemaDoc(t *testing.T) {
	raw, err := os.ReadFile(jsonDoc)
	if err != nil {
		t.Fatal(err)
	}
	doc := string(raw)
	i := strings.Index(doc, fieldsBegin)
	j := strings.Index(doc, fieldsEnd)
	if i < 0 || j < i {
		t.Fatalf("%s has no field reference block (%q … %q)", jsonDoc, fieldsBegin, fieldsEnd)
	}
	got := doc[i+len(fieldsBegin) : j]
	want := schemaFields()
	if got == want {
		return
	}
	if *update {
		if err := os.WriteFile(jsonDoc, []byte(doc[:i+len(fieldsBegin)]+want+doc[j:]), 0o644); err != nil {
			t.Fatal(err)
		}
		t.Logf("rewrote the field reference in %s", jsonDoc)
		return
	}
	t.Errorf("the JSON documents and the field reference in %s differ; update the doc (go test ./internal/report -run TestSchemaDoc -update writes the reference)\n%s",
		jsonDoc, lineDiff(got, want))
}

// lineDiff lists the lines only in the doc (-) and only in the types (+).
func lineDiff(doc, types string) string {
	in := func(s string) map[string]bool {
		m := map[string]bool{}
		for _, l := range strings.Split(s, "\n") {
			m[l] = true
		}
		return m
	}
	d, ty := in(doc), in(types)
	var b strings.Builder
	for _, l := range strings.Split(doc, "\n") {
		if !ty[l] {
			b.WriteString("- " + l + "\n")
		}
	}
	for _, l := range strings.Split(types, "\n") {
		if !d[l] {
			b.WriteString("+ " + l + "\n")
		}
	}
	return b.String()
}

// TestSchemaDocCatchesAChange proves the comparison can fail: a document
// type with one more field gives a different reference.
func TestSchemaDocCatchesAChange(t *testing.T) {
	before := schemaFields()
	saved := Documents
	defer func() { Documents = saved }()
	Documents = append([]Document{extendedDoc{}}, saved[1:]...)
	if schemaFields() == before {
		t.Fatal("a new field did not change the field reference")
	}
}

type extendedDoc struct {
	ListenersDoc
	Extra string `json:"extra"`
}

func (extendedDoc) Schema() string { return SchemaListeners }
