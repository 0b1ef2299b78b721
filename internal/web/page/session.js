// corskit doctor page: the session of corskit record --serve, drawn as a
// timeline. Every cross-origin request of the app is a row on one time
// axis: its preflight a thin bar, the request a thick one, a line between
// them; the row is a button that opens the request's diagnosis in the
// sections below. Rows come in as the recorder judges them (the page polls
// /api/session), can be filtered by text or "blocked only", are reached by
// Tab or by the arrow keys, and the whole session can be saved as one
// file (export.js). A page of corskit serve alone shows none of it.
"use strict";

// sessionItems are the session's requests, in the order they came.
const sessionItems = [];

function sessionBlocked(item) {
  return Boolean(item.blocked_here || (item.report && !Object.values(item.report.engines).every((e) => e.allowed)));
}

// sessionVerdict is a request's verdict in one word: BLOCKED in some
// engine, ALLOWED, or NOT JUDGED (the model could not judge it).
function sessionVerdict(item) {
  return sessionBlocked(item) ? "BLOCKED" : item.report ? "ALLOWED" : "NOT JUDGED";
}

// sessionSpans are the item's bars, in ms since the epoch: the preflight
// (or null) and the request. An item without timing sits at the end.
function sessionSpans(item, fallback) {
  const t = item.timing || {};
  const start = t.start || fallback;
  return {pre: t.preflight_start ? [t.preflight_start, t.preflight_end || t.preflight_start] : null, req: [start, Math.max(t.end || start, start)]};
}

// sessionRow draws one request: the button with its words, the bars.
function sessionRow(item, n, open) {
  const blocked = sessionBlocked(item);
  const li = el("li", null, "tlrow");
  const label = item.report ? el("button", null, "tlopen") : el("div", null, "tlopen");
  if (item.report) {
    label.type = "button";
    label.addEventListener("click", () => open(item, li));
  }
  const why = item.report && item.report.problems.length ? item.report.problems[0].name : (item.error || "");
  const verdict = sessionVerdict(item);
  label.append(el("span", n + ". " + verdict, blocked ? "bad" : item.report ? "ok" : ""),
    document.createTextNode(" " + item.method + " " + item.url + " from " + item.origin + (why ? ": " + why : "") +
      (item.differences && item.differences.length ? " (differs from " + item.engine + ")" : "")),
    el("span", "", "tltime"));
  const track = el("div", null, "track");
  track.setAttribute("aria-hidden", "true");
  const pre = el("span", null, "bar pre"), link = el("span", null, "link"), req = el("span", null, "bar req " + (blocked ? "bad" : item.report ? "ok" : "none"));
  track.append(pre, link, req);
  li.append(label, track);
  return li;
}

// sessionLayout places every row's bars on the axis from t0 to t1 and
// writes each row's times in words.
function sessionLayout(rows) {
  const spans = sessionItems.map((it, i) => sessionSpans(it, i));
  const t0 = Math.min(...spans.map((s) => (s.pre ? s.pre[0] : s.req[0])));
  const t1 = Math.max(...spans.map((s) => s.req[1]));
  const width = Math.max(t1 - t0, 1);
  const pct = (v) => ((v - t0) / width * 100).toFixed(3) + "%";
  const ms = (v) => Math.round(v) + " ms";
  spans.forEach((s, i) => {
    const li = rows.children[i];
    const [pre, link, req] = li.querySelector(".track").children;
    pre.hidden = link.hidden = !s.pre;
    if (s.pre) {
      pre.style.left = pct(s.pre[0]);
      pre.style.width = pct(t0 + s.pre[1] - s.pre[0]);
      link.style.left = pct(s.pre[1]);
      link.style.width = pct(t0 + Math.max(0, s.req[0] - s.pre[1]));
    }
    req.style.left = pct(s.req[0]);
    req.style.width = pct(t0 + s.req[1] - s.req[0]);
    li.querySelector(".tltime").textContent = " at +" + ms((s.pre ? s.pre[0] : s.req[0]) - t0) + (s.pre ? ": preflight " + ms(s.pre[1] - s.pre[0]) + ", then" : ":") + " request " + ms(s.req[1] - s.req[0]);
  });
  return width;
}

