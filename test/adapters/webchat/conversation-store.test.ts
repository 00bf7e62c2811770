import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { type Activity, MemoryStorage, type Storage, type StoreItems } from 'botbuilder';
import { expect } from 'chai';
import { ConversationStore, LOG_CHUNK } from '../../../adapters/channels/webchat/conversation-store.js';
import { LowdbStorage } from '../../../adapters/store/lowdb/lowdb-storage.js';
import { postMessage, startConversation, startWebChatServer } from './webchat-server.js';

const texts = (acts: Partial<Activity>[]) => acts.map((a) => a.text);
const noop = () => undefined;

async function say(store: ConversationStore, id: string, from: number, to: number): Promise<void> {
  for (let i = from; i <= to; i++) await (await store.append(id, { type: 'message', text: `m${i}` }, noop)).persisted;
}

/** The keys of every item stored (MemoryStorage keeps them in `memory`; a deleted one is set to undefined). */
function storedKeys(storage: MemoryStorage): string[] {
  const memory = (storage as unknown as { memory: Record<string, string | undefined> }).memory;
  return Object.keys(memory)
    .filter((k) => memory[k] !== undefined)
    .sort();
}

describe('Direct Line conversation store', () => {
  it('keeps the log in chunks: a message rewrites one chunk, old chunks go, a reload sees the bounded log', async () => {
    const storage = new MemoryStorage();
    const store = new ConversationStore(storage, { maxActivities: 20, maxCached: 10 });
    await store.create({ id: 'c1', userId: 'u1', createdAt: '2026-11-25T00:00:00Z' });
    await say(store, 'c1', 1, 3 * LOG_CHUNK + 5);

    const header = (await storage.read(['webchat/conversation/c1']))['webchat/conversation/c1'];
    expect(header).to.not.have.property('activities');
    expect(header).to.include({ lastSeq: 3 * LOG_CHUNK + 5, firstSeq: 3 * LOG_CHUNK + 5 - 19 });
    // Chunks below the one holding the oldest kept activity are gone.
    const chunks = storedKeys(storage).filter((k) => k.includes('/log/'));
    const firstKept = Math.floor((3 * LOG_CHUNK + 5 - 19 - 1) / LOG_CHUNK);
    expect(chunks).to.deep.equal(
      Array.from({ length: 3 - firstKept + 1 }, (_, i) => `webchat/conversation/c1/log/${firstKept + i}`).sort(),
    );

    const reloaded = new ConversationStore(storage, { maxActivities: 20, maxCached: 10 });
    const record = await reloaded.get('c1');
    expect(record?.activities).to.have.length(20);
    const page = reloaded.since(record!, undefined);
    expect(texts(page.activities)).to.deep.equal(
      Array.from({ length: 20 }, (_, i) => `m${3 * LOG_CHUNK + 5 - 19 + i}`),
    );
    expect(page.watermark).to.equal(String(3 * LOG_CHUNK + 5));
    // Appending after a reload continues the sequence.
    const { logged: next } = await reloaded.append('c1', { type: 'message', text: 'after' }, noop);
    expect(next.id).to.equal(`c1|${String(3 * LOG_CHUNK + 6).padStart(7, '0')}`);
  });

  it('persists replaced and removed activities in their chunk', async () => {
    const storage = new MemoryStorage();
    const store = new ConversationStore(storage, { maxActivities: 100, maxCached: 10 });
    await store.create({ id: 'c2', userId: 'u2', createdAt: '2026-11-25T00:00:00Z' });
    await say(store, 'c2', 1, LOG_CHUNK + 3);
    const first = (await store.get('c2'))!.activities[1]!.activity;
    const late = (await store.get('c2'))!.activities.at(-1)!.activity;
    expect(await store.replace('c2', { id: first.id, text: 'edited' })).to.equal(true);
    expect(await store.remove('c2', late.id!)).to.equal(true);

    const reloaded = new ConversationStore(storage, { maxActivities: 100, maxCached: 10 });
    const got = texts(reloaded.since((await reloaded.get('c2'))!, undefined).activities);
    expect(got).to.have.length(LOG_CHUNK + 2);
    expect(got[1]).to.equal('edited');
    expect(got).to.not.include(`m${LOG_CHUNK + 3}`);
  });

  it('reads a header written with the whole log inside, and moves it into chunks on the next write', async () => {
    const storage = new MemoryStorage();
    const old = Array.from({ length: 5 }, (_, i) => ({
      seq: i + 1,
      activity: { type: 'message', id: `c3|${String(i + 1).padStart(7, '0')}`, text: `old${i + 1}` },
    }));
    await storage.write({
      'webchat/conversation/c3': {
        id: 'c3',
        userId: 'u3',
        createdAt: '2026-01-01T00:00:00Z',
        lastSeq: 5,
        activities: old,
      },
    });
    const store = new ConversationStore(storage, { maxActivities: 100, maxCached: 10 });
    expect(texts(store.since((await store.get('c3'))!, '3').activities)).to.deep.equal(['old4', 'old5']);
    await (await store.append('c3', { type: 'message', text: 'new6' }, noop)).persisted;

    const header = (await storage.read(['webchat/conversation/c3']))['webchat/conversation/c3'];
    expect(header).to.not.have.property('activities');
    const reloaded = new ConversationStore(storage, { maxActivities: 100, maxCached: 10 });
    expect(texts(reloaded.since((await reloaded.get('c3'))!, undefined).activities)).to.deep.equal([
      'old1',
      'old2',
      'old3',
      'old4',
      'old5',
      'new6',
    ]);
  });

  it('survives a restart on the lowdb files', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'conv-store-'));
    let storage: Storage & { close(): Promise<void> } = new LowdbStorage({ dir });
    try {
      const store = new ConversationStore(storage, { maxActivities: 30, maxCached: 10 });
      await store.create({ id: 'c4', userId: 'u4', msisdn: '+15550100001', createdAt: '2026-11-25T00:00:00Z' });
      await say(store, 'c4', 1, 50);
      await store.flush();
      await storage.close();
      storage = new LowdbStorage({ dir });
      const reloaded = new ConversationStore(storage, { maxActivities: 30, maxCached: 10 });
      const record = await reloaded.get('c4');
      expect(record).to.include({ userId: 'u4', msisdn: '+15550100001', lastSeq: 50 });
      expect(texts(reloaded.since(record!, '45').activities)).to.deep.equal(['m46', 'm47', 'm48', 'm49', 'm50']);
      expect(record?.activities).to.have.length(30);
    } finally {
      await storage.close();
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

/** A storage whose writes take a while (a slow disk), recording what each write made durable once it completes. */
class SlowStorage extends MemoryStorage {
  readonly durable: string[] = [];

  override async write(changes: StoreItems): Promise<void> {
    await new Promise((r) => setTimeout(r, 25));
    await super.write(changes);
    this.durable.push(JSON.stringify(changes));
  }
}

describe('Direct Line replies and durability', () => {
  it('answers the POST only once the replies the turn sent are durable', async () => {
    const storage = new SlowStorage();
    const srv = await startWebChatServer({ storage });
    try {
      const conv = await startConversation(srv.base);
      const res = await postMessage(srv.base, conv, 'balance');
      expect(res.status).to.equal(200);
      // Right when the answer came, the reply is already in a completed write, not only in memory.
      expect(storage.durable.some((w) => w.includes('Your balance is 10.00'))).to.equal(true);
    } finally {
      await srv.close();
    }
  });
});
