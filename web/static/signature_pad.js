// The signature pad of the signer page (docs/signer-pages.md, "Drawn signature"): a canvas
// drawn on with pointer events (mouse, touch and pen alike), a Clear button, and a keyboard
// alternative that writes a typed name in the system's script font (no web font is loaded).
// The drawing is sent as a PNG (base64, without the data: prefix).

// Backing-store pixels per CSS pixel, capped so that the PNG stays well under the server's
// limits (SIGN_DRAWN_MAX_WIDTH x SIGN_DRAWN_MAX_HEIGHT, 256 KiB).
const MAX_SCALE = 2;
const INK = '#1a237e';
// Script-like system fonts; `cursive` is the generic fallback every browser has.
const SCRIPT_FONT = '"Segoe Script", "Brush Script MT", "Apple Chancery", "URW Chancery L", "Z003", cursive';

export class SignaturePad {
  /** canvas: the <canvas>; onChange(empty) is called when the drawing changes. */
  constructor(canvas, onChange = () => {}) {
    this.canvas = canvas;
    this.onChange = onChange;
    this.empty = true;
    this.last = null;
    this.pointer = null;
    canvas.addEventListener('pointerdown', (e) => this.down(e));
    canvas.addEventListener('pointermove', (e) => this.move(e));
    for (const type of ['pointerup', 'pointercancel', 'lostpointercapture']) {
      canvas.addEventListener(type, (e) => this.up(e));
    }
    // Resizing the window keeps an empty pad sharp; a drawing keeps its pixels (scaled by CSS).
    window.addEventListener('resize', () => { if (this.empty) this.fit(); });
  }

  /** Sizes the backing store to the canvas's CSS size (call once it is visible). */
  fit() {
    const r = this.canvas.getBoundingClientRect();
    if (r.width === 0) return;
    const scale = Math.min(window.devicePixelRatio || 1, MAX_SCALE);
    this.canvas.width = Math.round(r.width * scale);
    this.canvas.height = Math.round(r.height * scale);
    this.clear();
  }

  context() {
    const ctx = this.canvas.getContext('2d');
    ctx.strokeStyle = INK;
    ctx.fillStyle = INK;
    ctx.lineCap = 'round';
    ctx.lineJoin = 'round';
    ctx.lineWidth = Math.max(2, this.canvas.width / 180);
    return ctx;
  }

  point(e) {
    const r = this.canvas.getBoundingClientRect();
    return {
      x: ((e.clientX - r.left) * this.canvas.width) / r.width,
      y: ((e.clientY - r.top) * this.canvas.height) / r.height,
    };
  }

  down(e) {
    if (this.pointer !== null || (e.pointerType === 'mouse' && e.button !== 0)) return;
    e.preventDefault();
    this.pointer = e.pointerId;
    this.canvas.setPointerCapture?.(e.pointerId);
    this.last = this.point(e);
    // A tap leaves a dot.
    const ctx = this.context();
    ctx.beginPath();
    ctx.arc(this.last.x, this.last.y, ctx.lineWidth / 2, 0, 2 * Math.PI);
    ctx.fill();
    this.changed(false);
  }

  move(e) {
    if (e.pointerId !== this.pointer) return;
    e.preventDefault();
    const events = e.getCoalescedEvents ? e.getCoalescedEvents() : [];
    const ctx = this.context();
    const base = ctx.lineWidth;
    ctx.beginPath();
    ctx.moveTo(this.last.x, this.last.y);
    for (const c of events.length ? events : [e]) {
      const p = this.point(c);
      // Pens report pressure: a firmer stroke is a little wider.
      if (c.pointerType === 'pen' && c.pressure > 0) ctx.lineWidth = base * (0.6 + c.pressure * 0.8);
      ctx.lineTo(p.x, p.y);
      this.last = p;
    }
    ctx.stroke();
  }

  up(e) {
    if (e.pointerId !== this.pointer) return;
    this.pointer = null;
    this.last = null;
  }

  clear() {
    this.canvas.getContext('2d').clearRect(0, 0, this.canvas.width, this.canvas.height);
    this.changed(true);
  }

  /** Writes name in a script font, replacing the drawing (the keyboard way to sign). */
  write(name) {
    const text = name.trim();
    this.canvas.getContext('2d').clearRect(0, 0, this.canvas.width, this.canvas.height);
    if (!text) {
      this.changed(true);
      return;
    }
    const ctx = this.context();
    const w = this.canvas.width;
    const h = this.canvas.height;
    let size = h * 0.55;
    ctx.font = `italic ${size}px ${SCRIPT_FONT}`;
    const width = ctx.measureText(text).width;
    if (width > w * 0.9) {
      size *= (w * 0.9) / width;
      ctx.font = `italic ${size}px ${SCRIPT_FONT}`;
    }
    ctx.textAlign = 'center';
    ctx.textBaseline = 'middle';
    ctx.fillText(text, w / 2, h / 2);
    this.changed(false);
  }

  changed(empty) {
    this.empty = empty;
    this.onChange(empty);
  }

  /** The drawing as base64 PNG bytes (no data: prefix), or null when empty. */
  png() {
    if (this.empty) return null;
    const url = this.canvas.toDataURL('image/png');
    return url.slice(url.indexOf(',') + 1);
  }
}
