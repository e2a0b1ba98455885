// The newest lines of the daemon's own log, kept in memory so that
// `maintail` answers at once and `maintail -f` can follow live. A pino
// destination: pino calls write() with one JSON line per entry.

export class LogRing {
  private readonly lines: string[] = [];
  private readonly followers = new Set<(line: string) => void>();

  constructor(private readonly capacity: number) {}

  write(line: string): void {
    this.lines.push(line);
    if (this.lines.length > this.capacity) this.lines.splice(0, this.lines.length - this.capacity);
    for (const f of this.followers) f(line);
  }

  last(n: number): string {
    return n <= 0 ? '' : this.lines.slice(-n).join('');
  }

  follow(listener: (line: string) => void): () => void {
    this.followers.add(listener);
    return () => this.followers.delete(listener);
  }
}
