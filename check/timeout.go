package check

import (
	"context"
	"errors"
	"net"
)

// isTimeout reports whether err is a time limit reached, not a refusal:
// the context's deadline or a network timeout.
func isTimeout(err error) bool {
	if errors.Is(err, context.DeadlineExceeded) {
		return true
	}
	var ne net.Error
	return errors.As(err, &ne) && ne.Timeout()
}
