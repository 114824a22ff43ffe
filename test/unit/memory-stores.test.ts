import { objectStoreContract } from '../contract/object-store.contract.ts';
import { stateStoreContract } from '../contract/state-store.contract.ts';
import { MemoryObjectStore } from '../support/memory-object-store.ts';
import { MemoryStateStore } from '../support/memory-state-store.ts';

// The in-memory fakes the unit tests run the core on keep the ports' semantics: the same contract suites as the
// AWS and local adapters (test/integration/object-store.test.ts, state-store.test.ts).
objectStoreContract('MemoryObjectStore', async () => new MemoryObjectStore());
stateStoreContract('MemoryStateStore', async (clock) => {
  const store = new MemoryStateStore(clock);
  return { store, reopen: () => new MemoryStateStore(clock, store.items) };
});
