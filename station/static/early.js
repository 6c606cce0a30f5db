// A press on a button that only htmx makes work (type="button" with hx-get/hx-post/...)
// can land before htmx has wired that button: before htmx has loaded (a slow PC, a busy
// bench), or in the moment between an answer's content being swapped in (htmx marks it
// htmx-added) and htmx settling it and wiring what it holds. Such a press is kept and made
// again as soon as htmx has wired the button, so a person's press is never lost.
// A choice made in a field htmx watches (change) before htmx has wired the page is made
// again the same way. Loaded before the page's body, without defer, so it is listening
// from the first paint.
(() => {
  const SEARCH_BOX = 'input[type="search"][hx-get]';
  const HTMX_BUTTON =
    'button[type="button"]:is([hx-get], [hx-post], [hx-put], [hx-patch], [hx-delete])';
  // htmx fires htmx:load on the body once it has wired the page, and on each piece of
  // swapped-in content once it has wired that.
  let pageWired = false;
  document.addEventListener("htmx:load", () => { pageWired = true; }, { once: true });

  const held = new WeakSet();
  document.addEventListener(
    "click",
    (event) => {
      if (!(event.target instanceof Element)) return;
      const button = event.target.closest(HTMX_BUTTON);
      const unwired = pageWired ? button?.closest(".htmx-added") : button && document;
      if (!unwired) return;
      event.stopImmediatePropagation();
      if (held.has(button)) return;
      held.add(button);
      const pressAgain = () => {
        held.delete(button);
        button.click();
      };
      unwired.addEventListener("htmx:load", pressAgain, { once: true });
    },
    true,
  );

  // A form that asks first (data-confirm: deleting, revoking) is sent only once the
  // person says yes; a select marked data-submit-on-change sends its form. These live
  // here rather than in inline handlers, which the Content-Security-Policy forbids.
  document.addEventListener(
    "submit",
    (event) => {
      const form = event.target;
      if (!(form instanceof HTMLFormElement) || !form.dataset.confirm) return;
      if (window.confirm(form.dataset.confirm)) return;
      event.preventDefault();
      event.stopImmediatePropagation();
    },
    true,
  );
  document.addEventListener("change", (event) => {
    const field = event.target;
    if (field instanceof Element && field.hasAttribute("data-submit-on-change")) {
      field.form?.requestSubmit();
    }
  });
  // A value to copy (a print agent's token) is selected whole when its box is focused.
  document.addEventListener("focusin", (event) => {
    const field = event.target;
    if (field instanceof HTMLInputElement && field.hasAttribute("data-select-on-focus")) {
      field.select();
    }
  });

  // A search box htmx searches from by itself (input[type=search][hx-get]): its change
  // (on leaving the box) is not its form's, which would search again; and a box that
  // holds text the page was not drawn with when htmx wires it (typed before htmx had
  // loaded, or kept by the browser on Back) searches then.
  document.addEventListener(
    "change",
    (event) => {
      if (event.target instanceof Element && event.target.matches(SEARCH_BOX)) {
        event.stopPropagation();
      }
    },
    true,
  );
  document.addEventListener(
    "htmx:load",
    () => {
      for (const box of document.querySelectorAll(SEARCH_BOX)) {
        if (box.value !== box.defaultValue) box.dispatchEvent(new Event("search"));
      }
    },
    { once: true },
  );

  // A choice made before htmx has wired the page (a filter's select, a date) is the same:
  // htmx never heard of it, so the change is made again once htmx has wired the page.
  document.addEventListener(
    "change",
    (event) => {
      const field = event.target;
      if (pageWired || !(field instanceof Element)) return;
      if (field.hasAttribute("data-submit-on-change")) return; // its form was sent already
      if (!field.closest("[hx-get], [hx-post]")) return;
      const changeAgain = () => field.dispatchEvent(new Event("change", { bubbles: true }));
      document.addEventListener("htmx:load", changeAgain, { once: true });
    },
    true,
  );
})();
