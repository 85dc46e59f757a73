/**
 * Reservations shared by many requests. The first request of an account and key places a hold
 * in the ledger for several worst cases at once (a lease; the ledger caps it at half of what is
 * free, so other processes keep room); later requests reserve their worst case inside it, in
 * memory, with no database round trip. Before a lease runs low the next one is placed in the
 * background, so a steady stream of requests never waits for the ledger. What a request actually
 * cost is charged to its lease by the billing writer; a lease nobody used for `idleMs` (or one
 * older than `maxAgeMs`, once drained) is released, freeing what it still reserves.
 *
 * A lease lives in the ledger only as long as its process: its hold expires soon after it is
 * placed, and the live process renews all its leases together, one statement every `renewEveryMs`
 * (not per request). A process that dies stops renewing, and the expiry worker of any other
 * process frees its leases within the hold TTL plus one expiry pass. A lease the ledger no longer
 * has open (this process could not renew it in time) takes no more requests.
 *
 * Invariant: for every lease, the requests reserved in it plus the charges not yet written never
 * exceed what it reserves in the ledger, so the ledger never refuses a charge and no process ever
 * spends more than the balance.
 */
import type { Nano } from "../domain/money.js";
import type { Caller, ReservationOutcome } from "./ports.js";

/** Places a hold of at least `amountNano`, up to `upToNano`; ok results say how much was reserved. */
export type PlaceLease = (input: { caller: Caller; amountNano: Nano; upToNano: Nano; now: Date }) => Promise<LeasePlacement>;
export type LeasePlacement = Exclude<ReservationOutcome, { ok: true }> | { ok: true; holdId: string; amountNano: Nano };

/** What the leases are built from. */
export interface HoldLeasesDeps {
  place: PlaceLease;
  /** Ends a lease in the ledger, freeing what it still reserves (after its charges are written). */
  release: (holdId: string) => Promise<void>;
  /**
   * Extends the given holds' expiry (one statement for all); resolves with those still open.
   * Absent: leases are never renewed (their hold TTL must then outlive them).
   */
  renew?: (holdIds: readonly string[]) => Promise<readonly string[]>;
  /** How often the leases are renewed (well below the hold TTL). */
  renewEveryMs?: number;
  /** Receives a release or renewal that failed (the ledger's expiry frees that hold later). */
  onError?: (error: unknown) => void;
  nowMs: () => number;
  /** How many worst cases of the request that opens a lease it should cover. */
  leaseRequests?: number;
  /** A lease unused for this long is released. */
  idleMs: number;
  /** A lease this old takes no new requests and is released once drained (below the hold TTL). */
  maxAgeMs: number;
}

interface Lease {
  holdId: string;
  scope: string;
  /** What the ledger still reserves for it, as this process knows (placed minus charges written). */
  reservedNano: Nano;
  /** Worst cases of requests in flight plus charges not yet written. */
  inUseNano: Nano;
  /** Whether the ledger granted the whole size asked for (not capped by the balance). */
  full: boolean;
  placedAtMs: number;
  lastUsedMs: number;
}

/** The leases of one gateway process. */
export class HoldLeases {
  private readonly byScope = new Map<string, Lease[]>();
  private readonly byHold = new Map<string, Lease>();
  private readonly placing = new Map<string, Promise<unknown>>();
  private readonly releasing = new Set<Promise<void>>();
  private sweeper: NodeJS.Timeout | undefined;
  private readonly leaseRequests: bigint;
  private renewedAtMs = Number.NEGATIVE_INFINITY;
  private renewing: Promise<void> | undefined;

  constructor(private readonly deps: HoldLeasesDeps) {
    this.leaseRequests = BigInt(deps.leaseRequests ?? 64);
  }

  /** Renews every lease now (the sweeper does it every `renewEveryMs`); resolves once the ledger answered. */
  renewNow(): Promise<void> {
    const renew = this.deps.renew;
    if (!renew) return Promise.resolve();
    this.renewing ??= (async () => {
      this.renewedAtMs = this.deps.nowMs();
      const asked = [...this.byHold.keys()];
      try {
        const open = new Set(await renew(asked));
        for (const holdId of asked) {
          const lease = this.byHold.get(holdId);
          if (lease && !open.has(holdId)) this.forget(lease);
        }
      } catch (error) {
        this.deps.onError?.(error);
      } finally {
        this.renewing = undefined;
      }
    })();
    return this.renewing;
  }

  /** Reserves `amountNano` for one request; the hold id names the lease it was reserved in. */
  async reserve(caller: Caller, amountNano: Nano, now: Date): Promise<ReservationOutcome> {
    const scope = `${caller.accountId}\u0000${caller.keyId}`;
    const fromLease = this.grant(scope, caller, amountNano);
    if (fromLease) return fromLease;
    const inFlight = this.placing.get(scope);
    if (inFlight) {
      // someone else's placement failing is no reason for this request to fail: it places its own
      await inFlight.catch(() => undefined);
      const afterWait = this.grant(scope, caller, amountNano);
      if (afterWait) return afterWait;
    }
    const placed = await this.placeLease(scope, caller, amountNano, now);
    if (!placed.ok) return this.withLeaseRoom(scope, placed);
    // the new lease covers at least this request: reserve in it before anyone else can
    return this.grant(scope, caller, amountNano) ?? this.withLeaseRoom(scope, { ok: false, reason: "insufficient_balance", availableNano: 0n });
  }

