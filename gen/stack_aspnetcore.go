package gen

import (
	"fmt"
	"regexp"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// ASP.NET Core's CORS middleware: a named policy added with AddCors and
// applied with UseCors between UseRouting and UseAuthorization. .NET is not
// packaged for Debian, so the output is checked, not run.
func init() {
	register(Stack{
		Name:  "aspnetcore",
		Title: "ASP.NET Core (AddCors / UseCors)",
		Target: &Target{
			Supports: "exact origins (WithOrigins), patterns (SetIsOriginAllowed with Regex), * without credentials, credentials, methods, headers (listed), expose, max-age, Vary",
			write:    writeASPNetCore,
			limits:   commonLimits,
		},
		Recognize: recognizeASPNetCore,
		Causes:    aspnetCauses,
		Doctor:    true,
		Comment:   "//",
		Snippet:   formsSnippet("the CORS middleware is part of ASP.NET Core: nothing to install", "keep the app's other policies, but only one UseCors, at this place"),
		Lint:      aspnetLint,
		Proof:     "not proved on a real server: .NET is not packaged here; gen's TestFrameworkASPNetCore checks the documented calls and their order, and compiles every argument with mcs",
	})
}

// reProblemDetails matches the trace fields ASP.NET Core's
// DefaultProblemDetailsFactory adds to its ProblemDetails error JSON
// (dotnet/aspnetcore src/Mvc/Mvc.Core/src/Infrastructure/
// DefaultProblemDetailsFactory.cs): traceId is Activity.Current?.Id, a
// W3C traceparent ("00-<32 hex>-<16 hex>-0x"), in the releases before
// traceparent was added; then traceId is the 32-hex trace id alone, with
// a "traceparent" field; with no Activity, both are Kestrel's
// HttpContext.TraceIdentifier ("<13-char connection id>:<8 hex>").
var reProblemDetails = regexp.MustCompile(`"(traceId|traceparent)":"00-[0-9a-f]{32}-[0-9a-f]{16}-0[01]"|"traceId":"[0-9A-V]{13}:[0-9A-F]{8}"`)

// recognizeASPNetCore reads ASP.NET Core's marks: X-Powered-By: ASP.NET
// (IIS in front of it), ProblemDetails bodies, and Kestrel's Server header.
func recognizeASPNetCore(a Answer) Evidence {
	if from, ok := headerHas(a, "X-Powered-By", "asp.net"); ok {
		return Evidence{from, ByApp}
	}
	if m := reProblemDetails.FindString(string(a.Body)); m != "" {
		return Evidence{"the body: ProblemDetails with " + m + " (ASP.NET Core)", ByApp}
	}
	if from, ok := headerHas(a, "Server", "kestrel"); ok {
		return Evidence{from, ByServer}
	}
	return Evidence{}
}

// aspnetCauses are ASP.NET Core's CORS mistakes its users report most.
var aspnetCauses = []Cause{
	{ID: "aspnetcore-usecors-order", Mistake: "app.UseCors() comes after UseAuthentication/UseAuthorization (which answer the preflight 401 or 403 first), after UseHttpsRedirection (which redirects it), or before UseRouting while endpoints choose their policy ([EnableCors], RequireCors)",
		Symptom: "the preflight gets a 401/403/307 or 204 without Access-Control-Allow-Origin ('does not have HTTP ok status', 'Redirect is not allowed for a preflight request')",
		Fix:     "app.UseRouting(); app.UseCors(...); app.UseAuthentication(); app.UseAuthorization(); in that order"},
	{ID: "aspnetcore-any-origin-credentials", Mistake: "AllowAnyOrigin() with AllowCredentials(): ASP.NET Core throws InvalidOperationException when the policy is built",
		Symptom: "the app fails at startup or on the first CORS request: 'The CORS protocol does not allow specifying a wildcard (any) origin and credentials at the same time'",
		Fix:     "WithOrigins(\"https://app.example.com\") (or SetIsOriginAllowed for patterns) with AllowCredentials()"},
	{ID: "aspnetcore-origin-trailing-slash", Mistake: "an origin in WithOrigins has a trailing slash or a path",
		Symptom: "no Access-Control-Allow-Origin: the origin never matches", Fix: "scheme://host[:port] only, e.g. \"https://app.example.com\""},
	{ID: "aspnetcore-policy-not-applied", Mistake: "AddCors registers a named policy but UseCors() is called without its name and no endpoint names it ([EnableCors(\"name\")], RequireCors)",
		Symptom: "no CORS header on any answer", Fix: "app.UseCors(\"name\"), or AddDefaultPolicy instead of AddPolicy"},
}

// aspnetPolicy writes the policy builder chain for p.
func aspnetPolicy(p *plan) string {
	var b strings.Builder
	switch {
	case p.any:
		b.WriteString("policy.AllowAnyOrigin()")
	case len(p.patterns) == 0:
		fmt.Fprintf(&b, "policy.WithOrigins(%s)", quoted(p.exact, quote.CSharp))
	default:
		fmt.Fprintf(&b, "// Exact origins, then patterns (.NET regular expressions, each matched within 100 ms).\nvar corsOrigins = new string[] { %s };\n", quoted(p.exact, quote.CSharp))
		fmt.Fprintf(&b, "var corsPatterns = new string[] { %s };\n", quoted(p.patterns, quote.CSharp))
		b.WriteString("policy.SetIsOriginAllowed(origin => Array.IndexOf(corsOrigins, origin) >= 0\n        || Array.Exists(corsPatterns, re => Regex.IsMatch(origin, re, RegexOptions.None, TimeSpan.FromMilliseconds(100))))")
	}
	fmt.Fprintf(&b, "\n    .WithMethods(%s)", quoted(p.allMethods(), quote.CSharp))
	fmt.Fprintf(&b, "\n    .WithHeaders(%s)", quoted(p.headers, quote.CSharp))
	fmt.Fprintf(&b, "\n    .WithExposedHeaders(%s)", quoted(p.expose, quote.CSharp))
	if p.credentials {
		b.WriteString("\n    .AllowCredentials()")
	}
	if p.maxAge != "" {
		fmt.Fprintf(&b, "\n    .SetPreflightMaxAge(TimeSpan.FromSeconds(%s))", p.maxAge)
	}
	b.WriteString(";\n")
	return b.String()
}

// writeASPNetCore writes a minimal-API Program.cs with the policy.
func writeASPNetCore(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("//", quote.Comment, o, omitted, "ASP.NET Core 6+ minimal API (Microsoft.NET.Sdk.Web): Program.cs; dotnet run (ASPNETCORE_URLS, e.g. http://127.0.0.1:5000)."))
	fmt.Fprintf(&b, "// "+notProvedLine+"\n", ".NET (ASP.NET Core)")
	b.WriteString("using System.Text.RegularExpressions;\n\nvar builder = WebApplication.CreateBuilder(args);\n\n")
	b.WriteString("// BEGIN corskit CORS: in Program.cs before builder.Build() (Startup.ConfigureServices in the older form), with using System.Text.RegularExpressions\n")
	b.WriteString("builder.Services.AddCors(options =>\n{\n    options.AddPolicy(\"corskit\", policy =>\n    {\n")
	for _, line := range strings.SplitAfter(strings.TrimSuffix(aspnetPolicy(p), "\n"), "\n") {
		b.WriteString("        " + line)
	}
	b.WriteString("\n    });\n});\n// END corskit CORS\n\nvar app = builder.Build();\n\napp.UseRouting();\n")
	b.WriteString("// BEGIN corskit CORS: in Program.cs (Startup.Configure), after app.UseRouting() and before app.UseHttpsRedirection(), app.UseAuthentication() and app.UseAuthorization(); remove the app's other UseCors\n")
	b.WriteString("app.UseCors(\"corskit\");\n// END corskit CORS\n// app.UseAuthentication() and app.UseAuthorization() go here, after UseCors.\n\n")
	b.WriteString("app.MapMethods(\"/data\", new[] { \"GET\", \"POST\", \"PUT\", \"PATCH\", \"DELETE\" }, () => Results.Json(new { message = \"Hello from API!\" }));\n\napp.Run();\n")
	return b.String()
}

