package proxy

// The hostile-upstream differential harness: the whole gateway (the fast
// path, ReverseProxy, the lean upstream transport, the policy) and a
// reference (the same gateway on net/http's server and net/http's
// Transport) take the same requests from several clients, in front of an
// upstream that answers with fuzzed byte streams. Each client must get the
// same answer from both, and never bytes meant for another request.

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// hostileStep is one request of a harness run and the upstream's answer.
type hostileStep struct {
	client  int // which of the clients sends it
	method  string
	body    string // the request's body and its framing: "", "length", "chunked", "expect"
	origin  string
	preflit bool   // OPTIONS with Access-Control-Request-Method
	answer  string // the upstream's bytes, or stallAnswer
	hangUp  bool   // the upstream closes the connection after answering
	dirty   bool   // bytes follow the answer's end
}

// Harness limits: a run's requests and clients.
const (
	maxSteps       = 6
	harnessClients = 3
)

var harnessMethods = []string{"GET", "HEAD", "POST", "PUT", "DELETE", "OPTIONS", "OPTIONS-preflight",
	"PATCH", "POST-chunked", "PUT-expect", "DELETE-length", "GET-length", "PATCH-chunked-expect", "PUT-length"}

// harnessBodies are the request bodies the harness's clients send, by the
// method's suffix in harnessMethods; POST alone sends one of a length.
var harnessBodies = map[string]string{
	"length":         "Content-Length: 3\r\n\r\nabc",
	"chunked":        "Transfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
	"expect":         "Expect: 100-continue\r\nContent-Length: 3\r\n\r\nabc",
	"chunked-expect": "Expect: 100-continue\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n0\r\n\r\n",
}

// decodeRun reads a run from fuzz bytes: each step's client, method,
// origin, and how the upstream answers (honest, bodies where none may be,
// wrong lengths, cut short, 1xx floods, huge heads, raw bytes, stalls), with
// what it sends past the answer; and whether the run's upstream is https:
// the first byte's quotient by maxSteps, odd.
func decodeRun(data []byte) (steps []hostileStep, https bool) {
	if len(data) > 0 {
		https = data[0]/maxSteps%2 == 1
	}
	next := func() int {
		if len(data) == 0 {
			return 0
		}
		b := data[0]
		data = data[1:]
		return int(b)
	}
	steps = make([]hostileStep, 1+next()%maxSteps)
	for i := range steps {
		st := &steps[i]
		st.client = next() % harnessClients
		st.method = harnessMethods[next()%len(harnessMethods)]
		if st.method == "OPTIONS-preflight" {
			st.method, st.preflit = "OPTIONS", true
		} else if m, body, ok := strings.Cut(st.method, "-"); ok {
			st.method, st.body = m, body
		} else if st.method == "POST" {
			st.body = "length"
		}
		st.origin = app
		if next()%4 == 0 {
			st.origin = "https://evil.example"
		}
		body := fmt.Sprintf("[step-%d]", i) + strings.Repeat("b", []int{0, 3000, 9000, 40}[next()%4])
		extra := ""
		switch next() % 3 {
		case 1: // a whole response, smuggled after this one
			extra = fmt.Sprintf("HTTP/1.1 200 OK\r\nContent-Length: 9\r\nSet-Cookie: smuggled=%d\r\n\r\n[extra-%d]", i, i)
		case 2:
			extra = fmt.Sprintf("[extra-%d]\r\n\r\nHTTP/1.1 204 No Content\r\n\r\n", i)
		}
		// Where no body may follow the head, what follows is the extra
		// bytes if any, else a body.
		bodiless := body
		if extra != "" {
			bodiless = extra
		}
		st.hangUp = next()%2 == 0
		cl := func(n int) string { return "Content-Length: " + strconv.Itoa(n) + "\r\n" }
		st.dirty = extra != ""
		switch next() % 12 {
		case 0:
			st.answer = "HTTP/1.1 200 OK\r\n" + cl(len(body)) + "\r\n" + body + extra
			if st.method == "HEAD" {
				st.answer, st.dirty = "HTTP/1.1 200 OK\r\n"+cl(len(body))+"\r\n"+bodiless, true
			}
		case 1:
			st.answer = fmt.Sprintf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", len(body), body) + extra
		case 2:
			st.answer, st.dirty = "HTTP/1.1 204 No Content\r\n\r\n"+bodiless, true
		case 3:
			st.answer, st.dirty = "HTTP/1.1 304 Not Modified\r\nETag: \"x\"\r\n\r\n"+bodiless, true
		case 4: // Content-Length too small
			st.answer, st.dirty = "HTTP/1.1 200 OK\r\n"+cl(len(body)/2)+"\r\n"+body+extra, true
		case 5: // Content-Length too large, then the end
			st.answer, st.hangUp = "HTTP/1.1 200 OK\r\n"+cl(len(body)+100)+"\r\n"+body, true
		case 6: // chunked, cut short
			st.answer, st.hangUp = fmt.Sprintf("HTTP/1.1 200 OK\r\nTransfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n", len(body), body), true
		case 7: // delimited by the connection's end
			st.answer, st.hangUp = "HTTP/1.1 200 OK\r\n\r\n"+body, true
		case 8:
			n := next() % 20
			st.answer = strings.Repeat("HTTP/1.1 103 Early Hints\r\nLink: </a.css>; rel=preload\r\n\r\n", n) +
				"HTTP/1.1 200 OK\r\n" + cl(len(body)) + "\r\n" + body + extra
		case 9:
			st.answer = "HTTP/1.1 200 OK\r\nX-Big: " + strings.Repeat("h", (next()%2)*(maxUpstreamHead+4096)+100) + "\r\n" + cl(len(body)) + "\r\n" + body + extra
		case 10: // raw bytes, then the end
			n := min(next(), len(data))
			raw := strings.ReplaceAll(string(data[:n]), "[", "(")
			data = data[n:]
			st.answer, st.hangUp = "HTTP/1.1 "+raw, true
		case 11:
			st.answer = stallAnswer
		}
		if st.method == "HEAD" && !strings.HasSuffix(st.answer, "\r\n\r\n") {
			st.dirty = true // whatever follows a head is past a HEAD answer's end
		}
	}
	return steps, https
}

