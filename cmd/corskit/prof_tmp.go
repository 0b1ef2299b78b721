package main

import (
	"os"
	"runtime/pprof"
	"time"
)

func init() {
	if p := os.Getenv("CORSKIT_CPUPROFILE"); p != "" {
		f, _ := os.Create(p)
		pprof.StartCPUProfile(f)
		go func() { time.Sleep(6 * time.Second); pprof.StopCPUProfile(); f.Close() }()
	}
}
