/** What the bench parent and a server under test (target-server.ts, a forked child) say to each other. */

export type TargetKind = 'product' | 'echo';

/** The bench measures throughput, not the per-conversation limiter: both products get the same high limit. */
export const BENCH_WEBCHAT_LIMITS = { activitiesPerSecond: 1_000_000, activitiesBurst: 1_000_000 };

export type ParentMessage =
  /** `gc`: run a full garbage collection first (the child runs with --expose-gc), to see the live set. */
  | { type: 'stats'; gc?: boolean }
  | { type: 'busy'; windowMs: number }
  | { type: 'profile-start'; intervalUs?: number }
  | { type: 'profile-stop'; file: string }
  | { type: 'stop' };

export type ChildMessage =
  | { type: 'ready'; port: number; startMs: number }
  | {
      type: 'stats';
      rssBytes: number;
      heapUsedBytes: number;
      heapTotalBytes: number;
      externalBytes: number;
      maxRssBytes: number;
    }
  | { type: 'busy'; utilization: number }
  | { type: 'profile-started' }
  | { type: 'profile-stopped'; file: string }
  | { type: 'failed'; message: string };
