/**
 * The browser bundle (`/shell/frame.js`): registers `<z-frame>`, applies the shell's stored
 * appearance before first paint, and exposes the one `frameSDK` (also as `window.frameSDK`).
 */
import type { FrameSDK } from "./api.ts";
import { applyStoredAppearance } from "./appearance.ts";
import { createFrameSDK } from "./sdk.ts";
import { defineZFrame } from "./z-frame.ts";

applyStoredAppearance(document.documentElement);
defineZFrame();

/** The SDK of this frame. */
export const frameSDK: FrameSDK = createFrameSDK();
window.frameSDK = frameSDK;

export { ZFrame } from "./z-frame.ts";
