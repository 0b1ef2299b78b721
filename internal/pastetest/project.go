package pastetest

import (
	"fmt"
	"regexp"
	"slices"
	"strings"
)

// FileMark begins each file of a project given to Apply as one text (a
// Next.js app, whose CORS spans next.config.js, route handlers and
// proxy.ts): the line "// FILE: path" and then the file's content.
const FileMark = "// FILE: "

// SplitFiles reads a project written with FileMark lines: path ->
// content. Text before the first mark is dropped.
func SplitFiles(src string) map[string]string {
	files := map[string]string{}
	name := ""
	for _, line := range strings.SplitAfter(src, "\n") {
		if rest, ok := strings.CutPrefix(line, FileMark); ok {
			name = strings.TrimSpace(rest)
			files[name] = ""
			continue
		}
		if name != "" {
			files[name] += line
		}
	}
	return files
}

// JoinFiles writes a project as one text with FileMark lines, the files
// in path order.
func JoinFiles(files map[string]string) string {
	names := make([]string, 0, len(files))
	for n := range files {
		names = append(names, n)
	}
	slices.Sort(names)
	var b strings.Builder
	for _, n := range names {
		b.WriteString(FileMark + n + "\n" + files[n])
	}
	return b.String()
}

// nextCORSElsewhere are the Access-Control-* headers a Next.js app sets
// outside proxy.ts: next.config.js headers() entries ({ key:
// 'Access-Control-...', value: ... }), object properties
// ('Access-Control-...': value) and headers.set('Access-Control-...', ...)
// statements in route handlers.
var nextCORSElsewhere = []*regexp.Regexp{
	regexp.MustCompile(`\{\s*key\s*:\s*['"]Access-Control-[\w-]+['"]\s*,\s*value\s*:\s*['"][^'"\n]*['"]\s*\}\s*,?[ \t]*\n?`),
	regexp.MustCompile(`['"]Access-Control-[\w-]+['"]\s*:\s*[^,}\n]+,?[ \t]*`),
	regexp.MustCompile(`[\w.]+\.(set|append)\(\s*['"]Access-Control-[\w-]+['"]\s*,[^;\n]*\)\s*;?[ \t]*`),
}

// nextEmptyRule is a headers() rule left with no header, which Next.js
// refuses ("`headers` field cannot be empty"): it goes too.
var nextEmptyRule = regexp.MustCompile(`\{\s*source\s*:\s*['"][^'"\n]*['"]\s*,\s*headers\s*:\s*\[\s*\]\s*,?\s*\}\s*,?[ \t]*\n?`)

// pasteNextProxy follows the Next.js piece's Where: proxy.ts at the
// project root, the Access-Control-* headers set elsewhere removed. An
// app with its own proxy.ts (or middleware.ts) must call corsProxy first
// in it, which this does not do: it fails instead.
func pasteNextProxy(src, piece string) (string, error) {
	files := SplitFiles(src)
	if len(files) == 0 {
		return src, fmt.Errorf("pastetest: a Next.js app is given as files, each after a line %q", FileMark)
	}
	for _, own := range []string{"proxy.ts", "middleware.ts", "src/proxy.ts", "src/middleware.ts"} {
		if _, ok := files[own]; ok {
			return src, fmt.Errorf("pastetest: the app has its own %s; calling corsProxy from it is not done here", own)
		}
	}
	for name, text := range files {
		if strings.HasSuffix(name, ".ts") || strings.HasSuffix(name, ".js") {
			for _, re := range nextCORSElsewhere {
				text = re.ReplaceAllString(text, "")
			}
			text = nextEmptyRule.ReplaceAllString(text, "")
			files[name] = text
		}
	}
	files["proxy.ts"] = piece
	return JoinFiles(files), nil
}
