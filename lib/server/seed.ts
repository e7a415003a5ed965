import type { Runtime } from "./runtime";
export function seedDemo(_runtime: Runtime): void {}
