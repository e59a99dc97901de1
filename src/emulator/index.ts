// The public surface of `xai-batch/emulator`.
export { startEmulator, type Emulator } from "./emulator.js";
export { ManualClock, type EmulatorClock } from "./clock.js";
export type { EmulatorOptions, LimitOptions, ProcessingOptions, FaultOptions } from "./options.js";
export type { EmulatorCounters, RejectionKind } from "./counters.js";
export { failMarker } from "./fake-model.js";
export { faultTrailer, type FaultKind } from "./faults.js";
export { serveCommand } from "./serve.js";
