// The medusa-mock console: plain JavaScript over the control plane (/_mock) and the Store API.
// Same origin as the mock, so the control token's cookie (HttpOnly, SameSite=Strict) goes with
// every request; with a sandbox picked, every request names it (X-Medusa-Mock-Sandbox).
"use strict";

const state = { sandbox: "", lastRequestId: 0, tab: "inbox", operations: new Set() };
const $ = (selector) => document.querySelector(selector);

function el(tag, attributes, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(attributes || {})) {
    if (value === undefined || value === null || value === false) continue;
    if (key.startsWith("on")) node.addEventListener(key.slice(2), value);
    else if (key === "text") node.textContent = value;
    else node.setAttribute(key, value === true ? "" : value);
  }
  for (const child of children.flat()) {
    if (child !== null && child !== undefined) {
      node.append(child instanceof Node ? child : document.createTextNode(String(child)));
    }
  }
  return node;
}

function notice(message, isError) {
  const box = $("#notice");
  box.textContent = message;
  box.className = isError ? "error" : "";
  box.hidden = !message;
}

async function api(method, path, body) {
  const headers = {};
  if (body !== undefined) headers["Content-Type"] = "application/json";
  if (state.sandbox) headers["X-Medusa-Mock-Sandbox"] = state.sandbox;
  const response = await fetch(path, {
    method, headers, credentials: "same-origin",
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await response.text();
  let data = null;
  try { data = text ? JSON.parse(text) : null; } catch (_) { data = text; }
  if (response.status === 401 && path.startsWith("/_mock")) {
    $("#login").hidden = false;
    throw new Error("the control token is needed");
  }
  return { status: response.status, ok: response.ok, data };
}

function describeError(result) {
  const data = result.data;
  if (data && typeof data === "object" && data.message) return `${result.status}: ${data.message}`;
  return `${result.status}${typeof data === "string" && data ? ": " + data : ""}`;
}

// -- tabs -----------------------------------------------------------------------------------
function showTab(name) {
  state.tab = name;
  for (const button of document.querySelectorAll("#tabs button")) {
    button.classList.toggle("active", button.dataset.tab === name);
  }
  for (const panel of document.querySelectorAll(".panel")) {
    panel.classList.toggle("active", panel.id === name);
  }
  refresh();
}

// -- inbox ----------------------------------------------------------------------------------
async function loadInbox() {
  const result = await api("GET", "/_mock/inbox");
  if (!result.ok) return notice(`inbox: ${describeError(result)}`, true);
  const messages = result.data.messages.slice().reverse();
  $("#inbox-count").textContent = messages.length || "";
  const list = $("#inbox-list");
  const open = new Set([...list.querySelectorAll("input[data-password]")]
    .filter((input) => input.value).map((input) => input.dataset.password));
  if (open.size) return;  // someone is typing a password: do not redraw under them
  list.replaceChildren(...(messages.length ? messages.map(renderMail)
    : [el("p", { class: "muted", text: "No e-mail yet." })]));
}

function renderMail(message) {
  const result = el("span", { class: "result" });
  const actions = el("div", { class: "actions" });
  if (message.link) actions.append(el("a", { href: message.link, target: "_blank", rel: "noopener" }, "Open the link"));
  if (message.request) {
    const request = message.request;
    let password = null;
    if (Object.values(request.body).includes(null)) {
      password = el("input", { type: "password", placeholder: "new password", "data-password": message.id,
        "data-testid": "reset-password-input" });
      actions.append(password);
    }
    actions.append(el("button", {
      class: "primary", "data-testid": `action-${message.action}`,
      onclick: async (event) => {
        event.target.disabled = true;
        const body = { ...request.body };
        for (const key of Object.keys(body)) if (body[key] === null) body[key] = password ? password.value : "";
        try {
          const answer = await api(request.method, request.path, body);
          result.textContent = answer.ok ? `Done (${answer.status}).` : `Refused: ${describeError(answer)}`;
          result.className = `result ${answer.ok ? "s2" : "s4"}`;
          if (password) password.value = "";
        } finally { event.target.disabled = false; }
      },
    }, request.label));
  }
  actions.append(result);
  return el("article", { class: "mail", "data-testid": "mail", "data-event": message.event },
    el("header", {},
      el("div", { class: "meta" }, `To: ${message.to || "?"} · ${message.created_at} · ${message.event}`),
      el("div", { class: "subject" }, message.subject)),
    el("pre", {}, message.text),
    actions);
}

// -- the request journal ----------------------------------------------------------------------
function filters() {
  const form = $("#requests-filter");
  const query = new URLSearchParams();
  for (const name of ["operation", "method", "status"]) {
    const value = form.elements[name].value.trim();
    if (value) query.set(name, value);
  }
  return query;
}

async function loadRequests(fromScratch) {
  if (fromScratch) { state.lastRequestId = 0; $("#requests-body").replaceChildren(); }
  const query = filters();
  if (state.lastRequestId) query.set("since", String(state.lastRequestId));
  else query.set("limit", "200");
  const result = await api("GET", `/_mock/requests?${query}`);
  if (!result.ok) return notice(`requests: ${describeError(result)}`, true);
  const body = $("#requests-body");
  for (const entry of result.data.requests) {
    state.lastRequestId = Math.max(state.lastRequestId, entry.id);
    if (entry.operation_id) state.operations.add(entry.operation_id);
    body.prepend(...renderEntry(entry));
  }
  while (body.children.length > 600) body.lastChild.remove();
  $("#requests-count").textContent = body.querySelectorAll("tr.entry").length || "";
  $("#operations").replaceChildren(...[...state.operations].sort().map((op) => el("option", { value: op })));
}

function renderEntry(entry) {
  const status = entry.status === null ? "dropped" : String(entry.status);
  const css = entry.status === null ? "sdrop" : `s${String(entry.status)[0]}`;
  const detail = el("tr", { class: "detail", hidden: true },
    el("td", { colspan: "8" },
      el("div", {}, `query: ${entry.query || "(none)"}${entry.sandbox ? " · sandbox " + entry.sandbox : ""}`),
      entry.request_body !== null ? el("pre", {}, "request " + pretty(entry.request_body, entry.request_body_truncated)) : null,
      el("pre", {}, "response " + pretty(entry.response_body, entry.response_body_truncated))));
  const row = el("tr", { class: "entry", "data-testid": "request-row", onclick: () => { detail.hidden = !detail.hidden; } },
    el("td", {}, entry.id), el("td", {}, entry.time.slice(11, 23)), el("td", {}, entry.method),
    el("td", { class: "path" }, entry.path + (entry.query ? "?" + entry.query : "")),
    el("td", {}, entry.operation_id || ""), el("td", { class: css }, status),
    el("td", {}, entry.duration_ms.toFixed(1)), el("td", {}, entry.fault || ""));
  return [row, detail];
}

function pretty(value, truncated) {
  if (value === null) return "(no body, or not text)";
  const text = typeof value === "string" ? value : JSON.stringify(value, null, 2);
  return text + (truncated ? "\n… (cut)" : "");
}

// -- faults -----------------------------------------------------------------------------------
async function loadFaults() {
  const result = await api("GET", "/_mock/faults");
  if (!result.ok) return notice(`faults: ${describeError(result)}`, true);
  const rules = result.data.faults;
  $("#faults-count").textContent = rules.length || "";
  $("#faults-body").replaceChildren(...rules.map((rule) => el("tr", { "data-testid": "fault-row" },
    el("td", {}, rule.id),
    el("td", { class: "path" }, rule.operation || `${rule.method || "*"} ${rule.path}`),
    el("td", {}, [rule.drop ? "drop" : rule.status, rule.delay_ms ? `after ${rule.delay_ms} ms` : null,
      rule.probability !== undefined ? `p=${rule.probability}` : null].filter((x) => x !== null && x !== undefined).join(" ")),
    el("td", {}, rule.hits), el("td", {}, rule.remaining === null ? "∞" : rule.remaining),
    el("td", {}, el("button", { onclick: async () => { await api("DELETE", `/_mock/faults/${encodeURIComponent(rule.id)}`); loadFaults(); } }, "Remove")))));
}

async function addFault(event) {
  event.preventDefault();
  const form = event.target;
  const rule = {};
  for (const name of ["operation", "method", "path"]) {
    const value = form.elements[name].value.trim();
    if (value) rule[name] = value;
  }
  for (const name of ["status", "delay_ms", "times"]) {
    const value = form.elements[name].value.trim();
    if (value) rule[name] = parseInt(value, 10);
  }
  const probability = form.elements.probability.value.trim();
  if (probability) rule.probability = parseFloat(probability);
  if (form.elements.drop.checked) rule.drop = true;
  const body = form.elements.body.value.trim();
  if (body) {
    try { rule.body = JSON.parse(body); } catch (_) { rule.body = body; }
  }
  const result = await api("POST", "/_mock/faults", rule);
  if (!result.ok) return notice(`The rule was refused: ${describeError(result)}`, true);
  notice(`Added ${result.data.fault.id}.`);
  loadFaults();
}

// -- clock, sandboxes, reset -------------------------------------------------------------------
async function loadClock() {
  const result = await api("GET", "/_mock/clock");
  if (!result.ok) return;
  $("#clock-time").textContent = result.data.now;
  $("#clock-now").textContent = `mock time ${result.data.now}`;
  $("#clock-offset").textContent = result.data.offset_seconds;
}

async function advance(seconds) {
  const result = await api("POST", "/_mock/clock", { advance_seconds: Number(seconds) });
  if (!result.ok) return notice(`clock: ${describeError(result)}`, true);
  notice(`The clock moved ${seconds} s.`);
  loadClock();
}

function sandboxNames(data) {
  const list = Array.isArray(data) ? data : (data && (data.sandboxes || data.names)) || [];
  return list.map((item) => (typeof item === "string" ? item : item.name)).filter(Boolean);
}

async function loadSandboxes() {
  let result;
  try { result = await api("GET", "/_mock/sandboxes"); } catch (_) { return; }
  const present = result.status === 200;
  $("#sandboxes-tab").hidden = !present;
  $("#sandbox-picker").hidden = !present;
  if (!present) return;
  const names = sandboxNames(result.data);
  const select = $("#sandbox-select");
  const current = select.value;
  select.replaceChildren(el("option", { value: "" }, "(default)"),
    ...names.map((name) => el("option", { value: name, selected: name === current }, name)));
  $("#sandboxes-list").replaceChildren(...(names.length ? names.map((name) => el("li", {}, name, " ",
    el("button", { class: "danger", onclick: async () => {
      if (!confirm(`Delete the sandbox ${name}?`)) return;
      const saved = state.sandbox; state.sandbox = "";
      try { await api("DELETE", `/_mock/sandboxes/${encodeURIComponent(name)}`); } finally { state.sandbox = saved === name ? "" : saved; }
      loadSandboxes();
    } }, "Delete")))
    : [el("li", { class: "muted" }, "No sandbox yet: a request naming one creates it.")]));
}

async function reset() {
  if (!confirm("Reset the mock to its seed? Data, events, sessions, the clock, fault rules and the journal go back to the start.")) return;
  const result = await api("POST", "/_mock/reset");
  notice(result.ok ? "Back to the seed." : `reset: ${describeError(result)}`, !result.ok);
  loadRequests(true);
  refresh();
}

// -- polling ------------------------------------------------------------------------------------
async function refresh() {
  try {
    await Promise.all([loadClock(), loadInbox(), loadFaults(),
      state.tab === "requests" || state.lastRequestId === 0 ? loadRequests(false) : null]);
  } catch (error) {
    notice(String(error.message || error), true);
  }
}

function start() {
  for (const button of document.querySelectorAll("#tabs button")) {
    button.addEventListener("click", () => showTab(button.dataset.tab));
  }
  $("#reset").addEventListener("click", reset);
  $("#fault-form").addEventListener("submit", addFault);
  $("#faults-clear").addEventListener("click", async () => { await api("DELETE", "/_mock/faults"); loadFaults(); });
  $("#requests-clear").addEventListener("click", async () => { await api("DELETE", "/_mock/requests"); loadRequests(true); });
  $("#requests-filter").addEventListener("input", () => loadRequests(true));
  $("#clock-form").addEventListener("submit", (event) => { event.preventDefault(); advance(event.target.elements.seconds.value); });
  for (const button of document.querySelectorAll("[data-advance]")) {
    button.addEventListener("click", () => advance(button.dataset.advance));
  }
  $("#sandbox-select").addEventListener("change", (event) => {
    state.sandbox = event.target.value; loadRequests(true); refresh();
  });
  $("#login-form").addEventListener("submit", (event) => {
    event.preventDefault();
    location.href = `/_mock/?token=${encodeURIComponent($("#login-token").value)}`;
  });
  loadSandboxes();
  refresh();
  setInterval(() => { if ($("#requests-live").checked) loadRequests(false); }, 1000);
  setInterval(refresh, 2000);
  setInterval(loadSandboxes, 5000);
}

document.addEventListener("DOMContentLoaded", start);
