// Package severity ranks a finding of audit or lint by what an attacker's
// page can read. It is a leaf: it imports nothing of corskit's, so lint and
// audit share the scale without one importing the other.
package severity

// Severity ranks a finding by what an attacker's page can read.
type Severity int

// The severities, lowest first.
const (
	Info   Severity = iota // broken or risky, but nothing readable cross-site
	Low                    // an unauthenticated read, or a read needing more than a page
	Medium                 // needs another weakness (a subdomain, the network path) or enables one (cache)
	High                   // any site can read the response with the user's credentials
)

func (s Severity) String() string {
	return [...]string{"info", "low", "medium", "high"}[s]
}

// Parse reads "info", "low", "medium" or "high".
func Parse(s string) (Severity, bool) {
	for v := Info; v <= High; v++ {
		if v.String() == s {
			return v, true
		}
	}
	return 0, false
}
