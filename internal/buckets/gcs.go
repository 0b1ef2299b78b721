package buckets

import (
	"bytes"
	"encoding/json"
	"fmt"
	"slices"
)

// GCSRule is one entry of a Cloud Storage bucket's cors list, as
// gcloud storage buckets update --cors-file takes it.
type GCSRule struct {
	Origin         []string `json:"origin,omitempty"`
	Method         []string `json:"method,omitempty"`
	ResponseHeader []string `json:"responseHeader,omitempty"`
	MaxAgeSeconds  *int     `json:"maxAgeSeconds,omitempty"`
}

// ToGCS converts c's rules to Cloud Storage's form: allowed and exposed
// headers share responseHeader.
func (c Config) ToGCS() []GCSRule {
	out := []GCSRule{}
	for _, r := range c.Rules {
		h := slices.Clone(r.Headers)
		for _, e := range r.Expose {
			if !slices.Contains(h, e) {
				h = append(h, e)
			}
		}
		out = append(out, GCSRule{Origin: r.Origins, Method: r.Methods, ResponseHeader: h, MaxAgeSeconds: r.MaxAge})
	}
	return out
}

// GCSJSON is the rules as the --cors-file JSON.
func GCSJSON(rules []GCSRule) string {
	b, _ := json.MarshalIndent(rules, "", "  ")
	return string(b) + "\n"
}

func parseGCS(data []byte) (Config, error) {
	if len(data) > maxRuleInput {
		return Config{}, fmt.Errorf("gcs: the CORS file is %d bytes, too large to be CORS rules", len(data))
	}
	var rules []GCSRule
	t := bytes.TrimSpace(data)
	var err error
	if len(t) > 0 && t[0] == '{' {
		var bucket struct {
			Cors []GCSRule `json:"cors"`
		}
		err = json.Unmarshal(t, &bucket)
		rules = bucket.Cors
	} else {
		dec := json.NewDecoder(bytes.NewReader(t))
		dec.DisallowUnknownFields()
		err = dec.Decode(&rules)
	}
	if err != nil {
		return Config{}, fmt.Errorf("gcs: the CORS file is not the JSON list gcloud storage buckets update --cors-file takes ([{\"origin\": [...], \"method\": [...]}]): %v", err)
	}
	c := Config{Service: GCS}
	for _, r := range rules {
		c.Rules = append(c.Rules, Rule{Origins: r.Origin, Methods: r.Method, Headers: r.ResponseHeader, Expose: r.ResponseHeader, MaxAge: r.MaxAgeSeconds})
	}
	return c, nil
}
