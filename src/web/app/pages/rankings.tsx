/** Rankings (public): tokens per model over time, growth, share by author, top apps. */
import { count } from "../format.js";
import { useResource } from "../resource.js";
import { Bars, Chart } from "../ui/chart.js";
import { Busy, ErrorLine } from "../ui/status.js";

interface Rankings {
  through: string;
  models: { model: string; author: string; tokens_this_week: number; growth_percent: number | null; daily: { date: string; tokens: number }[] }[];
  authors: { author: string; tokens: number; share: number }[];
  apps: Record<"day" | "week" | "month", { app: string; title: string | null; tokens: number }[]>;
}

/** Models drawn as lines; the rest are in the table. */
const CHART_MODELS = 8;

export function RankingsPage() {
  const rankings = useResource<{ data: Rankings }>("/api/v1/rankings", { key: null });
  const data = rankings.data?.data;
  const top = data?.models.slice(0, CHART_MODELS) ?? [];
  const days = top[0]?.daily.map((d) => d.date) ?? [];
  return (
    <section>
      <h1>Rankings</h1>
      <p class="muted">Tokens served by this gateway, per model and app. Public: no account, key or prompt is shown.</p>
      <Busy when={rankings.loading && !data} />
      <ErrorLine message={rankings.error} />
      {data ? (
        <>
          <Chart title="Tokens per day by model" days={days} series={top.map((m) => ({ label: m.model, values: m.daily.map((d) => d.tokens) }))} />
          <div class="two">
            <Bars
              title="Share by author this week"
              rows={data.authors.map((a) => ({ label: a.author, value: a.share, text: `${(a.share * 100).toFixed(1)}%` }))}
            />
            <Bars title="Top apps this week" rows={data.apps.week.map((a) => ({ label: a.title ?? a.app, value: a.tokens, text: count(a.tokens) }))} />
          </div>
          <div class="table-wrap">
            <table data-test="leaderboard">
              <thead>
                <tr>
                  <th>#</th>
                  <th>Model</th>
                  <th>Tokens this week</th>
                  <th>Growth</th>
                </tr>
              </thead>
              <tbody>
                {data.models.map((m, i) => (
                  <tr key={m.model}>
                    <td>{i + 1}</td>
                    <td>{m.model}</td>
                    <td>{count(m.tokens_this_week)}</td>
                    <td>{m.growth_percent === null ? "new" : `${m.growth_percent > 0 ? "+" : ""}${m.growth_percent.toFixed(0)}%`}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
        </>
      ) : null}
    </section>
  );
}
