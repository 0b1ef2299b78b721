package browser

import (
	"encoding/json"
	"net/http"
	"os"
	"slices"
	"strings"
	"testing"
)

// corpusScenario is one recorded Chromium 156 run (testdata, a copy of the
// project's shared reference corpus).
type corpusScenario struct {
	ID         string `json:"id"`
	PageOrigin string `json:"page_origin"`
	URL        string `json:"url"`
	Request    struct {
		Method      string      `json:"method"`
		Headers     [][2]string `json:"headers"`
		Credentials string      `json:"credentials"`
	} `json:"request"`
	Preflight corpusResponse `json:"preflight_response"`
	Actual    corpusResponse `json:"actual_response"`
	Chromium  struct {
		Allowed  bool     `json:"allowed"`
		Status   int      `json:"status"`
		Readable []string `json:"readable_headers"`
		Console  []string `json:"console"`
	} `json:"chromium"`
}

type corpusResponse struct {
	Status   int         `json:"status"`
	Headers  [][2]string `json:"headers"`
	Location string      `json:"location"`
}

func (c corpusResponse) incoming(extra ...string) Incoming {
	h := http.Header{}
	for _, kv := range c.Headers {
		h.Add(kv[0], kv[1])
	}
	if c.Location != "" {
		h.Set("Location", c.Location)
	}
	for i := 0; i < len(extra); i += 2 {
		h.Set(extra[i], extra[i+1])
	}
	return Incoming{Status: c.Status, Header: h}
}

// TestRecordedChromiumCorpus replays 360 recorded Chromium runs through the
// model: verdict, console message, status and readable headers must match.
func TestRecordedChromiumCorpus(t *testing.T) {
	t.Parallel()
	data, err := os.ReadFile("testdata/chromium-156-scenarios.json")
	if err != nil {
		t.Fatal(err)
	}
	var scenarios []corpusScenario
	if err := json.Unmarshal(data, &scenarios); err != nil {
		t.Fatal(err)
	}
	if len(scenarios) != 360 {
		t.Fatalf("got %d scenarios; want 360", len(scenarios))
	}
	for _, s := range scenarios {
		req := Request{Origin: s.PageOrigin, URL: s.URL, Method: s.Request.Method, Credentials: Credentials(s.Request.Credentials)}
		for _, kv := range s.Request.Headers {
			req.Headers = append(req.Headers, Header{kv[0], kv[1]})
		}
		req.Body = req.Method != "GET" && req.Method != "HEAD"
		v := Fetch(req, func(o Outgoing) (Incoming, error) {
			if o.Method == "OPTIONS" {
				return s.Preflight.incoming(), nil
			}
			// The recording server was Go's net/http, which adds these.
			return s.Actual.incoming("Date", "Sun, 29 Nov 2026 00:00:00 GMT", "Content-Length", "2"), nil
		})
		want := ""
		if len(s.Chromium.Console) > 0 {
			want = s.Chromium.Console[0]
		}
		if v.Allowed != s.Chromium.Allowed || v.Message != want {
			t.Errorf("%s: %s %v %s, preflight %+v, actual %+v:\n got  allowed=%v %q\n want allowed=%v %q",
				s.ID, req.Method, req.Headers, req.Credentials, s.Preflight, s.Actual, v.Allowed, v.Message, s.Chromium.Allowed, want)
			continue
		}
		if v.Allowed && (v.Status != s.Chromium.Status || !slices.Equal(v.Readable, s.Chromium.Readable)) {
			t.Errorf("%s: got status %d, readable %q; want %d, %q (actual %+v)", s.ID, v.Status, v.Readable, s.Chromium.Status, s.Chromium.Readable, s.Actual)
		}
		if strings.Contains(want, "preflight") != v.Preflight && !v.Preflight {
			t.Errorf("%s: the console speaks of a preflight but the model sent none", s.ID)
		}
	}
}
