// The dlgo playground page: the controls, the URL state, and the pictures
// of the frames the server streams. All training happens on the server;
// see the package documentation for the API.
"use strict";

const NEG = [245, 147, 34], POS = [8, 119, 189], WHITE = [255, 255, 255];

let options = null;       // GET /api/options
let config = null;        // the current setup, named as in the URL and the API
let session = null;       // the session's status
let events = null;        // its EventSource
let figures = [];         // every epoch's figures
let frame = null;         // the latest frame
let playing = false;
let generation = 0;       // counts resets, to drop answers about old sessions

const $ = (id) => document.getElementById(id);

// --- colours and heat maps -------------------------------------------------

// colour maps v in [-1, 1] to orange (−1), white (0), blue (+1).
function colour(v) {
  const t = Math.min(1, Math.abs(v));
  const end = v < 0 ? NEG : POS;
  return WHITE.map((w, i) => Math.round(w + (end[i] - w) * t));
}

// decode turns a base64 heat map into values in [-1, 1].
function decode(b64) {
  const s = atob(b64);
  const out = new Float32Array(s.length);
  for (let i = 0; i < s.length; i++) out[i] = s.charCodeAt(i) / 127.5 - 1;
  return out;
}

// paint draws size×size values on a canvas, smoothly scaled up.
function paint(canvas, values, size, discrete) {
  const small = document.createElement("canvas");
  small.width = small.height = size;
  const sctx = small.getContext("2d");
  const img = sctx.createImageData(size, size);
  for (let i = 0; i < values.length; i++) {
    const v = discrete ? Math.sign(values[i]) : values[i];
    const [r, g, b] = colour(v);
    img.data.set([r, g, b, 255], 4 * i);
  }
  sctx.putImageData(img, 0, 0);
  const ctx = canvas.getContext("2d");
  ctx.imageSmoothingEnabled = !discrete;
  ctx.drawImage(small, 0, 0, canvas.width, canvas.height);
}

// featureMap computes a feature over the plane, scaled into [-1, 1].
const featureFns = {
  x1: (a) => a, x2: (a, b) => b, x1_sq: (a) => a * a, x2_sq: (a, b) => b * b,
  x1_x2: (a, b) => a * b, sin_x1: (a) => Math.sin(a), sin_x2: (a, b) => Math.sin(b),
};
function featureMap(name, size) {
  const v = options.view, out = new Float32Array(size * size);
  let top = 0;
  for (let r = 0; r < size; r++) {
    for (let c = 0; c < size; c++) {
      const x1 = -v + (c + 0.5) * 2 * v / size, x2 = v - (r + 0.5) * 2 * v / size;
      out[r * size + c] = featureFns[name](x1, x2);
      top = Math.max(top, Math.abs(out[r * size + c]));
    }
  }
  return out.map((x) => x / (top || 1));
}

// --- the URL state ---------------------------------------------------------

const listFields = ["features", "layers"];

function configFromURL() {
  const c = structuredClone(options.defaults);
  const q = new URLSearchParams(location.search);
  for (const [k, v] of q) {
    if (k === "play" || !(k in c)) continue;
    if (listFields.includes(k)) {
      const items = v === "" ? [] : v.split(",");
      c[k] = k === "layers" ? items.map(Number) : items;
    } else if (typeof c[k] === "number") {
      c[k] = Number(v);
    } else {
      c[k] = v;
    }
  }
  return c;
}

function writeURL() {
  const q = new URLSearchParams();
  for (const [k, v] of Object.entries(config)) q.set(k, Array.isArray(v) ? v.join(",") : String(v));
  if (playing) q.set("play", "1");
  window.history.replaceState(null, "", "?" + q.toString());
}

// --- the API ----------------------------------------------------------------

async function api(method, path, body) {
  const res = await fetch(path, {
    method, headers: body ? { "Content-Type": "application/json" } : {},
    body: body ? JSON.stringify(body) : undefined,
  });
  const data = res.status === 204 ? null : await res.json();
  if (!res.ok) throw new Error(data && data.error ? data.error : res.statusText);
  return data;
}

function showError(err) {
  const el = $("error");
  el.textContent = err ? String(err.message || err) : "";
  el.hidden = !err;
}

// reset starts a new session for the current setup.
async function reset() {
  const gen = ++generation;
  if (events) events.close();
  if (session) api("DELETE", `/api/sessions/${session.id}`).catch(() => {});
  session = null;
  setPlaying(false);
  writeURL();
  let s;
  try {
    s = await api("POST", "/api/sessions", config);
  } catch (err) {
    showError(err);
    return;
  }
  if (gen !== generation) {
    api("DELETE", `/api/sessions/${s.id}`).catch(() => {});
    return;
  }
  showError(null);
  session = s;
  figures = [];
  frame = null;
  buildNetwork();
  drawCommand(s.command);
  const base = `/api/sessions/${s.id}`;
  $("export-model").href = `${base}/model.dlgo`;
  $("export-train").href = `${base}/train.csv`;
  $("export-test").href = `${base}/test.csv`;
  events = new EventSource(`${base}/events`);
  events.addEventListener("frame", (e) => {
    if (gen === generation) onFrame(JSON.parse(e.data));
  });
}

