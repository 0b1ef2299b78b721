package check_test

import (
	"bytes"
	"context"
	"encoding/json"
	"os"
	"slices"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/check"
	"github.com/corskit/corskit/internal/browsertest"
	"github.com/corskit/corskit/internal/cli"
	"github.com/corskit/corskit/internal/scenario"
)

// defaultSeed makes CI deterministic; CORSKIT_SEED replays or explores others.
const defaultSeed = 20261129

func envInt(name string, def uint64) uint64 {
	if v, err := strconv.ParseUint(os.Getenv(name), 10, 64); err == nil {
		return v
	}
	return def
}

// TestModelAgainstChromium runs generated scenarios in headless Chromium and,
// for each, asks the browser model (over real HTTP, to the same scripted
// server) and corskit check (the command, end to end, with --json) what the
// browser does. Verdict, console message (byte for byte), whether a preflight
// was sent, the status and the readable response headers must all equal what
// Chromium did. CORSKIT_SEED and CORSKIT_SCENARIOS choose the scenarios.
func TestModelAgainstChromium(t *testing.T) {
	b := browsertest.Start(t)
	seed := envInt("CORSKIT_SEED", defaultSeed)
	n := int(envInt("CORSKIT_SCENARIOS", 520))
	srv := scenario.NewServer()
	defer srv.Close()
	scs := scenario.Generate(seed, n, b.Origin())
	srv.Add(scs...)
	t.Logf("seed %d, %d scenarios (replay: CORSKIT_SEED=%d go test ./check -run TestModelAgainstChromium)", seed, n, seed)

	reasons := map[string]int{}
	allowed, preflights, failures := 0, 0, 0
	for _, sc := range scs {
		url := srv.URL(sc)
		breq := browsertest.Request{URL: url, Method: sc.Method, Credentials: string(sc.Credentials)}
		if len(sc.Headers) > 0 {
			breq.Headers = map[string]string{}
			for _, h := range sc.Headers {
				breq.Headers[h.Name] = h.Value
			}
		}
		if sc.Body() {
			breq.Body = "x"
		}
		chrome := b.Fetch(t, breq)
		chromeMsg := ""
		for _, line := range chrome.Console {
			if strings.Contains(line, "blocked by CORS policy") {
				chromeMsg = line
				break
			}
		}
		chromePreflight := slices.ContainsFunc(srv.Seen(sc.ID), func(s scenario.Seen) bool { return s.Preflight })
		slices.Sort(chrome.Headers)

		// The model, over real HTTP.
		req := browser.Request{Origin: b.Origin(), URL: url, Method: sc.Method, Headers: sc.Headers, Credentials: sc.Credentials, Body: sc.Body()}
		v := browser.Fetch(req, check.Transport(context.Background(), check.Options{Body: breq.Body, Timeout: 5 * time.Second}))
		if v.Allowed {
			allowed++
		}
		if chromePreflight {
			preflights++
		}
		reasons[string(v.Reason)]++
		var problems []string
		if v.Allowed != chrome.OK {
			problems = append(problems, "verdict: model allowed="+strconv.FormatBool(v.Allowed)+", Chromium ok="+strconv.FormatBool(chrome.OK)+" ("+chrome.Error+")")
		}
		if v.Message != chromeMsg && !slices.Contains(v.Alternatives, chromeMsg) {
			problems = append(problems, "message:\n    model    "+strconv.Quote(v.Message)+"\n    Chromium "+strconv.Quote(chromeMsg)+"\n    (if only the wording differs, this Chromium words the message differently from Chromium 156)")
		}
		if v.Preflight != chromePreflight {
			problems = append(problems, "preflight: model sent="+strconv.FormatBool(v.Preflight)+", Chromium sent="+strconv.FormatBool(chromePreflight))
		}
		if chrome.OK && (v.Status != chrome.Status || !slices.Equal(v.Readable, chrome.Headers)) {
			problems = append(problems, "response: model status "+strconv.Itoa(v.Status)+" readable "+strings.Join(v.Readable, ",")+"; Chromium status "+strconv.Itoa(chrome.Status)+" readable "+strings.Join(chrome.Headers, ","))
		}

		// corskit check, end to end.
		args := []string{"check", url, "--origin", b.Origin(), "-X", sc.Method, "--credentials", string(sc.Credentials), "--json", "--timeout", "5s"}
		for _, h := range sc.Headers {
			args = append(args, "-H", h.Name+": "+h.Value)
		}
		if sc.Body() {
			args = append(args, "-d", "x")
		}
		var out, errb bytes.Buffer
		code := cli.Run(args, &out, &errb)
		var j check.JSON
		if err := json.Unmarshal(out.Bytes(), &j); err != nil {
			problems = append(problems, "corskit check: no JSON ("+err.Error()+"): "+errb.String())
		} else {
			wantCode := cli.ExitFail
			if chrome.OK {
				wantCode = cli.ExitOK
			}
			if j.Allowed != chrome.OK || j.Message != chromeMsg && !slices.Contains(j.Alternatives, chromeMsg) || j.Preflight.Sent != chromePreflight || code != wantCode ||
				chrome.OK && !slices.Equal(j.ReadableHeaders, chrome.Headers) {
				problems = append(problems, "corskit check: allowed="+strconv.FormatBool(j.Allowed)+" exit="+strconv.Itoa(code)+" preflight="+strconv.FormatBool(j.Preflight.Sent)+
					" readable="+strings.Join(j.ReadableHeaders, ",")+" message="+strconv.Quote(j.Message))
			}
		}
		if len(problems) > 0 {
			failures++
			t.Errorf("seed %d, scenario %s\n  %s", seed, sc, strings.Join(problems, "\n  "))
			if failures >= 15 {
				t.Fatalf("stopping after %d failing scenarios", failures)
			}
		}
	}
	t.Logf("%d allowed, %d blocked, %d preflighted; reasons %v", allowed, n-allowed, preflights, reasons)
	// The generator must keep producing a useful mix.
	if n >= 200 && (allowed < n/5 || n-allowed < n/3 || len(reasons) < 10) {
		t.Errorf("scenario mix too narrow: %d allowed of %d, %d distinct reasons", allowed, n, len(reasons))
	}
}
