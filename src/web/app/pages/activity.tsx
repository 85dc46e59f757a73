/** Activity: spend, requests, tokens, latency and errors per day; breakdowns; CSV; the generation log. */
import { useMemo, useState } from "preact/hooks";
import { api } from "../api.js";
import { count, counted, usd, when } from "../format.js";
import { useResource } from "../resource.js";
import { useAction } from "../ui/action.js";
import { Chart } from "../ui/chart.js";
import { Busy, ErrorLine } from "../ui/status.js";

type Row = Record<string, string | number | null>;
interface Activity {
  data: Row[];
  totals: Row;
}
interface LogLine {
  id: string;
  created_at: string;
  model: string;
  provider_name: string | null;
  tokens_prompt: number;
  tokens_completion: number;
  total_cost: string;
  latency: number;
  error_status: number | null;
  attempts: number;
}

const GROUPS = { model: "model", provider: "provider_name", key: "api_key_id", app: "app" } as const;
const day = (date: Date) => date.toISOString().slice(0, 10);
/** Each YYYY-MM-DD from `from` to `to`, inclusive (UTC days, as the API counts them). */
function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let at = Date.parse(`${from}T00:00:00Z`), end = Date.parse(`${to}T00:00:00Z`); at <= end && days.length <= 366; at += 86_400_000) {
    days.push(new Date(at).toISOString().slice(0, 10));
  }
  return days;
}
const num = (value: string | number | null | undefined) => (value === null || value === undefined ? null : Number(value));

export function ActivityPage({ generation }: { generation: string | undefined }) {
  const [to, setTo] = useState(() => day(new Date()));
  const [from, setFrom] = useState(() => day(new Date(Date.now() - 29 * 86_400_000)));
  const [group, setGroup] = useState<keyof typeof GROUPS>("model");
  const range = `from=${from}&to=${to}`;
  const daily = useResource<Activity>(`/api/v1/activity?${range}&group_by=day`);
  const breakdown = useResource<Activity>(`/api/v1/activity?${range}&group_by=${group}`);
  const log = useResource<{ data: LogLine[] }>("/api/v1/generations?limit=50");
  const csv = useAction();
  const download = () =>
    csv.run(async () => {
      const text = await api<string>(`/api/v1/activity?${range}&group_by=${group}&format=csv`, { text: true });
      const link = document.createElement("a");
      link.href = URL.createObjectURL(new Blob([text], { type: "text/csv" }));
      link.download = `activity-${from}-${to}-by-${group}.csv`;
      link.click();
      URL.revokeObjectURL(link.href);
    });
  const charts = useMemo(() => {
    // every day of the range, those without requests at zero, so the axis spans the range chosen
    const byDay = new Map((daily.data?.data ?? []).map((r) => [String(r.date), r]));
    const days = daysBetween(from, to);
    const rows = days.map((d) => byDay.get(d) ?? { date: d, usage: 0, byok_usage_inference: 0, requests: 0, errors: 0, prompt_tokens: 0, completion_tokens: 0, latency_p50_ms: null, latency_p95_ms: null, error_rate: 0 });
    const series = (label: string, pick: (r: Row) => number | null) => ({ label, values: rows.map(pick) });
    return {
      days,
      measured: byDay.size,
      spend: [series("USD debited", (r) => num(r.usage)), series("BYOK upstream USD", (r) => num(r.byok_usage_inference))],
      requests: [series("requests", (r) => num(r.requests)), series("errors", (r) => num(r.errors))],
      tokens: [series("prompt", (r) => num(r.prompt_tokens)), series("completion", (r) => num(r.completion_tokens))],
      latency: [series("p50 ms", (r) => num(r.latency_p50_ms)), series("p95 ms", (r) => num(r.latency_p95_ms))],
      errors: [series("error rate %", (r) => (num(r.error_rate) ?? 0) * 100)],
    };
  }, [daily.data, from, to]);
  const totals = daily.data?.totals;
  return (
    <section>
      <h1>Activity</h1>
      <form class="row" onSubmit={(e) => e.preventDefault()}>
        <label>
          From <input type="date" value={from} max={to} onInput={(e) => setFrom(e.currentTarget.value)} />
        </label>
        <label>
          To <input type="date" value={to} min={from} onInput={(e) => setTo(e.currentTarget.value)} />
        </label>
      </form>
      <Busy when={daily.loading && !daily.data} />
      <ErrorLine message={daily.error} />
      {totals ? (
        <div class="stats">
          <div class="stat">
            <span class="muted">Spent</span>
            <strong data-test="spent">{usd(totals.usage)}</strong>
          </div>
          <div class="stat">
            <span class="muted">Requests</span>
            <strong data-test="requests">{count(num(totals.requests))}</strong>
          </div>
          <div class="stat">
            <span class="muted">Tokens</span>
            <strong>{count((num(totals.prompt_tokens) ?? 0) + (num(totals.completion_tokens) ?? 0))}</strong>
          </div>
          <div class="stat">
            <span class="muted">Latency p50 / p95</span>
            <strong>
              {totals.latency_p50_ms ?? "–"} / {totals.latency_p95_ms ?? "–"} ms
            </strong>
          </div>
        </div>
      ) : null}
      {daily.data ? (
        <div class="two">
          <Chart title="Spend per day (USD)" days={charts.days} series={charts.spend} measured={charts.measured} />
          <Chart title="Requests per day" days={charts.days} series={charts.requests} measured={charts.measured} />
          <Chart title="Tokens per day" days={charts.days} series={charts.tokens} measured={charts.measured} />
          <Chart title="Latency per day" days={charts.days} series={charts.latency} measured={charts.measured} />
          <Chart title="Error rate per day" days={charts.days} series={charts.errors} measured={charts.measured} />
        </div>
      ) : null}
      <h2>Breakdown</h2>
      <div class="row">
        <label>
          By
          <select value={group} onChange={(e) => setGroup(e.currentTarget.value as keyof typeof GROUPS)}>
            <option value="model">model</option>
            <option value="provider">provider</option>
            <option value="key">key</option>
            <option value="app">app</option>
          </select>
        </label>
        <button type="button" onClick={download} disabled={csv.busy}>
          Download CSV
        </button>
      </div>
      <Busy when={csv.busy}>Preparing the CSV…</Busy>
      <ErrorLine message={csv.error ?? breakdown.error} />
      <Breakdown rows={breakdown.data?.data} field={GROUPS[group]} heading={group} />
      <h2>Recent generations</h2>
      <ErrorLine message={log.error} />
      <GenerationLog lines={log.data?.data} open={generation} />
    </section>
  );
}

