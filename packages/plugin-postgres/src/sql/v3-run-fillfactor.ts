/**
 * Migration 3: 55 % of each new `runs` page is kept free (was 25 %). A claim
 * starts its runs in one transaction, a page's worth of rows at a time, and
 * each start writes a new version of the row that is 8 bytes longer
 * (`started_at`). With 25 % free, only about a third of those versions found
 * room on their page for the HOT update that `phase` was made for; the rest
 * wrote an entry in each of the table's six indexes. With 55 % free, every
 * start of a page's rows fits on the page, however small the rows. Changing
 * the setting takes a lock that blocks no reads or writes, and applies to
 * pages written from then on (a rewrite, e.g. `VACUUM FULL`, applies it to
 * the rest). `S` is the quoted schema.
 */
export function runFillfactorSql(S: string): string {
  return `
ALTER TABLE ${S}.runs SET (fillfactor = 45);
`;
}
