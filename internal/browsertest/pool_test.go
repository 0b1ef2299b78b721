package browsertest

import (
	"net/http"
	"net/http/httptest"
	"testing"
)

// TestSharedEngineIsLentResetAndReused: with sharing on (as Main turns it
// on), a second test gets the same Chromium back, on its own page again and
// without the cookies the first test left; a test that holds one engine
// and asks for another of the same name gets a second one.
func TestSharedEngineIsLentResetAndReused(t *testing.T) {
	pool.mu.Lock()
	was := pool.enabled
	pool.enabled = true
	pool.mu.Unlock()
	t.Cleanup(func() {
		pool.mu.Lock()
		pool.enabled = was
		pool.mu.Unlock()
		pool.stopAll()
	})
	var page string
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Access-Control-Allow-Origin", page)
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
		e := StartEngine(t, "chromium")
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
		e := StartEngine(t, "chromium")
		if e.Origin() != page {
			t.Fatalf("a new browser (page %s), not the shared one (%s)", e.Origin(), page)
		}
		if hadCookie(t, e) {
			t.Error("the first test's cookie reached the second test")
		}
		if res := e.Fetch(t, Request{URL: api.URL + "/get"}); res.PageURL != page+"/" {
			t.Errorf("the second test's fetch ran from %s, not from the engine's own page %s/", res.PageURL, page)
		}
		if other := StartEngine(t, "chromium"); other.Origin() == page {
			t.Error("a test holding the shared Chromium was lent the same one again")
		}
	})
}
