package servertest

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// NPMPackages are the npm packages the tests run, pinned: Express and cors
// for the Express servers, s3rver and Azurite for the storage emulators,
// Vite for corskit dev's tests against the real dev server, axe-core for
// the accessibility check of corskit serve's page.
// Tests never install them (they send traffic to loopback only):
// `go run ./internal/servertest/npminstall`, which .ci/run calls, does.
var NPMPackages = []string{"express@4", "cors@2", S3rverPackage, AzuritePackage, VitePackage, AxePackage,
	FastifyPackage, FastifyCORSPackage, KoaPackage, KoaCORSPackage, KoaRouterPackage,
	NestCorePackage, NestCommonPackage, NestExpressPackage, ReflectMetadataPackage, RxJSPackage, HonoPackage, HonoNodeServerPackage,
	NextPackage, ReactPackage, ReactDOMPackage, TypeScriptPackage, TypesReactPackage, TypesNodePackage, WorkerdPackage,
	PlaywrightCorePackage}

// WorkerdPackage is Cloudflare's Workers runtime (the open-source workerd,
// which wrangler dev and Miniflare run), pinned: the Cloudflare Workers
// stack's Worker runs on it, on loopback. Its binary comes with the
// platform package npm picks (@cloudflare/workerd-linux-64); no install
// script is needed.
const WorkerdPackage = "workerd@1.20261123.1"

// The Node frameworks whose CORS layers the stack proofs run, pinned:
// Fastify with @fastify/cors, Koa with @koa/cors and @koa/router.
const (
	FastifyPackage     = "fastify@5.12.8"
	FastifyCORSPackage = "@fastify/cors@11.4.3"
	KoaPackage         = "koa@3.3.0"
	KoaCORSPackage     = "@koa/cors@5.0.0"
	KoaRouterPackage   = "@koa/router@15.7.0"
)

// NestJS on its Express platform (enableCors passes its options to the
// cors package), with the two packages Nest requires beside it.
const (
	NestCorePackage        = "@nestjs/core@12.6.3"
	NestCommonPackage      = "@nestjs/common@12.6.3"
	NestExpressPackage     = "@nestjs/platform-express@12.6.3"
	ReflectMetadataPackage = "reflect-metadata@0.2.2"
	RxJSPackage            = "rxjs@7.8.2"
)

// Hono with its cors middleware (hono/cors), served by @hono/node-server.
const (
	HonoPackage           = "hono@4.13.23"
	HonoNodeServerPackage = "@hono/node-server@2.1.11"
)

// Next.js, run as next dev (Turbopack) on a proxy.ts and a route handler,
// with what it requires: React, and TypeScript with the types next dev
// looks for before it compiles a .ts file (it would install them itself).
const (
	NextPackage       = "next@16.5.0"
	ReactPackage      = "react@19.3.1"
	ReactDOMPackage   = "react-dom@19.3.1"
	TypeScriptPackage = "typescript@5.9.3"
	TypesReactPackage = "@types/react@19.3.3"
	TypesNodePackage  = "@types/node@20.19.43"
)

// PlaywrightCorePackage is Playwright's library without its browsers,
// pinned: the broken-server suite records HARs with its recordHar, driving
// the system's Chromium (browsertest.RecordPlaywrightHAR). Installing it
// downloads no browser.
const PlaywrightCorePackage = "playwright-core@1.65.2"

// The storage emulators, pinned.
const (
	S3rverPackage  = "s3rver@3.7.1"
	AzuritePackage = "azurite@3.37.0"
)

// AxePackage is the accessibility checker the tests inject into corskit
// serve's page in headless Chromium, pinned.
const AxePackage = "axe-core@4.14.1"

// VitePackage is the frontend dev server corskit dev is tested behind,
// pinned (Vite 7 installs with npm 10 and 11 on Node 20.19 and later).
const VitePackage = "vite@7.3.8"

// NPMDir is where the packages are installed: $CORSKIT_NPM_DIR, or
// corskit-npm in the user's cache directory.
func NPMDir() string {
	if d := os.Getenv("CORSKIT_NPM_DIR"); d != "" {
		return d
	}
	cache, err := os.UserCacheDir()
	if err != nil {
		cache = os.TempDir()
	}
	return filepath.Join(cache, "corskit-npm")
}

// NPMInstall makes the installed packages requirable from dir (a link to
// their node_modules) and returns node; it skips the test loudly when node
// or a package is missing, or fails with CORSKIT_REQUIRE_SERVERS=1.
func NPMInstall(t *testing.T, dir string, pkgs ...string) (node string) {
	t.Helper()
	node = Need(t, "node")
	modules := NPMModules(t, pkgs...)
	if err := os.Symlink(modules, filepath.Join(dir, "node_modules")); err != nil && !os.IsExist(err) {
		t.Fatal(err)
	}
	return node
}

// NPMModules returns the node_modules directory holding pkgs (name@version,
// the version a prefix of the installed one), or skips loudly.
func NPMModules(t *testing.T, pkgs ...string) string {
	t.Helper()
	modules := filepath.Join(NPMDir(), "node_modules")
	for _, p := range pkgs {
		name, want := splitPackage(p)
		data, err := os.ReadFile(filepath.Join(modules, name, "package.json"))
		var meta struct{ Version string }
		json.Unmarshal(data, &meta)
		if err != nil || !(meta.Version == want || strings.HasPrefix(meta.Version, want+".")) {
			msg := fmt.Sprintf("\n\n*** npm package %s not installed in %s (found %q): test SKIPPED. Install the tests' packages with: go run ./internal/servertest/npminstall ***\n\n", p, modules, meta.Version)
			if os.Getenv("CORSKIT_REQUIRE_SERVERS") == "1" {
				t.Fatal(msg + "CORSKIT_REQUIRE_SERVERS=1: failing instead of skipping.")
			}
			t.Skip(msg)
		}
	}
	return modules
}

// splitPackage splits name@version, the name possibly scoped (@scope/name).
func splitPackage(p string) (name, version string) {
	at := strings.LastIndex(p, "@")
	if at <= 0 {
		return p, ""
	}
	return p[:at], p[at+1:]
}
