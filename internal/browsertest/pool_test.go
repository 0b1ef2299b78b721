package browsertest

import (
	"net/http"
	"net/http/httptest"
	"testing"
	"time"
)

// TestSharedEnginesLendATabPerTest: Chromium and Firefox are shared by
// tabs: each test, one after the other or at once, gets a tab of its own
// in the one browser of the process, on its own page, without the cookies
// another test's tab set.
func TestSharedEnginesLendATabPerTest(t *testing.T) {
	t.Parallel()
	for name := range tabbed {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			testSharedEngine(t, name)
		})
	}
}

// testSharedEngine lends the named engine twice in turn, then twice at
// once, from the package's pool (TestMain calls Main), which the
// package's other tests use beside it, and checks what the second test
// sees.
func testSharedEngine(t *testing.T, name string) {
	lend := func(t *testing.T) Engine {
		e, ok := pool.lend(t, name, Options{})
		if !ok {
			t.Fatal("the pool lent nothing")
		}
		return e
	}
	var page string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
		w.Header().Set("Access-Control-Allow-Credentials", "true")
		w.Header().Set("Access-Control-Expose-Headers", "X-Had-Cookie")
		switch r.URL.Path {
		case "/set":
			http.SetCookie(w, &http.Cookie{Name: "left", Value: "behind", Path: "/"})
		case "/page":
			w.Header().Set("Content-Type", "text/html")
			w.Write([]byte("<!doctype html><title>elsewhere</title>"))
		}
		if _, err := r.Cookie("left"); err == nil {
			w.Header().Set("X-Had-Cookie", "1")
		}
	}))
	defer api.Close()
	hadCookie := func(t *testing.T, e Engine) bool {
		res := e.Fetch(t, Request{URL: api.URL + "/get", Credentials: "include"})
		if !res.OK {
			t.Fatalf("fetch from %s: %s %v", e.Origin(), res.Error, res.Console)
		}
		for _, h := range res.Headers {
			if h == "x-had-cookie" {
				return true
			}
		}
		return false
	}
	t.Run("first", func(t *testing.T) {
		e := lend(t)
		page = e.Origin()
		if res := e.Fetch(t, Request{URL: api.URL + "/set", Credentials: "include"}); !res.OK {
			t.Fatalf("setting the cookie: %s %v", res.Error, res.Console)
		}
		if !hadCookie(t, e) {
			t.Fatal("the cookie was not sent back within the first test: the check below would prove nothing")
		}
		e.Navigate(t, api.URL+"/page")
	})
	t.Run("second", func(t *testing.T) {
		e := lend(t)
		if hadCookie(t, e) {
			t.Error("the first test's cookie reached the second test")
		}
		if res := e.Fetch(t, Request{URL: api.URL + "/get"}); res.PageURL != e.Origin()+"/" {
			t.Errorf("the second test's fetch ran from %s, not from the engine's own page %s/", res.PageURL, e.Origin())
		}
		other := lend(t)
		if e.Origin() == page || other.Origin() == e.Origin() {
			t.Errorf("tabs on pages %s, %s and %s; want one page each", page, e.Origin(), other.Origin())
		}
		if p, q := processOf(e), processOf(other); p == nil || p != q {
			t.Errorf("two tabs lent at once ran in two %s processes; want one", name)
		}
		if res := other.Fetch(t, Request{URL: api.URL + "/get"}); !res.OK {
			t.Errorf("the second tab's fetch: %s %v", res.Error, res.Console)
		}
	})
}

// processOf returns what identifies the browser process of a tab: its
// chromedp browser, or its BiDi connection.
func processOf(e Engine) any {
	switch e := e.(type) {
	case *Browser:
		if b := browserOf(e.ctx); b != nil {
			return b
		}
	case *Firefox:
		if e.bidi != nil {
			return e.bidi
		}
	}
	return nil
}

// TestPoolCapsEachEngine: under perEngine instances running, a test starts
// one; at the cap it takes the one that comes back; when none comes back
// within lendWait, it starts one more rather than wait forever; and a test
// that holds one (or whose parent does) starts one more at once.
func TestPoolCapsEachEngine(t *testing.T) {
	was := lendWait
	lendWait = 100 * time.Millisecond
	t.Cleanup(func() { lendWait = was })
	p := &enginePool{idle: map[string][]*pooledEngine{}, running: map[string]int{}, limit: perEngine, returned: make(chan struct{})}
	lendOne := func() *pooledEngine {
		p.mu.Lock()
		defer p.mu.Unlock()
		return p.idleOrSlot("x", "TestA")
	}
	for i := range perEngine {
		if pe := lendOne(); pe != nil || p.running["x"] != i+1 {
			t.Fatalf("lend %d under the cap: %v, %d running; want to start one", i+1, pe, p.running["x"])
		}
	}
	back := &pooledEngine{}
	got := make(chan *pooledEngine)
	go func() { got <- lendOne() }()
	p.mu.Lock()
	p.idle["x"] = append(p.idle["x"], back)
	p.notify()
	p.mu.Unlock()
	if pe := <-got; pe != back || p.running["x"] != perEngine {
		t.Fatalf("at the cap: %v, %d running; want the engine that came back, %d running", pe, p.running["x"], perEngine)
	}
	start := time.Now()
	if pe := lendOne(); pe != nil || p.running["x"] != perEngine+1 || time.Since(start) < lendWait {
		t.Fatalf("at the cap, none back: %v after %s, %d running; want to start one more after %s", pe, time.Since(start), p.running["x"], lendWait)
	}
	// A test that holds one already, or whose parent does, does not wait:
	// the one it would wait for may be its own.
	lendWait = time.Hour
	p.hold("x", "TestB")
	for _, test := range []string{"TestB", "TestB/sub"} {
		running := p.running["x"]
		p.mu.Lock()
		pe := p.idleOrSlot("x", test)
		p.mu.Unlock()
		if pe != nil || p.running["x"] != running+1 {
			t.Fatalf("%s, holding one, at the cap: %v, %d running; want to start one more at once", test, pe, p.running["x"])
		}
	}
	p.release("x", "TestB")
	if p.holdsOne("x", "TestB") || p.holdsOne("x", "TestBB") {
		t.Fatal("a released engine, or a test of a similar name, counts as held")
	}
}
