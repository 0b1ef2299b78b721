package gen_test

import (
	"fmt"
	"math/rand/v2"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/corskit/corskit/browser"
	"github.com/corskit/corskit/cors"
	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/buckets"
	"github.com/corskit/corskit/internal/servertest"
	"github.com/corskit/corskit/lint"
)

// seedFromEnv is CORSKIT_SEED, or a fresh seed.
func seedFromEnv() uint64 {
	if v, err := strconv.ParseUint(os.Getenv("CORSKIT_SEED"), 10, 64); err == nil {
		return v
	}
	return uint64(time.Now().UnixNano())
}

// randomStoragePolicy draws a policy of the kind bucket users write: a few
// origins (a subdomain pattern, sometimes *), upload methods, headers among
// them names holding a * (x-amz-meta-*, which the policy reads as a
// character), exposed headers and a max-age.
func randomStoragePolicy(r *rand.Rand) cors.Config {
	pick := func(pool []string, p float64) []string {
		var out []string
		for _, v := range pool {
			if r.Float64() < p {
				out = append(out, v)
			}
		}
		return out
	}
	var cfg cors.Config
	if r.IntN(6) == 0 {
		cfg.AllowOrigins = []string{"*"}
	} else if cfg.AllowOrigins = pick([]string{"https://app.example.com", "http://localhost:5173", "https://admin.example.com"}, 0.5); r.IntN(4) == 0 || len(cfg.AllowOrigins) == 0 {
		cfg.AllowOrigins = append(cfg.AllowOrigins, []string{"https://*.example.com", "https://app.example.com"}[r.IntN(2)])
	}
	cfg.AllowMethods = pick([]string{"PUT", "DELETE", "POST"}, 0.5)
	cfg.AllowHeaders = pick([]string{"Content-Type", "X-Custom", "x-ms-blob-type", "x-amz-meta-color"}, 0.35)
	if r.IntN(4) == 0 {
		cfg.AllowHeaders = append(cfg.AllowHeaders, []string{"x-amz-meta-*", "x-ms-meta-*"}[r.IntN(2)])
	}
	cfg.ExposeHeaders = pick([]string{"ETag", "Content-Length"}, 0.35)
	if r.IntN(8) == 0 {
		cfg.ExposeHeaders = append(cfg.ExposeHeaders, "x-ms-meta-*")
	}
	cfg.MaxAge = []int{0, 60, 600}[r.IntN(3)]
	return cfg
}

// brief is a policy's lists, for a failure's message.
func brief(c cors.Config) string {
	return fmt.Sprintf("origins %v methods %v headers %v expose %v", c.AllowOrigins, c.AllowMethods, c.AllowHeaders, c.ExposeHeaders)
}

// storageRequests is the request matrix each random policy's rules answer:
// 4 origins, 3 methods, 6 header sets (credentials omitted: that S3 and
// Azure send Access-Control-Allow-Credentials to every named origin is
// their documented difference, asserted in TestStorageInRealEngines).
func storageRequests() []browser.Request {
	h := func(kv ...string) []browser.Header {
		var out []browser.Header
		for i := 0; i < len(kv); i += 2 {
			out = append(out, browser.Header{Name: kv[i], Value: kv[i+1]})
		}
		return out
	}
	var out []browser.Request
	for _, o := range []string{"https://app.example.com", "http://localhost:5173", "https://a.example.com", "https://evil.test"} {
		for _, m := range []string{"GET", "PUT", "DELETE"} {
			for _, hs := range [][]browser.Header{nil, h("Content-Type", "application/json"), h("x-amz-meta-color", "red"), h("x-ms-meta-color", "red"), h("X-Custom", "1"), h("x-ms-blob-type", "BlockBlob", "Content-Type", "text/plain")} {
				out = append(out, browser.Request{Origin: o, Method: m, Headers: hs, Credentials: browser.Omit, Body: m != "GET"})
			}
		}
	}
	return out
}

