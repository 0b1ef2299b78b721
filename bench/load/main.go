// Command load sends requests at a fixed rate over kept-alive connections
// and reports the latency percentiles, each request timed from when it was
// scheduled to start, so that a server that falls behind is charged for the
// wait (no coordinated omission), as wrk2 does. bench/run.sh uses it to
// compare latency at one load that neither server saturates.
package main

import (
	"bufio"
	"flag"
	"fmt"
	"io"
	"net"
	"net/url"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
)

func main() {
	target := flag.String("url", "", "the URL to request, e.g. http://127.0.0.1:8080/data (loopback only)")
	rate := flag.Int("rate", 1000, "requests per second, in all")
	conns := flag.Int("conns", 16, "kept-alive connections; each sends one request at a time")
	duration := flag.Duration("duration", 10*time.Second, "how long to send")
	method := flag.String("method", "GET", "the request method")
	label := flag.String("label", "", "the first column of the result row")
	var headers []string
	flag.Func("header", `a request header, "Name: value" (repeatable)`, func(s string) error {
		if !strings.Contains(s, ":") {
			return fmt.Errorf("header %q: write Name: value", s)
		}
		headers = append(headers, s)
		return nil
	})
	flag.Parse()
	u, err := url.Parse(*target)
	if err != nil || u.Scheme != "http" || u.Host == "" {
		fail("-url %q: give an http URL on loopback, e.g. http://127.0.0.1:8080/data", *target)
	}
	if ip := net.ParseIP(u.Hostname()); ip == nil || !ip.IsLoopback() {
		fail("-url %q: load is sent to loopback addresses only (127.0.0.0/8, ::1)", *target)
	}
	if *rate <= 0 || *conns <= 0 || *duration <= 0 {
		fail("-rate, -conns and -duration must be positive")
	}
	req := fmt.Sprintf("%s %s HTTP/1.1\r\nHost: %s\r\n", *method, u.RequestURI(), u.Host)
	for _, h := range headers {
		req += h + "\r\n"
	}
	req += "\r\n"

	interval := time.Duration(float64(time.Second) * float64(*conns) / float64(*rate))
	start := time.Now().Add(50 * time.Millisecond)
	end := start.Add(*duration)
	results := make([]result, *conns)
	var wg sync.WaitGroup
	for i := range *conns {
		wg.Add(1)
		go func() {
			defer wg.Done()
			first := start.Add(interval * time.Duration(i) / time.Duration(*conns))
			results[i] = drive(u.Host, *method, req, first, interval, end)
		}()
	}
	wg.Wait()
	var all []time.Duration
	errs := 0
	for _, r := range results {
		all = append(all, r.latencies...)
		errs += r.errors
	}
	slices.Sort(all)
	pct := func(p float64) string {
		if len(all) == 0 {
			return "-"
		}
		return all[min(len(all)-1, int(p*float64(len(all))))].Round(time.Microsecond).String()
	}
	fmt.Printf("| %s | %.0f | %s | %s | %s | %d |\n", *label, float64(len(all))/duration.Seconds(), pct(0.50), pct(0.99), pct(0.999), errs)
}

type result struct {
	latencies []time.Duration
	errors    int
}

// drive sends req on one connection at first, first+interval, ... until
// end, and times each answer from its scheduled start.
func drive(addr, method, req string, first time.Time, interval time.Duration, end time.Time) result {
	var r result
	var conn net.Conn
	var br *bufio.Reader
	for at := first; at.Before(end); at = at.Add(interval) {
		time.Sleep(time.Until(at))
		if conn == nil {
			c, err := net.DialTimeout("tcp", addr, time.Second)
			if err != nil {
				r.errors++
				continue
			}
			conn, br = c, bufio.NewReader(c)
		}
		conn.SetDeadline(time.Now().Add(5 * time.Second))
		ok := exchange(conn, br, method, req)
		if !ok {
			r.errors++
			conn.Close()
			conn = nil
			continue
		}
		r.latencies = append(r.latencies, time.Since(at))
	}
	if conn != nil {
		conn.Close()
	}
	return r
}

// exchange sends req and reads its answer: a status line, headers, and a
// body of Content-Length bytes (or none for HEAD). A chunked or
// close-delimited answer is an error here: the benchmark's servers send
// neither. It reports whether the answer was a kept-alive 2xx or 3xx.
func exchange(conn net.Conn, br *bufio.Reader, method, req string) bool {
	if _, err := io.WriteString(conn, req); err != nil {
		return false
	}
	status, err := br.ReadSlice('\n')
	if err != nil || len(status) < 12 || status[9] > '3' {
		return false
	}
	length := -1
	for {
		line, err := br.ReadSlice('\n')
		if err != nil {
			return false
		}
		if len(line) <= 2 {
			break
		}
		name, value, _ := strings.Cut(string(line), ":")
		switch {
		case strings.EqualFold(name, "Content-Length"):
			length, err = strconv.Atoi(strings.TrimSpace(value))
			if err != nil {
				return false
			}
		case strings.EqualFold(name, "Connection") && strings.EqualFold(strings.TrimSpace(value), "close"),
			strings.EqualFold(name, "Transfer-Encoding"):
			return false
		}
	}
	if method == "HEAD" {
		return true
	}
	if length < 0 {
		return false
	}
	_, err = br.Discard(length)
	return err == nil
}

func fail(format string, args ...any) {
	fmt.Fprintf(os.Stderr, "load: "+format+"\n", args...)
	os.Exit(2)
}
