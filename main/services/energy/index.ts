/**
 * Public API of the energy module (issue 4). Evaluation and training code open and close
 * windows on a monitor; every figure is a JSON-serialisable object with an interval, a
 * per-component breakdown (meter, method, scope), coverage, a grade, flags and a signature.
 *
 * ```ts
 * const energy = await createEnergyMonitor({ sampler: { trackPid: process.pid } });
 * const w = await energy.begin('eval/newstest', 'evaluate');
 * // … run the model, await the last output (device sync) …
 * const fig = await energy.end(w, { units: { outputTokens } });
 * const co2 = fig.status === 'complete' ? carbonFor(fig, 'FR') : undefined;
 * await energy.close();
 * ```
 */
export { createEnergyMonitor, defaultSamplerScript } from './monitor';
export type {
  EnergyMonitor,
  EnergyMonitorOptions,
  EndOptions,
  EnergyManifest,
  IncompleteFigure,
  WindowFigure,
  WindowHandle,
} from './monitor';
export {
  carbonFor,
  localeCountry,
  resolveIntensity,
  loadIntensityTable,
  WORLD_DEFAULT,
} from './carbon';
export type { CarbonFigure, CarbonSettings, GridIntensity } from './carbon';
export { energySignature, ENERGY_METHOD_VERSION } from './signature';
export { alignBySyncPulse, importWallMeterCsv, wallMeterWindow } from './imports/wall-meter';
export { decodeEnergy, steadyStateWindow } from './attribution';
export { summariseRepeats } from './repeats';
export type { RepeatSummary } from './repeats';
export type { Banded, RequestTimes } from './attribution';
export type { WallMeterSeries } from './imports/wall-meter';
export { importCodeCarbonCsv } from './imports/codecarbon';
export type { ImportedRun } from './imports/codecarbon';
export { EnergyInputError } from './imports/errors';
export type { ProbeReport, SamplerConfig, ComponentChoice } from './registry';
export type { PowerSeries, SamplerOverhead } from './protocol';
export {
  childProcessPort,
  electronParentPort,
  inProcessPair,
  parentProcessPort,
  utilityProcessPort,
} from './transport';
export type { MessagePortLike, ParentPortLike, UtilityProcessLike } from './transport';
export type * from './types';