// observed is what a client makes of the gateway's answer to one step.
type observed struct {
	Kind    string // "answer", "cut" (closed before or within the answer), "timeout"
	Status  int
	Interim int
	Header  map[string][]string // the headers that matter: CORS, cookies
	Body    string
}

// harnessClient is one client's connection to a gateway, dialled again
// after the gateway closes it.
type harnessClient struct {
	addr string
	conn net.Conn
	br   *bufio.Reader
}

func (c *harnessClient) do(step int, st hostileStep) observed {
	if c.conn == nil {
		conn, err := net.Dial("tcp", c.addr)
		if err != nil {
			return observed{Kind: "dial: " + err.Error()}
		}
		c.conn, c.br = conn, bufio.NewReader(conn)
	}
	c.conn.SetDeadline(time.Now().Add(3 * time.Second))
	var req strings.Builder
	fmt.Fprintf(&req, "%s /data/%d HTTP/1.1\r\nHost: gw\r\nOrigin: %s\r\nX-Step: %d\r\n", st.method, step, st.origin, step)
	if st.preflit {
		req.WriteString("Access-Control-Request-Method: PUT\r\nAccess-Control-Request-Headers: content-type\r\n")
	}
	if b, ok := harnessBodies[st.body]; ok {
		req.WriteString(b)
	} else {
		req.WriteString("\r\n")
	}
	o := c.read(st.method, req.String())
	// After the gateway's own 502 or 504 the client starts a new
	// connection: whether net/http's server keeps the old one depends on
	// how much of the request body its Transport had read when the upstream
	// failed, a race the harness cannot steer.
	if o.Kind != "answer" || o.Header["Connection"] != nil || o.Status == http.StatusBadGateway || o.Status == http.StatusGatewayTimeout {
		c.conn.Close()
		c.conn = nil
	}
	delete(o.Header, "Connection")
	return o
}

func (c *harnessClient) read(method, req string) observed {
	if _, err := io.WriteString(c.conn, req); err != nil {
		return observed{Kind: "cut"}
	}
	var o observed
	for {
		resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
		if err != nil {
			return observed{Kind: failure(err), Interim: o.Interim}
		}
		if resp.StatusCode < 200 {
			o.Interim++
			continue
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			return observed{Kind: failure(err), Interim: o.Interim}
		}
		o.Kind, o.Status, o.Body = "answer", resp.StatusCode, string(b)
		o.Header = map[string][]string{}
		for _, k := range []string{"Access-Control-Allow-Origin", "Access-Control-Allow-Credentials", "Access-Control-Allow-Methods", "Set-Cookie", "Etag", "Connection"} {
			if v := resp.Header.Values(k); len(v) > 0 {
				o.Header[k] = v
			}
		}
		if resp.Close {
			o.Header["Connection"] = []string{"close"}
		}
		return o
	}
}

