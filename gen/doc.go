// Package gen writes, from one corskit policy, the CORS configuration of
// other servers and frameworks (nginx, Caddy, Apache, Envoy, Traefik,
// Express, Flask, PHP and Go), of storage services (Amazon S3, Azure Blob
// Storage, Google Cloud Storage) and of Kubernetes (a Gateway API HTTPRoute,
// ingress-nginx annotations). Each output is complete and runs as given.
// Where a target cannot express part of the policy, Generate refuses and says
// which part and why, unless BestEffort is set, in which case it writes the
// closest safe subset and lists what it left out.
//
// # Compatibility
//
// This package's API may change in any release; the CLI (corskit gen) is
// its user. It is public so that the corskit command is built from it,
// not as a library: a program outside corskit should run the command
// instead. The packages that carry a promise are cors, policy and browser
// (docs/api.md lists them and what each promises).
package gen
