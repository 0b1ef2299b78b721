// corskit doctor page: reads evidence, asks corskit serve's API, and draws
// the report. Everything it shows comes from the API's JSON, which is
// corskit check --json's; text is set with textContent, never as HTML.
"use strict";

const token = new URLSearchParams(location.search).get("token") || "";
const $ = (id) => document.getElementById(id);

// api posts body (an object, sent as JSON, or a File sent as it is) and
// returns the answer's JSON; a refusal throws its error, which for a busy
// server (503) says when to try again.
async function api(path, body) {
  const resp = await fetch(path, {
    method: "POST",
    headers: {"Content-Type": "application/json", "X-Corskit-Token": token},
    body: body instanceof Blob ? body : JSON.stringify(body),
  });
  const data = await resp.json();
  if (!resp.ok) {
    const retry = resp.headers.get("Retry-After");
    throw new Error((data.error || resp.statusText) + (resp.status === 503 && retry ? " (Retry-After: " + retry + " s)" : ""));
  }
  return data;
}

function el(tag, text, cls) {
  const e = document.createElement(tag);
  if (text !== undefined && text !== null) e.textContent = text;
  if (cls) e.className = cls;
  return e;
}

// filterRow is a row with a labelled search box (id prefix + "filter") and
// a "blocked only" checkbox (prefix + "blocked"), to which the caller adds
// its own buttons.
function filterRow(prefix, labelText, labelClass, placeholder) {
  const bar = el("div", null, "row");
  const label = el("label", labelText, labelClass);
  label.htmlFor = prefix + "filter";
  const text = el("input");
  text.id = prefix + "filter";
  text.type = "search";
  text.placeholder = placeholder;
  const only = el("input");
  only.id = prefix + "blocked";
  only.type = "checkbox";
  const onlyLabel = el("label", "blocked only", "file");
  onlyLabel.htmlFor = only.id;
  bar.append(label, text, only, onlyLabel);
  return {bar, text, only};
}

function showError(msg) { $("error").textContent = msg || ""; }

// --- input -----------------------------------------------------------------

function fill(req) {
  $("url").value = req.url || "";
  $("origin").value = req.origin || "";
  $("method").value = req.method || "GET";
  $("headers").value = Object.entries(req.headers || {}).map(([k, v]) => k + ": " + v).join("\n");
  $("body").value = req.body || "";
  // Each paste says its own credentials, or none: nothing carries over.
  $("credentials").value = req.credentials || "same-origin";
  updateCommand();
}

// lastRead is the console text the form was last read from, and what it
// left open (method, headers, credentials): a check then searches for the
// request that prints its lines, trying what the form still leaves as read.
let lastRead = null;

function evidenceFields(f) {
  if (!lastRead) return {};
  const r = f.request, open = [];
  if (lastRead.open.includes("method") && r.method === "GET") open.push("method");
  if (lastRead.open.includes("headers") && $("headers").value === lastRead.headers) open.push("headers");
  if (lastRead.open.includes("credentials") && r.credentials === "same-origin") open.push("credentials");
  return {evidence: lastRead.text, open};
}

function formRequest() {
  const headers = {};
  for (const line of $("headers").value.split("\n")) {
    const i = line.indexOf(":");
    if (i > 0) headers[line.slice(0, i).trim()] = line.slice(i + 1).trim();
  }
  return {
    request: {url: $("url").value.trim(), origin: $("origin").value.trim(), method: $("method").value.trim() || "GET",
      headers, body: $("body").value, credentials: $("credentials").value},
    also_origins: $("also").value.split(/[\s,]+/).filter(Boolean),
    stack: $("stack").value,
  };
}

// commandSeq orders the command lines shown: an answer of /api/command
// older than the last line shown is dropped.
let commandSeq = 0;

function showCommand(text) {
  commandSeq++;
  $("command").textContent = text;
}

// updateCommand shows the form's corskit check command line, as the server's
// check.Options.Command writes it (the CLI's and a check's own).
async function updateCommand() {
  const seq = ++commandSeq;
  try {
    const out = await api("/api/command", formRequest());
    if (seq === commandSeq) $("command").textContent = out.command;
  } catch (e) {
    // The form is mid-edit; the next input or the check shows the command.
  }
}

