// corskit doctor page: a check shared as a link. The link's fragment (the
// part after #, which the browser never sends to a server) holds the
// check's inputs: URL, origin, method, headers, credentials, the app's
// other origins, the stack. Never the page's token, never an answer, never
// the body; the values of headers and query parameters that look secret
// (Authorization, Cookie, *token*, *key*...) are replaced by "redacted".
// Opening a link fills the form and says so; the check runs when the user
// presses Check, never by itself: a link must not make corskit send
// requests. A fragment is read as text, bounded, and refused field by field
// with a message naming the bad value.
"use strict";

const shareMax = 4096; // characters of a fragment
const shareVersion = "corskit1";
const shareKeys = ["url", "origin", "method", "headers", "credentials", "also", "stack"];
const secretName = /^(authorization|proxy-authorization|cookie|set-cookie)$|token|secret|passw|api[-_]?key|session|signature|^sig$|^code$|auth|csrf|xsrf/i;
const controlChars = /[\u0000-\u0008\u000b-\u001f\u007f]/;

// redactURL replaces the values of query parameters that look secret.
function redactURL(raw) {
  let u;
  try { u = new URL(raw); } catch (e) { return raw; }
  for (const [k] of [...u.searchParams]) if (secretName.test(k)) u.searchParams.set(k, "redacted");
  return u.href;
}

// redactHeaders keeps every header's name (the preflight lists them) and
// replaces the values that look secret.
function redactHeaders(text) {
  // Lines without a name are dropped, as the check drops them.
  return text.split("\n").filter((l) => l.indexOf(":") > 0).map((line) => {
    const i = line.indexOf(":");
    const name = line.slice(0, i).trim();
    return secretName.test(name) ? name + ": redacted" : name + ": " + line.slice(i + 1).trim();
  }).join("\n");
}

// shareFragment is the form's check as a fragment, without the "#".
function shareFragment() {
  const p = new URLSearchParams();
  p.set(shareVersion, "");
  p.set("url", redactURL($("url").value.trim()));
  p.set("origin", $("origin").value.trim());
  p.set("method", $("method").value.trim() || "GET");
  const headers = redactHeaders($("headers").value);
  if (headers) p.set("headers", headers);
  p.set("credentials", $("credentials").value);
  const also = $("also").value.split(/[\s,]+/).filter(Boolean).join(" ");
  if (also) p.set("also", also);
  p.set("stack", $("stack").value);
  return p.toString();
}

// shown is a value quoted in a message: bounded, control characters seen.
function shown(v) {
  const s = JSON.stringify(String(v));
  return s.length > 80 ? s.slice(0, 77) + "…\"" : s;
}

// decoded is s with its percent escapes undone, or s when they are broken.
function decoded(s) {
  try { return decodeURIComponent(s); } catch (e) { return s; }
}

function httpURL(v) {
  try {
    const u = new URL(v);
    return (u.protocol === "http:" || u.protocol === "https:") && u.host !== "" ? u : null;
  } catch (e) {
    return null;
  }
}

function isOrigin(v) {
  const u = httpURL(v);
  return u !== null && u.origin === v;
}

