package gen

import (
	"cmp"
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/corskit/corskit/cors/unstable/origin"
	"github.com/corskit/corskit/internal/quote"
)

// Spring MVC's CORS configuration in Spring Boot's form: a WebMvcConfigurer
// bean whose addCorsMappings registers the policy (Spring Framework 5.3 /
// Spring Boot 2.4 and later, for allowedOriginPatterns). Debian packages
// Spring 4.3 (javax, no allowedOriginPatterns) and no Spring Boot, so the
// output is checked, not run.
func init() {
	register(Stack{
		Name:  "spring",
		Title: "Spring Boot / Spring MVC (CorsRegistry, @CrossOrigin)",
		Target: &Target{
			Supports: "exact origins (allowedOrigins), subdomains and any port (allowedOriginPatterns' wildcards; no regular expressions), * without credentials, credentials, methods, headers (listed), expose, max-age, Vary",
			write:    writeSpring,
			limits:   springLimits,
		},
		Recognize: recognizeSpring,
		Causes:    springCauses,
		Doctor:    true,
		Comment:   "//",
		Snippet:   formsSnippet("spring-boot-starter-web; with Spring Security, also http.cors(Customizer.withDefaults()) in its SecurityFilterChain", "remove the app's other addCorsMappings and CorsConfigurationSource beans, and @CrossOrigin on controllers (it adds to this)"),
		Lint:      springLint,
		Proof:     "not proved on a real server: Spring Boot and Spring 5.3+ are not packaged here; gen's TestFrameworkSpring checks the documented CorsRegistration methods and compiles every argument with javac",
	})
}

// springInvalidCORS is the body of Spring's 403 when its CORS processing
// refuses a request (DefaultCorsProcessor.rejectRequest).
const springInvalidCORS = "Invalid CORS request"

// springRefused reports whether a is Spring's CORS refusal.
func springRefused(a Answer) bool {
	return a.Status == 403 && strings.TrimSpace(string(a.Body)) == springInvalidCORS
}

// reSpringErrorJSON matches Spring Boot's error JSON (BasicErrorController):
// {"timestamp":...,"status":403,"error":"Forbidden",..."path":"/x"}.
var reSpringErrorJSON = regexp.MustCompile(`^\{"timestamp":"[^"]*","status":\d{3},"error":"[^"]*"(,"[a-z]+":[^,]*)*,"path":"[^"]*"\}$`)

// recognizeSpring reads Spring's marks: its CORS refusal, Spring Boot's
// error JSON and its Whitelabel error page.
func recognizeSpring(a Answer) Evidence {
	body := strings.TrimSpace(string(a.Body))
	switch {
	case springRefused(a):
		return Evidence{"the body: " + springInvalidCORS + " (Spring's CORS refusal, 403)", ByApp}
	case reSpringErrorJSON.MatchString(body):
		return Evidence{"the body: Spring Boot's error JSON {\"timestamp\":...,\"status\":...,\"error\":...,\"path\":...}", ByApp}
	case strings.Contains(body, "<h1>Whitelabel Error Page</h1>"):
		return Evidence{"the body: Whitelabel Error Page (Spring Boot)", ByApp}
	}
	return Evidence{}
}

