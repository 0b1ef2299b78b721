// Package web is corskit serve: the doctor as a page on the user's own
// machine. The page makes corskit send requests to addresses a person types,
// so no other web site may drive it: it listens on loopback by default, every
// API call needs the random token of the page's URL, the Host header must be
// the server's own (against DNS rebinding), an Origin or Sec-Fetch-Site
// header must say the call comes from the page itself, and the API sends no
// CORS header, ever.
package web

import (
	"bufio"
	"bytes"
	"context"
	"crypto/rand"
	"crypto/subtle"
	"embed"
	"encoding/base64"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net"
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
)

//go:embed page
var page embed.FS

// The bounds of the API: a HAR's upload, any other call's body, and the
// heavy jobs (a HAR, a check that sends requests) run at once.
const (
	maxHAR  = 64 << 20
	maxBody = 1 << 20
	// Jobs is how many heavy jobs run at once; another is answered 503
	// with Retry-After, which the page shows.
	Jobs = 2
	// retryAfter is the Retry-After of a busy answer, in seconds.
	retryAfter = 5
)

// pageFiles are the page's scripts and styles, served as they are; one
// concept a file (index.html loads the scripts in this order).
var pageFiles = []string{"app.css", "app.js", "har.js", "share.js", "export.js", "session.js"}

// Server serves the page and its API.
type Server struct {
	token string
	hosts []string // the Host values the server answers to
	// Timeout bounds each HTTP exchange of a check; default 10 s.
	Timeout time.Duration
	jobs    chan struct{} // a slot per heavy job running
	rec     recording     // corskit record --serve's session
}

// New returns a server for the listener's address, with a fresh token.
func New(addr net.Addr) (*Server, error) {
	b := make([]byte, 24)
	if _, err := rand.Read(b); err != nil {
		return nil, err
	}
	s := &Server{token: base64.RawURLEncoding.EncodeToString(b), jobs: make(chan struct{}, Jobs)}
	host, port, err := net.SplitHostPort(addr.String())
	if err != nil {
		return nil, err
	}
	s.hosts = hostsFor(host, port)
	return s, nil
}

// URL is the page's address, token included: what a person opens.
func (s *Server) URL() string { return "http://" + s.hosts[0] + "/?token=" + s.token }

// Token is the token every API call needs.
func (s *Server) Token() string { return s.token }

// Handler returns the page and the API.
func (s *Server) Handler() http.Handler {
	mux := http.NewServeMux()
	static, _ := fs.Sub(page, "page")
	files := http.FileServerFS(static)
	mux.HandleFunc("GET /{$}", func(w http.ResponseWriter, r *http.Request) {
		if !s.tokenOK(r.URL.Query().Get("token")) {
			http.Error(w, "corskit serve: this page needs the token of the URL corskit serve printed; open that URL. A shared corskit link holds no token: open the printed URL and paste the shared link under \"Open a shared check\"", http.StatusForbidden)
			return
		}
		w.Header().Set("Cache-Control", "no-store")
		index, err := fs.ReadFile(static, "index.html")
		if err != nil {
			http.Error(w, "corskit serve: "+err.Error(), http.StatusInternalServerError)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(withStacks(index))
	})
	for _, name := range pageFiles {
		mux.Handle("GET /"+name, files)
	}
	mux.HandleFunc("GET /favicon.ico", serveFavicon)
	mux.HandleFunc("POST /api/read", s.api(false, s.read))
	mux.HandleFunc("POST /api/check", s.api(true, s.check))
	mux.HandleFunc("POST /api/command", s.api(false, s.command))
	mux.HandleFunc("POST /api/har", s.har)
	mux.HandleFunc("POST /api/session", s.api(false, s.session))
	return s.guard(mux)
}

// guard refuses a request whose Host is not the server's own, and sets the
// headers that keep the page to itself.
func (s *Server) guard(next http.Handler) http.Handler {
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if !slices.Contains(s.hosts, strings.ToLower(r.Host)) {
			http.Error(w, fmt.Sprintf("corskit serve: Host %q is not this server's (%s); a name that resolves here by DNS rebinding is refused", r.Host, s.hosts[0]), http.StatusMisdirectedRequest)
			return
		}
		h := w.Header()
		h.Set("Content-Security-Policy", "default-src 'none'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; form-action 'none'; frame-ancestors 'none'; base-uri 'none'")
		h.Set("X-Content-Type-Options", "nosniff")
		h.Set("X-Frame-Options", "DENY")
		h.Set("Referrer-Policy", "no-referrer")
		h.Set("Cross-Origin-Resource-Policy", "same-origin")
		next.ServeHTTP(w, r)
	})
}