// failed folds the two ways a gateway reports an upstream that breaks off
// (a 502, or the client's answer cut short) into one, "failed": which one
// a client gets depends on when net/http's Transport notices the break, a
// race between its goroutines that the harness cannot steer.
func failed(o observed) observed {
	if o.Kind == "cut" || o.Kind == "answer" && o.Status == http.StatusBadGateway {
		return observed{Kind: "failed", Interim: o.Interim}
	}
	return o
}

func failure(err error) string {
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return "timeout"
	}
	return "cut"
}

// harness is the two gateways in front of one scripted upstream.
type harness struct {
	up         *scriptedUpstream
	script     atomic.Pointer[[]hostileStep]
	fast, std  *Gateway
	fastAddr   string
	stdAddr    string
	upstreamTO time.Duration
}

func newHarness(tb testing.TB, https bool) *harness {
	h := &harness{upstreamTO: 300 * time.Millisecond}
	h.up = newScriptedUpstreamOn(tb, https, func(r *http.Request) upstreamAnswer {
		steps := *h.script.Load()
		i, err := strconv.Atoi(r.Header.Get("X-Step"))
		if err != nil || i < 0 || i >= len(steps) {
			return upstreamAnswer{bytes: "HTTP/1.1 400 Bad Request\r\nContent-Length: 0\r\n\r\n", hangUp: true}
		}
		return upstreamAnswer{bytes: steps[i].answer, hangUp: steps[i].hangUp, dirty: steps[i].dirty}
	})
	u, _ := url.Parse(h.up.url)
	for _, std := range []bool{false, true} {
		g, err := New(Config{Upstream: u, Policy: credentialed, UpstreamTimeout: h.upstreamTO, StandardTransport: std})
		if err != nil {
			tb.Fatal(err)
		}
		addr, stop := serveGateway(tb, g, ServerOptions{StandardServer: std, ShutdownTimeout: time.Second})
		tb.Cleanup(func() { stop() })
		if std {
			h.std, h.stdAddr = g, addr
		} else {
			h.fast, h.fastAddr = g, addr
		}
	}
	return h
}

// run plays steps on both gateways, from fresh clients and a fresh upstream
// pool, and reports the first difference or stray byte.
func (h *harness) run(steps []hostileStep) error {
	h.script.Store(&steps)
	h.fast.closeIdleUpstreams()
	h.std.closeIdleUpstreams()
	h.up.closeConns()
	var fast, std [harnessClients]harnessClient
	for i := range fast {
		fast[i].addr, std[i].addr = h.fastAddr, h.stdAddr
	}
	defer func() {
		for i := range fast {
			for _, c := range []*harnessClient{&fast[i], &std[i]} {
				if c.conn != nil {
					c.conn.Close()
				}
			}
		}
	}()
	for i, st := range steps {
		var got, want observed
		var wg sync.WaitGroup
		wg.Add(2)
		go func() { defer wg.Done(); got = fast[st.client].do(i, st) }()
		go func() { defer wg.Done(); want = std[st.client].do(i, st) }()
		wg.Wait()
		for name, o := range map[string]observed{"fast path": got, "net/http": want} {
			if err := strayBytes(i, o); err != nil {
				err = fmt.Errorf("step %d (%s %q): %s: %v", i, st.method, st.answer, name, err)
				if name == "fast path" {
					return strayError{err}
				}
				return err
			}
			if o.Kind != "answer" && o.Kind != "cut" {
				return fmt.Errorf("step %d (%s %q): %s: %s", i, st.method, st.answer, name, o.Kind)
			}
		}
		if strings.Contains(st.body, "expect") {
			// The 100 Continue a client gets: the upstream's, forwarded, or
			// net/http's server's own when the body is first read; one or
			// both, as the goroutines of net/http's Transport race.
			got.Interim, want.Interim = 0, 0
		}
		if !reflect.DeepEqual(failed(got), failed(want)) {
			return fmt.Errorf("step %d (%s from client %d, upstream %q):\nfast path %+v\nnet/http  %+v", i, st.method, st.client, st.answer, got, want)
		}
		// A connection that carried bytes past an answer's end must be
		// closed. net/http's Transport (the reference's) closes it when it
		// looks at the connection after pooling it, and a request that
		// takes it before then reads those bytes as its answer: the
		// harness waits for the close, so that the reference's own
		// window does not decide the comparison.
		if n := h.up.reusedDirty.Load(); n > 0 {
			return fmt.Errorf("step %d (%s %q): %d requests sent on a connection after bytes past an answer's end", i, st.method, st.answer, n)
		}
		if !h.up.waitClean(2 * time.Second) {
			return fmt.Errorf("step %d (%s %q): a connection with bytes past an answer was kept for 2 s", i, st.method, st.answer)
		}
		// Likewise, net/http's Transport may reuse a connection the
		// upstream has just closed, or that it has just closed itself but
		// not yet taken off its pool, and answer 502: after a hang-up, or
		// a connection closed for stray bytes, both gateways start from an
		// empty pool (the lean transport's own closing was checked above).
		if st.hangUp || st.dirty || st.answer == stallAnswer {
			h.fast.closeIdleUpstreams()
			h.std.closeIdleUpstreams()
		}
	}
	return nil
}

