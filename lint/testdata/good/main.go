package main

import "github.com/corskit/corskit/cors"

var m, _ = cors.New(cors.Config{AllowOrigins: []string{"https://app.example.com"}, AllowCredentials: true})
