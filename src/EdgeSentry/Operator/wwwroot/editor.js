// The zone, line and mask editor: shapes are drawn on the latest frame in normalised 0-1 coordinates (x right,
// y down), exactly as the configuration stores them; validation errors come back with their JSON paths and are
// shown next to the shape (or the rules) they belong to.
import { $, el, getJson } from './dom.js';

const HANDLE = 8;
const KINDS = { zones: 'zone', lines: 'line', masks: 'mask' };

export class Editor {
  constructor(currentCamera, lastFrame) {
    this.currentCamera = currentCamera;
    this.lastFrame = lastFrame;
    this.analytics = null;
    this.camera = null;
    this.draft = null; // { kind: 'zones'|'lines'|'masks', points: [[x,y]...] }
    this.drag = null;
    this.errors = [];
    this.canvas = $('editor-canvas');
    this.ctx = this.canvas.getContext('2d');
    $('tool-zone').addEventListener('click', () => this.start('zones'));
    $('tool-mask').addEventListener('click', () => this.start('masks'));
    $('tool-line').addEventListener('click', () => this.start('lines'));
    $('tool-finish').addEventListener('click', () => this.finish());
    $('editor-reload').addEventListener('click', () => this.load(true));
    $('editor-save').addEventListener('click', () => this.save());
    this.canvas.addEventListener('mousedown', (e) => this.down(e));
    this.canvas.addEventListener('mousemove', (e) => this.move(e));
    window.addEventListener('mouseup', () => { this.drag = null; });
    this.canvas.addEventListener('dblclick', () => this.finish());
    $('editor-frame').addEventListener('load', () => this.resize());
    window.addEventListener('resize', () => this.resize());
  }

  status(text) { $('editor-status').textContent = text; }

  async load(force = false) {
    const id = this.currentCamera();
    if (!id || (!force && this.camera === id && this.analytics)) return;
    this.camera = id;
    try {
      const a = await getJson(`/api/cameras/${encodeURIComponent(id)}/analytics`);
      this.analytics = a ?? {};
    } catch (e) {
      this.analytics = null;
      this.status(`cannot edit: ${e.message}`);
      return;
    }
    for (const k of Object.keys(KINDS)) this.analytics[k] = this.analytics[k] ?? [];
    this.analytics.rules = this.analytics.rules ?? [];
    $('rules-json').value = JSON.stringify(this.analytics.rules, null, 2);
    this.errors = [];
    this.draft = null;
    this.status('');
    this.render();
  }

  frame(f) {
    const img = $('editor-frame');
    if (!this.drag && !img.dataset.frozen) img.src = `data:image/jpeg;base64,${f.jpeg}`;
  }

  resize() {
    const img = $('editor-frame');
    this.canvas.width = img.clientWidth;
    this.canvas.height = img.clientHeight;
    this.draw();
  }

  point(e) {
    const r = this.canvas.getBoundingClientRect();
    const clamp = (v) => Math.min(1, Math.max(0, v));
    return [Number(clamp((e.clientX - r.left) / r.width).toFixed(4)), Number(clamp((e.clientY - r.top) / r.height).toFixed(4))];
  }

  uniqueId(kind) {
    const used = new Set([...this.analytics.zones, ...this.analytics.lines, ...this.analytics.masks].map((s) => s.id));
    let n = 1;
    while (used.has(`${KINDS[kind]}-${n}`)) n++;
    return `${KINDS[kind]}-${n}`;
  }

  start(kind) {
    if (!this.analytics) return;
    this.draft = { kind, points: [] };
    this.status(kind === 'lines' ? 'click the two ends of the line' : 'click the corners, then "Finish shape" (or double-click)');
  }

