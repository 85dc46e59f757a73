/**
 * One label object per distinct set of label values, found through nested maps of the values:
 * recording a metric on the request path reuses it instead of building an object per call.
 * Bounded by the label values seen, as prom-client's own series are.
 */
import type { Labels } from "./registry.js";

type Level = Map<string, Labels | Level>;

/** The label objects of one metric's label names (at most three). */
export class LabelSets {
  readonly #names: readonly string[];
  readonly #root: Level = new Map();

  constructor(names: readonly [string, string] | readonly [string, string, string]) {
    this.#names = names;
  }

  /** The labels `{[names[0]]: a, [names[1]]: b, [names[2]]: c}`, the same object for the same values. */
  of(a: string, b: string, c?: string): Labels {
    let second = this.#root.get(a) as Level | undefined;
    if (second === undefined) this.#root.set(a, (second = new Map()));
    if (this.#names.length === 2) return (second.get(b) as Labels | undefined) ?? this.#add(second, b, [a, b]);
    let third = second.get(b) as Level | undefined;
    if (third === undefined) second.set(b, (third = new Map()));
    return (third.get(c!) as Labels | undefined) ?? this.#add(third, c!, [a, b, c!]);
  }

  #add(level: Level, last: string, values: readonly string[]): Labels {
    const labels: Record<string, string> = {};
    this.#names.forEach((name, index) => (labels[name] = values[index]!));
    level.set(last, labels);
    return labels;
  }
}
