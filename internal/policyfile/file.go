package policyfile

import (
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"

	"github.com/corskit/corskit/cors"
)

// MaxFileSize bounds a policy file; a larger one is refused before parsing.
const MaxFileSize = 1 << 20

// Parse reads a policy from data, the YAML or JSON contents of the file name
// (used in messages). Unknown keys are errors that suggest the nearest known
// key; every error gives file, line and column. Parse does not validate the
// values' meaning: [Load] does, with [cors.Config.Validate].
func Parse(name string, data []byte) (cors.Config, error) {
	cfg, _, err := parse(name, data)
	return cfg, err
}

func parse(name string, data []byte) (cors.Config, sources, error) {
	doc, err := ParseDocument(name, data)
	if err != nil || doc.root == nil {
		return cors.Config{}, sources{}, err
	}
	cfg, _, src, err := doc.policy(doc.root, nil)
	return cfg, src, err
}

// Document is a parsed YAML or JSON file whose mappings hold policy keys,
// and possibly other keys a command reads itself (a gateway's upstream and
// routes).
type Document struct {
	name string
	root *yaml.Node // nil for an empty file
}

// ReadDocument reads and parses the file at path.
func ReadDocument(path string) (*Document, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("policy: %w; check the file's path", err)
	}
	return ParseDocument(path, data)
}

// ParseDocument parses data, the contents of the file name.
func ParseDocument(name string, data []byte) (*Document, error) {
	if len(data) > MaxFileSize {
		return nil, &Error{Source: name, Err: fmt.Errorf("is %d bytes, over the %d-byte limit for a policy file", len(data), MaxFileSize)}
	}
	if strings.EqualFold(filepath.Ext(name), ".json") {
		// JSON allows tabs between tokens, YAML does not; JSON strings cannot
		// hold a raw tab, so this changes no value.
		data = []byte(strings.ReplaceAll(string(data), "\t", " "))
	}
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		return nil, &Error{Source: name, Err: fmt.Errorf("is not valid YAML or JSON: %s", strings.TrimPrefix(err.Error(), "yaml: "))}
	}
	d := &Document{name: name}
	if len(doc.Content) == 0 {
		return d, nil // an empty file is an empty policy
	}
	d.root = doc.Content[0]
	if d.root.Kind != yaml.MappingNode {
		return nil, &Error{Source: at(name, d.root), Err: errors.New("want a mapping of policy keys, e.g. \"allow_origins: [https://app.example.com]\"")}
	}
	return d, nil
}

// Root returns the document's top-level mapping, nil for an empty file.
func (d *Document) Root() *yaml.Node { return d.root }

// At names a node's place: "file:line:column".
func (d *Document) At(n *yaml.Node) string { return at(d.name, n) }

// Policy reads the policy keys of the mapping m (the root, or a nested
// mapping such as a route). The extra keys are allowed too and returned by
// name for the caller to read; any other key is an error that suggests the
// nearest known one. locate, applied to the error of Validate (or cors.New) on the
// resulting (or further overridden) Config, names where each bad value came
// from.
func (d *Document) Policy(m *yaml.Node, extra ...string) (cfg cors.Config, extras map[string]*yaml.Node, locate func(error) error, err error) {
	if m == nil {
		return cors.Config{}, map[string]*yaml.Node{}, func(e error) error { return e }, nil
	}
	if m.Kind != yaml.MappingNode {
		return cors.Config{}, nil, nil, &Error{Source: d.At(m), Err: errors.New("want a mapping of policy keys")}
	}
	cfg, extras, src, err := d.policy(m, extra)
	return cfg, extras, src.locate, err
}

func (d *Document) policy(m *yaml.Node, extra []string) (cors.Config, map[string]*yaml.Node, sources, error) {
	var cfg cors.Config
	src := sources{}
	extras := map[string]*yaml.Node{}
	var errs []error
	seen := map[string]bool{}
	v := reflect.ValueOf(&cfg).Elem()
	for i := 0; i+1 < len(m.Content); i += 2 {
		k, val := m.Content[i], m.Content[i+1]
		if seen[k.Value] {
			errs = append(errs, &Error{Source: at(d.name, k), Key: k.Value, Err: errors.New("appears twice; keep one")})
			continue
		}
		seen[k.Value] = true
		if slices.Contains(extra, k.Value) {
			extras[k.Value] = val
			continue
		}
		f, ok := lookupKey(k.Value)
		if !ok {
			errs = append(errs, &Error{Source: at(d.name, k), Err: unknownKey(k.Value, extra)})
			continue
		}
		if err := decode(v.Field(f.index), f, val, d.name, src); err != nil {
			errs = append(errs, err)
		}
	}
	return cfg, extras, src, errors.Join(errs...)
}

// decode stores node into dst, a Config field.
func decode(dst reflect.Value, f field, node *yaml.Node, name string, src sources) error {
	bad := func(n *yaml.Node, want string) error {
		return &Error{Source: at(name, n), Key: f.key, Err: fmt.Errorf("got %s; want %s", describe(n), want)}
	}
	switch f.kind {
	case reflect.Slice:
		items := []*yaml.Node{node}
		if node.Kind == yaml.SequenceNode {
			items = node.Content
		}
		var list []string
		for _, it := range items {
			if it.Kind != yaml.ScalarNode || it.Tag == "!!null" {
				return bad(it, "a list of strings, e.g. [\"https://app.example.com\"]")
			}
			list = append(list, it.Value)
			src.add(f.key, it.Value, at(name, it))
		}
		dst.Set(reflect.ValueOf(list))
	case reflect.Bool:
		b, err := strconv.ParseBool(node.Value)
		if node.Kind != yaml.ScalarNode || node.Tag != "!!bool" || err != nil {
			return bad(node, "true or false")
		}
		dst.SetBool(b)
		src.add(f.key, node.Value, at(name, node))
	case reflect.Int:
		n, err := strconv.Atoi(node.Value)
		if node.Kind != yaml.ScalarNode || node.Tag != "!!int" || err != nil {
			return bad(node, "a whole number")
		}
		dst.SetInt(int64(n))
		src.add(f.key, node.Value, at(name, node))
	}
	return nil
}

func describe(n *yaml.Node) string {
	switch n.Kind {
	case yaml.SequenceNode:
		return "a list"
	case yaml.MappingNode:
		return "a mapping"
	}
	if n.Tag == "!!null" {
		return "nothing"
	}
	return strconv.Quote(n.Value)
}

func at(name string, n *yaml.Node) string {
	return fmt.Sprintf("%s:%d:%d", name, n.Line, n.Column)
}

func lookupKey(k string) (field, bool) {
	for _, f := range fields {
		if f.key == k {
			return f, true
		}
	}
	return field{}, false
}

// unknownKey explains an unknown key and suggests the nearest known one.
func unknownKey(k string, extra []string) error {
	known := append(Keys(), extra...)
	best, bestDist := "", len(k)
	norm := strings.ReplaceAll(strings.ToLower(strings.ReplaceAll(k, "-", "_")), "allowed", "allow")
	for _, key := range known {
		d := distance(norm, key)
		if norm == key || strings.Contains(key, norm) && len(norm) >= 4 {
			d = 0
		}
		if d < bestDist {
			best, bestDist = key, d
		}
	}
	if best != "" && bestDist <= max(2, len(k)/3) {
		return fmt.Errorf("unknown key %q: did you mean %s?", k, best)
	}
	return fmt.Errorf("unknown key %q; the keys are %s", k, strings.Join(known, ", "))
}

// distance is the Levenshtein distance between a and b.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}
