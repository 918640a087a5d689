import { PROCESS_TYPES, type ProcessType } from '#domain';
import { DEFAULT_CUSTODY_GAP_HOURS, DEFAULT_LOSS_NORMS_BASIS_POINTS, DEFAULT_UNFINISHED_PROCESS_GRACE_MINUTES, type AnomalySettings } from '#projections';
import type { LedgerConfig } from '../config/ledger.config.js';

/**
 * The anomaly settings from the environment (decision 012). The transit tolerance is not here: a
 * receipt records the verdict and the tolerance in force (LEDGER_TRANSIT_TOLERANCE_BP) itself.
 */
export interface AnomalyConfig {
  /** LEDGER_LOSS_NORMS over the defaults, in basis points of a process's input mass. */
  readonly lossNormsBasisPoints: Readonly<Record<ProcessType, number>>;
  /** LEDGER_CUSTODY_GAP_HOURS. */
  readonly custodyGapHours: number;
  /** LEDGER_UNFINISHED_PROCESS_GRACE_MINUTES; undefined: derived from the recovery interval (anomalySettings). */
  readonly unfinishedProcessGraceMinutes: number | undefined;
}

const NORMS_FORMAT = `expected process-type:percent pairs separated by commas, e.g. "sorting:10,blending:3" (process types: ${PROCESS_TYPES.join(', ')}; percent from 0 to 100 with at most two decimals)`;

/**
 * Parses LEDGER_LOSS_NORMS strictly: every entry must name a known process type once, with a
 * percentage; types not named keep their default. Throws with the offending entry, so a typo stops
 * the start-up instead of silently leaving a default in force.
 */
export function parseLossNorms(value: string | undefined): Record<ProcessType, number> {
  const norms: Record<ProcessType, number> = { ...DEFAULT_LOSS_NORMS_BASIS_POINTS };
  if (value === undefined || value.trim() === '') return norms;
  const seen = new Set<string>();
  for (const raw of value.split(',')) {
    const entry = raw.trim();
    const fail = (problem: string): never => {
      throw new Error(`LEDGER_LOSS_NORMS: ${problem} in "${value}"; ${NORMS_FORMAT}`);
    };
    if (entry === '') fail('an empty entry');
    const match = /^([a-z-]+)\s*:\s*(\d{1,3})(?:\.(\d{1,2}))?$/.exec(entry);
    if (!match) fail(`"${entry}" is not process-type:percent`);
    const [, type, whole, fraction] = match!;
    if (!(PROCESS_TYPES as readonly string[]).includes(type!)) fail(`unknown process type "${type}"`);
    if (seen.has(type!)) fail(`process type "${type}" given twice`);
    seen.add(type!);
    const basisPoints = Number(whole) * 100 + Number((fraction ?? '').padEnd(2, '0'));
    if (basisPoints > 10_000) fail(`${whole}${fraction ? `.${fraction}` : ''} % for ${type} is above 100 %`);
    norms[type as ProcessType] = basisPoints;
  }
  return norms;
}

function positiveInteger(env: NodeJS.ProcessEnv, name: string, fallback: number, unit: string): number {
  const value = env[name];
  if (value === undefined || value.trim() === '') return fallback;
  if (!/^\d{1,7}$/.test(value.trim()) || Number(value) < 1) throw new Error(`${name} must be a whole number of ${unit}, at least 1, got "${value}"`);
  return Number(value);
}

export function loadAnomalyConfig(env: NodeJS.ProcessEnv): AnomalyConfig {
  const grace = env.LEDGER_UNFINISHED_PROCESS_GRACE_MINUTES;
  return {
    lossNormsBasisPoints: parseLossNorms(env.LEDGER_LOSS_NORMS),
    custodyGapHours: positiveInteger(env, 'LEDGER_CUSTODY_GAP_HOURS', DEFAULT_CUSTODY_GAP_HOURS, 'hours'),
    unfinishedProcessGraceMinutes: grace === undefined || grace.trim() === '' ? undefined : positiveInteger(env, 'LEDGER_UNFINISHED_PROCESS_GRACE_MINUTES', DEFAULT_UNFINISHED_PROCESS_GRACE_MINUTES, 'minutes'),
  };
}

/**
 * What the anomaly queries apply. Recovery picks up a process once it is one interval old and runs
 * every interval, so an interrupted process ends within two intervals; unless set, the grace is
 * three intervals when that exceeds the 10-minute default, so a process that recovery will still
 * finish is not reported as stuck.
 */
export function anomalySettings(config: Pick<LedgerConfig, 'anomalies' | 'recoveryIntervalMs'>): AnomalySettings {
  const { anomalies } = config;
  return {
    lossNormsBasisPoints: anomalies.lossNormsBasisPoints,
    custodyGapHours: anomalies.custodyGapHours,
    unfinishedProcessGraceMinutes: anomalies.unfinishedProcessGraceMinutes ?? Math.max(DEFAULT_UNFINISHED_PROCESS_GRACE_MINUTES, Math.ceil((3 * config.recoveryIntervalMs) / 60_000)),
  };
}
