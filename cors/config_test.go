package cors_test

import (
	"errors"
	"strconv"
	"strings"
	"testing"

	"github.com/corskit/corskit/cors"
)

var configTests = []struct {
	desc  string
	cfg   cors.Config
	field string // field of the single expected error; empty when valid
	value string
	want  string // substring of the message
}{
	{desc: "valid", cfg: cors.Config{AllowOrigins: []string{"https://app.example.com", "https://*.example.com", "http://localhost:*"},
		AllowMethods: []string{"GET", "POST", "PUT", "DELETE", "PATCH"}, AllowHeaders: []string{"Content-Type", "Authorization"},
		ExposeHeaders: []string{"X-Request-Id"}, AllowCredentials: true, MaxAge: 600}},
	{desc: "valid wildcard without credentials", cfg: cors.Config{AllowOrigins: []string{"*"}, AllowHeaders: []string{"*"}, ExposeHeaders: []string{"*"}, AllowMethods: []string{"*"}}},
	{desc: "redundant entries are fine", cfg: cors.Config{AllowOrigins: []string{"https://app.example.com", "https://*.example.com"}}},
	{desc: "loopback http with credentials", cfg: cors.Config{AllowOrigins: []string{"http://localhost:3000", "http://127.0.0.1:5173", "http://[::1]:8080"}, AllowCredentials: true}},
	{desc: "max age -1", cfg: cors.Config{AllowOrigins: []string{"*"}, MaxAge: -1}},
	{desc: "null with opt-in", cfg: cors.Config{AllowOrigins: []string{"null"}, DangerouslyAllowNullOrigin: true}},
	{desc: "insecure with opt-in", cfg: cors.Config{AllowOrigins: []string{"http://app.example.com"}, AllowCredentials: true, DangerouslyAllowInsecureOriginsWithCredentials: true}},
	{desc: "preflight status 200", cfg: cors.Config{AllowOrigins: []string{"*"}, PreflightStatus: 200}},

	{desc: "no origins", cfg: cors.Config{}, field: "AllowOrigins", value: "", want: "is empty"},
	{desc: "trailing slash", cfg: cors.Config{AllowOrigins: []string{"https://app.example.com/"}}, field: "AllowOrigins", value: "https://app.example.com/", want: `trailing slash; an origin is scheme://host[:port], e.g. "https://app.example.com": use "https://app.example.com"`},
	{desc: "path", cfg: cors.Config{AllowOrigins: []string{"https://app.example.com/login"}}, field: "AllowOrigins", value: "https://app.example.com/login", want: `use "https://app.example.com"`},
	{desc: "query", cfg: cors.Config{AllowOrigins: []string{"https://app.example.com?a"}}, field: "AllowOrigins", value: "https://app.example.com?a", want: "query"},
	{desc: "user info", cfg: cors.Config{AllowOrigins: []string{"https://u@app.example.com"}}, field: "AllowOrigins", value: "https://u@app.example.com", want: "user info"},
	{desc: "upper case", cfg: cors.Config{AllowOrigins: []string{"https://App.example.com"}}, field: "AllowOrigins", value: "https://App.example.com", want: `use "https://app.example.com"`},
	{desc: "default port", cfg: cors.Config{AllowOrigins: []string{"https://x.com:443"}}, field: "AllowOrigins", value: "https://x.com:443", want: `use "https://x.com"`},
	{desc: "missing scheme", cfg: cors.Config{AllowOrigins: []string{"app.example.com"}}, field: "AllowOrigins", value: "app.example.com", want: `use "https://app.example.com"`},
	{desc: "spaces", cfg: cors.Config{AllowOrigins: []string{"https://app.example.com "}}, field: "AllowOrigins", value: "https://app.example.com ", want: `white space`},
	{desc: "wildcard with credentials", cfg: cors.Config{AllowOrigins: []string{"*"}, AllowCredentials: true}, field: "AllowOrigins", value: "*", want: "cannot be used with AllowCredentials"},
	{desc: "null without opt-in", cfg: cors.Config{AllowOrigins: []string{"null"}}, field: "AllowOrigins", value: "null", want: "DangerouslyAllowNullOrigin"},
	{desc: "public suffix", cfg: cors.Config{AllowOrigins: []string{"https://*.com"}}, field: "AllowOrigins", value: "https://*.com", want: "public suffix"},
	{desc: "public suffix github.io", cfg: cors.Config{AllowOrigins: []string{"https://*.github.io"}}, field: "AllowOrigins", value: "https://*.github.io", want: "public suffix"},
	{desc: "insecure with credentials", cfg: cors.Config{AllowOrigins: []string{"http://app.example.com"}, AllowCredentials: true}, field: "AllowOrigins", value: "http://app.example.com", want: "DangerouslyAllowInsecureOriginsWithCredentials"},
	{desc: "insecure subdomains with credentials", cfg: cors.Config{AllowOrigins: []string{"http://*.example.com"}, AllowCredentials: true}, field: "AllowOrigins", value: "http://*.example.com", want: "insecure"},
	{desc: "regexp does not compile", cfg: cors.Config{AllowOrigins: []string{"re:https://(a"}}, field: "AllowOrigins", value: "re:https://(a", want: "does not compile"},
	{desc: "regexp of another scheme", cfg: cors.Config{AllowOrigins: []string{`re:.*\.example\.com`}}, field: "AllowOrigins", value: `re:.*\.example\.com`, want: "other schemes"},
	{desc: "forbidden method CONNECT", cfg: cors.Config{AllowOrigins: []string{"*"}, AllowMethods: []string{"CONNECT"}}, field: "AllowMethods", value: "CONNECT", want: "forbidden method"},
	{desc: "forbidden method trace", cfg: cors.Config{AllowOrigins: []string{"*"}, AllowMethods: []string{"trace"}}, field: "AllowMethods", value: "trace", want: "forbidden method"},
	{desc: "forbidden method TRACK", cfg: cors.Config{AllowOrigins: []string{"*"}, AllowMethods: []string{"TRACK"}}, field: "AllowMethods", value: "TRACK", want: "forbidden method"},
	{desc: "invalid method", cfg: cors.Config{AllowOrigins: []string{"*"}, AllowMethods: []string{"GET POST"}}, field: "AllowMethods", value: "GET POST", want: "not a valid method"},
	{desc: "invalid header", cfg: cors.Config{AllowOrigins: []string{"*"}, AllowHeaders: []string{"X Custom"}}, field: "AllowHeaders", value: "X Custom", want: "not a valid header"},
	{desc: "forbidden header", cfg: cors.Config{AllowOrigins: []string{"*"}, AllowHeaders: []string{"Cookie"}}, field: "AllowHeaders", value: "Cookie", want: "set AllowCredentials"},
	{desc: "forbidden sec- header", cfg: cors.Config{AllowOrigins: []string{"*"}, AllowHeaders: []string{"Sec-Fetch-Site"}}, field: "AllowHeaders", value: "Sec-Fetch-Site", want: "forbidden request header"},
	{desc: "expose wildcard with credentials", cfg: cors.Config{AllowOrigins: []string{"https://a.example.com"}, ExposeHeaders: []string{"*"}, AllowCredentials: true}, field: "ExposeHeaders", value: "*", want: "literally"},
	{desc: "expose Set-Cookie", cfg: cors.Config{AllowOrigins: []string{"*"}, ExposeHeaders: []string{"Set-Cookie"}}, field: "ExposeHeaders", value: "Set-Cookie", want: "never be read"},
	{desc: "expose invalid", cfg: cors.Config{AllowOrigins: []string{"*"}, ExposeHeaders: []string{"X:Y"}}, field: "ExposeHeaders", value: "X:Y", want: "not a valid header"},
	{desc: "max age negative", cfg: cors.Config{AllowOrigins: []string{"*"}, MaxAge: -2}, field: "MaxAge", value: "-2", want: "negative"},
	{desc: "max age too big", cfg: cors.Config{AllowOrigins: []string{"*"}, MaxAge: 86401}, field: "MaxAge", value: "86401", want: "more than 86400"},
	{desc: "preflight status not 2xx", cfg: cors.Config{AllowOrigins: []string{"*"}, PreflightStatus: 302}, field: "PreflightStatus", value: "302", want: "2xx"},
}

