// Package policy reads a CORS policy, a [cors.Config], from a YAML or JSON
// file and from environment variables, with the keys and variable names that
// every corskit command shares:
//
//	file key                 environment variable       Config field
//	allow_origins            CORS_ALLOW_ORIGINS         AllowOrigins
//	allow_methods            CORS_ALLOW_METHODS         AllowMethods
//	allow_headers            CORS_ALLOW_HEADERS         AllowHeaders
//	expose_headers           CORS_EXPOSE_HEADERS        ExposeHeaders
//	allow_credentials        CORS_ALLOW_CREDENTIALS     AllowCredentials
//	max_age                  CORS_MAX_AGE               MaxAge
//	allow_private_network    CORS_ALLOW_PRIVATE_NETWORK AllowPrivateNetwork
//
// and likewise preflight_status, preflight_passthrough and the dangerously_
// opt-ins. Lists in environment variables are comma-separated. The
// environment overrides the file. Every error names where the bad value came
// from: the file, line and column, or the variable.
//
// # Compatibility
//
// The promised API is [Parse], [Load], [ApplyEnv], [Keys], [Error] and
// [MaxFileSize], together with the file keys and variable names above:
// they change as package cors's API does (semantic versioning; before
// v1.0.0 a minor release may change them and says how in the CHANGELOG). A
// key or variable is added when [cors.Config] gains a field. Error messages
// may change in any release; Error's fields do not. Signatures carry only
// standard-library types and [cors.Config]. The YAML document that
// corskit's gateway and linter read further (routes, upstream) is not part
// of this package's API.
package policy
