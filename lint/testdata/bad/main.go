package main

import (
	"net/http"

	"github.com/rs/cors"
)

func handler(w http.ResponseWriter, r *http.Request) {
	w.Header().Set("Access-Control-Allow-Origin", r.Header.Get("Origin"))
	w.Header().Set("Access-Control-Allow-Credentials", "true")
}

var c = cors.New(cors.Options{
	AllowOriginFunc:  func(origin string) bool { return true },
	AllowCredentials: true,
})
