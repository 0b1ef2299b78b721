module github.com/corskit/corskit

go 1.26.8

require (
	github.com/go-chi/chi/v5 v5.5.0
	github.com/rs/cors v1.11.1
	golang.org/x/net v0.62.0
)

require (
	github.com/chromedp/cdproto v0.159.0 // indirect
	github.com/chromedp/chromedp v0.23.0 // indirect
	github.com/go-json-experiment/json v0.0.0-20260213210345-44df1a37e875 // indirect
	go.yaml.in/yaml/v3 v3.0.6 // indirect
)
