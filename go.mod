module github.com/corskit/corskit

go 1.26.8

require (
	github.com/go-chi/chi/v5 v5.5.0
	github.com/rs/cors v1.11.1
	golang.org/x/net v0.62.0
)

require go.yaml.in/yaml/v3 v3.0.6 // indirect
