package servertest

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"fmt"
	"maps"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"sync"
	"testing"
	"time"
)

// azuriteAccounts is how many storage accounts each shared Azurite holds.
// Azurite's CORS rules are an account's service properties, so each
// Azurite call takes an account of its own: one Azurite serves that many
// tests, where starting one takes 2 s of CPU and up to 20 s on a loaded
// machine.
const azuriteAccounts = 40

// sharedAzurite is one Azurite Blob service of the test process, with
// azuriteAccounts accounts. It lives until the test process ends (the
// kernel kills it then: Pdeathsig). Its telemetry, on by default, is off,
// and its proxy is a Trap: what it would send beyond loopback is caught.
type sharedAzurite struct {
	url  string
	log  *SyncBuffer
	trap *Trap
	err  error
}

var (
	azuriteMu    sync.Mutex
	azuriteAll   []*sharedAzurite
	azuriteTaken int
)

// azuriteAccount is account i's name and Shared Key: names are lowercase
// letters and digits, the key any bytes in base64.
func azuriteAccount(i int) (name, key string) {
	name = fmt.Sprintf("corskit%d", i)
	sum := sha256.Sum256([]byte("corskit test account " + name))
	return name, base64.StdEncoding.EncodeToString(sum[:])
}

// Azurite sets the CORS rules of a fresh account on the test process's
// shared Azurite Blob service to propertiesXML (a Set Blob Service
// Properties body), creates the account's public container "box" holding
// the blob "k", and returns the container's URL
// (http://127.0.0.1:PORT/ACCOUNT/box). When the test ends, it fails the test if
// Azurite tried to reach anything beyond loopback.
func Azurite(t *testing.T, propertiesXML string) string {
	t.Helper()
	node, modules := Need(t, "node"), NPMModules(t, AzuritePackage)
	azuriteMu.Lock()
	i := azuriteTaken
	azuriteTaken++
	if i/azuriteAccounts == len(azuriteAll) {
		azuriteAll = append(azuriteAll, startSharedAzurite(node, modules, i))
	}
	s := azuriteAll[i/azuriteAccounts]
	azuriteMu.Unlock()
	if s.err != nil {
		t.Fatalf("the shared Azurite did not start: %v", s.err)
	}
	t.Cleanup(func() {
		if hits := s.trap.Hits(); len(hits) > 0 {
			t.Errorf("Azurite tried to reach beyond loopback, caught by the trap proxy: %q", hits)
		}
	})
	name, key := azuriteAccount(i)
	account := s.url + "/" + name
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
		signSharedKey(req, name, key, len(r.body))
		storageDo(t, req)
	}
	return account + "/box"
}

// azuriteArgs runs Azurite's Blob service on the port, its data in dir,
// without its telemetry when quiet (only the trap's test runs it with).
func azuriteArgs(modules string, port int, dir string, quiet bool) []string {
	args := []string{filepath.Join(modules, "azurite", "dist", "src", "blob", "main.js"),
		"--blobHost", "127.0.0.1", "--blobPort", fmt.Sprint(port), "--location", dir, "--silent", "--skipApiVersionCheck", "--disableProductStyleUrl"}
	if quiet {
		args = append(args, "--disableTelemetry")
	}
	return args
}

// startSharedAzurite starts an Azurite Blob service whose accounts are
// first to first+azuriteAccounts-1, and waits until it listens.
func startSharedAzurite(node, modules string, first int) *sharedAzurite {
	s := &sharedAzurite{log: &SyncBuffer{}}
	removeStale("corskit-azurite-*")
	dir, err := os.MkdirTemp("", "corskit-azurite-")
	if err != nil {
		return &sharedAzurite{err: err}
	}
	os.WriteFile(filepath.Join(dir, "owner.pid"), []byte(fmt.Sprint(os.Getpid())), 0o600)
	port, err := reservePort()
	if err != nil {
		return &sharedAzurite{err: err}
	}
	if s.trap, err = NewTrap(); err != nil {
		return &sharedAzurite{err: err}
	}
	var accounts []string
	for i := first; i < first+azuriteAccounts; i++ {
		name, key := azuriteAccount(i)
		accounts = append(accounts, name+":"+key)
	}
	env := append(s.trap.Env(), "AZURITE_ACCOUNTS="+strings.Join(accounts, ";"))
	started := make(chan error, 1)
	go runForProcess(node, azuriteArgs(modules, port, dir, true), dir, env, s.log, started)
	if err := <-started; err != nil {
		return &sharedAzurite{err: err}
	}
	s.url = fmt.Sprintf("http://127.0.0.1:%d", port)
	if err := waitListening(port, 90*time.Second); err != nil {
		return &sharedAzurite{err: fmt.Errorf("%v; its log:\n%s", err, s.log.String())}
	}
	return s
}

// signSharedKey signs req for an Azurite account with Azure Storage's
// Shared Key scheme.
func signSharedKey(req *http.Request, account, key64 string, length int) {
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
	b.WriteString("/" + account + req.URL.Path)
	q := req.URL.Query()
	for _, k := range slices.Sorted(maps.Keys(q)) {
		b.WriteString("\n" + strings.ToLower(k) + ":" + strings.Join(q[k], ","))
	}
	key, _ := base64.StdEncoding.DecodeString(key64)
	mac := hmac.New(sha256.New, key)
	mac.Write([]byte(b.String()))
	req.Header.Set("Authorization", "SharedKey "+account+":"+base64.StdEncoding.EncodeToString(mac.Sum(nil)))
}
