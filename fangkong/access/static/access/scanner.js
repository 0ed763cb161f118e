/* fangkong gate scanner.
 *
 * Online: a scan (camera or typed serial) is previewed by the server, then recorded with the
 * temperature through POST /api/v1/gate/scans/. Offline (or when the server cannot be
 * reached): the same rules as fangkong/access/pass_policy.py decide from the pass list this
 * phone cached, and the event waits in IndexedDB with its client UUID and the device time,
 * uploaded when the network is back. The server counts each UUID once however often it is
 * sent. Every word shown comes from the page's JSON data block (translated by the server).
 */
(function () {
  "use strict";

  const config = JSON.parse(document.getElementById("gate-config").textContent);
  const S = config.strings;
  const $ = (id) => document.getElementById(id);
  const CHECKPOINT_KEY = "fangkong-gate-checkpoint";
  const DB_NAME = "fangkong-gate";

  let data = null; // the cached pass list of the current checkpoint's community
  let current = null; // the scan on screen: {code, id, pass, direction}
  let flushing = false;

  // --- IndexedDB ------------------------------------------------------------------------

  function openDb() {
    return new Promise((resolve, reject) => {
      const request = indexedDB.open(DB_NAME, 1);
      request.onupgradeneeded = () => {
        const db = request.result;
        db.createObjectStore("queue", {keyPath: "client_event_id"});
        db.createObjectStore("cache");
      };
      request.onsuccess = () => resolve(request.result);
      request.onerror = () => reject(request.error);
    });
  }

  async function store(name, mode, action) {
    const db = await openDb();
    return new Promise((resolve, reject) => {
      const tx = db.transaction(name, mode);
      const result = action(tx.objectStore(name));
      tx.oncomplete = () => { db.close(); resolve(result && "result" in result ? result.result : undefined); };
      tx.onerror = () => { db.close(); reject(tx.error); };
    });
  }

  const queueAll = () => store("queue", "readonly", (s) => s.getAll());
  const queuePut = (event) => store("queue", "readwrite", (s) => s.put(event));
  const queueDelete = (id) => store("queue", "readwrite", (s) => s.delete(id));
  const cacheGet = (key) => store("cache", "readonly", (s) => s.get(key));
  const cachePut = (key, value) => store("cache", "readwrite", (s) => s.put(value, key));

  // --- Small helpers --------------------------------------------------------------------

  function format(text, values) {
    return text.replace(/%\((\w+)\)s/g, (_, name) => (name in values ? values[name] : ""));
  }

  function uuid4() {
    if (window.crypto && crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = Array.from(b, (x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  function csrfToken() {
    const match = document.cookie.match(/(?:^|;\s*)csrftoken=([^;]+)/);
    return match ? decodeURIComponent(match[1]) : "";
  }

  async function sha256hex(text) {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
    return Array.from(new Uint8Array(digest), (x) => x.toString(16).padStart(2, "0")).join("");
  }

  function checkpointId() {
    return Number($("gate-checkpoint").value || 0);
  }

  // --- The rules, as pass_policy.py has them ---------------------------------------------

  function localDay(date, tz) {
    return new Intl.DateTimeFormat("en-CA", {timeZone: tz, year: "numeric", month: "2-digit",
      day: "2-digit"}).format(date);
  }

  function localClock(date, tz) {
    return new Intl.DateTimeFormat("en-GB", {timeZone: tz, hour: "2-digit", minute: "2-digit",
      hourCycle: "h23"}).format(date);
  }

  function addDays(day, n) {
    const d = new Date(day + "T00:00:00Z");
    d.setUTCDate(d.getUTCDate() + n);
    return d.toISOString().slice(0, 10);
  }

  function luhnOk(digits) {
    let total = 0;
    const body = digits.slice(0, -1);
    for (let i = 0; i < body.length; i++) {
      let n = Number(body[body.length - 1 - i]);
      if (i % 2 === 0) { n *= 2; if (n > 9) n -= 9; }
      total += n;
    }
    return String((10 - (total % 10)) % 10) === digits.slice(-1);
  }

  async function findPass(code) {
    if (!data) return null;
    code = code.trim();
    if (code.startsWith("FKP1.")) {
      if (!(window.crypto && crypto.subtle)) return null;
      const digest = (await sha256hex(code)).slice(0, 32);
      return data.passes.find((p) => p.digest === digest) || null;
    }
    const digits = code.replace(/[\s-]/g, "");
    if (!/^\d{2,}$/.test(digits) || !luhnOk(digits)) return null;
    return data.passes.find((p) => p.serial === digits) || null;
  }

  function gateOpen(now) {
    const gate = data.checkpoints.find((c) => c.id === checkpointId());
    if (!gate) return true;
    if (!gate.is_open) return false;
    if (!gate.opens || !gate.closes) return true;
    const t = localClock(now, data.community.time_zone);
    return gate.opens <= gate.closes ? (gate.opens <= t && t < gate.closes)
      : (t >= gate.opens || t < gate.closes);
  }

  function exitsOf(pass) {
    const key = data.policy.pass_scope === "person" && pass.person ? `p${pass.person}` : `h${pass.household}`;
    return data.exits[key] || (data.exits[key] = []);
  }

  function quota(exits, now) {
    const tz = data.community.time_zone;
    const n = data.policy.window_days;
    const today = localDay(now, tz);
    const first = addDays(today, -(n - 1));
    const days = exits.map((t) => new Date(t)).filter((t) => t <= now)
      .map((t) => localDay(t, tz)).filter((d) => d >= first && d <= today).sort();
    const left = Math.max(data.policy.outings - days.length, 0);
    if (left > 0) return {left, next: null};
    return {left: 0, next: addDays(days[days.length - data.policy.outings], n) + " 00:00"};
  }

  function decideLocal(pass, direction, temperature, now) {
    if (!pass) return {decision: "deny", reason_code: "unknown_pass"};
    if (!gateOpen(now)) return {decision: "deny", reason_code: "gate_closed"};
    let status = pass.status || "active";
    if (status === "suspended" && pass.until && new Date(pass.until) <= now) status = "active";
    if (status === "void" || status === "replaced" || status === "suspended") {
      return {decision: "deny", reason_code: status};
    }
    if (temperature !== null && temperature >= Number(data.community.fever_threshold)) {
      return {decision: "deny", reason_code: "fever"};
    }
    const q = quota(exitsOf(pass), now);
    if (direction === "in") {
      return {decision: "allow", reason_code: "ok", quota_left: pass.exempt ? null : q.left, next: null};
    }
    if (pass.exempt) return {decision: "allow", reason_code: "ok", quota_left: null};
    const max = data.policy.max_minutes;
    const overdue = max && data.passes.some((p) => p.household === pass.household && p.out_since
      && (now - new Date(p.out_since)) > max * 60000);
    if (overdue) return {decision: "deny", reason_code: "overdue", quota_left: q.left};
    if (q.left <= 0) return {decision: "deny", reason_code: "quota_used", quota_left: 0, next: q.next};
    return {decision: "allow", reason_code: "ok", quota_left: q.left - 1};
  }

  // --- Showing a verdict ----------------------------------------------------------------

  function reasonOf(answer) {
    if (answer.reason) return answer.reason;
    let text = S[`reason_${answer.reason_code}`] || answer.reason_code;
    if (answer.next) text += " · " + format(S.nextAt, {time: answer.next});
    return text;
  }

  function show(answer, pass, direction) {
    const box = $("gate-verdict");
    const allowed = answer.decision === "allow";
    box.hidden = false;
    box.classList.toggle("gate-allow", allowed);
    box.classList.toggle("gate-deny", !allowed);
    // An exit and a return differ in colour and word, not only in which button is lit.
    box.classList.toggle("gate-return", direction === "in");
    $("gate-word").textContent = allowed ? S.allow : S.deny;
    $("gate-direction").textContent = direction === "in" ? S.in : S.out;
    $("gate-reason").textContent = reasonOf(answer);
    $("gate-room").textContent = pass ? pass.room : "—";
    $("gate-size").textContent = pass ? pass.size : "—";
    const left = answer.quota_left;
    // On an exit the server counts this outing already: say "after this one", so a green
    // verdict with 0 reads as "the last one", not as "none left".
    const after = direction !== "in" && allowed;
    $("gate-left-label").textContent = after ? S.leftAfter : S.left;
    $("gate-left").textContent = left === null || left === undefined
      ? (pass && pass.exempt ? S.unlimited : "—") : format(S.times, {n: left});
  }

  function offerRecord(answer, direction) {
    // A refusal offers nothing to record: the guard is sent straight back to the next scan.
    const form = $("gate-record");
    form.hidden = answer.decision !== "allow";
    $("gate-out").hidden = direction === "in";
    $("gate-in").hidden = direction !== "in";
    const other = $("gate-switch");
    other.textContent = direction === "in" ? S.switchToOut : S.switchToIn;
    // Offered on a refusal too (someone coming back whose exit the gate never saw), but
    // only a known pass: an unknown code is refused whichever way it goes.
    other.hidden = !(current && (current.pass || current.serverPass));
  }

  function readyForNext() {
    const field = $("gate-serial");
    field.value = "";
    field.focus({preventScroll: true});
    keepInView();
  }

  function keepInView() {
    // The scanner's top at the screen's top: the verdict, its button, the confirmation and
    // the next scan's field then fit what the keyboard leaves, whatever the header's height.
    const top = $("gate").getBoundingClientRect().top;
    if (Math.abs(top) > 1) window.scrollTo(0, window.scrollY + top);
  }

  // --- Network state and the queue -------------------------------------------------------

  function setOnline(online) {
    const badge = $("gate-network");
    badge.textContent = online ? S.online : S.offline;
    badge.classList.toggle("badge-warn", !online);
  }

  // The site's one date format (2026-12-07 14:05), not the browser's locale's.
  function localStamp(when) {
    const two = (n) => String(n).padStart(2, "0");
    return `${when.getFullYear()}-${two(when.getMonth() + 1)}-${two(when.getDate())} ${two(when.getHours())}:${two(when.getMinutes())}`;
  }

  async function updateQueueBadge() {
    const queued = await queueAll();
    const badge = $("gate-queue");
    badge.hidden = queued.length === 0;
    badge.textContent = format(S.queued, {n: queued.length});
  }

  async function post(event) {
    return fetch(config.scanUrl, {
      method: "POST", credentials: "same-origin",
      headers: {"Content-Type": "application/json", "X-CSRFToken": csrfToken(),
        "Accept": "application/json"},
      body: JSON.stringify(event),
    });
  }

  async function flush() {
    if (flushing || !navigator.onLine) return;
    flushing = true;
    try {
      const queued = (await queueAll()).sort((a, b) => a.device_time.localeCompare(b.device_time));
      for (const event of queued) {
        let response;
        try {
          response = await post(event);
        } catch (error) {
          setOnline(false);
          return;
        }
        if (response.status === 401 || response.status === 403) {
          $("gate-result").textContent = S.loginAgain;
          return;
        }
        if (response.status >= 500) return;
        // 200: recorded (or recognised as already recorded); 400 or 409: it can never be.
        await queueDelete(event.client_event_id);
      }
      setOnline(true);
      if (queued.length) await loadData();
    } finally {
      flushing = false;
      await updateQueueBadge();
    }
  }

  // --- The pass list ----------------------------------------------------------------------

  function showDataAge() {
    $("gate-data-age").textContent = data ? format(S.dataAge, {time: localStamp(new Date(data.generated_at))}) : S.noData;
  }

  function merge(old, body) {
    // An incremental answer: changed passes replace the phone's, removed ones go, and each
    // household scanned since gets its whole window of exits from the server.
    if (body.full || !old) return body;
    const byId = new Map(old.passes.map((p) => [p.id, p]));
    for (const id of body.removed) byId.delete(id);
    for (const p of body.passes) byId.set(p.id, p);
    return {...body, passes: Array.from(byId.values()), exits: {...old.exits, ...body.exits}};
  }

  async function loadData() {
    const id = checkpointId();
    if (!id) return;
    try {
      if (!data || data.checkpointId !== id) data = (await cacheGet(`data:${id}`)) || null;
      const since = data && data.cursor ? `&since=${encodeURIComponent(data.cursor)}` : "";
      const response = await fetch(`${config.dataUrl}?checkpoint=${id}${since}`, {credentials: "same-origin",
        headers: {"Accept": "application/json"}});
      const type = response.headers.get("Content-Type") || "";
      if (response.ok && type.includes("application/json")) {
        data = merge(data, await response.json());
        data.checkpointId = id;
        await cachePut(`data:${id}`, data);
        setOnline(true);
      } else {
        data = (await cacheGet(`data:${id}`)) || data;
      }
    } catch (error) {
      setOnline(false);
      data = (await cacheGet(`data:${id}`)) || null;
    }
    showDataAge();
  }

  // --- Scanning ---------------------------------------------------------------------------

  async function onCode(code, forced) {
    code = (code || "").trim();
    if (!code) return;
    const pass = await findPass(code);
    current = {code, id: uuid4(), pass, direction: forced || (pass && pass.out_since ? "in" : "out")};
    // The last person's verdict goes at once: a guard must never read it as this one's
    // while the answer for this code is on its way.
    $("gate-verdict").hidden = true;
    $("gate-result").textContent = "";
    $("gate-temperature").value = "";
    const now = new Date();
    let answer = null;
    if (navigator.onLine) {
      try {
        const asked = forced ? `&direction=${forced}` : "";
        const response = await fetch(`${config.checkUrl}?checkpoint=${checkpointId()}&code=${encodeURIComponent(code)}${asked}`,
          {credentials: "same-origin", headers: {"Accept": "application/json"}});
        if (response.ok && (response.headers.get("Content-Type") || "").includes("application/json")) {
          const body = await response.json();
          answer = body;
          current.direction = body.direction;
          if (body.pass) current.serverPass = body.pass;
          setOnline(true);
        }
      } catch (error) {
        setOnline(false);
      }
    }
    if (!answer) {
      answer = decideLocal(pass, current.direction, null, now);
      if (!pass && data) answer.reason = S.unknownOffline;
    }
    show(answer, current.serverPass || pass, current.direction);
    offerRecord(answer, current.direction);
    if (answer.decision === "allow") {
      $("gate-temperature").focus({preventScroll: true});
      keepInView();
    } else {
      readyForNext();
    }
  }

  async function record(direction) {
    if (!current) return;
    const raw = $("gate-temperature").value.trim();
    const temperature = Number(raw);
    if (!raw) { $("gate-result").textContent = S.needTemperature; return; }
    if (!(temperature >= 34 && temperature <= 43)) { $("gate-result").textContent = S.badTemperature; return; }
    const now = new Date();
    const event = {pass_code: current.code, checkpoint: checkpointId(), direction,
      temperature, client_event_id: current.id, device_time: now.toISOString()};
    if (navigator.onLine) {
      try {
        const response = await post(event);
        if (response.ok) {
          const answer = await response.json();
          if (current.pass) applyLocally(current.pass, direction, answer.decision === "allow", now);
          done(answer, current.serverPass || current.pass, direction, raw, "");
          return;
        }
        // 400: it can never be recorded (the message says why); 409: its id was used at
        // another gate. Either way, queuing it would not help.
        if (response.status === 400 || response.status === 409) {
          const body = await response.json();
          $("gate-result").textContent = body.message;
          return;
        }
      } catch (error) {
        setOnline(false);
      }
    }
    // Offline, or the server did not answer: decide here and queue the event.
    const local = data ? decideLocal(current.pass, direction, temperature, now)
      : {decision: "deny", reason_code: "unknown_pass"};
    event.device_decision = local.decision;
    await queuePut(event);
    if (current.pass) applyLocally(current.pass, direction, local.decision === "allow", now);
    done(local, current.pass, direction, raw, S.savedOnPhone);
    await updateQueueBadge();
  }

  function done(answer, pass, direction, temperature, note) {
    // What was recorded, beside the verdict: at a fever the red 拒绝 says "not let through,
    // the refusal recorded", never a bare "recorded" under it.
    show(answer, pass, direction);
    $("gate-record").hidden = true;
    $("gate-switch").hidden = true;
    const allowed = answer.decision === "allow";
    const text = allowed ? (direction === "in" ? S.recordedIn : S.recordedOut) : S.recordedRefused;
    $("gate-result").textContent = format(text, {t: temperature}) + (note ? " · " + note : "");
    current = null;
    readyForNext();
  }

  function applyLocally(pass, direction, allowed, now) {
    if (!allowed || !data) return;
    if (direction === "out") {
      exitsOf(pass).push(now.toISOString());
      pass.out_since = now.toISOString();
    } else {
      pass.out_since = null;
    }
    cachePut(`data:${checkpointId()}`, data);
  }

  // --- Camera ------------------------------------------------------------------------------
  // The browser's own BarcodeDetector where it has one (Chrome on Android); everywhere else
  // (iPhones, Firefox, most desktops) jsQR, vendored beside this file, reads frames drawn
  // to a canvas. Either way the code read is checked exactly like a typed serial.

  let stream = null;

  async function qrReader(video) {
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes("qr_code")) {
          const detector = new window.BarcodeDetector({formats: ["qr_code"]});
          return async () => {
            const codes = await detector.detect(video);
            return codes.length ? codes[0].rawValue : null;
          };
        }
      } catch (error) { /* no usable detector: jsQR below */ }
    }
    if (typeof window.jsQR !== "function") return null;
    const canvas = document.createElement("canvas");
    const context = canvas.getContext("2d", {willReadFrequently: true});
    return async () => {
      const width = video.videoWidth;
      const height = video.videoHeight;
      if (!width || !height) return null;
      // At most 640 px on the long side: plenty for a card held up to the phone, and
      // decoding a smaller frame keeps an old phone responsive (and cool) at the gate.
      const scale = Math.min(1, 640 / Math.max(width, height));
      canvas.width = Math.round(width * scale);
      canvas.height = Math.round(height * scale);
      context.drawImage(video, 0, 0, canvas.width, canvas.height);
      const image = context.getImageData(0, 0, canvas.width, canvas.height);
      const code = window.jsQR(image.data, image.width, image.height,
                               {inversionAttempts: "dontInvert"});
      return code && code.data ? code.data : null;
    };
  }

  async function startCamera() {
    const note = $("gate-camera-note");
    if (stream) return;  // already scanning
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      note.hidden = false;
      note.textContent = S.cameraUnavailable;
      $("gate-serial").focus();
      return;
    }
    const video = $("gate-video");
    const read = await qrReader(video);
    if (!read) {
      note.hidden = false;
      note.textContent = S.cameraUnavailable;
      $("gate-serial").focus();
      return;
    }
    try {
      stream = await navigator.mediaDevices.getUserMedia({video: {facingMode: "environment"}});
    } catch (error) {
      note.hidden = false;
      note.textContent = S.cameraDenied;
      return;
    }
    note.hidden = true;
    video.srcObject = stream;
    video.hidden = false;
    await video.play();
    const tick = async () => {
      if (!stream) return;
      try {
        const code = await read();
        if (code) {
          stopCamera();
          await onCode(code);
          return;
        }
      } catch (error) { /* a frame not ready yet */ }
      setTimeout(tick, 200);
    };
    tick();
  }

  function stopCamera() {
    if (stream) stream.getTracks().forEach((t) => t.stop());
    stream = null;
    $("gate-video").hidden = true;
  }

  // --- Wiring -----------------------------------------------------------------------------

  function visitorLink() {
    // 访客登记 opens with the gate chosen here preselected.
    const link = $("gate-visitor");
    if (link && checkpointId()) link.href = `${link.dataset.base}?checkpoint=${checkpointId()}`;
  }

  function init() {
    const select = $("gate-checkpoint");
    const saved = localStorage.getItem(CHECKPOINT_KEY);
    if (saved && Array.from(select.options).some((o) => o.value === saved)) select.value = saved;
    select.addEventListener("change", () => {
      localStorage.setItem(CHECKPOINT_KEY, select.value);
      loadData();
    });
    $("gate-serial-form").addEventListener("submit", (e) => {
      e.preventDefault();
      onCode($("gate-serial").value);
      $("gate-serial").value = "";
    });
    $("gate-record").addEventListener("submit", (e) => {
      e.preventDefault();
      const direction = e.submitter && e.submitter.value === "in" ? "in" : "out";
      record(direction);
    });
    $("gate-camera").addEventListener("click", startCamera);
    $("gate-switch").addEventListener("click", () => {
      if (current) onCode(current.code, current.direction === "in" ? "out" : "in");
    });
    select.addEventListener("change", visitorLink);
    visitorLink();
    window.addEventListener("online", () => { setOnline(true); flush(); });
    window.addEventListener("offline", () => setOnline(false));
    setOnline(navigator.onLine);
    setInterval(flush, 15000);
    setInterval(() => { if (navigator.onLine) loadData(); }, 300000);
    if ("serviceWorker" in navigator) {
      navigator.serviceWorker.register(config.swUrl, {scope: config.scope}).catch(() => {});
    }
    loadData().then(flush).then(updateQueueBadge);
  }

  window.fangkongGate = {onCode, record, flush, state: () => ({data, current})};
  init();
}());
