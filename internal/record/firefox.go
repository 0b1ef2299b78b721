package record

import (
	"context"
	"errors"

	"github.com/corskit/corskit/check"
)

// runFirefox records a session in Firefox by WebDriver BiDi.
func runFirefox(ctx context.Context, o Options, base check.Options) (Session, error) {
	return Session{}, errors.New("--browser firefox: not built yet in this version; record with --browser chromium")
}
