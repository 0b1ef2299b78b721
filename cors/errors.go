package cors

import "strconv"

// ConfigError is one problem with a [Config]: the field, the offending value as
// the user wrote it, and a reason that says what is wrong and how to fix it.
// [New] and [Middleware.Reconfigure] return every ConfigError at once, joined
// with [errors.Join]; use [errors.As] to inspect them.
type ConfigError struct {
	// Field is the Config field at fault, e.g. "AllowOrigins".
	Field string
	// Value is the offending value, as given.
	Value string
	// Reason says what is wrong with Value and how to fix it.
	Reason string
}

// Error returns a message of the form
// `cors: AllowOrigins: "https://app.example.com/" has a trailing slash; ...`.
func (e *ConfigError) Error() string {
	return "cors: " + e.Field + ": " + strconv.Quote(e.Value) + " " + e.Reason
}