// ownOrigin reports whether o is the origin of this server's page.
func (s *Server) ownOrigin(o string) bool {
	host, ok := strings.CutPrefix(o, "http://")
	return ok && slices.Contains(s.hosts, strings.ToLower(host))
}

func (s *Server) tokenOK(t string) bool {
	return t != "" && subtle.ConstantTimeCompare([]byte(t), []byte(s.token)) == 1
}

// apiError is an API call's refusal or failure.
type apiError struct {
	Error string `json:"error"`
	// NotCORS names evidence that is no CORS failure.
	NotCORS *check.NotCORSError `json:"not_cors,omitempty"`
	// Busy: the heavy jobs' slots are all taken; try again after the
	// answer's Retry-After.
	Busy bool `json:"busy,omitempty"`
}

// allowed checks that a call comes from the page itself (token, JSON, same
// origin), or answers the refusal and returns false.
func (s *Server) allowed(w http.ResponseWriter, r *http.Request) bool {
	if !s.tokenOK(r.Header.Get("X-Corskit-Token")) {
		writeJSON(w, http.StatusForbidden, apiError{Error: "the X-Corskit-Token header is missing or wrong: use the page of the URL corskit serve printed"})
		return false
	}
	if o := r.Header.Get("Origin"); o != "" && !s.ownOrigin(o) {
		writeJSON(w, http.StatusForbidden, apiError{Error: fmt.Sprintf("Origin %q is not this page's: corskit serve answers its own page only", o)})
		return false
	}
	if site := r.Header.Get("Sec-Fetch-Site"); site != "" && site != "same-origin" && site != "none" {
		writeJSON(w, http.StatusForbidden, apiError{Error: "Sec-Fetch-Site " + site + ": corskit serve answers its own page only"})
		return false
	}
	if ct := r.Header.Get("Content-Type"); !strings.HasPrefix(ct, "application/json") {
		writeJSON(w, http.StatusUnsupportedMediaType, apiError{Error: "the body must be JSON (Content-Type: application/json)"})
		return false
	}
	return true
}

// job takes a slot for a heavy job, or answers 503 with Retry-After and
// returns false: the caller then reads nothing of the body.
func (s *Server) job(w http.ResponseWriter) (release func(), ok bool) {
	select {
	case s.jobs <- struct{}{}:
		return func() { <-s.jobs }, true
	default:
		w.Header().Set("Retry-After", fmt.Sprint(retryAfter))
		w.Header().Set("Connection", "close") // the body is not read
		writeJSON(w, http.StatusServiceUnavailable, apiError{Error: fmt.Sprintf("corskit serve is busy: %d checks or HARs are running, the most it runs at once; try again in %d seconds", Jobs, retryAfter), Busy: true})
		return nil, false
	}
}

// api answers a call of the page: it checks the call comes from the page,
// takes a job slot when heavy, reads the body (at most maxBody bytes) and
// writes handle's answer as JSON.
func (s *Server) api(heavy bool, handle func(context.Context, []byte) (any, int)) http.HandlerFunc {
	return func(w http.ResponseWriter, r *http.Request) {
		if !s.allowed(w, r) {
			return
		}
		if heavy {
			release, ok := s.job(w)
			if !ok {
				return
			}
			defer release()
		}
		body, err := io.ReadAll(http.MaxBytesReader(w, r.Body, maxBody))
		if err != nil {
			writeJSON(w, http.StatusRequestEntityTooLarge, apiError{Error: fmt.Sprintf("the body is over %d MiB, more than any check needs: paste the console text, a Copy as cURL or a Copy as fetch alone", maxBody>>20)})
			return
		}
		out, status := handle(r.Context(), body)
		writeJSON(w, status, out)
	}
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(status)
	json.NewEncoder(w).Encode(v)
}

