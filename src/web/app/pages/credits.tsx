/** Credits: balance, deposit addresses and intents with QR codes, and deposits with live status. */
import { useState } from "preact/hooks";
import type { Address } from "viem";
import { api } from "../api.js";
import { counted, shortAddress, usd, when } from "../format.js";
import { useResource } from "../resource.js";
import { useAction } from "../ui/action.js";
import { CopyButton } from "../ui/copy.js";
import { Qr } from "../ui/qr.js";
import { Busy, ErrorLine } from "../ui/status.js";
import { connectEvm, sendEvmPayment } from "../wallets/evm.js";
import { connectSolana } from "../wallets/solana.js";
import { canSendSolana, sendSolanaPayment, solanaPayReference } from "../wallets/solana-payment.js";
import { useWallets } from "../wallets/use-wallets.js";

interface Balance {
  data: { balance: string; held: string; available: string };
}
interface DepositChain {
  chain: string;
  family: "evm" | "solana";
  chain_id: number | null;
  name: string;
  address: string;
  confirmations: number | "finalized";
  assets: { symbol: string; token_address: string | null; decimals: number; native: boolean }[];
}
interface Intent {
  id: string;
  chain: string;
  address: string;
  asset: string;
  amount: string;
  amount_base_units: string;
  amount_usd: string;
  uri: string;
  expires_at: string;
}
interface Deposit {
  id: string;
  chain: string;
  tx: string;
  asset: string;
  amount: string;
  status: string;
  status_detail: string;
  usd_credited: string | null;
  seen_at: string;
}

/** A transaction the wallet sent from this page, shown as confirming until the chain listener records it. */
interface SentDeposit {
  chain: string;
  tx: string;
  amount: string;
  asset: string;
  at: string;
}

/** Live views refresh this often while the page is open. */
const LIVE_MS = 2_000;

export function CreditsPage() {
  const balance = useResource<Balance>("/api/v1/credits/balance", { pollMs: LIVE_MS });
  const chains = useResource<{ data: DepositChain[] }>("/api/v1/credits/deposit-addresses");
  const deposits = useResource<{ data: Deposit[] }>("/api/v1/credits/deposits?limit=50", { pollMs: LIVE_MS });
  const [sent, setSent] = useState<SentDeposit[]>([]);
  const onSent = (deposit: SentDeposit) => setSent((list) => [deposit, ...list]);
  return (
    <section>
      <h1>Credits</h1>
      <ErrorLine message={balance.error} />
      <div class="stats">
        <Stat label="Balance" value={usd(balance.data?.data.balance)} test="balance" />
        <Stat label="Held by running requests" value={usd(balance.data?.data.held)} test="held" />
        <Stat label="Available" value={usd(balance.data?.data.available)} test="available" />
      </div>
      <h2>Add credits</h2>
      <Busy when={chains.loading && !chains.data} />
      <ErrorLine message={chains.error} />
      {chains.data?.data.length === 0 ? <p class="muted">This gateway accepts no deposits: its operator configured no chain.</p> : null}
      {chains.data?.data.map((chain) => <ChainDeposit chain={chain} key={chain.chain} onSent={onSent} />)}
      <h2>Deposits</h2>
      <ErrorLine message={deposits.error} />
      <DepositTable deposits={deposits.data?.data} sent={sent} />
    </section>
  );
}

function Stat({ label, value, test }: { label: string; value: string; test: string }) {
  return (
    <div class="stat">
      <span class="muted">{label}</span>
      <strong data-test={test}>{value}</strong>
    </div>
  );
}

/** The treasury URI a wallet app understands: EIP-681 for EVM, a Solana Pay transfer request for Solana. */
function treasuryUri(chain: DepositChain): string {
  return chain.family === "evm" ? `ethereum:${chain.address}@${chain.chain_id}` : `solana:${chain.address}`;
}

function ChainDeposit({ chain, onSent }: { chain: DepositChain; onSent: (deposit: SentDeposit) => void }) {
  const [asset, setAsset] = useState(chain.assets[0]?.symbol ?? "");
  const [amount, setAmount] = useState("10");
  const [intent, setIntent] = useState<Intent>();
  const action = useAction();
  const create = (event: Event) => {
    event.preventDefault();
    void action.run(async () => setIntent(await api<Intent>("/api/v1/credits/intents", { method: "POST", body: { chain: chain.chain, asset, amount_usd: amount } })));
  };
  const depth = chain.confirmations === "finalized" ? "finality" : `${chain.confirmations} confirmations`;
  return (
    <article class="card" data-chain={chain.chain}>
      <h3>{chain.name}</h3>
      <div class="deposit-grid">
        <div>
          <p>
            Send {chain.assets.map((a) => a.symbol).join(" or ")} from a wallet linked to this account to the treasury; it is credited after {depth}.
          </p>
          <p class="address">
            <code data-test="treasury">{chain.address}</code> <CopyButton text={chain.address} label="Copy address" />
          </p>
          <Qr value={treasuryUri(chain)} label={`Treasury address on ${chain.name}`} />
        </div>
        <div>
          <p>From another wallet or an exchange? Create an intent: send exactly its amount before it expires.</p>
          <form onSubmit={create} class="row">
            <label>
              Asset
              <select value={asset} onChange={(e) => setAsset(e.currentTarget.value)}>
                {chain.assets.map((a) => (
                  <option key={a.symbol}>{a.symbol}</option>
                ))}
              </select>
            </label>
            <label>
              USD
              <input inputMode="decimal" value={amount} onInput={(e) => setAmount(e.currentTarget.value)} size={8} required />
            </label>
            <button disabled={action.busy}>Create intent</button>
          </form>
          <Busy when={action.busy}>Reserving an exact amount…</Busy>
          <ErrorLine message={action.error} />
          {intent ? <IntentCard intent={intent} chain={chain} onSent={onSent} /> : null}
        </div>
      </div>
    </article>
  );
}

