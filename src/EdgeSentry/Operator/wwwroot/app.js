// EdgeSentry operator page. Everything that comes from the configuration or the network goes into the DOM as
// text (textContent, element attributes set one by one), never as markup.
import { Editor } from './editor.js';
import { $, el, getJson } from './dom.js';

const state = {
  cameras: [],
  camera: null,
  view: 'live',
  paused: false,
  incidents: new Map(),
  loops: new Map(),
  lastFrame: null,
};

const editor = new Editor(() => state.camera, () => state.lastFrame);

function cameraName(id) {
  const c = state.cameras.find((x) => x.id === id);
  return c ? c.name : id;
}

async function refreshCameras() {
  try {
    state.cameras = await getJson('/api/cameras');
    $('connection').textContent = '';
  } catch (e) {
    $('connection').textContent = 'edge unreachable';
    return;
  }
  const select = $('camera');
  const ids = state.cameras.map((c) => c.id).join('\n');
  if (select.dataset.ids !== ids) {
    select.dataset.ids = ids;
    select.replaceChildren(...state.cameras.map((c) => el('option', { value: c.id }, c.name)));
    if (!state.camera || !state.cameras.some((c) => c.id === state.camera)) {
      selectCamera(state.cameras[0]?.id ?? null);
    } else {
      select.value = state.camera;
    }
  }
  const body = $('cameras').tBodies[0];
  body.replaceChildren(...state.cameras.map((c) => el('tr', { 'data-camera': c.id },
    el('td', { className: 'camera-name', title: c.url }, c.name),
    el('td', {}, c.state), el('td', {}, c.framesPerSecond.toFixed(1)),
    el('td', {}, String(c.dropped)), el('td', {}, c.frameAgeMs.toFixed(0)))));
  const cur = state.cameras.find((c) => c.id === state.camera);
  if (cur) {
    $('camera-name').textContent = cur.name;
    const info = [['id', cur.id], ['source', cur.url], ['state', cur.state], ['frames/s', cur.framesPerSecond.toFixed(1)],
      ['decoded', String(cur.framesDecoded)], ['dropped', String(cur.dropped)], ['reconnects', String(cur.reconnects)],
      ['frame age', `${cur.frameAgeMs.toFixed(0)} ms`]];
    $('live-info').replaceChildren(...info.flatMap(([k, v]) => [el('dt', {}, k), el('dd', {}, v)]));
  }
}

function selectCamera(id) {
  state.camera = id;
  state.lastFrame = null;
  if (id) $('camera').value = id;
  $('live-frame').removeAttribute('src');
  if (state.view === 'editor') editor.load();
  if (state.view === 'detector') refreshDetector();
}

