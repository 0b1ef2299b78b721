package web

import (
	"strings"

	"github.com/corskit/corskit/check"
)

// formTerms names, for each field of check.Options the page's form sets,
// the form's field: library errors speak in API terms (Options.Origin), the
// page's user in the labels they see ("Page's origin").
var formTerms = strings.NewReplacer(
	"Options.AlsoOrigins", `"The app's other origins"`,
	"Options.Origin", `"Page's origin"`,
	"Options.Credentials", `"Credentials"`,
	"Set Options.Stack to", `Choose a "Server stack" of`,
	"Options.Stack", `"Server stack"`,
	"Options.PageAddressSpace", "page_address_space",
	"Options.Body with Options.Method ", `"Body" with "Method" `,
	"set Options.Method to ", `set "Method" to `,
	"Options.Rules", "corskit check --rules", // the page takes no bucket rules
	"Options.Timeout", "corskit serve --timeout",
)

// inFormTerms is the text of a library error in the words of the form.
func inFormTerms(err error) string { return formTerms.Replace(err.Error()) }

// inForm is a report's JSON with the doctor's sentences in the form's words.
func inForm(j check.JSON) check.JSON { return j.Reword(formTerms.Replace) }
