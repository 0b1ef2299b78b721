package quote_test

import (
	"os/exec"
	"path/filepath"
	"testing"

	"github.com/corskit/corskit/internal/quote"
	"github.com/corskit/corskit/internal/servertest"
)

// unicodeEscapes are values that javac would read as characters if a \u
// of theirs became an escape: a line end, a quote, a backslash.
var unicodeEscapes = []string{`\u000a`, `\u0022`, `\\u000a`, `\uuu000d`, `\u005c`, `x\u002a/`, "\\\\\\u000a", `\u000a"pwned", //`}

// utf8Hex is the hex of v as a language with UTF-16 strings holds it:
// each invalid byte read as U+FFFD, as the quoting functions read it.
func utf8Hex(vals []string) []string {
	var out []string
	for _, v := range vals {
		out = append(out, hexString(string([]rune(v))))
	}
	return out
}

// TestJava: javac compiles a class holding every value as a literal, each
// after a // comment holding it, and the class prints each back as the
// same characters; a \u000a or \u0022 in a value stays text.
func TestJava(t *testing.T) {
	t.Parallel()
	servertest.Need(t, "javac") // a JDK: java compiles the source itself
	java := servertest.Need(t, "java")
	vals := append(append(append([]string{}, hostile...), bytesOnly...), unicodeEscapes...)
	src := program("public class V {\n  public static void main(String[] a) {\n    String[] v = {\n", "//", quote.Java, quote.JavaComment, vals,
		"    };\n    StringBuilder b = new StringBuilder(\"[\");\n    for (int i = 0; i < v.length; i++) {\n      b.append(i == 0 ? \"\\\"\" : \",\\\"\").append(java.util.HexFormat.of().formatHex(v[i].getBytes(java.nio.charset.StandardCharsets.UTF_8))).append('\"');\n    }\n    System.out.print(b.append(']'));\n  }\n}\n")
	file := write(t, "V.java", src)
	// One JVM compiles (javac's compiler, in source-file mode) and runs;
	// -XX:TieredStopAtLevel=1 keeps a short run short.
	compareJSON(t, "java", run(t, java, "-XX:TieredStopAtLevel=1", "-XX:+UseSerialGC", file), utf8Hex(vals), src)
}

// TestCSharp: mcs compiles a program holding every value as a literal,
// each after a // comment holding it, and mono prints each back as the
// same characters.
func TestCSharp(t *testing.T) {
	t.Parallel()
	mcs := servertest.Need(t, "mcs")
	mono := servertest.Need(t, "mono")
	vals := append(append(append([]string{}, hostile...), bytesOnly...), unicodeEscapes...)
	src := program("public class V {\n  public static void Main() {\n    string[] v = {\n", "//", quote.CSharp, quote.Comment, vals,
		"    };\n    var b = new System.Text.StringBuilder(\"[\");\n    for (int i = 0; i < v.Length; i++) {\n      b.Append(i == 0 ? \"\\\"\" : \",\\\"\").Append(System.BitConverter.ToString(System.Text.Encoding.UTF8.GetBytes(v[i])).Replace(\"-\", \"\").ToLowerInvariant()).Append('\"');\n    }\n    System.Console.Write(b.Append(']'));\n  }\n}\n")
	file := write(t, "v.cs", src)
	exe := filepath.Join(filepath.Dir(file), "v.exe")
	run(t, mcs, "-nologo", "-out:"+exe, file)
	out, err := exec.Command(mono, exe).Output()
	if err != nil {
		t.Fatalf("mono: %v\n%s", err, src)
	}
	compareJSON(t, "c#", string(out), utf8Hex(vals), src)
}
