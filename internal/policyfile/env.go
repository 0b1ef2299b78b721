package policyfile

import (
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"

	"github.com/corskit/corskit/cors"
)

// ApplyEnv overrides cfg with the CORS_* variables that lookup finds
// (os.LookupEnv in a program). Lists are comma-separated; an empty variable
// sets an empty list. It reports every bad variable at once.
func ApplyEnv(cfg *cors.Config, lookup func(string) (string, bool)) error {
	return applyEnv(cfg, sources{}, lookup)
}

func applyEnv(cfg *cors.Config, src sources, lookup func(string) (string, bool)) error {
	var errs []error
	v := reflect.ValueOf(cfg).Elem()
	for _, f := range fields {
		raw, ok := lookup(f.env)
		if !ok {
			continue
		}
		loc := "environment variable " + f.env
		bad := func(want string) {
			errs = append(errs, &Error{Source: loc, Err: fmt.Errorf("got %q; want %s", raw, want)})
		}
		switch f.kind {
		case reflect.Slice:
			var list []string
			for item := range strings.SplitSeq(raw, ",") {
				if item = strings.TrimSpace(item); item != "" {
					list = append(list, item)
					src.add(f.key, item, loc)
				}
			}
			src.add(f.key, "", loc)
			v.Field(f.index).Set(reflect.ValueOf(list))
		case reflect.Bool:
			b, err := strconv.ParseBool(strings.TrimSpace(raw))
			if err != nil {
				bad("true or false")
				continue
			}
			v.Field(f.index).SetBool(b)
			src.add(f.key, raw, loc)
		case reflect.Int:
			n, err := strconv.Atoi(strings.TrimSpace(raw))
			if err != nil {
				bad("a whole number")
				continue
			}
			v.Field(f.index).SetInt(int64(n))
			src.add(f.key, strconv.Itoa(n), loc)
		}
	}
	return errors.Join(errs...)
}
