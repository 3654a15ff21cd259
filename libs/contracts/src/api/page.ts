/** Every list of the REST API answers one page (CONTRACT §8): pass `nextCursor` back for the next. */
export interface PageV1<T> {
  items: T[];
  /** Null on the last page. */
  nextCursor: string | null;
}
