/**
 * `fetch` to the running instance, turning a refused connection into a message that says what to
 * do: the state file may be left over from an instance that was killed.
 */
export async function reachInstance(url: string, init: RequestInit): Promise<Response> {
  try {
    return await fetch(url, init);
  } catch (err) {
    const cause = (err as { cause?: { code?: string } }).cause?.code;
    throw new Error(`cannot reach the running breachline at ${new URL(url).origin} (${cause ?? (err as Error).message}): is \`npm start\` still running?`, { cause: err });
  }
}
