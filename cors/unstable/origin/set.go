package origin

import "regexp"

// Set is a compiled list of origin entries. Looking up an origin costs a few
// map probes whatever the number of entries; only `re:` entries are tried one
// by one. A Set is immutable and safe for concurrent use.
type Set struct {
	any, null bool
	exact     map[string]struct{}
	few       []string             // the exact origins, when there are at most smallSet
	fewSubs   []fewSub             // the subdomain patterns, when there are at most smallSet
	anyPort   map[hostKey]struct{} // scheme://host:*
	subs      map[subKey]struct{}  // scheme://*.suffix[:port|:*]
	regexps   []*regexp.Regexp
}

// smallSet is the size up to which a linear scan of short strings beats
// hashing the request's origin.
const smallSet = 8

// fewSub is a subdomain pattern split for a direct test on the request's
// origin: prefix "https://", tail ".example.com:8443"; anyPort for ":*".
type fewSub struct {
	prefix, tail string
	anyPort      bool
}

type hostKey struct{ scheme, host string }

// subKey's suffix keeps its leading dot (".example.com") so that a lookup is a
// substring of the request's host.
type subKey struct{ scheme, suffix, port string }

// NewSet compiles patterns into a Set.
func NewSet(patterns []Pattern) *Set {
	s := &Set{exact: map[string]struct{}{}}
	for _, p := range patterns {
		switch p.Kind {
		case Any:
			s.any = true
		case Null:
			s.null = true
		case Regexp:
			s.regexps = append(s.regexps, p.Re)
		case Subdomains:
			if s.subs == nil {
				s.subs = map[subKey]struct{}{}
			}
			s.subs[subKey{p.Scheme, "." + p.Host, p.Port}] = struct{}{}
		case Exact:
			if p.Port == "*" {
				if s.anyPort == nil {
					s.anyPort = map[hostKey]struct{}{}
				}
				s.anyPort[hostKey{p.Scheme, p.Host}] = struct{}{}
				continue
			}
			s.exact[p.raw] = struct{}{}
		}
	}
	if len(s.exact) <= smallSet {
		for o := range s.exact {
			s.few = append(s.few, o)
		}
	}
	if len(s.subs) <= smallSet {
		for k := range s.subs {
			f := fewSub{prefix: k.scheme + "://", tail: k.suffix, anyPort: k.port == "*"}
			if k.port != "" && !f.anyPort {
				f.tail += ":" + k.port
			}
			s.fewSubs = append(s.fewSubs, f)
		}
	}
	return s
}

// AllowsAll reports whether the set holds `*`.
func (s *Set) AllowsAll() bool { return s.any }

// Contains reports whether the request origin o (the Origin header's value as
// the browser serialised it) matches an entry. Matching is byte-exact: a
// browser never sends upper-case letters, a default port or a trailing slash,
// so an origin that has them matches only a `*` or a `re:` entry written for it.
func (s *Set) Contains(o string) bool {
	if s.any {
		return true
	}
	if len(o) > MaxLen || o == "" {
		return false
	}
	if o == "null" {
		return s.null
	}
	if s.few != nil || len(s.exact) == 0 {
		for _, e := range s.few {
			if e == o {
				return true
			}
		}
	} else if _, ok := s.exact[o]; ok {
		return true
	}
	if s.fewSubs != nil && s.matchFewSubdomains(o) {
		return true
	}
	if s.anyPort != nil || s.fewSubs == nil && s.subs != nil {
		if scheme, host, port, ok := split(o); ok {
			if port != "" {
				if _, ok := s.anyPort[hostKey{scheme, host}]; ok {
					return true
				}
			}
			if s.fewSubs == nil && s.subs != nil && s.matchSubdomain(scheme, host, port) {
				return true
			}
		}
	}
	for _, re := range s.regexps {
		if re.MatchString(o) {
			return true
		}
	}
	return false
}

