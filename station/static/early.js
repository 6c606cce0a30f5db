// A press on a button that only htmx makes work (type="button" with hx-get/hx-post/...)
// can land before htmx has wired the page: a slow PC, a busy bench. Such presses are kept
// and made again once htmx has wired the page, so a person's press is never lost.
// Loaded before the page's body, without defer, so it is listening from the first paint.
(() => {
  const HTMX_BUTTON =
    'button[type="button"]:is([hx-get], [hx-post], [hx-put], [hx-patch], [hx-delete])';
  const held = [];
  let wired = false;
  document.addEventListener(
    "click",
    (event) => {
      if (wired || !(event.target instanceof Element)) return;
      const button = event.target.closest(HTMX_BUTTON);
      if (!button) return;
      event.stopImmediatePropagation();
      if (!held.includes(button)) held.push(button);
    },
    true,
  );
  // htmx fires htmx:load on the body once it has processed the whole page.
  document.addEventListener(
    "htmx:load",
    () => {
      wired = true;
      for (const button of held.splice(0)) button.click();
    },
    { once: true },
  );
})();
