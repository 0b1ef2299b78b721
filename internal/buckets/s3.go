package buckets

import (
	"bytes"
	"encoding/json"
	"encoding/xml"
	"fmt"
)

// S3Rule is one CORSRule of an S3 bucket, as put-bucket-cors's JSON and the
// PutBucketCors XML name its fields.
type S3Rule struct {
	ID             string   `json:"ID,omitempty" xml:"ID,omitempty"`
	AllowedHeaders []string `json:"AllowedHeaders,omitempty" xml:"AllowedHeader"`
	AllowedMethods []string `json:"AllowedMethods" xml:"AllowedMethod"`
	AllowedOrigins []string `json:"AllowedOrigins" xml:"AllowedOrigin"`
	ExposeHeaders  []string `json:"ExposeHeaders,omitempty" xml:"ExposeHeader"`
	MaxAgeSeconds  *int     `json:"MaxAgeSeconds,omitempty" xml:"MaxAgeSeconds,omitempty"`
}

// S3Config is an S3 bucket's CORS configuration.
type S3Config struct {
	XMLName   xml.Name `json:"-" xml:"CORSConfiguration"`
	CORSRules []S3Rule `json:"CORSRules" xml:"CORSRule"`
}

// S3 limits, from the Amazon S3 documentation.
const (
	S3MaxRules = 100
	S3MaxIDLen = 255
	S3MaxBytes = 64 << 10 // the CORS configuration's size
	// S3Namespace is the XML namespace of a CORSConfiguration.
	S3Namespace  = "http://s3.amazonaws.com/doc/2006-03-01/"
	maxRuleInput = 1 << 20 // what Parse reads at most
)

// S3Methods are the methods an S3 CORS rule accepts.
var S3Methods = []string{"GET", "PUT", "POST", "DELETE", "HEAD"}

// ToS3 converts c's rules to S3's form.
func (c Config) ToS3() S3Config {
	var out S3Config
	for _, r := range c.Rules {
		out.CORSRules = append(out.CORSRules, S3Rule{ID: r.ID, AllowedHeaders: r.Headers, AllowedMethods: r.Methods, AllowedOrigins: r.Origins, ExposeHeaders: r.Expose, MaxAgeSeconds: r.MaxAge})
	}
	return out
}

// JSON is the configuration as aws s3api put-bucket-cors
// --cors-configuration takes it.
func (s S3Config) JSON() string {
	b, _ := json.MarshalIndent(s, "", "  ")
	return string(b) + "\n"
}

// XMLRules is the configuration's rules as PutBucketCors XML elements,
// indented by indent, without the enclosing CORSConfiguration.
func (s S3Config) XMLRules(indent string) string {
	var b bytes.Buffer
	for _, r := range s.CORSRules {
		out, _ := xml.MarshalIndent(struct {
			XMLName xml.Name `xml:"CORSRule"`
			S3Rule
		}{S3Rule: r}, indent, "  ")
		b.Write(out)
		b.WriteString("\n")
	}
	return b.String()
}

func parseS3(data []byte) (Config, error) {
	if len(data) > maxRuleInput {
		return Config{}, fmt.Errorf("s3: the CORS configuration is %d bytes; S3 takes at most %d", len(data), S3MaxBytes)
	}
	var s S3Config
	t := bytes.TrimSpace(data)
	if len(t) > 0 && t[0] == '{' {
		dec := json.NewDecoder(bytes.NewReader(t))
		dec.DisallowUnknownFields()
		if err := dec.Decode(&s); err != nil {
			return Config{}, fmt.Errorf("s3: the CORS configuration is not put-bucket-cors JSON ({\"CORSRules\": [...]}): %v", err)
		}
	} else if err := xml.Unmarshal(t, &s); err != nil {
		return Config{}, fmt.Errorf("s3: the CORS configuration is neither JSON ({\"CORSRules\": [...]}) nor XML (<CORSConfiguration>): %v", err)
	}
	c := Config{Service: S3}
	for _, r := range s.CORSRules {
		c.Rules = append(c.Rules, Rule{ID: r.ID, Origins: r.AllowedOrigins, Methods: r.AllowedMethods, Headers: r.AllowedHeaders, Expose: r.ExposeHeaders, MaxAge: r.MaxAgeSeconds})
	}
	return c, nil
}
