// Package buckets reads and writes the CORS rules of cloud storage services
// (Amazon S3, Azure Blob Storage, Google Cloud Storage) and decides, as each
// service does, which rule answers a request. gen writes these rules, lint
// reads them and check merges its fix with what a bucket already allows.
package buckets

import (
	"fmt"
	"slices"
	"strings"
)

// Service names a storage service, as gen's targets and check's --stack do.
type Service string

// The services.
const (
	S3    Service = "s3"
	Azure Service = "azure-blob"
	GCS   Service = "gcs"
)

// Title is the service's name for people.
func (s Service) Title() string {
	switch s {
	case S3:
		return "Amazon S3"
	case Azure:
		return "Azure Blob Storage"
	case GCS:
		return "Google Cloud Storage"
	}
	return string(s)
}

// Rule is one CORS rule, the same for every service. Cloud Storage has one
// list for allowed and exposed headers (responseHeader): it is read into
// both Headers and Expose.
type Rule struct {
	ID      string
	Origins []string
	Methods []string
	Headers []string
	Expose  []string
	// MaxAge is the preflight cache time in seconds, nil for none.
	MaxAge *int
}

// Config is a service's CORS rules in their order.
type Config struct {
	Service Service
	Rules   []Rule
}

// Match returns the index of the rule that answers a request from origin
// with method (the Access-Control-Request-Method of a preflight) asking for
// headers (a preflight's Access-Control-Request-Headers; nil otherwise), and
// false if none does: every service takes the first rule that matches the
// origin, the method and every requested header (Cloud Storage reads its
// responseHeader list for the requested headers too).
func (c Config) Match(origin, method string, headers []string) (int, bool) {
	for i, r := range c.Rules {
		if r.matchesOrigin(c.Service, origin) && r.matchesMethod(method) && r.matchesHeaders(c.Service, headers) {
			return i, true
		}
	}
	return 0, false
}

func (r Rule) matchesOrigin(s Service, o string) bool {
	return slices.ContainsFunc(r.Origins, func(pat string) bool { return OriginMatches(s, pat, o) })
}

// OriginMatches reports whether an allowed-origin entry of service s admits
// origin o: S3 matches one "*" against any characters; Azure and Cloud
// Storage take "*" alone or the exact origin.
func OriginMatches(s Service, pattern, o string) bool {
	if pattern == "*" {
		return true
	}
	if s == S3 {
		if before, after, ok := strings.Cut(pattern, "*"); ok {
			return len(o) >= len(before)+len(after) && strings.HasPrefix(o, before) && strings.HasSuffix(o, after)
		}
	}
	return strings.EqualFold(pattern, o)
}

func (r Rule) matchesMethod(m string) bool {
	return slices.Contains(r.Methods, m) || slices.Contains(r.Methods, "*")
}

func (r Rule) matchesHeaders(s Service, headers []string) bool {
	for _, h := range headers {
		if !slices.ContainsFunc(r.Headers, func(pat string) bool { return HeaderMatches(s, pat, h) }) {
			return false
		}
	}
	return true
}

// HeaderMatches reports whether an allowed-header entry admits header h,
// without regard to case: S3 matches one "*" anywhere, Azure a trailing one
// (a prefix such as x-ms-meta-*) or "*" alone.
func HeaderMatches(s Service, pattern, h string) bool {
	pattern, h = strings.ToLower(pattern), strings.ToLower(h)
	before, after, ok := headerWildcard(s, pattern)
	if !ok {
		return pattern == h
	}
	return len(h) >= len(before)+len(after) && strings.HasPrefix(h, before) && strings.HasSuffix(h, after)
}

// ReadsStar reports whether service s reads a "*" inside the header name
// (any name but "*" alone) as a wildcard: in a rule's allowed headers, S3
// one anywhere and Azure a trailing one (a prefix such as x-ms-meta-*); in
// its exposed headers (exposed true), Azure a trailing one. A corskit
// policy, its middleware and the other targets read such a "*" as a
// character, so a rule holding it would allow more than the policy.
func (s Service) ReadsStar(name string, exposed bool) bool {
	if name == "*" || !strings.Contains(name, "*") {
		return false
	}
	if exposed {
		return s == Azure && strings.HasSuffix(name, "*")
	}
	_, _, ok := headerWildcard(s, strings.ToLower(name))
	return ok
}

// headerWildcard returns the parts of an allowed-header entry of service s
// around its "*" when s reads it as a wildcard (S3: one anywhere; Azure: a
// trailing one; every service: "*" alone).
func headerWildcard(s Service, pattern string) (before, after string, ok bool) {
	if pattern == "*" {
		return "", "", true
	}
	before, after, ok = strings.Cut(pattern, "*")
	if !ok || s == GCS || s == Azure && after != "" {
		return "", "", false
	}
	return before, after, true
}

// originWildcard is headerWildcard for allowed origins: S3 reads one "*"
// anywhere, the others "*" alone.
func originWildcard(s Service, pattern string) (before, after string, ok bool) {
	if pattern == "*" {
		return "", "", true
	}
	if s != S3 {
		return "", "", false
	}
	return strings.Cut(pattern, "*")
}

// HeaderCovers reports whether the allowed-header entry wide of service s
// admits every header the entry narrow admits, narrow being a name or a
// pattern itself (x-ms-* covers x-ms-meta-*, not the reverse).
func HeaderCovers(s Service, wide, narrow string) bool {
	wide, narrow = strings.ToLower(wide), strings.ToLower(narrow)
	if b, a, ok := headerWildcard(s, narrow); ok {
		wb, wa, wok := headerWildcard(s, wide)
		return wok && strings.HasPrefix(b, wb) && strings.HasSuffix(a, wa)
	}
	return HeaderMatches(s, wide, narrow)
}

// OriginCovers reports whether the allowed-origin entry wide of service s
// admits every origin the entry narrow admits (on S3,
// https://*.example.com covers https://*.app.example.com).
func OriginCovers(s Service, wide, narrow string) bool {
	if b, a, ok := originWildcard(s, narrow); ok {
		wb, wa, wok := originWildcard(s, wide)
		return wok && strings.HasPrefix(b, wb) && strings.HasSuffix(a, wa)
	}
	return OriginMatches(s, wide, narrow)
}

// Parse reads a service's CORS rules in any form gen writes or the
// service's tools print: S3's JSON (put-bucket-cors, get-bucket-cors) or
// XML, Azure's Set Blob Service Properties XML, Cloud Storage's JSON list
// (or a bucket's JSON holding "cors").
func Parse(s Service, data []byte) (Config, error) {
	switch s {
	case S3:
		return parseS3(data)
	case Azure:
		return parseAzure(data)
	case GCS:
		return parseGCS(data)
	}
	return Config{}, fmt.Errorf("buckets: unknown service %q; the services are s3, azure-blob, gcs", s)
}

// Detect guesses which service's rules data holds, from its shape.
func Detect(data []byte) (Service, bool) {
	t := strings.TrimSpace(string(data))
	switch {
	case strings.Contains(t, "<CORSConfiguration") || strings.Contains(t, "<CORSRule"):
		return S3, true
	case strings.Contains(t, "<Cors>") || strings.Contains(t, "<CorsRule>"):
		return Azure, true
	case strings.Contains(t, `"CORSRules"`):
		return S3, true
	case strings.HasPrefix(t, "[") && strings.Contains(t, `"origin"`), strings.Contains(t, `"cors"`) && strings.Contains(t, `"origin"`):
		return GCS, true
	}
	return "", false
}
