// Package audit probes a live server for dangerous CORS policies, as an
// attacker's page would: with real preflights as well as simple requests,
// each answer judged by the browser model, so that a finding's severity says
// what an attacker's page can actually read.
//
// # Compatibility
//
// This package's API may change in any release; the CLI (corskit audit) is
// its user. It is public so that the corskit command is built from it,
// not as a library: a program outside corskit should run the command
// instead. The packages that carry a promise are cors, policy and browser
// (docs/api.md lists them and what each promises).
package audit
