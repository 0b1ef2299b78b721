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
	// Kind says, for programs, what sort of problem it is.
	Kind ConfigErrorKind
	// Reason says what is wrong with Value and how to fix it.
	Reason string
	// Fix is the part of Reason that says how to fix it, for tools that show
	// the remedy apart (a linter's "fix:" column).
	Fix string
}

// ConfigErrorKind classifies a [ConfigError] for programs; its values are
// stable, its messages are not.
type ConfigErrorKind string

// The kinds of configuration problems.
const (
	// KindMissing: a required value is absent (no AllowOrigins).
	KindMissing ConfigErrorKind = "missing"
	// KindInvalid: a value is not well-formed (an origin with a path, a
	// method that is not a token).
	KindInvalid ConfigErrorKind = "invalid"
	// KindUnsafe: the value would let other sites read responses (credentials
	// with "*", "null", insecure origins with credentials) unless its
	// Dangerously... opt-in is set.
	KindUnsafe ConfigErrorKind = "unsafe"
	// KindIneffective: browsers ignore the value (a forbidden method or
	// header, ExposeHeaders "*" with credentials).
	KindIneffective ConfigErrorKind = "ineffective"
	// KindOutOfRange: a number outside what browsers accept (MaxAge,
	// PreflightStatus).
	KindOutOfRange ConfigErrorKind = "out_of_range"
)

// Error returns a message of the form
// `cors: AllowOrigins: "https://app.example.com/" has a trailing slash; ...`.
func (e *ConfigError) Error() string {
	return "cors: " + e.Field + ": " + strconv.Quote(e.Value) + " " + e.Reason
}
