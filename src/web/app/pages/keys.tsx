/** Keys: create (shown once), list with usage, disable, delete; linked wallets and linking another. */
import { useState } from "preact/hooks";
import { api } from "../api.js";
import { shortAddress, when } from "../format.js";
import { useResource } from "../resource.js";
import { useAction } from "../ui/action.js";
import { CopyButton } from "../ui/copy.js";
import { Busy, ErrorLine } from "../ui/status.js";
import { currentSession } from "../session.js";
import { WalletButtons } from "../wallets/wallet-buttons.js";

export interface KeyRow {
  hash: string;
  name: string;
  label: string;
  disabled: boolean;
  limit: number | null;
  limit_remaining: number | null;
  limit_reset: string | null;
  usage_daily: number;
  usage_weekly: number;
  usage_monthly: number;
  expires_at: string | null;
  created_at: string;
}
interface WalletRow {
  chain: "evm" | "solana";
  address: string;
  created_at: string;
}

const KEYS = "/api/v1/keys?include_disabled=true";

export function KeysPage() {
  const keys = useResource<{ data: KeyRow[] }>(KEYS);
  return (
    <section>
      <h1>API keys</h1>
      <p>Inference keys call models with any OpenAI-compatible client at <code>{location.origin}/api/v1</code>.</p>
      <CreateKey onCreated={keys.reload} />
      <h2>Your keys</h2>
      <Busy when={keys.loading && !keys.data} />
      <ErrorLine message={keys.error} />
      {keys.data?.data.length === 0 ? <p class="muted">No key yet: create one above.</p> : null}
      {keys.data && keys.data.data.length > 0 ? <KeyTable keys={keys.data.data} reload={keys.reload} /> : null}
      <Wallets />
    </section>
  );
}

function CreateKey({ onCreated }: { onCreated: () => Promise<void> }) {
  const [name, setName] = useState("");
  const [limit, setLimit] = useState("");
  const [reset, setReset] = useState("");
  const [expires, setExpires] = useState("");
  const [secret, setSecret] = useState<string>();
  const action = useAction();
  const submit = (event: Event) => {
    event.preventDefault();
    void action.run(async () => {
      const body: Record<string, unknown> = { name };
      if (limit.trim()) body.limit = limit.trim();
      if (reset) body.limit_reset = reset;
      if (expires) body.expires_at = new Date(`${expires}T23:59:59`).toISOString();
      const created = await api<{ key: string }>("/api/v1/keys", { method: "POST", body });
      setSecret(created.key);
      setName("");
      await onCreated();
    });
  };
  return (
    <form class="card" onSubmit={submit}>
      <h2>Create a key</h2>
      <div class="row">
        <label>
          Name
          <input value={name} onInput={(e) => setName(e.currentTarget.value)} required maxLength={100} placeholder="my app" />
        </label>
        <label>
          Limit (USD, optional)
          <input value={limit} onInput={(e) => setLimit(e.currentTarget.value)} inputMode="decimal" size={8} />
        </label>
        <label>
          Limit resets
          <select value={reset} onChange={(e) => setReset(e.currentTarget.value)}>
            <option value="">never</option>
            <option value="daily">daily</option>
            <option value="weekly">weekly</option>
            <option value="monthly">monthly</option>
          </select>
        </label>
        <label>
          Expires (optional)
          <input type="date" value={expires} onInput={(e) => setExpires(e.currentTarget.value)} />
        </label>
        <button disabled={action.busy}>Create key</button>
      </div>
      <Busy when={action.busy}>Creating the key…</Busy>
      <ErrorLine message={action.error} />
      {secret ? (
        <div class="secret" data-test="new-key">
          <p>Copy your key now: it is shown only once.</p>
          <code data-test="secret">{secret}</code> <CopyButton text={secret} label="Copy key" />
        </div>
      ) : null}
    </form>
  );
}

function KeyTable({ keys, reload }: { keys: KeyRow[]; reload: () => Promise<void> }) {
  const action = useAction();
  const toggle = (key: KeyRow) => action.run(async () => void (await api(`/api/v1/keys/${key.hash}`, { method: "PATCH", body: { disabled: !key.disabled } }), await reload()));
  const remove = (key: KeyRow) =>
    action.run(async () => {
      if (!confirm(`Delete the key "${key.name}"? Applications using it stop working.`)) return;
      await api(`/api/v1/keys/${key.hash}`, { method: "DELETE" });
      await reload();
    });
  return (
    <div class="table-wrap">
      <table data-test="keys">
        <thead>
          <tr>
            <th>Name</th>
            <th>Key</th>
            <th>Today</th>
            <th>This week</th>
            <th>This month</th>
            <th>Limit</th>
            <th>Expires</th>
            <th>Actions</th>
          </tr>
        </thead>
        <tbody>
          {keys.map((key) => (
            <tr key={key.hash} class={key.disabled ? "disabled" : ""}>
              <td>{key.name}</td>
              <td>
                <code>{key.label}</code>
              </td>
              <td>${String(key.usage_daily)}</td>
              <td>${String(key.usage_weekly)}</td>
              <td>${String(key.usage_monthly)}</td>
              <td>{key.limit === null ? "none" : `$${key.limit_remaining} of $${key.limit}${key.limit_reset ? ` ${key.limit_reset}` : ""}`}</td>
              <td>{key.expires_at ? when(key.expires_at) : "never"}</td>
              <td class="actions">
                <button type="button" disabled={action.busy} onClick={() => toggle(key)}>
                  {key.disabled ? "Enable" : "Disable"}
                </button>
                <button type="button" class="danger" disabled={action.busy} onClick={() => remove(key)}>
                  Delete
                </button>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <Busy when={action.busy}>Saving…</Busy>
      <ErrorLine message={action.error} />
    </div>
  );
}

function Wallets() {
  const wallets = useResource<{ data: WalletRow[] }>("/api/v1/auth/wallets");
  const action = useAction();
  const unlink = (wallet: WalletRow) =>
    action.run(async () => {
      await api(`/api/v1/auth/wallets/${encodeURIComponent(wallet.address)}`, { method: "DELETE" });
      await wallets.reload();
    });
  const session = currentSession();
  return (
    <>
      <h2>Linked wallets</h2>
      <p>Deposits from any linked wallet are credited to this account, and each can sign in.</p>
      <ErrorLine message={wallets.error ?? action.error} />
      <ul class="wallet-list" data-test="wallets">
        {wallets.data?.data.map((wallet) => (
          <li key={wallet.address}>
            <span class="tag">{wallet.chain === "evm" ? "Ethereum" : "Solana"}</span> <code title={wallet.address}>{shortAddress(wallet.address)}</code>
            {wallet.address === session?.wallet.address ? <span class="muted"> (signed in)</span> : null}{" "}
            {(wallets.data?.data.length ?? 0) > 1 ? (
              <button type="button" disabled={action.busy} onClick={() => unlink(wallet)}>
                Unlink
              </button>
            ) : null}
          </li>
        ))}
      </ul>
      <details>
        <summary>Link another wallet</summary>
        <WalletButtons link onDone={() => void wallets.reload()} />
      </details>
    </>
  );
}