// expectedFindings are the lint findings gen's own rules for cfg warrant on
// service s: * as an origin, and an S3 rule with PUT that hides ETag or
// refuses Content-Type.
func expectedFindings(s buckets.Service, cfg cors.Config) []string {
	var out []string
	if slices.Contains(cfg.AllowOrigins, "*") {
		out = append(out, "storage-any-origin")
	}
	if s == buckets.S3 && slices.Contains(cfg.AllowMethods, "PUT") {
		if !slices.Contains(cfg.ExposeHeaders, "ETag") {
			out = append(out, "s3-upload-etag-hidden")
		}
		if !slices.Contains(cfg.AllowHeaders, "Content-Type") {
			out = append(out, "s3-upload-content-type")
		}
	}
	return out
}

// lintRules writes c as the service's file and lints it.
func lintRules(t *testing.T, c buckets.Config) []string {
	t.Helper()
	name, data := "cors.json", c.ToS3().JSON()
	if c.Service == buckets.Azure {
		name, data = "cors.xml", "<StorageServiceProperties><Cors>"+c.AzureXMLRules("")+"</Cors></StorageServiceProperties>"
	}
	p := filepath.Join(t.TempDir(), name)
	if err := os.WriteFile(p, []byte(data), 0o600); err != nil {
		t.Fatal(err)
	}
	fs, err := lint.File(p)
	if err != nil {
		t.Fatal(err)
	}
	var out []string
	for _, f := range fs {
		out = append(out, f.Rule)
	}
	slices.Sort(out)
	return slices.Compact(out)
}

// TestStorageRandomPolicies draws fresh policies (CORSKIT_SEED replays a
// seed, CORSKIT_POLICIES sets how many), generates their s3 and azure-blob
// rules, loads them into s3rver and Azurite, and holds what the browser
// model makes of each answer over the request matrix to the policy: equal
// where the rules are written whole, never wider where --best-effort left a
// part out. lint then reviews the same rules: gen's own draw only the
// findings they warrant, an origin given a path is a rule that never
// matches, and a rule whose headers a wider rule above admits is shadowed.
func TestStorageRandomPolicies(t *testing.T) {
	t.Parallel()
	servertest.Need(t, "node")
	servertest.NPMModules(t, servertest.S3rverPackage, servertest.AzuritePackage)
	seed := seedFromEnv()
	n, _ := strconv.Atoi(os.Getenv("CORSKIT_POLICIES"))
	if n <= 0 {
		n = 1 // CI's own step draws 12
	}
	t.Logf("seed %d, %d policies (replay: CORSKIT_SEED=%d go test ./gen -run TestStorageRandomPolicies -v)", seed, n, seed)
	r := rand.New(rand.NewPCG(seed, 0))
	tally := map[buckets.Service]*storageCounts{buckets.S3: {}, buckets.Azure: {}}
	drawn := map[buckets.Service][]writtenRules{}
	// n policies, and more (up to 10n) until one is written whole: a draw
	// of n that all need --best-effort would test nothing whole.
	whole := 0
	for i := 0; i < n || whole == 0 && i < 10*n; i++ {
		cfg := randomStoragePolicy(r)
		for _, s := range []buckets.Service{buckets.S3, buckets.Azure} {
			out, omitted, err := gen.Generate(string(s), gen.Options{Policy: cfg, Format: "xml", BestEffort: true})
			if err != nil {
				tally[s].refused++
				continue
			}
			rules, err := buckets.Parse(s, []byte(out))
			if err != nil {
				t.Fatal(err)
			}
			drawn[s] = append(drawn[s], writtenRules{cfg, len(omitted) == 0, out, rules})
			if len(omitted) == 0 {
				whole++
			}
		}
	}
	buckets3 := map[string]string{}
	for i, w := range drawn[buckets.S3] {
		buckets3[fmt.Sprintf("p%d", i)] = w.xml
	}
	s3 := servertest.S3rver(t, buckets3)
	// Each policy on each service is a parallel subtest: they wait on the
	// emulators, one request at a time. The group returns when all are done.
	var mu sync.Mutex
	t.Run("policies", func(t *testing.T) {
		for s, ws := range drawn {
			for i, w := range ws {
				t.Run(fmt.Sprintf("%s/p%d", s, i), func(t *testing.T) {
					t.Parallel()
					base := fmt.Sprintf("%s/p%d", s3, i)
					if s == buckets.Azure {
						base = servertest.Azurite(t, w.xml)
					}
					var c storageCounts
					holdRandomPolicy(t, s, w, base, &c)
					mu.Lock()
					defer mu.Unlock()
					tally[s].add(c)
				})
			}
		}
	})
	for _, s := range []buckets.Service{buckets.S3, buckets.Azure} {
		c := tally[s]
		t.Logf("%s: generated rules agree with the policy on the emulator on %d of %d requests (%d policies written whole); --best-effort rules never wider on %d of %d; %d refused; lint %d of %d checks",
			s, c.agree, c.requests, c.whole, c.narrower, c.bestEffort, c.refused, c.lintOK, c.lintChecks)
	}
	if tally[buckets.S3].requests+tally[buckets.Azure].requests == 0 {
		t.Fatalf("seed %d: no policy written whole in %d draws", seed, 10*n)
	}
}

