package record

import (
	"encoding/json"
	"os"
	"strings"
)

// bidiRequest is BiDi's network.RequestData, as far as record reads it.
type bidiRequest struct {
	Request string `json:"request"`
	URL     string `json:"url"`
	Method  string `json:"method"`
	Headers []struct {
		Name  string `json:"name"`
		Value struct {
			Value string `json:"value"`
		} `json:"value"`
	} `json:"headers"`
}

type bidiHeaders = []struct {
	Name  string `json:"name"`
	Value struct {
		Value string `json:"value"`
	} `json:"value"`
}

func bidiHeaderMap(hs bidiHeaders) map[string]string {
	out := map[string]string{}
	for _, h := range hs {
		if v, ok := out[h.Name]; ok {
			out[h.Name] = v + "\n" + h.Value.Value
		} else {
			out[h.Name] = h.Value.Value
		}
	}
	return out
}

// firefoxEvent files one BiDi event; it runs in the reading goroutine.
func (s *session) firefoxEvent(method string, params json.RawMessage) {
	if os.Getenv("CORSKIT_RECORD_DEBUG") != "" {
		os.Stderr.WriteString(method + " " + string(params) + "\n")
	}
	var e struct {
		Request   bidiRequest `json:"request"`
		Initiator struct {
			Type string `json:"type"`
		} `json:"initiator"`
		RedirectCount int `json:"redirectCount"`
		Response      struct {
			Status  int         `json:"status"`
			Headers bidiHeaders `json:"headers"`
		} `json:"response"`
		ErrorText string `json:"errorText"`
		Level     string `json:"level"`
		Text      string `json:"text"`
	}
	if json.Unmarshal(params, &e) != nil {
		return
	}
	c := s.cap
	c.mu.Lock()
	defer c.mu.Unlock()
	id := e.Request.Request
	switch method {
	case "network.beforeRequestSent":
		x := c.get(id)
		if x.url != "" && x.status != 0 {
			// A redirect: the hop answered is an exchange of its own.
			hop := *x
			hop.id, hop.done = id+"-hop"+x.url, true
			c.byID[hop.id] = &hop
			c.order = append(c.order, hop.id)
			x.status, x.respHeaders, x.done = 0, nil, false
			c.inflight--
		}
		x.url, x.method = e.Request.URL, e.Request.Method
		x.reqHeaders = bidiHeaderMap(e.Request.Headers)
		x.sent = x.reqHeaders
		x.resourceType = "fetch"
		if e.Initiator.Type == "preflight" || (x.method == "OPTIONS" && x.header("Access-Control-Request-Method") != "") {
			x.resourceType = "preflight"
		}
		c.inflight++
		c.poke()
	case "network.responseStarted":
		// A refused preflight ends in fetchError: its answer is told here.
		x := c.get(id)
		x.status, x.respHeaders = e.Response.Status, bidiHeaderMap(e.Response.Headers)
	case "network.responseCompleted":
		x := c.get(id)
		x.status, x.respHeaders, x.extra = e.Response.Status, bidiHeaderMap(e.Response.Headers), true
		s.ended(x)
	case "network.fetchError":
		x := c.get(id)
		x.failed = e.ErrorText
		s.ended(x)
	case "log.entryAdded":
		if e.Level == "error" && strings.HasPrefix(e.Text, "Cross-Origin Request Blocked") {
			if x := c.awaitingLine(e.Text, ""); x != nil {
				x.console = append(x.console, e.Text)
				c.poke()
			}
		}
	}
}
