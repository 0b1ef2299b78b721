package check

import (
	"errors"
	"fmt"
	"strings"

	"github.com/corskit/corskit/browser"
)

// Pasted is what a piece of pasted evidence tells of the request: the kind
// of evidence and the request as far as it goes.
type Pasted struct {
	// Kind is console, curl or fetch.
	Kind string `json:"kind"`
	// Engine is the engine whose console text it is (console only).
	Engine string `json:"engine,omitempty"`
	// Request is the request, as far as the evidence tells it; a console
	// line names no credentials and no body, and often no method.
	Request JSONInput `json:"request"`
	// Missing names what the evidence cannot tell and a person must give,
	// e.g. "origin" for Firefox's lines.
	Missing []string `json:"missing,omitempty"`
}

// ReadPasted reads any evidence corskit check takes as text: the console
// line(s) of Chromium, Firefox or Safari, DevTools' "Copy as cURL" (bash or
// cmd quoting) or "Copy as fetch". A text that is no CORS failure (mixed
// content, a CSP refusal...) gives a *NotCORSError.
func ReadPasted(text string) (Pasted, error) {
	trimmed := strings.TrimSpace(text)
	switch {
	case strings.HasPrefix(trimmed, "curl "):
		argv, err := SplitCommand(trimmed)
		if err != nil {
			return Pasted{}, err
		}
		c, err := ParseCurl(argv)
		if err != nil {
			return Pasted{}, err
		}
		return pastedCopy("curl", c), nil
	case strings.HasPrefix(trimmed, "fetch(") || strings.HasPrefix(trimmed, "await fetch("):
		c, err := ParseFetch(trimmed)
		if err != nil {
			return Pasted{}, err
		}
		return pastedCopy("fetch", c), nil
	}
	ev, err := ParseConsole(text)
	if err != nil {
		return Pasted{}, err
	}
	p := Pasted{Kind: "console", Engine: ev.Engine, Request: JSONInput{URL: ev.URL, Origin: ev.Origin, Method: ev.Method, Headers: map[string]string{}}}
	if ev.FirstURL != "" {
		p.Request.URL = ev.FirstURL
	}
	if ev.Origin == "" || ev.Origin == "null" {
		p.Request.Origin = ""
		p.Missing = append(p.Missing, "origin")
	}
	if ev.Header != "" {
		p.Request.Headers[ev.Header] = "1"
		if strings.EqualFold(ev.Header, "content-type") {
			p.Request.Headers[ev.Header] = "application/json"
		}
	}
	if ev.Preflight && ev.Method == "" && ev.Header == "" {
		p.Missing = append(p.Missing, "method or headers (the preflight failed: the page's method and headers made it)")
	}
	if statesInclude(ev.Reason) {
		p.Request.Credentials = string(browser.Include) // the line says so
	} else {
		p.Missing = append(p.Missing, "credentials (the line does not say; include if the page sends cookies)")
	}
	return p, nil
}

func pastedCopy(kind string, c Copied) Pasted {
	o := c.Options()
	p := Pasted{Kind: kind, Request: JSONInput{URL: o.URL, Origin: o.Origin, Method: o.Method, Headers: map[string]string{}, Credentials: string(o.Credentials), Body: o.Body}}
	for _, h := range o.Headers {
		p.Request.Headers[h.Name] = h.Value
	}
	if p.Request.Origin == "" {
		p.Missing = append(p.Missing, "origin")
	}
	if c.CredentialsOpen(kind) {
		// DevTools' fetch copy writes "omit" for any request without
		// cookies, and nothing in its Node.js form; a cURL copy has no
		// credentials mode at all.
		p.Request.Credentials = ""
		p.Missing = append(p.Missing, "credentials (the copy shows what was sent, not the page's credentials mode; include if the page sends cookies)")
	}
	if p.Request.Credentials == "" {
		p.Request.Credentials = string(browser.SameOrigin)
	}
	return p
}

