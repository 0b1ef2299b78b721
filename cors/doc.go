// Package cors is a net/http middleware that applies a CORS policy: it answers
// preflights and sets the Access-Control-* response headers that let a page on
// one origin read a response from another.
//
// Build the middleware once from a [Config] and wrap your handler (the whole
// router, so that preflights reach it before route matching):
//
//	m, err := cors.New(cors.Config{
//		AllowOrigins:     []string{"https://app.example.com", "https://*.example.com"},
//		AllowMethods:     []string{"GET", "POST", "PUT", "DELETE"},
//		AllowHeaders:     []string{"Content-Type", "Authorization"},
//		ExposeHeaders:    []string{"X-Request-Id"},
//		AllowCredentials: true,
//		MaxAge:           600,
//	})
//	if err != nil {
//		log.Fatal(err) // every problem, each naming the bad value and the fix
//	}
//	http.ListenAndServe(":8080", m.Handler(mux))
//
// # Rules the middleware follows
//
//   - It fails closed: [New] refuses an invalid or dangerous policy and lists
//     every problem at once as [*ConfigError] values. Dangerous but legitimate
//     choices need an opt-in whose name starts with Dangerously.
//   - Preflights are answered by the middleware and never reach the next
//     handler, unless PreflightPassthrough is set. A preflight from a disallowed
//     origin gets 403 without CORS headers; one from an allowed origin that asks
//     for a refused method or header gets an ok answer listing what is allowed,
//     so that the browser's console names the refused method or header.
//   - Every other request reaches the next handler: the browser, not the
//     server, enforces CORS. Allowed origins get Access-Control-Allow-Origin,
//     -Allow-Credentials and -Expose-Headers.
//   - Vary: Origin is added to every response whose CORS headers depend on the
//     request's origin, and preflights also vary on the request method and
//     headers; values set by other layers are kept.
//   - Matching is byte-exact, as in browsers, and costs a few map look-ups
//     however many origins are configured.
//   - Hostile input costs bounded work: Access-Control-Request-Headers over
//     4096 bytes or 64 names is refused before it is read.
//   - The middleware allocates one small array per response for the header
//     values it writes and never shares a slice between responses, so a
//     handler that edits its header map cannot corrupt another response.
//
// Browser behaviour follows the WHATWG Fetch standard (https://fetch.spec.whatwg.org/)
// and has been checked against headless Chromium.
//
// # Compatibility
//
// Package cors is a module of its own, github.com/corskit/corskit/cors,
// whose only requirement is golang.org/x/net: a program that imports it
// inherits nothing of corskit's toolchain (browsers, the gateway, the
// generators). Its public, promised API is this package alone: [Config]
// (with [Config.Validate]), [New], [Middleware] (Handler, Reconfigure,
// Config), [ConfigError], [ConfigErrorKind] and its constants, and
// [MaxMaxAge]. Its signatures carry only standard-library types.
//
// corskit follows semantic versioning. Before v1.0.0 a minor release may
// change this package's API, and says how in the CHANGELOG; a patch release
// never does. A change that makes a policy stricter (refusing a
// configuration found unsafe, or sending a header browsers need) counts as a
// fix, not a break. From v1.0.0, the API changes only in major releases.
// Config gains fields in minor releases: write Config literals with field
// names (Config's blank field refuses the others). ConfigError messages
// may change in any release; its Field and Kind, and the Kind constants,
// do not. The zero Middleware is a pass-through (see [Middleware]).
//
// The module's other packages, under cors/unstable/, are corskit's own
// plumbing and carry no promise: they may change or go away in any
// release, and programs outside corskit should not import them.
// cors/unstable/origin (origin patterns and their matching) and
// cors/unstable/headers (the Fetch standard's method and header-name rules)
// are shared with corskit's browser model, doctor and generators, which
// live in another module and so cannot import an internal package of this
// one; cors/unstable/hooks lets corskit's gateway decide a request once and
// apply that decision, and answer preflights from its own HTTP/1.1 server.
//
// corskit's other public packages, and what each promises, are listed in
// docs/api.md of corskit's repository.
package cors
