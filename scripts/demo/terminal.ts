// eslint-disable-next-line no-control-regex -- matching the escape character is the point
const ANSI_COLOUR = /\x1b\[[0-9;]*m/g;

/**
 * Lines that scroll, plus one status line kept at the bottom (the running migrations). On a
 * terminal the status line is redrawn in place; in a log or a pipe it is printed as an ordinary
 * line, at most every few seconds and only when it changed.
 */
export class Terminal {
  private status = '';
  private lastPlainStatus = 0;
  private readonly tty: boolean;

  constructor(private readonly out: NodeJS.WriteStream = process.stdout) {
    this.tty = Boolean(out.isTTY) && !process.env.NO_COLOR;
  }

  color(code: 'dim' | 'bold' | 'green' | 'red' | 'yellow' | 'cyan', text: string): string {
    if (!this.tty) return text;
    const codes = { dim: 2, bold: 1, green: 32, red: 31, yellow: 33, cyan: 36 };
    return `\x1b[${codes[code]}m${text}\x1b[0m`;
  }

  line(text = ''): void {
    if (this.tty && this.status) this.out.write('\r\x1b[2K');
    this.out.write(`${text}\n`);
    if (this.tty && this.status) this.out.write(this.fit(this.status));
  }

  setStatus(text: string): void {
    if (text === this.status) return;
    this.status = text;
    if (this.tty) {
      this.out.write(`\r\x1b[2K${this.fit(text)}`);
    } else if (text && Date.now() - this.lastPlainStatus >= 2000) {
      this.lastPlainStatus = Date.now();
      this.out.write(`${text}\n`);
    }
  }

  private fit(text: string): string {
    const width = this.out.columns ?? 120;
    // Measured without colour codes, which take no room on screen.
    const visible = text.replace(ANSI_COLOUR, '');
    return visible.length < width ? text : `${visible.slice(0, width - 2)}…`;
  }
}