async function readEvidence() {
  showError("");
  const text = $("evidence").value;
  if (!text.trim()) { $("detected").textContent = "Paste the console text, a Copy as cURL or a Copy as fetch first."; return; }
  try {
    const p = await api("/api/read", {text});
    const what = p.kind === "console" ? p.engine + "'s console text" : "a Copy as " + (p.kind === "curl" ? "cURL" : "fetch");
    let msg = "Read as " + what + ".";
    if (p.missing && p.missing.length) msg += " It does not say: " + p.missing.join("; ") + ". Fill it in below.";
    $("detected").textContent = msg;
    fill(p.request);
    lastRead = null;
    if (p.kind === "console") {
      const open = [];
      if (!p.request.method) open.push("method");
      open.push("headers");
      if (!p.request.credentials) open.push("credentials");
      lastRead = {text, open, headers: $("headers").value};
    } else if ((p.missing || []).some((m) => m.startsWith("credentials"))) {
      // A copy shows what was sent, not the page's credentials mode: while
      // the form leaves it as read, the check judges both modes.
      lastRead = {text: "", open: ["credentials"], headers: $("headers").value};
    }
    if (!p.missing || p.missing.every((m) => m.startsWith("credentials"))) $("origin").focus();
  } catch (e) {
    $("detected").textContent = e.message;
  }
}

async function readHAR(file) {
  showError("");
  try {
    const q = new URLSearchParams({credentials: $("credentials").value === "include" ? "include" : "", stack: $("stack").value});
    if ($("haroffline").checked) q.set("offline", "1");
    const out = await api("/api/har?" + q, file);
    drawHAR(file.name, out);
  } catch (e) {
    showError(e.message);
  }
}

async function runCheck(ev) {
  ev.preventDefault();
  showError("");
  $("check").disabled = true;
  try {
    const f = formRequest();
    const out = await api("/api/check", Object.assign(f, evidenceFields(f)));
    showCommand(out.command);
    draw(out.report, out.reproduction);
  } catch (e) {
    showError(e.message);
  } finally {
    $("check").disabled = false;
  }
}

// --- output ----------------------------------------------------------------

const markFor = {
  missing_allow_origin: "access-control-allow-origin", allow_origin_mismatch: "access-control-allow-origin",
  multiple_allow_origin: "access-control-allow-origin", invalid_allow_origin: "access-control-allow-origin",
  wildcard_with_credentials: "access-control-allow-origin", invalid_allow_credentials: "access-control-allow-credentials",
  method_not_allowed: "access-control-allow-methods", invalid_allow_methods: "access-control-allow-methods",
  header_not_allowed: "access-control-allow-headers", invalid_allow_headers: "access-control-allow-headers",
  preflight_redirect: "location",
};

// drawReproduction says, first, whether the request checked prints the
// pasted lines; when none does, that comes first and plainly.
function drawReproduction(rep) {
  const box = $("reproduction");
  box.replaceChildren();
  box.hidden = !rep;
  if (!rep) return;
  const tally = rep.tried + " request(s) judged, " + rep.requests_sent + " real request(s) sent";
  if (rep.reproduced) {
    box.className = "reproduction";
    box.append(el("p", "Reproduced " + rep.matched + " of " + rep.lines.length + " pasted line(s) of " + rep.engine + ", byte for byte (" + tally + ")."));
    drawCauses(box, rep);
    for (const n of rep.notes || []) box.append(el("p", "Note: " + n));
    return;
  }
  box.className = "reproduction bad";
  box.append(el("p", "NOT REPRODUCED: no request corskit tried prints the pasted " + rep.engine + " line(s) (" + tally + ")."));
  box.append(el("p", "The line: " + rep.says));
  const got = rep.got_allowed ? "no error: the engine lets the page read the answer" : (rep.got || []).join(" ");
  box.append(el("p", "corskit's closest request, " + rep.request.method + " " + rep.request.url + " with credentials " + rep.request.credentials + ", got: " + got));
  for (const g of rep.give || []) box.append(el("p", "Give: " + g));
}

