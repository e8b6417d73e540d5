// Ownership of disposables, after vscode-pull-request-github's src/common/lifecycle.ts: a class that holds listeners,
// emitters, timers or registrations extends Disposable and hands each one to register() as it makes it; dispose()
// releases them all, newest first, once. Nothing to forget in a hand-written loop, and a registration made after
// dispose() (a late async callback) is released at once instead of leaking.
import type * as vscode from 'vscode';

/** Anything with a dispose(): VS Code's disposables, the core's subscriptions, our own classes. */
export interface IDisposable {
  dispose(): void;
}

/** Disposes and empties `disposables`, newest first. */
export function disposeAll(disposables: IDisposable[]): void {
  while (disposables.length) disposables.pop()!.dispose();
}

/** A disposable that runs `fn` (once) when disposed: for timers, intervals and other non-disposable resources. */
export function toDisposable(fn: () => void): IDisposable {
  let done = false;
  return { dispose: () => { if (!done) { done = true; fn(); } } };
}

export abstract class Disposable implements vscode.Disposable {
  private disposed = false;
  private readonly owned: IDisposable[] = [];

  /** Takes `value` to dispose with this object and returns it (so fields can be written `x = this.register(...)`). */
  protected register<T extends IDisposable>(value: T): T {
    if (this.disposed) value.dispose();
    else this.owned.push(value);
    return value;
  }

  protected get isDisposed(): boolean {
    return this.disposed;
  }

  dispose(): void {
    if (this.disposed) return;
    this.disposed = true;
    disposeAll(this.owned);
  }
}
