package gen

import (
	"encoding/json"
	"fmt"
	"strings"

	"github.com/corskit/corskit/internal/quote"
)

// Firebase Hosting: firebase.json's hosting.headers, which cannot test the
// request's Origin.
func init() {
	register(Stack{
		Name:      "firebase-hosting",
		Title:     "Firebase Hosting (firebase.json headers)",
		Target:    &Target{Supports: "one exact origin or *, credentials, methods, headers, expose, max-age", write: writeFirebase, limits: oneOriginLimits("Firebase Hosting", "a Cloud Function"), check: checkFirebase, whole: "in firebase.json, merged into hosting.headers"},
		Recognize: recognizeFirebase,
		Causes:    firebaseCauses,
		Doctor:    true,
		Lint:      staticHeaderLint("firebase-hosting", func(name, _ string) bool { return fileNamed(name, "firebase.json") }),
		Proof:     "not proved on a real server: Firebase Hosting does not run here (its emulator needs firebase-tools, hundreds of packages); TestPlatformsAgainstTheirSchemas checks firebase.json against its documented fields and TestHostileValuesOnPlatforms reads every value back",
	})
}

// firebaseNotFound is the start of Firebase Hosting's own 404 page.
const firebaseNotFound = "This file does not exist and there was no index.html found in the current directory or 404.html in the root directory."

// recognizeFirebase reads Firebase Hosting's own 404 page.
func recognizeFirebase(a Answer) Evidence {
	if a.Status == 404 && strings.Contains(string(a.Body), firebaseNotFound) {
		return Evidence{"the body: Firebase Hosting's own 404 page", ByApp}
	}
	return Evidence{}
}

// firebaseCauses are the CORS mistakes Firebase Hosting's users report.
var firebaseCauses = []Cause{
	{ID: "firebase-rewrite-to-function", Mistake: "the API is a Cloud Function or Cloud Run service behind a rewrite: it answers the preflight itself, and without CORS handling it refuses OPTIONS",
		Symptom: "'Response to preflight request doesn't pass access control check'", Fix: "answer CORS in the function (the cors package, or onRequest({cors: [...]}) in the v2 SDK)"},
	{ID: "firebase-glob-misses", Mistake: "the rule's source glob does not cover the files (\"/fonts\" is not /fonts/a.woff2)",
		Symptom: "no Access-Control-Allow-Origin on the file", Fix: "source: \"/fonts/**\" (or \"**\")"},
	{ID: "firebase-one-origin", Mistake: "a list of origins in Access-Control-Allow-Origin (the rule cannot test the request's Origin)",
		Symptom: "'The 'Access-Control-Allow-Origin' header contains multiple values'", Fix: "one origin, or a Cloud Function that echoes the allowed Origin"},
}

// writeFirebase writes firebase.json with the rule in hosting.headers.
// JSON holds no comment: corskit gen says on standard error what it is.
func writeFirebase(p *plan, o Options, omitted []Omission) string {
	var b strings.Builder
	b.WriteString("{\n  \"hosting\": {\n    \"public\": \"public\",\n    \"headers\": [\n      {\n        \"source\": \"**\",\n        \"headers\": [\n")
	hs := staticHeaders(p, staticOrigin(p))
	for i, h := range hs {
		sep := ","
		if i == len(hs)-1 {
			sep = ""
		}
		fmt.Fprintf(&b, "          { \"key\": %s, \"value\": %s }%s\n", quote.JSON(h.Key), quote.JSON(h.Value), sep)
	}
	b.WriteString("        ]\n      }\n    ]\n  }\n}\n")
	return b.String()
}

// firebaseConfig is firebase.json's hosting.headers as documented.
type firebaseConfig struct {
	Hosting struct {
		Headers []struct {
			Source  string `json:"source"`
			Regex   string `json:"regex"`
			Headers []struct{ Key, Value string }
		} `json:"headers"`
	} `json:"hosting"`
}

// checkFirebase reads out as firebase.json.
func checkFirebase(out, _ string) error {
	var c firebaseConfig
	if err := json.Unmarshal([]byte(out), &c); err != nil {
		return err
	}
	if len(c.Hosting.Headers) == 0 {
		return fmt.Errorf("no header rule")
	}
	return nil
}