// drawCauses lists, when the requests that print the pasted lines have
// different causes, each cause ranked: AMBIGUOUS when more than one
// stands, else the ones the server's answers rule out.
function drawCauses(box, rep) {
  const causes = rep.causes || [];
  if (causes.length < 2) return;
  box.append(el("p", rep.ambiguous
    ? "AMBIGUOUS: the pasted line(s) come from " + causes.length + " kinds of request with different causes; the report below is for the first:"
    : "Other requests print the same line(s), with another cause, ruled out:"));
  const list = document.createElement("ol");
  for (const c of causes) {
    list.append(el("li", c.cause + ": " + c.request + (c.ruled_out ? " (ruled out: " + c.ruled_out + ")" : c.why ? " (" + c.why + ")" : "")));
  }
  box.append(list);
}

function draw(r, rep) {
  $("result").hidden = false;
  drawReproduction(rep);
  const names = {chromium: "Chromium", firefox: "Firefox", safari: "Safari"};
  const allowed = Object.values(r.engines).every((e) => e.allowed);
  const unproved = rep && !rep.reproduced;
  const v = $("verdict");
  v.className = "verdict " + (allowed && !unproved ? "ok" : "bad");
  v.textContent = (allowed ? (unproved ? "corskit's request is allowed, not the page's: " : "ALLOWED  ") : "BLOCKED  ") + r.request.method + " " + r.request.url + " from " + r.request.origin;

  const engines = $("engines");
  engines.replaceChildren();
  for (const name of ["chromium", "firefox", "safari"]) {
    const e = r.engines[name];
    if (!e) continue;
    const card = el("article", null, "engine " + (e.allowed ? "ok" : "bad"));
    card.append(el("h4", e.product), el("p", e.allowed ? "allowed" : "blocked: " + e.code.replaceAll("_", " "), "state"));
    const lines = el("ul", null, "console");
    for (const m of e.messages) lines.append(el("li", m));
    if (!e.messages.length) lines.append(el("li", "(nothing logged)", "quiet"));
    card.append(lines);
    engines.append(card);
  }

  const tl = $("timeline");
  tl.replaceChildren();
  r.exchanges.forEach((x, i) => {
    const last = i === r.exchanges.length - 1 && !r.allowed;
    const li = el("li", null, "step" + (last ? " failed" : ""));
    const what = x.request.headers["Access-Control-Request-Method"] ? "preflight" : "request";
    if (x.not_recorded) {
      // The file does not hold this exchange: say so, draw nothing of it.
      li.append(el("p", what + " " + x.request.method + " " + x.request.url + ": not recorded in the file" +
        (x.response ? " (taken as passed: the browser sent the request after it)" : " (no answer in the file: what failed is not recorded)"), "kind"));
      tl.append(li);
      return;
    }
    const kind = el("p", what + (last ? ": the check that failed: " + r.code.replaceAll("_", " ") : "") +
      (x.filled ? " (not in the file: answered by the live fill)" : ""), "kind");
    const out = el("div", null, "arrow out");
    out.append(el("p", "Page → Server  " + x.request.method + " " + x.request.url, "line"));
    const sent = el("ul", null, "headers");
    for (const [k, vv] of Object.entries(x.request.headers)) sent.append(el("li", k + ": " + vv));
    out.append(sent);
    const back = el("div", null, "arrow back");
    if (x.response) {
      back.append(el("p", "Server → Page  " + x.response.status, "line"));
      const got = el("ul", null, "headers");
      const marked = last ? markFor[r.code] : "";
      let any = false;
      for (const [k, vv] of Object.entries(x.response.headers)) {
        const lk = k.toLowerCase();
        if (!lk.startsWith("access-control-") && lk !== "vary" && lk !== "location") continue;
        any = true;
        got.append(el("li", k + ": " + vv, lk === marked ? "mark" : ""));
      }
      if (!any) got.append(el("li", "(no Access-Control-* header)", marked ? "mark" : ""));
      if (last && r.code === "preflight_status") back.querySelector(".line").classList.add("mark");
      back.append(got);
    } else {
      back.append(el("p", "no answer: " + (r.network_error || ""), "line mark"));
    }
    li.append(kind, out, back);
    tl.append(li);
  });
  if (!r.exchanges.length) tl.append(el("li", "Nothing was sent: the browser refused before the request (" + r.code.replaceAll("_", " ") + ").", "step failed"));

  const probs = $("problems");
  probs.replaceChildren();
  for (const p of r.problems) {
    const li = el("li");
    li.append(el("strong", p.name), document.createTextNode(" (" + (p.preflight ? "preflight" : "request") + (p.status ? ", " + p.status : "") + ((p.again || []).length ? "; again on the " + p.again.join(", ") : "") + "): " + p.sentence));
    probs.append(li);
  }
  if (!r.problems.length) probs.append(el("li", allowed ? "None: every engine lets the page read the answer." : "No problem a header can fix."));
  $("unsent").textContent = r.actual_not_sent ? "The " + r.request.method + " itself was not sent: the browser does not send it while its preflight fails, and it may change data. Its answer may hold more problems: fix these and check again." : "";

  drawFix(r.fix);
  drawOtherCredentials(r);

  const risks = $("risks");
  risks.replaceChildren();
  for (const w of r.warnings) risks.append(el("li", w.message));
  if (!r.warnings.length) risks.append(el("li", "None found."));
  $("res-h").scrollIntoView({block: "start"});
}

