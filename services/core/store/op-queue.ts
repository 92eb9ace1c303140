/**
 * Bounds how many engine operations run at once. With a limit of 1 it is a serial queue: operations
 * start in call order, each after the previous settled. chDB runs every operation on a libuv worker
 * thread; the bound keeps the store from taking all of them (fs and crypto share that pool).
 */
export class OpQueue {
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(private readonly limit: number) {}

  /** Runs `op` when a slot is free; resolves or rejects with its result. */
  async run<T>(op: () => Promise<T>): Promise<T> {
    if (this.running >= this.limit) await new Promise<void>((resolve) => this.waiting.push(resolve));
    else this.running++;
    try {
      return await op();
    } finally {
      const next = this.waiting.shift();
      if (next) next();
      else this.running--;
    }
  }

  /** Resolves once nothing is running or waiting. */
  async idle(): Promise<void> {
    while (this.running > 0) await this.run(() => Promise.resolve());
  }
}
