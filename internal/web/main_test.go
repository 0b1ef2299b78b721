package web_test

import (
	"testing"

	"github.com/corskit/corskit/internal/browsertest"
)

// TestMain shares browsers between the package's tests.
func TestMain(m *testing.M) { browsertest.Main(m) }
