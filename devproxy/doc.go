// Package devproxy is corskit's local development proxy: one origin that
// serves the frontend dev server (or a static folder) and routes API
// prefixes to their backends, so that the page makes same-origin requests and
// CORS never comes up. It proxies WebSockets (HMR included) and streams, makes
// backend cookies work on http://localhost, tries localhost on 127.0.0.1 and
// ::1, and answers with errors a person can act on. It answers only its own
// host names (Config.AllowedHosts), so that no website can reach the dev
// server and the APIs through it by DNS rebinding.
//
// # Compatibility
//
// This package's API may change in any release; the CLI (corskit dev) is
// its user. It is public so that the corskit command is built from it,
// not as a library: a program outside corskit should run the command
// instead. The packages that carry a promise are cors, policy and browser
// (docs/api.md lists them and what each promises).
package devproxy
