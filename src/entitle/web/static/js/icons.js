// Inline SVG icons; decorative, so hidden from assistive technology (buttons carry labels).

const svg = (body) =>
  `<svg viewBox="0 0 24 24" aria-hidden="true" focusable="false">${body}</svg>`;
const stroke = 'fill="none" stroke="currentColor" stroke-width="2" stroke-linecap="round" stroke-linejoin="round"';

export const CARET = svg(`<path d="m9 6 6 6-6 6" ${stroke}/>`);
export const CHECK_IN = svg(`<path d="M5 12.5 10 17.5 19 7" ${stroke}/>`);
export const DOWNLOAD = svg(`<path d="M12 4v11M7 10l5 5 5-5M5 20h14" ${stroke}/>`);
export const FILTER = svg(`<path d="M4 5h16l-6 7.5V19l-4-2v-4.5L4 5Z" ${stroke}/>`);