// writtenRules are a drawn policy's rules for one service: written whole,
// or with parts left out (--best-effort).
type writtenRules struct {
	cfg   cors.Config
	whole bool
	xml   string
	rules buckets.Config
}

// storageCounts tallies TestStorageRandomPolicies' checks on one service.
type storageCounts struct{ agree, requests, narrower, bestEffort, whole, refused, lintOK, lintChecks int }

func (c *storageCounts) add(o storageCounts) {
	c.agree += o.agree
	c.requests += o.requests
	c.narrower += o.narrower
	c.bestEffort += o.bestEffort
	c.whole += o.whole
	c.refused += o.refused
	c.lintOK += o.lintOK
	c.lintChecks += o.lintChecks
}

// holdRandomPolicy holds the rules w written on service s, loaded at
// base, to their policy over the request matrix (equal when written whole,
// never wider when not), then lint to the findings they warrant.
func holdRandomPolicy(t *testing.T, s buckets.Service, w writtenRules, base string, c *storageCounts) {
	for _, req := range storageRequests() {
		req.URL = base + "/k"
		if req.Method == "DELETE" {
			req.URL = base + "/gone" // the object the GETs read stays
		}
		got, msg := emulatorAllows(t, req.URL, req.Origin, req.Method, req.Headers...)
		want := allows(w.cfg, req)
		switch {
		case w.whole:
			c.requests++
			if got == want {
				c.agree++
			} else {
				t.Errorf("%s %s: %s %s %v: the emulator's answer allowed=%v (%s), the policy %v", s, brief(w.cfg), req.Origin, req.Method, req.Headers, got, msg, want)
			}
		default:
			c.bestEffort++
			if !got || want {
				c.narrower++
			} else {
				t.Errorf("%s --best-effort %s: %s %s %v: allowed, the policy refuses it", s, brief(w.cfg), req.Origin, req.Method, req.Headers)
			}
		}
	}
	if !w.whole {
		return
	}
	c.whole++
	// lint: gen's own rules, one origin given a path, and a wider
	// rule above.
	check := func(what string, got, want []string) {
		c.lintChecks++
		if slices.Equal(got, want) {
			c.lintOK++
		} else {
			t.Errorf("lint %s %s (%s): findings %v, want %v", s, what, brief(w.cfg), got, want)
		}
	}
	want := expectedFindings(s, w.cfg)
	slices.Sort(want)
	check("gen's rules", lintRules(t, w.rules), want)
	pathed := w.rules
	pathed.Rules = slices.Clone(w.rules.Rules)
	pathed.Rules[0].Origins = []string{"https://app.example.com/uploads"}
	if got := lintRules(t, pathed); slices.Contains(got, "storage-rule-never-matches") {
		check("an origin with a path", nil, nil)
	} else {
		check("an origin with a path", got, []string{"storage-rule-never-matches"})
	}
	wider := w.rules.Rules[0]
	wider.Headers = []string{"x-*"}
	for _, h := range w.rules.Rules[0].Headers {
		if h != "*" {
			wider.Headers = append(wider.Headers, h[:2]+"*")
		} else {
			wider.Headers = []string{"*"}
			break
		}
	}
	shadowed := w.rules
	shadowed.Rules = append([]buckets.Rule{wider}, w.rules.Rules...)
	if got := lintRules(t, shadowed); slices.Contains(got, "storage-rule-shadowed") {
		check("a wider rule above", nil, nil)
	} else {
		check("a wider rule above", got, []string{"storage-rule-shadowed"})
	}
}
