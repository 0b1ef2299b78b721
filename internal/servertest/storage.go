package servertest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"io"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"time"
)

// S3rver runs s3rver on loopback with one bucket per entry of corsXML
// (bucket name → CORSConfiguration XML; "" for a bucket without CORS), each
// holding the object "k", and returns its base URL (path-style:
// base/bucket/k).
func S3rver(t *testing.T, corsXML map[string]string) string {
	t.Helper()
	node, modules := Need(t, "node"), NPMModules(t, S3rverPackage)
	port := FreePort(t)
	data := t.TempDir()
	args := []string{filepath.Join(modules, "s3rver", "bin", "s3rver.js"), "-d", data, "-a", "127.0.0.1", "-p", fmt.Sprint(port), "--silent", "--no-vhost-buckets"}
	for _, name := range slices.Sorted(maps.Keys(corsXML)) {
		if corsXML[name] == "" {
			args = append(args, "--configure-bucket", name)
			continue
		}
		file := filepath.Join(t.TempDir(), name+".xml")
		if err := os.WriteFile(file, []byte(corsXML[name]), 0o600); err != nil {
			t.Fatal(err)
		}
		args = append(args, "--configure-bucket", name, file)
	}
	Start(t, data, port, nil, node, args...)
	base := fmt.Sprintf("http://127.0.0.1:%d", port)
	for name := range corsXML {
		req, _ := http.NewRequest("PUT", base+"/"+name+"/k", strings.NewReader("hello"))
		storageDo(t, req)
	}
	return base
}

// Azurite's well-known development account and key (documented by Azure
// for the emulator; no secret).
const (
	azuriteAccount = "devstoreaccount1"
	azuriteKey     = "Eby8vdM02xNOcqFlqUwJPLlmEtlCDXJ1OUzFT50uSRZ6IFsuFq2UVErCz4I6tq/K1SZFPTOtr/KBHBeksoGMGw=="
)

// Azurite runs Azurite's Blob service on loopback, sets its service
// properties to propertiesXML (a Set Blob Service Properties body: the CORS
// rules), creates the public container "box" holding the blob "k", and
// returns the container's URL (…/devstoreaccount1/box).
func Azurite(t *testing.T, propertiesXML string) string {
	t.Helper()
	node, modules := Need(t, "node"), NPMModules(t, AzuritePackage)
	port := FreePort(t)
	Start(t, t.TempDir(), port, nil, node, filepath.Join(modules, "azurite", "dist", "src", "blob", "main.js"),
		"--blobHost", "127.0.0.1", "--blobPort", fmt.Sprint(port), "--location", t.TempDir(), "--silent", "--skipApiVersionCheck", "--disableProductStyleUrl")
	account := fmt.Sprintf("http://127.0.0.1:%d/%s", port, azuriteAccount)
	for _, r := range []struct {
		url, body string
		header    map[string]string
	}{
		{account + "/?restype=service&comp=properties", propertiesXML, map[string]string{"Content-Type": "application/xml"}},
		{account + "/box?restype=container", "", map[string]string{"x-ms-blob-public-access": "container"}},
		{account + "/box/k", "hello", map[string]string{"x-ms-blob-type": "BlockBlob", "Content-Type": "text/plain"}},
	} {
		req, _ := http.NewRequest("PUT", r.url, strings.NewReader(r.body))
		for k, v := range r.header {
			req.Header.Set(k, v)
		}
		signSharedKey(req, len(r.body))
		storageDo(t, req)
	}
	return account + "/box"
}

// signSharedKey signs req for Azurite's account with Azure Storage's Shared
// Key scheme.
func signSharedKey(req *http.Request, length int) {
	req.Header.Set("x-ms-date", time.Now().UTC().Format(http.TimeFormat))
	req.Header.Set("x-ms-version", "2021-08-06")
	var names []string
	for k := range req.Header {
		if lk := strings.ToLower(k); strings.HasPrefix(lk, "x-ms-") {
			names = append(names, lk)
		}
	}
	slices.Sort(names)
	var b strings.Builder
	n := ""
	if length > 0 {
		n = fmt.Sprint(length)
	}
	// VERB, Content-Encoding, -Language, -Length, -MD5, -Type, Date,
	// If-Modified-Since, If-Match, If-None-Match, If-Unmodified-Since, Range.
	b.WriteString(strings.Join([]string{req.Method, "", "", n, "", req.Header.Get("Content-Type"), "", "", "", "", "", ""}, "\n") + "\n")
	for _, k := range names {
		b.WriteString(k + ":" + req.Header.Get(k) + "\n")
	}
	b.WriteString("/" + azuriteAccount + req.URL.Path)
	q := req.URL.Query()
	for _, k := range slices.Sorted(maps.Keys(q)) {
		b.WriteString("\n" + strings.ToLower(k) + ":" + strings.Join(q[k], ","))
	}
	key, _ := base64.StdEncoding.DecodeString(azuriteKey)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(b.String()))
	req.Header.Set("Authorization", "SharedKey "+azuriteAccount+":"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}

func storageDo(t *testing.T, req *http.Request) {
	t.Helper()
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("%s %s: %v", req.Method, req.URL, err)
	}
	defer resp.Body.Close()
	body, _ := io.ReadAll(io.LimitReader(resp.Body, 4096))
	if resp.StatusCode >= 300 {
		t.Fatalf("%s %s: %s\n%s", req.Method, req.URL, resp.Status, body)
	}
}