  /**
   * A request reserved in `holdId` ended and owes `chargedNano` of its `reservedNano`: the lease
   * keeps the charge in use while `write` puts it in the ledger, then counts it as spent (or, if
   * the write failed, frees it). The only place a finished request changes a lease's counters.
   */
  async charge(holdId: string, reservedNano: Nano, chargedNano: Nano, write: () => Promise<void>): Promise<void> {
    const lease = this.byHold.get(holdId);
    if (lease) {
      lease.inUseNano += chargedNano - reservedNano;
      lease.lastUsedMs = this.deps.nowMs();
    }
    let written = false;
    try {
      await write();
      written = true;
    } finally {
      if (lease) this.chargeWritten(lease, chargedNano, written);
    }
  }

  /** Releases every lease no request is using (shutdown, tests); resolves once the ledger has them back. */
  async drain(): Promise<void> {
    for (const lease of [...this.byHold.values()]) if (lease.inUseNano === 0n) this.releaseLease(lease);
    while (this.releasing.size > 0) await Promise.allSettled([...this.releasing]);
  }

  private chargeWritten(lease: Lease, chargedNano: Nano, written: boolean): void {
    lease.inUseNano -= chargedNano;
    if (written) lease.reservedNano -= chargedNano;
    if (this.deps.nowMs() - lease.placedAtMs >= this.deps.maxAgeMs && lease.inUseNano === 0n) this.releaseLease(lease);
  }

  private grant(scope: string, caller: Caller, amountNano: Nano): ReservationOutcome | undefined {
    const nowMs = this.deps.nowMs();
    for (const lease of this.byScope.get(scope) ?? []) {
      if (nowMs - lease.placedAtMs >= this.deps.maxAgeMs) continue;
      if (lease.reservedNano - lease.inUseNano < amountNano) continue;
      lease.inUseNano += amountNano;
      lease.lastUsedMs = nowMs;
      this.refillIfLow(scope, caller, lease, amountNano);
      return { ok: true, holdId: lease.holdId };
    }
    return undefined;
  }

  /**
   * Places the next lease in the background once the current one has room for a quarter of its
   * requests — unless the balance capped it: then another would only take half of what is left.
   */
  private refillIfLow(scope: string, caller: Caller, lease: Lease, amountNano: Nano): void {
    if (!lease.full || this.placing.has(scope)) return;
    if (lease.reservedNano - lease.inUseNano >= (amountNano * this.leaseRequests) / 4n) return;
    void this.placeLease(scope, caller, amountNano, new Date(this.deps.nowMs())).catch((error: unknown) => this.deps.onError?.(error));
  }

  private placeLease(scope: string, caller: Caller, amountNano: Nano, now: Date): Promise<LeasePlacement> {
    const upToNano = amountNano * this.leaseRequests;
    const placing = this.deps
      .place({ caller, amountNano, upToNano, now })
      .then((placed) => {
        if (placed.ok) this.addLease(scope, placed.holdId, placed.amountNano, placed.amountNano >= upToNano);
        return placed;
      })
      .finally(() => {
        if (this.placing.get(scope) === placing) this.placing.delete(scope);
      });
    this.placing.set(scope, placing);
    return placing;
  }

  private addLease(scope: string, holdId: string, amountNano: Nano, full: boolean): void {
    const nowMs = this.deps.nowMs();
    const lease: Lease = { holdId, scope, reservedNano: amountNano, inUseNano: 0n, full, placedAtMs: nowMs, lastUsedMs: nowMs };
    // the newest lease is tried first: older ones drain and go idle
    this.byScope.set(scope, [lease, ...(this.byScope.get(scope) ?? [])]);
    this.byHold.set(holdId, lease);
    this.sweeper ??= setInterval(() => this.sweep(), Math.min(this.deps.idleMs, this.deps.renewEveryMs ?? this.deps.idleMs)).unref();
  }

  private sweep(): void {
    const nowMs = this.deps.nowMs();
    for (const lease of [...this.byHold.values()]) {
      if (lease.inUseNano === 0n && (nowMs - lease.lastUsedMs >= this.deps.idleMs || nowMs - lease.placedAtMs >= this.deps.maxAgeMs)) {
        this.releaseLease(lease);
      }
    }
    if (this.byHold.size > 0 && nowMs - this.renewedAtMs >= (this.deps.renewEveryMs ?? Number.POSITIVE_INFINITY)) void this.renewNow();
  }

  /** Drops a lease the ledger no longer has open (it expired): no request is reserved in it again. */
  private forget(lease: Lease): void {
    if (!this.remove(lease)) return;
    this.deps.onError?.(new Error(`hold ${lease.holdId} expired before this process could renew it; it takes no more requests`));
  }

  /** Takes a lease out of this process's books; false when it was not in them. */
  private remove(lease: Lease): boolean {
    if (!this.byHold.delete(lease.holdId)) return false;
    const rest = (this.byScope.get(lease.scope) ?? []).filter((other) => other !== lease);
    if (rest.length > 0) this.byScope.set(lease.scope, rest);
    else this.byScope.delete(lease.scope);
    if (this.byHold.size === 0) {
      clearInterval(this.sweeper);
      this.sweeper = undefined;
    }
    return true;
  }

  private releaseLease(lease: Lease): void {
    if (!this.remove(lease)) return;
    const release = this.deps
      .release(lease.holdId)
      .catch((error: unknown) => this.deps.onError?.(error))
      .finally(() => this.releasing.delete(release));
    this.releasing.add(release);
  }

  /** A refusal counts what this process's own leases still have free as available. */
  private withLeaseRoom(scope: string, refusal: Exclude<ReservationOutcome, { ok: true }>): ReservationOutcome {
    const free = (this.byScope.get(scope) ?? []).reduce((sum, lease) => sum + lease.reservedNano - lease.inUseNano, 0n);
    if (refusal.reason === "insufficient_balance") return { ...refusal, availableNano: refusal.availableNano + free };
    if (refusal.reason === "key_limit") return { ...refusal, remainingNano: refusal.remainingNano + free };
    return refusal;
  }
}
