// The dashboard: plain modules over the v1 API, no build step, nothing from a CDN.
const STATUSES = ["declared", "in_progress", "completed", "suspended", "cancelled", "superseded"];
const KINDS = ["instrument", "action", "position"];
const STRENGTHS = ["signed", "agreed", "reaffirmed", "pledged", "stated", "requested"];
const main = document.getElementById("main");

// ---------- API ----------
const token = () => localStorage.getItem("cl-token") || "";
const ROLES = ["reader", "recorder", "assessor", "admin"];

/** The role the pasted token carries (roles are cumulative), read from its payload; the API still decides. */
function role() {
  try {
    const payload = JSON.parse(atob(token().split(".")[1].replace(/-/g, "+").replace(/_/g, "/")));
    return [].concat(payload.role ?? []).reduce((best, r) => (ROLES.indexOf(r) > ROLES.indexOf(best) ? r : best), "");
  } catch {
    return "";
  }
}
const mayRecord = () => ROLES.indexOf(role()) >= ROLES.indexOf("recorder");

async function api(path, options = {}) {
  const headers = { Accept: "application/json", ...(options.headers || {}) };
  if (token()) headers.Authorization = `Bearer ${token()}`;
  if (options.body !== undefined) headers["Content-Type"] = "application/json";
  const response = await fetch(path, { ...options, headers, body: options.body === undefined ? undefined : JSON.stringify(options.body) });
  const type = response.headers.get("Content-Type") || "";
  const body = type.includes("json") ? await response.json() : await response.text();
  if (!response.ok) throw Object.assign(new Error(body.detail || body.title || response.statusText), { status: response.status, problem: body });
  return body;
}

