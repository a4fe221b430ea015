// A bar chart of booked hours per day or month, drawn as SVG with DOM calls: no chart library,
// and no style attributes (the CSP forbids them), only classes and SVG geometry.

import { locale, t } from "./i18n.js";

const SVG = "http://www.w3.org/2000/svg";
const HEIGHT = 260;
const MARGIN = { top: 12, right: 12, bottom: 30, left: 52 };
const hoursFormat = new Intl.NumberFormat(locale, { maximumFractionDigits: 1 });

function node(name, attributes = {}, text) {
  const element = document.createElementNS(SVG, name);
  for (const [key, value] of Object.entries(attributes)) element.setAttribute(key, String(value));
  if (text !== undefined) element.textContent = text;
  return element;
}

/** A round step so that about four gridlines span 0..max hours. */
function step(maxHours) {
  if (maxHours <= 0) return 1;
  const rough = maxHours / 4;
  const power = 10 ** Math.floor(Math.log10(rough));
  const nice = [1, 2, 2.5, 5, 10].find((m) => m * power >= rough) ?? 10;
  return nice * power;
}

/**
 * Draw one bar per bucket into ``container``. Buckets are ``{key, label, minutes, title}`` in
 * order; ``summary`` names the chart for assistive technology.
 */
export function drawBars(container, buckets, { summary }, left = MARGIN.left) {
  const width = Math.max(container.clientWidth, 320);
  const plotWidth = width - left - MARGIN.right;
  const plotHeight = HEIGHT - MARGIN.top - MARGIN.bottom;
  const maxHours = Math.max(0, ...buckets.map((b) => b.minutes / 60));
  const tick = step(maxHours);
  const top = Math.max(tick, Math.ceil(maxHours / tick) * tick);
  const y = (hours) => MARGIN.top + plotHeight - (hours / top) * plotHeight;

  const svg = node("svg", {
    class: "usage-chart-svg",
    viewBox: `0 0 ${width} ${HEIGHT}`,
    width,
    height: HEIGHT,
    role: "img",
    "aria-labelledby": "usage-chart-title",
  });
  svg.append(node("title", { id: "usage-chart-title" }, summary));

  const grid = node("g", { class: "chart-grid", "aria-hidden": "true" });
  for (let hours = 0; hours <= top + tick / 1000; hours += tick) {
    const at = y(hours);
    grid.append(node("line", { x1: left, x2: width - MARGIN.right, y1: at, y2: at }));
    const label = t("{hours} h", { hours: hoursFormat.format(hours) });
    grid.append(node("text", { x: left - 8, y: at + 4, class: "chart-y-label" }, label));
  }
  svg.append(grid);

  const slot = plotWidth / Math.max(buckets.length, 1);
  const gap = Math.min(6, slot * 0.2);
  const labelEvery = Math.max(1, Math.ceil(buckets.length / Math.floor(plotWidth / 64)));
  const bars = node("g", { class: "chart-bars" });
  const labels = node("g", { class: "chart-x-labels", "aria-hidden": "true" });
  buckets.forEach((bucket, index) => {
    const hours = bucket.minutes / 60;
    const x = left + index * slot + gap / 2;
    const bar = node("rect", {
      class: hours > 0 ? "usage-bar" : "usage-bar empty",
      x: x.toFixed(2),
      y: y(hours).toFixed(2),
      width: Math.max(slot - gap, 1).toFixed(2),
      height: (MARGIN.top + plotHeight - y(hours)).toFixed(2),
      "data-key": bucket.key,
      "data-minutes": bucket.minutes,
    });
    bar.append(node("title", {}, bucket.title));
    bars.append(bar);
    if (index % labelEvery === 0) {
      const middle = x + (slot - gap) / 2;
      labels.append(node("text", { x: middle.toFixed(2), y: HEIGHT - 10, class: "chart-x-label" }, bucket.label));
    }
  });
  svg.append(bars, labels);
  container.replaceChildren(svg);
  // The hours' labels are as wide as the language writes them ("500 h", "500 時間"): room for them.
  const widest = Math.max(0, ...[...grid.querySelectorAll("text")].map((text) => text.getComputedTextLength()));
  if (widest + 12 > left) drawBars(container, buckets, { summary }, Math.ceil(widest + 12));
}

/** A message in place of the chart: loading, empty or failed. */
export function chartMessage(container, text, className = "grid-empty") {
  const message = document.createElement("p");
  message.className = `chart-message ${className}`;
  message.textContent = text;
  container.replaceChildren(message);
}
