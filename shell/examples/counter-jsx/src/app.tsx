/** @jsxImportSource hono/jsx/dom */
/**
 * A component app (Hono's JSX for the DOM), bundled by `build.ts` with `Bun.build` into
 * `public/app.js`. It keeps its step in the path (`/counter-jsx/step/5`) so Back and Forward
 * replay it, and asks the shell before a reset.
 */
import { render, useEffect, useState } from "hono/jsx/dom";
import type { FrameSDK } from "../../../src/frame/api.ts";

const sdk: FrameSDK = window.frameSDK;
const BASE = "/counter-jsx";

function stepOf(path: string): number {
  const match = /^\/step\/(\d{1,3})$/.exec(path);
  return match ? Number(match[1]) : 1;
}

function Counter() {
  const [count, setCount] = useState(0);
  const [step, setStep] = useState(stepOf(location.pathname.slice(BASE.length)));
  useEffect(() => sdk.onRoute((path) => setStep(stepOf(path))), []);
  const reset = async () => {
    if (await sdk.ui.confirm("Reset the counter?")) setCount(0);
  };
  return (
    <main style={{ padding: "24px" }}>
      <h1>Counter</h1>
      <p id="count">{count}</p>
      <button type="button" id="add" onClick={() => setCount(count + step)}>
        Add {step}
      </button>{" "}
      <button type="button" id="reset" onClick={reset}>
        Reset
      </button>
      <p>
        Step:{" "}
        {[1, 5, 10].map((value) => (
          <button type="button" key={value} class="step" onClick={() => sdk.navigate(`/step/${value}`)}>
            {value}
          </button>
        ))}
      </p>
    </main>
  );
}

render(<Counter />, document.getElementById("root") as HTMLElement);
sdk.initialize().catch(() => {
  // standalone: the counter works on its own page
});
