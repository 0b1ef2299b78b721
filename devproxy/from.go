package devproxy

import (
	"encoding/json"
	"fmt"
	"net/url"
	"path/filepath"
	"regexp"
	"strings"
)

// Translation is what FromFile made of another tool's proxy settings.
type Translation struct {
	Routes []Route
	// Untranslated says what could not be carried over, and why.
	Untranslated []string
}

var (
	// viteProxy finds `server: { ... proxy: {` and the object after it.
	viteProxyStart = regexp.MustCompile(`proxy\s*:\s*\{`)
	// '/api': 'http://localhost:5000'  or  "/api": `http://...`
	viteString = regexp.MustCompile(`^\s*['"\x60]?([^'"\x60:]+)['"\x60]?\s*:\s*['"\x60]([^'"\x60]+)['"\x60]\s*,?\s*$`)
	// '/api': {
	viteObject = regexp.MustCompile(`^\s*['"\x60]?([^'"\x60:]+)['"\x60]?\s*:\s*\{\s*$`)
	viteTarget = regexp.MustCompile(`target\s*:\s*['"\x60]([^'"\x60]+)['"\x60]`)
	viteChange = regexp.MustCompile(`changeOrigin\s*:\s*true`)
	// rewrite: (path) => path.replace(/^\/api/, '')
	viteRewrite = regexp.MustCompile(`rewrite\s*:\s*\(?\s*\w+\s*\)?\s*=>\s*\w+\.replace\(\s*/\^?((?:\\/|[^/])*)/\s*,\s*['"\x60]([^'"\x60]*)['"\x60]\s*\)`)
	viteWS      = regexp.MustCompile(`ws\s*:\s*(true|false)`)
)

// FromFile reads a Vite config's server.proxy (vite.config.js or .ts) or
// Create React App's "proxy" field (package.json) and translates what it can.
func FromFile(name string, data []byte) (Translation, error) {
	if strings.EqualFold(filepath.Base(name), "package.json") || strings.HasSuffix(name, ".json") {
		return fromPackageJSON(data)
	}
	return fromVite(string(data))
}

func fromPackageJSON(data []byte) (Translation, error) {
	var pkg struct {
		Proxy any `json:"proxy"`
	}
	if err := json.Unmarshal(data, &pkg); err != nil {
		return Translation{}, fmt.Errorf("dev: package.json: %v", err)
	}
	var t Translation
	switch p := pkg.Proxy.(type) {
	case nil:
		return t, fmt.Errorf(`dev: package.json has no "proxy" field to translate`)
	case string:
		u, err := url.Parse(p)
		if err != nil || u.Host == "" {
			return t, fmt.Errorf("dev: package.json proxy %q is not a URL", p)
		}
		// CRA sends every request that does not accept text/html to the proxy;
		// corskit dev routes by prefix, so the API's prefix must be given.
		t.Routes = append(t.Routes, Route{Prefix: "/api", Target: u})
		t.Untranslated = append(t.Untranslated, fmt.Sprintf("CRA's proxy takes every non-HTML request; corskit dev routes by prefix: /api -> %s was assumed, add --api PREFIX=%s for other prefixes", p, p))
	default:
		t.Untranslated = append(t.Untranslated, "the object form of \"proxy\" (old CRA) is not supported: use --api PREFIX=URL")
	}
	return t, nil
}

// fromVite reads server.proxy entries line by line: the string form and the
// object form with target, changeOrigin, rewrite as a regex replace, and ws.
func fromVite(src string) (Translation, error) {
	var t Translation
	loc := viteProxyStart.FindStringIndex(src)
	if loc == nil {
		return t, fmt.Errorf("dev: no server.proxy object found to translate")
	}
	body := src[loc[1]:]
	depth := 1
	end := len(body)
	for i, c := range body {
		if c == '{' {
			depth++
		} else if c == '}' {
			depth--
			if depth == 0 {
				end = i
				break
			}
		}
	}
	lines := strings.Split(body[:end], "\n")
	for i := 0; i < len(lines); i++ {
		line := lines[i]
		if m := viteString.FindStringSubmatch(line); m != nil {
			if u, err := url.Parse(m[2]); err == nil && u.Host != "" {
				t.Routes = append(t.Routes, Route{Prefix: strings.TrimSpace(m[1]), Target: u})
				continue
			}
		}
		m := viteObject.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		prefix := strings.TrimSpace(m[1])
		var obj strings.Builder
		d := 1
		for i++; i < len(lines) && d > 0; i++ {
			d += strings.Count(lines[i], "{") - strings.Count(lines[i], "}")
			obj.WriteString(lines[i] + "\n")
		}
		i--
		text := obj.String()
		tm := viteTarget.FindStringSubmatch(text)
		if tm == nil {
			t.Untranslated = append(t.Untranslated, prefix+": no target string")
			continue
		}
		u, err := url.Parse(tm[1])
		if err != nil || u.Host == "" {
			t.Untranslated = append(t.Untranslated, prefix+": target "+tm[1]+" is not a URL")
			continue
		}
		r := Route{Prefix: prefix, Target: u, ChangeOrigin: viteChange.MatchString(text)}
		if strings.Contains(text, "rewrite") {
			rm := viteRewrite.FindStringSubmatch(text)
			if rm == nil {
				t.Untranslated = append(t.Untranslated, prefix+": rewrite is not a plain path.replace(/^prefix/, '...'): rewrite it with --rewrite")
			} else if from := strings.ReplaceAll(rm[1], `\/`, "/"); from == prefix {
				to := rm[2]
				if to == "" {
					to = "/"
				}
				r.Rewrite = &to
			} else {
				t.Untranslated = append(t.Untranslated, prefix+": rewrite replaces "+from+", not the route's prefix")
			}
		}
		if ws := viteWS.FindStringSubmatch(text); ws != nil && ws[1] == "false" {
			t.Untranslated = append(t.Untranslated, prefix+": ws: false; corskit dev always proxies WebSockets")
		}
		for _, opt := range []string{"configure", "bypass", "secure", "agent", "router"} {
			if regexp.MustCompile(`\b` + opt + `\s*:`).MatchString(text) {
				t.Untranslated = append(t.Untranslated, prefix+": option "+opt+" has no equivalent")
			}
		}
		t.Routes = append(t.Routes, r)
	}
	return t, nil
}
