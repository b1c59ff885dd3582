/** Options every command accepts (CONTRACT §5), read with `command.optsWithGlobals()`. */
export interface GlobalOptions {
  readonly env?: string;
  readonly config?: string;
  readonly db?: string;
  /** Milliseconds to wait for a store another run is writing. */
  readonly wait: number;
  /** No summary or notices on stderr: only errors and the command's output. */
  readonly quiet?: boolean;
}
