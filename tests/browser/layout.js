// Element boxes of tests/browser/layout.py: read by page.evaluate with a list of selectors.
(selectors) => {
  const seen = (element) => element.checkVisibility({ checkOpacity: true, checkVisibilityCSS: true })
    && !element.closest('[aria-hidden="true"]');
  const width = document.documentElement.clientWidth;
  // Areas that scroll: what they cut is scrolled to. A grid's header follows its body's scroll.
  const scrolls = (element, style) => /auto|scroll/.test(style.overflowX + style.overflowY)
    || element.matches('.tabulator-header, .tabulator-header *');
  // The part of the window an element's scrolling areas show, and whether a box that does not
  // scroll (overflow: hidden) cuts it.
  const clipOf = (element) => {
    let clip = { left: -Infinity, top: -Infinity, right: Infinity, bottom: Infinity };
    let fixed = null;
    let searching = true; // past a scrolling area, the boxes outside it cut that area, not this
    for (let up = element.parentElement; up; up = up.parentElement) {
      const style = getComputedStyle(up);
      if (style.overflowX === 'visible' && style.overflowY === 'visible') continue;
      const u = up.getBoundingClientRect();
      clip = { left: Math.max(clip.left, u.left), top: Math.max(clip.top, u.top),
               right: Math.min(clip.right, u.right), bottom: Math.min(clip.bottom, u.bottom) };
      if (scrolls(up, style)) searching = false;
      else if (searching && !fixed) fixed = up;
    }
    return { clip, fixed };
  };
  // Text that does not fit: a text field's value wider than the field, or a line of the
  // element's visible text reaching out of its box (cut off, ellipsized or spilling over).
  const cut = (element) => {
    if (element.tagName === 'INPUT') return element.value !== '' && element.scrollWidth > element.clientWidth + 1;
    if (element.tagName === 'SELECT' || element.tagName === 'TEXTAREA') return false;
    const box = element.getBoundingClientRect();
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      if (!node.textContent.trim() || !seen(node.parentElement)) continue;
      const range = document.createRange();
      range.selectNodeContents(node);
      for (const r of range.getClientRects()) {
        if (r.width && (r.left < box.left - 1 || r.right > box.right + 1 || r.top < box.top - 1 || r.bottom > box.bottom + 1)) {
          return true;
        }
      }
    }
    return false;
  };
  const found = [];
  const elements = new Set();
  for (const selector of selectors) {
    for (const element of document.querySelectorAll(selector)) {
      if (elements.has(element) || !seen(element)) continue;
      const whole = element.getBoundingClientRect();
      if (whole.width <= 1 || whole.height <= 1) continue;  // text for screen readers only
      if (whole.right <= 0 || whole.left >= width) continue;  // off screen until focused
      const { clip, fixed } = clipOf(element);
      const boxes = [...element.getClientRects()].map((r) => ({
        left: Math.max(r.left, clip.left), top: Math.max(r.top, clip.top),
        right: Math.min(r.right, clip.right), bottom: Math.min(r.bottom, clip.bottom),
      })).filter((b) => b.right - b.left > 0.5 && b.bottom - b.top > 0.5);
      if (!boxes.length) continue;  // scrolled out of its area
      elements.add(element);
      const outer = fixed?.getBoundingClientRect();
      const hidden = outer && (whole.left < outer.left - 2 || whole.right > outer.right + 2);
      const label = (element.innerText || element.value || element.getAttribute('aria-label') || '')
        .trim().replace(/\s+/g, ' ').slice(0, 40);
      found.push({
        element, boxes,
        what: `${element.tagName.toLowerCase()}${element.id ? '#' + element.id : ''} "${label}"`,
        cut: cut(element),
        hidden: hidden ? `${fixed.tagName.toLowerCase()}.${[...fixed.classList].join('.')}`
          + ` (${Math.round(whole.left)} to ${Math.round(whole.right)} in ${Math.round(outer.left)} to ${Math.round(outer.right)})` : null,
      });
    }
  }
  const problems = [];
  if (document.documentElement.scrollWidth > width) {
    problems.push(`the page scrolls sideways: ${document.documentElement.scrollWidth} px in a ${width} px window`);
  }
  for (const one of found) {
    if (one.cut) problems.push(`${one.what} is cut: its content does not fit its box`);
    if (one.hidden) problems.push(`${one.what} is cut by ${one.hidden}, which does not scroll`);
    // What a scrolling area cuts is scrolled to; what reaches out of the window is not.
    const left = Math.min(...one.boxes.map((b) => b.left));
    const right = Math.max(...one.boxes.map((b) => b.right));
    if (left < -0.5 || right > width + 0.5) {
      problems.push(`${one.what} reaches outside the window (${Math.round(left)} to ${Math.round(right)} of ${width})`);
    }
  }
  const overlap = (a, b) => {
    const x = Math.min(a.right, b.right) - Math.max(a.left, b.left);
    const y = Math.min(a.bottom, b.bottom) - Math.max(a.top, b.top);
    return x > 0.5 && y > 0.5 ? `${Math.round(x)}×${Math.round(y)} px` : null;
  };
  for (let i = 0; i < found.length; i++) {
    for (let j = i + 1; j < found.length; j++) {
      const a = found[i], b = found[j];
      if (a.element.contains(b.element) || b.element.contains(a.element)) continue;
      const by = a.boxes.flatMap((x) => b.boxes.map((y) => overlap(x, y))).find(Boolean);
      if (by) problems.push(`${a.what} overlaps ${b.what} by ${by}`);
    }
  }
  return { count: found.length, problems };
}
