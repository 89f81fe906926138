/** Label names and values of one sample. */
export type Labels = Readonly<Record<string, string>>;

/** The three metric types this plugin writes. */
export type MetricType = "counter" | "gauge" | "histogram" | "summary";

function escapeLabel(value: string): string {
  return value.replace(/[\\"\n]/g, (char) => (char === "\n" ? "\\n" : `\\${char}`));
}

function formatNumber(value: number): string {
  if (Number.isNaN(value)) return "NaN";
  if (value === Number.POSITIVE_INFINITY) return "+Inf";
  if (value === Number.NEGATIVE_INFINITY) return "-Inf";
  return String(value);
}

function labelPairs(labels: Labels | undefined): string[] {
  const parts: string[] = [];
  for (const name in labels) parts.push(`${name}="${escapeLabel(labels[name] as string)}"`);
  return parts;
}

/**
 * Writes the Prometheus text exposition format (version 0.0.4): each metric's `# HELP` and
 * `# TYPE` once, then its samples, each with the exposition's constant labels (`node`) first.
 *
 * @example
 * const out = new Exposition({ node: "a" });
 * out.metric("buntime_up", "gauge", "1 while the kernel runs.").sample("buntime_up", 1);
 * out.toString(); // "# HELP buntime_up 1 while the kernel runs.\n# TYPE buntime_up gauge\nbuntime_up{node=\"a\"} 1\n"
 */
export class Exposition {
  readonly #lines: string[] = [];
  readonly #constant: string[];

  /** `constant` labels go on every sample (the `node` the figures come from). */
  constructor(constant?: Labels) {
    this.#constant = labelPairs(constant);
  }

  /** Opens metric `name`: its help text and type. */
  metric(name: string, type: MetricType, help: string): this {
    this.#lines.push(`# HELP ${name} ${help.replace(/\\/g, "\\\\").replace(/\n/g, "\\n")}`);
    this.#lines.push(`# TYPE ${name} ${type}`);
    return this;
  }

  /** One sample; `name` may carry a histogram suffix (`_bucket`, `_sum`, `_count`). */
  sample(name: string, value: number, labels?: Labels): this {
    const pairs = labels === undefined ? this.#constant : [...this.#constant, ...labelPairs(labels)];
    const text = pairs.length === 0 ? "" : `{${pairs.join(",")}}`;
    this.#lines.push(`${name}${text} ${formatNumber(value)}`);
    return this;
  }

  /** The exposition text, one line per HELP, TYPE and sample, ending in a newline. */
  toString(): string {
    return this.#lines.length === 0 ? "" : `${this.#lines.join("\n")}\n`;
  }
}
