/** A strict parser of the Prometheus text format 0.0.4, for asserting on /metrics output. */
export interface Sample {
  name: string;
  labels: Record<string, string>;
  value: number;
  raw: string;
}

export interface Parsed {
  types: Map<string, string>;
  help: Map<string, string>;
  samples: Sample[];
}

const SAMPLE = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(\{(.*)\})? (\S+)$/;

function parseLabels(text: string): Record<string, string> {
  const labels: Record<string, string> = {};
  let i = 0;
  while (i < text.length) {
    const name = /^[a-zA-Z_][a-zA-Z0-9_]*/.exec(text.slice(i));
    if (!name) throw new Error(`bad label name at ${text.slice(i)}`);
    i += name[0].length;
    if (text.slice(i, i + 2) !== '="') throw new Error(`expected =" in ${text}`);
    i += 2;
    let value = "";
    for (;;) {
      const ch = text[i];
      if (ch === undefined) throw new Error(`unterminated value in ${text}`);
      if (ch === "\\") {
        const next = text[i + 1];
        if (next === "n") value += "\n";
        else if (next === "\\" || next === '"') value += next;
        else throw new Error(`bad escape \\${next} in ${text}`);
        i += 2;
      } else if (ch === '"') {
        i += 1;
        break;
      } else if (ch === "\n") {
        throw new Error("raw newline in label value");
      } else {
        value += ch;
        i += 1;
      }
    }
    if (name[0] in labels) throw new Error(`duplicate label ${name[0]}`);
    labels[name[0]] = value;
    if (text[i] === ",") i += 1;
  }
  return labels;
}

function parseValue(text: string): number {
  if (text === "+Inf") return Infinity;
  if (text === "-Inf") return -Infinity;
  // Prometheus reads values with Go's strconv.ParseFloat, which ignores case: prom-client writes "Nan"
  if (text.toLowerCase() === "nan") return NaN;
  if (!/^-?\d+(\.\d+)?(e[+-]?\d+)?$/i.test(text)) throw new Error(`bad value ${text}`);
  return Number(text);
}

export function parsePrometheus(body: string): Parsed {
  if (!body.endsWith("\n")) throw new Error("exposition must end with a line feed");
  const parsed: Parsed = { types: new Map(), help: new Map(), samples: [] };
  for (const line of body.slice(0, -1).split("\n")) {
    if (line === "") continue;
    if (line.startsWith("# HELP ")) {
      const m = /^# HELP (\S+) (.*)$/.exec(line);
      if (!m || parsed.help.has(m[1]!)) throw new Error(`bad or duplicate HELP: ${line}`);
      parsed.help.set(m[1]!, m[2]!);
      continue;
    }
    if (line.startsWith("# TYPE ")) {
      const m = /^# TYPE (\S+) (counter|gauge|histogram|summary|untyped)$/.exec(line);
      if (!m || parsed.types.has(m[1]!)) throw new Error(`bad or duplicate TYPE: ${line}`);
      parsed.types.set(m[1]!, m[2]!);
      continue;
    }
    if (line.startsWith("#")) continue;
    const m = SAMPLE.exec(line);
    if (!m) throw new Error(`bad sample line: ${line}`);
    const name = m[1]!;
    const family = name.replace(/_(bucket|sum|count)$/, "");
    if (!parsed.types.has(name) && !parsed.types.has(family)) throw new Error(`sample before TYPE: ${line}`);
    parsed.samples.push({ name, labels: m[3] ? parseLabels(m[3]) : {}, value: parseValue(m[4]!), raw: m[4]! });
  }
  return parsed;
}

/** The samples of `name` whose labels include `match`. */
export function find(parsed: Parsed, name: string, match: Record<string, string> = {}): Sample[] {
  return parsed.samples.filter(
    (s) => s.name === name && Object.entries(match).every(([k, v]) => s.labels[k] === v),
  );
}