// read recognises pasted evidence: {"text": "..."}.
func (s *Server) read(_ context.Context, body []byte) (any, int) {
	var in struct {
		Text string `json:"text"`
	}
	if err := json.Unmarshal(body, &in); err != nil {
		return apiError{Error: "the body is not {\"text\": \"...\"}: " + err.Error()}, http.StatusBadRequest
	}
	p, err := check.ReadPasted(in.Text)
	var nc *check.NotCORSError
	switch {
	case errors.As(err, &nc):
		return apiError{Error: nc.Explain, NotCORS: nc}, http.StatusUnprocessableEntity
	case err != nil:
		return apiError{Error: inFormTerms(err)}, http.StatusUnprocessableEntity
	}
	return p, http.StatusOK
}

// CheckIn is a check asked for by the page: the request (as the form has
// it) and the options of corskit check.
type CheckIn struct {
	Request          check.JSONInput `json:"request"`
	AlsoOrigins      []string        `json:"also_origins"`
	Browser          string          `json:"browser"`
	Stack            string          `json:"stack"`
	PageAddressSpace string          `json:"page_address_space"`
	// Evidence is the console text the form was read from, when it was:
	// the check then searches for the request that prints its lines,
	// trying what Open names (method, headers, credentials: what the text
	// left open and the form did not change). Without console text, Open
	// naming credentials (a copy that does not tell them) judges both
	// credentials modes.
	Evidence string   `json:"evidence,omitempty"`
	Open     []string `json:"open,omitempty"`
}

// CheckOut is the answer: the CLI's --json report, and the command that
// gives it.
type CheckOut struct {
	Command string     `json:"command"`
	Report  check.JSON `json:"report"`
	// Reproduction says which request prints the pasted lines, or that
	// none does, when the check started from console text.
	Reproduction *check.Reproduction `json:"reproduction,omitempty"`
}

func (c CheckIn) options(timeout time.Duration) check.Options {
	o := check.Options{URL: c.Request.URL, Origin: c.Request.Origin, Method: c.Request.Method, Body: c.Request.Body,
		Credentials: browser.Credentials(c.Request.Credentials), AlsoOrigins: c.AlsoOrigins, Browser: c.Browser, Stack: c.Stack,
		PageAddressSpace: browser.AddressSpace(c.PageAddressSpace), Timeout: timeout}
	names := make([]string, 0, len(c.Request.Headers))
	for n := range c.Request.Headers {
		names = append(names, n)
	}
	slices.Sort(names)
	for _, n := range names {
		o.Headers = append(o.Headers, browser.Header{Name: n, Value: c.Request.Headers[n]})
	}
	return o
}

func (s *Server) check(ctx context.Context, body []byte) (any, int) {
	var in CheckIn
	if err := json.Unmarshal(body, &in); err != nil {
		return apiError{Error: "the body is not a check: " + err.Error()}, http.StatusBadRequest
	}
	o := in.options(s.Timeout)
	if err := o.Validate(); err != nil {
		return apiError{Error: inFormTerms(err)}, http.StatusUnprocessableEntity
	}
	if f, ok := failureFor(in.Evidence, o.URL); ok {
		return s.reproduce(ctx, in, o, f)
	}
	run := check.Run
	if slices.Contains(in.Open, "credentials") {
		// A copy that does not tell the credentials mode, left so in the
		// form: both modes are judged, as corskit check does.
		run = check.RunCredentialsUnknown
	}
	r, err := run(ctx, o)
	if err != nil {
		return apiError{Error: inFormTerms(err)}, http.StatusUnprocessableEntity
	}
	return CheckOut{Command: r.Options.Command(), Report: inForm(r.ToJSON())}, http.StatusOK
}

// failureFor picks the failure of the console text about url (the first
// when none names it).
func failureFor(text, url string) (check.ConsoleFailure, bool) {
	fs := check.SplitConsole(text)
	if len(fs) == 0 {
		return check.ConsoleFailure{}, false
	}
	for _, f := range fs {
		if strings.Contains(strings.Join(f.Lines, "\n"), url) {
			return f, true
		}
	}
	return fs[0], true
}

