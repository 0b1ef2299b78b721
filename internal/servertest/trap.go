package servertest

import (
	"bufio"
	"net"
	"sync"
	"time"
)

// Trap is a proxy on loopback that forwards nothing: a server started with
// Trap.Env in its environment sends what it would send beyond loopback
// (Azurite's telemetry, through the proxy its SDK honours) to the trap,
// which records the request's first line and closes the connection. Tests
// send traffic to loopback only: a hit is a defect to fix, not traffic.
type Trap struct {
	ln   net.Listener
	mu   sync.Mutex
	hits []string
}

// NewTrap listens on a free loopback port until Close.
func NewTrap() (*Trap, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	tr := &Trap{ln: ln}
	go tr.serve()
	return tr, nil
}

// serve records each connection's first line, read within a second.
func (tr *Trap) serve() {
	for {
		c, err := tr.ln.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			c.SetReadDeadline(time.Now().Add(time.Second))
			line, _ := bufio.NewReader(c).ReadString('\n')
			if line == "" {
				line = "(a connection that sent nothing)"
			}
			tr.mu.Lock()
			tr.hits = append(tr.hits, line)
			tr.mu.Unlock()
		}()
	}
}

// Env is the proxy settings, in both spellings, that send a process's
// outbound HTTP and HTTPS to the trap.
func (tr *Trap) Env() []string {
	p := "http://" + tr.ln.Addr().String()
	return []string{"http_proxy=" + p, "https_proxy=" + p, "HTTP_PROXY=" + p, "HTTPS_PROXY=" + p, "no_proxy=127.0.0.1,localhost", "NO_PROXY=127.0.0.1,localhost"}
}

// Hits are the first lines of the connections caught so far.
func (tr *Trap) Hits() []string {
	tr.mu.Lock()
	defer tr.mu.Unlock()
	return append([]string(nil), tr.hits...)
}

// Close stops listening.
func (tr *Trap) Close() error { return tr.ln.Close() }
