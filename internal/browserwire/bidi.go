package browserwire

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"regexp"
	"sync"
	"time"

	"golang.org/x/net/websocket"
)

// BiDi is a WebDriver BiDi connection: JSON commands over one WebSocket,
// answers matched by id, events handed to onEvent in the reading goroutine.
type BiDi struct {
	ws      *websocket.Conn
	mu      sync.Mutex
	nextID  int
	waiting map[int]chan bidiAnswer
	onEvent func(method string, params json.RawMessage)
}

type bidiAnswer struct {
	Result json.RawMessage `json:"result"`
	Error  string          `json:"error"`
	Msg    string          `json:"message"`
}

// DialBiDi connects to the session endpoint of a BiDi server; a message
// may be up to maxPayload bytes.
func DialBiDi(wsURL string, maxPayload int, onEvent func(method string, params json.RawMessage)) (*BiDi, error) {
	ws, err := websocket.Dial(wsURL+"/session", "", "http://127.0.0.1/")
	if err != nil {
		return nil, err
	}
	ws.MaxPayloadBytes = maxPayload
	b := &BiDi{ws: ws, waiting: map[int]chan bidiAnswer{}, onEvent: onEvent}
	go b.read()
	return b, nil
}

func (b *BiDi) read() {
	for {
		var raw []byte
		if err := websocket.Message.Receive(b.ws, &raw); err != nil {
			b.mu.Lock()
			for id, ch := range b.waiting {
				ch <- bidiAnswer{Error: "connection closed", Msg: err.Error()}
				delete(b.waiting, id)
			}
			b.mu.Unlock()
			return
		}
		var m struct {
			ID     *int            `json:"id"`
			Method string          `json:"method"`
			Params json.RawMessage `json:"params"`
			bidiAnswer
		}
		if json.Unmarshal(raw, &m) != nil {
			continue
		}
		if m.ID == nil {
			b.onEvent(m.Method, m.Params)
			continue
		}
		b.mu.Lock()
		ch := b.waiting[*m.ID]
		delete(b.waiting, *m.ID)
		b.mu.Unlock()
		if ch != nil {
			ch <- m.bidiAnswer
		}
	}
}

// Call sends one command and waits for its answer, at most timeout.
func (b *BiDi) Call(method string, params any, timeout time.Duration) (json.RawMessage, error) {
	b.mu.Lock()
	b.nextID++
	id := b.nextID
	ch := make(chan bidiAnswer, 1)
	b.waiting[id] = ch
	b.mu.Unlock()
	msg, _ := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	if err := websocket.Message.Send(b.ws, string(msg)); err != nil {
		return nil, err
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case a := <-ch:
		if a.Error != "" {
			return nil, fmt.Errorf("%s: %s", a.Error, a.Msg)
		}
		return a.Result, nil
	case <-t.C:
		b.mu.Lock()
		delete(b.waiting, id)
		b.mu.Unlock()
		return nil, errors.New(method + ": no answer within " + timeout.String())
	}
}

// Close closes the connection; calls waiting for an answer get an error.
func (b *BiDi) Close() error { return b.ws.Close() }

var bidiListening = regexp.MustCompile(`WebDriver BiDi listening on (ws://\S+)`)

// WaitBiDi reads Firefox's output until it says where BiDi listens, at
// most timeout, and returns that address.
func WaitBiDi(out io.Reader, timeout time.Duration) (string, error) {
	found := make(chan string, 1)
	go func() {
		sc := bufio.NewScanner(out)
		for sc.Scan() {
			if m := bidiListening.FindStringSubmatch(sc.Text()); m != nil {
				select {
				case found <- m[1]:
				default:
				}
			}
		}
	}()
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case u := <-found:
		return u, nil
	case <-t.C:
		return "", fmt.Errorf("WebDriver BiDi did not start within %s", timeout)
	}
}
