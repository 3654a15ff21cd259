/**
 * Copies everything this process writes to stdout (the JSON logs of an engine started in it) while
 * still printing it; `restore()` puts stdout back.
 */
export function captureStdout(): { written: string[]; restore: () => void } {
  const written: string[] = [];
  const original = process.stdout.write.bind(process.stdout);
  process.stdout.write = (chunk: string | Uint8Array, ...rest: unknown[]) => {
    written.push(String(chunk));
    return (original as (...a: unknown[]) => boolean)(chunk, ...rest);
  };
  return { written, restore: () => (process.stdout.write = original) };
}
