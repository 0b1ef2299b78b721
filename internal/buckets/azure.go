package buckets

import (
	"encoding/xml"
	"fmt"
	"strconv"
	"strings"
)

// Azure Blob Storage limits, from Azure Storage's CORS documentation.
const (
	AzureMaxRules          = 5
	AzureMaxOrigins        = 64 // per rule
	AzureMaxLen            = 256
	AzureMaxLiteralHeaders = 64 // per list
	AzureMaxPrefixHeaders  = 2  // per list
	AzureMaxChars          = 2048
)

// AzureMethods are the methods the Blob service's REST API (Set Blob
// Service Properties) documents for a CORS rule.
var AzureMethods = []string{"DELETE", "GET", "HEAD", "MERGE", "POST", "OPTIONS", "PUT"}

// AzureManagementOnlyMethods are the methods the management API
// (Microsoft.Storage, since API version 2021-09-01 for PATCH and
// 2023-01-01 for CONNECT and TRACE) also takes, which the REST API's
// reference does not list.
var AzureManagementOnlyMethods = []string{"PATCH", "CONNECT", "TRACE"}

// azureRule is a CorsRule of the Set Blob Service Properties XML: its lists
// are comma-separated.
type azureRule struct {
	AllowedOrigins  string `xml:"AllowedOrigins"`
	AllowedMethods  string `xml:"AllowedMethods"`
	MaxAgeInSeconds int    `xml:"MaxAgeInSeconds"`
	ExposedHeaders  string `xml:"ExposedHeaders"`
	AllowedHeaders  string `xml:"AllowedHeaders"`
}

// AzureXMLRules writes c's rules as Set Blob Service Properties CorsRule
// elements, indented by indent.
func (c Config) AzureXMLRules(indent string) string {
	var b strings.Builder
	for _, r := range c.Rules {
		age := 0
		if r.MaxAge != nil {
			age = *r.MaxAge
		}
		out, _ := xml.MarshalIndent(struct {
			XMLName xml.Name `xml:"CorsRule"`
			azureRule
		}{azureRule: azureRule{strings.Join(r.Origins, ","), strings.Join(r.Methods, ","), age, strings.Join(r.Expose, ","), strings.Join(r.Headers, ",")}}, indent, "  ")
		b.Write(out)
		b.WriteString("\n")
	}
	return b.String()
}

// AzureSize is what Azure counts against its 2 KiB limit: the rules'
// values without the XML tags.
func (c Config) AzureSize() int {
	n := 0
	for _, r := range c.Rules {
		for _, l := range [][]string{r.Origins, r.Methods, r.Headers, r.Expose} {
			n += len(strings.Join(l, ","))
		}
		if r.MaxAge != nil {
			n += len(strconv.Itoa(*r.MaxAge))
		}
	}
	return n
}

func parseAzure(data []byte) (Config, error) {
	if len(data) > maxRuleInput {
		return Config{}, fmt.Errorf("azure-blob: the service properties are %d bytes, too large to be CORS rules", len(data))
	}
	var doc struct {
		Rules  []azureRule `xml:"Cors>CorsRule"`
		Direct []azureRule `xml:"CorsRule"`
	}
	if err := xml.Unmarshal(data, &doc); err != nil {
		return Config{}, fmt.Errorf("azure-blob: the CORS rules are not Set Blob Service Properties XML (<StorageServiceProperties><Cors><CorsRule>...): %v", err)
	}
	c := Config{Service: Azure}
	for _, r := range append(doc.Rules, doc.Direct...) {
		age := r.MaxAgeInSeconds
		c.Rules = append(c.Rules, Rule{Origins: splitList(r.AllowedOrigins), Methods: splitList(r.AllowedMethods), Headers: splitList(r.AllowedHeaders), Expose: splitList(r.ExposedHeaders), MaxAge: &age})
	}
	return c, nil
}

func splitList(s string) []string {
	var out []string
	for v := range strings.SplitSeq(s, ",") {
		if v = strings.TrimSpace(v); v != "" {
			out = append(out, v)
		}
	}
	return out
}
