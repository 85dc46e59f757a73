/** Bring your own key: store, list (last four only) and remove provider keys. */
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { when } from "../format.js";
import { useResource } from "../resource.js";
import { useAction } from "../ui/action.js";
import { Busy, ErrorLine } from "../ui/status.js";

interface ByokRow {
  provider: string;
  key_last_four: string;
  always_use: boolean;
  created_at: string;
  last_used_at: string | null;
  last_rejected_at: string | null;
}

export function ByokPage() {
  const list = useResource<{ data: ByokRow[] }>("/api/v1/byok");
  const [provider, setProvider] = useState("");
  const [key, setKey] = useState("");
  const [alwaysUse, setAlwaysUse] = useState(false);
  const action = useAction();
  const save = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      await api(`/api/v1/byok/${encodeURIComponent(provider.trim())}`, { method: "PUT", body: { api_key: key.trim(), always_use: alwaysUse } });
      setKey("");
      await list.reload();
    });
  };
  const remove = (row: ByokRow) =>
    action.run(async () => {
      await api(`/api/v1/byok/${encodeURIComponent(row.provider)}`, { method: "DELETE" });
      await list.reload();
    });
  return (
    <section>
      <h1>Bring your own key</h1>
      <p>Requests to a provider whose key you stored use it first, and pay only the BYOK fee from your credits.</p>
      <form class="card row" onSubmit={save}>
        <label>
          Provider
          <input value={provider} onInput={(e) => setProvider(e.currentTarget.value)} required placeholder="openai" />
        </label>
        <label>
          API key
          <input type="password" value={key} onInput={(e) => setKey(e.currentTarget.value)} required autoComplete="off" />
        </label>
        <label class="check">
          <input type="checkbox" checked={alwaysUse} onChange={(e) => setAlwaysUse(e.currentTarget.checked)} /> Never fall back to shared capacity
        </label>
        <button disabled={action.busy}>Save key</button>
      </form>
      <Busy when={action.busy || (list.loading && !list.data)} />
      <ErrorLine message={action.error ?? list.error} />
      {list.data?.data.length === 0 ? <p class="muted">No provider key stored.</p> : null}
      {list.data && list.data.data.length > 0 ? (
        <div class="table-wrap">
          <table>
            <thead>
              <tr>
                <th>Provider</th>
                <th>Key</th>
                <th>Added</th>
                <th>Last used</th>
                <th>Last rejected</th>
                <th />
              </tr>
            </thead>
            <tbody>
              {list.data.data.map((row) => (
                <tr key={row.provider}>
                  <td>{row.provider}</td>
                  <td>
                    <code>…{row.key_last_four}</code>
                    {row.always_use ? " (always)" : ""}
                  </td>
                  <td>{when(row.created_at)}</td>
                  <td>{when(row.last_used_at)}</td>
                  <td>{when(row.last_rejected_at)}</td>
                  <td>
                    <button type="button" class="danger" disabled={action.busy} onClick={() => remove(row)}>
                      Remove
                    </button>
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      ) : null}
    </section>
  );
}
