package gen_test

import (
	"encoding/hex"
	"fmt"
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strconv"
	"strings"
	"testing"

	"github.com/corskit/corskit/gen"
	"github.com/corskit/corskit/internal/servertest"
)

// markedPiece is target's marked piece number i for c, as the doctor
// prints it.
func markedPiece(t *testing.T, target string, c frameworkCase, i int) string {
	t.Helper()
	o := gen.Options{Policy: c.cfg, BestEffort: c.hostile}
	parts, _, err := gen.Parts(target, o)
	if err != nil || len(parts) <= i {
		t.Fatalf("%s %s: %v, %d pieces", target, c.name, err, len(parts))
	}
	return parts[i].Text
}

// springAPI declares, with Spring's documented signatures, the types the
// marked piece uses (WebMvcConfigurer, CorsRegistry.addMapping and
// CorsRegistration's methods), each recording its arguments, so that javac
// checks the piece's calls and argument types and the program prints the
// values it passes. It is not Spring: Spring 5.3+ is not packaged here.
const springAPI = `import java.nio.charset.StandardCharsets;
import java.util.*;

@interface Bean {}
interface WebMvcConfigurer { default void addCorsMappings(CorsRegistry registry) {} }
class CorsRegistry {
  CorsRegistration registration;
  public CorsRegistration addMapping(String pathPattern) { registration = new CorsRegistration(); return registration.rec("addMapping", pathPattern); }
}
class CorsRegistration {
  List<List<String>> calls = new ArrayList<>();
  CorsRegistration rec(String name, String... args) {
    List<String> c = new ArrayList<>(List.of(name));
    for (String a : args) c.add(HexFormat.of().formatHex(a.getBytes(StandardCharsets.UTF_8)));
    calls.add(c);
    return this;
  }
  public CorsRegistration allowedOrigins(String... origins) { return rec("allowedOrigins", origins); }
  public CorsRegistration allowedOriginPatterns(String... patterns) { return rec("allowedOriginPatterns", patterns); }
  public CorsRegistration allowedMethods(String... methods) { return rec("allowedMethods", methods); }
  public CorsRegistration allowedHeaders(String... headers) { return rec("allowedHeaders", headers); }
  public CorsRegistration exposedHeaders(String... headers) { return rec("exposedHeaders", headers); }
  public CorsRegistration allowCredentials(boolean allowCredentials) { return rec("allowCredentials", String.valueOf(allowCredentials)); }
  public CorsRegistration maxAge(long maxAge) { return rec("maxAge", String.valueOf(maxAge)); }
}
`

// springPattern is Spring's reading of an allowedOriginPatterns value
// (OriginPattern): * is any characters, and a trailing :[*] any port.
func springPattern(p string) *regexp.Regexp {
	port := ""
	if rest, ok := strings.CutSuffix(p, ":[*]"); ok {
		p, port = rest, `(:\d+)?`
	}
	return regexp.MustCompile("^" + strings.ReplaceAll(regexp.QuoteMeta(p), `\*`, ".*") + port + "$")
}

// TestFrameworkSpring: Spring Boot is not packaged here, so javac compiles
// every case's marked piece (the @Bean the doctor prints) against Spring's
// documented signatures, and the values it passes are the policy's byte
// for byte; its origins and patterns, read as Spring reads them, admit
// exactly the policy's origins.
func TestFrameworkSpring(t *testing.T) {
	t.Parallel()
	javac := servertest.Need(t, "javac")
	java := servertest.Need(t, "java")
	cases := frameworkCases("spring")
	var b strings.Builder
	b.WriteString(springAPI)
	for i, c := range cases {
		fmt.Fprintf(&b, "class P%d {\n%s}\n", i, markedPiece(t, "spring", c, 0))
	}
	b.WriteString("public class Main {\n  public static void main(String[] a) {\n    List<List<List<String>>> out = new ArrayList<>();\n")
	for i := range cases {
		fmt.Fprintf(&b, "    { CorsRegistry r = new CorsRegistry(); new P%d().corsConfigurer().addCorsMappings(r); out.add(r.registration.calls); }\n", i)
	}
	b.WriteString("    StringBuilder s = new StringBuilder();\n    for (List<List<String>> calls : out) { s.append(s.length() == 0 ? \"[\" : \",\").append('['); for (int j = 0; j < calls.size(); j++) { s.append(j == 0 ? \"[\" : \",[\"); for (int k = 0; k < calls.get(j).size(); k++) s.append(k == 0 ? \"\" : \",\").append('\"').append(calls.get(j).get(k)).append('\"'); s.append(']'); } s.append(']'); }\n    System.out.print(s.append(']'));\n  }\n}\n")
	dir := t.TempDir()
	file := filepath.Join(dir, "Main.java")
	os.WriteFile(file, []byte(b.String()), 0o600)
	if out, err := execOut(javac, "-encoding", "UTF-8", "-d", dir, file); err != nil {
		t.Fatalf("javac: %v\n%s\n%s", err, out, b.String())
	}
	var got [][][]string
	runJSON(t, nil, &got, java, "-cp", dir, "Main")
	if len(got) != len(cases) {
		t.Fatalf("%d registrations for %d cases", len(got), len(cases))
	}
	for i, c := range cases {
		calls := decodeCalls(t, got[i])
		if !slices.Equal(calls["addMapping"], []string{"/**"}) || !slices.Equal(calls["allowedMethods"], wantMethods(c.cfg)) || !slices.Equal(calls["allowedHeaders"], orEmpty(c.cfg.AllowHeaders)) || !slices.Equal(calls["exposedHeaders"], orEmpty(c.cfg.ExposeHeaders)) {
			t.Errorf("%s: %q", c.name, calls)
		}
		if !slices.Equal(calls["allowCredentials"], []string{strconv.FormatBool(c.cfg.AllowCredentials)}) || !slices.Equal(calls["maxAge"], []string{strconv.Itoa(max(c.cfg.MaxAge, 0))}) {
			t.Errorf("%s: allowCredentials %q maxAge %q", c.name, calls["allowCredentials"], calls["maxAge"])
		}
		var admitted []bool
		for _, o := range frameworkOrigins {
			ok := slices.Contains(calls["allowedOrigins"], o) || slices.Contains(calls["allowedOrigins"], "*") ||
				slices.ContainsFunc(calls["allowedOriginPatterns"], func(p string) bool { return springPattern(p).MatchString(o) })
			admitted = append(admitted, ok)
		}
		checkAdmitted(t, "spring", c, frameworkOrigins, admitted)
	}
}

// decodeCalls maps each recorded call's name to its arguments, decoded
// from hex; a call made twice is an error.
func decodeCalls(t *testing.T, calls [][]string) map[string][]string {
	t.Helper()
	out := map[string][]string{}
	for _, c := range calls {
		if _, twice := out[c[0]]; twice {
			t.Errorf("%s is called twice", c[0])
		}
		args := []string{}
		for _, h := range c[1:] {
			v, err := hex.DecodeString(h)
			if err != nil {
				t.Fatalf("%s: %q is not hex", c[0], h)
			}
			args = append(args, string(v))
		}
		out[c[0]] = args
	}
	return out
}