async function pollLive() {
  const wanted = (state.view === 'live' && !state.paused) || state.view === 'editor';
  if (wanted && state.camera) {
    try {
      const f = await getJson(`/api/cameras/${encodeURIComponent(state.camera)}/live`);
      if (f && f.cameraId === state.camera) {
        state.lastFrame = f;
        const src = `data:image/jpeg;base64,${f.jpeg}`;
        if (state.view === 'live' && !state.paused) {
          const img = $('live-frame');
          img.src = src;
          img.dataset.boxes = JSON.stringify(f.boxes);
          img.dataset.width = String(f.width);
          img.dataset.height = String(f.height);
          img.dataset.sequence = String(f.sequence);
          $('live-boxes').replaceChildren(...f.boxes.map((b) => el('li', {},
            `${b.trackId ? `#${b.trackId} ` : ''}${b.label} ${b.score.toFixed(2)}`)));
        }
        editor.frame(f);
      }
    } catch (e) {
      // The next poll tries again; the camera list shows whether the edge is reachable.
    }
  }
  setTimeout(pollLive, 250);
}

function showView(view) {
  state.view = view;
  for (const b of document.querySelectorAll('nav button')) b.classList.toggle('active', b.dataset.view === view);
  for (const s of document.querySelectorAll('.view')) s.hidden = s.id !== `view-${view}`;
  if (view === 'editor') editor.load();
  if (view === 'detector') refreshDetector();
}

// ---- incident feed (server-sent events) ----
function renderIncident(item) {
  const previous = state.incidents.get(item.incidentId);
  if (previous && previous.seq > item.seq) return;
  state.incidents.set(item.incidentId, item);
  const open = item.transition !== 'ended';
  const li = el('li', { className: open ? 'open' : 'ended', 'data-incident-id': item.incidentId, 'data-transition': item.transition },
    item.hasSnapshot ? el('img', { alt: 'snapshot', src: `/api/incidents/${encodeURIComponent(item.incidentId)}/snapshot.jpg` }) : null,
    el('div', {},
      el('strong', { className: 'kind' }, `${item.kind} (severity ${item.severity})`),
      el('div', { className: 'camera' }, `camera: ${cameraName(item.cameraId)}`),
      el('div', {}, `rule: ${item.ruleId}${item.zoneId ? `, zone: ${item.zoneId}` : ''}${item.lineId ? `, line: ${item.lineId}` : ''}`),
      el('div', {}, `${item.label} ${item.score.toFixed(2)}${item.trackId ? ` track #${item.trackId}` : ''}, objects: ${item.objectCount}`),
      el('div', { className: 'state' }, `${open ? 'open' : 'closed'}: ${item.transition} #${item.sequence} at ${item.at}${item.durationSeconds != null ? `, lasted ${item.durationSeconds.toFixed(1)} s` : ''}`),
      dispatchLine(state.loops.get(item.incidentId)),
      el('div', { className: 'id' }, item.incidentId)));
  const list = $('incident-list');
  const old = [...list.children].find((x) => x.dataset.incidentId === item.incidentId);
  if (old) old.replaceWith(li); else list.prepend(li);
  while (list.children.length > 200) list.lastElementChild.remove();
  const openCount = [...state.incidents.values()].filter((x) => x.transition !== 'ended').length;
  $('open-count').textContent = openCount ? `(${openCount} open)` : '';
}

// The router's dispatch and closed-loop state of an incident (null until it routed one).
function dispatchLine(loop) {
  if (!loop) return null;
  const unit = loop.unitId ?? '';
  let text;
  switch (loop.state) {
    case 'dispatched':
      text = `dispatched to ${unit} at level ${loop.level} (${loop.reason}${loop.distanceMetres != null ? `, ${loop.distanceMetres} m` : ''}), `
        + (loop.delivered ? `delivered, accept by ${loop.acceptBy}` : 'waiting for the broker');
      break;
    case 'accepted': text = `accepted by ${unit} (level ${loop.level})`; break;
    case 'on-site': text = `${unit} on site (level ${loop.level})`; break;
    case 'resolved': text = `resolved by ${unit} (level ${loop.level})`; break;
    case 'unassigned': text = `unassigned: no unit on duty (level ${loop.level})`; break;
    default: text = `${loop.state} (level ${loop.level})`;
  }
  if (loop.escalations > 0) text += `; escalated ${loop.escalations}x (tried ${loop.tried.join(', ')})`;
  if (loop.ended) text += `; ended${loop.endReason ? ` (${loop.endReason})` : ''}`;
  return el('div', { className: 'dispatch', 'data-loop-state': loop.state, 'data-unit': unit, 'data-delivered': String(loop.delivered) }, `dispatch: ${text}`);
}

function renderLoop(loop) {
  const previous = state.loops.get(loop.incidentId);
  if (previous && previous.seq > loop.seq) return;
  state.loops.set(loop.incidentId, loop);
  while (state.loops.size > 200) state.loops.delete(state.loops.keys().next().value);
  // Shown with its incident; a state that arrives first waits for it.
  const li = [...$('incident-list').children].find((x) => x.dataset.incidentId === loop.incidentId);
  const line = dispatchLine(loop);
  if (!li) return;
  const old = li.querySelector('.dispatch');
  if (old) old.replaceWith(line); else li.querySelector('.id').before(line);
}

function openFeed() {
  const source = new EventSource('/api/incidents/stream');
  source.addEventListener('incident', (e) => renderIncident(JSON.parse(e.data)));
  source.addEventListener('loop', (e) => renderLoop(JSON.parse(e.data)));
  source.onerror = () => { $('connection').textContent = 'incident feed reconnecting'; };
  source.onopen = () => { $('connection').textContent = ''; };
}

// ---- detector view ----
async function refreshDetector() {
  if (!state.camera) return;
  let view;
  try {
    view = await getJson(`/api/cameras/${encodeURIComponent(state.camera)}/detector`);
  } catch (e) {
    return;
  }
  $('detector-rule').textContent = `Scores of the last ${view.windowMinutes} minutes (the detector drops everything below ${view.detectorThreshold.toFixed(2)} before anyone sees it). Suggested threshold: ${view.suggestionRule}.`;
  const blocks = view.classes.map((c) => {
    const max = Math.max(1, ...c.histogram);
    const bars = c.histogram.map((n, i) => {
      const bar = el('div', { className: (i + 1) / c.histogram.length <= c.trackerNewTrackScore ? 'bar ignored' : 'bar', title: `${(i / c.histogram.length).toFixed(2)}-${((i + 1) / c.histogram.length).toFixed(2)}: ${n}` });
      bar.style.height = `${(100 * n / max).toFixed(1)}%`;
      return bar;
    });
    const lines = [
      `${c.total} detections`,
      `tracker ignores ${c.ignoredByTracker} below its low score ${c.trackerLowScore.toFixed(2)}`,
      `${c.cannotStartTrack} cannot start a track (below ${c.trackerNewTrackScore.toFixed(2)})`,
      ...c.rules.map((r) => `rule ${r.ruleId} ignores ${r.ignored} below minScore ${r.minScore.toFixed(2)}`),
      c.suggestedThreshold != null ? `suggested threshold: ${c.suggestedThreshold.toFixed(2)}` : 'suggested threshold: too few detections yet',
    ];
    return el('div', { className: 'detector-class', 'data-class': c.label },
      el('h3', {}, c.label),
      el('div', { className: 'histogram' }, ...bars),
      el('ul', {}, ...lines.map((t) => el('li', {}, t))));
  });
  $('detector').replaceChildren(...(blocks.length ? blocks : [el('p', {}, 'No detections in the window yet.')]));
}

// ---- wiring ----
for (const b of document.querySelectorAll('nav button')) b.addEventListener('click', () => showView(b.dataset.view));
$('camera').addEventListener('change', (e) => selectCamera(e.target.value));
$('live-pause').addEventListener('click', () => {
  state.paused = !state.paused;
  $('live-pause').textContent = state.paused ? 'Resume' : 'Pause';
  document.body.dataset.paused = String(state.paused);
});
setInterval(refreshCameras, 2000);
setInterval(() => { if (state.view === 'detector') refreshDetector(); }, 5000);
refreshCameras().then(() => { document.body.dataset.ready = 'true'; });
openFeed();
pollLive();
