/**
 * Nova's server and migration resources as the compute API returns them (the fields Reflex reads),
 * apart from the client so that what reads them need not import the client.
 */
export interface NovaServer {
  id: string;
  status: string;
  'OS-EXT-SRV-ATTR:host'?: string | null;
  'OS-EXT-STS:task_state'?: string | null;
  fault?: { message?: string; code?: number };
}

export interface NovaMigration {
  id: number;
  uuid?: string;
  status: string;
  source_compute?: string;
  dest_compute?: string;
  memory_total_bytes?: number | null;
  memory_processed_bytes?: number | null;
  memory_remaining_bytes?: number | null;
  disk_total_bytes?: number | null;
  disk_processed_bytes?: number | null;
  disk_remaining_bytes?: number | null;
}