  finish() {
    const d = this.draft;
    if (!d) return;
    const pts = d.points.filter((p, i) => i === 0 || p[0] !== d.points[i - 1][0] || p[1] !== d.points[i - 1][1]);
    if (d.kind === 'lines') {
      if (pts.length < 2) { this.status('a line needs two points'); return; }
      const [a, b] = pts;
      // Counted direction: the line's left normal (y down), flippable in the list.
      const dir = [Number((b[1] - a[1]).toFixed(4)), Number((a[0] - b[0]).toFixed(4))];
      this.analytics.lines.push({ id: this.uniqueId('lines'), from: a, to: b, direction: dir });
    } else {
      if (pts.length < 3) { this.status('a polygon needs at least three points'); return; }
      this.analytics[d.kind].push({ id: this.uniqueId(d.kind), polygon: pts });
    }
    this.draft = null;
    this.status('shape added (not saved yet)');
    this.render();
  }

  down(e) {
    if (!this.analytics) return;
    const p = this.point(e);
    if (this.draft) {
      this.draft.points.push(p);
      if (this.draft.kind === 'lines' && this.draft.points.length === 2) this.finish();
      this.draw();
      return;
    }
    const hit = this.handleAt(e);
    if (hit) this.drag = hit;
  }

  move(e) {
    if (!this.drag) return;
    const p = this.point(e);
    const { kind, index, vertex } = this.drag;
    const s = this.analytics[kind][index];
    if (kind === 'lines') { if (vertex === 0) s.from = p; else s.to = p; } else s.polygon[vertex] = p;
    this.draw();
  }

  handleAt(e) {
    const r = this.canvas.getBoundingClientRect();
    const x = e.clientX - r.left;
    const y = e.clientY - r.top;
    for (const kind of Object.keys(KINDS)) {
      for (const [index, s] of this.analytics[kind].entries()) {
        const pts = kind === 'lines' ? [s.from, s.to] : s.polygon;
        for (const [vertex, p] of pts.entries()) {
          if (Math.hypot(p[0] * r.width - x, p[1] * r.height - y) <= HANDLE) return { kind, index, vertex };
        }
      }
    }
    return null;
  }

  errorsFor(prefix) {
    return this.errors.filter((x) => x.shape === prefix);
  }

  render() {
    const items = [];
    for (const kind of Object.keys(KINDS)) {
      this.analytics[kind].forEach((s, index) => {
        const idInput = el('input', { value: s.id, className: 'shape-id', 'data-shape': `${kind}[${index}]` });
        idInput.addEventListener('change', () => { s.id = idInput.value; this.draw(); });
        const remove = el('button', { type: 'button' }, 'Delete');
        remove.addEventListener('click', () => { this.analytics[kind].splice(index, 1); this.render(); });
        const extra = [];
        if (kind === 'lines') {
          const flip = el('button', { type: 'button' }, 'Flip direction');
          flip.addEventListener('click', () => {
            s.direction = s.direction ? [-s.direction[0], -s.direction[1]] : [s.to[1] - s.from[1], s.from[0] - s.to[0]];
            this.draw();
          });
          const both = el('button', { type: 'button' }, 'Both ways');
          both.addEventListener('click', () => { s.direction = null; this.draw(); });
          extra.push(flip, both);
        }
        const errs = this.errorsFor(`${kind}[${index}]`);
        items.push(el('li', { 'data-shape': `${kind}[${index}]` },
          `${KINDS[kind]} `, idInput, ' ', remove, ...extra,
          el('ul', { className: 'shape-errors' }, ...errs.map((x) => el('li', {}, `${x.path}: ${x.message}`)))));
      });
    }
    $('shape-list').replaceChildren(...items);
    $('rules-errors').replaceChildren(...this.errors.filter((x) => x.shape === 'rules').map((x) => el('li', {}, `${x.path}: ${x.message}`)));
    $('general-errors').replaceChildren(...this.errors.filter((x) => !x.shape).map((x) => el('li', {}, `${x.path}: ${x.message}`)));
    this.draw();
  }

