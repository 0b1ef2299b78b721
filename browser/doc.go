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
//
// # Compatibility
//
// The promised API is the model's shape, every exported name of this
// package ([Request], [Verdict], [Engine] and its exported fields and
// methods, [Chromium], [Firefox], [Safari], [Engines], [EngineNamed],
// [Select], [Fetch], [RoundTripper], the [Reason] codes, [Warning] ...),
// with the same rules as package cors (semantic versioning; before v1.0.0 a
// minor release may change it and says how in the CHANGELOG).
// Engines are values: each call to [Chromium], [Firefox], [Safari],
// [Engines], [EngineNamed] or [Select] returns fresh copies, so a caller
// that changes one changes nobody else's. Where an engine departs from the
// standard is built inside this package and unexported; [Engine.Quirks]
// names each and [Engine.Without] turns one off, and the set of quirks
// changes with the engines.
//
// What the model answers is not frozen: a verdict, a console line, a
// warning or a Reason for a given request follows the engine versions the
// model is measured on (Engine.Product), and changes in any release in
// which a browser changed or the model was found wrong. Reason codes are added in
// minor releases; a switch over them needs a default case.
package browser
