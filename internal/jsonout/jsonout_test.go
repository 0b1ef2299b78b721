package jsonout

import (
	"errors"
	"strings"
	"testing"
)

func TestWriteIndentsAndEndsWithNewline(t *testing.T) {
	var b strings.Builder
	if err := Write(&b, map[string]any{"a": []int{1}, "b": "<x>"}); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"a\": [\n    1\n  ],\n  \"b\": \"\\u003cx\\u003e\"\n}\n"
	if b.String() != want {
		t.Errorf("Write = %q, want %q", b.String(), want)
	}
}

type failWriter struct{}

func (failWriter) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteReturnsWriteError(t *testing.T) {
	if err := Write(failWriter{}, 1); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("Write to a failing writer = %v, want its error", err)
	}
}
