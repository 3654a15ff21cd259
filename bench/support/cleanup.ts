/**
 * What must be undone if the bench is interrupted (Ctrl-C): engines and drivers in this process
 * own databases that `close()` drops. Each registers here while it is open.
 */
const open = new Set<{ close(): Promise<void> }>();

export function track<T extends { close(): Promise<void> }>(resource: T): T {
  const close = resource.close.bind(resource);
  resource.close = async () => {
    open.delete(resource);
    await close();
  };
  open.add(resource);
  return resource;
}

export async function closeAll(): Promise<void> {
  await Promise.allSettled([...open].map((r) => r.close()));
}
