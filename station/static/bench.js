// The bench's feedback: short Web Audio beeps when htmx reports what happened (HX-Trigger
// events from the server), a mute remembered in this browser, focus for the weight, Enter
// from any field of the open order, and scans that land in the weight box.
(() => {
  "use strict";

  const MUTED_KEY = "station.bench.muted";
  // [frequency Hz, seconds, waveform]: high and rising for a label, a tick for an item,
  // a low buzz for anything refused.
  const SOUNDS = {
    "bench:shipped": [[880, 0.09, "sine"], [1320, 0.14, "sine"]],
    "bench:item": [[1050, 0.06, "sine"]],
    "bench:error": [[150, 0.4, "square"]],
  };
  let audio = null;

  const isMuted = () => localStorage.getItem(MUTED_KEY) === "1";

  function play(tones) {
    if (isMuted() || !window.AudioContext) return;
    audio = audio || new AudioContext();
    let at = audio.currentTime;
    for (const [frequency, seconds, wave] of tones) {
      const tone = audio.createOscillator();
      const volume = audio.createGain();
      tone.type = wave;
      tone.frequency.value = frequency;
      volume.gain.setValueAtTime(0.2, at);
      volume.gain.exponentialRampToValueAtTime(0.001, at + seconds);
      tone.connect(volume).connect(audio.destination);
      tone.start(at);
      tone.stop(at + seconds);
      at += seconds;
    }
  }

  for (const [event, tones] of Object.entries(SOUNDS)) {
    document.body.addEventListener(event, () => {
      document.body.dataset.feedback = event.slice("bench:".length);
      play(tones);
    });
  }
  // Price lookups (GET) keep the last result's colour; any other request clears it.
  document.body.addEventListener("htmx:beforeRequest", (event) => {
    if (event.detail.requestConfig.verb !== "get") delete document.body.dataset.feedback;
  });
  // Every item is scanned: the weight is next.
  document.body.addEventListener("bench:items-complete", () => {
    document.getElementById("weight")?.focus();
  });

  // Parcels: "+" (or Insert) in a parcel row adds a row and puts the cursor in its weight;
  // Enter moves on to the next parcel and ships from the last; Backspace (or Delete) in
  // an added row's empty weight box removes that row. Row 1 keeps #weight.
  const FIELDS = [[".parcel-weight", "weight"], [".parcel-preset", "preset-choice"], [".parcel-size", "dimensions"]];
  const rowsOf = (box) => [...box.querySelectorAll(".parcel-row")];

  function renumber(box) {
    rowsOf(box).forEach((row, i) => {
      const n = i + 1;
      row.dataset.row = String(n);
      row.querySelector(".parcel-number").textContent = String(n);
      if (n > 1) for (const [field, id] of FIELDS) row.querySelector(field).id = `${id}-${n}`;
    });
    box.dispatchEvent(new Event("bench:parcels"));  // prices for the whole consignment again
  }

  function addRow(box) {
    const rows = rowsOf(box);
    const max = Number(box.dataset.max || 20);
    if (rows.length >= max) {
      const note = document.getElementById("parcel-keys");
      note.textContent = `One consignment takes at most ${max} parcels.`;
      note.classList.add("bad");
      document.body.dispatchEvent(new Event("bench:error"));
      return null;
    }
    const row = box.querySelector("#parcel-row-template").content.firstElementChild.cloneNode(true);
    rows[rows.length - 1].after(row);
    renumber(box);
    return row;
  }

  document.addEventListener("keydown", (event) => {
    const row = event.target.closest?.(".parcel-row");
    const box = row?.closest("#bench-parcels");
    if (!box || event.ctrlKey || event.metaKey || event.altKey) return;
    const rows = rowsOf(box);
    const next = rows[rows.indexOf(row) + 1];
    if (event.key === "+" || event.key === "Insert") {
      event.preventDefault();
      addRow(box)?.querySelector(".parcel-weight").focus();
    } else if (event.key === "Enter" && next) {
      event.preventDefault();
      next.querySelector(".parcel-weight").focus();
    } else if (event.key === "Enter" && event.target.tagName === "SELECT") {
      event.preventDefault();  // a select never submits by itself: Enter on the last row ships
      box.closest("form").requestSubmit();
    } else if (
      (event.key === "Backspace" || event.key === "Delete") &&
      event.target.matches(".parcel-weight") && !event.target.value && rows.indexOf(row) > 0
    ) {
      event.preventDefault();
      const before = rows[rows.indexOf(row) - 1];
      row.remove();
      renumber(box);
      before.querySelector(".parcel-weight").focus();
    }
  });
  // "Split into N parcels" (offered for a weight no parcel can have) adds the rows.
  document.addEventListener("click", (event) => {
    const button = event.target.closest?.("[data-add-parcels]");
    const box = document.getElementById("bench-parcels");
    if (!button || !box) return;
    while (rowsOf(box).length < Number(button.dataset.addParcels) && addRow(box));
    rowsOf(box)[1]?.querySelector(".parcel-weight").focus();
  });

  // A mistake in the open order (a bad weight, a service that cannot take it): the server
  // put the reason beside the field; the cursor goes back into it, its text selected so
  // the next keys replace it. The order stays open.
  document.body.addEventListener("bench:fix", (event) => {
    const field = document.querySelector(`.ship-form [name="${CSS.escape(event.detail.value)}"]`);
    if (!field) return;
    field.setAttribute("aria-invalid", "true");
    field.focus();
    if (field.select) field.select();
  });
  document.body.addEventListener("input", (event) => {
    const field = event.target;
    if (!field.form?.classList.contains("ship-form") || !field.hasAttribute("aria-invalid")) return;
    field.removeAttribute("aria-invalid");
    const reason = document.getElementById(`${field.name}-error`);
    if (reason) reason.hidden = true;
  });

  // A barcode scanner types like a keyboard, but a few ms a key and then Enter. A scan that
  // lands in the weight box is marked, and the server refuses it rather than ship it as
  // kilograms (it also refuses item codes and barcode-length numbers on its own).
  const SCAN_GAP_MS = 50;
  const SCAN_MIN_KEYS = 6;
  // The run is one box's: a packer's "+" and quick weights over several parcel rows are
  // keys into different boxes, never one scan.
  let run = [];
  let runBox = null;
  document.body.addEventListener("keydown", (event) => {
    const box = event.target;
    const form = box.form;
    if (!form?.classList.contains("ship-form")) return;
    if (event.key !== "Enter") {
      if (box.name !== "weight" || event.key.length !== 1 || event.key === "+") return;
      const marked = form.elements.namedItem("weight_keyed");
      if (marked) marked.value = "";
      if (box !== runBox || (run.length && event.timeStamp - run[run.length - 1] > SCAN_GAP_MS)) run = [];
      runBox = box;
      run.push(event.timeStamp);
      return;
    }
    const last = run[run.length - 1];
    const scanned =
      box === runBox && run.length >= SCAN_MIN_KEYS && event.timeStamp - last <= SCAN_GAP_MS;
    run = [];
    runBox = null;
    const keyed = form.elements.namedItem("weight_keyed");
    if (keyed) keyed.value = scanned ? "scanner" : "";
    // Enter ships from any field of the open order; a select does not submit by itself.
    // (A parcel row's select is the parcel rows' own: the next row, or ship from the last.)
    if (
      box.tagName === "SELECT" && !box.closest(".parcel-row") &&
      !event.altKey && !event.ctrlKey && !event.metaKey
    ) {
      event.preventDefault();
      form.requestSubmit();
    }
  });

  // htmx wires a form swapped in by the last answer a moment later (when it settles); a
  // scanner's Enter in that moment would submit it natively and leave the bench for a bare
  // URL. Such a submit is stopped, the form wired at once and sent again through htmx.
  const rewired = new WeakSet();
  document.addEventListener("submit", (event) => {
    const form = event.target;
    if (event.defaultPrevented || !form.matches?.("[hx-post], [hx-get]")) return;
    event.preventDefault();
    if (rewired.has(form)) return;
    rewired.add(form);
    htmx.process(form);
    const submitter = event.submitter;
    setTimeout(() => form.requestSubmit(submitter));  // not while this submit is still firing
  });

  const mute = document.getElementById("bench-mute");
  const showMute = () => {
    mute.setAttribute("aria-pressed", String(isMuted()));
    mute.textContent = isMuted() ? "Sound off" : "Sound on";
  };
  mute.addEventListener("click", () => {
    localStorage.setItem(MUTED_KEY, isMuted() ? "0" : "1");
    showMute();
  });
  showMute();
})();