// springCauses are Spring's CORS mistakes its users report most.
var springCauses = []Cause{
	{ID: "spring-star-with-credentials", Mistake: "allowedOrigins(\"*\") (or @CrossOrigin(origins = \"*\")) with allowCredentials(true): since Spring 5.3 every CORS request throws IllegalArgumentException",
		Symptom: "a 500 on every request with an Origin, the log 'When allowCredentials is true, allowedOrigins cannot contain the special value \"*\"'", Fix: "list the origins in allowedOrigins, or use allowedOriginPatterns(\"https://*.example.com\")"},
	{ID: "spring-security-without-cors", Mistake: "Spring Security is on without http.cors(): its filters answer the preflight (no credentials, so 401/403) before Spring MVC's CORS configuration runs",
		Symptom: "'Response to preflight request doesn't pass access control check: It does not have HTTP ok status' (401 or 403)", Fix: "http.cors(Customizer.withDefaults()) in the SecurityFilterChain (it uses the CorsConfigurationSource bean or Spring MVC's mappings)"},
	{ID: "spring-refused", Mistake: "the CORS configuration refuses the request: the origin is not in allowedOrigins, or the method or a header is not listed (addMapping's defaults allow only GET, HEAD and POST)",
		Symptom: "403 with the body 'Invalid CORS request'", Fix: "add the origin, the method (allowedMethods) or the header (allowedHeaders)", Seen: springRefused},
	{ID: "spring-origin-with-path", Mistake: "an origin in allowedOrigins or @CrossOrigin has a trailing slash or a path",
		Symptom: "403 'Invalid CORS request': the origin never matches", Fix: "scheme://host[:port] only, e.g. \"https://app.example.com\""},
}

// springLimits are commonLimits, and the origins Spring's patterns cannot
// write: its allowedOriginPatterns are wildcards (*, and [*] for a port),
// not regular expressions.
func springLimits(p *plan) []Omission {
	out := commonLimits(p)
	for _, o := range p.origins {
		if o.Kind == origin.Regexp {
			out = append(out, Omission{"origin " + strconv.Quote(o.String()), "Spring's allowedOriginPatterns are wildcards (https://*.example.com, http://localhost:[*]), not regular expressions; write it as one"})
		}
	}
	return out
}

// springOrigins are allowedOrigins' and allowedOriginPatterns' values.
func springOrigins(p *plan) (exact, patterns []string) {
	if p.any {
		return []string{"*"}, nil
	}
	for _, o := range p.origins {
		port := ""
		switch o.Port {
		case "":
		case "*":
			port = ":[*]"
		default:
			port = ":" + o.Port
		}
		switch {
		case o.Kind == origin.Subdomains:
			patterns = append(patterns, o.Scheme+"://*."+o.Host+port)
		case o.Kind == origin.Exact && o.Port == "*":
			patterns = append(patterns, o.Scheme+"://"+o.Host+port)
		case o.Kind == origin.Exact || o.Kind == origin.Null:
			exact = append(exact, o.String())
		}
	}
	return exact, patterns
}

// springRegistration writes the addMapping chain for p.
func springRegistration(p *plan) string {
	var b strings.Builder
	b.WriteString("registry.addMapping(\"/**\")")
	exact, patterns := springOrigins(p)
	if len(exact) == 0 {
		b.WriteString("\n        // Empty, not left out: addMapping's default is every origin.")
	}
	fmt.Fprintf(&b, "\n        .allowedOrigins(%s)", quoted(exact, quote.Java))
	if len(patterns) > 0 {
		fmt.Fprintf(&b, "\n        .allowedOriginPatterns(%s)", quoted(patterns, quote.Java))
	}
	fmt.Fprintf(&b, "\n        .allowedMethods(%s)", quoted(p.allMethods(), quote.Java))
	b.WriteString("\n        // Listed: addMapping's default is every header.")
	fmt.Fprintf(&b, "\n        .allowedHeaders(%s)", quoted(p.headers, quote.Java))
	fmt.Fprintf(&b, "\n        .exposedHeaders(%s)", quoted(p.expose, quote.Java))
	fmt.Fprintf(&b, "\n        .allowCredentials(%t)", p.credentials)
	if p.maxAge == "" {
		b.WriteString("\n        // 0: Spring sends Access-Control-Max-Age: 0 (its default is 1800); the policy sets none.")
	}
	fmt.Fprintf(&b, "\n        .maxAge(%s);\n", cmp.Or(p.maxAge, "0"))
	return b.String()
}

