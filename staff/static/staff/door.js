// Door mode: scan tickets' QR codes with the camera (or type them), check each in, answer
// at once, full screen. Plain JavaScript, no build step. A scan whose request fails is
// kept in localStorage and sent again with the same scan id until the server answers:
// the server checks a ticket in once per scan id, and answers a retry as it answered (or
// would have answered) the first request.
"use strict";

(() => {
  const root = document.getElementById("door");
  if (!root) return;
  const $ = (id) => document.getElementById(id);
  const config = {
    performance: Number(root.dataset.performance),
    scanUrl: root.dataset.scanUrl,
    countsUrl: root.dataset.countsUrl,
    loginUrl: root.dataset.loginUrl,
    zxingJs: root.dataset.zxingJs,
    zxingWasm: root.dataset.zxingWasm,
    // Times as the rest of the page (and the admin) shows them: in the server's zone.
    timeZone: root.dataset.timeZone || undefined,
  };
  const csrfToken = document.querySelector("input[name=csrfmiddlewaretoken]").value;
  // The page's language: door.html hands over these sentences translated (views.DOOR_MESSAGES).
  const messagesScript = document.getElementById("door-messages");
  const messages = messagesScript ? JSON.parse(messagesScript.textContent) : {};
  const t = (text, vars = {}) => (messages[text] || text)
    .replace(/\{(\w+)\}/g, (m, name) => (name in vars ? String(vars[name]) : m));

  const SCAN_EVERY_MS = 200;      // camera frames looked at: 5 a second
  const SAME_CODE_MS = 2500;      // a code still in view is not scanned again
  const FRESH_MS = 10000;         // a queued scan answered this soon still fills the screen
  const REQUEST_TIMEOUT_MS = 8000;
  const COUNTS_EVERY_MS = 15000;
  const SHOW_MS = { ok: 2000, bad: 4500, wait: 3000 };
  const QUEUE_KEY = "marquee.door.queue.v1";
  const SOUND_KEY = "marquee.door.sound";
  const LOG_LENGTH = 12;

  // ------------------------------------------------------------------ the queue
  // Every scan is written here before it is sent and removed once the server answered.
  let memoryQueue = [];
  const queue = {
    read() {
      try {
        const items = JSON.parse(localStorage.getItem(QUEUE_KEY) || "[]");
        return Array.isArray(items) ? items : [];
      } catch {
        return memoryQueue;
      }
    },
    write(items) {
      memoryQueue = items;
      try {
        localStorage.setItem(QUEUE_KEY, JSON.stringify(items));
      } catch {
        // Storage full or refused (private mode): the scans stay in memory for this page.
      }
    },
    add(item) { this.write([...this.read(), item]); },
    remove(id) { this.write(this.read().filter((item) => item.id !== id)); },
  };
  const inFlight = new Set();
  const scannedHere = new Set();  // by this page: another page's queued scans are "earlier"
  let signedOut = false;

  function newId() {
    if (crypto.randomUUID) return crypto.randomUUID();
    const b = crypto.getRandomValues(new Uint8Array(16));
    b[6] = (b[6] & 0x0f) | 0x40;
    b[8] = (b[8] & 0x3f) | 0x80;
    const h = [...b].map((x) => x.toString(16).padStart(2, "0")).join("");
    return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
  }

  // One request. Its outcome: {answer} (the server's word on the ticket), {refused}
  // (the request itself was refused: shown, not retried) or {retry: why}.
  async function send(item) {
    const controller = new AbortController();
    const timer = setTimeout(() => controller.abort(), REQUEST_TIMEOUT_MS);
    try {
      const response = await fetch(item.url, {
        method: "POST",
        credentials: "same-origin",
        signal: controller.signal,
        headers: { "Content-Type": "application/json", Accept: "application/json",
                   "X-CSRFToken": csrfToken },
        body: JSON.stringify({ scan_id: item.id, code: item.code }),
      });
      const json = (response.headers.get("Content-Type") || "").includes("json");
      if (response.ok && json && !response.redirected) return { answer: await response.json() };
      if (response.status === 401 || response.status === 403 || response.redirected) {
        return { retry: "signed-out" };
      }
      if (json && [400, 404, 405, 413, 422].includes(response.status)) {
        return { refused: await response.json() };
      }
      return { retry: "server" };
    } catch {
      return { retry: navigator.onLine === false ? "offline" : "network" };
    } finally {
      clearTimeout(timer);
    }
  }

  async function scan(rawCode, source) {
    const code = rawCode.trim().toUpperCase();
    if (!code) return;
    const item = { id: newId(), code, url: config.scanUrl, performance: config.performance,
                   at: Date.now(), source };
    queue.add(item);
    scannedHere.add(item.id);
    inFlight.add(item.id);
    log.add(item);
    showQueue();
    const outcome = await send(item);
    inFlight.delete(item.id);
    settle(item, outcome, true);
    if (outcome.retry) {
      retryLater();
    } else if (queue.read().length) {
      flush();  // the connection works: send what waits
    }
  }

  function settle(item, outcome, fresh) {
    if (outcome.retry) {
      setSignedOut(outcome.retry === "signed-out");
      const view = waiting(outcome.retry);
      log.update(item, view);
      if (fresh) present(view, item);
      showQueue();
      return;
    }
    setSignedOut(false);
    queue.remove(item.id);
    const view = outcome.answer ? describe(outcome.answer) : refusal(outcome.refused);
    log.update(item, view);
    if (outcome.answer && outcome.answer.counts && item.performance === config.performance) {
      setCounts(outcome.answer.counts);
    }
    if (fresh) {
      present(view, item);
    } else {
      announce(t("Earlier scan {code}: {title}. {detail}", { code: item.code, title: view.title, detail: view.detail }));
      feedback(view.tone);
    }
    showQueue();
  }

  // Send what waits, oldest first; stop at the first failure and try again later.
  let flushing = false;
  let retryTimer = null;
  let retryDelay = 1000;

  function retryLater() {
    if (retryTimer) return;
    retryTimer = setTimeout(() => { retryTimer = null; flush(); }, retryDelay);
    retryDelay = Math.min(retryDelay * 2, 30000);
  }

  async function flush() {
    if (flushing) return;
    flushing = true;
    try {
      for (const item of queue.read()) {
        if (inFlight.has(item.id)) continue;
        inFlight.add(item.id);
        const outcome = await send(item);
        inFlight.delete(item.id);
        if (outcome.retry) {
          settle(item, outcome, false);
          retryLater();
          return;
        }
        retryDelay = 1000;
        settle(item, outcome, scannedHere.has(item.id) && Date.now() - item.at < FRESH_MS);
      }
    } finally {
      flushing = false;
    }
  }

  // ------------------------------------------------------------------ what to show
  function localTime(iso) {
    return new Date(iso).toLocaleTimeString("en-GB", { hour: "2-digit", minute: "2-digit",
                                                        timeZone: config.timeZone });
  }

  function describe(answer) {
    const view = describeAnswer(answer);
    const joiner = view.result === "already_checked_in" ? " " : " — ";
    return { ...view, line: view.detail ? `${view.title}${joiner}${view.detail}` : view.title };
  }

  function describeAnswer(answer) {
    const order = answer.order;
    switch (answer.result) {
      case "valid":
        return { tone: "ok", result: "valid", title: t("Valid"),
                 detail: [answer.detail, order ? t("{checked} of {tickets} on this order", { checked: order.checked_in, tickets: order.tickets }) : ""]
                   .filter(Boolean).join(" · ") };
      case "already_checked_in":
        return { tone: "bad", result: answer.result, title: t("Already checked in"),
                 detail: answer.checked_in_at ? t("at {time}", { time: localTime(answer.checked_in_at) }) : "" };
      case "wrong_performance":
        return { tone: "bad", result: answer.result, title: t("Not for this performance"),
                 detail: answer.detail || "" };
      case "cancelled":
        return { tone: "bad", result: answer.result, title: t("Cancelled order"), detail: "" };
      case "not_valid":
        return { tone: "bad", result: answer.result, title: t("Order not confirmed"), detail: "" };
      default:
        return { tone: "bad", result: "unknown", title: t("Unknown code"), detail: "" };
    }
  }

  function refusal(problem) {
    return { tone: "bad", result: "refused", title: t("Not checked"),
             detail: (problem && (problem.detail || problem.title)) || t("The scan was refused.") };
  }

  function waiting(why) {
    const detail = why === "signed-out"
      ? t("Signed out: sign in again and it is sent.")
      : t("No answer from the server: kept, and sent again.");
    return { tone: "wait", result: "queued", title: t("Saved, not checked yet"), detail };
  }

  let hideTimer = null;
  function present(view, item) {
    const box = $("result");
    box.className = `result ${view.tone}`;
    box.dataset.result = view.result;
    box.dataset.code = item.code;
    $("result-title").textContent = view.title;
    $("result-detail").textContent = view.detail;
    $("result-code").textContent = item.code;
    box.hidden = false;
    announce(`${view.title}. ${view.detail}`);
    feedback(view.tone);
    clearTimeout(hideTimer);
    hideTimer = setTimeout(hideResult, SHOW_MS[view.tone]);
  }

  function hideResult() {
    clearTimeout(hideTimer);
    $("result").hidden = true;
  }

  function announce(text) {
    const announcer = $("announcer");
    announcer.textContent = "";
    // A new node each time, so that the same words twice are read twice.
    const line = document.createElement("p");
    line.textContent = text;
    announcer.append(line);
  }

  function setCounts(counts) {
    $("checked-in").textContent = counts.checked_in;
    $("tickets").textContent = counts.tickets;
  }

  function showQueue() {
    const waitingCount = queue.read().length - inFlight.size;
    const box = $("queue");
    if (waitingCount <= 0) {
      box.textContent = "";
      return;
    }
    const scans = waitingCount === 1 ? t("1 scan") : t("{n} scans", { n: waitingCount });
    if (signedOut) {
      box.textContent = `${t("{scans} waiting: you are signed out.", { scans })} `;
      const link = document.createElement("a");
      link.href = config.loginUrl;
      link.textContent = t("Sign in again");
      box.append(link);
    } else {
      box.textContent = t("{scans} waiting to be sent: retrying.", { scans });
    }
  }

  function setSignedOut(value) {
    signedOut = value;
  }

  const log = {
    entries: new Map(),
    add(item) {
      const li = document.createElement("li");
      li.dataset.code = item.code;
      li.dataset.scan = item.id;
      li.dataset.tone = "wait";
      li.dataset.result = "checking";
      const when = document.createElement("span");
      when.className = "when";
      when.textContent = new Date(item.at).toLocaleTimeString("en-GB",
                                                              { timeZone: config.timeZone });
      const what = document.createElement("span");
      what.className = "what";
      what.textContent = t("Checking…");
      const code = document.createElement("span");
      code.className = "code";
      code.textContent = `${item.code}${item.source === "typed" ? ` ${t("(typed)")}` : ""}`;
      li.append(when, what, code);
      $("log").prepend(li);
      this.entries.set(item.id, li);
      while ($("log").children.length > LOG_LENGTH) {
        const last = $("log").lastElementChild;
        this.entries.delete(last.dataset.scan);
        last.remove();
      }
      return li;
    },
    update(item, view) {
      const li = this.entries.get(item.id) || this.add(item);
      li.dataset.tone = view.tone;
      li.dataset.result = view.result;
      li.querySelector(".what").textContent = view.line || view.title;
    },
  };

  // ------------------------------------------------------------ sound and vibration
  let soundOn = localStorage.getItem(SOUND_KEY) !== "off";
  let audio = null;

  function unlockAudio() {
    // Browsers let a page make sound only after a tap or a key: create it then.
    const Context = window.AudioContext || window.webkitAudioContext;
    if (!audio && Context) audio = new Context();
    if (audio && audio.state === "suspended") audio.resume().catch(() => {});
  }

  function feedback(tone) {
    if (!soundOn) return;
    if (navigator.vibrate) navigator.vibrate(tone === "ok" ? 90 : tone === "bad" ? [220, 90, 220] : 40);
    if (!audio || audio.state !== "running") return;
    const notes = tone === "ok" ? [[1046, 0, 0.14]]
      : tone === "bad" ? [[196, 0, 0.2], [196, 0.28, 0.2]] : [[523, 0, 0.08]];
    const t0 = audio.currentTime;
    for (const [frequency, start, length] of notes) {
      const oscillator = audio.createOscillator();
      const gain = audio.createGain();
      oscillator.type = tone === "bad" ? "square" : "sine";
      oscillator.frequency.value = frequency;
      gain.gain.setValueAtTime(0.0001, t0 + start);
      gain.gain.exponentialRampToValueAtTime(0.3, t0 + start + 0.01);
      gain.gain.exponentialRampToValueAtTime(0.0001, t0 + start + length);
      oscillator.connect(gain).connect(audio.destination);
      oscillator.start(t0 + start);
      oscillator.stop(t0 + start + length + 0.02);
    }
  }

  function showSound() {
    $("sound").setAttribute("aria-pressed", String(soundOn));
  }

  // ------------------------------------------------------------------ the camera
  const video = $("video");
  const canvas = document.createElement("canvas");
  const context = canvas.getContext("2d", { willReadFrequently: true });
  const camera = { stream: null, running: false, timer: null, frames: 0,
                   detector: null, zxing: null, lastSeen: new Map() };
  let decodersReady = null;

  function cameraStatus(text) {
    $("camera-status").textContent = text;
  }

  function loadScript(src) {
    return new Promise((resolve, reject) => {
      const script = document.createElement("script");
      script.src = src;
      script.onload = resolve;
      script.onerror = () => reject(new Error(`could not load ${src}`));
      document.head.append(script);
    });
  }

  // BarcodeDetector where the browser has one (it reads QR codes), and the bundled
  // ZXing-C++ decoder (WebAssembly) for the rest, Micro QR codes included.
  async function prepareDecoders() {
    const names = [];
    if ("BarcodeDetector" in window) {
      try {
        const formats = await window.BarcodeDetector.getSupportedFormats();
        if (formats.includes("qr_code")) {
          camera.detector = new window.BarcodeDetector({ formats: ["qr_code"] });
          names.push("barcode-detector");
        }
      } catch {
        camera.detector = null;
      }
    }
    try {
      await loadScript(config.zxingJs);
      await window.ZXingWASM.prepareZXingModule({
        overrides: { locateFile: (path, prefix) => (path.endsWith(".wasm") ? config.zxingWasm
                                                                            : prefix + path) },
        fireImmediately: true,
      });
      camera.zxing = window.ZXingWASM;
      names.push("zxing-wasm");
    } catch (error) {
      console.warn("door: the bundled decoder could not start", error);
    }
    root.dataset.decoder = names.join("+") || "none";
  }

  async function startCamera() {
    if (!navigator.mediaDevices || !navigator.mediaDevices.getUserMedia) {
      cameraStatus(t("No camera here (it needs HTTPS): type the codes below."));
      $("camera-toggle").hidden = true;
      return;
    }
    cameraStatus(t("Starting the camera…"));
    try {
      camera.stream = await navigator.mediaDevices.getUserMedia({
        audio: false,
        video: { facingMode: { ideal: "environment" }, width: { ideal: 1280 },
                 height: { ideal: 720 } },
      });
    } catch (error) {
      cameraStatus(t("No camera ({error}): type the codes below.", { error: error.name }));
      $("camera-toggle").textContent = t("Try the camera");
      return;
    }
    video.srcObject = camera.stream;
    await video.play().catch(() => {});
    await decodersReady;
    if (!camera.detector && !camera.zxing) {
      cameraStatus(t("This browser cannot read QR codes: type the codes below."));
      return;
    }
    camera.running = true;
    $("camera-toggle").textContent = t("Pause camera");
    cameraStatus(t("Scanning: hold a ticket's code in the frame."));
    tick();
  }

  function stopCamera() {
    camera.running = false;
    clearTimeout(camera.timer);
    if (camera.stream) camera.stream.getTracks().forEach((track) => track.stop());
    camera.stream = null;
    video.srcObject = null;
    $("camera-toggle").textContent = t("Start camera");
    cameraStatus(t("Camera paused."));
  }

  async function tick() {
    if (!camera.running) return;
    if (!document.hidden && video.readyState >= 2 && video.videoWidth) {
      try {
        const code = await decodeFrame();
        if (code) seen(code);
      } catch (error) {
        console.warn("door: a frame could not be decoded", error);
      }
    }
    if (camera.running) camera.timer = setTimeout(tick, SCAN_EVERY_MS);
  }

  async function decodeFrame() {
    camera.frames += 1;
    if (camera.detector) {
      const found = await camera.detector.detect(video);
      if (found.length) return found[0].rawValue;
      // BarcodeDetector reads no Micro QR: every other frame, ask ZXing as well.
      if (camera.frames % 2) return null;
    }
    if (!camera.zxing) return null;
    const scale = Math.min(1, 800 / Math.max(video.videoWidth, video.videoHeight));
    const width = Math.round(video.videoWidth * scale);
    const height = Math.round(video.videoHeight * scale);
    if (canvas.width !== width) canvas.width = width;
    if (canvas.height !== height) canvas.height = height;
    context.drawImage(video, 0, 0, width, height);
    const results = await camera.zxing.readBarcodes(context.getImageData(0, 0, width, height), {
      formats: ["QRCode", "MicroQRCode"], tryHarder: true, maxNumberOfSymbols: 1,
    });
    const hit = results.find((result) => result.isValid && result.text);
    return hit ? hit.text : null;
  }

  function seen(code) {
    const now = Date.now();
    const last = camera.lastSeen.get(code);
    camera.lastSeen.set(code, now);
    for (const [other, at] of camera.lastSeen) {
      if (now - at > 60000) camera.lastSeen.delete(other);
    }
    if (last !== undefined && now - last < SAME_CODE_MS) return;  // still in view
    scan(code, "camera");
  }

  // ---------------------------------------------------------------------- counts
  async function refreshCounts() {
    if (document.hidden) return;
    try {
      const response = await fetch(config.countsUrl, { credentials: "same-origin",
                                                        headers: { Accept: "application/json" } });
      if (response.ok && !response.redirected) setCounts((await response.json()).counts);
    } catch {
      // Offline: the figures come back with the next answer.
    }
  }

  // ---------------------------------------------------------------------- wiring
  $("manual").addEventListener("submit", (event) => {
    event.preventDefault();
    unlockAudio();
    const input = $("code");
    const code = input.value;
    input.value = "";
    scan(code, "typed");
    input.focus();
  });
  $("camera-toggle").addEventListener("click", () => {
    unlockAudio();
    if (camera.running || camera.stream) stopCamera();
    else startCamera();
  });
  $("sound").addEventListener("click", () => {
    soundOn = !soundOn;
    try {
      localStorage.setItem(SOUND_KEY, soundOn ? "on" : "off");
    } catch {
      // Not kept: the choice lasts for this page.
    }
    unlockAudio();
    showSound();
  });
  $("result").addEventListener("click", hideResult);
  document.addEventListener("keydown", (event) => {
    unlockAudio();
    if (!$("result").hidden && !event.isComposing) hideResult();
  });
  document.addEventListener("pointerdown", unlockAudio);
  window.addEventListener("online", () => flush());
  document.addEventListener("visibilitychange", () => {
    if (!document.hidden) {
      flush();
      refreshCounts();
    }
  });

  showSound();
  showQueue();
  decodersReady = prepareDecoders();
  startCamera();
  flush();  // scans kept by an earlier page
  setInterval(refreshCounts, COUNTS_EVERY_MS);
})();
