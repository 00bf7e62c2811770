import type { LedgerEntry } from './model.js';
import type { AccountRecord, ChargingStore, Mutation } from './store.js';

/** The in-memory `ChargingStore`: for tests and for running without a disk. Nothing survives the process. */
export function createMemoryChargingStore(): ChargingStore {
  const records = new Map<string, AccountRecord>();
  return {
    async load() {},
    get: async (msisdn) => records.get(msisdn),
    update<T>(msisdn: string, fn: (record: AccountRecord | undefined) => Mutation<T>): Promise<T> {
      try {
        const m = fn(records.get(msisdn));
        if (m.create && !records.has(msisdn)) records.set(msisdn, m.create);
        return Promise.resolve(m.value);
      } catch (e) {
        return Promise.reject(e);
      }
    },
    async ledgerHistory(msisdn): Promise<LedgerEntry[]> {
      return [...(records.get(msisdn)?.ledger ?? [])];
    },
    async close() {},
  };
}