// matchSubdomain tries each proper suffix of host that starts at a dot: one
// map probe per label, whatever the number of patterns.
func (s *Set) matchSubdomain(scheme, host, port string) bool {
	if host[0] == '[' {
		return false
	}
	for i := 1; i < len(host); i++ {
		if host[i] != '.' {
			continue
		}
		suffix := host[i:]
		if _, ok := s.subs[subKey{scheme, suffix, port}]; ok {
			return true
		}
		if port != "" {
			if _, ok := s.subs[subKey{scheme, suffix, "*"}]; ok {
				return true
			}
		}
	}
	return false
}

// matchFewSubdomains tests o directly against each of a few subdomain
// patterns: the scheme prefix, the suffix and port, and valid labels between.
func (s *Set) matchFewSubdomains(o string) bool {
	for _, f := range s.fewSubs {
		if len(o) <= len(f.prefix)+len(f.tail) || o[:len(f.prefix)] != f.prefix {
			continue
		}
		rest := o[len(f.prefix):]
		if f.anyPort {
			i := len(rest) - 1
			for i >= 0 && '0' <= rest[i] && rest[i] <= '9' {
				i--
			}
			if i < 0 || rest[i] != ':' || !validPort(rest[i+1:]) {
				continue
			}
			rest = rest[:i]
		}
		if len(rest) > len(f.tail) && rest[len(rest)-len(f.tail):] == f.tail && validLabels(rest[:len(rest)-len(f.tail)]) {
			return true
		}
	}
	return false
}

// validLabels reports whether s is one or more dot-separated, non-empty host
// labels in the lower-case form browsers send.
func validLabels(s string) bool {
	if s == "" || s[0] == '.' || s[len(s)-1] == '.' {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '.' {
			if s[i-1] == '.' {
				return false
			}
		} else if !isHostByte(c) {
			return false
		}
	}
	return true
}

func validPort(p string) bool {
	if p == "" || len(p) > 5 || p[0] == '0' {
		return false
	}
	for i := 0; i < len(p); i++ {
		if p[i] < '0' || p[i] > '9' {
			return false
		}
	}
	return true
}

// split takes a serialised tuple origin apart and checks its syntax strictly:
// lower-case scheme and host, no empty label, a port of digits without a
// leading zero. It does not allocate.
func split(o string) (scheme, host, port string, ok bool) {
	i := 0
	for i < len(o) && o[i] != ':' {
		c := o[i]
		if !('a' <= c && c <= 'z' || i > 0 && ('0' <= c && c <= '9' || c == '+' || c == '-' || c == '.')) {
			return "", "", "", false
		}
		i++
	}
	if i == 0 || len(o) < i+3 || o[i:i+3] != "://" {
		return "", "", "", false
	}
	scheme, rest := o[:i], o[i+3:]
	if rest != "" && rest[0] == '[' {
		end := 1
		for end < len(rest) && rest[end] != ']' {
			c := rest[end]
			if !('0' <= c && c <= '9' || 'a' <= c && c <= 'f' || c == ':' || c == '.') {
				return "", "", "", false
			}
			end++
		}
		if end == len(rest) {
			return "", "", "", false
		}
		host, rest = rest[:end+1], rest[end+1:]
	} else {
		end := 0
		for end < len(rest) && rest[end] != ':' {
			c := rest[end]
			if !isHostByte(c) && c != '.' || c == '.' && (end == 0 || rest[end-1] == '.') {
				return "", "", "", false
			}
			end++
		}
		if end == 0 || rest[end-1] == '.' {
			return "", "", "", false
		}
		host, rest = rest[:end], rest[end:]
	}
	if rest == "" {
		return scheme, host, "", true
	}
	if rest[0] != ':' || len(rest) == 1 || len(rest) > 6 || rest[1] == '0' {
		return "", "", "", false
	}
	for j := 1; j < len(rest); j++ {
		if rest[j] < '0' || rest[j] > '9' {
			return "", "", "", false
		}
	}
	return scheme, host, rest[1:], true
}
