import { afterEach } from 'vitest';

/**
 * Wraps a fixture's start function so that whatever a test starts is closed after that test,
 * also when an assertion fails half-way. Call it in a file or describe block, outside the tests.
 */
export function closedAfterEach<Args extends unknown[], Fixture extends { close(): Promise<void> }>(
  start: (...args: Args) => Promise<Fixture>,
): (...args: Args) => Promise<Fixture> {
  const open: Fixture[] = [];
  afterEach(async () => {
    for (const fixture of open.splice(0)) await fixture.close();
  });
  return async (...args) => {
    const fixture = await start(...args);
    open.push(fixture);
    return fixture;
  };
}