// writeSpring writes a Spring Boot application with the policy as a
// WebMvcConfigurer bean.
func writeSpring(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString(header("//", quote.JavaComment, o, omitted, "Spring Boot 2.4+ (spring-boot-starter-web): src/main/java/corskit/CorsApplication.java; ./mvnw spring-boot:run (server.port, default 8080)."))
	fmt.Fprintf(&b, "// "+notProvedLine+"\n", "Spring Boot (Spring Framework 5.3 or later)")
	b.WriteString(`package corskit;

import java.util.Map;

import org.springframework.boot.SpringApplication;
import org.springframework.boot.autoconfigure.SpringBootApplication;
import org.springframework.context.annotation.Bean;
import org.springframework.web.bind.annotation.RequestMapping;
import org.springframework.web.bind.annotation.RequestMethod;
import org.springframework.web.bind.annotation.RestController;
import org.springframework.web.servlet.config.annotation.CorsRegistry;
import org.springframework.web.servlet.config.annotation.WebMvcConfigurer;

@SpringBootApplication
@RestController
public class CorsApplication {
    public static void main(String[] args) {
        SpringApplication.run(CorsApplication.class, args);
    }

    @RequestMapping(path = "/data", method = {RequestMethod.GET, RequestMethod.POST, RequestMethod.PUT, RequestMethod.PATCH, RequestMethod.DELETE})
    public Map<String, String> data() {
        return Map.of("message", "Hello from API!");
    }

    // BEGIN corskit CORS: in a @Configuration class (the @SpringBootApplication class is one), with the imports of CorsRegistry, WebMvcConfigurer and Bean
    @Bean
    public WebMvcConfigurer corsConfigurer() {
        return new WebMvcConfigurer() {
            @Override
            public void addCorsMappings(CorsRegistry registry) {
`)
	for _, line := range strings.SplitAfter(strings.TrimSuffix(springRegistration(p), "\n"), "\n") {
		b.WriteString("                " + line)
	}
	b.WriteString("\n            }\n        };\n    }\n    // END corskit CORS\n}\n")
	return b.String()
}

// reSpring* find Spring's CORS settings in Java sources.
var (
	reSpringStar     = regexp.MustCompile(`(allowedOrigins\(\s*"\*"\s*\)|setAllowedOrigins\(\s*(List\.of|Arrays\.asList|Collections\.singletonList)\(\s*"\*"\s*\)\s*\)|addAllowedOrigin\(\s*"\*"\s*\)|origins\s*=\s*(\{\s*)?"\*")`)
	reSpringCreds    = regexp.MustCompile(`(allowCredentials\(\s*true\s*\)|setAllowCredentials\(\s*true\s*\)|allowCredentials\s*=\s*"true")`)
	reSpringSecurity = regexp.MustCompile(`\bHttpSecurity\b`)
	reSpringCorsCall = regexp.MustCompile(`\.cors\(`)
	reSpringChain    = regexp.MustCompile(`\bSecurityFilterChain\s+\w+\s*\(|\bvoid\s+configure\s*\(\s*HttpSecurity\b`)
)

// isSpringSource reports whether text is a Java source using Spring's CORS
// or Spring Security.
func isSpringSource(name, text string) bool {
	return strings.HasSuffix(name, ".java") && strings.Contains(text, "org.springframework")
}

var springLint = []LintRule{
	{ID: "spring-star-with-credentials", Severity: "high", Applies: isSpringSource, Find: hitsWith(reSpringCreds, reSpringStar, "allowedOrigins \"*\" with allowCredentials(true): Spring 5.3 and later throw IllegalArgumentException on every CORS request (before 5.3, every origin was allowed with credentials)", "allowedOrigins(\"https://app.example.com\"), or allowedOriginPatterns(\"https://*.example.com\")")},
	{ID: "spring-security-without-cors", Severity: "medium", Applies: isSpringSource, Find: func(text string) []LintHit {
		if !reSpringSecurity.MatchString(text) || reSpringCorsCall.MatchString(text) {
			return nil
		}
		return hitsOf(text, reSpringChain, "a Spring Security filter chain without http.cors(): its filters answer preflights (401/403) before the CORS configuration runs", "http.cors(Customizer.withDefaults())")
	}},
}