// SplitCommand splits a command line copied from DevTools into words, as a
// shell would: bash quoting ('...', "...", $'...', backslashes, a backslash
// before a newline, # comments) or Windows cmd quoting (^"...^" and ^
// escapes, as Chromium's "Copy as cURL (cmd)" writes it).
func SplitCommand(text string) ([]string, error) {
	if strings.Contains(text, `^"`) {
		text = unescapeCmd(text)
	}
	var words []string
	var cur strings.Builder
	inWord := false
	for i := 0; i < len(text); i++ {
		c := text[i]
		switch {
		case c == '\\' && i+1 < len(text):
			i++
			if text[i] != '\n' {
				cur.WriteByte(text[i])
				inWord = true
			}
		case c == '\'':
			j := strings.IndexByte(text[i+1:], '\'')
			if j < 0 {
				return nil, errors.New("-- curl: a single quote is not closed; paste the whole command")
			}
			cur.WriteString(text[i+1 : i+1+j])
			i += j + 1
			inWord = true
		case c == '$' && i+1 < len(text) && text[i+1] == '\'':
			s, n, err := ansiC(text[i+2:])
			if err != nil {
				return nil, err
			}
			cur.WriteString(s)
			i += n + 2
			inWord = true
		case c == '"':
			n, err := doubleQuoted(&cur, text[i+1:])
			if err != nil {
				return nil, err
			}
			i += n + 1
			inWord = true
		case c == '#' && !inWord:
			// A comment, to the end of the line.
			for i < len(text) && text[i] != '\n' {
				i++
			}
		case c == ' ' || c == '\t' || c == '\n' || c == '\r':
			if inWord {
				words = append(words, cur.String())
				cur.Reset()
				inWord = false
			}
		default:
			cur.WriteByte(c)
			inWord = true
		}
	}
	if inWord {
		words = append(words, cur.String())
	}
	return words, nil
}

// unescapeCmd undoes Windows cmd quoting: ^ escapes the next character,
// and a ^ before a newline continues the line.
func unescapeCmd(text string) string {
	var b strings.Builder
	for i := 0; i < len(text); i++ {
		if text[i] == '^' && i+1 < len(text) {
			i++
			if text[i] == '\n' || text[i] == '\r' {
				continue
			}
			if text[i] == '"' {
				b.WriteByte('"')
				continue
			}
		}
		b.WriteByte(text[i])
	}
	return b.String()
}

// doubleQuoted reads the body of a "..." string up to its closing quote
// into cur, as bash does (a backslash escapes only " \ $ ` and a newline,
// which it removes), and returns how many bytes it took before the quote.
func doubleQuoted(cur *strings.Builder, text string) (int, error) {
	i := 0
	for ; i < len(text) && text[i] != '"'; i++ {
		if text[i] == '\\' && i+1 < len(text) && strings.IndexByte("\"\\$`\n", text[i+1]) >= 0 {
			i++
			if text[i] == '\n' {
				continue
			}
		}
		cur.WriteByte(text[i])
	}
	if i >= len(text) {
		return 0, errors.New("-- curl: a double quote is not closed; paste the whole command")
	}
	return i, nil
}

// ansiC reads the body of a $'...' string up to its closing quote and
// returns it decoded, and how many bytes it took, the quote included.
func ansiC(s string) (string, int, error) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '\'':
			return b.String(), i + 1, nil
		case c == '\\' && i+1 < len(s):
			i++
			switch e := s[i]; e {
			case 'n':
				b.WriteByte('\n')
			case 't':
				b.WriteByte('\t')
			case 'r':
				b.WriteByte('\r')
			case 'x':
				var v int
				if i+2 < len(s) {
					if _, err := fmt.Sscanf(s[i+1:i+3], "%02x", &v); err == nil {
						b.WriteByte(byte(v))
						i += 2
						continue
					}
				}
				b.WriteByte('x')
			default:
				b.WriteByte(e) // \\ \' \" and others: the character itself
			}
		default:
			b.WriteByte(c)
		}
	}
	return "", 0, errors.New("-- curl: a $'...' string is not closed; paste the whole command")
}
