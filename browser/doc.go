// Package browser is a model of what a browser does with one cross-origin
// fetch(): whether it sends a preflight and what that preflight carries, how it
// judges the preflight and the actual response, which redirects it follows,
// which response headers the page may read and, when it blocks the request,
// the reason as a [Reason] code and the exact lines the engine logs to the
// console.
//
// The Fetch logic is written once, after the WHATWG Fetch standard
// (https://fetch.spec.whatwg.org/); each [Engine] (Chromium, Firefox, and
// WebKit as Safari) adds where it departs from it and its own console
// wording, each in a file of its own. The model is tested against the three
// real engines over generated scenarios. It does no I/O: [Engine.Fetch] asks
// a [RoundTripper] for each response, so the same model judges real HTTP
// (corskit check), recorded answers, and an http.Handler in a test. [Fetch]
// is Chromium's.
package browser
