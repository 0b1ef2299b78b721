package servertest

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"testing"
	"time"
)

// RawClient is one client connection that sends raw bytes and reads
// answers, for tests of what a server makes of exact bytes.
type RawClient struct {
	Conn net.Conn
	R    *bufio.Reader
}

// DialRaw connects to addr, with a 5 s deadline for the whole exchange; the
// connection closes with the test.
func DialRaw(t testing.TB, addr string) *RawClient {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	c.SetDeadline(time.Now().Add(5 * time.Second))
	t.Cleanup(func() { c.Close() })
	return &RawClient{Conn: c, R: bufio.NewReader(c)}
}

// RoundTrip sends raw (if any) and reads one answer to a request of method.
func (c *RawClient) RoundTrip(t testing.TB, method, raw string) (*http.Response, string) {
	t.Helper()
	if raw != "" {
		if _, err := io.WriteString(c.Conn, raw); err != nil {
			t.Fatal(err)
		}
	}
	return c.Read(t, method)
}

// Read reads one answer to a request of method, and its whole body.
func (c *RawClient) Read(t testing.TB, method string) (*http.Response, string) {
	t.Helper()
	resp, err := http.ReadResponse(c.R, &http.Request{Method: method})
	if err != nil {
		t.Fatalf("reading the answer: %v", err)
	}
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		t.Fatalf("reading the body: %v", err)
	}
	return resp, string(b)
}

// Closed reports whether the server closed the connection (within 3 s).
func (c *RawClient) Closed() bool {
	c.Conn.SetReadDeadline(time.Now().Add(3 * time.Second))
	_, err := c.R.ReadByte()
	return err == io.EOF
}
