import { KOMMUNER } from '../reference/kommuner.data.js';

/** The five Danish regions, as the kommune reference names them. */
export const REGIONS = ['Hovedstaden', 'Sjælland', 'Syddanmark', 'Midtjylland', 'Nordjylland'] as const;
export type Region = (typeof REGIONS)[number];

const regionByKommune = new Map<string, string>(KOMMUNER.map((k) => [k.code, k.region]));

export function regionOfKommune(kommuneCode: string): string | undefined {
  return regionByKommune.get(kommuneCode);
}

const EARTH_RADIUS_KM = 6371;
const radians = (degrees: number): number => (degrees * Math.PI) / 180;

/**
 * Great-circle distance in whole kilometres (haversine). Rounded, so that a ranking built on it is
 * the same on every machine and a hand computation can reproduce it.
 */
export function haversineKm(a: { latitude: number; longitude: number }, b: { latitude: number; longitude: number }): number {
  const dLat = radians(b.latitude - a.latitude);
  const dLon = radians(b.longitude - a.longitude);
  const h = Math.sin(dLat / 2) ** 2 + Math.cos(radians(a.latitude)) * Math.cos(radians(b.latitude)) * Math.sin(dLon / 2) ** 2;
  return Math.round(2 * EARTH_RADIUS_KM * Math.asin(Math.min(1, Math.sqrt(h))));
}