function IntentCard({ intent, chain, onSent }: { intent: Intent; chain: DepositChain; onSent: (deposit: SentDeposit) => void }) {
  const wallets = useWallets();
  const action = useAction();
  const [sent, setSent] = useState<string>();
  const asset = chain.assets.find((a) => a.symbol === intent.asset);
  const record = (tx: string) => {
    setSent(tx);
    onSent({ chain: chain.chain, tx, amount: intent.amount, asset: intent.asset, at: new Date().toISOString() });
  };
  const send = (index: number) =>
    action.run(async () => {
      const wallet = wallets.evm[index];
      if (!wallet || chain.chain_id === null || !asset) return;
      const from = await connectEvm(wallet);
      const hash = await sendEvmPayment(wallet, from, {
        chainId: chain.chain_id,
        to: intent.address as Address,
        token: asset.native ? null : (asset.token_address as Address),
        amountBaseUnits: BigInt(intent.amount_base_units),
      });
      record(hash);
    });
  const solanaSenders = wallets.solana.filter(canSendSolana);
  const sendSolana = (index: number) =>
    action.run(async () => {
      const wallet = solanaSenders[index];
      if (!wallet || !asset) return;
      const account = await connectSolana(wallet);
      record(
        await sendSolanaPayment(wallet, account, {
          chain: chain.chain,
          treasury: intent.address,
          mint: asset.native ? null : asset.token_address,
          decimals: asset.decimals,
          amountBaseUnits: BigInt(intent.amount_base_units),
          reference: solanaPayReference(intent.uri),
        }),
      );
    });
  return (
    <div class="intent" data-test="intent">
      <p>
        Send exactly <strong data-test="intent-amount">{intent.amount} {intent.asset}</strong> (credited {usd(intent.amount_usd)}) before {when(intent.expires_at)}.
        <CopyButton text={intent.amount} label="Copy amount" />
      </p>
      <Qr value={intent.uri} label={`Payment request for ${intent.amount} ${intent.asset}`} />
      {chain.family === "evm"
        ? wallets.evm.map((wallet, index) => (
            <button type="button" disabled={action.busy} onClick={() => send(index)} key={wallet.id}>
              Send with {wallet.name}
            </button>
          ))
        : solanaSenders.map((wallet, index) => (
            <button type="button" disabled={action.busy} onClick={() => sendSolana(index)} key={wallet.name}>
              Send with {wallet.name}
            </button>
          ))}
      {chain.family === "solana" ? <p class="muted">Or scan the code with a Solana wallet app (Solana Pay), or copy the amount.</p> : null}
      <Busy when={action.busy}>Confirm the payment in your wallet…</Busy>
      <ErrorLine message={action.error} />
      {sent ? <p data-test="sent">Sent: transaction {shortAddress(sent)}. Its status appears under Deposits.</p> : null}
    </div>
  );
}

function DepositTable({ deposits, sent }: { deposits: Deposit[] | undefined; sent: SentDeposit[] }) {
  if (!deposits) return <Busy when={true} />;
  const listed = new Set(deposits.map((d) => d.tx.toLowerCase()));
  const waiting = sent.filter((s) => !listed.has(s.tx.toLowerCase()));
  if (deposits.length + waiting.length === 0) return <p class="muted">No deposit yet.</p>;
  return (
    <div class="table-wrap">
      <table data-test="deposits">
        <thead>
          <tr>
            <th>Seen</th>
            <th>Chain</th>
            <th>Amount</th>
            <th>Status</th>
            <th>Credited</th>
            <th>Transaction</th>
          </tr>
        </thead>
        <tbody>
          {waiting.map((s) => (
            <tr key={s.tx}>
              <td>{when(s.at)}</td>
              <td>{s.chain}</td>
              <td>
                {s.amount} {s.asset}
              </td>
              <td data-test="deposit-status" class="status-seen" title="Sent by your wallet; the gateway lists it once the chain has it">
                confirming
              </td>
              <td>{usd(null)}</td>
              <td>
                <code title={s.tx}>{shortAddress(s.tx)}</code>
              </td>
            </tr>
          ))}
          {deposits.map((d) => (
            <tr key={d.id}>
              <td>{when(d.seen_at)}</td>
              <td>{d.chain}</td>
              <td>
                {d.amount} {d.asset}
              </td>
              <td data-test="deposit-status" class={`status-${d.status}`}>
                {d.status === "unattributed" ? `parked for the operator${d.status_detail === "expired intent" ? ": its intent had expired" : ""}` : d.status_detail}
              </td>
              <td>{usd(d.usd_credited)}</td>
              <td>
                <code title={d.tx}>{shortAddress(d.tx)}</code>
              </td>
            </tr>
          ))}
        </tbody>
      </table>
      <p class="muted">{counted(deposits.length, "deposit")}. This list updates by itself.</p>
    </div>
  );
}