/** Every item of a paged list (limit, cursor → nextCursor), 500 at a time. */
async function allPages(path) {
  const items = [];
  let cursor = null;
  do {
    const page = await api(`${path}?limit=500${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    items.push(...page.items);
    cursor = page.nextCursor;
  } while (cursor);
  return items;
}

// ---------- helpers ----------
const esc = (value) => String(value ?? "").replace(/[&<>"']/g, (c) => ({ "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" })[c]);
const word = (value) => String(value ?? "").replaceAll("_", " ");
const status = (s) => `<span class="status ${esc(s)}">${esc(word(s))}</span>`;
const langOf = (title) => title.en ? "en" : Object.keys(title)[0];
const titleOf = (c) => {
  const lang = langOf(c.title);
  const original = c.originalLanguage && c.title[c.originalLanguage] && c.originalLanguage !== lang
    ? ` <span lang="${esc(c.originalLanguage)}" class="clocks">${esc(c.title[c.originalLanguage])}</span>` : "";
  return `<span lang="${esc(lang)}">${esc(c.title[lang])}</span>${original}`;
};
const link = (c) => `<a href="#/commitments/${c.id}">${titleOf(c)}</a>`;
const countBy = (items, key) => items.reduce((counts, item) => {
  for (const value of [].concat(key(item))) counts[value] = (counts[value] || 0) + 1;
  return counts;
}, {});

function barChart(counts, label) {
  const entries = Object.entries(counts);
  const max = Math.max(1, ...entries.map(([, n]) => n));
  const row = 26;
  const bars = entries.map(([name, n], i) => `
    <text class="bar-label" x="0" y="${i * row + 17}">${esc(word(name))}</text>
    <rect x="120" y="${i * row + 4}" width="${Math.max(2, (n / max) * 300)}" height="18" fill="#1f5f99"><title>${esc(word(name))}: ${n}</title></rect>
    <text class="bar-label" x="${126 + (n / max) * 300}" y="${i * row + 17}">${n}</text>`).join("");
  return `<svg role="img" aria-label="${esc(label)}" viewBox="0 0 460 ${entries.length * row + 8}" width="100%" style="max-width:460px">${bars}</svg>`;
}

const countTable = (title, counts) => `<div class="card"><h2>${esc(title)}</h2><table>
  ${Object.entries(counts).sort((a, b) => b[1] - a[1]).map(([k, n]) => `<tr><td>${esc(word(k))}</td><td>${n}</td></tr>`).join("")}</table></div>`;

// ---------- pages ----------
/** "up to date", or how many events the async daemon still has to project: the figures may lag the ledger. */
const lag = (daemon) => daemon && daemon.eventsBehind > 0
  ? `<p class="clocks" id="lag">The portfolio is ${daemon.eventsBehind} event(s) behind the ledger; it catches up in moments.</p>`
  : `<p class="clocks" id="lag">Up to date with the ledger (event ${daemon?.projectedSequence ?? 0}).</p>`;

async function portfolio() {
  const p = await api("/api/portfolio");
  const byStatus = Object.fromEntries(STATUSES.map((s) => [s, p.byStatus[s] || 0]));
  main.innerHTML = `
    <h1>Portfolio</h1>
    <p>${p.total} commitments, <a href="#/commitments?overdue=true" class="overdue">${p.overdueCount} overdue</a>.</p>
    ${lag(p.daemon)}
    <div class="card"><h2>Status</h2>${barChart(byStatus, "Commitments by status")}</div>
    <div class="cards">
      ${countTable("Area", p.byArea)}
      ${countTable("Party", p.byParty)}
      ${countTable("Kind", p.byKind)}
      ${countTable("Strength", p.byStrength)}
    </div>
    <h2>Overdue</h2>
    ${p.overdue.length < p.overdueCount ? `<p id="overdue-shown">The ${p.overdue.length} most overdue of ${p.overdueCount};
      <a href="#/commitments?overdue=true">list every overdue commitment</a>.</p>` : ""}
    ${p.overdue.length ? `<table><thead><tr><th>Commitment</th><th>Status</th><th>Area</th><th>Due</th></tr></thead><tbody>
      ${p.overdue.map((c) => `<tr data-id="${c.id}"><td>${link(c)}</td><td>${status(c.status)}</td><td>${esc(c.area)}</td>
        <td class="overdue">${esc(c.dueOn)}</td></tr>`).join("")}</tbody></table>` : "<p>Nothing is overdue.</p>"}`;
}

function table(items) {
  return `<table><thead><tr><th>Commitment</th><th>Status</th><th>Area</th><th>Parties</th><th>Due</th></tr></thead><tbody>
    ${items.map((c) => `<tr data-id="${c.id}"><td>${link(c)}</td><td>${status(c.status)}</td><td>${esc(c.area)}</td>
      <td>${esc(c.parties.join(", "))}</td><td class="${c.overdue ? "overdue" : ""}">${esc(c.dueOn ?? "")}${c.overdue ? " (overdue)" : ""}</td></tr>`).join("")}
  </tbody></table>`;
}

const select = (name, label, values, current) => `<label>${label}<select name="${name}">
  <option value="">any</option>${values.map((v) => `<option value="${v}" ${v === current ? "selected" : ""}>${esc(word(v))}</option>`).join("")}</select></label>`;

async function list(params) {
  const query = new URLSearchParams();
  for (const key of ["status", "kind", "area", "party", "overdue", "q"]) if (params.get(key)) query.set(key, params.get(key));
  const strength = params.get("strength") || "";
  // One page at a time (the API has no strength filter: it is applied to each page as it arrives).
  const load = async (cursor) => {
    const page = await api(`/api/commitments?limit=200${query.toString() ? `&${query}` : ""}${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
    return { items: strength ? page.items.filter((c) => c.strength === strength) : page.items, next: page.nextCursor };
  };
  const first = await load(null);
  const items = first.items;
  main.innerHTML = `
    <h1>Commitments</h1>
    <form class="filters" id="filters" role="search">
      <label>Text<input name="q" type="search" value="${esc(params.get("q"))}"></label>
      ${select("status", "Status", STATUSES, params.get("status"))}
      ${select("kind", "Kind", KINDS, params.get("kind"))}
      ${select("strength", "Strength", STRENGTHS, strength)}
      <label>Area<input name="area" value="${esc(params.get("area"))}"></label>
      <label>Party<input name="party" value="${esc(params.get("party"))}"></label>
      <label>Overdue<select name="overdue"><option value="">any</option>
        <option value="true" ${params.get("overdue") === "true" ? "selected" : ""}>overdue only</option>
        <option value="false" ${params.get("overdue") === "false" ? "selected" : ""}>not overdue</option></select></label>
      <button type="submit">Filter</button>
    </form>
    <p id="count">${items.length} commitment${items.length === 1 ? "" : "s"}</p>
    <div id="rows">${table(items)}</div>
    <button type="button" id="more" ${first.next ? "" : "hidden"}>Show more</button>`;
  let next = first.next;
  document.getElementById("more").addEventListener("click", async (event) => {
    const page = await load(next);
    items.push(...page.items);
    next = page.next;
    document.getElementById("rows").innerHTML = table(items);
    document.getElementById("count").textContent = `${items.length} commitment${items.length === 1 ? "" : "s"}`;
    event.target.hidden = !next;
  });
  document.getElementById("filters").addEventListener("submit", (event) => {
    event.preventDefault();
    const form = new URLSearchParams([...new FormData(event.target)].filter(([, v]) => v));
    location.hash = `#/commitments?${form}`;
  });
}

async function meetings() {
  const sources = await allPages("/api/sources");
  main.innerHTML = `<h1>Meetings</h1><ul>${sources.map((s) =>
    `<li><a href="#/sources/${encodeURIComponent(s.key)}" lang="${esc(s.language)}">${esc(s.title ?? s.key)}</a> — ${esc(s.publisher)}, ${esc(s.publishedOn)}</li>`).join("")}</ul>`;
}

async function meeting(key) {
  const [source, rollup] = await Promise.all([
    api(`/api/sources/${encodeURIComponent(key)}`),
    api(`/api/sources/${encodeURIComponent(key)}/rollup`).catch(() => null),
  ]);
  const views = await Promise.all(source.commitments.map((c) => api(`/api/commitments/${c.id}`)));
  const byId = new Map(views.map((v) => [v.id, v]));
  const followUps = (c) => c.followUpRollup
    ? ` <span class="clocks">follow-ups: ${c.followUpRollup.completed}/${c.followUpRollup.total} completed</span>` : "";
  const node = (c) => `<li>${status(c.status)} ${link(c)}${followUps(c)}${c.overdue ? ' <span class="overdue">overdue</span>' : ""}
    ${c.followUps.length ? `<ul>${c.followUps.map((id) => byId.get(id)).filter(Boolean).map(node).join("")}</ul>` : ""}</li>`;
  const roots = views.filter((v) => !v.parentId || !byId.has(v.parentId));
  main.innerHTML = `
    <h1 lang="${esc(source.language)}">${esc(source.title)}</h1>
    <p>${esc(source.publisher)}, ${esc(source.publishedOn)} · SHA-256 <code>${esc(source.sha256.slice(0, 16))}…</code></p>
    ${rollup ? `<p id="rollup">${rollup.commitments.total} commitments, ${rollup.commitments.completed} completed
      (${Math.round(rollup.commitments.completionShare * 100)} %) · ${Object.entries(rollup.commitments.byStatus).map(([k, n]) => `${esc(word(k))} ${n}`).join(", ")}</p>
      ${lag(rollup.daemon)}` : ""}
    <div class="card tree"><h2>Commitments</h2><ul>${roots.map(node).join("")}</ul></div>`;
}

function timeline(history) {
  return `<ol class="timeline">${history.map((e) => `
    <li class="${e.retracted ? "retracted" : ""}" data-version="${e.version}">
      <strong>${esc(word(e.type.replace(/([a-z])([A-Z])/g, "$1 $2").toLowerCase()))}</strong>
      <span class="clocks">· effective ${esc(e.effectiveOn ?? "—")} · recorded ${esc(new Date(e.recordedAt).toISOString().replace("T", " ").slice(0, 19))} UTC by ${esc(e.recordedBy ?? "—")} · v${e.version}</span>
      ${e.data?.note ? `<div>${esc(e.data.note)}</div>` : ""}${e.data?.reason ? `<div>Reason: ${esc(e.data.reason)}</div>` : ""}
      ${e.retracted ? `<div class="error">Retracted by ${esc(e.retracted.recordedBy)}: ${esc(e.retracted.reason)}</div>` : ""}
      ${e.changes?.length && e.version > 1 ? `<ul class="changes">${e.changes.map((c) => `<li>${esc(c.field)}: ${esc(JSON.stringify(c.from))} → ${esc(JSON.stringify(c.to))}</li>`).join("")}</ul>` : ""}
    </li>`).join("")}</ol>`;
}

const field = (name, label, input) => `<label>${label}${input}<span class="error" data-error-for="${name}"></span></label>`;

function recordForms(c) {
  return `
    <h2>Record</h2>
    <form class="record" id="progress-form" aria-label="Report progress">
      ${field("note", "Progress note", '<textarea name="note" rows="2"></textarea>')}
      ${field("effectiveOn", "Effective on", '<input name="effectiveOn" type="date">')}
      ${field("evidence[0].url", "Evidence link (optional)", '<input name="evidenceUrl" type="url">')}
      <button type="submit">Report progress</button><span class="error" data-error-for="form"></span>
    </form>
    <form class="record" id="status-form" aria-label="Change status">
      ${field("status", "New status", `<select name="status">${STATUSES.map((s) => `<option value="${s}">${word(s)}</option>`).join("")}</select>`)}
      ${field("reason", "Reason", '<input name="reason">')}
      ${field("effectiveOn", "Effective on", '<input name="effectiveOn" type="date">')}
      <button type="submit">Change status</button><span class="error" data-error-for="form"></span>
    </form>
    <form class="record" id="followup-form" aria-label="Record a follow-up">
      ${field("title.en", "Follow-up title (English)", '<input name="title">')}
      ${field("kind", "Kind", `<select name="kind">${KINDS.map((k) => `<option ${k === "action" ? "selected" : ""}>${k}</option>`).join("")}</select>`)}
      ${field("strength", "Strength", `<select name="strength">${STRENGTHS.map((s) => `<option ${s === "pledged" ? "selected" : ""}>${s}</option>`).join("")}</select>`)}
      ${field("madeOn", "Made on", '<input name="madeOn" type="date">')}
      <button type="submit">Record follow-up</button><span class="error" data-error-for="form"></span>
    </form>`;
}

function bindForm(id, url, method, toBody, after) {
  const form = document.getElementById(id);
  form.addEventListener("submit", async (event) => {
    event.preventDefault();
    form.querySelectorAll("[data-error-for]").forEach((e) => (e.textContent = ""));
    try {
      await api(url, { method, body: toBody(Object.fromEntries(new FormData(form))) });
      await after();
    } catch (error) {
      const errors = error.problem?.errors || {};
      let placed = false;
      for (const [name, messages] of Object.entries(errors)) {
        const slot = form.querySelector(`[data-error-for="${CSS.escape(name)}"]`);
        if (slot) { slot.textContent = messages.join(" "); placed = true; }
      }
      if (!placed || !Object.keys(errors).length) {
        form.querySelector('[data-error-for="form"]').textContent =
          error.status === 401 || error.status === 403 ? `${error.message} Paste a recorder token above.` : error.message;
      }
    }
  });
}

async function commitment(id, params) {
  const asOf = params.get("asOf");
  const query = asOf ? `?asOf=${encodeURIComponent(new Date(asOf).toISOString())}` : "";
  const [c, history, integrity] = await Promise.all([
    api(`/api/commitments/${id}${query}`),
    api(`/api/commitments/${id}/history`),
    api(`/api/commitments/${id}/verify`).catch(() => null),
  ]);
  const quoteTranslations = (c.translations || []).filter((t) => t.field === "quote");
  const source = c.source ? `
    <h2>Source</h2>
    <p>${c.source.key ? `<a href="#/sources/${encodeURIComponent(c.source.key)}">${esc(c.source.title)}</a>` : esc(c.source.title)}
      — ${esc(c.source.publisher)}, ${esc(c.source.publishedOn)}${c.source.section ? `, ${esc(c.source.section)}` : ""}
      ${c.source.quoteStart != null ? `<span class="clocks">(characters ${c.source.quoteStart}–${c.source.quoteEnd})</span>` : ""}</p>
    <blockquote class="quote" lang="${esc(c.source.quoteLanguage)}">${esc(c.source.quote)}</blockquote>
    ${quoteTranslations.map((t) => `<blockquote class="quote" lang="${esc(t.language)}">${esc(t.text)}
      <span class="clocks">(${esc(t.language)}, ${esc(t.translator)} translation)</span></blockquote>`).join("")}` : "";
  const badge = integrity ? `<span class="badge ${integrity.valid ? "valid" : "invalid"}" id="integrity">
      ${integrity.valid ? `✓ hash chain intact (${integrity.events} events)` : `✗ hash chain broken at version ${integrity.firstInvalidVersion}: ${esc(integrity.reason)}`}</span>` : "";
  main.innerHTML = `
    <h1>${titleOf(c)}</h1>
    <p>${status(c.status)} since ${esc(c.statusSince)} · ${esc(c.kind)}, ${esc(c.strength)} · ${esc(c.area)} ·
      ${esc(c.parties.join(", "))}${c.dueOn ? ` · due ${esc(c.dueOn)}` : ""}${c.overdue ? ' <span class="overdue">overdue</span>' : ""} · version ${c.version} ${badge}</p>
    <form class="filters" id="asof-form">
      <label>Show as the ledger knew it at<input name="asOf" type="datetime-local" step="1" value="${esc(asOf ?? "")}"></label>
      <button type="submit">Show</button>${asOf ? ` <a href="#/commitments/${id}">back to now</a>` : ""}
    </form>
    ${asOf ? `<p class="clocks" id="asof-note">As recorded by ${esc(new Date(asOf).toISOString())}: version ${c.version}.</p>` : ""}
    ${c.lastProgress ? `<p>Last progress (${esc(c.lastProgress.effectiveOn)}): ${esc(c.lastProgress.note)}</p>` : ""}
    ${c.parentId ? `<p>Follow-up of <a href="#/commitments/${c.parentId}">its parent</a>.</p>` : ""}
    ${c.followUps.length ? `<p>Follow-ups: ${c.followUps.map((f, i) => `<a href="#/commitments/${f}">#${i + 1}</a>`).join(", ")}</p>` : ""}
    ${source}
    <h2>Timeline</h2>
    <p class="clocks">Each entry shows both clocks: when it took effect in the world, and when the ledger recorded it.</p>
    ${timeline(history)}
    ${asOf ? "" : mayRecord() ? recordForms(c) : '<p id="record-hint">To record progress, a status change or a follow-up, paste a token with the recorder role above.</p>'}`;
  document.getElementById("asof-form").addEventListener("submit", (event) => {
    event.preventDefault();
    const value = new FormData(event.target).get("asOf");
    location.hash = value ? `#/commitments/${id}?asOf=${encodeURIComponent(value)}` : `#/commitments/${id}`;
  });
  if (asOf || !mayRecord()) return;
  const reload = () => commitment(id, new URLSearchParams());
  bindForm("progress-form", `/api/commitments/${id}/progress`, "POST", (f) => ({
    note: f.note, effectiveOn: f.effectiveOn || null,
    evidence: f.evidenceUrl ? [{ title: f.evidenceUrl, url: f.evidenceUrl }] : [],
  }), reload);
  bindForm("status-form", `/api/commitments/${id}/status`, "POST", (f) => ({ status: f.status, reason: f.reason, effectiveOn: f.effectiveOn || null }), reload);
  bindForm("followup-form", `/api/commitments/${id}/follow-ups`, "POST", (f) => ({
    kind: f.kind, strength: f.strength, title: f.title ? { en: f.title } : {}, parties: c.parties, responsible: c.responsible,
    area: c.area, madeOn: f.madeOn || null,
  }), reload);
}

// ---------- router ----------
async function route() {
  const [path, search] = (location.hash.slice(1) || "/").split("?");
  const params = new URLSearchParams(search || "");
  const parts = path.split("/").filter(Boolean);
  try {
    if (parts.length === 0) await portfolio();
    else if (parts[0] === "commitments" && parts[1]) await commitment(parts[1], params);
    else if (parts[0] === "commitments") await list(params);
    else if (parts[0] === "meetings") await meetings();
    else if (parts[0] === "sources" && parts[1]) await meeting(decodeURIComponent(parts[1]));
    else main.innerHTML = "<h1>Not found</h1>";
  } catch (error) {
    main.innerHTML = `<h1>Could not load this page</h1><p class="error">${esc(error.message)}</p>
      ${error.status === 401 || error.status === 403 ? "<p>Paste a token with the reader role above.</p>" : ""}`;
  }
  main.focus();
}

document.getElementById("token").value = token();
document.getElementById("token-form").addEventListener("submit", (event) => {
  event.preventDefault();
  localStorage.setItem("cl-token", document.getElementById("token").value.trim());
  route();
});
window.addEventListener("hashchange", route);
route();
