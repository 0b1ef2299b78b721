package browsertest

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"regexp"
	"sync"
	"time"

	"golang.org/x/net/websocket"
)

// inspectorConn is a connection to WebKitGTK's remote inspector server
// (WEBKIT_INSPECTOR_HTTP_SERVER), as Web Inspector's frontend makes it: one
// WebSocket per inspected page, on which the page's targets are announced
// (Target.targetCreated) and each target's domains (Network, ...) are
// reached by wrapping commands in Target.sendMessageToTarget; the answers
// and events come back in Target.dispatchMessageFromTarget. The page
// connection itself has no Network domain ("'Network' domain was not
// found").
type inspectorConn struct {
	ws      *websocket.Conn
	mu      sync.Mutex
	nextID  int
	waiting map[int]chan inspectorMessage // the target's answers, by id
	targets chan string                   // targets announced
	onEvent func(target, method string, params json.RawMessage)
	closed  chan struct{}
}

// inspectorSocket matches the WebSocket path of an inspectable page in the
// inspector server's target list, an HTML page.
var inspectorSocket = regexp.MustCompile(`/socket/\d+/\d+/WebPage`)

// dialInspector connects to the one page the inspector server at addr
// lists, and hands every target's events to onEvent, from the reading
// goroutine. MiniBrowser starts its inspector server and its page after
// it starts: the list is asked for again until it shows the page, for at
// most 30 s.
func dialInspector(addr string, onEvent func(target, method string, params json.RawMessage)) (*inspectorConn, error) {
	socket, err := inspectedPage(addr, 30*time.Second)
	if err != nil {
		return nil, err
	}
	cfg, err := websocket.NewConfig("ws://"+addr+string(socket), "http://"+addr+"/")
	if err != nil {
		return nil, err
	}
	cfg.Dialer = nil
	ws, err := websocket.DialConfig(cfg)
	if err != nil {
		return nil, fmt.Errorf("WebKit's inspector socket ws://%s%s: %w", addr, socket, err)
	}
	ws.MaxPayloadBytes = 64 << 20
	c := &inspectorConn{ws: ws, waiting: map[int]chan inspectorMessage{}, targets: make(chan string, 16), onEvent: onEvent, closed: make(chan struct{})}
	go c.read()
	return c, nil
}

// inspectedPage returns the WebSocket path of the page the inspector server
// at addr lists, asking again every 50 ms until it lists one, at most wait.
func inspectedPage(addr string, wait time.Duration) ([]byte, error) {
	client := &http.Client{Timeout: 10 * time.Second}
	deadline := time.Now().Add(wait)
	for {
		var list []byte
		resp, err := client.Get("http://" + addr + "/")
		if err == nil {
			list, _ = io.ReadAll(io.LimitReader(resp.Body, 1<<20))
			resp.Body.Close()
			if socket := inspectorSocket.Find(list); socket != nil {
				return socket, nil
			}
		}
		if time.Now().After(deadline) {
			if err != nil {
				return nil, fmt.Errorf("WebKit's inspector target list at %s: %w", addr, err)
			}
			return nil, fmt.Errorf("WebKit's inspector at %s lists no page after %v: %.300s", addr, wait, list)
		}
		time.Sleep(50 * time.Millisecond)
	}
}

// inspectorMessage is a message of either level: the page connection's
// (Target.* events, the wrappers' answers) or a target's.
type inspectorMessage struct {
	ID     *int            `json:"id"`
	Method string          `json:"method"`
	Params json.RawMessage `json:"params"`
	Result json.RawMessage `json:"result"`
	Error  json.RawMessage `json:"error"`
}

func (c *inspectorConn) read() {
	defer close(c.closed)
	for {
		var raw []byte
		if websocket.Message.Receive(c.ws, &raw) != nil {
			return
		}
		var m inspectorMessage
		if json.Unmarshal(raw, &m) != nil {
			continue
		}
		var p struct {
			TargetID   string `json:"targetId"`
			Message    string `json:"message"`
			TargetInfo struct {
				TargetID string `json:"targetId"`
				Type     string `json:"type"`
			} `json:"targetInfo"`
		}
		json.Unmarshal(m.Params, &p)
		switch m.Method {
		case "Target.targetCreated":
			if p.TargetInfo.Type == "page" {
				select {
				case c.targets <- p.TargetInfo.TargetID:
				default:
				}
			}
		case "Target.dispatchMessageFromTarget":
			c.fromTarget(p.TargetID, []byte(p.Message))
		}
	}
}

// fromTarget hands a target's answer to its caller, or its event to
// onEvent.
func (c *inspectorConn) fromTarget(target string, raw []byte) {
	var m inspectorMessage
	if json.Unmarshal(raw, &m) != nil {
		return
	}
	if m.ID == nil {
		c.onEvent(target, m.Method, m.Params)
		return
	}
	c.mu.Lock()
	ch := c.waiting[*m.ID]
	delete(c.waiting, *m.ID)
	c.mu.Unlock()
	if ch != nil {
		ch <- m
	}
}

// call sends a command to a target and waits for its answer, at most
// timeout; an error answer is an error.
func (c *inspectorConn) call(target, method string, params any, timeout time.Duration) (json.RawMessage, error) {
	c.mu.Lock()
	c.nextID++
	id := c.nextID
	ch := make(chan inspectorMessage, 1)
	c.waiting[id] = ch
	c.mu.Unlock()
	if params == nil {
		params = map[string]any{}
	}
	inner, _ := json.Marshal(map[string]any{"id": id, "method": method, "params": params})
	outer, _ := json.Marshal(map[string]any{"id": 1_000_000 + id, "method": "Target.sendMessageToTarget",
		"params": map[string]any{"targetId": target, "message": string(inner)}})
	if err := websocket.Message.Send(c.ws, string(outer)); err != nil {
		return nil, fmt.Errorf("WebKit inspector %s: %w", method, err)
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case a := <-ch:
		if len(a.Error) > 0 {
			return nil, fmt.Errorf("WebKit inspector %s: %s", method, a.Error)
		}
		return a.Result, nil
	case <-c.closed:
		return nil, errors.New("WebKit inspector " + method + ": the connection closed")
	case <-t.C:
		c.mu.Lock()
		delete(c.waiting, id)
		c.mu.Unlock()
		return nil, errors.New("WebKit inspector " + method + ": no answer within " + timeout.String())
	}
}

// close ends the connection, which ends the inspection.
func (c *inspectorConn) close() {
	c.ws.Close()
	<-c.closed
}
