package browser

import (
	"fmt"
	"strings"
)

// beforeFetch applies the checks an engine makes before it sends anything:
// a blocked port and mixed content (every engine), then Local Network
// Access (Chromium). It returns the verdict and true when one of them
// blocks the request, else the warnings of those that would block the
// deployed server when req is a stand-in.
func (e *Engine) beforeFetch(req Request) (Verdict, []Warning, bool) {
	var warnings []Warning
	if port, bad := badPort(req.URL); bad {
		var lines []string
		if e.badPort != nil {
			lines = e.badPort(port, req.URL)
		}
		v := Verdict{Reason: BadPort, URL: req.URL, Messages: lines, Err: fmt.Errorf("port %d is one browsers never connect to", port)}
		if len(lines) > 0 {
			v.Message = lines[0]
		}
		return v, nil, true
	}
	if strings.HasPrefix(strings.ToLower(req.Origin), "https:") && strings.HasPrefix(strings.ToLower(req.URL), "http:") &&
		!(e.loopbackIsTrustworthy && potentiallyTrustworthy(req.URL)) {
		lines := e.mixedContent(req.PageURL, req.URL)
		if space, certain := SpaceOfURL(req.URL); req.StandIn && certain && space != Public {
			warnings = append(warnings, Warning{WarnMixedContent, fmt.Sprintf("%s blocks an https page's fetch of %s as mixed content, before CORS: judged here as a stand-in for the deployed API, which must be served over https", e.Product, req.URL)})
		} else {
			return Verdict{Reason: MixedContent, URL: req.URL, Message: lines[0], Messages: lines}, nil, true
		}
	}
	if e.localNetworkAccess && req.PageAddressSpace == Public && req.TargetAddressSpace.privacy() > Public.privacy() {
		if req.StandIn {
			warnings = append(warnings, Warning{WarnLocalNetwork, fmt.Sprintf("a page on a public address (%s) that fetches this %s address needs the user's permission in %s (Local Network Access), whatever the CORS headers: judged here as a stand-in for the deployed API; say --page-address-space public to judge it as it is", req.Origin, req.TargetAddressSpace, e.Product)})
		} else {
			line := fmt.Sprintf("Access to fetch at '%s' from origin '%s' has been blocked by CORS policy: Permission was denied for this request to access the `%s` address space.",
				req.URL, req.Origin, req.TargetAddressSpace.chromiumName())
			return Verdict{Reason: LocalNetworkAccess, URL: req.URL, Message: line, Messages: []string{line}}, nil, true
		}
	}
	return Verdict{}, warnings, false
}
