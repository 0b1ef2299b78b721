// corskit doctor page: a result, or a whole recorded session, saved as ONE
// self-contained HTML file that opens offline: the page's styles inline,
// no script, and a Content-Security-Policy that forbids every request. The
// file is serialized from nodes built with textContent (outerHTML escapes
// their text), so nothing a server said becomes markup.
"use strict";

// exportPolicy is the saved file's own policy: inline styles, nothing else.
const exportPolicy = "default-src 'none'; style-src 'unsafe-inline'; img-src data:; base-uri 'none'; form-action 'none'";

const escapeText = (s) => String(s).replace(/&/g, "&amp;").replace(/</g, "&lt;").replace(/>/g, "&gt;").replace(/"/g, "&quot;");

// exportDocument wraps the nodes' HTML in a file of their own.
async function exportDocument(title, html) {
  const css = await (await fetch("/app.css")).text();
  return "<!doctype html>\n<html lang=\"en\"><head><meta charset=\"utf-8\">" +
    "<meta http-equiv=\"Content-Security-Policy\" content=\"" + exportPolicy + "\">" +
    "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">" +
    "<title>" + escapeText(title) + "</title><style>" + css.replace(/<\//g, "<\\/") + "</style></head><body><main>" +
    html + "</main></body></html>\n";
}

// resultHTML is the result shown, as one file: every fix panel open, no
// button, no id.
async function resultHTML() {
  const copy = $("result").cloneNode(true);
  copy.hidden = false;
  for (const n of copy.querySelectorAll("[hidden]")) n.hidden = false;
  for (const n of copy.querySelectorAll("button, script")) n.remove();
  for (const n of copy.querySelectorAll("[id]")) n.removeAttribute("id");
  const note = el("p", "corskit check, saved " + new Date().toISOString() + ": " + $("command").textContent, "quiet");
  return exportDocument("corskit: " + $("verdict").textContent, note.outerHTML + copy.outerHTML);
}

// saveFile downloads text as an HTML file called name.
function saveFile(name, text) {
  const url = URL.createObjectURL(new Blob([text], {type: "text/html"}));
  const a = el("a");
  a.href = url;
  a.download = name;
  document.body.append(a);
  a.click();
  a.remove();
  setTimeout(() => URL.revokeObjectURL(url), 1000);
}

async function saveResult() { saveFile("corskit-result.html", await resultHTML()); }

// reportNodes is one recorded request's diagnosis, compact: the engines'
// verdicts and words, the engine's own lines, the problems, the fix's
// headers and the command that checks it again.
function reportNodes(item) {
  const box = el("div", null, "exported");
  const r = item.report;
  if (item.console && item.console.length) {
    box.append(el("p", item.engine + " said:"));
    const ul = el("ul", null, "console");
    for (const l of item.console) ul.append(el("li", l));
    box.append(ul);
  }
  for (const d of item.differences || []) box.append(el("p", "Differs: " + d, "bad"));
  if (!r) {
    box.append(el("p", "Not judged by the model: " + (item.error || "")));
    return box;
  }
  const engines = el("ul");
  for (const name of ["chromium", "firefox", "safari"]) {
    const e = r.engines[name];
    if (e) engines.append(el("li", e.product + ": " + (e.allowed ? "allowed" : "blocked: " + e.code.replaceAll("_", " ")) + (e.messages.length ? ": " + e.messages.join(" ") : "")));
  }
  box.append(el("p", "The model:"), engines);
  if (r.problems.length) {
    const ol = el("ol");
    for (const p of r.problems) ol.append(el("li", p.name + ": " + p.sentence));
    box.append(el("p", "Problems, in the order the browser meets them:"), ol);
  }
  if (r.fix) {
    const lines = (o) => Object.entries(o || {}).map(([k, v]) => k + ": " + v).join("\n");
    if (r.fix.preflight) box.append(el("p", "The fix, on the preflight (OPTIONS), status " + r.fix.preflight_status + ":"), el("pre", lines(r.fix.preflight)));
    box.append(el("p", "The fix, on every other answer:"), el("pre", lines(r.fix.response)));
  }
  if (item.command) box.append(el("p", "Check it again:"), el("pre", item.command));
  return box;
}

// sessionHTML is the recorded session as one file: its state, the drawn
// timeline (each row a link to its diagnosis in the file) and every
// request's diagnosis, the blocked open.
async function sessionHTML(items, timeline) {
  const wrap = el("div");
  wrap.append(el("h1", "corskit record: a recorded session"), el("p", "Saved " + new Date().toISOString() + ". " + $("sessionstate").textContent, "quiet"));
  const tl = timeline.cloneNode(true);
  tl.removeAttribute("id");
  tl.querySelectorAll("li").forEach((li, i) => {
    li.hidden = false;
    li.removeAttribute("aria-current");
    const b = li.querySelector("button");
    if (!b) return;
    const a = el("a");
    a.href = "#request-" + (i + 1);
    a.className = b.className;
    a.append(...b.childNodes);
    b.replaceWith(a);
  });
  wrap.append(el("h2", "Timeline"), tl, el("h2", "Every request"));
  items.forEach((item, i) => {
    const d = el("details");
    d.id = "request-" + (i + 1);
    d.open = sessionBlocked(item);
    d.append(el("summary", (i + 1) + ". " + sessionVerdict(item) + " " + item.method + " " + item.url + " from " + item.origin), reportNodes(item));
    wrap.append(d);
  });
  return exportDocument("corskit record: " + items.length + " requests", wrap.innerHTML);
}
