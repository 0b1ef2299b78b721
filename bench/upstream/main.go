// Command upstream is the backend the gateway benchmark proxies to: one JSON
// answer, keep-alive, nothing else.
package main

import (
	"flag"
	"log"
	"net/http"
	"time"
)

func main() {
	addr := flag.String("listen", "127.0.0.1:18090", "address")
	flag.Parse()
	body := []byte(`{"message": "Hello from API!"}` + "\n")
	srv := &http.Server{Addr: *addr, ReadHeaderTimeout: 5 * time.Second, Handler: http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.Write(body)
	})}
	log.Fatal(srv.ListenAndServe())
}
