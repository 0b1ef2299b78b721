package origin

import (
	"fmt"
	"testing"
)

func BenchmarkContains(b *testing.B) {
	many := make([]string, 1000)
	for i := range many {
		many[i] = fmt.Sprintf("https://app%d.example.com", i)
	}
	for _, bc := range []struct {
		name     string
		patterns []string
		origin   string
	}{
		{"cfg=single/origin=allowed", []string{"https://app.example.com"}, "https://app.example.com"},
		{"cfg=single/origin=disallowed", []string{"https://app.example.com"}, "https://evil.test"},
		{"cfg=origins=1000/origin=allowed", many, "https://app999.example.com"},
		{"cfg=subdomains/origin=allowed", []string{"https://*.example.com"}, "https://app.eu.example.com"},
		{"cfg=subdomains-hashed/origin=allowed", append([]string{"https://*.example.com"}, padding...), "https://app.eu.example.com"},
		{"cfg=ports/origin=allowed", []string{"http://localhost:*"}, "http://localhost:5173"},
	} {
		b.Run(bc.name, func(b *testing.B) {
			s := mustSet(b, bc.patterns...)
			b.ReportAllocs()
			for b.Loop() {
				s.Contains(bc.origin)
			}
		})
	}
}
