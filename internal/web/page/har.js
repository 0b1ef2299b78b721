// corskit doctor page: a HAR's table, made readable when the HAR is big.
// Above the table: the requests grouped by server origin and endpoint
// (method and path), the blocked groups first, each with its counts, and a
// filter (a text every shown row holds, "blocked only"); "Show" narrows
// the table to one group. The table lists at most 200 rows at once, "List
// more" adds the next 200: the page stays fast with thousands. Rows come
// from drawHAR (app.js), which sets their data-origin and data-endpoint.
// Everything is set as text.
"use strict";

// endpointOf is a request's server origin and endpoint (method and path,
// no query), the keys of its group.
function endpointOf(req) {
  try {
    const u = new URL(req.url);
    return {origin: u.origin, endpoint: req.method + " " + u.pathname};
  } catch (e) {
    return {origin: "(no origin)", endpoint: req.method + " " + req.url};
  }
}

// harGroupKey is the group the table is narrowed to, or "".
let harGroupKey = "";

const groupKeyOf = (tr) => tr.dataset.origin === undefined ? "" : tr.dataset.origin + " " + tr.dataset.endpoint;
const rowBlocked = (tr) => tr.firstElementChild.textContent === "BLOCKED";

// harGroups counts the rows of each group: the blocked groups first (most
// blocked first), then the biggest.
function harGroups(rows) {
  const groups = new Map();
  for (const tr of rows) {
    const key = groupKeyOf(tr);
    if (!key) continue;
    let g = groups.get(key);
    if (!g) groups.set(key, g = {key, origin: tr.dataset.origin, endpoint: tr.dataset.endpoint, count: 0, blocked: 0});
    g.count++;
    if (rowBlocked(tr)) g.blocked++;
  }
  return [...groups.values()].sort((a, b) => (b.blocked > 0) - (a.blocked > 0) || b.blocked - a.blocked || b.count - a.count || (a.key < b.key ? -1 : 1));
}

// drawHARGroups fills the groups' table; show(key) narrows the rows.
function drawHARGroups(body, groups, show) {
  const out = document.createDocumentFragment();
  for (const g of groups) {
    const tr = el("tr");
    tr.append(el("td", g.blocked ? "BLOCKED" : "ALLOWED", g.blocked ? "bad" : "ok"));
    tr.append(el("td", g.origin), el("td", g.endpoint), el("td", String(g.count)), el("td", String(g.blocked)));
    const td = el("td");
    const b = el("button", "Show", "open");
    b.type = "button";
    b.setAttribute("aria-label", "Show the " + g.count + " requests of " + g.endpoint + " on " + g.origin);
    b.addEventListener("click", () => show(g.key));
    td.append(b);
    tr.append(td);
    out.append(tr);
  }
  body.replaceChildren(out);
}

function harBar() {
  const {bar, text, only} = filterRow("har", "Filter the requests", null, "a URL, a method, a problem");
  const all = el("button", "Show every group");
  all.type = "button";
  all.id = "harall";
  all.hidden = true;
  const count = el("span", null, "quiet");
  count.id = "harcount";
  count.setAttribute("aria-live", "polite");
  bar.append(all, count);
  return {bar, text, only, all, count};
}

function harGroupTable() {
  const wrap = el("div");
  const h = el("h3", "By server and endpoint, the blocked first");
  h.id = "hargroups-h";
  const table = el("table", null, "groups");
  table.setAttribute("aria-labelledby", h.id);
  const head = el("thead"), hr = el("tr");
  for (const t of ["Verdict", "Server origin", "Endpoint", "Requests", "Blocked"]) {
    const th = el("th", t);
    th.scope = "col";
    hr.append(th);
  }
  const last = el("th");
  last.scope = "col";
  last.append(el("span", "Show", "sr"));
  hr.append(last);
  head.append(hr);
  const body = el("tbody");
  body.id = "hargroups";
  table.append(head, body);
  const scroll = el("div", null, "scroll");
  scroll.append(table);
  wrap.append(h, scroll);
  return {wrap, body};
}

// harRows are the rows of the HAR drawn last, on the page or not; at most
// harPage of those the filter keeps are on the page, "Show more" adds more.
let harRows = [];
const harPage = 200;

// harDrawn takes the rows drawHAR built: the groups are counted, the
// filter applies (its text kept), the first page is shown.
let harDrawn = () => {};

// harFilter builds the filter and the groups above the HAR's table.
function harFilter() {
  const body = $("harrows");
  const {bar, text, only, all, count} = harBar();
  const groups = harGroupTable();
  const more = el("button", "List more", "open");
  more.type = "button";
  more.id = "harmore";
  more.hidden = true;
  body.closest(".scroll").before(groups.wrap, bar);
  body.closest(".scroll").after(more);
  let texts = new WeakMap(), limit = harPage;
  const apply = () => {
    const want = text.value.trim().toLowerCase();
    const kept = harRows.filter((tr) => {
      let t = texts.get(tr);
      if (t === undefined) texts.set(tr, t = tr.textContent.toLowerCase());
      return (!want || t.includes(want)) && (!only.checked || rowBlocked(tr)) && (!harGroupKey || groupKeyOf(tr) === harGroupKey);
    });
    body.replaceChildren(...kept.slice(0, limit));
    const n = harRows.length;
    all.hidden = !harGroupKey;
    count.textContent = (kept.length === n ? n + " requests" : kept.length + " of " + n + " requests shown") + (harGroupKey ? ", of " + harGroupKey : "") +
      (kept.length > limit ? "; the first " + limit + " are listed" : "");
    more.hidden = kept.length <= limit;
    more.textContent = "List " + Math.min(harPage, kept.length - limit) + " more of the " + kept.length;
  };
  const refilter = () => { limit = harPage; apply(); };
  const show = (key) => { harGroupKey = key; refilter(); body.closest("table").scrollIntoView({block: "start"}); };
  text.addEventListener("input", refilter);
  only.addEventListener("change", refilter);
  all.addEventListener("click", () => { harGroupKey = ""; refilter(); });
  more.addEventListener("click", () => { limit += harPage; apply(); });
  harDrawn = (rows) => {
    harRows = rows;
    texts = new WeakMap();
    harGroupKey = "";
    drawHARGroups(groups.body, harGroups(rows), show);
    refilter();
  };
}
harFilter();
