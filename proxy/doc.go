// Package proxy is corskit's CORS gateway: a reverse proxy that applies a CORS
// policy in front of any HTTP backend, correctly by construction. Preflights
// are answered at the gateway; the upstream's own Access-Control-* headers are
// replaced, never duplicated; CORS headers are on every response to an
// allowed origin, the gateway's own 502 and 504 included; WebSocket upgrades
// are held to the policy's origins.
//
// Serve runs two HTTP/1.1 servers on one listener: a lean loop for requests
// without a body, an upgrade or unusual syntax (allowed preflights are
// answered from the policy without an http.Request), and net/http's server,
// to which a connection is handed at its first request the loop does not
// take. Upstream, every request but upgrades uses a lean connection pool
// (http and https, bodies included) that never reuses a connection with
// bytes past an answer; upgrades use net/http's Transport on a connection of
// their own. ServerOptions.StandardServer turns the lean loop off.
//
// # Compatibility
//
// This package's API may change in any release; the CLI (corskit proxy) is
// its user. It is public so that the corskit command is built from it,
// not as a library: a program outside corskit should run the command
// instead. The packages that carry a promise are cors, policy and browser
// (docs/api.md lists them and what each promises).
package proxy