function sessionControls() {
  const {bar, text: filter, only} = filterRow("session", "Filter the session", "file", "blocked, a URL, a method, a problem");
  const save = el("button", "Save the session as a file");
  save.type = "button";
  save.id = "sessionsave";
  bar.append(save);
  return {bar, filter, only, save};
}

// sessionKeys moves along the rows' buttons with the arrow keys, Home, End.
function sessionKeys(rows) {
  rows.addEventListener("keydown", (ev) => {
    if (!["ArrowDown", "ArrowUp", "Home", "End"].includes(ev.key)) return;
    const buttons = [...rows.querySelectorAll("li:not([hidden]) button")];
    const i = buttons.indexOf(document.activeElement);
    if (i < 0 || !buttons.length) return;
    const next = {ArrowDown: Math.min(i + 1, buttons.length - 1), ArrowUp: Math.max(i - 1, 0), Home: 0, End: buttons.length - 1}[ev.key];
    ev.preventDefault();
    buttons[next].focus();
  });
}

function sessionBuild() {
  const section = el("section");
  section.id = "session";
  section.setAttribute("aria-labelledby", "session-h");
  const h = el("h2", "Recorded session");
  h.id = "session-h";
  const state = el("p", "Recording…");
  state.id = "sessionstate";
  state.setAttribute("role", "status");
  const c = sessionControls();
  const legend = el("p", "Every request on one time axis: the thin bar is its preflight, the thick bar the request itself. Open a row for its diagnosis; the arrow keys move between rows.", "quiet");
  const axis = el("p", null, "axis");
  axis.setAttribute("aria-hidden", "true");
  axis.append(el("span", "0 ms"), el("span", ""));
  const rows = el("ol", null, "tl");
  rows.id = "sessionrows";
  rows.setAttribute("aria-labelledby", "session-h");
  section.append(h, state, c.bar, legend, axis, rows);
  (document.querySelector("main") || document.body).prepend(section);
  sessionKeys(rows);
  return {state, rows, axis, ...c};
}

function sessionView() {
  let v = null;
  // Each row's words, lowercased once (the times in words are left out).
  const texts = [];
  const apply = () => {
    const want = v.filter.value.trim().toLowerCase();
    sessionItems.forEach((item, i) => {
      const li = v.rows.children[i];
      if (texts[i] === undefined) texts[i] = li.querySelector(".tlopen").firstChild.textContent.toLowerCase() + li.querySelector(".tlopen").childNodes[1].textContent.toLowerCase();
      const hide = (want !== "" && !texts[i].includes(want)) || (v.only.checked && !sessionBlocked(item));
      if (li.hidden !== hide) li.hidden = hide;
    });
  };
  const open = (item, li) => {
    for (const r of v.rows.querySelectorAll("[aria-current]")) r.removeAttribute("aria-current");
    li.setAttribute("aria-current", "true");
    lastRead = null;
    fill(item.report.request);
    showCommand(item.command);
    draw(item.report);
  };
  const poll = async () => {
    let out;
    try { out = await api("/api/session", {since: sessionItems.length}); } catch (e) { return; }
    if (!out.recording) return; // not corskit record: no session view
    if (!v) {
      v = sessionBuild();
      v.filter.addEventListener("input", apply);
      v.only.addEventListener("change", apply);
      v.save.addEventListener("click", async () => saveFile("corskit-session.html", await sessionHTML(sessionItems, v.rows)));
    }
    const add = document.createDocumentFragment();
    for (const item of out.items) add.append(sessionRow(item, sessionItems.push(item), open));
    v.rows.append(add);
    if (sessionItems.length) v.axis.lastElementChild.textContent = "+" + Math.round(sessionLayout(v.rows)) + " ms";
    apply();
    const blocked = sessionItems.filter(sessionBlocked).length;
    v.state.textContent = (out.done ? "Done: " : "Recording: ") + sessionItems.length + " cross-origin requests, " + blocked + " blocked" + (out.over ? " (" + out.over + " more not shown)" : "") + ".";
    if (!out.done || out.items.length) setTimeout(poll, out.items.length ? 200 : 1000);
  };
  poll();
}
sessionView();
