package check

import (
	"fmt"
	"io"
)

// stickyWriter passes writes to w until one fails, then keeps that first
// error and writes nothing more: a writer of many lines checks once, at the
// end.
type stickyWriter struct {
	w   io.Writer
	err error
}

func (s *stickyWriter) Write(p []byte) (int, error) {
	if s.err != nil {
		return 0, s.err
	}
	n, err := s.w.Write(p)
	s.err = err
	return n, err
}

// p writes a formatted line; a write error stays in w.err.
func (w *stickyWriter) p(format string, args ...any) { fmt.Fprintf(w, format, args...) }