/** What names a row: a key by the name its owner gave it (the id is internal; a key gone from the account keeps its id). */
function groupLabel(row: Row, field: string): string {
  const label = field === "api_key_id" ? (row.api_key_name ?? row.api_key_id) : row[field];
  return label === null || label === undefined ? "(none)" : String(label);
}

function Breakdown({ rows, field, heading }: { rows: Row[] | undefined; field: string; heading: string }) {
  if (!rows) return <Busy when={true} />;
  if (rows.length === 0) return <p class="muted">No requests in this range.</p>;
  return (
    <div class="table-wrap">
      <table data-test="breakdown">
        <thead>
          <tr>
            <th>{heading}</th>
            <th>Requests</th>
            <th>Prompt tokens</th>
            <th>Completion tokens</th>
            <th>Spent</th>
            <th>p50 / p95 ms</th>
            <th>Errors</th>
          </tr>
        </thead>
        <tbody>
          {rows.map((row) => (
            <tr key={String(row[field])}>
              <td>{groupLabel(row, field)}</td>
              <td>{count(num(row.requests))}</td>
              <td>{count(num(row.prompt_tokens))}</td>
              <td>{count(num(row.completion_tokens))}</td>
              <td>{usd(row.usage)}</td>
              <td>
                {row.latency_p50_ms ?? "–"} / {row.latency_p95_ms ?? "–"}
              </td>
              <td>{count(num(row.errors))}</td>
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function GenerationLog({ lines, open }: { lines: LogLine[] | undefined; open: string | undefined }) {
  const [opened, setOpened] = useState<string | undefined>(open);
  if (!lines) return <Busy when={true} />;
  return (
    <>
      {lines.length === 0 ? <p class="muted">No generation yet.</p> : null}
      <ul class="log" data-test="generations">
        {lines.map((line) => (
          <li key={line.id}>
            <button type="button" class="link" aria-expanded={opened === line.id} onClick={() => setOpened(opened === line.id ? undefined : line.id)}>
              {when(line.created_at)} · {line.model} · {line.provider_name ?? "no provider"} · {counted(line.tokens_prompt + line.tokens_completion, "token")} ·{" "}
              {usd(line.total_cost)} · {line.latency} ms{line.error_status ? ` · error ${line.error_status}` : ""}
              {line.attempts > 1 ? ` · ${line.attempts} attempts` : ""}
            </button>
          </li>
        ))}
      </ul>
      {opened ? <Generation id={opened} /> : null}
    </>
  );
}

/** One generation, whole, as GET /api/v1/generation returns it. */
function Generation({ id }: { id: string }) {
  const generation = useResource<{ data: Record<string, unknown> }>(`/api/v1/generation?id=${encodeURIComponent(id)}`);
  return (
    <article class="card" data-test="generation">
      <h3>Generation {id}</h3>
      <Busy when={generation.loading && !generation.data} />
      <ErrorLine message={generation.error} />
      {generation.data ? <pre>{JSON.stringify(generation.data.data, null, 2)}</pre> : null}
    </article>
  );
}
