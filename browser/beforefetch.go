package browser

import (
	"fmt"
	"strings"
)

// beforeFetch applies the checks an engine makes before it sends anything:
// a blocked port and mixed content (every engine), then Local Network
// Access (Chromium). It returns the verdict and true when one of them
// blocks the request.
func (e *Engine) beforeFetch(req Request) (Verdict, bool) {
	if port, bad := badPort(req.URL); bad {
		var lines []string
		if e.badPort != nil {
			lines = e.badPort(port, req.URL)
		}
		v := Verdict{Reason: BadPort, URL: req.URL, Messages: lines, Err: fmt.Errorf("port %d is one browsers never connect to", port)}
		if len(lines) > 0 {
			v.Message = lines[0]
		}
		return v, true
	}
	if strings.HasPrefix(strings.ToLower(req.Origin), "https:") && strings.HasPrefix(strings.ToLower(req.URL), "http:") &&
		!(e.LoopbackIsTrustworthy && potentiallyTrustworthy(req.URL)) {
		lines := e.mixedContent(req.PageURL, req.URL)
		return Verdict{Reason: MixedContent, URL: req.URL, Message: lines[0], Messages: lines}, true
	}
	if e.LocalNetworkAccess && req.PageAddressSpace == Public && req.TargetAddressSpace.privacy() > Public.privacy() {
		line := fmt.Sprintf("Access to fetch at '%s' from origin '%s' has been blocked by CORS policy: Permission was denied for this request to access the `%s` address space.",
			req.URL, req.Origin, req.TargetAddressSpace.chromiumName())
		return Verdict{Reason: LocalNetworkAccess, URL: req.URL, Message: line, Messages: []string{line}}, true
	}
	return Verdict{}, false
}
