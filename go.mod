module github.com/corskit/corskit

go 1.26.8

require (
	github.com/go-chi/chi/v5 v5.5.0
	golang.org/x/net v0.62.0
)
