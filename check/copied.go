package check

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"
	"strings"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/cors/unstable/headers"
)

// Copied is a request as DevTools' "Copy as fetch" or "Copy as cURL" wrote
// it: what corskit check needs to repeat it.
type Copied struct {
	URL     string
	Method  string
	Headers []browser.Header // as the page or the browser set them; forbidden ones included
	Body    string
	// NoBody says the copy carries no body: the page sent none.
	NoBody bool
	// Credentials is the fetch() credentials mode the copy shows: include
	// when it says so or carries a Cookie, else "" (not said).
	Credentials browser.Credentials
	// Origin is the page's origin: the Origin header, else the Referer's.
	Origin string
	// FetchCredentials is what a fetch copy's "credentials" key says, ""
	// when it has none. Chromium's DevTools writes "include" when the
	// request carried a cookie or an Authorization header and "omit"
	// otherwise, whatever the page's fetch() said: "omit" does not tell
	// the page's mode.
	FetchCredentials string
	// NodeJS is true for a fetch copy without "mode", "referrer" and
	// "credentials" keys: DevTools' "Copy as fetch (Node.js)", which drops
	// mode and credentials and moves the referrer and its policy into the
	// headers.
	NodeJS bool
}

// CredentialsOpen reports whether the copy leaves the page's credentials
// mode open; kind is "fetch" for a fetch copy, else a cURL one. A Cookie
// tells include. Without one, a fetch copy's "omit", its "include" beside
// an Authorization header and DevTools' Node.js form say what was sent,
// not the page's mode, and a cURL copy has no mode at all.
func (c Copied) CredentialsOpen(kind string) bool {
	cookie, auth := false, false
	for _, h := range c.Headers {
		cookie = cookie || strings.EqualFold(h.Name, "Cookie")
		auth = auth || strings.EqualFold(h.Name, "Authorization")
	}
	switch {
	case cookie:
		return false
	case kind == "fetch":
		return c.FetchCredentials == "omit" || c.FetchCredentials == "include" && auth || c.FetchCredentials == "" && c.NodeJS
	}
	return c.Credentials == ""
}

// Options returns check options for the copied request, with the headers
// the page set: those the browser adds to every request (the forbidden ones,
// User-Agent, Accept-Language, Priority, DNT, and the Pragma and
// Cache-Control DevTools adds when its cache is disabled) are left out, since
// they never make a preflight.
func (c Copied) Options() Options {
	o := Options{URL: c.URL, Origin: c.Origin, Method: c.Method, Body: c.Body, NoBody: c.NoBody && c.Body == "", Credentials: c.Credentials}
	for _, h := range c.Headers {
		if !BrowserAdded(h.Name) {
			o.Headers = append(o.Headers, h)
		}
	}
	return o
}

// BrowserAdded reports whether a copied request's header is one the browser
// adds by itself rather than the page.
func BrowserAdded(name string) bool {
	switch strings.ToLower(name) {
	case "user-agent", "accept-language", "priority", "dnt", "pragma", "cache-control", "upgrade-insecure-requests":
		return true
	}
	return headers.IsForbiddenRequestHeader(name)
}

// ParseFetch reads DevTools' "Copy as fetch" (Chromium, Firefox): fetch(URL,
// {headers, body, method, credentials, referrer...}), the options object
// being JSON, as both write it.
func ParseFetch(text string) (Copied, error) {
	text = strings.TrimSpace(text)
	text = strings.TrimPrefix(text, "await ")
	rest, ok := strings.CutPrefix(text, "fetch(")
	if !ok {
		return Copied{}, errors.New(`--fetch: the text does not start with fetch(: paste what DevTools' "Copy as fetch" gives, e.g. fetch("https://api.example.com/data", {"method": "PUT", ...});`)
	}
	dec := json.NewDecoder(strings.NewReader(rest))
	var rawURL string
	if err := dec.Decode(&rawURL); err != nil {
		return Copied{}, fmt.Errorf("--fetch: the URL, fetch's first argument, is not a string literal: %v", err)
	}
	c := Copied{URL: rawURL, Method: "GET", NoBody: true}
	after := strings.TrimSpace(rest[dec.InputOffset():])
	if after, ok = strings.CutPrefix(after, ","); ok {
		var init struct {
			Headers     orderedHeaders `json:"headers"`
			Body        *string        `json:"body"`
			Method      string         `json:"method"`
			Credentials string         `json:"credentials"`
			Referrer    string         `json:"referrer"`
			Mode        *string        `json:"mode"`
		}
		d := json.NewDecoder(strings.NewReader(after))
		if err := d.Decode(&init); err != nil {
			return Copied{}, fmt.Errorf("--fetch: fetch's options are not the JSON DevTools writes: %v", err)
		}
		if init.Method != "" {
			c.Method = init.Method
		}
		if init.Body != nil {
			c.Body, c.NoBody = *init.Body, false
		}
		c.NodeJS = init.Mode == nil && init.Referrer == "" && init.Credentials == ""
		for _, h := range init.Headers {
			// The Node.js copy's Referrer-Policy header is the page's
			// referrerPolicy, which DevTools moved there: not a header the
			// page set.
			if !(c.NodeJS && strings.EqualFold(h.Name, "Referrer-Policy")) {
				c.Headers = append(c.Headers, h)
			}
		}
		c.Credentials, c.FetchCredentials = browser.Credentials(init.Credentials), init.Credentials
		if init.Referrer != "" {
			c.Headers = append(c.Headers, browser.Header{Name: "Referer", Value: init.Referrer})
		}
	}
	return c.finish("--fetch")
}

