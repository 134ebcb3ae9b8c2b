// The data step the three servers share: recv what a client sent and send it back.
//
// Client sockets are non-blocking, so one client can never stall the server: bytes that
// send() cannot take yet wait in `pending`, and the server asks its multiplexer for write
// readiness (writefds / POLLOUT / EPOLLOUT) until they are gone. A client that sends a lot
// without reading its echoes is not read from while a megabyte is queued for it, so memory
// stays bounded; the kernel's socket buffers hold the rest until it reads.
import { EAGAIN, tryRecv, trySend } from '../lib';

const HIGH_WATER = 1 << 20;
const buffer = new Uint8Array(64 * 1024); // char buffer[65536], shared: each recv is consumed at once

/** One connected client: its fd, its address as text, and what is still to be echoed to it. */
export class Client {
  /** Received bytes not yet sent back, oldest first. */
  private pending: Uint8Array[] = [];
  private pendingBytes = 0;
  /** recv returned 0: the client shut down its sending side; close once everything is echoed. */
  private eof = false;

  constructor(
    /** The connected socket accept() returned. */
    readonly fd: number,
    /** "ip:port" of the client, from the sockaddr_in accept() filled. */
    readonly name: string,
  ) {}

  /** Whether to wait for readability (FD_SET in readfds, POLLIN, EPOLLIN). */
  get wantRead(): boolean {
    return !this.eof && this.pendingBytes < HIGH_WATER;
  }

  /** Whether to wait for writability (FD_SET in writefds, POLLOUT, EPOLLOUT). */
  get wantWrite(): boolean {
    return this.pendingBytes > 0;
  }

  /**
   * Handles one readiness report. Returns false when the client is gone — recv returned 0 and
   * everything is echoed, or recv/send failed (ECONNRESET, EPIPE) — and its fd must be closed.
   */
  serve(readable: boolean, writable: boolean): boolean {
    try {
      if (readable && !this.receive()) return false;
      if (writable || this.pendingBytes > 0) this.flush();
      return !(this.eof && this.pendingBytes === 0);
    } catch (err) {
      console.error(`client ${this.name}: ${(err as Error).message}`);
      return false;
    }
  }

  /** recv once into the buffer and queue a copy of what arrived. False when the peer closed. */
  private receive(): boolean {
    const n = tryRecv(this.fd, buffer, buffer.length, 0);
    if (n === -EAGAIN) return true; // readiness was stale: nothing to read after all
    if (n === 0) {
      console.log(`client ${this.name} closed the connection`);
      this.eof = true;
      return this.pendingBytes > 0;
    }
    this.pending.push(buffer.slice(0, n));
    this.pendingBytes += n;
    return true;
  }

  /** send queued bytes, in order, until the kernel takes no more (a partial send or EAGAIN). */
  private flush(): void {
    while (this.pending.length > 0) {
      const chunk = this.pending[0];
      const n = trySend(this.fd, chunk, chunk.length, 0);
      if (n === -EAGAIN) return;
      this.pendingBytes -= n;
      if (n < chunk.length) this.pending[0] = chunk.subarray(n);
      else this.pending.shift();
    }
  }
}
