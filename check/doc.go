// Package check is corskit's doctor: it performs one cross-origin request as
// a browser would, over real HTTP, judges it with the [browser] model, and
// explains the verdict: Chromium's console line, what was sent and answered,
// why, the fix for the user's server stack, and the risks.
//
// # Compatibility
//
// This package's API may change in any release; the CLI (corskit check
// and corskit serve) is its user. It is public so that the corskit command
// is built from it,
// not as a library: a program outside corskit should run the command
// instead. The packages that carry a promise are cors, policy and browser
// (docs/api.md lists them and what each promises).
package check
