import { describe, expect, it } from "bun:test";
import { type BudgetClock, TraceBudget } from "../../src/tracing/trace-budget.ts";

/** A budget on a clock the test moves, whose timers fire as it passes them; `reads` counts clock reads. */
function budgetAt(perSecond: number) {
  let now = 1_000;
  let reads = 0;
  const timers: { at: number; wakeUp: () => void }[] = [];
  const clock: BudgetClock = {
    now: () => {
      reads++;
      return now;
    },
    wake: (ms, wakeUp) => timers.push({ at: now + ms, wakeUp }),
  };
  const budget = new TraceBudget(perSecond, clock);
  const takes = (count: number) => Array.from({ length: count }, () => budget.take()).filter(Boolean).length;
  const advance = (ms: number) => {
    now += ms;
    for (const timer of timers.splice(0)) {
      if (timer.at <= now) timer.wakeUp();
      else timers.push(timer);
    }
  };
  return { takes, advance, reads: () => reads };
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

  it("does not read the clock again while it knows it is empty, and wakes when the next trace is due", () => {
    const { takes, advance, reads } = budgetAt(10);
    takes(10);
    const before = reads();
    expect(takes(1000)).toBe(0);
    expect(reads() - before).toBe(1); // the first refusal reads the clock and sets a timer; the rest do not
    advance(99); // the next trace is due at 100 ms
    expect(takes(5)).toBe(0);
    advance(1);
    expect(takes(5)).toBe(1);
  });
});
