/**
 * The acknowledgement side of a group commit, shared by both lowdb stores: every change applied in memory
 * since the last journal write joins the open batch, and its caller waits on `done`, which settles when the
 * journal file holding the batch has been renamed into place (or its write failed).
 */
export interface CommitSignal {
  done: Promise<void>;
  resolve: () => void;
  reject: (e: unknown) => void;
}

export function commitSignal(): CommitSignal {
  let resolve!: () => void;
  let reject!: (e: unknown) => void;
  const done = new Promise<void>((res, rej) => {
    resolve = res;
    reject = rej;
  });
  done.catch(() => {}); // a failed batch nobody waits on must not crash the process
  return { done, resolve, reject };
}