function setPlaying(on) {
  playing = on;
  $("play").textContent = on ? "❚❚ Pause" : "▶ Play";
  $("play").setAttribute("aria-pressed", String(on));
}

async function togglePlay() {
  if (!session) return;
  const on = !playing;
  try {
    await api("POST", `/api/sessions/${session.id}/${on ? "play" : "pause"}`);
    setPlaying(on);
    writeURL();
  } catch (err) {
    showError(err);
  }
}

async function step() {
  if (!session || playing) return;
  try {
    await api("POST", `/api/sessions/${session.id}/step`, { epochs: 1 });
  } catch (err) {
    showError(err);
  }
}

// --- frames -----------------------------------------------------------------

function onFrame(f) {
  frame = f;
  figures.push(...(f.history || []));
  if (f.done && playing) setPlaying(false);
  if (f.error) showError(f.error);
  $("epoch").textContent = f.epoch.toLocaleString("en");
  drawBoundary();
  drawNeurons(f);
  drawLinks(f);
  drawLosses();
  drawGradients(f.gradient_norms);
  $("reading").textContent = f.reading || "";
  if (session) drawCommand(commandFor(Math.max(1, f.epoch)));
}

function drawBoundary() {
  if (!frame || !session) return;
  const canvas = $("boundary");
  paint(canvas, decode(frame.output), options.grid_size, $("discretize").checked);
  const ctx = canvas.getContext("2d"), v = options.view;
  const px = (x) => (x + v) / (2 * v) * canvas.width, py = (y) => (v - y) / (2 * v) * canvas.height;
  const regression = session.task === "regression";
  const dot = (p, test) => {
    const value = regression ? p.label : 2 * p.label - 1;
    ctx.beginPath();
    ctx.arc(px(p.x1), py(p.x2), 3, 0, 2 * Math.PI);
    ctx.fillStyle = `rgb(${colour(value).join(",")})`;
    ctx.fill();
    ctx.lineWidth = 1;
    ctx.strokeStyle = test ? "#000" : "#fff";
    ctx.stroke();
  };
  session.train.forEach((p) => dot(p, false));
  if ($("show-test").checked) session.test.forEach((p) => dot(p, true));
}

// num shows a loss with three decimals, or three significant digits when
// it is smaller.
const num = (x) => (x >= 0.001 || x === 0 ? x.toFixed(3) : x.toPrecision(3));

function drawLosses() {
  const last = figures[figures.length - 1];
  if (!last) return;
  const pct = (a) => (a === null || a === undefined ? "" : ` · accuracy ${(100 * a).toFixed(1)}%`);
  $("losses").innerHTML = "";
  for (const [name, loss, acc] of [["Test loss", last.test_loss, last.test_accuracy], ["Training loss", last.train_loss, last.train_accuracy]]) {
    const div = document.createElement("div");
    div.className = name === "Test loss" ? "big" : "";
    div.textContent = `${name} ${num(loss)}${pct(acc)}`;
    $("losses").append(div);
  }
  const canvas = $("curve"), ctx = canvas.getContext("2d");
  ctx.clearRect(0, 0, canvas.width, canvas.height);
  const top = figures.reduce((m, h) => Math.max(m, h.train_loss, h.test_loss), 0) || 1;
  const n = figures.length, stride = Math.max(1, Math.ceil(n / canvas.width));
  for (const [key, style] of [["train_loss", "#999"], ["test_loss", "#000"]]) {
    ctx.beginPath();
    for (let i = 0; i < n; i += stride) {
      const x = n === 1 ? 0 : (i / (n - 1)) * canvas.width;
      const y = canvas.height - (figures[i][key] / top) * (canvas.height - 2) - 1;
      i === 0 ? ctx.moveTo(x, y) : ctx.lineTo(x, y);
    }
    ctx.strokeStyle = style;
    ctx.lineWidth = 1.5;
    ctx.stroke();
  }
}

