package buckets

import (
	"fmt"
	"strings"
)

// Commands are the shell commands that set c's rules with the service's
// own tool: for S3 and Cloud Storage, the rules written to a temporary file
// (a quoted here-document, so that nothing in them is expanded) and handed
// to aws s3api put-bucket-cors or gcloud storage buckets update, which
// replace the bucket's rules; for Azure, one az storage cors add per rule,
// which appends. They read BUCKET or ACCOUNT from the environment.
func (c Config) Commands() string {
	var b strings.Builder
	switch c.Service {
	case S3:
		b.WriteString("cors_file=$(mktemp)\n")
		b.WriteString("cat >\"$cors_file\" <<'EOF'\n" + c.ToS3().JSON() + "EOF\n")
		b.WriteString("aws s3api put-bucket-cors --bucket \"${BUCKET:?set BUCKET to the bucket name}\" --cors-configuration \"file://$cors_file\"\n")
		b.WriteString("rm -f \"$cors_file\"\n")
	case GCS:
		b.WriteString("cors_file=$(mktemp)\n")
		b.WriteString("cat >\"$cors_file\" <<'EOF'\n" + GCSJSON(c.ToGCS()) + "EOF\n")
		b.WriteString("gcloud storage buckets update \"gs://${BUCKET:?set BUCKET to the bucket name}\" --cors-file=\"$cors_file\"\n")
		b.WriteString("rm -f \"$cors_file\"\n")
	case Azure:
		for _, r := range c.Rules {
			b.WriteString("az storage cors add --services b --account-name \"${ACCOUNT:?set ACCOUNT to the storage account name}\"")
			for _, f := range []struct {
				flag string
				vals []string
			}{{"--origins", r.Origins}, {"--methods", r.Methods}, {"--allowed-headers", r.Headers}, {"--exposed-headers", r.Expose}} {
				if len(f.vals) == 0 {
					continue
				}
				b.WriteString(" \\\n    " + f.flag)
				for _, v := range f.vals {
					b.WriteString(" " + shellWord(v))
				}
			}
			if r.MaxAge != nil {
				fmt.Fprintf(&b, " \\\n    --max-age %d", *r.MaxAge)
			}
			b.WriteString("\n")
		}
	}
	return b.String()
}

// shellWord quotes s for a POSIX shell.
func shellWord(s string) string {
	if s != "" && strings.Trim(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_.:/,=+@%") == "" {
		return s
	}
	return "'" + strings.ReplaceAll(s, "'", `'\''`) + "'"
}
