package cli

import (
	"bytes"
	"encoding/json"
	"net"
	"strings"
	"sync"
	"testing"
)

// TestReportSentencesSpeakFlags: the doctor's sentences name Options
// fields (check's TestLibraryTextNamesNoFlags holds it to that); the
// command line prints the flag instead, in text and in --json. The server
// here accepts connections and never answers, so the check times out and
// the problem says to raise the time limit.
func TestReportSentencesSpeakFlags(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var held []net.Conn
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			held = append(held, c)
			mu.Unlock()
		}
	}()
	t.Cleanup(func() {
		ln.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range held {
			c.Close()
		}
	})
	args := []string{"check", "http://" + ln.Addr().String() + "/data", "--origin", "http://localhost:3000", "--timeout", "300ms", "--browser", "chromium"}

	var out, errb bytes.Buffer
	Run(args, &out, &errb)
	if text := out.String(); !strings.Contains(text, "raise --timeout") || strings.Contains(text, "Options.") {
		t.Errorf("text report: want the problem to say \"raise --timeout\" and no Options. name:\n%s\n%s", text, errb.String())
	}

	out.Reset()
	errb.Reset()
	Run(append(args, "--json"), &out, &errb)
	var j struct {
		Problems []struct{ Sentence string } `json:"problems"`
	}
	if err := json.Unmarshal(out.Bytes(), &j); err != nil || len(j.Problems) == 0 {
		t.Fatalf("--json: %v, %d problems\n%s\n%s", err, len(j.Problems), out.String(), errb.String())
	}
	if s := j.Problems[0].Sentence; !strings.Contains(s, "raise --timeout") || strings.Contains(s, "Options.") {
		t.Errorf("--json's problem: %q; want \"raise --timeout\"", s)
	}
}