// credentialsWords names a credentials mode as page code sets it.
function credentialsWords(c) {
  return c === "include" ? "with credentials (fetch's credentials: 'include', withCredentials in XMLHttpRequest and axios)" :
    "without credentials (no credentials: 'include', no withCredentials)";
}

// drawOtherCredentials says, when the pasted copy did not tell the page's
// credentials mode, which mode the result is for, and the other mode's
// verdict and headers, with a button that checks it for its whole fix.
function drawOtherCredentials(r) {
  const box = $("othercreds");
  box.replaceChildren();
  box.hidden = !r.credentials_unknown;
  if (!r.credentials_unknown) return;
  const a = r.other_credentials;
  if (!a) {
    box.append(el("p", "The evidence does not tell whether the page sends credentials; with credentials: 'include' and without, the verdict and the fix are the same."));
    return;
  }
  box.append(el("p", "The evidence does not tell whether the page sends credentials (a copy or a HAR shows what was sent, not the page's credentials mode). The result above is for a request " + credentialsWords(r.request.credentials) + "."));
  if (a.allowed) {
    box.append(el("p", "If the page sends its request " + credentialsWords(a.credentials) + ", it is allowed: nothing to fix."));
    return;
  }
  const cause = a.problems.length ? a.problems[0].name : a.code.replaceAll("_", " ");
  box.append(el("p", "If the page sends its request " + credentialsWords(a.credentials) + ", it is blocked (" + cause + "). The server must send, on every other answer:"));
  const pre = el("pre");
  pre.textContent = Object.entries((a.fix && a.fix.response) || {}).map(([k, v]) => k + ": " + v).join("\n");
  box.append(pre);
  const again = el("button", "Check with credentials: '" + (a.credentials === "include" ? "include" : "omit") + "' for its fix", "again");
  again.type = "button";
  again.addEventListener("click", () => {
    $("credentials").value = a.credentials;
    lastRead = null;
    updateCommand();
    $("form").requestSubmit();
  });
  box.append(again);
}

