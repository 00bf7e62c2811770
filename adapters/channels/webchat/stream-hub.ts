/**
 * The Direct Line WebSocket stream (`streamUrl`): one socket per conversation, as the Direct Line service does.
 *
 * Protocol quirks handled here (protocols.md 4.3):
 * - every frame is an ActivitySet `{"activities":[...],"watermark":"..."}`; typing activities go out without a
 *   watermark (they are not logged and a missing watermark is ignored by clients);
 * - an empty text frame is a keep-alive (DirectLineJS ignores frames whose data is empty, and itself sends `""`
 *   every 20 s, which we ignore);
 * - a second socket for a conversation replaces the first, which is closed with reason `collision`;
 * - dead peers are found with WebSocket pings and terminated.
 */
import type { Activity } from 'botbuilder';
import { WebSocket } from 'ws';

export class StreamHub {
  readonly #sockets = new Map<string, WebSocket>();
  readonly #alive = new WeakSet<WebSocket>();
  readonly #timer: NodeJS.Timeout;

  constructor(keepAliveMs: number) {
    this.#timer = setInterval(() => this.#keepAlive(), keepAliveMs);
    this.#timer.unref();
  }

  /** Makes `ws` the conversation's socket (closing any previous one), then sends `replay` as one frame. */
  attach(conversationId: string, ws: WebSocket, replay: { activities: Partial<Activity>[]; watermark: string }): void {
    const previous = this.#sockets.get(conversationId);
    if (previous && previous !== ws) previous.close(1000, 'collision');
    this.#sockets.set(conversationId, ws);
    this.#alive.add(ws);
    ws.on('pong', () => this.#alive.add(ws));
    ws.on('message', () => this.#alive.add(ws)); // the client's "" pings: nothing to do but note it is alive
    ws.on('close', () => {
      if (this.#sockets.get(conversationId) === ws) this.#sockets.delete(conversationId);
    });
    ws.on('error', () => ws.terminate());
    if (replay.activities.length > 0) this.#send(ws, replay);
  }

  /** Pushes a logged activity (with its watermark) or a transient one (typing, no watermark). */
  push(conversationId: string, activity: Partial<Activity>, watermark?: string): void {
    const ws = this.#sockets.get(conversationId);
    if (ws)
      this.#send(ws, watermark === undefined ? { activities: [activity] } : { activities: [activity], watermark });
  }

  isConnected(conversationId: string): boolean {
    return this.#sockets.has(conversationId);
  }

  get size(): number {
    return this.#sockets.size;
  }

  close(): void {
    clearInterval(this.#timer);
    for (const ws of this.#sockets.values()) ws.close(1001, 'server shutting down');
    this.#sockets.clear();
  }

  #send(ws: WebSocket, frame: object): void {
    if (ws.readyState === WebSocket.OPEN) ws.send(JSON.stringify(frame));
  }

  #keepAlive(): void {
    for (const ws of this.#sockets.values()) {
      if (!this.#alive.has(ws)) {
        ws.terminate();
        continue;
      }
      this.#alive.delete(ws);
      if (ws.readyState !== WebSocket.OPEN) continue;
      ws.send('');
      ws.ping();
    }
  }
}
