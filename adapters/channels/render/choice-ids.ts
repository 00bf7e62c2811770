/**
 * Button, row and quick-reply ids carry the choice's value, so a tap maps back to the value without state.
 * A value longer than the channel allows is replaced by its position (`#choice:<n>`), resolved against the
 * choices last offered to that user (kept by the adapter).
 */
const INDEX_ID = /^#choice:(\d{1,3})$/;

export function encodeChoiceId(value: string, index: number, maxLength: number): string {
  return value.length <= maxLength && !INDEX_ID.test(value) ? value : `#choice:${index}`;
}

/** The value a tapped id stands for; `undefined` when it is a position that is no longer known. */
export function decodeChoiceId(id: string, offered: readonly string[] | undefined): string | undefined {
  const m = INDEX_ID.exec(id);
  if (!m) return id;
  return offered?.[Number(m[1])];
}
