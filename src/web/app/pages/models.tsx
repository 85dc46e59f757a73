/** Models: the catalog with prices per million tokens, context and modalities; each endpoint's live health. */
import { useState } from "preact/hooks";
import { count, perMillion } from "../format.js";
import { useResource } from "../resource.js";
import { Busy, ErrorLine } from "../ui/status.js";

export interface ModelEntry {
  id: string;
  name: string;
  context_length: number;
  architecture: { input_modalities: string[]; output_modalities: string[] };
  pricing: { prompt: string; completion: string };
}
interface Percentiles {
  p50: number;
  p90: number;
}
interface EndpointEntry {
  provider_name: string;
  tag: string;
  context_length: number;
  pricing: { prompt: string; completion: string };
  configured: boolean;
  uptime_last_30m: number | null;
  uptime_last_1d: number | null;
  latency_last_30m: Percentiles | null;
  throughput_last_30m: Percentiles | null;
}

/** Uptime as the API gives it, a percentage. */
const percent = (value: number | null) => (value === null ? "no traffic" : `${value.toFixed(1)}%`);

export function ModelsPage() {
  const models = useResource<{ data: ModelEntry[] }>("/api/v1/models", { key: null });
  const [filter, setFilter] = useState("");
  const shown = models.data?.data.filter((m) => `${m.id} ${m.name}`.toLowerCase().includes(filter.toLowerCase()));
  return (
    <section>
      <h1>Models</h1>
      <label>
        Search <input type="search" value={filter} onInput={(e) => setFilter(e.currentTarget.value)} placeholder="gpt, claude, llama…" />
      </label>
      <Busy when={models.loading && !models.data} />
      <ErrorLine message={models.error} />
      <div class="table-wrap">
        <table data-test="models">
          <thead>
            <tr>
              <th>Model</th>
              <th>Context</th>
              <th>Input</th>
              <th>$ / M input</th>
              <th>$ / M output</th>
            </tr>
          </thead>
          <tbody>
            {shown?.map((model) => <ModelRow model={model} key={model.id} />)}
          </tbody>
        </table>
      </div>
    </section>
  );
}

function ModelRow({ model }: { model: ModelEntry }) {
  const [open, setOpen] = useState(false);
  return (
    <>
      <tr>
        <td>
          <button type="button" class="link" aria-expanded={open} onClick={() => setOpen(!open)}>
            {model.name}
          </button>
          <div class="muted small">{model.id}</div>
        </td>
        <td>{count(model.context_length)}</td>
        <td>{model.architecture.input_modalities.join(", ")}</td>
        <td>${perMillion(model.pricing.prompt)}</td>
        <td>${perMillion(model.pricing.completion)}</td>
      </tr>
      {open ? (
        <tr>
          <td colSpan={5}>
            <Endpoints id={model.id} />
          </td>
        </tr>
      ) : null}
    </>
  );
}

function Endpoints({ id }: { id: string }) {
  const endpoints = useResource<{ data: { endpoints: EndpointEntry[] } }>(`/api/v1/models/${id}/endpoints`, { key: null });
  if (endpoints.error) return <ErrorLine message={endpoints.error} />;
  if (!endpoints.data) return <Busy when={true} />;
  return (
    <table class="inner" data-test="endpoints">
      <thead>
        <tr>
          <th>Provider</th>
          <th>$ / M in / out</th>
          <th>Uptime 30 m / 1 d</th>
          <th>Latency p50 / p90 (s)</th>
          <th>Throughput p50 (tok/s)</th>
        </tr>
      </thead>
      <tbody>
        {endpoints.data.data.endpoints.map((e) => (
          <tr key={e.tag}>
            <td>
              {e.provider_name}
              {e.configured ? "" : " (not configured)"}
            </td>
            <td>
              ${perMillion(e.pricing.prompt)} / ${perMillion(e.pricing.completion)}
            </td>
            <td>
              {percent(e.uptime_last_30m)} / {percent(e.uptime_last_1d)}
            </td>
            <td>{e.latency_last_30m ? `${e.latency_last_30m.p50.toFixed(2)} / ${e.latency_last_30m.p90.toFixed(2)}` : "–"}</td>
            <td>{e.throughput_last_30m ? e.throughput_last_30m.p50.toFixed(0) : "–"}</td>
          </tr>
        ))}
      </tbody>
    </table>
  );
}
