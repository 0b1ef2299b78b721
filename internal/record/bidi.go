package record

import (
	"encoding/json"
	"errors"
	"fmt"
	"sync"
	"time"

	"golang.org/x/net/websocket"
)

// bidi is a WebDriver BiDi connection: JSON commands over one WebSocket,
// answers matched by id, events handed to onEvent in the reading goroutine.
type bidi struct {
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

// dialBiDi connects to the session endpoint of a BiDi server.
func dialBiDi(wsURL string, onEvent func(string, json.RawMessage)) (*bidi, error) {
	ws, err := websocket.Dial(wsURL+"/session", "", "http://127.0.0.1/")
	if err != nil {
		return nil, err
	}
	ws.MaxPayloadBytes = 16 << 20
	b := &bidi{ws: ws, waiting: map[int]chan bidiAnswer{}, onEvent: onEvent}
	go b.read()
	return b, nil
}

func (b *bidi) read() {
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

// call sends one command and waits for its answer, at most timeout.
func (b *bidi) call(method string, params any, timeout time.Duration) (json.RawMessage, error) {
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

func (b *bidi) close() { b.ws.Close() }
