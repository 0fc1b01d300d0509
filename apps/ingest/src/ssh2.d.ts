// The part of ssh2's API the SFTP source uses. @types/ssh2 pulls in all of @types/node, whose
// globals clash with the Workers types, so the few signatures needed are declared here.
declare module "ssh2" {
  type Bytes = import("node:buffer").Buffer;

  /** An exact list, or changes to ssh2's default list. */
  type AlgorithmList =
    | string[]
    | { append?: (string | RegExp)[]; prepend?: (string | RegExp)[]; remove?: (string | RegExp)[] };

  export interface Algorithms {
    kex?: AlgorithmList;
    serverHostKey?: AlgorithmList;
    cipher?: AlgorithmList;
    hmac?: AlgorithmList;
    compress?: AlgorithmList;
  }

  export interface ConnectConfig {
    host: string;
    port: number;
    username: string;
    password?: string;
    privateKey?: string;
    readyTimeout?: number;
    keepaliveInterval?: number;
    algorithms?: Algorithms;
    /** Called with the server's raw host key; answer through `verify` (or by returning). */
    hostVerifier?: (key: Bytes, verify: (valid: boolean) => void) => boolean | undefined;
  }

  export interface SshError extends Error {
    level?: string;
    code?: string | number;
  }

  export interface FileStats {
    size?: number;
  }

  export interface SFTPWrapper {
    open(path: string, flags: "r", callback: (err: SshError | undefined, handle: Bytes) => void): void;
    fstat(handle: Bytes, callback: (err: SshError | undefined, stats: FileStats) => void): void;
    read(
      handle: Bytes,
      buffer: Bytes,
      offset: number,
      length: number,
      position: number,
      callback: (err: SshError | undefined, bytesRead: number, data: Bytes, position: number) => void,
    ): void;
    close(handle: Bytes, callback: (err: SshError | undefined) => void): void;
    end(): void;
  }

  export class Client {
    connect(config: ConnectConfig): this;
    on(event: "ready" | "close" | "end", listener: () => void): this;
    on(event: "error", listener: (err: SshError) => void): this;
    sftp(callback: (err: SshError | undefined, sftp: SFTPWrapper) => void): void;
    end(): this;
    destroy(): this;
  }
}

declare module "node:buffer" {
  export class Buffer extends Uint8Array {
    static alloc(size: number): Buffer;
  }
}
