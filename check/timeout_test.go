package check

import (
	"context"
	"fmt"
	"net"
	"strings"
	"testing"
	"time"

	"github.com/corskit/corskit/internal/servertest"
)

// TestATimeoutIsCalledATimeout: a server that accepts the connection and
// never answers is "timeout", not "could not be reached"; a refused
// connection is still "not a CORS error".
func TestATimeoutIsCalledATimeout(t *testing.T) {
	silent, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer silent.Close()
	go func() {
		for {
			c, err := silent.Accept()
			if err != nil {
				return
			}
			defer c.Close() // held open, never answered
		}
	}()
	// A reserved port nothing listens on (below the ephemeral range, so no
	// server of this run listening on port 0 takes it).
	refused := fmt.Sprintf("127.0.0.1:%d", servertest.FreePort(t))
	for addr, want := range map[string]string{silent.Addr().String(): "timeout", refused: "not a CORS error"} {
		r, err := Run(context.Background(), Options{URL: "http://" + addr + "/data", Origin: "http://localhost:3000", Timeout: 300 * time.Millisecond})
		if err != nil {
			t.Fatal(err)
		}
		if len(r.Problems) == 0 || r.Problems[0].Name != want {
			t.Errorf("%s: problems %+v, want %q first", addr, r.Problems, want)
		} else if want == "timeout" && !strings.Contains(r.Problems[0].Sentence, "did not answer in time") {
			t.Errorf("%s: %q", addr, r.Problems[0].Sentence)
		}
	}
}