  draw() {
    const { ctx, canvas } = this;
    ctx.clearRect(0, 0, canvas.width, canvas.height);
    if (!this.analytics) return;
    const W = canvas.width;
    const H = canvas.height;
    const bad = new Set(this.errors.map((x) => x.shape));
    const poly = (pts, colour, fill) => {
      ctx.beginPath();
      pts.forEach((p, i) => (i ? ctx.lineTo(p[0] * W, p[1] * H) : ctx.moveTo(p[0] * W, p[1] * H)));
      ctx.closePath();
      if (fill) { ctx.fillStyle = fill; ctx.fill(); }
      ctx.strokeStyle = colour;
      ctx.lineWidth = 2;
      ctx.stroke();
      for (const p of pts) ctx.strokeRect(p[0] * W - 4, p[1] * H - 4, 8, 8);
    };
    const label = (text, p, colour) => { ctx.fillStyle = colour; ctx.font = '13px sans-serif'; ctx.fillText(text, p[0] * W + 6, p[1] * H - 6); };
    this.analytics.masks.forEach((m, i) => { poly(m.polygon, bad.has(`masks[${i}]`) ? '#ff3030' : '#ff40ff', 'rgba(255,64,255,0.15)'); label(m.id, m.polygon[0], '#ff40ff'); });
    this.analytics.zones.forEach((z, i) => { poly(z.polygon, bad.has(`zones[${i}]`) ? '#ff3030' : '#ffff00', 'rgba(255,255,0,0.08)'); label(z.id, z.polygon[0], '#ffff00'); });
    this.analytics.lines.forEach((l, i) => {
      const colour = bad.has(`lines[${i}]`) ? '#ff3030' : '#00ffff';
      ctx.beginPath(); ctx.moveTo(l.from[0] * W, l.from[1] * H); ctx.lineTo(l.to[0] * W, l.to[1] * H);
      ctx.strokeStyle = colour; ctx.lineWidth = 3; ctx.stroke();
      const mx = (l.from[0] + l.to[0]) / 2 * W;
      const my = (l.from[1] + l.to[1]) / 2 * H;
      const arrow = (dx, dy) => {
        const n = Math.hypot(dx * W, dy * H) || 1;
        const ux = dx * W / n * 30;
        const uy = dy * H / n * 30;
        ctx.beginPath(); ctx.moveTo(mx, my); ctx.lineTo(mx + ux, my + uy); ctx.stroke();
        ctx.beginPath(); ctx.arc(mx + ux, my + uy, 4, 0, 2 * Math.PI); ctx.fillStyle = colour; ctx.fill();
      };
      if (l.direction) arrow(l.direction[0], l.direction[1]); else { arrow(l.to[1] - l.from[1], l.from[0] - l.to[0]); arrow(l.from[1] - l.to[1], l.to[0] - l.from[0]); }
      label(l.id, l.from, colour);
    });
    if (this.draft && this.draft.points.length) {
      ctx.setLineDash([5, 4]);
      const pts = this.draft.points;
      ctx.beginPath();
      pts.forEach((p, i) => (i ? ctx.lineTo(p[0] * W, p[1] * H) : ctx.moveTo(p[0] * W, p[1] * H)));
      ctx.strokeStyle = '#ffffff'; ctx.stroke();
      ctx.setLineDash([]);
    }
  }

  async save() {
    if (!this.analytics) return;
    let rules;
    try {
      rules = JSON.parse($('rules-json').value || '[]');
    } catch (e) {
      this.errors = [{ path: 'rules', message: `not JSON: ${e.message}`, shape: 'rules' }];
      this.render();
      return;
    }
    const body = { ...this.analytics, rules };
    this.status('saving...');
    const r = await fetch(`/api/cameras/${encodeURIComponent(this.camera)}/analytics`, {
      method: 'PUT', credentials: 'same-origin', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify(body),
    });
    let result;
    try { result = await r.json(); } catch (e) { result = { saved: false, errors: [{ path: '$', message: `HTTP ${r.status}` }] }; }
    this.errors = (result.errors ?? []).map((x) => {
      const m = /\.analytics\.(zones|lines|masks)\[(\d+)\]/.exec(x.path);
      const shape = m ? `${m[1]}[${m[2]}]` : (/\.analytics\.rules/.test(x.path) ? 'rules' : null);
      return { ...x, shape };
    });
    if (result.saved) {
      this.analytics.rules = rules;
      this.status(`saved (previous file kept as ${result.backup}); the edge applies it now`);
      document.body.dataset.saved = String(Date.now());
    } else {
      this.status(`not saved: ${this.errors.length} error(s)`);
    }
    this.render();
  }
}