// finish infers the origin and the credentials mode, and checks the URL.
func (c Copied) finish(flag string) (Copied, error) {
	u, err := url.Parse(c.URL)
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return c, fmt.Errorf("%s: %q is not an absolute http or https URL", flag, c.URL)
	}
	for _, h := range c.Headers {
		switch strings.ToLower(h.Name) {
		case "origin":
			c.Origin = h.Value
		case "cookie":
			c.Credentials = browser.Include
		}
	}
	if c.Origin == "" {
		for _, h := range c.Headers {
			if strings.EqualFold(h.Name, "referer") {
				if r, err := url.Parse(h.Value); err == nil && r.Host != "" {
					c.Origin = r.Scheme + "://" + r.Host
				}
			}
		}
	}
	return c, nil
}

// ParseCurl reads DevTools' "Copy as cURL" (Chromium, Firefox, Safari) as
// the shell split it: curl URL -H 'Name: value'... [-X METHOD]
// [--data-raw BODY] [-b COOKIES]. Flags that change nothing a browser would
// send (--compressed, -k, --insecure, -s, -L...) are skipped.
func ParseCurl(argv []string) (Copied, error) {
	if len(argv) == 0 || argv[0] != "curl" {
		return Copied{}, errors.New("-- curl: put the command DevTools' \"Copy as cURL\" gives after --, starting with curl, e.g. corskit check -- curl 'https://api.example.com/data' -H 'content-type: application/json' --data-raw '{}'")
	}
	var c Copied
	hasBody := false
	for i := 1; i < len(argv); i++ {
		a := argv[i]
		value := func() (string, error) {
			if i+1 >= len(argv) {
				return "", fmt.Errorf("-- curl: %s needs a value", a)
			}
			i++
			return argv[i], nil
		}
		name, inline, hasInline := strings.Cut(a, "=")
		if !strings.HasPrefix(a, "--") || !hasInline {
			name, inline, hasInline = a, "", false
		}
		var v string
		var err error
		switch name {
		case "-X", "--request", "-H", "--header", "-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--data-urlencode", "-b", "--cookie", "-e", "--referer", "-A", "--user-agent", "--url":
			if hasInline {
				v = inline
			} else if v, err = value(); err != nil {
				return c, err
			}
		}
		switch name {
		case "-X", "--request":
			c.Method = v
		case "-H", "--header":
			n, val, ok := strings.Cut(v, ":")
			if !ok {
				return c, fmt.Errorf("-- curl: header %q is not 'Name: value'", v)
			}
			c.Headers = append(c.Headers, browser.Header{Name: strings.TrimSpace(n), Value: strings.TrimSpace(val)})
		case "-d", "--data", "--data-raw", "--data-binary", "--data-ascii", "--data-urlencode":
			c.Body, hasBody = v, true
		case "-b", "--cookie":
			c.Headers = append(c.Headers, browser.Header{Name: "Cookie", Value: v})
		case "-e", "--referer":
			c.Headers = append(c.Headers, browser.Header{Name: "Referer", Value: v})
		case "-A", "--user-agent":
			c.Headers = append(c.Headers, browser.Header{Name: "User-Agent", Value: v})
		case "--url":
			c.URL = v
		default:
			if strings.HasPrefix(a, "-") {
				continue // --compressed, -k, --insecure, -s, -i, -L, --http2...
			}
			if c.URL != "" {
				return c, fmt.Errorf("-- curl: two URLs, %q and %q; check one request at a time", c.URL, a)
			}
			c.URL = a
		}
	}
	if c.URL == "" {
		return c, errors.New("-- curl: the command has no URL")
	}
	c.NoBody = !hasBody
	if c.Method == "" {
		c.Method = "GET"
		if hasBody {
			c.Method = "POST" // curl's own default with a body
		}
	}
	return c.finish("-- curl")
}
