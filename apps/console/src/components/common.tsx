import type { ComponentChildren } from 'preact';
import type { ApiError } from '../api';

const STATUS_WORDS: Record<number, string> = {
  0: 'No answer',
  400: 'Bad request',
  401: 'Not signed in',
  403: 'Forbidden',
  404: 'Not found',
  409: 'Conflict',
  413: 'Too large',
  503: 'Unavailable',
};

/** An API failure as it is: its status, code and message, never an empty page. */
export function ErrorPanel({ error }: { error: ApiError }) {
  const words = STATUS_WORDS[error.status] ?? 'Error';
  return (
    <div class="error" role="alert">
      <strong>
        {error.status ? `${error.status} ${words}` : words}
        {error.code ? ` (${error.code})` : ''}
      </strong>
      : {error.message}
    </div>
  );
}

export function Badge({ value }: { value: string }) {
  return (
    <span class={`badge badge-${value.replace(/[^a-z_]/gi, '')}`}>{value.replace('_', ' ')}</span>
  );
}

export function ProgressBar({
  value,
  label,
  prefix = '',
}: {
  value: number;
  label: string;
  /** Shown before the figure inside the bar (`vCPU 40%`). */
  prefix?: string;
}) {
  const clamped = Math.max(0, Math.min(100, Math.round(value)));
  return (
    <span
      class="progress"
      role="progressbar"
      aria-label={label}
      aria-valuemin={0}
      aria-valuemax={100}
      aria-valuenow={clamped}
    >
      <span class="progress-fill" style={{ width: `${clamped}%` }} />
      <span class="progress-text">
        {prefix}
        {clamped}%
      </span>
    </span>
  );
}

export function when(iso: string | null | undefined): string {
  if (!iso) return '—';
  const d = new Date(iso);
  const today = new Date().toDateString() === d.toDateString();
  return today ? d.toLocaleTimeString() : d.toLocaleString();
}

export function Section({ title, children }: { title: string; children: ComponentChildren }) {
  return (
    <section aria-label={title}>
      <h2>{title}</h2>
      {children}
    </section>
  );
}

/** A wide table scrolls inside its box on a phone, instead of widening the page. */
export function Scroll({ children }: { children: ComponentChildren }) {
  return <div class="scroll">{children}</div>;
}

/**
 * A list that becomes cards on a narrow screen (styles.css), where each cell's `data-label` names
 * its column. `columns` are the header cells in order; a `false` one is left out. `children` are
 * the rows.
 */
export function CardTable(props: {
  label: string;
  columns: Array<ComponentChildren | false>;
  children: ComponentChildren;
}) {
  return (
    <Scroll>
      <table class="cards" aria-label={props.label}>
        <thead>
          <tr>
            {props.columns
              .filter((column) => column !== false)
              .map((column, i) => (
                <th key={i} scope="col">
                  {column}
                </th>
              ))}
          </tr>
        </thead>
        <tbody>{props.children}</tbody>
      </table>
    </Scroll>
  );
}

export function Json({ value }: { value: unknown }) {
  return <code class="json">{JSON.stringify(value)}</code>;
}
