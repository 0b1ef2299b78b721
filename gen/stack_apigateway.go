package gen

// AWS API Gateway HTTP APIs: the API's CorsConfiguration, with which API
// Gateway answers preflights itself and ignores the integration's own
// CORS headers.
func init() {
	register(Stack{
		Name:   "api-gateway",
		Title:  "AWS API Gateway HTTP API (CorsConfiguration)",
		Target: &Target{Formats: []string{"yaml", "json"}, Supports: "exact origins or *, credentials, methods, headers, expose, max-age; no patterns", write: apiGatewayTemplate.write, limits: exactOriginLimits("API Gateway", nil), check: checkAWSCors, whole: "as the file aws apigatewayv2 update-api --api-id ID --cors-configuration file://cors.json reads"},
		Recognize: func(a Answer) Evidence {
			if from, ok := headerSent(a, "apigw-requestid"); ok {
				return Evidence{from, ByApp}
			}
			return Evidence{}
		},
		Causes: apiGatewayCauses,
		Doctor: true,
		Lint: awsLint("api-gateway", func(name, text string) bool {
			return isAWSTemplate(name, text) && !isLambdaURLFile(text)
		}),
		Proof: "not proved on a real server: API Gateway does not run here; TestPlatformsAgainstTheirSchemas checks the CorsConfiguration (YAML and the CLI's JSON) against the documented fields, types and rules, and TestHostileValuesOnPlatforms reads every value back",
	})
}

// apiGatewayCauses are the CORS mistakes of HTTP APIs their users report.
var apiGatewayCauses = []Cause{
	{ID: "api-gateway-config-overrides-integration", Mistake: "the Lambda (or HTTP integration) sends its own CORS headers while the API has a CorsConfiguration: API Gateway ignores the integration's and sends its configuration's",
		Symptom: "the answers carry other CORS headers than the code sets; the code's changes have no effect", Fix: "configure CORS in one place: the API's CorsConfiguration (and remove it from the code), or none there"},
	{ID: "api-gateway-options-route-authorizer", Mistake: "without a CorsConfiguration, OPTIONS reaches a route with a JWT or Lambda authorizer (ANY /{proxy+}), which refuses the preflight (it carries no Authorization)",
		Symptom: "a 401 to the preflight: 'It does not have HTTP ok status'", Fix: "set CorsConfiguration, which answers preflights before any route, or add an OPTIONS route without an authorizer"},
	{ID: "api-gateway-star-with-credentials", Mistake: "AllowOrigins: * with AllowCredentials: true",
		Symptom: symptomWildcardCredentialsEnd, Fix: "list the origins"},
	{ID: "api-gateway-rest-api", Mistake: "the API is a REST API (v1), whose \"Enable CORS\" adds an OPTIONS mock and headers only to 2xx method responses, not a CorsConfiguration",
		Symptom: "CORS headers missing on 4xx/5xx (gateway responses) and on errors of the integration", Fix: "add the headers to the gateway responses (DEFAULT_4XX, DEFAULT_5XX) too, or move to an HTTP API"},
}

// apiGatewayTemplate writes the CorsConfiguration: a SAM template's
// HttpApi, or the CLI's JSON.
var apiGatewayTemplate = awsTemplate{
	what:     "AWS API Gateway HTTP API: a SAM template (sam deploy); in CloudFormation's AWS::ApiGatewayV2::Api the property is CorsConfiguration too.",
	resource: "AWSTemplateFormatVersion: \"2010-09-09\"\nTransform: AWS::Serverless-2016-10-31\nResources:\n  HttpApi:\n    Type: AWS::Serverless::HttpApi\n    Properties:\n",
	where:    "in the HTTP API's Properties (API Gateway then answers every preflight and ignores the integration's CORS headers)",
	property: "CorsConfiguration",
}
