package check

import (
	"os"
	"testing"
)

func TestZZProf(t *testing.T) {
	f, err := os.Open(os.Getenv("ZZHAR"))
	if err != nil {
		t.Skip()
	}
	_, err = ReadHAR(f)
	t.Log(err)
}
