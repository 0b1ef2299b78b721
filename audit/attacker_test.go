package audit_test

import (
	"fmt"
	"os"
	"path/filepath"
	"testing"

	"github.com/corskit/corskit/internal/servertest"
)

// starletteApp is a Starlette or FastAPI app whose CORSMiddleware has
// allow_origins=["*"] and allow_credentials=True: without a Cookie it
// answers `*` (browsers refuse it with credentials), with one it echoes any
// Origin with credentials, which is what a signed-in victim's browser meets.
const starletteApp = `from starlette.applications import Starlette
from starlette.middleware import Middleware
from starlette.middleware.cors import CORSMiddleware
from starlette.responses import JSONResponse
from starlette.routing import Route

async def me(request):
    return JSONResponse({"user": "alice"})

app = Starlette(routes=[Route("/me", me)], middleware=[
    Middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True),
])
`

const fastapiApp = `from fastapi import FastAPI
from fastapi.middleware.cors import CORSMiddleware

app = FastAPI()
app.add_middleware(CORSMiddleware, allow_origins=["*"], allow_credentials=True, allow_methods=["*"], allow_headers=["*"])

@app.get("/me")
def me():
    return {"user": "alice"}
`

// TestAuditSendsCookies audits servers that let an attacker's page read
// only what a victim's browser meets: a Cookie on the credentialed request.
// Without one (corskit before this test), Starlette's answer is `*` with
// credentials, "broken, not exploitable".
func TestAuditSendsCookies(t *testing.T) {
	t.Parallel()
	t.Run("starlette", func(t *testing.T) {
		t.Parallel()
		base := servertest.ServeASGI(t, starletteApp)
		expect(t, `Starlette allow_origins=["*"], allow_credentials=True`, run(t, base+"/me"), "reflect-any-origin=high", "null-origin=high")
	})
	t.Run("fastapi", func(t *testing.T) {
		t.Parallel()
		base := servertest.ServeASGI(t, fastapiApp)
		// allow_methods=["*"] and allow_headers=["*"]: the preflight
		// echoes any header with credentials, for any origin.
		expect(t, `FastAPI allow_origins=["*"], allow_credentials=True`, run(t, base+"/me"), "reflect-any-origin=high", "null-origin=high")
	})
	t.Run("php-signed-in-only", func(t *testing.T) {
		t.Parallel()
		bin := servertest.Need(t, "php")
		dir, port := t.TempDir(), servertest.FreePort(t)
		// CORS for signed-in users only: an app that echoes the origin
		// when the browser sends its session cookie, and answers
		// anonymous callers without CORS.
		os.WriteFile(filepath.Join(dir, "index.php"), []byte(`<?php
header('Vary: Origin, Cookie');
if (!empty($_COOKIE) && isset($_SERVER['HTTP_ORIGIN'])) {
    header('Access-Control-Allow-Origin: ' . $_SERVER['HTTP_ORIGIN']);
    header('Access-Control-Allow-Credentials: true');
}
echo '{"user": "alice"}';
`), 0o600)
		servertest.Start(t, dir, port, nil, bin, "-S", fmt.Sprintf("127.0.0.1:%d", port), "index.php")
		// Preflights never carry cookies: this app's preflight has no CORS
		// header while its answers do.
		expect(t, "PHP echoing the origin to signed-in users", run(t, fmt.Sprintf("http://127.0.0.1:%d/me", port)), "reflect-any-origin=high", "null-origin=high", "inconsistent-preflight=info")
	})
	t.Run("express-null", func(t *testing.T) {
		t.Parallel()
		dir, port := t.TempDir(), servertest.FreePort(t)
		node := servertest.NPMInstall(t, dir, "express@4", "cors@2")
		// "null" listed for a file:// or Electron frontend: any site's
		// sandboxed iframe sends Origin: null too.
		os.WriteFile(filepath.Join(dir, "app.js"), []byte(fmt.Sprintf(`const express = require('express');
const cors = require('cors');
const app = express();
app.use(cors({origin: ['%s', 'null'], credentials: true}));
app.get('/me', (req, res) => res.json({user: 'alice'}));
app.listen(%d, '127.0.0.1');
`, trusted, port)), 0o600)
		servertest.Start(t, dir, port, nil, node, "app.js")
		expect(t, "Express cors({origin: [app, 'null'], credentials: true})", run(t, fmt.Sprintf("http://127.0.0.1:%d/me", port)), "null-origin=high")
	})
}