func TestNewValidation(t *testing.T) {
	t.Parallel()
	for _, tc := range configTests {
		t.Run(tc.desc, func(t *testing.T) {
			t.Parallel()
			m, err := cors.New(tc.cfg)
			if tc.field == "" {
				if err != nil || m == nil {
					t.Fatalf("New(%+v): got error %v; want none", tc.cfg, err)
				}
				return
			}
			if err == nil || m != nil {
				t.Fatalf("New(%+v): got no error; want one on %s", tc.cfg, tc.field)
			}
			var ce *cors.ConfigError
			if !errors.As(err, &ce) {
				t.Fatalf("New(%+v): got %T; want a *cors.ConfigError", tc.cfg, err)
			}
			if ce.Field != tc.field || ce.Value != tc.value {
				t.Errorf("New: got error on %s %q; want on %s %q", ce.Field, ce.Value, tc.field, tc.value)
			}
			msg := err.Error()
			if !strings.HasPrefix(msg, "cors: "+tc.field+": "+strconv.Quote(tc.value)) || !strings.Contains(msg, tc.want) {
				t.Errorf("New: got message %q; want it to start with the field and quoted value and contain %q", msg, tc.want)
			}
		})
	}
}

func TestNewListsEveryProblem(t *testing.T) {
	t.Parallel()
	_, err := cors.New(cors.Config{
		AllowOrigins:     []string{"https://a.example.com/", "*", "HTTPS://b.example.com"},
		AllowMethods:     []string{"TRACE"},
		AllowHeaders:     []string{"Host"},
		AllowCredentials: true,
		MaxAge:           100000,
	})
	if err == nil {
		t.Fatal("New: got no error; want five")
	}
	joined, ok := err.(interface{ Unwrap() []error })
	if !ok {
		t.Fatalf("New: got %T; want errors joined with errors.Join", err)
	}
	var fields []string
	for _, e := range joined.Unwrap() {
		var ce *cors.ConfigError
		if !errors.As(e, &ce) {
			t.Fatalf("got %T; want *cors.ConfigError", e)
		}
		fields = append(fields, ce.Field+"="+ce.Value)
	}
	want := []string{"AllowOrigins=https://a.example.com/", "AllowOrigins=*", "AllowOrigins=HTTPS://b.example.com", "AllowMethods=TRACE", "AllowHeaders=Host", "MaxAge=100000"}
	if strings.Join(fields, " ") != strings.Join(want, " ") {
		t.Errorf("New: got errors on %q; want %q", fields, want)
	}
}

