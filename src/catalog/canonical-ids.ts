/**
 * One id per model across providers: the price database's list of OpenRouter model ids
 * ("anthropic/claude-opus-4.7") is the canonical namespace, and each provider's own id
 * ("claude-opus-4-7", "accounts/fireworks/models/kimi-k2p6",
 * "meta-llama/Llama-4-Maverick-17B-128E-Instruct-FP8") is mapped onto it by comparing names
 * without separators and case, after dropping packaging suffixes (instruct, fp8, parameter
 * counts). A model with no canonical match keeps an id of its own, never someone else's.
 */
import type { ModelInfo } from "./price-database.js";

/** Suffix words that name a packaging or a host's label of a model, not a different model. */
const PACKAGING = /^(instruct|it|fp8|fp16|bf16|basic|hf|versatile|instant|latest|\d+b|\d+e|a\d+b)$/;

/** Lowercase without separators; "2p6" (Fireworks' spelling of 2.6) reads as "26" like "2.6" does. */
function comparable(text: string): string {
  return text.toLowerCase().replace(/(?<=\d)p(?=\d)/g, ".").replace(/[^a-z0-9]/g, "");
}

function lastSegment(id: string): string {
  return id.slice(id.lastIndexOf("/") + 1);
}

/** The name itself, then with each trailing packaging word dropped in turn, as comparable keys. */
function forms(id: string): string[] {
  const words = lastSegment(id).split(/[-_]/);
  const out = [comparable(words.join("-"))];
  while (words.length > 1 && PACKAGING.test(words[words.length - 1]!.toLowerCase())) {
    words.pop();
    out.push(comparable(words.join("-")));
  }
  return out;
}

/** Maps provider model ids onto canonical ids. */
export class CanonicalIds {
  private readonly byName = new Map<string, string[]>();
  private readonly byStrippedName = new Map<string, Set<string>>();
  /** Canonical id → the database's entry for it (name, context window). */
  readonly entries = new Map<string, ModelInfo>();

  constructor(canonicalModels: readonly ModelInfo[]) {
    for (const model of canonicalModels) {
      if (!/^[\w.-]+\/[\w.-]+$/.test(model.id)) continue; // ":free" variants and bare aliases
      this.entries.set(model.id, model);
      const [name, ...stripped] = forms(model.id);
      this.byName.set(name!, [...(this.byName.get(name!) ?? []), model.id]);
      for (const key of stripped) this.byStrippedName.set(key, (this.byStrippedName.get(key) ?? new Set()).add(model.id));
    }
  }

  /**
   * The canonical id for a provider's model, `exact` when no packaging word had to be dropped;
   * undefined when the database lists no such model or the name is ambiguous. `author` (a
   * first-party provider's) breaks ties between authors.
   */
  resolve(providerModelId: string, author: string | undefined): { id: string; exact: boolean } | undefined {
    const keys = forms(providerModelId);
    for (const [index, key] of keys.entries()) {
      const named = this.byName.get(key);
      if (named) return { id: named.find((id) => author !== undefined && id.startsWith(`${author}/`)) ?? named[0]!, exact: index === 0 };
      const stripped = this.byStrippedName.get(key);
      if (stripped) return stripped.size === 1 ? { id: [...stripped][0]!, exact: false } : undefined;
    }
    return undefined;
  }
}

/** An id for a model the canonical list lacks: the upstream's own "author/slug", or the provider's author or slug before it. */
export function ownId(upstreamId: string, prefix: string): string {
  const clean = (text: string) => text.toLowerCase().replace(/[^\w.:-]/g, "-");
  const segments = upstreamId.split("/");
  if (segments.length === 2 && segments[0] && segments[1]) return `${clean(segments[0])}/${clean(segments[1])}`;
  return `${clean(prefix)}/${clean(lastSegment(upstreamId))}`;
}
