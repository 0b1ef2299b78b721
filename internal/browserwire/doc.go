// Package browserwire is the plumbing that finds and talks to the real browsers,
// shared by internal/browsertest (the tests' engines) and internal/record
// (corskit record): where Chromium and Firefox are, Firefox's quiet
// profile, the WebDriver BiDi connection, and the CDP headers as HAR pairs.
package browserwire