// TestConfigErrorKindAndFix: every problem carries a kind for programs and
// a fix that is the end of its reason, so that tools need not read English.
func TestConfigErrorKindAndFix(t *testing.T) {
	cases := []struct {
		cfg  cors.Config
		kind cors.ConfigErrorKind
	}{
		{cors.Config{}, cors.KindMissing},
		{cors.Config{AllowOrigins: []string{"https://app.example.com/"}}, cors.KindInvalid},
		{cors.Config{AllowOrigins: []string{"*"}, AllowCredentials: true}, cors.KindUnsafe},
		{cors.Config{AllowOrigins: []string{"null"}}, cors.KindUnsafe},
		{cors.Config{AllowOrigins: []string{"http://app.example.com"}, AllowCredentials: true}, cors.KindUnsafe},
		{cors.Config{AllowOrigins: []string{"*"}, AllowMethods: []string{"GE T"}}, cors.KindInvalid},
		{cors.Config{AllowOrigins: []string{"*"}, AllowMethods: []string{"CONNECT"}}, cors.KindIneffective},
		{cors.Config{AllowOrigins: []string{"*"}, AllowHeaders: []string{"Cookie"}}, cors.KindIneffective},
		{cors.Config{AllowOrigins: []string{"*"}, ExposeHeaders: []string{"Set-Cookie"}}, cors.KindIneffective},
		{cors.Config{AllowOrigins: []string{"*"}, MaxAge: -5}, cors.KindOutOfRange},
		{cors.Config{AllowOrigins: []string{"*"}, MaxAge: 100000}, cors.KindOutOfRange},
		{cors.Config{AllowOrigins: []string{"*"}, PreflightStatus: 302}, cors.KindOutOfRange},
	}
	for _, tc := range cases {
		_, err := cors.New(tc.cfg)
		var ce *cors.ConfigError
		if !errors.As(err, &ce) {
			t.Fatalf("New(%+v): %v; want a *ConfigError", tc.cfg, err)
		}
		if ce.Kind != tc.kind || ce.Fix == "" || !strings.HasSuffix(ce.Reason, ce.Fix) {
			t.Errorf("New(%+v): kind %q, fix %q, reason %q; want kind %q and a fix that ends the reason", tc.cfg, ce.Kind, ce.Fix, ce.Reason, tc.kind)
		}
	}
}
