import Database from 'better-sqlite3';

type Statement = Database.Statement;
type Runner = (this: Statement, ...args: unknown[]) => unknown;

/**
 * Records the SQL of every statement the station's own connection runs while `work` runs. The
 * statements are the real ones (better-sqlite3's Statement methods are wrapped, not replaced).
 */
export async function statementsRunBy(work: () => Promise<unknown>): Promise<string[]> {
  const probe = new Database(':memory:');
  const proto = Object.getPrototypeOf(probe.prepare('SELECT 1')) as Record<string, Runner>;
  probe.close();
  const seen: string[] = [];
  const originals = new Map<string, Runner>();
  for (const name of ['all', 'get', 'run', 'iterate']) {
    const original = proto[name] as Runner;
    originals.set(name, original);
    proto[name] = function (this: Statement, ...args: unknown[]) {
      seen.push(this.source);
      return original.apply(this, args);
    };
  }
  try {
    await work();
  } finally {
    for (const [name, original] of originals) proto[name] = original;
  }
  return seen;
}

/** The query plans (EXPLAIN QUERY PLAN) of statements, read on `db`; NULL stands for each parameter. */
export function plansOf(db: Database.Database, statements: readonly string[]): string[][] {
  return statements.map((sql) =>
    (
      db.prepare(`EXPLAIN QUERY PLAN ${sql.replace(/\?/g, 'NULL')}`).all() as { detail: string }[]
    ).map((r) => r.detail),
  );
}