function drawFix(fix) {
  const hdrs = $("fixheaders"), tabs = $("tabs"), panels = $("panels");
  hdrs.replaceChildren(); tabs.replaceChildren(); panels.replaceChildren();
  if (!fix) { hdrs.append(el("p", "No header change is needed, or none can help.")); return; }
  const block = (title, lines) => {
    hdrs.append(el("p", title));
    const pre = el("pre");
    pre.textContent = Object.entries(lines).map(([k, v]) => k + ": " + v).join("\n");
    hdrs.append(pre);
  };
  if (fix.preflight) block("On the preflight (OPTIONS), with status " + fix.preflight_status + ":", fix.preflight);
  block("On every other answer, errors included:", fix.response);
  // The tabs: the registry's stacks; when corskit could not tell the
  // stack, the first tab is the headers and the question, never another
  // stack's snippet.
  const snippets = Object.assign({}, fix.snippets);
  let stacks = (fix.stacks || Object.keys(snippets).sort()).filter((s) => snippets[s]);
  if (!(fix.stack && snippets[fix.stack])) {
    const lines = (o) => Object.entries(o || {}).map(([k, v]) => k + ": " + v).join("\n");
    snippets.headers = "Which stack serves this API? corskit could not tell from its answers.\n" +
      "Choose its tab, or pick it under \"Server stack\" and check again.\n\n" +
      (fix.preflight ? "On the preflight (OPTIONS), status " + fix.preflight_status + ":\n" + lines(fix.preflight) + "\n\n" : "") +
      "On every other answer, errors included:\n" + lines(fix.response) + "\n";
    stacks = ["headers", ...stacks];
  }
  const first = stacks[0] === "headers" ? "headers" : fix.stack;
  for (const s of stacks) {
    const tab = el("button", s, "tab");
    // A stack not proved on a real server says so on its tab and above
    // its snippet (the chooser's data-unproved, from gen's registry).
    const note = unprovedNote(s);
    if (note) tab.append(el("span", " (not proved)", "unproved"));
    tab.type = "button";
    tab.id = "tab-" + s;
    tab.setAttribute("role", "tab");
    tab.setAttribute("aria-controls", "panel-" + s);
    const panel = el("div", null, "panel");
    panel.id = "panel-" + s;
    panel.setAttribute("role", "tabpanel");
    panel.setAttribute("aria-labelledby", tab.id);
    const copy = el("button", "Copy the " + s + " fix", "copy");
    copy.type = "button";
    const code = el("pre");
    code.textContent = snippets[s];
    copy.addEventListener("click", () => copyText(snippets[s], s));
    if (note) panel.append(el("p", note, "unproved-note"));
    panel.append(copy, code);
    tab.addEventListener("click", () => select(s));
    tab.addEventListener("keydown", (ev) => {
      const i = stacks.indexOf(s);
      if (ev.key === "ArrowRight" || ev.key === "ArrowLeft") {
        const next = stacks[(i + (ev.key === "ArrowRight" ? 1 : stacks.length - 1)) % stacks.length];
        select(next);
        $("tab-" + next).focus();
        ev.preventDefault();
      }
    });
    tabs.append(tab);
    panels.append(panel);
  }
  select(first);
}

// unprovedNote is why stack is not proved on a real server, from the
// stack chooser's option; "" for a proved stack.
function unprovedNote(stack) {
  for (const o of $("stack").options) if (o.value === stack) return o.dataset.unproved || "";
  return "";
}

function select(stack) {
  for (const t of $("tabs").children) {
    const on = t.id === "tab-" + stack;
    t.setAttribute("aria-selected", on ? "true" : "false");
    t.tabIndex = on ? 0 : -1;
  }
  for (const p of $("panels").children) p.hidden = p.id !== "panel-" + stack;
}

async function copyText(text, stack) {
  try {
    await navigator.clipboard.writeText(text);
  } catch (e) {
    const area = el("textarea");
    area.value = text;
    document.body.append(area);
    area.select();
    document.execCommand("copy");
    area.remove();
  }
  $("copied").textContent = "Copied the " + stack + " fix.";
}

// drawHAR draws a HAR's cross-origin requests, one row each, built apart;
// har.js groups them by their data-origin and data-endpoint, filters them
// and puts on the page at most a page of them at once (a HAR may hold
// thousands).
function drawHAR(name, out) {
  $("harresult").hidden = false;
  const sent = out.offline ? " Judged from the file alone: nothing sent." :
    out.filled ? " " + out.filled + " request(s) whose cause the file cannot tell filled live: " + out.fill_requests_sent + " request(s) sent." : "";
  $("harsummary").textContent = name + ": " + out.entries + " entries, " + out.cross_origin + " cross-origin requests, " + out.blocked + " blocked." + sent + (out.note ? " Note: " + out.note + "." : "");
  const rows = [];
  for (const h of out.requests) {
    const tr = el("tr");
    const r = h.report;
    const blocked = r && !Object.values(r.engines).every((e) => e.allowed);
    if (r) Object.assign(tr.dataset, endpointOf(r.request));
    tr.append(el("td", r ? (blocked ? "BLOCKED" : "ALLOWED") : "NOT JUDGED", blocked ? "bad" : "ok"));
    tr.append(el("td", r ? r.request.method + " " + r.request.url + " from " + r.request.origin : "entry " + h.entry));
    const fillNote = h.fill ? (h.fill.failed ? " (live fill: " + h.fill.failed + ")" : " (named with a live fill: " + h.fill.requests_sent + " request(s) sent)") : "";
    tr.append(el("td", (r && r.problems.length ? r.problems[0].name : (h.error || "")) + fillNote));
    const td = el("td");
    if (r) {
      const b = el("button", "Open", "open");
      b.type = "button";
      b.setAttribute("aria-label", "Open the timeline of entry " + h.entry);
      b.addEventListener("click", () => { lastRead = null; fill(r.request); showCommand(h.command); draw(r); });
      td.append(b);
    }
    tr.append(td);
    rows.push(tr);
  }
  harDrawn(rows);
}

