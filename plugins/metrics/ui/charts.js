// A small SVG line chart, drawn without any library: window.drawLineChart(svg, series, options).
(() => {
  const NS = "http://www.w3.org/2000/svg";
  const PAD = { left: 44, right: 8, top: 8, bottom: 34 };

  function element(name, attributes, text) {
    const node = document.createElementNS(NS, name);
    for (const [key, value] of Object.entries(attributes)) node.setAttribute(key, String(value));
    if (text !== undefined) node.textContent = text;
    return node;
  }

  /** The smallest "nice" number (1, 2 or 5 times a power of ten) at or above `value`. */
  function niceCeiling(value) {
    if (!(value > 0)) return 1;
    const power = 10 ** Math.floor(Math.log10(value));
    for (const step of [1, 2, 5, 10]) if (step * power >= value) return step * power;
    return 10 * power;
  }

  function formatValue(value) {
    if (value >= 1000) return `${(value / 1000).toFixed(value >= 10000 ? 0 : 1)}k`;
    if (value >= 10 || value === 0) return String(Math.round(value));
    return value.toFixed(value >= 1 ? 1 : 2);
  }

  function formatTime(ms) {
    return new Date(ms).toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
  }

  /**
   * Draws `series` ([{ name, color, points: [[timeMs, value], …] }]) into `svg`, replacing what
   * was there: four grid lines with values, the time span below, a legend.
   */
  function drawLineChart(svg, series, options = {}) {
    const [, , width, height] = svg.getAttribute("viewBox").split(" ").map(Number);
    const plotWidth = width - PAD.left - PAD.right;
    const plotHeight = height - PAD.top - PAD.bottom;
    const all = series.flatMap((line) => line.points);
    svg.replaceChildren();
    if (all.length < 2) {
      svg.appendChild(
        element(
          "text",
          { x: width / 2, y: height / 2, "text-anchor": "middle", class: "axis" },
          "collecting…",
        ),
      );
      return;
    }
    const t0 = Math.min(...all.map((point) => point[0]));
    const t1 = Math.max(...all.map((point) => point[0]));
    const top = niceCeiling(Math.max(options.min ?? 0, ...all.map((point) => point[1])));
    const x = (t) => PAD.left + (t1 === t0 ? 0 : ((t - t0) / (t1 - t0)) * plotWidth);
    const y = (v) => PAD.top + plotHeight - (v / top) * plotHeight;
    for (let step = 0; step <= 4; step++) {
      const value = (top * step) / 4;
      svg.appendChild(
        element("line", { x1: PAD.left, x2: width - PAD.right, y1: y(value), y2: y(value), class: "grid" }),
      );
      svg.appendChild(
        element(
          "text",
          { x: PAD.left - 4, y: y(value) + 3, "text-anchor": "end", class: "axis" },
          formatValue(value),
        ),
      );
    }
    svg.appendChild(
      element("text", { x: PAD.left, y: height - PAD.bottom + 12, class: "axis" }, formatTime(t0)),
    );
    svg.appendChild(
      element(
        "text",
        { x: width - PAD.right, y: height - PAD.bottom + 12, "text-anchor": "end", class: "axis" },
        formatTime(t1),
      ),
    );
    let legendX = PAD.left;
    for (const line of series) {
      if (line.points.length > 0) {
        const d = line.points
          .map((point, index) => `${index ? "L" : "M"}${x(point[0]).toFixed(1)},${y(point[1]).toFixed(1)}`)
          .join("");
        svg.appendChild(element("path", { d, stroke: line.color, class: "line" }));
      }
      svg.appendChild(element("rect", { x: legendX, y: height - 12, width: 8, height: 8, fill: line.color }));
      const label = element("text", { x: legendX + 11, y: height - 4, class: "axis" }, line.name);
      svg.appendChild(label);
      legendX += 18 + line.name.length * 5.5;
    }
  }

  window.drawLineChart = drawLineChart;
})();