// strayBytes reports a body or header with bytes the upstream sent for
// another step, or past the framing of this one. The markers are in
// brackets, which JSON leaves as they are, so that they show in the
// gateway's error bodies too.
func strayBytes(step int, o observed) error {
	for rest := o.Body; ; {
		i := strings.Index(rest, "[step-")
		if i < 0 {
			break
		}
		if !strings.HasPrefix(rest[i:], fmt.Sprintf("[step-%d]", step)) {
			return fmt.Errorf("another request's body: %.40q", rest[i:])
		}
		rest = rest[i+1:]
	}
	if strings.Contains(o.Body, "[extra-") || len(o.Header["Set-Cookie"]) > 0 {
		return fmt.Errorf("bytes from past an answer's end: body %.60q, Set-Cookie %q", o.Body, o.Header["Set-Cookie"])
	}
	return nil
}

// seedRun encodes a run for decodeRun: one slice per step, each
// {client, method, origin, size, extra, keep, kind[, kind's own bytes...]}:
// method indexes harnessMethods; origin 0 is another site's; size 0-3 is
// 8, 3008, 9008 or 48 bytes; extra 1 smuggles a response after the answer,
// 2 some bytes; keep 1 keeps the upstream connection open; kind is
// decodeRun's case.
func seedRun(steps ...[]byte) []byte {
	b := []byte{byte(len(steps) - 1)}
	for _, st := range steps {
		b = append(b, st...)
	}
	return b
}

// Methods and kinds, for the seeds.
const (
	sGET, sHEAD, sPOST, sPUT, sDELETE, sOPTIONS, sPreflight                                        = 0, 1, 2, 3, 4, 5, 6
	sPATCH, sPOSTChunked, sPUTExpect, sDELETELength, sGETLength, sPATCHChunkedExpect, sPUTLength   = 7, 8, 9, 10, 11, 12, 13
	kHonest, kChunked, k204, k304, kShort, kLong, kChunkCut, kClose, kInterim, kHuge, kRaw, kStall = 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11
)

// then is an honest answer to a GET from another client, reusing what the
// step before left in the pool.
var then = []byte{1, sGET, 1, 0, 0, 1, kHonest}

// rawSeed is a head whose body is shorter than it says, then the end.
var rawSeed = []byte("200 OK\r\nContent-Length: 20\r\n\r\nshort")

// hostileSeeds are runs always played: each kind of hostile answer at least
// once, followed by requests from other clients over the same pool.
var hostileSeeds = [][]byte{
	seedRun([]byte{0, sHEAD, 1, 0, 1, 1, kHonest}, then, []byte{2, sGET, 1, 1, 0, 1, kHonest}),   // a body on HEAD
	seedRun([]byte{0, sGET, 1, 0, 1, 1, k204}, then, then),                                       // a body on 204
	seedRun([]byte{0, sGET, 1, 2, 2, 1, k304}, then),                                             // a body on 304
	seedRun([]byte{0, sGET, 1, 1, 1, 1, kShort}, then, then),                                     // Content-Length too small
	seedRun([]byte{0, sGET, 1, 1, 0, 1, kLong}, then),                                            // too large, then the end
	seedRun([]byte{0, sGET, 1, 2, 0, 1, kChunkCut}, []byte{0, sPUT, 1, 0, 0, 1, kChunked}),       // chunked, cut short
	seedRun([]byte{0, sGET, 1, 1, 0, 1, kClose}, then),                                           // delimited by the end
	seedRun([]byte{0, sPUT, 1, 0, 0, 1, kInterim, 19}, []byte{1, sGET, 1, 0, 0, 1, kInterim, 3}), // a 1xx flood, then two
	seedRun([]byte{0, sPOST, 1, 0, 0, 1, kHuge, 1}, []byte{1, sGET, 1, 0, 0, 1, kHuge, 0}),       // a head over the cap
	seedRun(append([]byte{0, sGET, 1, 0, 0, 1, kRaw, byte(len(rawSeed))}, rawSeed...), then),     // raw bytes
	seedRun([]byte{0, sGET, 1, 0, 0, 1, kStall}, then),
	seedRun([]byte{0, sPreflight, 1, 0, 0, 1, kHonest}, []byte{1, sPreflight, 0, 0, 0, 1, kHonest},
		[]byte{2, sDELETE, 0, 3, 1, 0, kChunked}, []byte{0, sOPTIONS, 1, 0, 2, 1, k204}, then),
	// Requests with bodies, of a length, chunked, after a 100 Continue,
	// each poisoning the pool for the next.
	seedRun([]byte{0, sPOSTChunked, 1, 0, 1, 1, kHonest}, []byte{1, sPUTLength, 1, 0, 0, 1, kHonest}, []byte{2, sPATCH, 1, 0, 0, 1, kHonest}),
	seedRun([]byte{0, sPUTExpect, 1, 0, 1, 1, k204}, []byte{1, sDELETELength, 1, 0, 0, 1, kHonest}, then),
	seedRun([]byte{0, sPATCHChunkedExpect, 1, 1, 1, 1, kShort}, []byte{1, sGETLength, 1, 0, 0, 1, kHonest}, then),
	seedRun([]byte{0, sPOST, 1, 2, 2, 1, kInterim, 2}, []byte{1, sPOSTChunked, 1, 0, 0, 1, kStall}, then),
}

