// A panel that slides in from the right: focus moves in, stays in, and returns on close.

const FOCUSABLE = "button, input, select, textarea, a[href], [tabindex]:not([tabindex='-1'])";

export function slidePanel(panel, opener, backdrop, closer) {
  const focusables = () => [...panel.querySelectorAll(FOCUSABLE)].filter((el) => !el.disabled && el.offsetParent);

  const close = () => {
    panel.classList.remove("open");
    backdrop.classList.remove("open");
    opener.setAttribute("aria-expanded", "false");
    setTimeout(() => {
      panel.hidden = true;
      backdrop.hidden = true;
    }, 200);
    opener.focus();
  };

  const open = (first) => {
    panel.hidden = false;
    backdrop.hidden = false;
    opener.setAttribute("aria-expanded", "true");
    requestAnimationFrame(() => {
      panel.classList.add("open");
      backdrop.classList.add("open");
      (first ?? focusables()[0])?.focus();
    });
  };

  panel.addEventListener("keydown", (event) => {
    if (event.key === "Escape") {
      event.preventDefault();
      close();
    } else if (event.key === "Tab") {
      const all = focusables();
      const [first, last] = [all[0], all.at(-1)];
      if (event.shiftKey && document.activeElement === first) {
        event.preventDefault();
        last.focus();
      } else if (!event.shiftKey && document.activeElement === last) {
        event.preventDefault();
        first.focus();
      }
    }
  });
  closer.addEventListener("click", close);
  backdrop.addEventListener("click", close);
  return { open, close };
}
