/**
 * How sure a median of rounds is: a percentile bootstrap interval. Written here rather than
 * taken from a statistics package because it is a dozen lines and the benches need nothing else
 * of one.
 */
import { median } from "@buntime/test-kit/load";

/** Resamples drawn; past a few thousand the interval's ends move by less than the rounds' noise. */
const RESAMPLES = 4000;

/**
 * The interval holding the median of `values` with probability `confidence` (0.9: the 5th and
 * 95th percentiles of the medians of `RESAMPLES` resamples drawn with replacement).
 */
export function medianInterval(values: readonly number[], confidence = 0.9): [low: number, high: number] {
  if (values.length === 0) throw new Error("medianInterval needs at least one value");
  const medians: number[] = [];
  const sample = new Array<number>(values.length);
  for (let draw = 0; draw < RESAMPLES; draw++) {
    for (let i = 0; i < values.length; i++) {
      sample[i] = values[Math.floor(Math.random() * values.length)] as number;
    }
    medians.push(median(sample));
  }
  medians.sort((a, b) => a - b);
  const tail = (1 - confidence) / 2;
  return [
    medians[Math.floor(tail * (RESAMPLES - 1))] as number,
    medians[Math.ceil((1 - tail) * (RESAMPLES - 1))] as number,
  ];
}
