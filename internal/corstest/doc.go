// Package corstest holds the middleware's tests that need more than the
// middleware's own module: real browsers, the browser model, routers and
// rs/cors for the benchmarks. They live in corskit's module so that package
// cors, a module of its own, requires nothing but golang.org/x/net (see
// cors/doc.go); TestCorsModule runs the cors module's own tests from here, so
// that `go test ./...` at the repository's root covers both modules.
package corstest
