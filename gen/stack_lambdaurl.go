package gen

import (
	"encoding/json"
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// AWS Lambda function URLs: the URL's Cors block, with which Lambda
// answers preflights and adds the headers to the function's answers.
func init() {
	register(Stack{
		Name:   "lambda-url",
		Title:  "AWS Lambda function URL (Cors)",
		Target: &Target{Formats: []string{"yaml", "json"}, Supports: "exact origins or * (100, 253 characters each), credentials, methods GET/PUT/HEAD/POST/PATCH/DELETE, headers (100), expose, max-age (at most 86400); no patterns", write: lambdaURLTemplate.write, limits: exactOriginLimits("Lambda function URLs", lambdaURLLimits), check: checkAWSCors, whole: "as the file aws lambda update-function-url-config --function-name NAME --cors file://cors.json reads"},
		Recognize: func(a Answer) Evidence {
			if a.Header.Get("X-Amzn-Requestid") != "" && a.Header.Get("X-Amzn-Trace-Id") != "" && a.Header.Get("Apigw-Requestid") == "" && a.Header.Get("X-Amz-Apigw-Id") == "" {
				return Evidence{"x-amzn-requestid with x-amzn-trace-id (a Lambda function URL)", ByServer}
			}
			return Evidence{}
		},
		Causes: lambdaURLCauses,
		Doctor: true,
		Lint: awsLint("lambda-url", func(name, text string) bool {
			return isAWSTemplate(name, text) && isLambdaURLFile(text)
		}),
		Proof: "not proved on a real server: Lambda does not run here; TestPlatformsAgainstTheirSchemas checks the Cors block (YAML and the CLI's JSON) against the documented fields, types and limits, and TestHostileValuesOnPlatforms reads every value back",
	})
}

// isLambdaURLFile reports whether text configures a function URL.
func isLambdaURLFile(text string) bool {
	return strings.Contains(text, "AWS::Lambda::Url") || strings.Contains(text, "FunctionUrlConfig") || strings.Contains(text, "url-config")
}

// lambdaMethods are the methods a function URL's AllowMethods takes.
var lambdaMethods = []string{"GET", "PUT", "HEAD", "POST", "PATCH", "DELETE"}

// lambdaURLLimits are the Cors block's documented limits.
func lambdaURLLimits(p *plan) []Omission {
	var out []Omission
	for _, m := range p.allMethods() {
		if !contains(lambdaMethods, m) {
			out = append(out, Omission{"method " + m, "a function URL's AllowMethods takes GET, PUT, HEAD, POST, PATCH and DELETE (or *)"})
		}
	}
	for _, e := range p.exact {
		if len(e) > 253 {
			out = append(out, Omission{"origin " + e, "a function URL's origins are at most 253 characters"})
		}
	}
	if len(p.exact) > 100 || len(p.headers) > 100 || len(p.expose) > 100 {
		out = append(out, Omission{"the lists", "a function URL takes at most 100 origins and 100 headers"})
	}
	if n, err := strconv.Atoi(p.maxAge); err == nil && n > 86400 {
		out = append(out, Omission{"max_age " + p.maxAge, "a function URL's MaxAge is at most 86400"})
	}
	return out
}

// lambdaURLCauses are the CORS mistakes of function URLs.
var lambdaURLCauses = []Cause{
	{ID: "lambda-url-duplicate-headers", Mistake: "the function's code (a CORS middleware) sends Access-Control-Allow-Origin and the URL's Cors is configured too: Lambda adds its headers beside the function's",
		Symptom: "'The 'Access-Control-Allow-Origin' header contains multiple values 'https://app.example.com, https://app.example.com''",
		Fix:     "configure CORS in one place: the URL's Cors (and remove the middleware), or the code alone",
		Seen: func(a Answer) bool {
			return len(a.Header.Values("Access-Control-Allow-Origin")) > 1 && a.Header.Get("X-Amzn-Requestid") != ""
		}},
	{ID: "lambda-url-headers-in-one-entry", Mistake: "AllowHeaders: [\"Content-Type,Authorization\"]: one entry holding a comma-separated list is read as one header name",
		Symptom: "'Request header field content-type is not allowed by Access-Control-Allow-Headers'", Fix: "one header per entry: [\"Content-Type\", \"Authorization\"]"},
	{ID: "lambda-url-options-in-methods", Mistake: "OPTIONS (or another method) in AllowMethods, which takes GET, PUT, HEAD, POST, PATCH, DELETE or * only (at most 6 entries)",
		Symptom: "the configuration is refused (ValidationException)", Fix: "drop OPTIONS: Lambda answers preflights itself"},
	{ID: "lambda-url-star-with-credentials", Mistake: "AllowOrigins: [\"*\"] with AllowCredentials: true",
		Symptom: symptomWildcardCredentialsEnd, Fix: "list the origins"},
}

// lambdaURLTemplate writes the function URL's Cors: a CloudFormation
// AWS::Lambda::Url, or the CLI's JSON.
var lambdaURLTemplate = awsTemplate{
	what:     "AWS Lambda function URL: a CloudFormation resource (SAM's FunctionUrlConfig takes the same Cors); the function's own code must then send no CORS headers.",
	resource: "Resources:\n  FunctionUrl:\n    Type: AWS::Lambda::Url\n    Properties:\n      AuthType: NONE\n      TargetFunctionArn: !GetAtt Function.Arn\n",
	where:    "in the function URL's Properties (Lambda then answers every preflight; remove the code's own CORS headers)",
	property: "Cors",
	only:     lambdaMethods,
}

// awsCorsObject is AWS's Cors object as the CLI's JSON and CloudFormation
// spell it.
type awsCorsObject struct {
	AllowOrigins     []string `json:"AllowOrigins" yaml:"AllowOrigins"`
	AllowMethods     []string `json:"AllowMethods" yaml:"AllowMethods"`
	AllowHeaders     []string `json:"AllowHeaders" yaml:"AllowHeaders"`
	ExposeHeaders    []string `json:"ExposeHeaders" yaml:"ExposeHeaders"`
	MaxAge           *int     `json:"MaxAge" yaml:"MaxAge"`
	AllowCredentials *bool    `json:"AllowCredentials" yaml:"AllowCredentials"`
}

// readAWSCors reads the Cors object of an api-gateway or lambda-url
// output (either form), refusing unknown fields and wrong types.
func readAWSCors(out, format string) (awsCorsObject, error) {
	var c awsCorsObject
	if format == "json" {
		d := json.NewDecoder(strings.NewReader(out))
		d.DisallowUnknownFields()
		return c, d.Decode(&c)
	}
	var doc struct {
		Resources map[string]struct {
			Properties struct {
				CorsConfiguration *awsCorsObject `yaml:"CorsConfiguration"`
				Cors              *awsCorsObject `yaml:"Cors"`
			} `yaml:"Properties"`
		} `yaml:"Resources"`
	}
	if err := yaml.Unmarshal([]byte(out), &doc); err != nil {
		return c, err
	}
	for _, r := range doc.Resources {
		for _, p := range []*awsCorsObject{r.Properties.CorsConfiguration, r.Properties.Cors} {
			if p != nil {
				return *p, nil
			}
		}
	}
	return c, fmt.Errorf("no CorsConfiguration or Cors in the template")
}

// checkAWSCors reads out as AWS's Cors object.
func checkAWSCors(out, format string) error {
	_, err := readAWSCors(out, format)
	return err
}
