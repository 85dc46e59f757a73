/**
 * Signature paging for one address: newest-first pages of getSignaturesForAddress back to
 * the persisted cursor, then an overlap window below the cursor that is scanned again every
 * pass (nodes have returned gaps and duplicates around `until`; crediting is idempotent).
 */
import { PublicKey, type ConfirmedSignatureInfo, type Connection, type Finality } from "@solana/web3.js";

/** The newest signature already handled for an address. */
export interface SignatureCursor {
  signature: string;
  slot: number;
}

/** Signatures of one address: `fresh` are past the cursor, `overlap` were seen before. */
export interface AddressSignatures {
  fresh: ConfirmedSignatureInfo[];
  overlap: ConfirmedSignatureInfo[];
}

/** Pages back from the newest signature to `cursor` (exclusive), newest first. */
export async function collectSignatures(
  connection: Connection,
  address: string,
  cursor: SignatureCursor | undefined,
  options: { commitment: Finality; pageLimit: number; overlap: number },
): Promise<AddressSignatures> {
  const key = new PublicKey(address);
  const fresh: ConfirmedSignatureInfo[] = [];
  let before: string | undefined;
  for (;;) {
    const page = await connection.getSignaturesForAddress(
      key,
      { before, until: cursor?.signature, limit: options.pageLimit },
      options.commitment,
    );
    // A node that no longer knows `until` returns the newest page; stop once past the cursor's slot.
    let passedCursor = false;
    for (const info of page) {
      if (cursor !== undefined && info.slot < cursor.slot) passedCursor = true;
      else if (info.signature !== cursor?.signature) fresh.push(info);
    }
    const last = page[page.length - 1];
    if (page.length < options.pageLimit || passedCursor || last === undefined) break;
    before = last.signature;
  }
  let overlap: ConfirmedSignatureInfo[] = [];
  if (cursor !== undefined && options.overlap > 0) {
    overlap = await connection.getSignaturesForAddress(
      key,
      { before: fresh[fresh.length - 1]?.signature, limit: options.overlap },
      options.commitment,
    );
    const freshSet = new Set(fresh.map((info) => info.signature));
    overlap = overlap.filter((info) => !freshSet.has(info.signature));
  }
  return { fresh, overlap };
}

/** Signatures that mention a Solana Pay reference key (oldest last), at `commitment`. */
export async function findReferenceSignatures(
  connection: Connection,
  reference: string,
  commitment: Finality,
  limit = 20,
): Promise<ConfirmedSignatureInfo[]> {
  return connection.getSignaturesForAddress(new PublicKey(reference), { limit }, commitment);
}
