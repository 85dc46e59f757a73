import { z } from "zod";

/** A wallet linked to an account, as /auth/wallets lists it. */
export const linkedWallet = z.object({ chain: z.string().describe("The wallet family: evm or solana"), address: z.string(), created_at: z.string() });