// --- wiring ----------------------------------------------------------------

$("read").addEventListener("click", readEvidence);
// Pasting (or dropping) evidence reads it at once; typed text waits for
// "Read it".
$("evidence").addEventListener("input", (ev) => {
  if (ev.inputType === "insertFromPaste" || ev.inputType === "insertFromDrop") readEvidence();
});
$("evidence").addEventListener("input", () => { lastRead = null; });
$("form").addEventListener("submit", runCheck);
$("form").addEventListener("input", updateCommand);
$("har").addEventListener("change", (ev) => { if (ev.target.files[0]) readHAR(ev.target.files[0]); });
document.addEventListener("dragover", (ev) => { ev.preventDefault(); $("drop").classList.add("over"); });
document.addEventListener("dragleave", () => $("drop").classList.remove("over"));
document.addEventListener("drop", (ev) => {
  ev.preventDefault();
  $("drop").classList.remove("over");
  if (ev.dataTransfer.files[0]) readHAR(ev.dataTransfer.files[0]);
});
updateCommand();

// --- where the user is (issue 25): kept apart from the functions above ----
// Ctrl+Enter (Cmd+Enter) runs the check from any field; while it runs a
// status says so and the previous verdict is hidden; the new verdict or
// the error is scrolled to and focused; Home and End move along the fix
// tabs.

function ux() {
  const form = $("form"), result = $("result"), error = $("error");
  const busy = document.createElement("p");
  busy.id = "busy";
  busy.setAttribute("role", "status");
  $("check").after(busy);
  form.addEventListener("keydown", (ev) => {
    if (ev.key === "Enter" && (ev.ctrlKey || ev.metaKey)) { ev.preventDefault(); form.requestSubmit(); }
  });
  form.addEventListener("submit", () => {
    result.hidden = true;
    form.setAttribute("aria-busy", "true");
    busy.textContent = "Checking: corskit sends the request as each browser would…";
  }, true);
  const done = () => { form.removeAttribute("aria-busy"); busy.textContent = ""; };
  const bring = (node) => {
    if (!node.hasAttribute("tabindex")) node.setAttribute("tabindex", "-1");
    node.scrollIntoView({ block: "start", behavior: "smooth" });
    node.focus({ preventScroll: true });
  };
  new MutationObserver(() => {
    if (!result.hidden) { done(); bring($("verdict")); }
  }).observe(result, { attributes: true, attributeFilter: ["hidden"] });
  new MutationObserver(() => {
    if (error.textContent) { done(); bring(error); }
  }).observe(error, { childList: true, characterData: true, subtree: true });
  const save = document.createElement("button");
  save.type = "button";
  save.id = "save";
  save.textContent = "Save this result as a file";
  save.addEventListener("click", () => saveResult());
  $("verdict").after(save);
  $("tabs").addEventListener("keydown", (ev) => {
    if (ev.key !== "Home" && ev.key !== "End") return;
    const tabs = [...$("tabs").querySelectorAll("[role=tab], button")];
    const t = ev.key === "Home" ? tabs[0] : tabs[tabs.length - 1];
    if (!t) return;
    ev.preventDefault();
    t.click();
    t.focus();
  });
}
ux();
