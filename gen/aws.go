package gen

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// API Gateway HTTP APIs and Lambda function URLs take the same CORS
// object (AllowOrigins, AllowMethods, AllowHeaders, ExposeHeaders, MaxAge,
// AllowCredentials), in the CLI's JSON and CloudFormation's YAML; both
// answer preflights themselves.

// awsCors is the policy as AWS's Cors object.
type awsCors struct {
	origins, methods, headers, expose []string
	maxAge                            string
	credentials                       bool
}

// awsCorsOf is p as AWS's Cors object: exact origins (or *), the methods
// (all of them; only: the methods AWS accepts), the listed headers.
func awsCorsOf(p *plan, only []string) awsCors {
	c := awsCors{headers: p.headers, expose: p.expose, maxAge: p.maxAge, credentials: p.credentials}
	c.origins = p.exact
	if p.any {
		c.origins = []string{"*"}
	}
	for _, m := range p.allMethods() {
		if only == nil || contains(only, m) {
			c.methods = append(c.methods, m)
		}
	}
	return c
}

func contains(xs []string, x string) bool {
	for _, y := range xs {
		if y == x {
			return true
		}
	}
	return false
}

// awsJSON writes c as the JSON the AWS CLI reads (file://cors.json).
func awsJSON(c awsCors) string {
	var fields []string
	list := func(name string, xs []string) {
		if len(xs) > 0 {
			fields = append(fields, fmt.Sprintf("  %s: [%s]", quote.JSON(name), quoted(xs, quote.JSON)))
		}
	}
	list("AllowOrigins", c.origins)
	list("AllowMethods", c.methods)
	list("AllowHeaders", c.headers)
	list("ExposeHeaders", c.expose)
	if c.maxAge != "" {
		fields = append(fields, "  \"MaxAge\": "+c.maxAge)
	}
	fields = append(fields, "  \"AllowCredentials\": "+strconv.FormatBool(c.credentials))
	return "{\n" + strings.Join(fields, ",\n") + "\n}\n"
}

// awsYAML writes c as a CloudFormation Cors property at indent.
func awsYAML(c awsCors, indent string) string {
	var b strings.Builder
	list := func(name string, xs []string) {
		if len(xs) > 0 {
			fmt.Fprintf(&b, "%s%s:\n", indent, name)
			for _, x := range xs {
				fmt.Fprintf(&b, "%s  - %s\n", indent, quote.YAML(x))
			}
		}
	}
	list("AllowOrigins", c.origins)
	list("AllowMethods", c.methods)
	list("AllowHeaders", c.headers)
	list("ExposeHeaders", c.expose)
	if c.maxAge != "" {
		fmt.Fprintf(&b, "%sMaxAge: %s\n", indent, c.maxAge)
	}
	fmt.Fprintf(&b, "%sAllowCredentials: %t\n", indent, c.credentials)
	return b.String()
}

// awsTemplate is how a stack writes AWS's Cors object in a template: its
// header line, the resource that holds the object, where the marked piece
// goes and the property's name.
type awsTemplate struct {
	what, resource, where, property string
	// only are the methods the object accepts; nil for any.
	only []string
}

// write writes p as the CLI's JSON (format json) or as the template's
// resource with the object as the marked property.
func (t awsTemplate) write(p *plan, o Options, omitted []Omission) string {
	c := awsCorsOf(p, t.only)
	if o.Format == "json" {
		return awsJSON(c)
	}
	var b strings.Builder
	b.WriteString(header("#", quote.Comment, o, omitted, t.what))
	b.WriteString(t.resource)
	fmt.Fprintf(&b, "      # BEGIN corskit CORS: %s\n      %s:\n", t.where, t.property)
	b.WriteString(awsYAML(c, "        "))
	b.WriteString("      # END corskit CORS\n")
	return b.String()
}

// reAWS* find AWS CORS objects: an origin list holding *, and credentials.
var (
	// reAWSOriginsKey is the key only AWS's forms spell so (CloudFormation,
	// SAM and the CLI's JSON: AllowOrigins; the Serverless Framework:
	// allowedOrigins), not NelmioCorsBundle's or Laravel's allow_origin.
	reAWSOriginsKey = regexp.MustCompile(`["']?\b(?:AllowOrigins|allowedOrigins)["']?\s*:`)
	reAWSOrigins    = regexp.MustCompile(`(?i)["']?\ballow(?:ed)?_?origins?["']?\s*:`)
	reAWSStar       = regexp.MustCompile(`(?m)\A(?:\s*\[[^\]]*?["']\*["']|[ \t]*["']?\*["']?[ \t]*$|[ \t]*\n(?:[ \t]*-[^\n]*\n)*?[ \t]*-[ \t]*["']?\*["']?[ \t]*$)`)
	reAWSCreds      = regexp.MustCompile(`(?i)\ballow_?credentials["']?\s*:\s*true\b`)
	reAWSJoined     = regexp.MustCompile(`(?i)\ballow_?headers["']?\s*:\s*\[[^\]]*?["'][^"',\]]+,[^"']*["']`)
)

// awsLint are the rules of a file holding AWS's Cors object, for stack.
func awsLint(stack string, applies func(name, text string) bool) []LintRule {
	return []LintRule{
		{ID: stack + "-star-with-credentials", Severity: "high", Applies: applies, Find: func(text string) []LintHit { return awsStarWithCredentials(text, stack) }},
		{ID: stack + "-headers-in-one-entry", Severity: "medium", Applies: applies, Find: func(text string) []LintHit {
			return hitsOf(text, reAWSJoined, "one AllowHeaders entry holds a comma-separated list: AWS reads it as one header name, so none of them is allowed", "one header per entry: [\"Content-Type\", \"Authorization\"]")
		}},
	}
}

// awsStarWithCredentials finds an origin list holding * in a file that
// turns credentials on.
func awsStarWithCredentials(text, stack string) []LintHit {
	if !reAWSCreds.MatchString(text) {
		return nil
	}
	var out []LintHit
	// At most 200 lists, each read for 2000 bytes: bounded on any input.
	for _, m := range reAWSOrigins.FindAllStringIndex(text, 200) {
		rest := text[m[1]:min(len(text), m[1]+2000)]
		if reAWSStar.MatchString(rest) {
			out = append(out, hitAt(text, m[0], "AllowOrigins holds * with AllowCredentials: true: a credentialed request is refused by every browser (and AWS may refuse the configuration)", "list the origins (corskit gen "+stack+")"))
		}
	}
	return out
}

// isAWSTemplate reports whether name is a CloudFormation/SAM template, a
// serverless.yml or a CLI JSON file holding an AWS CORS object.
func isAWSTemplate(name, text string) bool {
	lower := strings.ToLower(name)
	ok := false
	for _, ext := range []string{".yaml", ".yml", ".json", ".template"} {
		ok = ok || strings.HasSuffix(lower, ext)
	}
	return ok && reAWSOriginsKey.MatchString(text) && !fileNamed(name, "vercel.json", "firebase.json", "package.json")
}