// shareCheckers say what is wrong with each field's value, or "".
const shareCheckers = {
  url: (v) => v.length <= 2048 && httpURL(v) ? "" : "is not an http(s) URL of at most 2048 characters",
  origin: (v) => isOrigin(v) ? "" : "is not an origin (scheme://host[:port], no path), e.g. http://localhost:3000",
  method: (v) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,20}$/.test(v) ? "" : "is not an HTTP method, e.g. PUT",
  headers: (v) => v.split("\n").length <= 50 && v.split("\n").every((l) => /^[!#$%&'*+.^_`|~0-9A-Za-z-]{1,100}:[^\n]{0,1000}$/.test(l)) ? "" : "is not one \"Name: value\" a line (at most 50)",
  credentials: (v) => ["same-origin", "include", "omit"].includes(v) ? "" : "is not same-origin, include or omit",
  also: (v) => v.split(" ").length <= 20 && v.split(" ").every(isOrigin) ? "" : "is not space-separated origins, e.g. http://localhost:5173",
  stack: (v) => [...$("stack").options].some((o) => o.value === v) ? "" : "is not a server stack this page offers",
};

// readShare reads a fragment into the form's values, or throws an Error
// naming the bad part and what to do.
function readShare(fragment) {
  const frag = fragment.replace(/^#/, "");
  const fix = " Ask for a new link, made with \"Share this check as a link\".";
  if (frag.length > shareMax) throw new Error("The shared link's part after # is " + frag.length + " characters long; corskit reads at most " + shareMax + "." + fix);
  let p;
  try { p = new URLSearchParams(frag); } catch (e) { throw new Error("The shared link's part after # cannot be read." + fix); }
  const keys = [...p.keys()];
  if (keys[0] !== shareVersion) throw new Error("The shared link's part after # does not start with " + shareVersion + ", so it is not a check corskit shared (it starts " + shown(decoded(frag.slice(0, 60))) + ")." + fix);
  const values = {};
  for (const [k, v] of [...p].slice(1)) {
    if (!shareKeys.includes(k)) throw new Error("The shared link has the field " + shown(k) + ", which corskit does not know: it takes " + shareKeys.join(", ") + "." + fix);
    if (k in values) throw new Error("The shared link gives " + k + " twice." + fix);
    if (controlChars.test(v) || (k !== "headers" && v.includes("\n"))) throw new Error("The shared link's " + k + " " + shown(v) + " holds control characters." + fix);
    const bad = shareCheckers[k](v);
    if (bad) throw new Error("The shared link's " + k + " " + shown(v) + " " + bad + "." + fix);
    values[k] = v;
  }
  for (const k of ["url", "origin"]) if (!(k in values)) throw new Error("The shared link gives no " + k + "." + fix);
  return values;
}

// openShare fills the form from a fragment and says what was opened, or
// shows why it was refused; the form is left as it was on a refusal.
function openShare(fragment) {
  let v;
  try {
    v = readShare(fragment);
  } catch (e) {
    $("sharestate").textContent = "";
    showError(e.message);
    return false;
  }
  showError("");
  lastRead = null;
  $("url").value = v.url;
  $("origin").value = v.origin;
  $("method").value = v.method || "GET";
  $("headers").value = v.headers || "";
  $("body").value = "";
  $("credentials").value = v.credentials || "same-origin";
  $("also").value = v.also || "";
  $("stack").value = v.stack || "auto";
  updateCommand();
  $("sharestate").textContent = "Opened a shared check: " + $("method").value + " " + v.url + " from " + v.origin +
    ". Press Check (or Ctrl+Enter) to run it here: a link never runs a check by itself.";
  $("check").focus();
  return true;
}

// shareLink is the page's address without its token, with the check.
function shareLink() {
  return location.origin + location.pathname + "#" + shareFragment();
}

function shareView() {
  const box = el("div", null, "share");
  const row = el("div", null, "row");
  const make = el("button", "Share this check as a link");
  make.type = "button";
  make.id = "share";
  const out = el("input");
  out.id = "sharelink";
  out.readOnly = true;
  out.hidden = true;
  out.setAttribute("aria-label", "The link to this check");
  row.append(make);
  const state = el("p");
  state.id = "sharestate";
  state.setAttribute("role", "status");
  const label = el("label", "Open a shared check: paste its link");
  label.htmlFor = "shareopen";
  const open = el("input");
  open.id = "shareopen";
  open.type = "url";
  open.autocomplete = "off";
  const go = el("button", "Open the shared check");
  go.type = "button";
  go.id = "shareopengo";
  const row2 = el("div", null, "row");
  row2.append(go);
  box.append(row, out, state, label, open, row2);
  $("command").closest("p").after(box);
  make.addEventListener("click", () => {
    // A link that would be refused on opening is refused now, the same way.
    try {
      readShare(shareFragment());
    } catch (e) {
      out.hidden = true;
      state.textContent = "";
      showError(e.message.replace(/The shared link's /, "This check's ").replace(/ Ask for a new link.*$/, " Correct it above first."));
      return;
    }
    showError("");
    out.value = shareLink();
    out.hidden = false;
    out.select();
    const left = ($("body").value ? " The body is left out." : "") + (out.value.includes("redacted") ? " Values that looked secret are replaced by \"redacted\"." : "");
    state.textContent = "The link holds the request, not the page's token nor any answer." + left + " It opens on any corskit serve page: paste it under \"Open a shared check\".";
  });
  go.addEventListener("click", () => {
    const raw = open.value.trim();
    const i = raw.indexOf("#");
    if (i < 0) { showError("The link " + shown(raw) + " has no part after #: that part is the shared check. Paste the whole link."); return; }
    openShare(raw.slice(i));
  });
  window.addEventListener("hashchange", () => { if (location.hash.length > 1) openShare(location.hash); });
  if (location.hash.length > 1) openShare(location.hash);
}
shareView();
