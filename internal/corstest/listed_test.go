package corstest

import "strings"

// listed is a slow, independent reading of the origin rules, the property
// test's oracle. The cors module's FuzzConfig has the same oracle: the two
// modules share no test code, and each test must stand on its own.
func listed(entries []string, o string) bool {
	scheme, rest, _ := strings.Cut(o, "://")
	host, port := rest, ""
	if i := strings.LastIndexByte(rest, ':'); i >= 0 && !strings.HasSuffix(rest, "]") {
		host, port = rest[:i], rest[i+1:]
	}
	for _, e := range entries {
		switch {
		case e == "*", e == o:
			return true
		case e == "null":
			continue
		case strings.HasPrefix(e, "re:"):
			return true // checked by the origin package's own tests
		}
		es, erest, _ := strings.Cut(e, "://")
		if es != scheme {
			continue
		}
		ehost, eport := erest, ""
		if i := strings.LastIndexByte(erest, ':'); i >= 0 && !strings.HasSuffix(erest, "]") {
			ehost, eport = erest[:i], erest[i+1:]
		}
		portOK := eport == port || eport == "*" && port != ""
		if !portOK {
			continue
		}
		if ehost == host {
			return true
		}
		if strings.HasPrefix(ehost, "*.") && strings.HasSuffix(host, ehost[1:]) && len(host) > len(ehost)-1 {
			return true
		}
	}
	return false
}