// reASPNet* find ASP.NET Core's CORS calls.
var (
	reASPAnyOrigin = regexp.MustCompile(`\.AllowAnyOrigin\(\s*\)`)
	reASPCreds     = regexp.MustCompile(`\.AllowCredentials\(\s*\)`)
	reASPUseCors   = regexp.MustCompile(`\.UseCors\(`)
	reASPRouting   = regexp.MustCompile(`\.UseRouting\(\s*\)`)
	reASPAuth      = regexp.MustCompile(`\.Use(Authentication|Authorization|HttpsRedirection)\(\s*\)`)
)

// isASPNetSource reports whether text is C# that configures CORS.
func isASPNetSource(name, text string) bool {
	return strings.HasSuffix(name, ".cs") && (strings.Contains(text, "UseCors") || strings.Contains(text, "AddCors"))
}

// aspnetOrder finds UseCors placed after the auth middleware (or HTTPS
// redirection) or before UseRouting.
func aspnetOrder(text string) []LintHit {
	text = blankComments(text)
	c := reASPUseCors.FindStringIndex(text)
	if c == nil {
		return nil
	}
	if a := reASPAuth.FindStringIndex(text); a != nil && a[0] < c[0] {
		return []LintHit{hitAt(text, c[0], "UseCors after "+strings.TrimPrefix(text[a[0]:a[1]], ".")+": that middleware answers (401/403) or redirects the preflight before CORS headers are added", "move app.UseCors(...) right after app.UseRouting(), before UseHttpsRedirection, UseAuthentication and UseAuthorization")}
	}
	if r := reASPRouting.FindStringIndex(text); r != nil && r[0] > c[0] {
		return []LintHit{hitAt(text, c[0], "UseCors before UseRouting: endpoint policies ([EnableCors], RequireCors) are not seen, and preflights to them get no CORS headers", "move app.UseCors(...) right after app.UseRouting()")}
	}
	return nil
}

var aspnetLint = []LintRule{
	{ID: "aspnetcore-any-origin-credentials", Severity: "high", Applies: isASPNetSource, Find: hitsWith(reASPCreds, reASPAnyOrigin, "AllowAnyOrigin() with AllowCredentials(): ASP.NET Core refuses the policy (InvalidOperationException); reflecting every origin instead would let any site read your users' data", "WithOrigins(\"https://app.example.com\") with AllowCredentials()")},
	{ID: "aspnetcore-usecors-order", Severity: "medium", Applies: isASPNetSource, Find: aspnetOrder},
}

// blankComments replaces each // line comment of C# or Java source with
// spaces (offsets and lines kept), so that rules read code only. A // in a
// string literal (after an odd number of quotes on its line) is kept. One
// pass: linear in the text.
func blankComments(text string) string {
	b := []byte(text)
	quotes, comment := 0, false
	for i := 0; i < len(b); i++ {
		switch {
		case b[i] == '\n':
			quotes, comment = 0, false
		case comment:
			b[i] = ' '
		case b[i] == '"':
			quotes++
		case b[i] == '/' && i+1 < len(b) && b[i+1] == '/' && quotes%2 == 0:
			comment = true
			b[i] = ' '
		}
	}
	return string(b)
}