// reproduce checks the request that prints the pasted lines, as corskit
// check --from-error does, searching what the form leaves open.
func (s *Server) reproduce(ctx context.Context, in CheckIn, o check.Options, f check.ConsoleFailure) (any, int) {
	search := check.Search{Options: o, MethodGiven: !slices.Contains(in.Open, "method"),
		HeadersGiven: !slices.Contains(in.Open, "headers"), CredentialsGiven: !slices.Contains(in.Open, "credentials"), Page: true}
	rep, err := check.Reproduce(ctx, f, search)
	if err != nil {
		return apiError{Error: inFormTerms(err)}, http.StatusUnprocessableEntity
	}
	r, err := rep.Run(ctx)
	if err != nil {
		return apiError{Error: inFormTerms(err)}, http.StatusUnprocessableEntity
	}
	return CheckOut{Command: r.Options.Command(), Report: inForm(r.ToJSON()), Reproduction: &rep}, http.StatusOK
}

// HAROut is the answer to a HAR: each cross-origin request's report.
type HAROut struct {
	Entries     int `json:"entries"`
	CrossOrigin int `json:"cross_origin"`
	// Note says how many requests were judged and which, when not all.
	Note string `json:"note,omitempty"`
	// Offline is true when the file alone was judged (offline=1): nothing
	// sent. Else Filled requests whose cause the file cannot tell got a
	// bounded live fill, which sent FillSent requests (see check.HARMode).
	Offline  bool            `json:"offline"`
	Filled   int             `json:"filled"`
	FillSent int             `json:"fill_requests_sent"`
	Blocked  int             `json:"blocked"`
	Requests []HARRequestOut `json:"requests"`
}

// HARRequestOut is one request of a HAR and the command that checks it.
type HARRequestOut struct {
	check.HARResult
	Command string `json:"command"`
}

// har judges a HAR: the body is the file itself, read as a stream of at
// most maxHAR bytes; the options are the query's (credentials, stack,
// also_origin, repeated; offline=1 to judge from the file alone, without
// the live fill of what it cannot tell).
func (s *Server) har(w http.ResponseWriter, r *http.Request) {
	if !s.allowed(w, r) {
		return
	}
	tooLarge := func() {
		w.Header().Set("Connection", "close")
		writeJSON(w, http.StatusRequestEntityTooLarge, apiError{Error: fmt.Sprintf("the HAR is over %d MiB, the most corskit serve reads: save the HAR of the failing page load only (clear the Network panel, reload, Save all as HAR), or run corskit check --har FILE, which reads up to 256 MiB", maxHAR>>20)})
	}
	if r.ContentLength > maxHAR {
		tooLarge()
		return
	}
	release, ok := s.job(w)
	if !ok {
		return
	}
	defer release()
	lr := &io.LimitedReader{R: r.Body, N: maxHAR + 1}
	h, err := check.ReadHAR(lr)
	if lr.N <= 0 {
		tooLarge()
		return
	}
	if err != nil {
		writeJSON(w, http.StatusUnprocessableEntity, apiError{Error: inFormTerms(err)})
		return
	}
	q := r.URL.Query()
	base := check.Options{Stack: q.Get("stack"), Credentials: browser.Credentials(q.Get("credentials")), AlsoOrigins: q["also_origin"], Timeout: s.Timeout}
	j := check.JudgeHAR(r.Context(), h, base, check.HARMode{Offline: q.Get("offline") == "1"})
	// HAROut, written a request at a time: one report is held at once.
	head, _ := json.Marshal(HAROut{Entries: h.Entries, CrossOrigin: h.CrossOrigin, Note: h.Note(), Offline: j.Offline, Filled: j.Filled, FillSent: j.FillSent, Blocked: j.Blocked})
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	bw := bufio.NewWriter(w)
	defer bw.Flush()
	bw.Write(head[:bytes.LastIndex(head, []byte("null"))])
	bw.WriteString("[")
	sep := ""
	for res := range j.Results {
		if res.Report != nil {
			j := inForm(*res.Report)
			res.Report = &j
		}
		b, _ := json.Marshal(HARRequestOut{res, res.Options.Command()})
		bw.WriteString(sep)
		bw.Write(b)
		sep = ","
	}
	bw.WriteString("]}\n")
}
