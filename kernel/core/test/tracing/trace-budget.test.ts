import { describe, expect, it } from "bun:test";
import { TraceBudget } from "../../src/tracing/trace-budget.ts";

/** A budget on a clock the test moves. */
function budgetAt(perSecond: number) {
  let now = 1_000;
  const budget = new TraceBudget(perSecond, () => now);
  const takes = (count: number) => Array.from({ length: count }, () => budget.take()).filter(Boolean).length;
  return { takes, advance: (ms: number) => (now += ms) };
}

describe("the budget of new traces per second", () => {
  it("grants a second's worth at once, then nothing until time passes", () => {
    const { takes } = budgetAt(5);
    expect(takes(50)).toBe(5);
    expect(takes(50)).toBe(0);
  });

  it("refills continuously at its rate, never past one second's worth", () => {
    const { takes, advance } = budgetAt(10);
    takes(10);
    advance(300); // three traces' worth
    expect(takes(50)).toBe(3);
    advance(60_000); // a quiet minute still grants only one second's worth
    expect(takes(50)).toBe(10);
  });

  it("keeps fractions of a trace between calls", () => {
    const { takes, advance } = budgetAt(10);
    takes(10);
    for (let step = 0; step < 3; step++) {
      advance(25); // a quarter of a trace each time
      expect(takes(1)).toBe(0);
    }
    advance(25); // the fourth quarter makes a whole trace
    expect(takes(1)).toBe(1);
    expect(takes(1)).toBe(0);
  });
});
