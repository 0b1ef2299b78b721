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

	"github.com/corskit/corskit/cors"
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
	servertest.Need(t, "javac") // a JDK: java compiles the source itself
	java := servertest.Need(t, "java")
	cases := frameworkCases("spring")
	var b strings.Builder
	b.WriteString("import java.nio.charset.StandardCharsets;\nimport java.util.*;\n\n")
	b.WriteString("public class Main {\n  public static void main(String[] a) {\n    List<List<List<String>>> out = new ArrayList<>();\n")
	for i := range cases {
		fmt.Fprintf(&b, "    { CorsRegistry r = new CorsRegistry(); new P%d().corsConfigurer().addCorsMappings(r); out.add(r.registration.calls); }\n", i)
	}
	b.WriteString("    StringBuilder s = new StringBuilder();\n    for (List<List<String>> calls : out) { s.append(s.length() == 0 ? \"[\" : \",\").append('['); for (int j = 0; j < calls.size(); j++) { s.append(j == 0 ? \"[\" : \",[\"); for (int k = 0; k < calls.get(j).size(); k++) s.append(k == 0 ? \"\" : \",\").append('\"').append(calls.get(j).get(k)).append('\"'); s.append(']'); } s.append(']'); }\n    System.out.print(s.append(']'));\n  }\n}\n")
	b.WriteString(strings.TrimPrefix(springAPI, "import java.nio.charset.StandardCharsets;\nimport java.util.*;\n"))
	for i, c := range cases {
		fmt.Fprintf(&b, "class P%d {\n%s}\n", i, markedPiece(t, "spring", c, 0))
	}
	file := filepath.Join(t.TempDir(), "Main.java")
	os.WriteFile(file, []byte(b.String()), 0o600)
	// One JVM compiles (javac's compiler, in source-file mode) and runs.
	var got [][][]string
	runJSON(t, nil, &got, java, append(fastJVM, file)...)
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
	// A policy whose only origin Spring cannot write (--best-effort) admits
	// none: allowedOrigins is set empty, not left to addMapping's default (*).
	out, omitted, err := gen.Generate("spring", gen.Options{Policy: cors.Config{AllowOrigins: []string{`re:https://(a|b)\.example\.com`}}, BestEffort: true})
	if err != nil || len(omitted) != 1 || !strings.Contains(out, ".allowedOrigins()\n") {
		t.Errorf("spring with no writable origin: %v %v\n%s", err, omitted, out)
	}
}

// fastJVM are java's flags for a short run: no optimising compiler, one
// GC thread, and the source compiled with the UTF-8 encoding.
var fastJVM = []string{"-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", "-Dfile.encoding=UTF-8"}

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

// aspnetAPI declares, with ASP.NET Core's documented signatures, the types
// the marked AddCors piece uses (IServiceCollection.AddCors, CorsOptions.
// AddPolicy, CorsPolicyBuilder's methods), each recording its arguments,
// so that mcs checks the piece's calls and argument types, and the program
// prints the values passed and asks the origin check (WithOrigins' list or
// SetIsOriginAllowed's function, run by Mono's Regex) about each origin.
// It is not ASP.NET Core: .NET is not packaged here.
const aspnetAPI = `using System;
using System.Collections.Generic;
using System.Text;
using System.Text.RegularExpressions;

class CorsPolicyBuilder {
  public List<string[]> Calls = new List<string[]>();
  public Func<string, bool> Allowed = o => false;
  public static string Hex(string s) { return BitConverter.ToString(Encoding.UTF8.GetBytes(s)).Replace("-", "").ToLowerInvariant(); }
  CorsPolicyBuilder Rec(string name, params string[] args) {
    var c = new List<string> { name };
    foreach (var a in args) c.Add(Hex(a));
    Calls.Add(c.ToArray());
    return this;
  }
  public CorsPolicyBuilder WithOrigins(params string[] origins) { Allowed = o => Array.IndexOf(origins, o) >= 0; return Rec("WithOrigins", origins); }
  public CorsPolicyBuilder AllowAnyOrigin() { Allowed = o => true; return Rec("AllowAnyOrigin"); }
  public CorsPolicyBuilder SetIsOriginAllowed(Func<string, bool> isOriginAllowed) { Allowed = isOriginAllowed; return Rec("SetIsOriginAllowed"); }
  public CorsPolicyBuilder WithMethods(params string[] methods) { return Rec("WithMethods", methods); }
  public CorsPolicyBuilder WithHeaders(params string[] headers) { return Rec("WithHeaders", headers); }
  public CorsPolicyBuilder WithExposedHeaders(params string[] exposedHeaders) { return Rec("WithExposedHeaders", exposedHeaders); }
  public CorsPolicyBuilder AllowCredentials() { return Rec("AllowCredentials"); }
  public CorsPolicyBuilder SetPreflightMaxAge(TimeSpan preflightMaxAge) { return Rec("SetPreflightMaxAge", ((long)preflightMaxAge.TotalSeconds).ToString()); }
}
class CorsOptions {
  public List<string> Names = new List<string>();
  public List<CorsPolicyBuilder> Policies = new List<CorsPolicyBuilder>();
  public void AddPolicy(string name, Action<CorsPolicyBuilder> configurePolicy) { var b = new CorsPolicyBuilder(); configurePolicy(b); Names.Add(name); Policies.Add(b); }
}
class ServiceCollection {
  public CorsOptions Cors = new CorsOptions();
  public ServiceCollection AddCors(Action<CorsOptions> setupAction) { setupAction(Cors); return this; }
}
class WebApplicationBuilder { public ServiceCollection Services = new ServiceCollection(); }
`