// httpsSeeds are runs to an https upstream: the same attacks, through TLS.
var httpsSeeds = [][]byte{
	https(seedRun([]byte{0, sGET, 1, 0, 1, 1, k204}, then, then)),
	https(seedRun([]byte{0, sHEAD, 1, 0, 1, 1, kHonest}, then, []byte{2, sGET, 1, 1, 0, 1, kHonest})),
	https(seedRun([]byte{0, sPOST, 1, 1, 1, 1, kShort}, []byte{1, sPUTLength, 1, 0, 0, 1, kHonest}, then)),
	https(seedRun([]byte{0, sPOSTChunked, 1, 2, 1, 1, kHonest}, []byte{1, sPUTExpect, 1, 0, 0, 1, k304}, then)),
	https(seedRun([]byte{0, sGET, 1, 1, 0, 1, kChunkCut}, []byte{0, sDELETELength, 1, 0, 0, 1, kClose}, then)),
}

// https marks a run's upstream as https.
func https(run []byte) []byte {
	run[0] += maxSteps
	return run
}

// FuzzHostileUpstream plays fuzzed runs on the gateway and on the reference.
// go test runs the seeds and the committed corpus; CI fuzzes for a bounded
// time (.ci/run).
func FuzzHostileUpstream(f *testing.F) {
	for _, s := range append(hostileSeeds, httpsSeeds...) {
		f.Add(s)
	}
	hs := [2]*harness{newHarness(f, false), newHarness(f, true)}
	f.Fuzz(func(t *testing.T, data []byte) {
		steps, https := decodeRun(data)
		h := hs[0]
		if https {
			h = hs[1]
		}
		err := h.run(steps)
		if err == nil {
			return
		}
		var stray strayError
		if errors.As(err, &stray) {
			t.Fatal(err) // the gateway gave a client another's bytes: never timing
		}
		// A difference that does not come back when the run is played again
		// is timing inside net/http's Transport or server, which both sides
		// share for some requests; a fault of the gateway's own comes back.
		for range 2 {
			if again := h.run(steps); again == nil {
				t.Logf("a difference that did not come back on replay (net/http's timing): %v", err)
				return
			}
		}
		t.Fatal(err)
	})
}

// strayError is a run's failure where the gateway under test, not the
// reference, gave a client bytes meant for another request.
type strayError struct{ error }

// TestHarnessCatchesStrayBytes: the harness's own check finds another
// request's bytes and bytes from past an answer's end.
func TestHarnessCatchesStrayBytes(t *testing.T) {
	t.Parallel()
	for _, o := range []observed{
		{Kind: "answer", Body: "[step-1]"},
		{Kind: "answer", Body: "[step-2][extra-1]"},
		{Kind: "answer", Body: "[step-2]", Header: map[string][]string{"Set-Cookie": {"smuggled=1"}}},
	} {
		if strayBytes(2, o) == nil {
			t.Errorf("strayBytes(2, %+v) = nil; want an error", o)
		}
	}
	if err := strayBytes(2, observed{Kind: "answer", Body: "[step-2]bbb"}); err != nil {
		t.Errorf("own body: %v", err)
	}
}
