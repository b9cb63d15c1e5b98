// Loads a service's modules a part at a time, letting the event loop run in between, so the early listener answers probes.

/** One turn of the event loop: timers run after I/O is polled, so requests that arrived meanwhile are answered first. */
const turn = () => new Promise<void>((resolve) => setTimeout(resolve, 0));

/**
 * Evaluating a module graph holds the one thread until it is done (tens of ms for a service, measured in compiled
 * builds: zod, postgres, the env schema and the app's route table are the big parts). Each of `parts` is a module the
 * last import reaches anyway; loading it first, in its own turn, only splits that one long hold into shorter ones.
 */
export async function loadInTurns<T>(parts: (() => Promise<unknown>)[], last: () => Promise<T>): Promise<T> {
  for (const part of parts) {
    await turn();
    await part();
  }
  await turn();
  return last();
}
