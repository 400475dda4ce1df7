// The image viewer of the asset page and review mode: fit to screen, 100% view, a 100% zoom
// loupe, check overlays, region annotations (shown, and drawn for a gate decision) and
// comparison of two versions (or a version and the reference swatch) side by side or by
// swipe. Plain JS, no dependencies; without it the page still shows the image and links.
(function () {
  "use strict";

  function parseJson(text, fallback) {
    try { return text ? JSON.parse(text) : fallback; } catch (e) { return fallback; }
  }

  function el(tag, attrs, children) {
    const node = document.createElement(tag);
    Object.entries(attrs || {}).forEach(([k, v]) => {
      if (k === "text") node.textContent = v; else node.setAttribute(k, v);
    });
    (children || []).forEach((c) => node.appendChild(c));
    return node;
  }

  const SVG = "http://www.w3.org/2000/svg";

  function Viewer(root) {
    this.root = root;
    this.stage = root.querySelector("[data-stage]");
    this.canvas = root.querySelector("[data-canvas]");
    this.img = root.querySelector("img[data-main]");
    this.loupe = root.querySelector("[data-loupe]");
    this.svg = root.querySelector("svg[data-regions]");
    this.fullUrl = root.dataset.full;
    this.previewUrl = root.dataset.preview;
    this.width = parseInt(root.dataset.width || "0", 10);
    this.height = parseInt(root.dataset.height || "0", 10);
    this.shown = parseJson(root.dataset.annotations, []);
    this.drawn = [];
    this.mode = "fit";
    this.loupeOn = false;
    this.drawing = false;
    this.output = document.querySelector(root.dataset.annotationsField || "#annotations-field");
    this.list = document.querySelector(root.dataset.regionList || "#region-list");
    this.bind();
    this.ensureSize().then(() => this.paint());
  }

  Viewer.prototype.ensureSize = function () {
    if (this.width && this.height) return Promise.resolve();
    // The original's size is only known from the full-resolution preview: load it once.
    return new Promise((resolve) => {
      const probe = new Image();
      probe.onload = () => { this.width = probe.naturalWidth; this.height = probe.naturalHeight; resolve(); };
      probe.onerror = () => resolve();
      probe.src = this.fullUrl;
    });
  };

  // Fit to screen means the whole image as large as the stage allows: small images are
  // scaled up too (with visible pixels), which CSS max-width alone cannot do.
  Viewer.prototype.fit = function () {
    const img = this.img;
    if (this.mode !== "fit" || !img.naturalWidth) return;
    const room = Math.min(this.stage.clientWidth / img.naturalWidth, (window.innerHeight * 0.7) / img.naturalHeight);
    img.style.width = Math.max(1, Math.floor(img.naturalWidth * room)) + "px";
    img.style.imageRendering = room > 2 ? "pixelated" : "";
  };

  Viewer.prototype.bind = function () {
    this.img.addEventListener("load", () => this.fit());
    if (this.img.complete) this.fit();
    window.addEventListener("resize", () => this.fit());
    this.root.querySelectorAll("[data-action]").forEach((button) => {
      button.addEventListener("click", () => this.act(button.dataset.action));
    });
    this.canvas.addEventListener("mousemove", (e) => this.moveLoupe(e));
    this.canvas.addEventListener("mouseleave", () => { this.loupe.hidden = true; });
    this.canvas.addEventListener("mousedown", (e) => this.startDraw(e));
    this.root.querySelectorAll("input[data-overlay]").forEach((box) => {
      box.addEventListener("change", () => this.toggleOverlay(box));
    });
    document.querySelectorAll("input[data-overlay-for='" + this.root.id + "']").forEach((box) => {
      box.addEventListener("change", () => this.toggleOverlay(box));
    });
  };

  Viewer.prototype.act = function (action) {
    if (action === "fit") this.setMode("fit");
    else if (action === "actual") this.setMode(this.mode === "actual" ? "fit" : "actual");
    else if (action === "loupe") this.toggleLoupe();
    else if (action === "draw") this.toggleDraw();
  };

  Viewer.prototype.pressed = function (action, on) {
    const button = this.root.querySelector("[data-action='" + action + "']");
    if (button) button.setAttribute("aria-pressed", on ? "true" : "false");
  };

  Viewer.prototype.setMode = function (mode) {
    this.mode = mode;
    this.root.classList.toggle("is-actual", mode === "actual");
    // 100% means one image pixel per screen pixel: the full-resolution preview, unscaled.
    this.img.src = mode === "actual" ? this.fullUrl : this.previewUrl;
    if (mode === "actual") { this.img.style.width = ""; this.img.style.imageRendering = "pixelated"; }
    else this.fit();
    this.pressed("fit", mode === "fit");
    this.pressed("actual", mode === "actual");
    if (mode === "actual") { this.loupeOn = false; this.pressed("loupe", false); this.loupe.hidden = true; }
  };

  Viewer.prototype.toggleLoupe = function () {
    if (this.mode !== "fit") this.setMode("fit");
    this.loupeOn = !this.loupeOn;
    this.pressed("loupe", this.loupeOn);
    if (!this.loupeOn) { this.loupe.hidden = true; return; }
    if (!this.fullReady) {
      // The lens shows nothing until the full-resolution pixels are here.
      const full = new Image();
      full.onload = () => {
        this.fullReady = true;
        this.loupe.style.backgroundImage = "url('" + this.fullUrl + "')";
        if (this.lastMove) this.moveLoupe(this.lastMove);
      };
      full.src = this.fullUrl;
    }
  };

  Viewer.prototype.moveLoupe = function (event) {
    this.lastMove = event;
    if (!this.loupeOn || !this.fullReady || this.drawing || !this.width) return;
    const box = this.img.getBoundingClientRect();
    const x = event.clientX - box.left, y = event.clientY - box.top;
    if (x < 0 || y < 0 || x > box.width || y > box.height) { this.loupe.hidden = true; return; }
    const size = this.loupe.offsetWidth || 240;
    const px = (x / box.width) * this.width, py = (y / box.height) * this.height;
    this.loupe.hidden = false;
    this.loupe.style.left = (x - size / 2) + "px";
    this.loupe.style.top = (y - size / 2) + "px";
    this.loupe.style.backgroundSize = this.width + "px " + this.height + "px";
    this.loupe.style.backgroundPosition = (size / 2 - px) + "px " + (size / 2 - py) + "px";
  };

  Viewer.prototype.toggleOverlay = function (box) {
    const id = "overlay-" + box.value;
    let layer = this.canvas.querySelector("#" + CSS.escape(id));
    if (box.checked && !layer) {
      layer = el("img", { id: id, class: "viewer-overlay", src: box.dataset.src, alt: box.value + " overlay" });
      this.canvas.appendChild(layer);
    } else if (!box.checked && layer) {
      layer.remove();
    }
  };

  // Regions: shown ones come from earlier decisions on this version; drawn ones go with
  // the decision being made. Both are in pixels of the original, so the SVG's viewBox is
  // the original's size and it scales with the image in either mode.
  Viewer.prototype.paint = function () {
    if (!this.svg || !this.width) return;
    this.svg.setAttribute("viewBox", "0 0 " + this.width + " " + this.height);
    while (this.svg.firstChild) this.svg.removeChild(this.svg.firstChild);
    const add = (r, cls, label) => {
      const rect = document.createElementNS(SVG, "rect");
      [["x", r.x], ["y", r.y], ["width", r.w], ["height", r.h], ["class", cls]].forEach(([k, v]) => rect.setAttribute(k, v));
      const title = document.createElementNS(SVG, "title");
      title.textContent = label;
      rect.appendChild(title);
      this.svg.appendChild(rect);
    };
    this.shown.forEach((r) => add(r, "region-shown", (r.gate ? r.gate + ": " : "") + (r.note || "region")));
    this.drawn.forEach((r, i) => add(r, "region-drawn", (i + 1) + ". " + (r.note || "new region")));
    if (this.output) this.output.value = this.drawn.length ? JSON.stringify(this.drawn) : "";
  };

  Viewer.prototype.toggleDraw = function () {
    this.drawMode = !this.drawMode;
    this.root.classList.toggle("is-drawing", this.drawMode);
    this.pressed("draw", this.drawMode);
    if (this.drawMode && this.loupeOn) this.toggleLoupe();
  };

  Viewer.prototype.toImage = function (event) {
    const box = this.img.getBoundingClientRect();
    const clamp = (v, max) => Math.max(0, Math.min(max, v));
    return {
      x: clamp(((event.clientX - box.left) / box.width) * this.width, this.width),
      y: clamp(((event.clientY - box.top) / box.height) * this.height, this.height),
    };
  };

  Viewer.prototype.startDraw = function (event) {
    if (!this.drawMode || !this.width || event.button !== 0) return;
    event.preventDefault();
    this.drawing = true;
    const start = this.toImage(event);
    const region = { x: start.x, y: start.y, w: 0, h: 0, note: "" };
    this.drawn.push(region);
    const move = (e) => {
      const now = this.toImage(e);
      region.x = Math.min(start.x, now.x); region.y = Math.min(start.y, now.y);
      region.w = Math.abs(now.x - start.x); region.h = Math.abs(now.y - start.y);
      this.paint();
    };
    const up = () => {
      document.removeEventListener("mousemove", move);
      document.removeEventListener("mouseup", up);
      this.drawing = false;
      if (region.w < 2 || region.h < 2) { this.drawn.pop(); this.paint(); return; }
      ["x", "y", "w", "h"].forEach((k) => { region[k] = Math.round(region[k]); });
      this.paint();
      this.listRegion(region);
    };
    document.addEventListener("mousemove", move);
    document.addEventListener("mouseup", up);
  };

  Viewer.prototype.listRegion = function (region) {
    if (!this.list) return;
    const n = this.drawn.length;
    const note = el("input", { type: "text", placeholder: "what is wrong here", "aria-label": "Note for region " + n, class: "region-note" });
    note.addEventListener("input", () => { region.note = note.value; this.paint(); });
    const remove = el("button", { type: "button", class: "secondary small", text: "Remove" });
    const row = el("li", {}, [el("span", { text: "Region " + n + " (" + region.x + ", " + region.y + ", " + region.w + " x " + region.h + ") " }), note, remove]);
    remove.addEventListener("click", () => {
      this.drawn.splice(this.drawn.indexOf(region), 1);
      row.remove();
      this.paint();
    });
    this.list.appendChild(row);
    note.focus();
  };

  // Compare: two sources (versions, or the reference swatch), side by side or by swipe.
  function Compare(root) {
    this.root = root;
    this.sources = parseJson(root.dataset.sources, []);
    this.a = root.querySelector("select[data-compare='a']");
    this.b = root.querySelector("select[data-compare='b']");
    this.modes = root.querySelectorAll("input[name='compare-mode']");
    this.out = root.querySelector("[data-compare-out]");
    this.slider = root.querySelector("input[data-swipe]");
    [this.a, this.b].forEach((s) => s.addEventListener("change", () => this.render()));
    this.modes.forEach((m) => m.addEventListener("change", () => this.render()));
    this.slider.addEventListener("input", () => this.swipe());
    this.render();
  }

  Compare.prototype.source = function (select) {
    return this.sources.find((s) => s.id === select.value) || this.sources[0];
  };

  Compare.prototype.face = function (src) {
    if (src.color) {
      return el("div", { class: "swatch-face", style: "background:" + src.color, role: "img", "aria-label": src.label });
    }
    return el("img", { src: src.preview, alt: src.label, loading: "lazy" });
  };

  Compare.prototype.render = function () {
    const mode = Array.from(this.modes).find((m) => m.checked);
    const a = this.source(this.a), b = this.source(this.b);
    if (!a || !b) return;
    this.out.innerHTML = "";
    const swipe = mode && mode.value === "swipe";
    this.slider.parentElement.hidden = !swipe;
    if (!swipe) {
      this.out.className = "compare-side";
      [a, b].forEach((s) => this.out.appendChild(el("figure", {}, [this.face(s), el("figcaption", { text: s.label })])));
      return;
    }
    this.out.className = "compare-swipe";
    const under = this.face(a), over = this.face(b);
    over.classList.add("swipe-over");
    this.out.appendChild(under);
    this.out.appendChild(over);
    this.out.appendChild(el("p", { class: "muted", text: "left: " + a.label + " · right: " + b.label }));
    this.swipe();
  };

  Compare.prototype.swipe = function () {
    const over = this.out.querySelector(".swipe-over");
    if (over) over.style.clipPath = "inset(0 0 0 " + this.slider.value + "%)";
  };

  function start() {
    window.shotlineViewers = [];
    document.querySelectorAll("[data-viewer]").forEach((root) => {
      root.classList.add("js");
      window.shotlineViewers.push(new Viewer(root));
    });
    document.querySelectorAll("[data-compare-root]").forEach((root) => new Compare(root));
    // Keys work anywhere but in a text field: z 100%, 0 fit, l loupe, r draw a region.
    document.addEventListener("keydown", (event) => {
      const t = event.target;
      if (event.ctrlKey || event.metaKey || event.altKey) return;
      if (t && (t.isContentEditable || /^(INPUT|TEXTAREA|SELECT)$/.test(t.tagName) && t.type !== "radio" && t.type !== "checkbox")) return;
      const viewer = window.shotlineViewers[0];
      if (!viewer) return;
      const actions = { z: "actual", "0": "fit", l: "loupe", r: "draw" };
      if (actions[event.key]) { event.preventDefault(); viewer.act(actions[event.key]); }
    });
  }

  if (document.readyState === "loading") document.addEventListener("DOMContentLoaded", start);
  else start();
})();