function drawGradients(norms) {
  const el = $("grads");
  el.innerHTML = "";
  (norms || []).forEach((g, i) => {
    const row = document.createElement("div");
    row.className = "row";
    const name = i === norms.length - 1 ? "output" : `layer ${i + 1}`;
    // A log scale from 1e-6 to 10.
    const width = Math.max(0, Math.min(1, (Math.log10(Math.max(g, 1e-12)) + 6) / 7));
    row.innerHTML = `<span></span><div class="bar"></div><span></span>`;
    row.children[0].textContent = name;
    row.children[1].style.width = `${(100 * width).toFixed(1)}%`;
    row.children[2].textContent = g.toExponential(1);
    el.append(row);
  });
}

function drawCommand(cmd) { $("command").textContent = cmd; }

// commandFor rewrites the session's command for another number of epochs.
function commandFor(epochs) { return session.command.replace(/-epochs \d+/, `-epochs ${epochs}`); }

// --- the network diagram ---------------------------------------------------

// buildNetwork lays out the features, the hidden layers and the output.
function buildNetwork() {
  const cols = $("columns");
  cols.innerHTML = "";
  const feats = column("Features");
  for (const f of options.features) {
    const on = config.features.includes(f.name);
    const div = document.createElement("div");
    div.className = "feature" + (on ? "" : " off");
    const label = document.createElement("label");
    const box = document.createElement("input");
    box.type = "checkbox";
    box.checked = on;
    box.setAttribute("aria-label", `Feature ${f.label}`);
    box.addEventListener("change", () => toggleFeature(f.name, box.checked));
    const node = makeNode(on ? `in-${config.features.indexOf(f.name)}` : "", `Feature ${f.label}`);
    paint(node.firstChild, featureMap(f.name, options.neuron_grid_size), options.neuron_grid_size, false);
    label.append(box, f.label);
    div.append(node, label);
    feats.append(div);
  }
  cols.append(feats);
  config.layers.forEach((units, l) => {
    const col = column(`${units} neuron${units === 1 ? "" : "s"}`);
    const title = col.firstChild;
    title.prepend(smallButton("+", `Add a neuron to layer ${l + 1}`, () => setUnits(l, units + 1)), " ",
      smallButton("−", `Remove a neuron from layer ${l + 1}`, () => setUnits(l, units - 1)), document.createElement("br"));
    for (let u = 0; u < units; u++) col.append(makeNode(`h${l}-${u}`, `Layer ${l + 1}, neuron ${u + 1}`));
    cols.append(col);
  });
  const out = column("Output");
  out.append(makeNode("out", "Output"));
  cols.append(out);
  $("layer-count").textContent = `${config.layers.length} hidden layer${config.layers.length === 1 ? "" : "s"}`;
  $("add-layer").disabled = config.layers.length >= options.max_layers;
  $("remove-layer").disabled = config.layers.length === 0;
  $("links").innerHTML = "";
}

function column(title) {
  const col = document.createElement("div");
  col.className = "layer";
  const t = document.createElement("div");
  t.className = "title";
  t.append(title);
  col.append(t);
  return col;
}

function smallButton(text, label, onclick) {
  const b = document.createElement("button");
  b.type = "button";
  b.textContent = text;
  b.setAttribute("aria-label", label);
  b.addEventListener("click", onclick);
  return b;
}

function makeNode(id, label) {
  const div = document.createElement("div");
  div.className = "node";
  if (id) div.dataset.node = id;
  const c = document.createElement("canvas");
  c.width = c.height = 40;
  c.setAttribute("role", "img");
  c.setAttribute("aria-label", label);
  div.append(c);
  div.title = label;
  return div;
}

function drawNeurons(f) {
  (f.neurons || []).forEach((layer, l) => layer.forEach((grid, u) => {
    const node = document.querySelector(`[data-node="h${l}-${u}"]`);
    if (!node) return;
    paint(node.firstChild, decode(grid), options.neuron_grid_size, false);
    const [lo, hi] = f.ranges[l][u];
    node.title = `Layer ${l + 1}, neuron ${u + 1}: bias ${f.biases[l][u].toFixed(3)}, output from ${lo.toFixed(3)} to ${hi.toFixed(3)} over the plane`;
  }));
  const out = document.querySelector('[data-node="out"]');
  if (out) {
    paint(out.firstChild, decode(f.output), options.grid_size, $("discretize").checked);
    const b = f.biases[f.biases.length - 1][0];
    out.title = `Output: bias ${b.toFixed(3)}`;
  }
}

