// The bench's feedback: short Web Audio beeps when htmx reports what happened (HX-Trigger
// events from the server), a mute remembered in this browser, and focus for the weight.
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
