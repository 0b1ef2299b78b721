// Package racescope holds the rule that lets CI's race pass leave packages
// out: a package left out starts no goroutine, imports no sync, and changes
// no package-level variable after init, so no run of it can race, and
// callers that run it in parallel (the web page's handlers) share nothing
// through it. Its test reads the list from .ci/run.
package racescope
