// Package browser is a model of what a browser does with one cross-origin
// fetch(): whether it sends a preflight and what that preflight carries, how it
// judges the preflight and the actual response, which redirects it follows,
// which response headers the page may read and, when it blocks the request,
// the reason as a [Reason] code and the exact line Chromium prints to the
// console.
//
// The model follows the WHATWG Fetch standard (https://fetch.spec.whatwg.org/)
// and matches Chromium where Chromium differs: it is tested against headless
// Chromium over generated scenarios. It does no I/O: [Fetch] asks a
// [RoundTripper] for each response, so the same model judges real HTTP
// (corskit check), recorded answers, and an http.Handler in a test.
package browser
