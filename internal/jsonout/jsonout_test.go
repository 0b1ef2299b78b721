package jsonout

import (
	"errors"
	"strings"
	"testing"
)

func TestWriteIndentsAndEndsWithANewline(t *testing.T) {
	var b strings.Builder
	if err := Write(&b, map[string]any{"a": []int{1}, "b": "<x>"}); err != nil {
		t.Fatal(err)
	}
	want := "{\n  \"a\": [\n    1\n  ],\n  \"b\": \"\\u003cx\\u003e\"\n}\n"
	if b.String() != want {
		t.Errorf("got %q, want %q", b.String(), want)
	}
}

type failing struct{}

func (failing) Write([]byte) (int, error) { return 0, errors.New("disk full") }

func TestWriteReturnsTheWriteError(t *testing.T) {
	if err := Write(failing{}, []int{1}); err == nil || !strings.Contains(err.Error(), "disk full") {
		t.Errorf("got %v, want the writer's error", err)
	}
	if err := Write(&strings.Builder{}, func() {}); err == nil {
		t.Error("a value JSON cannot hold gave no error")
	}
}