// TestFrameworkASPNetCore: .NET is not packaged here, so mcs compiles every
// case's marked AddCors piece against ASP.NET Core's documented signatures;
// the values it passes are the policy's byte for byte, its origin check
// (run by Mono) admits exactly the policy's origins, and the whole
// Program.cs calls AddCors before Build, then UseRouting, then UseCors with
// the policy's name, which the lint rules accept.
func TestFrameworkASPNetCore(t *testing.T) {
	t.Parallel()
	mcs := servertest.Need(t, "mcs")
	mono := servertest.Need(t, "mono")
	cases := frameworkCases("aspnetcore")
	var b strings.Builder
	b.WriteString(aspnetAPI)
	for i, c := range cases {
		fmt.Fprintf(&b, "static class P%d {\n  public static CorsOptions Run() {\n    var builder = new WebApplicationBuilder();\n%s    return builder.Services.Cors;\n  }\n}\n", i, markedPiece(t, "aspnetcore", c, 0))
		checkASPNetOrder(t, c)
	}
	b.WriteString("public static class Program {\n  public static void Main(string[] origins) {\n    var all = new List<CorsOptions> {")
	for i := range cases {
		fmt.Fprintf(&b, " P%d.Run(),", i)
	}
	b.WriteString(" };\n    var s = new StringBuilder(\"[\");\n    foreach (var o in all) {\n      if (s.Length > 1) s.Append(',');\n      var p = o.Policies[0];\n      s.Append(\"{\\\"name\\\":\\\"\").Append(CorsPolicyBuilder.Hex(o.Names[0])).Append(\"\\\",\\\"policies\\\":\").Append(o.Policies.Count).Append(\",\\\"calls\\\":[\");\n      for (int j = 0; j < p.Calls.Count; j++) { s.Append(j == 0 ? \"[\" : \",[\"); for (int k = 0; k < p.Calls[j].Length; k++) s.Append(k == 0 ? \"\" : \",\").Append('\"').Append(p.Calls[j][k]).Append('\"'); s.Append(']'); }\n      s.Append(\"],\\\"admitted\\\":[\");\n      for (int j = 0; j < origins.Length; j++) s.Append(j == 0 ? \"\" : \",\").Append(p.Allowed(origins[j]) ? \"true\" : \"false\");\n      s.Append(\"]}\");\n    }\n    Console.Write(s.Append(']'));\n  }\n}\n")
	dir := t.TempDir()
	file, exe := filepath.Join(dir, "program.cs"), filepath.Join(dir, "program.exe")
	os.WriteFile(file, []byte(b.String()), 0o600)
	if out, err := execOut(mcs, "-nologo", "-out:"+exe, file); err != nil {
		t.Fatalf("mcs: %v\n%s\n%s", err, out, b.String())
	}
	var got []struct {
		Name     string
		Policies int
		Calls    [][]string
		Admitted []bool
	}
	runJSON(t, nil, &got, mono, append([]string{exe}, frameworkOrigins...)...)
	if len(got) != len(cases) {
		t.Fatalf("%d policies for %d cases", len(got), len(cases))
	}
	for i, c := range cases {
		calls := decodeCalls(t, got[i].Calls)
		if got[i].Name != hex.EncodeToString([]byte("corskit")) || got[i].Policies != 1 {
			t.Errorf("%s: policy %s (%d policies), want one named corskit", c.name, got[i].Name, got[i].Policies)
		}
		if !slices.Equal(calls["WithMethods"], wantMethods(c.cfg)) || !slices.Equal(calls["WithHeaders"], orEmpty(c.cfg.AllowHeaders)) || !slices.Equal(calls["WithExposedHeaders"], orEmpty(c.cfg.ExposeHeaders)) {
			t.Errorf("%s: %q", c.name, calls)
		}
		if _, creds := calls["AllowCredentials"]; creds != c.cfg.AllowCredentials {
			t.Errorf("%s: AllowCredentials called %v", c.name, creds)
		}
		if c.cfg.MaxAge > 0 && !slices.Equal(calls["SetPreflightMaxAge"], []string{strconv.Itoa(c.cfg.MaxAge)}) {
			t.Errorf("%s: SetPreflightMaxAge %q", c.name, calls["SetPreflightMaxAge"])
		}
		checkAdmitted(t, "aspnetcore", c, frameworkOrigins, got[i].Admitted)
	}
}

// checkASPNetOrder holds the whole Program.cs to ASP.NET Core's documented
// order: AddCors before Build, UseRouting before UseCors("corskit"), and
// no middleware that answers first (authentication, authorization, HTTPS
// redirection) before UseCors.
func checkASPNetOrder(t *testing.T, c frameworkCase) {
	t.Helper()
	out := generateCase(t, "aspnetcore", c)
	at := func(s string) int { return strings.Index(out, s) }
	if !(at("builder.Services.AddCors(") >= 0 && at("builder.Services.AddCors(") < at("var app = builder.Build();") && at("var app = builder.Build();") < at("\napp.UseRouting();") && at("\napp.UseRouting();") < at("\napp.UseCors(\"corskit\");")) {
		t.Errorf("%s: AddCors, Build, UseRouting, UseCors out of order:\n%s", c.name, out)
	}
	if regexp.MustCompile(`(?m)^app\.Use(Authentication|Authorization|HttpsRedirection)\(`).MatchString(out) {
		t.Errorf("%s: a middleware that answers first is called:\n%s", c.name, out)
	}
}
