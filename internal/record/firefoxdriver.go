package record

import (
	"context"
	"encoding/json"
	"fmt"
	"time"

	"github.com/corskit/corskit/internal/browserwire"
)

// firefoxDriver runs the steps of a session in Firefox's tab by BiDi:
// navigation, element lookup and input actions; reading the page's text
// runs in a sandbox the page's scripts cannot see.
type firefoxDriver struct {
	b       *browserwire.BiDi
	tab     string
	timeout time.Duration
}

// newFirefoxDriver starts a BiDi session, bounded by start, whose steps
// are each bounded by timeout.
func newFirefoxDriver(b *browserwire.BiDi, start, timeout time.Duration) (*firefoxDriver, error) {
	if _, err := b.Call("session.new", map[string]any{"capabilities": map[string]any{}}, start); err != nil {
		return nil, fmt.Errorf("firefox: session.new: %v", err)
	}
	events := []string{"network.beforeRequestSent", "network.responseStarted", "network.responseCompleted", "network.fetchError", "log.entryAdded"}
	if _, err := b.Call("session.subscribe", map[string]any{"events": events}, start); err != nil {
		return nil, fmt.Errorf("firefox: session.subscribe: %v", err)
	}
	tree, err := b.Call("browsingContext.getTree", map[string]any{}, start)
	var contexts struct {
		Contexts []struct {
			Context string `json:"context"`
		} `json:"contexts"`
	}
	if err == nil {
		err = json.Unmarshal(tree, &contexts)
	}
	if err != nil || len(contexts.Contexts) == 0 {
		return nil, fmt.Errorf("firefox: browsingContext.getTree: no tab (%v)", err)
	}
	return &firefoxDriver{b: b, tab: contexts.Contexts[0].Context, timeout: timeout}, nil
}

// call runs a command, bounded by ctx's deadline too.
func (d *firefoxDriver) call(ctx context.Context, method string, params map[string]any) (json.RawMessage, error) {
	timeout := d.timeout
	if dl, ok := ctx.Deadline(); ok {
		timeout = min(timeout, time.Until(dl))
	}
	return d.b.Call(method, params, max(timeout, time.Millisecond))
}

func (d *firefoxDriver) open(ctx context.Context, url string) error {
	_, err := d.call(ctx, "browsingContext.navigate", map[string]any{"context": d.tab, "url": url, "wait": "complete"})
	return err
}

// node finds the first element selector matches, waiting until one does.
func (d *firefoxDriver) node(ctx context.Context, selector string) (map[string]any, error) {
	tick := time.NewTicker(100 * time.Millisecond)
	defer tick.Stop()
	for {
		raw, err := d.call(ctx, "browsingContext.locateNodes", map[string]any{"context": d.tab, "locator": map[string]any{"type": "css", "value": selector}, "maxNodeCount": 1})
		if err != nil {
			return nil, fmt.Errorf("selector %q: %v", selector, err)
		}
		var res struct {
			Nodes []struct {
				SharedID string `json:"sharedId"`
			} `json:"nodes"`
		}
		if json.Unmarshal(raw, &res) == nil && len(res.Nodes) > 0 {
			return map[string]any{"type": "element", "element": map[string]any{"sharedId": res.Nodes[0].SharedID}}, nil
		}
		select {
		case <-ctx.Done():
			return nil, fmt.Errorf("no element matches %q", selector)
		case <-tick.C:
		}
	}
}

func (d *firefoxDriver) click(ctx context.Context, selector string) error {
	origin, err := d.node(ctx, selector)
	if err != nil {
		return err
	}
	_, err = d.call(ctx, "input.performActions", map[string]any{"context": d.tab, "actions": []any{map[string]any{
		"type": "pointer", "id": "mouse", "actions": []any{
			map[string]any{"type": "pointerMove", "x": 0, "y": 0, "origin": origin},
			map[string]any{"type": "pointerDown", "button": 0},
			map[string]any{"type": "pointerUp", "button": 0},
		}}}})
	return err
}

func (d *firefoxDriver) fill(ctx context.Context, selector, text string) error {
	if err := d.click(ctx, selector); err != nil {
		return err
	}
	var keys []any
	for _, r := range text {
		keys = append(keys, map[string]any{"type": "keyDown", "value": string(r)}, map[string]any{"type": "keyUp", "value": string(r)})
	}
	_, err := d.call(ctx, "input.performActions", map[string]any{"context": d.tab, "actions": []any{map[string]any{"type": "key", "id": "keyboard", "actions": keys}}})
	return err
}

func (d *firefoxDriver) bodyText(ctx context.Context) (string, error) {
	raw, err := d.call(ctx, "script.evaluate", map[string]any{"target": map[string]any{"context": d.tab, "sandbox": "corskit-record"},
		"awaitPromise": false, "expression": "document.body ? document.body.innerText : ''"})
	if err != nil {
		return "", err
	}
	var ev struct {
		Result struct {
			Value string `json:"value"`
		} `json:"result"`
	}
	err = json.Unmarshal(raw, &ev)
	return ev.Result.Value, err
}
