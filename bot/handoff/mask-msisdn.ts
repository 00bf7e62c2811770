/**
 * Shows enough of a number for an agent to recognise it, never the whole: `+15550100001` -> `+1555•••0001`.
 * Anything shorter than 9 characters is masked entirely.
 */
export function maskMsisdn(msisdn: string): string {
  if (msisdn.length < 9) return '•••';
  return `${msisdn.slice(0, 5)}•••${msisdn.slice(-4)}`;
}