// drawLinks draws every weight as a line, its width and colour by value.
function drawLinks(f) {
  const svg = $("links"), box = $("net").getBoundingClientRect();
  const centre = (id, side) => {
    const el = document.querySelector(`[data-node="${id}"] canvas`);
    if (!el) return null;
    const r = el.getBoundingClientRect();
    return [side > 0 ? r.right - box.left : r.left - box.left, r.top - box.top + r.height / 2];
  };
  const names = [config.features.map((_, i) => `in-${i}`), ...config.layers.map((u, l) => [...Array(u).keys()].map((k) => `h${l}-${k}`)), ["out"]];
  svg.innerHTML = "";
  f.weights.forEach((w, l) => {
    w.forEach((row, i) => row.forEach((v, o) => {
      const a = centre(names[l][i], 1), b = centre(names[l + 1][o], -1);
      if (!a || !b) return;
      const line = document.createElementNS("http://www.w3.org/2000/svg", "line");
      line.setAttribute("x1", a[0]); line.setAttribute("y1", a[1]);
      line.setAttribute("x2", b[0]); line.setAttribute("y2", b[1]);
      line.setAttribute("stroke", `rgb(${colour(Math.max(-1, Math.min(1, v))).join(",")})`);
      line.setAttribute("stroke-width", (0.5 + Math.min(5, 1.5 * Math.abs(v))).toFixed(2));
      const title = document.createElementNS("http://www.w3.org/2000/svg", "title");
      title.textContent = `Weight ${v.toFixed(3)}`;
      line.append(title);
      svg.append(line);
    }));
  });
}

// --- the controls ------------------------------------------------------------

function change(field, value) {
  config[field] = value;
  showControls();
  reset();
}

function toggleFeature(name, on) {
  const order = options.features.map((f) => f.name);
  const set = new Set(config.features);
  on ? set.add(name) : set.delete(name);
  change("features", order.filter((n) => set.has(n)));
}

function setUnits(layer, units) {
  if (units < 1 || units > options.max_neurons) return;
  const layers = [...config.layers];
  layers[layer] = units;
  change("layers", layers);
}

function fillSelect(id, items) {
  const sel = $(id);
  for (const it of items) {
    const o = document.createElement("option");
    o.value = typeof it === "string" ? it : it.name;
    o.textContent = typeof it === "string" ? it : it.label;
    sel.append(o);
  }
}

// showControls puts the setup into the controls.
function showControls() {
  for (const el of document.querySelectorAll("[data-field]")) {
    const v = config[el.dataset.field];
    if (el.tagName === "SELECT" && ![...el.options].some((o) => o.value === String(v))) {
      const o = document.createElement("option");
      o.textContent = String(v);
      el.append(o);
    }
    el.value = String(v);
    const out = $(`${el.id}_out`);
    if (out) out.textContent = el.id === "train_ratio" ? `${Math.round(100 * v)}%` : String(v);
  }
}

function setUpControls() {
  fillSelect("dataset", options.datasets);
  fillSelect("activation", options.activations);
  fillSelect("optimizer", options.optimizers);
  fillSelect("regularization", options.regularizations);
  for (const el of document.querySelectorAll("[data-field]")) {
    const read = () => (el.hasAttribute("data-number") ? Number(el.value) : el.value);
    if (el.type === "range") el.addEventListener("input", () => { $(`${el.id}_out`).textContent = el.id === "train_ratio" ? `${Math.round(100 * el.value)}%` : el.value; });
    el.addEventListener("change", () => change(el.dataset.field, read()));
  }
  $("reset").addEventListener("click", reset);
  $("play").addEventListener("click", togglePlay);
  $("step").addEventListener("click", step);
  $("regenerate").addEventListener("click", () => change("seed", Math.floor(Math.random() * 1e6)));
  $("add-layer").addEventListener("click", () => {
    if (config.layers.length < options.max_layers) change("layers", [...config.layers, 2]);
  });
  $("remove-layer").addEventListener("click", () => change("layers", config.layers.slice(0, -1)));
  $("show-test").addEventListener("change", drawBoundary);
  $("discretize").addEventListener("change", () => { drawBoundary(); if (frame) drawNeurons(frame); });
  document.addEventListener("keydown", (e) => {
    const t = e.target;
    if (e.ctrlKey || e.metaKey || e.altKey || ["INPUT", "SELECT", "TEXTAREA"].includes(t.tagName)) return;
    if (e.key === " " && t.tagName !== "BUTTON") { e.preventDefault(); togglePlay(); }
    else if (e.key === "s" || e.key === "ArrowRight") { e.preventDefault(); step(); }
    else if (e.key === "r") { e.preventDefault(); reset(); }
  });
  window.addEventListener("resize", () => { if (frame) drawLinks(frame); });
  window.addEventListener("pagehide", () => {
    if (session) fetch(`/api/sessions/${session.id}`, { method: "DELETE", keepalive: true }).catch(() => {});
  });
}

async function main() {
  try {
    options = await api("GET", "/api/options");
  } catch (err) {
    showError(err);
    return;
  }
  config = configFromURL();
  setUpControls();
  showControls();
  const autoplay = new URLSearchParams(location.search).get("play") === "1";
  await reset();
  if (autoplay && session) await togglePlay();
}

main();
