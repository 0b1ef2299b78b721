package browser

import (
	"reflect"
	"slices"
	"testing"
)

// TestEnginesAreValues: a caller that changes the engine it was given
// changes nobody else's.
func TestEnginesAreValues(t *testing.T) {
	for _, get := range []func() *Engine{Chromium, Firefox, Safari, func() *Engine { return Engines()[0] }} {
		e := get()
		name, age := e.Name, e.MaxAge
		e.Name, e.MaxAge, e.preflightStatusFirst = "changed", 1, !e.preflightStatusFirst
		if again := get(); again.Name != name || again.MaxAge != age || again.preflightStatusFirst == e.preflightStatusFirst {
			t.Errorf("%s: a change to a returned engine reached the next caller: %+v", name, again)
		}
	}
	e, _ := EngineNamed("firefox")
	e.MaxAge = 1
	if f, _ := EngineNamed("firefox"); f.MaxAge != 86400 {
		t.Errorf("EngineNamed handed out its own engine: MaxAge %d after a caller's change", f.MaxAge)
	}
}

// TestQuirkListCoversEveryQuirk: every bool field of Engine is in
// quirkList, so Quirks and Without know each quirk.
func TestQuirkListCoversEveryQuirk(t *testing.T) {
	typ := reflect.TypeFor[Engine]()
	var fields []string
	for i := range typ.NumField() {
		if typ.Field(i).Type.Kind() == reflect.Bool {
			fields = append(fields, typ.Field(i).Name)
		}
	}
	var listed []string
	for _, q := range quirkList {
		e := Engine{}
		*q.of(&e) = true
		v := reflect.ValueOf(e)
		for i := range typ.NumField() {
			if typ.Field(i).Type.Kind() == reflect.Bool && v.Field(i).Bool() {
				listed = append(listed, typ.Field(i).Name)
			}
		}
	}
	if !slices.Equal(fields, listed) {
		t.Errorf("quirkList sets fields %v; Engine's bool fields are %v", listed, fields)
	}
}

func TestQuirksAndWithout(t *testing.T) {
	want := map[string][]string{
		"chromium": {"RefusedHeaderAnyOrder", "LocalNetworkAccess", "LoopbackIsTrustworthy"},
		"firefox":  {"PreflightsAfterRedirect", "PreflightKeepsOrigin", "PreflightRedirectCORSFirst", "MethodBeforeHeaderList", "LoopbackIsTrustworthy"},
		"safari":   {"PreflightsAfterRedirect", "PreflightStatusFirst", "CrossOriginRedirectDeleteToGet", "RedirectKeepsAuthorization", "RedirectKeepsContentHeaders", "RefusedInHeaderMapOrder"},
	}
	for _, e := range Engines() {
		got := e.Quirks()
		if !slices.Equal(got, want[e.Name]) {
			t.Errorf("%s: Quirks() = %v; want %v", e.Name, got, want[e.Name])
		}
		for _, q := range got {
			w, ok := e.Without(q)
			if !ok || slices.Contains(w.Quirks(), q) || len(w.Quirks()) != len(got)-1 {
				t.Errorf("%s: Without(%s) = %v, %v; want the other quirks", e.Name, q, w.Quirks(), ok)
			}
			if !slices.Equal(e.Quirks(), got) {
				t.Errorf("%s: Without(%s) changed the engine itself", e.Name, q)
			}
		}
		if _, ok := e.Without("NoSuchQuirk"); ok {
			t.Errorf("%s: Without of an unknown quirk said ok", e.Name)
		}
	}
}
