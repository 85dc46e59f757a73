/** A uPlot line chart over days; `data-points` lets tests see that it drew data. */
import { useEffect, useRef, useState } from "preact/hooks";
import uPlot from "uplot";
import "uplot/dist/uPlot.min.css";

export interface ChartSeries {
  label: string;
  values: (number | null)[];
}

const COLORS = ["#2563eb", "#dc2626", "#16a34a", "#d97706", "#7c3aed", "#0891b2", "#db2777", "#65a30d"];

/** Days as YYYY-MM-DD → unix seconds at 00:00 UTC. */
export function dayToSeconds(day: string): number {
  return Date.parse(`${day}T00:00:00Z`) / 1000;
}

const DARK = "(prefers-color-scheme: dark)";

/** The system's colour scheme, updated when the user switches it (no reload). */
function useColorScheme(): "dark" | "light" {
  const [dark, setDark] = useState(() => matchMedia(DARK).matches);
  useEffect(() => {
    const query = matchMedia(DARK);
    const onChange = () => setDark(query.matches);
    query.addEventListener("change", onChange);
    return () => query.removeEventListener("change", onChange);
  }, []);
  return dark ? "dark" : "light";
}

/** `measured`: how many points came from the API (zero-filled days excluded); all non-null values when absent. */
export function Chart({ title, days, series, measured }: { title: string; days: string[]; series: ChartSeries[]; measured?: number }) {
  const box = useRef<HTMLDivElement>(null);
  const scheme = useColorScheme();
  useEffect(() => {
    const element = box.current;
    if (!element) return;
    const width = Math.max(260, element.clientWidth);
    const ink = getComputedStyle(element).color;
    const grid = getComputedStyle(document.documentElement).getPropertyValue("--line").trim() || "#8884";
    const plot = new uPlot(
      {
        width,
        height: 220,
        series: [{}, ...series.map((s, i) => ({ label: s.label, stroke: COLORS[i % COLORS.length], width: 2, points: { show: true } }))],
        // a canvas knows no CSS variables: axes take the page's text colour (light or dark) when drawn,
        // and the chart is drawn again when the system's scheme changes
        axes: [
          { stroke: ink, grid: { stroke: grid }, ticks: { stroke: grid } },
          { stroke: ink, size: 60, grid: { stroke: grid }, ticks: { stroke: grid } },
        ],
        scales: { x: { time: true } },
      },
      [days.map(dayToSeconds), ...series.map((s) => s.values)],
      element,
    );
    const resize = () => plot.setSize({ width: Math.max(260, element.clientWidth), height: 220 });
    addEventListener("resize", resize);
    return () => {
      removeEventListener("resize", resize);
      plot.destroy();
    };
  }, [days, series, scheme]);
  const points = measured ?? series.reduce((n, s) => n + s.values.filter((v) => v !== null).length, 0);
  return (
    <figure class="chart" data-chart={title} data-points={days.length === 0 ? 0 : points}>
      <figcaption>{title}</figcaption>
      {days.length === 0 ? <p class="muted">No data in this range yet.</p> : <div ref={box} />}
    </figure>
  );
}

/** Horizontal bars of shares (rankings by author, top apps): plain HTML, no axis needed. */
export function Bars({ title, rows }: { title: string; rows: { label: string; value: number; text: string }[] }) {
  const max = Math.max(1, ...rows.map((r) => r.value));
  return (
    <figure class="chart bars" data-chart={title} data-points={rows.length}>
      <figcaption>{title}</figcaption>
      {rows.length === 0 ? <p class="muted">No data yet.</p> : null}
      {rows.map((row) => (
        <div class="bar-row" key={row.label}>
          <span class="bar-label">{row.label}</span>
          <span class="bar" style={{ width: `${(row.value / max) * 100}%` }} />
          <span class="bar-value">{row.text}</span>
        </div>
      ))}
    </figure>
  );
}
